"""Parameters and FLOPs of any mmpretrain / mmdet / mmseg config's model."""
import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.registry import MODELS, DefaultScope
from torch import nn


class TensorMode(nn.Module):
    """Runs a data-preprocessed OpenMMLab model on a plain tensor."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x, mode='tensor')


def build_model(cfg):
    """Build (without initialising or downloading weights) the config's model."""
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmengine')):
        return MODELS.build(cfg.model)


def complexity(cfg, shape):
    """(params, flops) of the config's model for an input of ``shape`` (H, W).

    FLOPs are mmengine's count, one multiply-add = one FLOP (as the papers count).
    """
    model = build_model(cfg).eval()
    with torch.no_grad():
        info = get_model_complexity_info(
            TensorMode(model), inputs=(torch.rand(1, 3, *shape), ),
            show_table=False, show_arch=False)
    return info['params'], info['flops']
