"""Export every arch x task to ExecuTorch (XNNPACK) and report delegation and parity,
convert every one to Core ML and report its ops, or to LiteRT and report its parity.

    python tools/deployment/verify_exports.py [--target {executorch,coreml,tflite}]
        [--archs A [A ...]] [--tasks cls det seg] [--scale S] [--no-timm] [--out FILE]

For each of the 19 archs and each task it has a released config for (classification:
``<arch>_8xb128_in1k.py``; detection: ``ssdlite_<arch>_coco.py``; segmentation: the
first ``deeplabv3_<arch>_*.py`` and ``pspnet_<arch>_*.py``), the model as the config
builds it (its own initialisation, BatchNorm statistics drawn at random so that the
folded convs are not identities) goes through what ``tools/deployment/export.py
--target executorch`` does: deploy form, XNNPACK forms, ``torch.export``, lowering with
the XNNPACK partitioner, the ``.pte`` run by ExecuTorch's runtime at batch 1 against
the eager model. A row gives the XNNPACK subgraphs, every op left outside them, the
largest difference relative to the output's scale, and the export time. For the
classification archs timm has (v1, v2), timm's model (random weights, no changes) goes
through the same lowering, for comparison. ``--scale`` multiplies the configs' input
sizes (rounded to multiples of 32). ``--target coreml``: what ``export.py --target
coreml`` does (deploy form, Core ML forms, trace, conversion to an ML program); a row
gives the program's op count and op types and the conversion time (Core ML cannot run
here: no parity). ``--target tflite``: what ``export.py --target tflite`` does
(deploy form, NCHW weights, litert-torch conversion, LiteRT's interpreter with XNNPACK
against the eager model); a row gives the op count, the parity and the conversion time.
``--out`` writes the table to FILE as well: the docs include
``docs/_generated/{executorch,coreml,tflite}_exports.md``, written so.
"""
import argparse
import copy
import glob
import os.path as osp
import re
import sys
import tempfile
import time
import traceback

import torch
from torch import nn

import mmmobilevit  # noqa: F401
from mmmobilevit.analysis.report import write_report
from mmmobilevit.deployment.onnx_export import format_op_counts
from mmmobilevit.models.backbones.mobilevit_archs import ARCH_SETTINGS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TASK_GLOBS = {'cls': ('{arch}_8xb128_in1k.py', ),
              'det': ('ssdlite_{arch}_coco.py', ),
              'seg': ('deeplabv3_{arch}_*.py', 'pspnet_{arch}_*.py')}
HEADERS = {
    'executorch': ('| arch | task | model | input | XNNPACK subgraphs | ops outside | '
                   'max rel. diff | export s |'),
    'coreml': '| arch | task | model | input | ops | op types | convert s |',
    'tflite': '| arch | task | model | input | ops | max rel. diff | convert s |'}


def timm_name(arch: str):
    """timm's name of a v1 / v2 arch (``mobilevit_xxs``, ``mobilevitv2_050``), or None."""
    family, size = arch.split('-', 1)
    if family == 'mobilevit':
        return f'mobilevit_{size}'
    if family == 'mobilevitv2':
        return f'mobilevitv2_{int(round(float(size) * 100)):03d}'
    return None


def configs_of(arch: str, task: str):
    found = []
    for pattern in TASK_GLOBS[task]:
        matches = sorted(glob.glob(osp.join(ROOT, 'configs', 'mobilevit*',
                                            pattern.format(arch=arch))))
        found += matches[:1]
    return found


def randomise_norm_statistics(model: nn.Module, seed: int = 0) -> None:
    gen = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and module.track_running_stats:
            n = module.num_features
            module.running_mean.copy_(torch.rand(n, generator=gen) - 0.5)
            module.running_var.copy_(torch.rand(n, generator=gen) + 0.5)


def measure(target: str, model: nn.Module, eager: nn.Module, shape, workdir: str):
    """``target``'s export of ``model`` at batch 1; the row's cells after the input."""
    if target == 'tflite':
        from mmmobilevit.deployment import compare_outputs
        from mmmobilevit.deployment.litert_export import LiteRTSession, export_tflite
        path = osp.join(workdir, 'model.tflite')
        result = export_tflite(model, torch.randn(1, 3, *shape), path)
        diff = compare_outputs(eager, LiteRTSession(path), 'LiteRT', batch_sizes=(1, ),
                               shape=shape, atol=float('inf'))
        return f'{sum(result["ops"].values())} | {diff:.1e} | {result["seconds"]:.0f}'
    if target == 'coreml':
        from mmmobilevit.deployment.coreml_export import export_coreml
        with torch.no_grad():
            outputs = model(torch.zeros(1, 3, *shape))
        count = len(outputs) if isinstance(outputs, (tuple, list)) else 1
        names = (model.output_names(count) if hasattr(model, 'output_names')
                 else [f'output_{i}' for i in range(count)])
        result = export_coreml(model, torch.randn(1, 3, *shape),
                               osp.join(workdir, 'model.mlpackage'), names)
        return (f'{sum(result["ops"].values())} | {format_op_counts(result["ops"])} | '
                f'{result["seconds"]:.0f}')
    from mmmobilevit.deployment import compare_outputs
    from mmmobilevit.deployment.executorch_export import ExecuTorchSession, export_executorch
    path = osp.join(workdir, 'model.pte')
    result = export_executorch(model, torch.randn(1, 3, *shape), path)
    session = ExecuTorchSession(path, result['names'])
    diff = compare_outputs(eager, session, 'ExecuTorch', batch_sizes=(1, ), shape=shape,
                           atol=float('inf'))
    report = result['delegation']
    outside = format_op_counts(report.outside)
    return (f'{report.delegates} | {report.outside_calls}'
            f'{": " + outside if outside else ""} | {diff:.1e} | {result["seconds"]:.0f}')


