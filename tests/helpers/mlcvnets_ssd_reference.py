"""ml-cvnets' SSDLite written from Apple's code with Apple's key names: the reference
our SSDLite-MobileViT is compared with.

Sources: apple/ml-cvnets@d38a116 ``cvnets/models/detection/ssd.py`` (extra layers,
``ssd_forward``, ``predict`` as ``decode`` + ``postprocess``),
``cvnets/modules/ssd.py`` (``SSDHead``),
``cvnets/layers/conv_layer.py`` / ``sep_conv_layer.py`` (``ConvLayer``: ``block.conv``,
``block.norm``, ``block.act``; ``SeparableConv``: ``dw_conv`` + BN without activation,
``pw_conv``), ``cvnets/misc/anchor_generator.py``, ``cvnets/misc/box_utils.py``,
``engine/eval_detection.py`` (boxes times the original size, clipped); @84d992f
``SingleShotMaskDetector.postprocess_detections`` (top-k per class, ``batched_nms``,
objects per image). The encoder is our MobileViT backbone (its exactness is tested
elsewhere); its weights are exported in Apple's names by
:func:`helpers.apple_layout.to_apple_layout`.
"""
from itertools import product
from math import sqrt

import numpy as np
import torch
from torch import nn
from torchvision.ops import batched_nms
from torchvision.ops import nms as torch_nms

from helpers.apple_layout import to_apple_layout
from mmmobilevit.models import MobileViTBackbone


class ConvLayer(nn.Module):

    def __init__(self, cin, cout, k, stride=1, groups=1, bias=False, use_norm=True,
                 use_act=True):
        super().__init__()
        self.block = nn.Sequential()
        self.block.add_module('conv', nn.Conv2d(cin, cout, k, stride, (k - 1) // 2,
                                                groups=groups, bias=bias))
        if use_norm:
            self.block.add_module('norm', nn.BatchNorm2d(cout))
        if use_act:
            self.block.add_module('act', nn.ReLU())

    def forward(self, x):
        return self.block(x)


class SeparableConv(nn.Module):

    def __init__(self, cin, cout, k, stride=1, use_norm=True, use_act=True, bias=False):
        super().__init__()
        self.dw_conv = ConvLayer(cin, cin, k, stride, groups=cin, use_norm=True,
                                 use_act=False)
        self.pw_conv = ConvLayer(cin, cout, 1, bias=bias, use_norm=use_norm,
                                 use_act=use_act)

    def forward(self, x):
        return self.pw_conv(self.dw_conv(x))


class SSDHead(nn.Module):

    def __init__(self, cin, n_anchors, n_classes, proj_channels, kernel_size):
        super().__init__()
        self.proj_layer = None
        if proj_channels != -1 and proj_channels != cin and kernel_size > 1:
            self.proj_layer = ConvLayer(cin, proj_channels, 1)
            cin = proj_channels
        out = n_anchors * (4 + n_classes)
        self.loc_cls_layer = (ConvLayer(cin, out, 1, bias=True, use_norm=False,
                                        use_act=False) if kernel_size == 1 else
                              SeparableConv(cin, out, kernel_size, bias=True,
                                            use_norm=False, use_act=False))
        self.n_classes = n_classes

    def forward(self, x):
        if self.proj_layer is not None:
            x = self.proj_layer(x)
        x = self.loc_cls_layer(x)
        x = x.permute(0, 2, 3, 1).contiguous().view(x.shape[0], -1, 4 + self.n_classes)
        return torch.split(x, [4, self.n_classes], dim=-1)


