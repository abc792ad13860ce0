"""Quantize a classifier, SSDLite detector or segmentor config to int8 for onnxruntime.

    python tools/deployment/quantize.py CONFIG CHECKPOINT [--out model.int8.onnx]
        [--shape H W] [--calib-images 32] [--check-images 64] [--opset 18]

The network (what ``model(x, mode='tensor')`` returns; pre- and post-processing stay
the task's) is exported in deploy form, then quantized statically by onnxruntime's
``quantize_static``: QDQ format (convolutions, weight layers, SiLU and residual adds;
``QUANTIZED_OPS``), int8 weights per output channel, uint8 activations with ranges at
the 0.001-99.999th percentiles over ``--calib-images`` images of the config's
validation set (through its test pipeline and data preprocessor; resized to
``--shape``). Both
graphs are cached (``$MMMOBILEVIT_HOME/onnx``) as ``tools/test.py --backend
onnxruntime-int8`` uses them, so a later test run reuses them.

Printed: the fp32 and int8 graphs, and how the int8 outputs agree with fp32 on
``--check-images`` validation images: the largest output difference relative to the
output's scale and, for classification, the top-1 agreement; for segmentation, the
share of pixels whose argmax agrees. The task metric's change (accuracy, bbox mAP,
mIoU) is ``tools/test.py CONFIG CHECKPOINT --backend onnxruntime-int8`` against
``--backend onnxruntime``.
"""
import argparse
import os
import os.path as osp
import shutil
import sys

import numpy as np
import torch
from mmengine.config import DictAction

import mmmobilevit  # noqa: F401
from mmmobilevit.apis import init_model
from mmmobilevit.compat import apply_patches
from mmmobilevit.deployment import (OnnxRuntimeNetwork, calibration_inputs, default_input_size,
                                    task_of)
from mmmobilevit.utils import close_process_group, read_config
from mmmobilevit.utils.cli import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="path, URL, or 'none'")
    parser.add_argument('--out', help='also copy the int8 graph here')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help="input size (default: what the config's test pipeline gives "
                        'the model: its last crop or resize)')
    parser.add_argument('--calib-images', type=int, default=32)
    parser.add_argument('--check-images', type=int, default=64)
    parser.add_argument('--opset', type=int, default=18)
    parser.add_argument('--threads', type=int)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def agreement(task, fp32, int8):
    """(max relative difference, top-1 / pixel argmax agreement or None)."""
    diff = max(float((a - b).abs().max() / max(1., float(a.abs().max())))
               for a, b in zip(fp32, int8))
    if task == 'detection':
        return diff, None
    return diff, float((fp32[0].argmax(1) == int8[0].argmax(1)).float().mean())


def main(argv=None):
    args = parse_args(argv)
    apply_patches()
    if not osp.isfile(args.config):
        raise SystemExit(f'config not found: {args.config}')
    for name in ('calib_images', 'check_images'):
        if getattr(args, name) < 1:
            raise SystemExit(f'--{name.replace("_", "-")} must be at least 1')
    cfg = read_config(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    task = task_of(cfg)
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    try:
        model = init_model(cfg, checkpoint).eval()
        size = tuple(args.shape) if args.shape else default_input_size(cfg, task)
        print(f'calibration: {args.calib_images} image(s) of the validation set ...',
              flush=True)
        calib = calibration_inputs(model, args.calib_images)
        common = dict(threads=args.threads, opset=args.opset)
        fp32 = OnnxRuntimeNetwork(model, 'fp32', **common)
        int8 = OnnxRuntimeNetwork(model, 'int8', calibration=calib, **common)
        print(f'fp32 graph: {fp32.graph_path(size)}')
        path = int8.graph_path(size)
        print(f'int8 graph: {path}')
        if args.out:
            os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
            shutil.copyfile(path, args.out)
            print(f'copied to {args.out}')
        check = calibration_inputs(model, args.check_images)
        diffs, agree = [], []
        for x in check:
            x = torch.nn.functional.interpolate(x, size=size, mode='bilinear') \
                if tuple(x.shape[-2:]) != size else x
            d, a = agreement(task, fp32(x), int8(x))
            diffs.append(d)
            if a is not None:
                agree.append(a)
        line = (f'int8 vs fp32 on {len(check)} validation image(s) at {size[0]}x{size[1]}: '
                f'max relative output difference {max(diffs):.3f} '
                f'(median {np.median(diffs):.3f})')
        if agree:
            what = 'top-1' if task == 'classification' else 'pixel argmax'
            line += f'; {what} agreement {100 * np.mean(agree):.2f}%'
        print(line)
    finally:
        close_process_group()


if __name__ == '__main__':
    sys.exit(run_cli(main))
