"""Side-by-side speed and memory of MobileViT classifiers: ours vs mmpretrain vs timm.

    python tools/analysis_tools/benchmark.py [--archs mobilevit-s mobilevit-xs ...]
        [--threads 2] [--size 256] [--iters 20] [--warmup 3] [--compile] [--no-onnx]
        [--out results.json]

For each arch every implementation gets the same weights (timm's randomly initialised
model with randomised norm statistics, converted to the mmpretrain layout for ours and
mmpretrain's), and the outputs are checked to agree (max |diff| / max(1, max|logit|)
<= 1e-4) before anything is timed. Implementations:

=============== ===============================================================
mmpretrain      mmpretrain 1.2's ``MobileViT`` classifier, eager (v1 archs only)
timm            timm's ``mobilevit_*`` / ``mobilevitv2_*``, eager (no v3 in timm)
ours            ``MobileViTBackbone`` classifier, eager (channels_last, trainable)
ours-deploy     ours after ``switch_to_deploy()`` (inference only)
ours-bf16       ours-deploy under ``torch.autocast('cpu', torch.bfloat16)``
ours-compile    ours-deploy with ``torch.compile`` (``--compile``; compile time shown)
onnxruntime     ours exported by tools/deployment/pytorch2onnx.py's exporter, run by
                onnxruntime on the CPU (``--no-onnx`` skips it)
=============== ===============================================================

Measured per implementation, each in its own process (a process's peak RSS only
grows; on Linux it is also reset between phases): batch-1 latency (median ms), batch-8
throughput (images/s), a batch-8 training step (forward + cross-entropy + backward,
median ms; trainable ones only), and the peak RSS of the inference phase and of the
training phase above the RSS at the phase's start (the built model).
All runs use the same number of threads (``--threads``, also onnxruntime's intra-op
threads). Ratios are against mmpretrain for v1, timm for v2, ours eager for v3.
"""
import argparse
import json
import os
import os.path as osp
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import torch

TIMM_NAMES = {
    'mobilevit-xxs': 'mobilevit_xxs', 'mobilevit-xs': 'mobilevit_xs',
    'mobilevit-s': 'mobilevit_s', 'mobilevitv2-0.5': 'mobilevitv2_050',
    'mobilevitv2-0.75': 'mobilevitv2_075', 'mobilevitv2-1.0': 'mobilevitv2_100',
    'mobilevitv2-1.25': 'mobilevitv2_125', 'mobilevitv2-1.5': 'mobilevitv2_150',
    'mobilevitv2-1.75': 'mobilevitv2_175', 'mobilevitv2-2.0': 'mobilevitv2_200'}
MMPRETRAIN_NAMES = {'mobilevit-xxs': 'xx_small', 'mobilevit-xs': 'x_small',
                    'mobilevit-s': 'small'}
INFERENCE_ONLY = ('ours-deploy', 'ours-bf16', 'ours-compile', 'onnxruntime')
AGREEMENT_TOL = 1e-4


# ---- the models ------------------------------------------------------------------
def make_weights(arch, seed=0):
    """(timm state dict or None, our-layout state dict) with the same random weights."""
    import timm

    from mmmobilevit.checkpoint import to_mmpretrain_layout
    torch.manual_seed(seed)
    if arch in TIMM_NAMES:
        model = timm.create_model(TIMM_NAMES[arch], pretrained=False)
    else:  # no timm version: our own classifier is the source
        model = build_impl('ours', arch, None, None).model
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(torch.rand(m.num_features, generator=gen) - 0.5)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            if isinstance(m, (torch.nn.modules.batchnorm._BatchNorm, torch.nn.LayerNorm,
                              torch.nn.GroupNorm)) and m.weight is not None:
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=gen) - 0.5)
    state = model.state_dict()
    if arch in TIMM_NAMES:
        return state, to_mmpretrain_layout(state)[0]
    return None, state


def _classifier(backbone, channels):
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(dict(
            type='ImageClassifier', backbone=backbone,
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=1000, in_channels=channels)))


