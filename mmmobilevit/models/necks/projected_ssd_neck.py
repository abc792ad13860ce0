"""mmdet's SSDNeck with ml-cvnets' per-level 1x1 projections (SSDLite-MobileViT)."""
from typing import Sequence, Tuple

import torch
from mmcv.cnn import ConvModule
from mmdet.models.necks import SSDNeck
from mmengine.registry import MODELS
from torch import nn


@MODELS.register_module()
class ProjectedSSDNeck(SSDNeck):
    """:class:`mmdet.models.necks.SSDNeck` followed by a 1x1 projection per level.

    ml-cvnets' SSDLite projects every feature level whose width differs from the
    head's (``proj_channels``) with a 1x1 conv + BN + ReLU before its prediction
    layers, while the extra levels are computed from the unprojected features. mmdet's
    ``SSDNeck`` requires the backbone levels to keep their widths, so this subclass
    adds only the projections after the stock neck; the extra layers and the head stay
    mmdet's.

    Args:
        in_channels (Sequence[int]): Backbone output channels (e.g. OS16, OS32).
        out_channels (Sequence[int]): Channels of every level before projection:
            ``in_channels`` followed by the extra levels' widths.
        proj_channels (Sequence[int]): Channels of every level after projection, which
            the head takes; levels whose width already matches are passed through.
        norm_cfg (dict): Norm of the extra layers and the projections.
        act_cfg (dict): Activation of the extra layers and the projections.
        **kwargs: The other :class:`SSDNeck` arguments (``level_strides``,
            ``level_paddings``, ``l2_norm_scale``, ``use_depthwise``...).
    """

    def __init__(self, in_channels: Sequence[int], out_channels: Sequence[int],
                 proj_channels: Sequence[int], norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'), **kwargs) -> None:
        super().__init__(in_channels, out_channels, norm_cfg=norm_cfg, act_cfg=act_cfg,
                         **kwargs)
        if len(proj_channels) != len(out_channels):
            raise ValueError(f'proj_channels needs one width per level '
                             f'({len(out_channels)}), got {len(proj_channels)}')
        self.projections = nn.ModuleList(
            ConvModule(c, p, 1, norm_cfg=norm_cfg, act_cfg=act_cfg) if c != p
            else nn.Identity() for c, p in zip(out_channels, proj_channels))

    def forward(self, inputs: Tuple[torch.Tensor, ...]) -> Tuple[torch.Tensor, ...]:
        outs = super().forward(inputs)
        return tuple(proj(x) for proj, x in zip(self.projections, outs))
