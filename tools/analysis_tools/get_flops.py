"""Print the parameters and FLOPs (multiply-adds) of any config's model.

    python tools/analysis_tools/get_flops.py CONFIG [--shape 256 256] [--cfg-options ...]

Works for mmpretrain, mmdet and mmseg configs: the model runs ``mode='tensor'`` on a
random input of the given size. mmengine's analysis counts one multiply-add as one
FLOP; mmmobilevit registers the missing ``scaled_dot_product_attention`` handler.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402
from mmengine.analysis import get_model_complexity_info  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402
from mmengine.registry import MODELS  # noqa: E402
from torch import nn  # noqa: E402

import mmmobilevit  # noqa: E402,F401


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
    """(params, flops) of the config's model for an input of ``shape`` (H, W)."""
    model = build_model(cfg).eval()
    with torch.no_grad():
        info = get_model_complexity_info(
            TensorMode(model), inputs=(torch.rand(1, 3, *shape), ),
            show_table=False, show_arch=False)
    return info['params'], info['flops']


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--shape', type=int, nargs='+', default=[256, 256])
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    shape = args.shape * 2 if len(args.shape) == 1 else args.shape
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    params, flops = complexity(cfg, shape)
    print(f'config: {args.config}\ninput:  1x3x{shape[0]}x{shape[1]}\n'
          f'params: {params / 1e6:.3f} M ({params:,})\n'
          f'flops:  {flops / 1e9:.3f} G (multiply-adds)')


if __name__ == '__main__':
    main()