class AppleSSD(nn.Module):
    """ml-cvnets' ``SingleShotDetector`` on a MobileViT encoder.

    Args:
        arch (str): The encoder's arch.
        release (str): ``'v0.1'`` (d38a116 post-processing) or ``'v0.2'`` (84d992f).
        n_classes (int): Classes including background (COCO: 81).
    """
    output_strides = [16, 32, 64, 128, 256, -1]
    aspect_ratios = [[2, 3]] * 5 + [[2]]
    proj_channels = [512, 256, 256, 128, 128, 64]

    def __init__(self, arch, release='v0.1', n_classes=81, conf_threshold=0.01):
        super().__init__()
        self.encoder = MobileViTBackbone(arch, out_indices=(3, 4), init_cfg=None)
        self.release, self.n_classes, self.conf_threshold = release, n_classes, conf_threshold
        l4, l5 = self.encoder.out_channels[3], self.encoder.out_channels[4]
        extra, channels, cin = {}, [], l5
        for idx, os in enumerate(self.output_strides):
            out = self.proj_channels[idx]
            if os == 16:
                channels.append(l4)
            elif os == 32:
                channels.append(l5)
            elif os > 32:
                extra[f'os_{os}'] = SeparableConv(cin, out, 3, stride=2)
                channels.append(out)
                cin = out
            else:
                extra[f'os_{os}'] = nn.Sequential(
                    nn.AdaptiveAvgPool2d(1), ConvLayer(cin, out, 1, use_norm=False))
                channels.append(out)
                cin = out
        self.extra_layers = nn.ModuleDict(extra)
        scales = np.linspace(0.1, 1.05, len(self.output_strides) + 1)
        self.sizes = {s: (scales[i], sqrt(scales[i] * scales[i + 1]))
                      for i, s in enumerate(self.output_strides)}
        self.ars = {s: list(set(a)) for s, a in zip(self.output_strides, self.aspect_ratios)}
        self.ssd_heads = nn.ModuleList(
            SSDHead(c, 2 + 2 * len(self.ars[os]), n_classes, p, 3 if os != -1 else 1)
            for os, c, p in zip(self.output_strides, channels, self.proj_channels))

    def apple_state_dict(self):
        """The whole model's weights in Apple's key names (what Apple's files hold)."""
        state = {f'encoder.{k}': v for k, v in to_apple_layout(
            {f'backbone.{k}': v for k, v in self.encoder.state_dict().items()}).items()}
        state.update({k: v for k, v in self.state_dict().items()
                      if not k.startswith('encoder.')})
        return state

    def anchors(self, h, w, os):
        small, big = self.sizes[os]
        boxes = []
        for y, x in product(range(h), range(w)):
            cx, cy = (x + 0.5) * (1.0 / w), (y + 0.5) * (1.0 / h)
            boxes += [[cx, cy, small, small], [cx, cy, big, big]]
            for ratio in self.ars[os]:
                ratio = sqrt(ratio)
                boxes += [[cx, cy, small * ratio, small / ratio],
                          [cx, cy, small / ratio, small * ratio]]
        return torch.clamp(torch.tensor(boxes, dtype=torch.float), 0.0, 1.0)

    def ssd_forward(self, x):
        l4, l5 = self.encoder(x)
        locations, confidences, anchors = [], [], []
        feat = l5
        for os, head in zip(self.output_strides, self.ssd_heads):
            if os == 16:
                y = l4
            elif os == 32:
                y = l5
            else:
                feat = self.extra_layers[f'os_{os}'](feat)
                y = feat
            loc, conf = head(y)
            locations.append(loc)
            confidences.append(conf)
            anchors.append(self.anchors(y.shape[2], y.shape[3], os))
        return torch.cat(confidences, 1), torch.cat(locations, 1), torch.cat(anchors)

    @torch.no_grad()
    def decode(self, x):
        """Class probabilities ``[N, C]`` and corner-form boxes ``[N, 4]`` (fractions)."""
        confidences, locations, anchors = self.ssd_forward(x)
        scores = torch.softmax(confidences, -1)[0]
        size = torch.exp(locations[0, :, 2:] * 0.2) * anchors[:, 2:]
        centre = locations[0, :, :2] * 0.1 * anchors[:, 2:] + anchors[:, :2]
        return scores, torch.cat([centre - size * 0.5, centre + size * 0.5], -1)

    @torch.no_grad()
    def postprocess(self, scores, boxes, orig_h, orig_w):
        """Boxes (in pixels of an ``orig_h x orig_w`` image), scores, labels 1..C."""
        out_boxes, out_scores, out_labels = [], [], []
        for c in range(1, self.n_classes):
            probs = scores[:, c]
            mask = probs > self.conf_threshold
            probs = probs[mask]
            if probs.size(0) == 0:
                continue
            masked = boxes[mask]
            if self.release == 'v0.1':
                keep = torch_nms(masked, probs, 0.5)[:200]
                masked, probs = masked[keep], probs[keep]
            else:
                probs, idxs = probs.topk(min(400, probs.size(0)))
                masked = masked[idxs]
            out_boxes.append(masked)
            out_scores.append(probs)
            out_labels.append(torch.full_like(probs, c, dtype=torch.int64))
        boxes, scores, labels = (torch.cat(out_boxes), torch.cat(out_scores),
                                 torch.cat(out_labels))
        if self.release != 'v0.1':
            keep = batched_nms(boxes, scores, labels, 0.5)[:200]
            boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
        boxes = boxes.clone()
        boxes[:, 0::2] = (boxes[:, 0::2] * orig_w).clamp(0, orig_w)
        boxes[:, 1::2] = (boxes[:, 1::2] * orig_h).clamp(0, orig_h)
        return boxes, scores, labels
