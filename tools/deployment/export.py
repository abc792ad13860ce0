"""Export a classifier, SSDLite detector or DeepLabv3 / PSPNet segmenter config for a
runtime.

    python tools/deployment/export.py CONFIG CHECKPOINT
        [--target {onnx,openvino,executorch,coreml,tflite}] [--out PATH] [--shape H W] [--batch N]
        [--int8 [--calib N] [--fp32-silu]] [--opset 18] [--no-deploy] [--no-verify]
        [--atol 1e-4]

Targets:

- ``onnx`` (default): a self-contained ``.onnx`` file, checked with onnxruntime;
- ``openvino``: OpenVINO IR (``.xml`` + ``.bin`` with fp32 weights) converted from the
  ONNX graph, which stays beside it, checked with OpenVINO in float32; with ``--int8``,
  NNCF's int8 IR instead;
- ``executorch``: a ``.pte`` program with the network delegated to XNNPACK at a fixed
  batch of ``--batch``; the delegate subgraphs and any op left outside them are printed;
  checked with ExecuTorch's runtime; with ``--int8``, static int8 by PT2E with the
  XNNPACK quantizer, SiLUs included (``--fp32-silu``: the quantizer as ExecuTorch ships
  it, SiLU in fp32, slower);
- ``coreml``: a Core ML ML program (``.mlpackage``, fixed shape) converted by coremltools
  from a trace of the deployed model; its ops, inputs and outputs are printed, its
  numbers cannot be checked off Apple platforms;
- ``tflite``: a LiteRT model (``.tflite``, fixed shape) converted by litert-torch,
  checked with LiteRT's interpreter (XNNPACK delegate).

``--int8`` calibrates on ``--calib`` images of the config's validation set and prints
how far the int8 outputs are from fp32's on them.

The graph takes a preprocessed ``[N, 3, H, W]`` float input (normalised as the config's
data_preprocessor does) with a dynamic batch (ExecuTorch, Core ML, LiteRT: fixed); its
outputs per task (logits, the raw SSDLite head outputs with the decoding and NMS to
apply, full-size segmentation logits) are described in
:mod:`mmmobilevit.deployment.onnx_export`. By default the backbone is
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
from mmmobilevit.deployment.onnx_export import as_tuple, format_op_counts
from mmmobilevit.models.utils import switch_to_deploy
from mmmobilevit.utils import close_process_group, read_config
from mmmobilevit.utils.cli import run_cli

#: what each target writes (the file named by ``--out``)
TARGETS = {'onnx': '.onnx', 'openvino': '.xml', 'executorch': '.pte',
           'coreml': '.mlpackage', 'tflite': '.tflite'}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="path, URL, or 'none'")
    parser.add_argument('--target', choices=TARGETS, default='onnx',
                        help='onnx (.onnx), openvino (OpenVINO IR, .xml + .bin), '
                        'executorch (.pte, XNNPACK), coreml (.mlpackage) or tflite '
                        '(LiteRT)')
    parser.add_argument('--out', help='the .onnx / .xml file (default: <config name> '
                        'with the suffix of the target)')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help="input size (default: what the config's test pipeline gives "
                        'the model: its last crop or resize)')
    parser.add_argument('--batch', type=int, default=1,
                        help='the fixed batch size of an ExecuTorch, Core ML or LiteRT '
                        'model (default 1)')
    parser.add_argument('--int8', action='store_true',
                        help='executorch: static int8 (PT2E, XNNPACK quantizer, SiLU '
                        "included); openvino: NNCF's int8")
    parser.add_argument('--calib', type=int, default=32,
                        help="--int8: calibration images from the config's validation "
                        'set (default 32)')
    parser.add_argument('--fp32-silu', action='store_true',
                        help='executorch --int8: keep every SiLU in fp32 (ExecuTorch\'s '
                        'XNNPACK quantizer as it ships; slower)')
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
    if args.batch < 1:
        raise SystemExit(f'--batch {args.batch}: must be at least 1')
    if args.fp32_silu and not (args.int8 and args.target == 'executorch'):
        raise SystemExit('--fp32-silu is for --target executorch --int8')
    if args.int8 and args.target not in ('executorch', 'openvino'):
        raise SystemExit('--int8 is for --target executorch or openvino (onnxruntime '
                         'int8: tools/deployment/quantize.py)')
    if args.target == 'executorch':
        return export_for_executorch(args, task, eager, exported, deployed, shape, out)
    if args.target == 'coreml':
        return export_for_coreml(args, task, exported, deployed, shape, out)
    if args.target == 'tflite':
        return export_for_litert(args, task, eager, exported, deployed, shape, out)
    onnx_file = out if args.target == 'onnx' else osp.splitext(out)[0] + '.onnx'
    example = torch.randn(2, 3, *shape)
    names, seconds = export_onnx(exported, example, onnx_file, opset=args.opset)
    print(f'exported {task} model {args.config} ({"deploy" if deployed else "eager"} '
          f'backbone) to {onnx_file} in {seconds:.1f} s; input [N, 3, {shape[0]}, {shape[1]}], '
          f'outputs {names}')
    try:
        opset, ops = check_graph(onnx_file)
        print(f'graph: opset {opset}, dynamic batch, {len(ops)} op types: {", ".join(ops)}')
        if args.target == 'openvino' and args.int8:
            from mmmobilevit.deployment import calibration_inputs
            from mmmobilevit.deployment.openvino_runtime import openvino_session, quantize_openvino
            calibration = calibration_inputs(eager.model, args.calib)
            print(f'int8: calibrating on {len(calibration)} validation image(s) (NNCF) ...')
            quantize_openvino(onnx_file, out, [
                torch.nn.functional.interpolate(x, size=shape, mode='bilinear',
                                                align_corners=False).numpy()
                if tuple(x.shape[-2:]) != tuple(shape) else x.numpy() for x in calibration])
            print(f'OpenVINO IR (int8): {out} and {osp.splitext(out)[0]}.bin')
            report_int8_agreement(eager, openvino_session(out), calibration, task, 1, shape)
            return
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


def int8_recipe(args):
    """How the program is quantized, for the export's summary line."""
    if not args.int8:
        return ''
    return '; int8, SiLU in fp32' if args.fp32_silu else '; int8'


