"""mmseg's EncoderDecoder evaluated as ml-cvnets evaluates its segmentation releases."""
from typing import List, Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.registry import MODELS
from mmengine.structures import PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.structures import SegDataSample
from torch import Tensor

from ...checkpoint.fit import CheckpointFitMixin
from ..utils.config_classes import ConfigClassNamesMixin
from ..utils.derived_channels import backbone_out_channels, pick, with_value

#: How each release's ``engine/eval_segmentation.py`` (``predict_and_save``) turns an
#: image (already resized by the test pipeline) into a mask:
#: ``align_corners`` of the floor-to-the-output-stride resize and of the logits'
#: bilinear upsampling; ``to_original``: ``'nearest'`` = upsample by the output stride
#: (``UpSample`` in the head, d38a116), then nearest to the original size;
#: ``'bilinear'`` = one bilinear upsampling straight to the original size
#: (``BaseSegHead.forward(orig_size=...)``, 84d992f).
EVAL_PROTOCOLS = {
    'mlcvnets-v0.1': dict(align_corners=False, to_original='nearest'),
    'mlcvnets-v0.2': dict(align_corners=True, to_original='bilinear'),
}


def class_map(logits: Tensor) -> Tensor:
    """``logits.argmax(dim=0, keepdim=True)`` of ``(C, H, W)`` logits, taken with the
    classes innermost in memory.

    On the CPU, PyTorch's argmax over the outer dim of a contiguous map is several
    times slower than a transposing copy followed by an argmax over the inner dim
    (``benchmark.py --task seg`` times the post-processing). The result is the same,
    ties included (the first maximum's index).
    """
    if logits.device.type != 'cpu' or logits.stride(0) == 1:
        return logits.argmax(dim=0, keepdim=True)  # classes innermost already
    return logits.permute(1, 2, 0).contiguous().argmax(dim=-1).unsqueeze(0)


class BatchTooSmallError(ValueError):
    """A training batch too small for the model's BatchNorms (one image per process)."""


