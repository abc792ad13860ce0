"""ml-cvnets' SSDLite head on mmdet's ``SSDHead``: one separable conv per level that
predicts boxes and classes together, ml-cvnets' anchors, decoding and post-processing."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmcv.cnn import ConvModule, DepthwiseSeparableConvModule
from mmdet.models.dense_heads import SSDHead
from mmengine.config import ConfigDict
from mmengine.registry import MODELS
from mmengine.structures import InstanceData
from torch import Tensor, nn
from torchvision.ops import batched_nms, nms


def mlcvnets_postprocess(boxes: Tensor, scores: Tensor, score_thr: float,
                         iou_threshold: float, nms_pre: Optional[int] = None,
                         max_per_class: Optional[int] = None,
                         max_per_img: Optional[int] = None
                         ) -> Tuple[Tensor, Tensor, Tensor]:
    """ml-cvnets' post-processing of one image's decoded boxes and class scores.

    Class by class (background excluded from ``scores``), candidates in anchor order:
    the scores above ``score_thr``, then the ``nms_pre`` best (84d992f's ``top_k``).
    With ``max_per_class`` (d38a116's ``SingleShotDetector.predict``): NMS at
    ``iou_threshold`` within the class, its ``max_per_class`` best kept, classes
    concatenated. Without (84d992f's ``postprocess_detections``): class-aware
    ``batched_nms`` over all candidates, then the ``max_per_img`` best. The operations
    and their order are the reference code's, so that equal scores resolve alike.

    Args:
        boxes (Tensor): ``[N, 4]`` boxes ``(x1, y1, x2, y2)``.
        scores (Tensor): ``[N, C]`` class probabilities.

    Returns:
        tuple[Tensor, Tensor, Tensor]: boxes ``[K, 4]``, scores ``[K]``, labels ``[K]``.
    """
    kept_boxes, kept_scores, kept_labels = [], [], []
    for label in range(scores.shape[1]):
        probs = scores[:, label]
        mask = probs > score_thr
        probs = probs[mask]
        if probs.numel() == 0:
            continue
        candidates = boxes[mask]
        if nms_pre is not None and nms_pre > 0:
            probs, order = probs.topk(min(nms_pre, probs.numel()))
            candidates = candidates[order]
        if max_per_class is not None:
            keep = nms(candidates, probs, iou_threshold)[:max_per_class]
            candidates, probs = candidates[keep], probs[keep]
        kept_boxes.append(candidates)
        kept_scores.append(probs)
        kept_labels.append(torch.full_like(probs, label, dtype=torch.long))
    if not kept_scores:
        return boxes.new_zeros((0, 4)), scores.new_zeros(0), \
            torch.zeros(0, dtype=torch.long, device=scores.device)
    boxes, scores, labels = (torch.cat(kept_boxes), torch.cat(kept_scores),
                             torch.cat(kept_labels))
    if max_per_class is None:
        keep = batched_nms(boxes, scores, labels, iou_threshold)
        if max_per_img is not None and max_per_img > 0:
            keep = keep[:max_per_img]
        return boxes[keep], scores[keep], labels[keep]
    if max_per_img is not None and max_per_img > 0:
        keep = scores.argsort(descending=True, stable=True)[:max_per_img]
        return boxes[keep], scores[keep], labels[keep]
    return boxes, scores, labels


@MODELS.register_module()
class SSDLiteHead(SSDHead):
    """The SSDLite head of ml-cvnets' ``SingleShotDetector``.

    Per level (``cvnets/modules/ssd.py`` @ d38a116, ``cvnets/modules/ssd_heads.py`` @
    84d992f): a 1x1 conv + BN + ReLU projecting the level to ``proj_channels[i]`` where
    the widths differ, then one separable conv (3x3 depthwise + BN without activation,
    1x1 with bias) predicting every anchor's 4 box offsets and ``num_classes + 1``
    scores; the last (global, 1x1) level has no projection and a 1x1 conv with bias.
    The predictor's output channels are ordered ``[A * 4 boxes | A * (C + 1) scores]``
    with background last (mmdet's convention; ml-cvnets interleaves ``4 + 1 + C`` per
    anchor with background first: the checkpoint converter reorders the rows).

    Training is mmdet's SSD loss (IoU matching, smooth L1, cross-entropy with 3:1 hard
    negatives) on ml-cvnets' anchors. Prediction decodes as ml-cvnets (no clamp of the
    size offsets) and post-processes with :func:`mlcvnets_postprocess` per ``test_cfg``
    (``score_thr``, ``nms.iou_threshold``, ``nms_pre``, ``max_per_class``,
    ``max_per_img``); boxes are scaled back to the original image and clipped.

    Args:
        num_classes (int): Object classes (background excluded).
        in_channels (Sequence[int]): Width of each level the neck gives.
        proj_channels (Sequence[int]): Width each level is projected to.
        global_last_level (bool): The last level is 1x1 (ml-cvnets' ``os = -1``).
        norm_cfg (dict): Norm of the projections and depthwise convs.
        act_cfg (dict): Activation of the projections.
        anchor_generator (dict): An :class:`SSDLiteAnchorGenerator` config.
        bbox_coder (dict): Box coder of the training targets (its ``target_stds`` are
            ml-cvnets' centre and size variances, also used to decode).
        train_cfg, test_cfg, init_cfg: As :class:`mmdet.models.dense_heads.SSDHead`.
    """

    def __init__(self, num_classes: int = 80,
                 in_channels: Sequence[int] = (128, 160, 256, 128, 128, 64),
                 proj_channels: Sequence[int] = (512, 256, 256, 128, 128, 64),
                 global_last_level: bool = True,
                 norm_cfg: dict = dict(type='BN'), act_cfg: dict = dict(type='ReLU'),
                 anchor_generator: dict = dict(type='SSDLiteAnchorGenerator'),
                 bbox_coder: dict = dict(type='DeltaXYWHBBoxCoder',
                                         target_means=[0., 0., 0., 0.],
                                         target_stds=[0.1, 0.1, 0.2, 0.2]),
                 train_cfg: Optional[dict] = None, test_cfg: Optional[dict] = None,
                 init_cfg: dict = dict(type='Xavier', layer='Conv2d',
                                       distribution='uniform', bias=0)) -> None:
        if len(proj_channels) != len(in_channels):
            raise ValueError(f'proj_channels needs one width per level '
                             f'({len(in_channels)}), got {len(proj_channels)}')
        self.proj_channels = tuple(proj_channels)
        self.global_last_level = global_last_level
        super().__init__(num_classes=num_classes, in_channels=tuple(in_channels),
                         norm_cfg=norm_cfg, act_cfg=act_cfg,
                         anchor_generator=anchor_generator, bbox_coder=bbox_coder,
                         train_cfg=train_cfg, test_cfg=test_cfg, init_cfg=init_cfg)
        if self.prior_generator.num_levels != len(in_channels):
            raise ValueError(f'the anchor generator has {self.prior_generator.num_levels} '
                             f'levels, the head {len(in_channels)}')
        self.loss_cls = None  # the SSD loss is computed inline (mmdet reads this)

    def _init_layers(self) -> None:
        self.projections = nn.ModuleList()
        self.predictors = nn.ModuleList()
        last = len(self.in_channels) - 1
        for i, (width, proj, anchors) in enumerate(
                zip(self.in_channels, self.proj_channels, self.num_base_priors)):
            out = anchors * (4 + self.cls_out_channels)
            if i == last and self.global_last_level:
                self.projections.append(nn.Identity())
                self.predictors.append(nn.Conv2d(width, out, 1))
                continue
            self.projections.append(
                ConvModule(width, proj, 1, norm_cfg=self.norm_cfg, act_cfg=self.act_cfg)
                if proj != width else nn.Identity())
            self.predictors.append(DepthwiseSeparableConvModule(
                proj, out, 3, padding=1, norm_cfg=None, act_cfg=None,
                dw_norm_cfg=self.norm_cfg))

    def forward(self, x: Tuple[Tensor, ...]) -> Tuple[List[Tensor], List[Tensor]]:
        """Per level ``cls_scores`` ``[N, A * (C + 1), H, W]`` and ``bbox_preds``
        ``[N, A * 4, H, W]``, as mmdet's ``SSDHead``."""
        cls_scores, bbox_preds = [], []
        for feat, proj, predictor, anchors in zip(x, self.projections, self.predictors,
                                                  self.num_base_priors):
            out = predictor(proj(feat))
            # slices rather than split(): the same views, and ops that ExecuTorch's
            # XNNPACK delegate takes (it has no split)
            bbox_preds.append(out[:, :anchors * 4])
            cls_scores.append(out[:, anchors * 4:])
        return cls_scores, bbox_preds

    def get_anchors(self, featmap_sizes: List[tuple], batch_img_metas: List[dict],
                    device='cuda') -> Tuple[List[List[Tensor]], List[List[Tensor]]]:
        """ml-cvnets' anchors in pixels of each image's network input."""
        anchor_list, valid_flag_list = [], []
        for meta in batch_img_metas:
            size = meta.get('batch_input_shape', meta.get('pad_shape', meta['img_shape']))
            anchors = self.prior_generator.grid_priors(featmap_sizes, size[:2], device)
            anchor_list.append(anchors)
            valid_flag_list.append([a.new_ones(len(a), dtype=torch.bool) for a in anchors])
        return anchor_list, valid_flag_list

    def decode(self, bbox_preds: Tensor, anchors: Tensor) -> Tensor:
        """ml-cvnets' ``convert_locations_to_boxes`` + corner form: ``[..., N, 4]``
        offsets and ``[N, 4]`` centre-form anchors -> ``(x1, y1, x2, y2)`` fractions."""
        stds = bbox_preds.new_tensor(self.bbox_coder.stds)
        centre = bbox_preds[..., :2] * stds[:2] * anchors[:, 2:] + anchors[:, :2]
        size = torch.exp(bbox_preds[..., 2:] * stds[2:]) * anchors[:, 2:]
        return torch.cat([centre - size * 0.5, centre + size * 0.5], dim=-1)

    def flatten(self, cls_scores: List[Tensor], bbox_preds: List[Tensor]
                ) -> Tuple[Tensor, Tensor]:
        """Per-level maps -> ``[N, anchors, C + 1]`` logits and ``[N, anchors, 4]``
        offsets in ml-cvnets' anchor order (level, row, column, anchor)."""
        n = cls_scores[0].shape[0]
        logits = torch.cat([s.permute(0, 2, 3, 1).reshape(n, -1, self.cls_out_channels)
                            for s in cls_scores], 1)
        deltas = torch.cat([b.permute(0, 2, 3, 1).reshape(n, -1, 4) for b in bbox_preds], 1)
        return logits, deltas

    def predict_by_feat(self, cls_scores: List[Tensor], bbox_preds: List[Tensor],
                        score_factors: Optional[List[Tensor]] = None,
                        batch_img_metas: Optional[List[dict]] = None,
                        cfg: Optional[ConfigDict] = None, rescale: bool = False,
                        with_nms: bool = True) -> List[InstanceData]:
        """Boxes, scores and labels per image, as ml-cvnets' ``predict``.

        Softmax over the ``C + 1`` scores, decoding against the anchors of the actual
        feature-map sizes, :func:`mlcvnets_postprocess`, best first, then (``rescale``)
        the boxes in the original image's pixels, clipped to it.
        """
        cfg = self.test_cfg if cfg is None else cfg
        featmap_sizes = [tuple(s.shape[-2:]) for s in cls_scores]
        anchors = self.prior_generator.centre_form(featmap_sizes, cls_scores[0].device)
        logits, deltas = self.flatten(cls_scores, bbox_preds)
        probs = logits.softmax(-1)[..., :self.num_classes]
        fractions = self.decode(deltas, anchors)
        nms = cfg.get('nms') or {}
        results = []
        for i, meta in enumerate(batch_img_metas):
            h, w = meta.get('batch_input_shape', meta['img_shape'])[:2]
            boxes, scores, labels = mlcvnets_postprocess(  # on fractions, as ml-cvnets
                fractions[i], probs[i], cfg.get('score_thr', 0.01),
                nms.get('iou_threshold', 0.5), cfg.get('nms_pre'),
                cfg.get('max_per_class'), cfg.get('max_per_img'))
            order = scores.argsort(descending=True, stable=True)  # best first
            boxes, scores, labels = boxes[order], scores[order], labels[order]
            boxes = boxes * boxes.new_tensor([w, h, w, h])
            if rescale:
                factor = boxes.new_tensor(meta['scale_factor']).repeat(2)
                boxes = boxes / factor
                limit = meta['ori_shape'][:2]
            else:
                limit = meta['img_shape'][:2]
            boxes[:, 0::2] = boxes[:, 0::2].clamp(0, limit[1])
            boxes[:, 1::2] = boxes[:, 1::2].clamp(0, limit[0])
            result = InstanceData()
            result.bboxes, result.scores, result.labels = boxes, scores, labels
            results.append(result)
        return results
