"""Check a config's datasets before training or testing on them.

    python tools/misc/check_dataset.py CONFIG [--splits train val test]
                                       [--skip-image-check] [--cfg-options k=v ...]

Reads every annotation file as mmdet / mmseg / mmpretrain will and reports, per
dataset: the images (and boxes), whether every image file exists (remembered per
annotation file once checked), and what the dataset class will drop, with a count.
Stops with one clear message (file, entry, both class lists) on what would otherwise
fail late or cryptically. ``tools/train.py`` and ``tools/test.py`` run the same check
at every start.
"""
import argparse
import sys

from mmengine.config import DictAction

import mmmobilevit  # noqa: F401  (registers the modules)
from mmmobilevit.utils import check_datasets, read_config
from mmmobilevit.utils.cli import run_cli


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('--splits', nargs='+', default=['train', 'val', 'test'],
                        choices=['train', 'val', 'test'])
    parser.add_argument('--skip-image-check', action='store_true',
                        help='do not check the images')
    parser.add_argument('--no-cache', action='store_true',
                        help='check the images afresh, even those a stamp says passed')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, "key=value" pairs')
    args = parser.parse_args(argv)
    cfg = read_config(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    check_datasets(cfg, args.splits, check_images=not args.skip_image_check, log=print,
                   use_stamp=not args.no_cache)
    print('dataset check passed')
    return 0


if __name__ == '__main__':
    sys.exit(run_cli(main))