@MODELS.register_module()
class MLCVNetsEncoderDecoder(ConfigClassNamesMixin, CheckpointFitMixin, EncoderDecoder):
    """:class:`mmseg.models.segmentors.EncoderDecoder` whose prediction follows ml-cvnets'
    segmentation evaluation, chosen by ``test_cfg['protocol']``.

    * ``'mlcvnets-v0.1'`` (apple/ml-cvnets@d38a116 ``engine/eval_segmentation.py``; the
      MobileViTv3-v1 overlay): the input is resized down to a multiple of the output
      stride (bilinear, ``align_corners=False``), the logits are upsampled to that size
      (``align_corners=False``), then resized to the original image with ``nearest``.
    * ``'mlcvnets-v0.2'`` (84d992f, main, the MobileViTv3-v2 overlay): the same floor
      with ``align_corners=True``, then one bilinear upsampling (``align_corners=True``)
      straight to the original image size.

    The image resize before this (512x512 for v0.1, short side 512 for v0.2) is the
    test pipeline's. Without a ``protocol`` (or in training, where the decode head's
    ``align_corners`` resizes the logits to the labels as ml-cvnets' heads upsample by
    the output stride) it is mmseg's ``EncoderDecoder``.

    ``test_cfg``: ``mode`` must be ``'whole'`` (ml-cvnets has no sliding window);
    ``protocol``; ``output_stride`` (optional; default the backbone's ``out_stride``).

    Its loads are checked: ``mmseg.apis.init_model``, ``MMSegInferencer`` and
    ``load_from`` refuse a checkpoint of another model or class count, and serve one of
    the other channel order (:class:`~mmmobilevit.checkpoint.fit.CheckpointFitMixin`);
    ``allow_partial_load`` (None | bool | dict, default None) says what may be missing or
    of another shape.

    With a ``MobileViTBackbone``, the heads' ``in_channels`` may be left out: the
    backbone's output at the head's ``in_index``; an auxiliary head's ``channels`` left
    out is ml-cvnets' ``max(in_channels // 4, 128)`` (``BaseSegHead.aux_head`` @ 84d992f)
    (:mod:`~mmmobilevit.models.utils.derived_channels`).

    A checkpoint without class names gets those of the config's dataset, not mmseg's
    Cityscapes fallback (:class:`~mmmobilevit.models.utils.config_classes.ConfigClassNamesMixin`).
    """

    class_names_from = ('mmseg', 'cityscapes', 'decode_head')

    def __init__(self, backbone: dict, decode_head: dict, *args,
                 auxiliary_head: Optional[dict] = None, **kwargs) -> None:
        channels = backbone_out_channels(backbone)
        if channels is not None:
            arch = backbone.get('arch')
            decode_head = with_value(decode_head, 'in_channels',
                                     pick(channels, decode_head.get('in_index', -1)), arch,
                                     'decode_head')
            if isinstance(auxiliary_head, (list, tuple)):
                auxiliary_head = [self._aux_channels(h, channels, arch)
                                  for h in auxiliary_head]
            else:
                auxiliary_head = self._aux_channels(auxiliary_head, channels, arch)
        super().__init__(backbone, decode_head, *args, auxiliary_head=auxiliary_head,
                         **kwargs)
        protocol = self.protocol
        if protocol is not None:
            if protocol not in EVAL_PROTOCOLS:
                raise ValueError(f'test_cfg.protocol must be one of {sorted(EVAL_PROTOCOLS)} '
                                 f'or None, got {protocol!r}')
            if self.test_cfg.get('mode', 'whole') != 'whole':
                raise ValueError(f'test_cfg.protocol {protocol!r} evaluates whole images: '
                                 f'test_cfg.mode must be "whole", got {self.test_cfg.mode!r}')

    def default_palette(self, count: int) -> list:
        # as mmseg's BaseSegDataset draws colours for classes given without a palette
        return np.random.RandomState(42).randint(0, 255, size=(count, 3)).tolist()

    @staticmethod
    def _aux_channels(head: Optional[dict], channels: List[int], arch) -> Optional[dict]:
        if head is None:
            return None
        head = with_value(head, 'in_channels', pick(channels, head.get('in_index', -1)),
                          arch, 'auxiliary_head')
        if head.get('channels') is None and isinstance(head['in_channels'], int):
            head = {**head, 'channels': max(head['in_channels'] // 4, 128)}
        return head

    @property
    def protocol(self) -> Optional[str]:
        """``test_cfg['protocol']``, or None (mmseg's prediction)."""
        return self.test_cfg.get('protocol') if self.test_cfg else None

    @property
    def output_stride(self) -> int:
        """The multiple the input is floored to: ``test_cfg.output_stride``, else the
        backbone's ``out_stride`` (32 when it has none)."""
        stride = self.test_cfg.get('output_stride') if self.test_cfg else None
        return int(stride or getattr(self.backbone, 'out_stride', None) or 32)

    def release_logits(self, inputs: Tensor, ori_shapes: List[tuple]) -> List[Tensor]:
        """Per image, the ``(C, H, W)`` logits at its original size, as the release.

        Args:
            inputs (Tensor): ``(N, 3, h, w)`` preprocessed images of one size.
            ori_shapes (list[tuple]): Each image's original ``(H, W)``.
        """
        spec = EVAL_PROTOCOLS[self.protocol]
        stride = self.output_stride
        h, w = inputs.shape[-2:]
        fh, fw = h // stride * stride, w // stride * stride
        if fh == 0 or fw == 0:
            raise ValueError(f'a {h}x{w} input is smaller than the output stride {stride}')
        if (fh, fw) != (h, w):
            inputs = F.interpolate(inputs, size=(fh, fw), mode='bilinear',
                                   align_corners=spec['align_corners'])
        logits = self.decode_head.forward(self.extract_feat(inputs))
        out = []
        for i, shape in enumerate(ori_shapes):
            x = logits[i:i + 1]
            if spec['to_original'] == 'nearest':
                x = F.interpolate(x, size=(fh, fw), mode='bilinear',
                                  align_corners=spec['align_corners'])
                x = F.interpolate(x, size=tuple(shape), mode='nearest')
            else:
                x = F.interpolate(x, size=tuple(shape), mode='bilinear',
                                  align_corners=spec['align_corners'])
            out.append(x[0])
        return out

    def loss(self, inputs: Tensor, data_samples: List[SegDataSample]) -> dict:
        """mmseg's loss; a batch of one image, which the image-pooling branch's BatchNorm
        cannot normalise in training, is refused with what to do."""
        try:
            return super().loss(inputs, data_samples)
        except ValueError as error:
            if 'Expected more than 1 value per channel' not in str(error):
                raise
            raise BatchTooSmallError(
                f'training with {inputs.shape[0]} image per process: the decode head\'s '
                'image-pooling branch (global average pooling, 1x1 conv, BatchNorm) then '
                'has one value per channel, which BatchNorm cannot normalise. Train with '
                'train_dataloader.batch_size >= 2 per process (the releases: 4 to 32), '
                'or with SyncBN over several processes.') from error

    def predict(self, inputs: Tensor,
                data_samples: Optional[List[SegDataSample]] = None) -> List[SegDataSample]:
        """mmseg's ``predict`` (``seg_logits`` and ``pred_sem_seg`` at the original size
        of each image) computed as ``test_cfg.protocol``'s release."""
        if self.protocol is None:
            return super().predict(inputs, data_samples)
        if data_samples is None:
            data_samples = [SegDataSample() for _ in range(inputs.shape[0])]
            metas = [dict(ori_shape=inputs.shape[-2:])] * inputs.shape[0]
        else:
            metas = [sample.metainfo for sample in data_samples]
        paddings = [tuple(m.get('img_padding_size', m.get('padding_size', [0] * 4)) or
                          [0] * 4) for m in metas]
        shapes = [tuple(m.get('ori_shape', inputs.shape[-2:])[:2]) for m in metas]
        if all(not any(p) for p in paddings):
            logits = self.release_logits(inputs, shapes)
        else:  # images of different sizes padded into one batch: one at a time
            logits = []
            for i, (left, right, top, bottom) in enumerate(paddings):
                h, w = inputs.shape[-2:]
                logits += self.release_logits(
                    inputs[i:i + 1, :, top:h - bottom, left:w - right], [shapes[i]])
        for sample, meta, x in zip(data_samples, metas, logits):
            if meta.get('flip'):
                x = x.flip(dims=(2, ) if meta.get('flip_direction') == 'horizontal'
                           else (1, ))
            if x.shape[0] > 1:
                pred = class_map(x)
            else:
                pred = (torch.sigmoid(x) > self.decode_head.threshold).to(x)
            sample.set_data(dict(seg_logits=PixelData(data=x),
                                 pred_sem_seg=PixelData(data=pred)))
        return data_samples
