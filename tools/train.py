"""Train any mmpretrain, mmdet or mmseg config (its ``default_scope`` decides which).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
                          [--auto-scale-lr] [--cfg-options k=v ...]
    tools/dist_train.sh CONFIG NUM_PROCESSES [ARGS]    # torchrun, GPUs or CPU (gloo)
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction
from mmengine.runner import Runner

import mmmobilevit  # noqa: F401  (registers the modules)
from mmmobilevit.checkpoint import trust_checkpoint
from mmmobilevit.compat import apply_patches
from mmmobilevit.utils import (add_custom_hook, check_datasets, close_process_group,
                               die_with_parent, first_rank_printer, init_process_group, load_cfg,
                               lock_work_dir, setup_device_cfg, use_atomic_checkpoints)
from mmmobilevit.utils.cli import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint; without a path, from the latest '
        'checkpoint in the work dir')
    parser.add_argument('--amp', action='store_true',
                        help='enable automatic mixed precision training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the actual total batch size')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--skip-image-check', action='store_true',
        help='do not check that every image the annotations name exists (a full check '
        'is remembered per annotation file, so only the first start pays it)')
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='load the --resume / load_from checkpoint (or, with --resume alone, the '
        'work dir\'s checkpoints) even if it holds objects other than weights '
        '(a full unpickling, which can run code): only for files you trust')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, "key=value" pairs (xxx=a,b or [a,b] for lists)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    # torch.distributed.launch passes --local-rank (older: --local_rank)
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def build_cfg(args):
    cfg = load_cfg(args)

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper == 'AmpOptimWrapper':
            print('AMP is already enabled in the config.')
        else:
            assert optim_wrapper == 'OptimWrapper', (
                '--amp works with OptimWrapper only, got ' + optim_wrapper)
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    if args.auto_scale_lr:
        if 'auto_scale_lr' in cfg and 'base_batch_size' in cfg.auto_scale_lr:
            cfg.auto_scale_lr.enable = True
        else:
            raise RuntimeError('--auto-scale-lr needs "auto_scale_lr.base_batch_size" '
                               'in the config')

    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    # RNG states in checkpoints, so that --resume continues exactly; checkpoints in a
    # form that loads with weights_only=True
    add_custom_hook(cfg, 'RNGStateHook')
    add_custom_hook(cfg, 'WeightsOnlyCheckpointHook')
    # a NaN / inf loss term stops the run, naming the iteration and the term
    add_custom_hook(cfg, 'FiniteLossHook')
    # a finite loss that diverges stops it too (factor 100 over its early value)
    add_custom_hook(cfg, 'LossExplosionHook')
    # a load_from / resume checkpoint that does not fit the model stops the run
    add_custom_hook(cfg, 'CheckpointFitHook')
    # checkpoints written whole or not at all (a config's plain CheckpointHook upgraded)
    use_atomic_checkpoints(cfg)
    if args.trust_checkpoint:
        trust_checkpoint(cfg.load_from or cfg.work_dir)
    setup_device_cfg(cfg, args.launcher)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    if int(os.environ.get('TORCHELASTIC_RESTART_COUNT', '0')) > 0 and args.resume is None:
        # torchrun restarted the group after a failure (dist_train.sh MAX_RESTARTS=N):
        # continue from the last checkpoint of the work dir, as --resume would
        args.resume = 'auto'
        print(f'restart {os.environ["TORCHELASTIC_RESTART_COUNT"]} of the process group: '
              'resuming from the last checkpoint', flush=True)
    if args.launcher != 'none':
        die_with_parent()  # a rank ends with its launcher (kill -9 of dist_train.sh)
    apply_patches()
    cfg = build_cfg(args)
    # annotations read as the dataset classes will, images checked (once per stamp)
    check_datasets(cfg, splits=('train', 'val'), check_images=not args.skip_image_check,
                   log=first_rank_printer('dataset check: '))
    if args.resume not in (None, 'auto') and not osp.isfile(args.resume) \
            and '://' not in args.resume:
        raise FileNotFoundError(f'--resume: checkpoint "{args.resume}" does not exist')
    lock = lock_work_dir(cfg.work_dir)  # noqa: F841  (held until the run ends)
    init_process_group(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    runner.train()
    close_process_group()


if __name__ == '__main__':
    sys.exit(run_cli(main))
