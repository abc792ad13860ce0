"""Print the parameters and FLOPs (multiply-adds) of any config's model.

    python tools/analysis_tools/get_flops.py CONFIG [--shape 256 256] [--cfg-options ...]

Works for mmpretrain, mmdet and mmseg configs: the model runs ``mode='tensor'`` on a
random input of the given size. mmengine's analysis counts one multiply-add as one
FLOP; :func:`mmmobilevit.analysis.count_flops` adds the ``scaled_dot_product_attention``
handler mmengine lacks (to its own analyzer).
"""
import argparse

from mmengine.config import DictAction

import mmmobilevit  # noqa: F401
from mmmobilevit.analysis import complexity
from mmmobilevit.utils import read_config


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--shape', type=int, nargs='+', default=[256, 256])
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    shape = args.shape * 2 if len(args.shape) == 1 else args.shape
    cfg = read_config(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    params, flops = complexity(cfg, shape)
    print(f'config: {args.config}\ninput:  1x3x{shape[0]}x{shape[1]}\n'
          f'params: {params / 1e6:.3f} M ({params:,})\n'
          f'flops:  {flops / 1e9:.3f} G (multiply-adds)')


if __name__ == '__main__':
    main()
