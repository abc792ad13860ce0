"""ml-cvnets' DeepLabv3 and PSPNet written from Apple's code with Apple's key names: the
reference our segmenters are compared with.

Sources: apple/ml-cvnets@d38a116 and @84d992f ``cvnets/models/segmentation/enc_dec.py``
(``SegEncoderDecoder``: ``encoder`` without ``classifier`` / ``conv_1x1_exp``,
``seg_head``), ``heads/base_seg_head.py`` (auxiliary head on layer 4; from 84d992f the
output upsampled by the output stride or to ``orig_size``, ``align_corners=True``),
``heads/deeplabv3.py`` (d38a116: ``classifier`` = ``Sequential(classifier_dropout,
classifier, up_16)``, ``align_corners=False``; 84d992f: a bare ``ConvLayer``),
``heads/pspnet.py``, ``cvnets/modules/aspp_block.py`` (``convs`` = ``[in_proj, 3 x
ASPPConv, ASPPPooling]``, ``project``; d38a116 ``Dropout``, 84d992f ``Dropout2d``),
``cvnets/modules/pspnet_module.py`` (branch width ``(C // 4) // 16 * 16``, fusion 3x3,
``align_corners=True``), ``cvnets/models/segmentation/__init__.py`` (the head's
activation: ``model.segmentation.activation.name``, ReLU in every release yaml) and
``engine/eval_segmentation.py`` (``predict_and_save``). The encoder is our MobileViT
backbone at the release's output stride (its exactness is tested elsewhere); its
weights are exported in Apple's names by
:func:`helpers.apple_layout.to_apple_layout`.
"""
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from helpers.apple_layout import to_apple_layout
from mmmobilevit.models import MobileViTBackbone


class ConvLayer(nn.Module):
    """``cvnets/layers/conv_layer.py``: ``block.conv`` (padding ``(k - 1) // 2 *
    dilation``), ``block.norm``, ``block.act`` (ReLU in the segmentation heads)."""

    def __init__(self, cin, cout, k, dilation=1, bias=False, use_norm=True, use_act=True):
        super().__init__()
        self.block = nn.Sequential()
        self.block.add_module('conv', nn.Conv2d(cin, cout, k, 1, (k - 1) // 2 * dilation,
                                                dilation=dilation, bias=bias))
        if use_norm:
            self.block.add_module('norm', nn.BatchNorm2d(cout))
        if use_act:
            self.block.add_module('act', nn.ReLU())

    def forward(self, x):
        return self.block(x)


class ASPPPooling(nn.Module):

    def __init__(self, cin, cout):
        super().__init__()
        self.aspp_pool = nn.Sequential(OrderedDict(
            global_pool=nn.AdaptiveAvgPool2d(1), conv_1x1=ConvLayer(cin, cout, 1)))

    def forward(self, x):
        return F.interpolate(self.aspp_pool(x), size=x.shape[-2:], mode='bilinear',
                             align_corners=False)


class ASPP(nn.Module):

    def __init__(self, cin, cout, rates, dropout):
        super().__init__()
        self.convs = nn.ModuleList([ConvLayer(cin, cout, 1)] + [
            ConvLayer(cin, cout, 3, dilation=r) for r in rates] + [ASPPPooling(cin, cout)])
        self.project = ConvLayer(5 * cout, cout, 1)
        self.dropout = dropout

    def forward(self, x):
        return self.dropout(self.project(torch.cat([c(x) for c in self.convs], dim=1)))


