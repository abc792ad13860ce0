"""Small MobileViT networks for the export tests: one transformer layer per stage, so
that a lowering or a conversion of all three families takes seconds."""
import dataclasses

import torch
from torch import nn

from mmmobilevit.models import MobileViTBackbone
from mmmobilevit.models.backbones.mobilevit_archs import ARCH_SETTINGS


def small_arch(name: str) -> dict:
    """``name``'s arch with one transformer layer per stage and one inverted residual
    block in each of the first two stages."""
    return dataclasses.replace(ARCH_SETTINGS[name], attn_depths=(1, 1, 1),
                               mv2_blocks=(1, 1)).to_dict()


class ThreeFamilies(nn.Module):
    """MobileViT v1 (unless ``with_v1`` is False), v2 and v3 backbones (one transformer
    layer per stage) with a PSP-style pooling of 3 bins and a global pool: every layer
    form at once. BatchNorm statistics are drawn at random (``seed``), so that folded
    convs are not identities."""

    def __init__(self, seed: int = 0, with_v1: bool = True) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.v1 = (MobileViTBackbone(small_arch('mobilevit-xxs'), init_cfg=None)
                   if with_v1 else None)
        self.v2 = MobileViTBackbone(small_arch('mobilevitv2-0.5'), init_cfg=None)
        self.v3 = MobileViTBackbone(small_arch('mobilevitv3-0.5'), out_indices=(3, 4),
                                    init_cfg=None)
        self.bins = nn.AdaptiveAvgPool2d(3)
        self.pool = nn.AdaptiveAvgPool2d(1)
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)

    def forward(self, x: torch.Tensor):
        stage4, stage5 = self.v3(x)
        outputs = (self.pool(self.v2(x)[-1] + stage5).flatten(1), self.bins(stage4))
        if self.v1 is None:
            return outputs
        return (self.pool(self.v1(x)[-1]).flatten(1), ) + outputs
