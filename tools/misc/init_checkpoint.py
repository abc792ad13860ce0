"""Save the freshly initialised weights of any config's model as a checkpoint.

    python tools/misc/init_checkpoint.py CONFIG OUT.pth [--seed 0]

Gives the "untrained" baseline that ``tools/test.py`` can evaluate. Pretrained
backbone weights named in the config are loaded as in training (pass
``--cfg-options model.backbone.init_cfg=None`` to skip them).
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction
from mmengine.registry import MODELS, DefaultScope
from mmengine.runner import save_checkpoint, set_random_seed

import mmmobilevit  # noqa: F401  (registers the modules)
from mmmobilevit.compat import apply_patches
from mmmobilevit.utils import read_config
from mmmobilevit.utils.cli import run_cli


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('out')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    apply_patches()
    cfg = read_config(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    set_random_seed(args.seed)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmengine')):
        model = MODELS.build(cfg.model)
    model.init_weights()
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    save_checkpoint(dict(state_dict=model.state_dict(), meta=dict(seed=args.seed)),
                    args.out)
    print(f'initial weights of {args.config} saved to {args.out}')


if __name__ == '__main__':
    sys.exit(run_cli(main))
