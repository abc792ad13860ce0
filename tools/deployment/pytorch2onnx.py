"""Export a classifier, SSDLite detector or DeepLabv3 segmentor config to ONNX.

    python tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT [--out model.onnx]
        [--shape H W] [--opset 18] [--no-deploy] [--no-verify] [--atol 1e-4]

The graph takes a preprocessed ``[N, 3, H, W]`` float input (normalised as the config's
data_preprocessor does) with a dynamic batch; its outputs per task (logits, the raw
SSDLite head outputs with the decoding and NMS to apply, full-size segmentation logits)
are described in :mod:`mmmobilevit.deployment.onnx_export`. By default the backbone is
switched to its deploy form first (BatchNorms and norm affines folded) and the exported
graph is checked: opset >= 13, no Col2Im, dynamic batch, and onnxruntime within
``--atol`` of the eager PyTorch model at batch 1 and 2. CHECKPOINT may be a path, a URL,
or ``none`` for the config's own initialisation.
"""
import argparse
import copy
import os
import os.path as osp
import sys

import torch
from mmengine.config import DictAction

import mmmobilevit  # noqa: F401
from mmmobilevit.apis import init_model
from mmmobilevit.compat import apply_patches
from mmmobilevit.deployment import (CheckFailed, TensorOutputs, check_graph,
                                    compare_with_onnxruntime, default_input_size, export_onnx,
                                    task_of)
from mmmobilevit.models.utils import switch_to_deploy
from mmmobilevit.utils import close_process_group, read_config
from mmmobilevit.utils.cli import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="path, URL, or 'none'")
    parser.add_argument('--out', help='the .onnx file (default: <config name>.onnx)')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help="input size (default: what the config's test pipeline gives "
                        'the model: its last crop or resize)')
    parser.add_argument('--opset', type=int, default=18)
    parser.add_argument('--no-deploy', action='store_true',
                        help='export the eager model (no BN / norm folding)')
    parser.add_argument('--no-verify', action='store_true',
                        help='skip the onnxruntime parity check')
    parser.add_argument('--atol', type=float, default=1e-4)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    apply_patches()
    if not osp.isfile(args.config):
        raise SystemExit(f'config not found: {args.config}')
    cfg = read_config(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    task = task_of(cfg)
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    model = init_model(cfg, checkpoint).eval()
    eager = TensorOutputs(model, task).eval()
    exported = copy.deepcopy(eager)
    deployed = not args.no_deploy and switch_to_deploy(exported.model) > 0
    shape = tuple(args.shape) if args.shape else default_input_size(cfg, task)
    out = args.out or osp.splitext(osp.basename(args.config))[0] + '.onnx'
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    example = torch.randn(2, 3, *shape)
    names, seconds = export_onnx(exported, example, out, opset=args.opset)
    print(f'exported {task} model {args.config} ({"deploy" if deployed else "eager"} '
          f'backbone) to {out} in {seconds:.1f} s; input [N, 3, {shape[0]}, {shape[1]}], '
          f'outputs {names}')
    try:
        opset, ops = check_graph(out)
        print(f'graph: opset {opset}, dynamic batch, {len(ops)} op types: {", ".join(ops)}')
        if not args.no_verify:
            diff = compare_with_onnxruntime(eager, out, shape=shape, atol=args.atol)
            print(f'onnxruntime vs PyTorch (batch 1 and 2): max relative difference '
                  f'{diff:.2e} <= {args.atol:g}')
    except CheckFailed as err:
        raise SystemExit(f'check failed: {err}')
    finally:
        close_process_group()


if __name__ == '__main__':
    sys.exit(run_cli(main))
