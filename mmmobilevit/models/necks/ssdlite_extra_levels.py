"""The levels SSDLite adds after the backbone, as ml-cvnets builds them."""
from typing import Sequence, Tuple

import torch
from mmcv.cnn import ConvModule, DepthwiseSeparableConvModule
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch import nn


@MODELS.register_module()
class SSDLiteExtraLevels(BaseModule):
    """The backbone's two levels followed by ml-cvnets' SSDLite extra levels.

    From the last backbone level (OS32) ml-cvnets' ``SingleShotDetector``
    (``cvnets/models/detection/ssd.py``, ``extra_layers`` @ d38a116 and 84d992f) chains
    stride-2 separable convs (3x3 depthwise + BN without activation, then 1x1 + BN +
    ReLU; ``SeparableConv(use_norm=True, use_act=True)``), then a global level: average
    pooling to 1x1 and a 1x1 conv without norm or bias, then ReLU. The backbone levels
    pass through unchanged (the head projects them).

    Args:
        in_channels (Sequence[int]): Widths of the backbone levels (OS16, OS32).
        extra_channels (Sequence[int]): Widths of the extra levels; the last one is the
            global level. ml-cvnets: ``proj_channels[2:]`` = (256, 128, 128, 64).
        norm_cfg (dict): Norm of the separable convs.
        act_cfg (dict): Activation after the pointwise convs and the global conv.
        init_cfg (dict, optional): ml-cvnets initialises these convs Xavier-uniform.
    """

    def __init__(self, in_channels: Sequence[int] = (128, 160),
                 extra_channels: Sequence[int] = (256, 128, 128, 64),
                 norm_cfg: dict = dict(type='BN'), act_cfg: dict = dict(type='ReLU'),
                 init_cfg: dict = dict(type='Xavier', distribution='uniform',
                                       layer='Conv2d')) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(extra_channels) < 1:
            raise ValueError('extra_channels needs at least the global level')
        self.in_channels = tuple(in_channels)
        self.extra_channels = tuple(extra_channels)
        self.extra_layers = nn.ModuleList()
        width = in_channels[-1]
        for out in extra_channels[:-1]:
            self.extra_layers.append(DepthwiseSeparableConvModule(
                width, out, 3, stride=2, padding=1, norm_cfg=norm_cfg, act_cfg=act_cfg,
                dw_act_cfg=None))
            width = out
        # the global level: average pooling to 1x1 (a module: export forms replace it,
        # e.g. ExecuTorch's XNNPACK form, a mean), then a 1x1 conv
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.global_level = ConvModule(width, extra_channels[-1], 1, bias=False,
                                       norm_cfg=None, act_cfg=act_cfg)

    @property
    def out_channels(self) -> Tuple[int, ...]:
        return self.in_channels + self.extra_channels

    def forward(self, inputs: Tuple[torch.Tensor, ...]) -> Tuple[torch.Tensor, ...]:
        outs = list(inputs)
        x = outs[-1]
        for layer in self.extra_layers:
            x = layer(x)
            outs.append(x)
        outs.append(self.global_level(self.global_pool(x)))
        return tuple(outs)
