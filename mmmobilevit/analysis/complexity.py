"""Parameters and FLOPs of any mmpretrain / mmdet / mmseg config's model."""
from typing import Any, Sequence, Tuple

import torch
from mmengine.analysis import parameter_count
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from torch import nn

from .flops import count_flops


class TensorMode(nn.Module):
    """Runs a data-preprocessed OpenMMLab model on a plain tensor."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> Any:
        return self.model(x, mode='tensor')


def build_model(cfg: Config) -> nn.Module:
    """Build (without initialising or downloading weights) the config's model."""
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmengine')):
        return MODELS.build(cfg.model)


def complexity(cfg: Config, shape: Sequence[int]) -> Tuple[int, int]:
    """(params, flops) of the config's model for an input of ``shape`` (H, W).

    FLOPs are mmengine's count, one multiply-add = one FLOP (as the papers count), with
    fused attention included (:func:`count_flops`).
    """
    model = build_model(cfg).eval()
    with torch.no_grad():
        flops = count_flops(TensorMode(model), (torch.rand(1, 3, *shape), ))
    return parameter_count(model)[''], flops
