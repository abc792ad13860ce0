"""Export a classifier, SSDLite detector or DeepLabv3 / PSPNet segmenter config for a
runtime.

    python tools/deployment/export.py CONFIG CHECKPOINT [--target {onnx,openvino}]
        [--out PATH] [--shape H W] [--opset 18] [--no-deploy] [--no-verify] [--atol 1e-4]

Targets: ``onnx`` (default; a self-contained ``.onnx`` file, checked with onnxruntime)
and ``openvino`` (OpenVINO IR: ``.xml`` + ``.bin`` with fp32 weights, converted from the
ONNX graph, which stays beside it; checked with OpenVINO in float32). ExecuTorch, Core ML
and LiteRT are not built yet.

The graph takes a preprocessed ``[N, 3, H, W]`` float input (normalised as the config's
data_preprocessor does) with a dynamic batch; its outputs per task (logits, the raw
SSDLite head outputs with the decoding and NMS to apply, full-size segmentation logits)
are described in :mod:`mmmobilevit.deployment.onnx_export`. By default the backbone is
switched to its deploy form first (BatchNorms and norm affines folded) and the exported
graph is checked: opset >= 13, no Col2Im, dynamic batch, and the target's runtime within
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
from mmmobilevit.deployment import (CheckFailed, TensorOutputs, check_graph, compare_outputs,
                                    default_input_size, export_onnx, ort_session, task_of)
from mmmobilevit.models.utils import switch_to_deploy
from mmmobilevit.utils import close_process_group, read_config
from mmmobilevit.utils.cli import run_cli

#: what each target writes (the file named by ``--out``)
TARGETS = {'onnx': '.onnx', 'openvino': '.xml'}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="path, URL, or 'none'")
    parser.add_argument('--target', choices=TARGETS, default='onnx',
                        help='onnx (.onnx) or openvino (OpenVINO IR, .xml + .bin)')
    parser.add_argument('--out', help='the .onnx / .xml file (default: <config name> '
                        'with the suffix of the target)')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help="input size (default: what the config's test pipeline gives "
                        'the model: its last crop or resize)')
    parser.add_argument('--opset', type=int, default=18)
    parser.add_argument('--no-deploy', action='store_true',
                        help='export the eager model (no BN / norm folding)')
    parser.add_argument('--no-verify', action='store_true',
                        help="skip the parity check in the target's runtime")
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
    out = args.out or osp.splitext(osp.basename(args.config))[0] + TARGETS[args.target]
    if osp.splitext(out)[1] != TARGETS[args.target]:
        raise SystemExit(f'--out {out}: the {args.target} target writes a '
                         f'{TARGETS[args.target]} file')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    onnx_file = out if args.target == 'onnx' else osp.splitext(out)[0] + '.onnx'
    example = torch.randn(2, 3, *shape)
    names, seconds = export_onnx(exported, example, onnx_file, opset=args.opset)
    print(f'exported {task} model {args.config} ({"deploy" if deployed else "eager"} '
          f'backbone) to {onnx_file} in {seconds:.1f} s; input [N, 3, {shape[0]}, {shape[1]}], '
          f'outputs {names}')
    try:
        opset, ops = check_graph(onnx_file)
        print(f'graph: opset {opset}, dynamic batch, {len(ops)} op types: {", ".join(ops)}')
        if args.target == 'openvino':
            from mmmobilevit.deployment.openvino_runtime import openvino_session, save_openvino_ir
            save_openvino_ir(onnx_file, out)
            print(f'OpenVINO IR (fp32 weights): {out} and {osp.splitext(out)[0]}.bin')
            session, runtime = openvino_session(out), 'OpenVINO (f32)'
        else:
            session, runtime = ort_session(out), 'onnxruntime'
        if not args.no_verify:
            diff = compare_outputs(eager, session, runtime, shape=shape, atol=args.atol)
            print(f'{runtime} vs PyTorch (batch 1 and 2): max relative difference '
                  f'{diff:.2e} <= {args.atol:g}')
    except CheckFailed as err:
        raise SystemExit(f'check failed: {err}')
    finally:
        close_process_group()


if __name__ == '__main__':
    sys.exit(run_cli(main))
