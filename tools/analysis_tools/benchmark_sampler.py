"""Standard vs multi-scale sampler: optimizer updates and time for one epoch.

    python tools/analysis_tools/benchmark_sampler.py [CONFIG] [--epochs 1] [--out FILE]

Trains the same model on the same data, once with fixed-size batches (mmengine's
default sampler at the base resolution and batch size) and once with
``MultiScaleBatchSampler``, each through mmengine's Runner, and prints the optimizer
updates per epoch, the epoch time and their ratios. The default CONFIG is the toy
multi-scale classifier on the bundled toy data (CPU-sized); the paper reports, for
ImageNet over 300 epochs, 375k vs 232k updates (0.62) and 380 s vs 270 s per epoch
(0.71). The ImageNet plan's update counts are printed too (arithmetic, not measured).
``--out`` also writes the report (markdown) to FILE (the docs include
``docs/_generated/benchmark_sampler.md``, written so).
"""
import argparse
import copy
import os
import os.path as osp
import sys
import tempfile
import time

from mmengine.hooks import Hook
from mmengine.runner import Runner

import mmmobilevit  # noqa: F401
from mmmobilevit.analysis.report import write_report
from mmmobilevit.datasets import MultiScaleBatchSampler
from mmmobilevit.utils import read_config


class _EpochTimer(Hook):
    priority = 'VERY_LOW'

    def before_train_epoch(self, runner):
        self.start = time.perf_counter()

    def after_train_epoch(self, runner):
        self.seconds = time.perf_counter() - self.start
        self.updates = len(runner.train_dataloader)


def run(cfg, work_dir, epochs):
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    cfg.train_cfg.max_epochs = epochs
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10**6)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10**6)
    timer = _EpochTimer()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(timer)
    runner.train()
    return timer.updates, timer.seconds


def imagenet_plan(per_gpu=128, gpus=8, images=1281167):
    per_rank = -(-images // gpus)
    standard = per_rank // per_gpu
    sampler = MultiScaleBatchSampler(range(per_rank), per_gpu,
                                     resolutions=[160, 192, 256, 288, 320],
                                     base_resolution=256, rule='mlcvnets-v0.1')
    return standard, len(sampler), sampler.samples_per_epoch, per_rank


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', nargs='?',
                        default='configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py')
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument('--out', help='also write the report to this file')
    args = parser.parse_args(argv)
    cfg = read_config(args.config)
    if cfg.train_dataloader.get('batch_sampler', {}).get('type') != 'MultiScaleBatchSampler':
        raise ValueError(f'{args.config} does not train with MultiScaleBatchSampler')
    base = cfg.train_dataloader.batch_sampler.get('base_resolution', 256)
    standard = copy.deepcopy(cfg)
    standard.train_dataloader.batch_sampler = None  # fixed batches at the base size
    with tempfile.TemporaryDirectory() as tmp:
        s_updates, s_time = run(standard, osp.join(tmp, 'standard'), args.epochs)
        m_updates, m_time = run(cfg, osp.join(tmp, 'multiscale'), args.epochs)
    std, ms, used, per_rank = imagenet_plan()
    report = '\n'.join([
        f'config: `{args.config}` ({os.cpu_count()} CPU cores; the last of {args.epochs} '
        'epoch(s) timed)', '',
        '| sampler | updates / epoch | epoch time (s) |',
        '| --- | ---: | ---: |',
        f'| standard ({base}x{base}, fixed batch) | {s_updates} | {s_time:.1f} |',
        f'| multi-scale | {m_updates} | {m_time:.1f} |',
        f'| multi-scale / standard | {m_updates / s_updates:.2f} | {m_time / s_time:.2f} |', '',
        f'ImageNet plan (8 GPUs x 128, arithmetic): standard {std}, multi-scale {ms} '
        f'updates per epoch, ratio {ms / std:.2f} (paper: 232k / 375k = 0.62 over 300 '
        f'epochs); the multi-scale plan uses {used:,} of {per_rank:,} images per rank.'])
    print('\n' + report)
    write_report(args.out, report)
    return 0


if __name__ == '__main__':
    sys.exit(main())