class PSP(nn.Module):

    def __init__(self, cin, cout, pool_sizes=(1, 2, 3, 6), dropout=0.1):
        super().__init__()
        width = (cin // len(pool_sizes)) // 16 * 16
        self.psp_branches = nn.ModuleList(
            nn.Sequential(nn.AdaptiveAvgPool2d(s), ConvLayer(cin, width, 1))
            for s in pool_sizes)
        self.fusion = nn.Sequential(ConvLayer(cin + width * len(pool_sizes), cout, 3),
                                    nn.Dropout2d(dropout))

    def forward(self, x):
        outs = [x] + [F.interpolate(b(x), size=x.shape[-2:], mode='bilinear',
                                    align_corners=True) for b in self.psp_branches]
        return self.fusion(torch.cat(outs, dim=1))


class AppleSegmentation(nn.Module):
    """ml-cvnets' ``SegEncoderDecoder`` on a MobileViT encoder.

    Args:
        arch (str): The encoder's arch.
        head (str): ``'deeplabv3'`` or ``'pspnet'`` (v0.2 only).
        release (str): ``'v0.1'`` (d38a116 heads and evaluation) or ``'v0.2'``
            (84d992f).
        n_classes (int): VOC 21, ADE20K 150.
        output_stride (int): 16 or 8.
        channels (int): ASPP / PSP output width (v0.1 256, v0.2 512).
        rates (tuple): ASPP atrous rates.
        aux (bool): The auxiliary head (v0.2 yamls: ``use_aux_head``).
    """

    def __init__(self, arch, head='deeplabv3', release='v0.1', n_classes=21,
                 output_stride=16, channels=256, rates=(6, 12, 18), aux=False):
        super().__init__()
        assert release in ('v0.1', 'v0.2') and head in ('deeplabv3', 'pspnet')
        self.release, self.output_stride = release, output_stride
        self.encoder = MobileViTBackbone(arch, out_indices=(3, 4), out_stride=output_stride,
                                         init_cfg=None)
        l4, l5 = self.encoder.out_channels[3], self.encoder.out_channels[4]
        self.seg_head = nn.Module()
        if head == 'deeplabv3':
            dropout = nn.Dropout(0.1) if release == 'v0.1' else nn.Dropout2d(0.1)
            self.seg_head.aspp = nn.Sequential(OrderedDict(
                aspp_layer=ASPP(l5, channels, rates, dropout)))
        else:
            self.seg_head.psp_layer = PSP(l5, channels)
        classifier = ConvLayer(channels, n_classes, 1, bias=True, use_norm=False,
                               use_act=False)
        if release == 'v0.1':
            self.seg_head.classifier = nn.Sequential(OrderedDict(
                classifier_dropout=nn.Dropout2d(0.1), classifier=classifier))
        else:
            self.seg_head.classifier = classifier
        if aux:
            inner = max(l4 // 4, 128)
            self.seg_head.aux_head = nn.Sequential(
                ConvLayer(l4, inner, 3), nn.Dropout2d(0.1),
                ConvLayer(inner, n_classes, 1, bias=True, use_norm=False, use_act=False))
        self.head = head

    def apple_state_dict(self):
        """The whole model's weights in Apple's key names (what Apple's files hold)."""
        state = {f'encoder.{k}': v for k, v in to_apple_layout(
            {f'backbone.{k}': v for k, v in self.encoder.state_dict().items()}).items()}
        state.update({k: v for k, v in self.state_dict().items()
                      if not k.startswith('encoder.')})
        return state

    def forward(self, x, orig_size=None):
        """The head's output as Apple's model returns it: upsampled by the output stride
        (``align_corners`` False in v0.1, True from v0.2), or in v0.2 to ``orig_size``;
        with the auxiliary output in training."""
        l4, l5 = self.encoder(x)
        feats = self.seg_head.aspp(l5) if self.head == 'deeplabv3' else \
            self.seg_head.psp_layer(l5)
        out = self.seg_head.classifier(feats)
        if self.release == 'v0.1':
            out = F.interpolate(out, scale_factor=self.output_stride, mode='bilinear',
                                align_corners=False)
        elif orig_size is not None:
            out = F.interpolate(out, size=orig_size, mode='bilinear', align_corners=True)
        else:
            out = F.interpolate(out, scale_factor=self.output_stride, mode='bilinear',
                                align_corners=True)
        if self.training and hasattr(self.seg_head, 'aux_head'):
            return out, self.seg_head.aux_head(l4)
        return out

    @torch.no_grad()
    def evaluate(self, x, orig_h, orig_w):
        """``predict_and_save`` of the release: the ``(1, C, orig_h, orig_w)`` logits of
        a resized image ``x`` (batch 1) whose original size is ``orig_h x orig_w``."""
        h, w = x.shape[-2:]
        nh, nw = h // self.output_stride * self.output_stride, \
            w // self.output_stride * self.output_stride
        if (nh, nw) != (h, w):
            x = F.interpolate(x, size=(nh, nw), mode='bilinear',
                              align_corners=self.release != 'v0.1')
        if self.release == 'v0.1':
            out = self(x)
            if out.shape[-2:] != (orig_h, orig_w):
                out = F.interpolate(out, size=(orig_h, orig_w), mode='nearest')
            return out
        return self(x, orig_size=(orig_h, orig_w))