def export_for_executorch(args, task, eager, exported, deployed, shape, out):
    """The ``executorch`` target: XNNPACK forms, lowering, the ``.pte``, parity."""
    from mmmobilevit.deployment.executorch_export import (ExecuTorchSession, export_executorch,
                                                          quantize_for_xnnpack)
    from mmmobilevit.deployment.xnnpack_forms import to_xnnpack_forms
    forms = to_xnnpack_forms(exported.model)
    example = torch.randn(args.batch, 3, *shape)
    program = exported
    if args.int8:
        from mmmobilevit.deployment import calibration_inputs
        calibration = calibration_inputs(eager.model, args.calib)
        print(f'int8: calibrating on {len(calibration)} validation image(s) ...')
        program = quantize_for_xnnpack(exported, example, calibration,
                                       int8_silu=not args.fp32_silu)
    names = output_names(exported, example)
    result = export_executorch(program, example, out, names)
    print(f'exported {task} model {args.config} ({"deploy" if deployed else "eager"} '
          f'backbone; XNNPACK forms: {forms or "none"}{int8_recipe(args)}) '
          f'to {out} in {result["seconds"]:.1f} s; input [{args.batch}, 3, {shape[0]}, '
          f'{shape[1]}] (fixed), outputs {result["names"]}')
    print(f'delegation: {result["delegation"].describe()}')
    if args.int8:
        report_int8_agreement(eager, ExecuTorchSession(out, result['names']), calibration,
                              task, args.batch, shape)
    elif not args.no_verify:
        check_fixed_batch(eager, ExecuTorchSession(out, result['names']),
                          'ExecuTorch (XNNPACK)', args, shape)