class TensorMode(torch.nn.Module):
    """An mmpretrain classifier called on a plain tensor, returning the logits."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x, mode='tensor')


def build_impl(impl, arch, timm_state, our_state):
    """The ``impl`` classifier of ``arch`` with the given weights, in eval mode."""
    from mmmobilevit.models.backbones.mobilevit_archs import get_arch
    arch_cfg = get_arch(arch)
    channels = arch_cfg.out_channels
    if impl == 'timm':
        import timm
        model = timm.create_model(TIMM_NAMES[arch], pretrained=False)
        model.load_state_dict(timm_state)
    elif impl == 'mmpretrain':
        model = TensorMode(_classifier(
            dict(type='mmpretrain.MobileViT', arch=MMPRETRAIN_NAMES[arch]), channels))
        if our_state is not None:
            model.model.load_state_dict(our_state)
    else:
        model = TensorMode(_classifier(
            dict(type='MobileViTBackbone', arch=arch), channels))
        if our_state is not None:
            model.model.load_state_dict(our_state)
        if impl in ('ours-deploy', 'ours-bf16', 'ours-compile'):
            model.model.backbone.switch_to_deploy()
            if impl == 'ours-compile':
                model = torch.compile(model)
    return model.eval()


def implementations(arch, args):
    impls = (['mmpretrain'] if arch in MMPRETRAIN_NAMES else []) + \
        (['timm'] if arch in TIMM_NAMES else []) + ['ours', 'ours-deploy', 'ours-bf16']
    if args.compile:
        impls.append('ours-compile')
    if not args.no_onnx:
        impls.append('onnxruntime')
    return impls


def baseline_of(arch):
    return 'mmpretrain' if arch in MMPRETRAIN_NAMES else \
        ('timm' if arch in TIMM_NAMES else 'ours')


# ---- one implementation, in its own process ---------------------------------------
def _rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


def _start_phase():
    """Reset the process's peak RSS (Linux ``clear_refs``); return the current RSS.

    Without the reset (other systems) the peak includes everything since start-up.
    """
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass
    return _rss_mb()


def _peak_mb():
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_seconds(fn, iters, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_worker(args):
    """Time one implementation; print a ``RESULT {json}`` line."""
    torch.set_num_threads(args.threads)
    import mmmobilevit  # noqa: F401
    weights = torch.load(osp.join(args.workdir, f'{args.arch}.pth'), weights_only=True)
    size, result = args.size, {}
    x1 = torch.randn(1, 3, size, size)
    x8 = torch.randn(8, 3, size, size)
    if args.worker == 'onnxruntime':
        from mmmobilevit.deployment import ort_session
        session = ort_session(osp.join(args.workdir, f'{args.arch}.onnx'), args.threads)
        name = session.get_inputs()[0].name

        def infer(x):
            return session.run(None, {name: x.numpy()})
        model = None
    else:
        model = build_impl(args.worker, args.arch, weights['timm'], weights['ours'])
        autocast = args.worker == 'ours-bf16'

        @torch.inference_mode()
        def infer(x):
            with torch.autocast('cpu', dtype=torch.bfloat16, enabled=autocast):
                return model(x)
    del weights
    base = _start_phase()
    if args.worker == 'ours-compile':
        start = time.perf_counter()
        infer(x1)
        infer(x8)
        result['compile_s'] = time.perf_counter() - start
    result['latency_b1_ms'] = 1e3 * _median_seconds(lambda: infer(x1), args.iters,
                                                    args.warmup)
    result['throughput_b8'] = 8 / _median_seconds(lambda: infer(x8), args.iters,
                                                  args.warmup)
    result['peak_infer_mb'] = _peak_mb() - base
    if model is not None and args.worker not in INFERENCE_ONLY:
        base = _start_phase()
        model.train()
        labels = torch.randint(0, 1000, (8, ))

        def step():
            loss = torch.nn.functional.cross_entropy(model(x8), labels)
            loss.backward()
            model.zero_grad(set_to_none=True)
        result['train_b8_ms'] = 1e3 * _median_seconds(step, max(2, args.iters // 2),
                                                      args.warmup)
        result['peak_train_mb'] = _peak_mb() - base
    print('RESULT ' + json.dumps(result), flush=True)


# ---- the driver -------------------------------------------------------------------
def relative_diff(a, b):
    return float((a.float() - b.float()).abs().max() / max(1., float(a.abs().max())))


def prepare(arch, args):
    """Weights to disk, agreement checks, ONNX export; returns the check lines."""
    timm_state, our_state = make_weights(arch)
    torch.save(dict(timm=timm_state, ours=our_state),
               osp.join(args.workdir, f'{arch}.pth'))
    x = torch.randn(2, 3, args.size, args.size, generator=torch.Generator().manual_seed(1))
    ours = build_impl('ours', arch, timm_state, our_state)
    with torch.inference_mode():
        reference = ours(x)
    checks, failures = {}, []
    for impl in implementations(arch, args):
        if impl == 'onnxruntime':
            from mmmobilevit.deployment import export_onnx, ort_session
            path = osp.join(args.workdir, f'{arch}.onnx')
            deployed = build_impl('ours-deploy', arch, timm_state, our_state)
            _, seconds = export_onnx(deployed, x, path)
            session = ort_session(path, args.threads)
            got = torch.from_numpy(session.run(None, {'input': x.numpy()})[0])
        elif impl in ('ours', 'ours-compile'):
            continue  # ours-compile is checked inside its own process (compile cost)
        else:
            model = build_impl(impl, arch, timm_state, our_state)
            with torch.inference_mode(), torch.autocast(
                    'cpu', dtype=torch.bfloat16, enabled=impl == 'ours-bf16'):
                got = model(x)
        diff = relative_diff(reference, got)
        checks[impl] = diff
        if impl == 'ours-bf16':
            top1 = float((got.float().argmax(1) == reference.argmax(1)).float().mean())
            checks['ours-bf16 top-1 agreement'] = top1
        elif diff > AGREEMENT_TOL:
            failures.append(f'{impl}: {diff:.2e}')
    if failures:
        raise SystemExit(f'{arch}: outputs disagree with ours (> {AGREEMENT_TOL:g}): '
                         + ', '.join(failures))
    return checks


def measure(arch, impl, args):
    cmd = [sys.executable, osp.abspath(__file__), '--worker', impl, '--arch', arch,
           '--workdir', args.workdir, '--threads', str(args.threads), '--size',
           str(args.size), '--iters', str(args.iters), '--warmup', str(args.warmup)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith('RESULT ')]
    if proc.returncode or not lines:
        raise SystemExit(f'{arch} {impl} failed:\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}')
    return json.loads(lines[-1][len('RESULT '):])


def format_table(arch, results, checks, args):
    base = results[baseline_of(arch)]
    head = (f'{"impl":<13}{"b1 ms":>9}{"b8 img/s":>10}{"train ms":>10}{"infer MB":>10}'
            f'{"train MB":>10}{"b1 x":>7}{"b8 x":>7}{"train x":>8}')
    lines = [f'== {arch}: {args.size}x{args.size}, fp32 (bf16 where named), '
             f'{args.threads} threads; ratios vs {baseline_of(arch)} (>1: faster)', head]
    for impl, r in results.items():
        train = r.get('train_b8_ms')
        row = (f'{impl:<13}{r["latency_b1_ms"]:>9.1f}{r["throughput_b8"]:>10.1f}'
               + (f'{train:>10.1f}' if train else f'{"-":>10}')
               + f'{r["peak_infer_mb"]:>10.0f}'
               + (f'{r["peak_train_mb"]:>10.0f}' if train else f'{"-":>10}')
               + f'{base["latency_b1_ms"] / r["latency_b1_ms"]:>7.2f}'
               + f'{r["throughput_b8"] / base["throughput_b8"]:>7.2f}'
               + (f'{base["train_b8_ms"] / train:>8.2f}' if train else f'{"-":>8}'))
        if 'compile_s' in r:
            row += f'   (compile {r["compile_s"]:.0f} s)'
        lines.append(row)
    agree = ', '.join(f'{k} {v:.1e}' if 'agreement' not in k else f'{k} {v:.0%}'
                      for k, v in checks.items())
    lines.append(f'outputs vs ours eager (max rel diff): {agree}')
    return '\n'.join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--archs', nargs='+',
                        default=['mobilevit-s', 'mobilevit-xs', 'mobilevit-xxs',
                                 'mobilevitv2-1.0'])
    parser.add_argument('--impls', nargs='+', help='only these implementations')
    parser.add_argument('--threads', type=int, default=torch.get_num_threads())
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--compile', action='store_true')
    parser.add_argument('--no-onnx', action='store_true')
    parser.add_argument('--out', help='also write the results as JSON here')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--arch', help=argparse.SUPPRESS)
    parser.add_argument('--workdir', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    torch.set_num_threads(args.threads)
    import mmmobilevit  # noqa: F401
    from mmmobilevit.models.backbones.mobilevit_archs import get_arch
    for arch in args.archs:
        get_arch(arch)  # a clear error for an unknown name, before any work
    report = {}
    with tempfile.TemporaryDirectory() as workdir:
        args.workdir = workdir
        for arch in args.archs:
            print(f'[{arch}] checking that the implementations agree ...', flush=True)
            checks = prepare(arch, args)
            results = {}
            for impl in implementations(arch, args):
                if args.impls and impl not in args.impls and impl != baseline_of(arch):
                    continue
                print(f'[{arch}] timing {impl} ...', flush=True)
                results[impl] = measure(arch, impl, args)
            print(format_table(arch, results, checks, args), flush=True)
            report[arch] = dict(results=results, checks=checks)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(args=dict(threads=args.threads, size=args.size,
                                     iters=args.iters), report=report), f, indent=2)
        print(f'results written to {args.out}')


if __name__ == '__main__':
    main()
