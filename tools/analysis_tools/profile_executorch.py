"""Where an ExecuTorch program's time goes: XNNPACK's own per-operator profile.

Lowers a classifier of ``--arch`` (our deployed network in its XNNPACK forms, random
weights with randomised norms, as ``benchmark.py``'s rows) to batch-1 programs: fp32,
int8 as ``export.py --int8`` makes it, and int8 by ExecuTorch's XNNPACK quantizer as it
ships (SiLU in fp32; ``--no-shipped`` leaves it out). Each program runs ``--runs`` times
on ``--threads`` threads with ExecuTorch's event tracer (ETDump); the table gives, per
XNNPACK operator kind, its count and the median over the runs of its time per run::

    python tools/analysis_tools/profile_executorch.py --arch mobilevit-s --size 256

Or profile programs that exist (``export.py --target executorch``)::

    python tools/analysis_tools/profile_executorch.py --pte cls.pte cls.int8.pte

Operator names are XNNPACK's (``Fully Connected (NC, QS8, QC8W)`` is an int8 linear
layer or 1x1 convolution, ``Convert (NC)`` a quantize or dequantize between int8 and
fp32 operators); ``Invalid Unary Op`` is how XNNPACK 1.5.1's profiler names its
table-driven int8 unary operators (the int8 sigmoids; in int8 programs the norms'
``rsqrt`` too). The sums of the rows fall short
of ``execute`` by the runtime's own work around the delegate.
"""
import argparse
import collections
import copy
import os.path as osp
import re
import statistics
import sys
import tempfile
import time

import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

SKIPPED_EVENTS = ('Program::load_method', 'Method::init', 'DELEGATE_CALL')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument('--arch', help='lower this arch (e.g. mobilevit-s) and profile it')
    what.add_argument('--pte', nargs='+', help='profile these programs (batch 1)')
    parser.add_argument('--size', type=int, default=256, help='--arch: input size')
    parser.add_argument('--no-shipped', action='store_true',
                        help="--arch: leave out the int8 program of ExecuTorch's quantizer "
                        'as it ships')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--runs', type=int, default=20, help='profiled runs (after 3 warm-up)')
    parser.add_argument('--top', type=int, default=0,
                        help='only the N costliest operator kinds (default: all)')
    args = parser.parse_args(argv)
    if args.runs < 1 or args.threads < 1 or args.size < 32:
        parser.error('--runs and --threads must be >= 1 and --size >= 32')
    for path in args.pte or []:
        if not osp.isfile(path):
            parser.error(f'{path}: no such program')
    return args


def lower_programs(arch, size, shipped, workdir):
    """fp32 and int8 batch-1 programs of ``arch``: ``{label: path}``."""
    from benchmark import build_impl, smooth_images

    from mmmobilevit.analysis import randomize_norms
    from mmmobilevit.deployment.executorch_export import export_executorch, quantize_for_xnnpack
    from mmmobilevit.deployment.xnnpack_forms import to_xnnpack_forms
    torch.manual_seed(0)
    model = build_impl('ours', arch, None, None)
    randomize_norms(model)
    model.model.backbone.switch_to_deploy()
    to_xnnpack_forms(model)
    example = torch.randn(1, 3, size, size)
    calibration = [x[None] for x in smooth_images(32, size, seed=2)]
    recipes = {'fp32': None, 'int8': True}
    if shipped:
        recipes['int8 shipped'] = False
    programs = {}
    for label, int8_silu in recipes.items():
        program = model if int8_silu is None else quantize_for_xnnpack(
            copy.deepcopy(model), example, calibration, int8_silu=int8_silu)
        path = osp.join(workdir, f'{arch}.{label.replace(" ", "_")}.pte')
        start = time.perf_counter()
        result = export_executorch(program, example, path)
        print(f'[{arch}] {label}: lowered in {time.perf_counter() - start:.0f} s, '
              f'{result["delegation"].describe()}', flush=True)
        programs[label] = path
    return programs


def profile(path, threads, runs, workdir):
    """``(execute ms, {operator kind: (count, ms per run)})``, medians over ``runs``."""
    from executorch.devtools import Inspector
    from executorch.extension.pybindings.portable_lib import (_load_for_executorch,
                                                              _unsafe_reset_threadpool)
    _unsafe_reset_threadpool(threads)
    module = _load_for_executorch(path, enable_etdump=True)
    shape = list(module.method_meta('forward').input_tensor_meta(0).sizes())
    x = torch.randn(*shape)
    for _ in range(3 + runs):  # the trace keeps every run: the last ``runs`` count
        module.forward([x])
    etdump = osp.join(workdir, osp.basename(path) + '.etdp')
    module.write_etdump_result_to_file(etdump)
    per_run = collections.defaultdict(lambda: [0.] * runs)
    counts, execute = collections.Counter(), [0.] * runs
    for block in Inspector(etdump_path=etdump).event_blocks:
        for event in block.events:
            if event.perf_data is None or event.name in SKIPPED_EVENTS:
                continue
            times = list(event.perf_data.raw)[-runs:]
            if event.name == 'Method::execute':
                execute = times
                continue
            kind = re.sub(r' #\d+$', '', event.name)
            counts[kind] += 1
            for i, t in enumerate(times):
                per_run[kind][i] += t
    ops = {kind: (counts[kind], statistics.median(per_run[kind])) for kind in per_run}
    return statistics.median(execute), ops


def table(results, top=0):
    """One column per program, one row per operator kind (costliest first)."""
    labels = list(results)
    width = max(len('operator (XNNPACK)'), *(len(k) for r in results.values() for k in r[1]))
    head = f'{"operator (XNNPACK)":{width}s}' + ''.join(f'{label:>20s}' for label in labels)
    lines = [head, f'{"execute, ms per run":{width}s}'
             + ''.join(f'{results[label][0]:>20.2f}' for label in labels)]
    kinds = sorted({k for r in results.values() for k in r[1]},
                   key=lambda k: -max(r[1].get(k, (0, 0.))[1] for r in results.values()))
    for kind in kinds[:top or None]:
        cells = []
        for label in labels:
            count, ms = results[label][1].get(kind, (0, 0.))
            share = 100 * ms / results[label][0]
            cells.append(f'{f"{ms:.2f} ({share:.0f}%) x{count}" if count else "-":>20s}')
        lines.append(f'{kind:{width}s}' + ''.join(cells))
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        if args.arch:
            programs = lower_programs(args.arch, args.size, not args.no_shipped, workdir)
            title = f'{args.arch}, {args.size}x{args.size}, batch 1'
        else:
            programs = {osp.basename(p): p for p in args.pte}
            title = 'programs ' + ', '.join(programs)
        results = {}
        for label, path in programs.items():
            print(f'profiling {label} ({args.runs} runs) ...', file=sys.stderr, flush=True)
            results[label] = profile(path, args.threads, args.runs, workdir)
    print(f'== {title}: {args.threads} threads, median of {args.runs} runs; per operator '
          'kind: ms per run (share of execute) x count')
    print(table(results, args.top))


if __name__ == '__main__':
    main()
