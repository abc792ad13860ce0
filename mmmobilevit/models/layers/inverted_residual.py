"""MobileNetV2 inverted residual (MV2) block as MobileViT uses it."""
from typing import Optional

import torch
import torch.utils.checkpoint as cp
from mmcv.cnn import ConvModule
from torch import nn


def make_divisible(value: float, divisor: int = 8, min_value: Optional[int] = None) -> int:
    """Round ``value`` to the nearest multiple of ``divisor`` (not below 90% of it)."""
    min_value = min_value or divisor
    new_value = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if new_value < 0.9 * value:
        new_value += divisor
    return new_value


class InvertedResidual(nn.Module):
    """1x1 expand -> 3x3 depthwise -> 1x1 project, with a residual when shapes allow.

    Parameter names follow mmpretrain (``conv.{0,1,2}.{conv,bn}``), so its MobileViT
    checkpoints load as they are.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the depthwise conv.
        expand_ratio (float): Hidden channels = make_divisible(in * expand_ratio, 8).
        dilation (int): Dilation of the depthwise conv (dense prediction).
        norm_cfg (dict): Norm layer config for all three convs.
        act_cfg (dict): Activation after the expand and depthwise convs.
        with_cp (bool): Use activation checkpointing in training.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1,
                 expand_ratio: float = 4, dilation: int = 1,
                 norm_cfg: dict = dict(type='BN'), act_cfg: dict = dict(type='SiLU'),
                 with_cp: bool = False) -> None:
        super().__init__()
        hidden = make_divisible(int(round(in_channels * expand_ratio)), 8)
        self.use_res_connect = stride == 1 and in_channels == out_channels
        self.with_cp = with_cp
        layers = []
        if expand_ratio != 1:
            layers.append(ConvModule(in_channels, hidden, 1, norm_cfg=norm_cfg,
                                     act_cfg=act_cfg))
        layers += [
            ConvModule(hidden, hidden, 3, stride=stride, padding=dilation,
                       dilation=dilation, groups=hidden, norm_cfg=norm_cfg,
                       act_cfg=act_cfg),
            ConvModule(hidden, out_channels, 1, norm_cfg=norm_cfg, act_cfg=None),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        def _inner(x):
            out = self.conv(x)
            return x + out if self.use_res_connect else out

        if self.with_cp and x.requires_grad:
            return cp.checkpoint(_inner, x, use_reentrant=False)
        return _inner(x)