def our_row(target: str, arch: str, task: str, config: str, scale: float,
            workdir: str) -> str:
    from mmmobilevit.apis import init_model
    from mmmobilevit.deployment import TensorOutputs, default_input_size, task_of
    from mmmobilevit.deployment.xnnpack_forms import to_xnnpack_forms
    from mmmobilevit.models.utils import switch_to_deploy
    from mmmobilevit.utils import read_config
    cfg = read_config(config)
    model = init_model(cfg, None).eval()
    randomise_norm_statistics(model)
    eager = TensorOutputs(model, task_of(cfg)).eval()
    exported = copy.deepcopy(eager)
    switch_to_deploy(exported.model)
    if target == 'coreml':
        from mmmobilevit.deployment.coreml_export import to_coreml_forms
        to_coreml_forms(exported.model)
    elif target == 'tflite':
        from mmmobilevit.deployment.onnx_export import to_nchw
        to_nchw(exported.model)
    else:
        to_xnnpack_forms(exported.model)
    shape = tuple(max(32, int(round(s * scale / 32)) * 32)
                  for s in default_input_size(cfg, task_of(cfg)))
    cells = measure(target, exported, eager, shape, workdir)
    return f'| {arch} | {task} | {osp.basename(config)} | {shape[0]}x{shape[1]} | {cells} |'


def timm_row(target: str, arch: str, scale: float, workdir: str) -> str:
    import timm
    name = timm_name(arch)
    model = timm.create_model(name, pretrained=False).eval()
    randomise_norm_statistics(model)
    size = max(32, int(round(256 * scale / 32)) * 32)
    try:
        cells = measure(target, model, model, (size, size), workdir)
    except Exception as err:  # timm's model as it is: its failure is the finding
        message = str(err).strip().splitlines()[0] if str(err).strip() else ''
        message = re.sub(r'\S*site-packages/', '', message)[:160]  # no local paths
        cells = (f'failed: {type(err).__name__}: {message}'
                 + (' | | |' if target == 'executorch' else ' | |'))
    return f'| {arch} | cls | timm `{name}` | {size}x{size} | {cells} |'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--target', choices=HEADERS, default='executorch')
    parser.add_argument('--archs', nargs='+', default=list(ARCH_SETTINGS),
                        choices=list(ARCH_SETTINGS), metavar='ARCH')
    parser.add_argument('--tasks', nargs='+', default=list(TASK_GLOBS), choices=TASK_GLOBS)
    parser.add_argument('--scale', type=float, default=1.,
                        help="multiply the configs' input sizes (default 1)")
    parser.add_argument('--no-timm', action='store_true', help="skip timm's models")
    parser.add_argument('--out', help='also write the table to this file')
    args = parser.parse_args(argv)
    import warnings
    warnings.filterwarnings('ignore')
    jobs = [(arch, task, config) for arch in args.archs for task in args.tasks
            for config in configs_of(arch, task)]
    if not args.no_timm and 'cls' in args.tasks:
        jobs += [(arch, 'cls', None) for arch in args.archs if timm_name(arch)]
    what = {'executorch': f'ExecuTorch {_version("executorch")} XNNPACK lowering',
            'coreml': f'coremltools {_version("coremltools")} conversion (ML program, fp16, '
                      'iOS17)',
            'tflite': f'litert-torch {_version("litert-torch")} conversion, LiteRT '
                      f'{_version("ai-edge-litert")} (XNNPACK delegate)'}[args.target]
    header = HEADERS[args.target]
    lines = [f'{what}, torch {torch.__version__.split("+")[0]}, batch 1, input sizes x '
             f'{args.scale:g}:', '', header, '| --- ' * header.count(' | ') + '| --- |']
    failed = 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        for i, (arch, task, config) in enumerate(jobs, 1):
            try:
                line = (timm_row(args.target, arch, args.scale, workdir) if config is None
                        else our_row(args.target, arch, task, config, args.scale, workdir))
            except Exception as err:  # a row that fails is reported, the rest still run
                failed += 1
                traceback.print_exc()
                line = (f'| {arch} | {task} | {osp.basename(config)} | | failed: '
                        f'{type(err).__name__}: {str(err).splitlines()[0][:120]} |'
                        + (' | | |' if args.target == 'executorch' else ' | |'))
            lines.append(line)
            print(f'[{i}/{len(jobs)}, {time.perf_counter() - start:.0f} s] {line}',
                  file=sys.stderr, flush=True)
    print('\n'.join(lines))
    write_report(args.out, lines)
    return 1 if failed else 0


def _version(package: str) -> str:
    from importlib.metadata import version
    return version(package)


if __name__ == '__main__':
    sys.exit(main())