def export_for_coreml(args, task, exported, deployed, shape, out):
    """The ``coreml`` target: a traced ML program; its ops, inputs and outputs."""
    from mmmobilevit.deployment.coreml_export import (DEPLOYMENT_TARGET, export_coreml,
                                                      to_coreml_forms)
    forms = to_coreml_forms(exported.model)
    example = torch.randn(args.batch, 3, *shape)
    names = output_names(exported, example)
    result = export_coreml(exported, example, out, names)
    ops = format_op_counts(result['ops'])
    print(f'exported {task} model {args.config} ({"deploy" if deployed else "eager"} '
          f'backbone; Core ML forms: {forms or "none"}) to {out} (ML program, '
          f'{DEPLOYMENT_TARGET}+) in '
          f'{result["seconds"]:.1f} s; inputs {result["inputs"]}, outputs '
          f'{result["outputs"]}')
    print(f'ops ({sum(result["ops"].values())}, no custom layers): {ops}')
    print('Core ML runs on Apple platforms only: the numbers of this program are not '
          'checked here')


def export_for_litert(args, task, eager, exported, deployed, shape, out):
    """The ``tflite`` target: a LiteRT model; its ops; parity in LiteRT."""
    from mmmobilevit.deployment.litert_export import LiteRTSession, export_tflite
    from mmmobilevit.deployment.onnx_export import to_nchw
    to_nchw(exported.model)
    example = torch.randn(args.batch, 3, *shape)
    names = output_names(exported, example)
    result = export_tflite(exported, example, out)
    print(f'exported {task} model {args.config} ({"deploy" if deployed else "eager"} '
          f'backbone) to {out} (LiteRT) in {result["seconds"]:.1f} s; input '
          f'[{args.batch}, 3, {shape[0]}, {shape[1]}] (fixed), outputs {names}')
    print(f'ops ({sum(result["ops"].values())}): {format_op_counts(result["ops"])}')
    if not args.no_verify:
        check_fixed_batch(eager, LiteRTSession(out, names), 'LiteRT (XNNPACK)', args, shape)


def check_fixed_batch(eager, session, runtime, args, shape):
    """The parity check of a fixed-shape model (batch ``--batch``), printed; a
    failure stops the tool."""
    try:
        diff = compare_outputs(eager, session, runtime, batch_sizes=(args.batch, ),
                               shape=shape, atol=args.atol)
    except CheckFailed as err:
        raise SystemExit(f'check failed: {err}')
    print(f'{runtime} vs PyTorch (batch {args.batch}): max relative difference '
          f'{diff:.2e} <= {args.atol:g}')


def output_names(exported, example):
    with torch.no_grad():
        return exported.output_names(len(as_tuple(exported(example))))


def report_int8_agreement(eager, session, inputs, task, batch, shape):
    """Print how the int8 program's outputs differ from the eager fp32 model's on
    ``inputs`` (the calibration images): the largest difference relative to the
    output's scale, and for classification the top-1 agreement, for segmentation the
    share of pixels whose class is kept."""
    worst, same, total = 0., 0, 0
    for x in inputs:
        if tuple(x.shape[-2:]) != tuple(shape):
            x = torch.nn.functional.interpolate(x, size=shape, mode='bilinear',
                                                align_corners=False)
        x = x[:1].expand(batch, -1, -1, -1).contiguous()
        with torch.no_grad():
            expected = [t.float() for t in as_tuple(eager(x))]
        got = [torch.from_numpy(o) for o in session.run(None, {'input': x.numpy()})]
        for a, b in zip(expected, got):
            worst = max(worst, float((a - b).abs().max() / max(1., float(a.abs().max()))))
        if task in ('classification', 'segmentation'):
            same += int((expected[0].argmax(1) == got[0].argmax(1)).sum())
            total += expected[0].argmax(1).numel()
    line = (f'int8 vs fp32 PyTorch on the {len(inputs)} calibration image(s): max relative '
            f'difference {worst:.2e}')
    if total:
        what = 'top-1 agreement' if task == 'classification' else 'pixels with the same class'
        line += f', {what} {100 * same / total:.1f}%'
    print(line)


if __name__ == '__main__':
    sys.exit(run_cli(main))
