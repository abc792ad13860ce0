"""Where a MobileViT training step spends its time: per stage, ours against mmpretrain's.

    python tools/analysis_tools/train_breakdown.py [--archs mobilevit-s mobilevit-xxs]
        [--size 256] [--batch 8] [--rounds 5] [--iters 3] [--threads 2] [--out FILE]

For each arch, our classifier and mmpretrain's ``MobileViT`` classifier (the same
weights, no dropout, training mode) are timed part by part: forward + backward of the
stem, of each MV2 stage, and of the strided MV2 block and the MobileViT block of stages
3-5, each fed the previous part's real output (detached, gradient required, as in a
step) and a random output gradient. The two implementations alternate round by round in
one process (freed memory kept, as in ``benchmark.py``); medians of the rounds. The
whole step (forward, cross-entropy, backward) is timed the same way.

The table then says what the ``train x`` column of ``benchmark.py`` can reach: with
the MV2 parts (convolutions, BatchNorms and SiLUs on the large early maps, the same
operations in both implementations) as they are, the step's speed-up over mmpretrain
is bounded by ``mmpretrain step / ours MV2 parts`` even if the attention blocks took no
time. Then our step by operator class: the wall time of every ATen operator of two
steps, taken around each call (a ``TorchDispatchMode``; PyTorch's profiler inflates
short memory-bound operators: it gave BatchNorm about twice its wall time in a
MobileViT-S step), with the GFLOP/s of the classes that compute, a large
SGEMM's GFLOP/s on the same threads in the same rounds (the roofline), and a second
bound: the speed-up if every class but the dense GEMMs (convolutions that are not
depthwise, linear layers) took no time.

No test asserts a time; the README quotes this script's output.
"""
import argparse
import json
import statistics
import sys
import time
from collections import OrderedDict

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from mmmobilevit.analysis.benchmarking import (MMPRETRAIN_NAMES, GemmWorker, median_seconds,
                                               mmpretrain_classifier)

#: Operator classes of our step (ATen operators, forward and backward), by substrings of
#: the operator's name; convolutions with groups are the depthwise class.
OP_CLASSES = OrderedDict([
    ('conv', ('convolution',)),
    ('depthwise conv', ()),
    ('linear (mm, addmm)', ('aten.mm.', 'addmm')),
    ('attention (sdpa, bmm, softmax)', ('scaled_dot_product', 'bmm', 'softmax')),
    ('batchnorm', ('batch_norm',)),
    ('silu', ('silu',)),
    ('layernorm', ('layer_norm',)),
    ('copies (copy_, cat, stack, clone)', ('copy_', 'aten.cat.', 'stack', 'clone')),
])
#: The dense-GEMM classes of the second bound.
GEMM_CLASSES = ('conv', 'linear (mm, addmm)')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--archs', nargs='+', default=['mobilevit-s', 'mobilevit-xxs'],
                        help=f'among {sorted(MMPRETRAIN_NAMES)} (the archs mmpretrain has)')
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--iters', type=int, default=3, help='timed calls per round')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--no-profile', action='store_true',
                        help='skip the operator-class timing of our step')
    parser.add_argument('--out', help='write the results as JSON')
    args = parser.parse_args(argv)
    unknown = [a for a in args.archs if a not in MMPRETRAIN_NAMES]
    if unknown:
        parser.error(f'unknown or non-mmpretrain archs {unknown}: choose among '
                     f'{sorted(MMPRETRAIN_NAMES)}')
    if args.size % 32:
        parser.error(f'--size must be a multiple of 32 (the backbone stride), '
                     f'got {args.size}')
    if min(args.batch, args.rounds, args.iters, args.threads) < 1:
        parser.error('--batch, --rounds, --iters and --threads must be at least 1')
    return args


def build_pair(arch):
    """Our classifier and mmpretrain's, the same weights, in training mode."""
    from mmmobilevit.models.backbones.mobilevit_archs import get_arch
    channels = get_arch(arch).out_channels
    ours = mmpretrain_classifier(dict(type='MobileViTBackbone', arch=arch, drop_rate=0.),
                                 channels)
    theirs = mmpretrain_classifier(
        dict(type='mmpretrain.MobileViT', arch=MMPRETRAIN_NAMES[arch]), channels)
    theirs.load_state_dict(ours.state_dict())
    return OrderedDict(ours=ours.train(), mmpretrain=theirs.train())


def parts_of(backbone):
    """``(name, module)`` of the parts timed: stem, stages 1-2, MV2 + block of 3-5."""
    parts = [('stem', backbone.stem)]
    for i, stage in enumerate(backbone.layers):
        if i < 2:
            parts.append((f'stage {i + 1} (MV2)', stage))
        else:
            parts += [(f'stage {i + 1} MV2', stage[0]),
                      (f'stage {i + 1} MobileViT block', stage[1])]
    return parts


def part_inputs(parts, image):
    """Each part's input: the previous part's real output (detached)."""
    inputs, x = [], image
    with torch.no_grad():
        for _, module in parts:
            inputs.append(x)
            x = module(x)
    return inputs


def part_step(model, module, x, grad_of, input_grad=True):
    x = x.detach().requires_grad_(input_grad)
    grad = {}

    def step():
        out = module(x)
        if 'g' not in grad:
            grad['g'] = grad_of(out)
        out.backward(grad['g'])
        x.grad = None
        model.zero_grad(set_to_none=True)
    return step


def output_grad(out):
    """A fixed random gradient for ``out``, in its memory format."""
    gen = torch.Generator().manual_seed(out.numel())
    grad = torch.randn(out.shape, generator=gen)
    if out.dim() == 4 and out.is_contiguous(memory_format=torch.channels_last):
        return grad.contiguous(memory_format=torch.channels_last)
    return grad


def whole_step(model, image, labels):
    def step():
        logits = model(image, mode='tensor')
        torch.nn.functional.cross_entropy(logits, labels).backward()
        model.zero_grad(set_to_none=True)
    return step


def op_class(name, args):
    """The :data:`OP_CLASSES` name of ATen operator ``name`` called with ``args``."""
    for cls, needles in OP_CLASSES.items():
        if any(n in name for n in needles):
            if cls == 'conv' and _conv_groups(name, args) > 1:
                return 'depthwise conv'
            return cls
    return 'other'


def _conv_groups(name, args):
    # convolution(input, weight, bias, stride, padding, dilation, transposed,
    # output_padding, groups); convolution_backward(grad_out, input, weight,
    # bias_sizes, stride, padding, dilation, transposed, output_padding, groups, mask)
    return args[9] if 'backward' in name else args[8]


def op_flops(name, args, out):
    """Multiply-add FLOPs (2 per MAC) of the matrix products an operator computes:
    convolutions (forward; backward: input and / or weight gradient), ``mm``,
    ``addmm``, ``bmm`` and fused attention (forward ``QK^T`` and ``PV``; backward four
    products, without the recomputation). 0 for the rest."""
    if 'convolution' in name:
        if 'backward' in name:
            grad_out, weight, products = args[0], args[2], sum(bool(m) for m in args[10][:2])
        else:
            grad_out, weight, products = out, args[1], 1
        return 2 * grad_out.numel() * (weight.numel() // weight.shape[0]) * products
    if name.startswith('aten.mm.') or name.startswith('aten.addmm.'):
        a, b = (args[0], args[1]) if name.startswith('aten.mm.') else (args[1], args[2])
        return 2 * a.shape[0] * a.shape[1] * b.shape[1]
    if name.startswith('aten.bmm.'):
        a, b = args[0], args[1]
        return 2 * a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]
    if 'scaled_dot_product' in name:
        q, k = (args[1], args[2]) if 'backward' in name else (args[0], args[1])
        pair = 2 * 2 * q.numel() * k.shape[-2]  # two products, q: [..., N, d]
        return 2 * pair if 'backward' in name else pair
    return 0


class OpClassTimer(TorchDispatchMode):
    """Wall time (ms) and FLOPs of the ATen operators called under it, per class.

    Each operator is timed around its call (CPU operators run synchronously), so the
    classes add up to the step's time but for Python and autograd bookkeeping."""

    def __init__(self):
        super().__init__()
        self.ms = OrderedDict((name, 0.) for name in list(OP_CLASSES) + ['other'])
        self.flops = dict.fromkeys(self.ms, 0)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        start = time.perf_counter()
        out = func(*args, **(kwargs or {}))
        seconds = time.perf_counter() - start
        name = str(func)
        cls = op_class(name, args)
        self.ms[cls] += 1e3 * seconds
        self.flops[cls] += op_flops(name, args, out)
        return out


def time_classes(step, calls=2):
    """``(ms, GFLOP/s)`` per operator class and the step's wall ms, per step of
    ``step``, over ``calls`` steps after one untimed one."""
    step()
    timer = OpClassTimer()
    start = time.perf_counter()
    with timer:
        for _ in range(calls):
            step()
    wall = 1e3 * (time.perf_counter() - start) / calls
    ms = OrderedDict((k, v / calls) for k, v in timer.ms.items())
    gflops = {k: timer.flops[k] / calls / (ms[k] * 1e6) for k in ms
              if timer.flops[k] and ms[k] > 0}
    return ms, gflops, wall


def measure(arch, args):
    torch.manual_seed(0)
    models = build_pair(arch)
    gen = torch.Generator().manual_seed(0)
    image = torch.randn(args.batch, 3, args.size, args.size, generator=gen)
    labels = torch.randint(0, 1000, (args.batch, ), generator=gen)
    steps = OrderedDict()
    names = None
    for impl, model in models.items():
        backbone = model.backbone
        parts = parts_of(backbone)
        names = [n for n, _ in parts]
        first = image.contiguous(memory_format=torch.channels_last) \
            if getattr(backbone, 'channels_last', False) else image
        inputs = part_inputs(parts, first)

        steps[impl] = OrderedDict(
            (name, part_step(model, module, x, output_grad, input_grad=i > 0))
            for i, ((name, module), x) in enumerate(zip(parts, inputs)))
        steps[impl]['whole step'] = whole_step(model, image, labels)
    times = {impl: {name: [] for name in s} for impl, s in steps.items()}
    gemm, sgemm = GemmWorker(args), []
    for r in range(args.rounds):
        for name in steps['ours']:
            for impl in steps:  # interleaved, part by part
                times[impl][name].append(
                    1e3 * median_seconds(steps[impl][name], args.iters, 1))
        sgemm.append(gemm.round()['sgemm_gflops'])
        print(f'[train_breakdown] {arch}: round {r + 1}/{args.rounds}', file=sys.stderr,
              flush=True)
    med = {impl: {n: statistics.median(v) for n, v in t.items()}
           for impl, t in times.items()}
    result = dict(parts=names, median_ms=med, sgemm_gflops=statistics.median(sgemm))
    if not args.no_profile:
        ms, gflops, wall = time_classes(steps['ours']['whole step'])
        result.update(ours_op_classes_ms=ms, ours_op_classes_gflops=gflops,
                      ours_timed_step_ms=wall)
    return result


def mv2_total(ms, names):
    return sum(ms[n] for n in names if 'MobileViT block' not in n)


def report(arch, result, args):
    names, med = result['parts'], result['median_ms']
    ours, theirs = med['ours'], med['mmpretrain']
    lines = [f'== {arch}: training step (forward + backward) by part, batch {args.batch}, '
             f'{args.size}x{args.size}, fp32, {args.threads} threads, median of '
             f'{args.rounds} interleaved rounds; x = mmpretrain ms / ours ms',
             f'{"part":<28}{"ours ms":>9}{"mmpretrain ms":>15}{"x":>6}{"ours / step":>12}']
    step = ours['whole step']
    for n in names + ['whole step']:
        share = f'{100 * ours[n] / step:.0f}%' if n != 'whole step' else '100%'
        lines.append(f'{n:<28}{ours[n]:>9.1f}{theirs[n]:>15.1f}'
                     f'{theirs[n] / ours[n]:>6.2f}{share:>12}')
    blocks = [n for n in names if 'MobileViT block' in n]
    ours_mv2, theirs_mv2 = mv2_total(ours, names), mv2_total(theirs, names)
    ours_blocks = sum(ours[n] for n in blocks)
    theirs_blocks = sum(theirs[n] for n in blocks)
    lines += [
        f'{"sum: stem + MV2 parts":<28}{ours_mv2:>9.1f}{theirs_mv2:>15.1f}'
        f'{theirs_mv2 / ours_mv2:>6.2f}{100 * ours_mv2 / step:>11.0f}%',
        f'{"sum: MobileViT blocks":<28}{ours_blocks:>9.1f}{theirs_blocks:>15.1f}'
        f'{theirs_blocks / ours_blocks:>6.2f}{100 * ours_blocks / step:>11.0f}%',
        f'whole-step speed-up {theirs["whole step"] / step:.2f}x; bound with our MV2 '
        f'parts as they are and attention blocks taking no time: '
        f'{theirs["whole step"] / ours_mv2:.2f}x']
    result['speedup'] = theirs['whole step'] / step
    result['bound_with_free_blocks'] = theirs['whole step'] / ours_mv2
    if 'ours_op_classes_ms' in result:
        classes, rates = result['ours_op_classes_ms'], result['ours_op_classes_gflops']
        wall = result['ours_timed_step_ms']
        lines.append(f'ours, step by operator class (wall ms of ATen operators, forward + '
                     f'backward; {sum(classes.values()):.0f} of a {wall:.0f} ms step; '
                     f'GFLOP/s where it computes; SGEMM 2048^3 '
                     f'{result["sgemm_gflops"]:.0f} GFLOP/s):')
        lines.append('  ' + ', '.join(
            f'{k} {v:.0f} ({100 * v / wall:.0f}%' + (f', {rates[k]:.0f} GFLOP/s)'
                                                     if k in rates else ')')
            for k, v in classes.items()))
        gemm_ms = sum(classes[k] for k in GEMM_CLASSES)
        result['bound_with_only_gemms'] = theirs['whole step'] / gemm_ms
        lines.append(f'bound with the dense GEMMs ({" + ".join(GEMM_CLASSES)}, '
                     f'{gemm_ms:.0f} ms) as they are and every other operator taking '
                     f'no time: {result["bound_with_only_gemms"]:.2f}x')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    import mmpretrain  # noqa: F401  (registers mmpretrain.MobileViT)

    import mmmobilevit  # noqa: F401
    from mmmobilevit.utils import keep_freed_memory
    keep_freed_memory()
    results = {}
    for arch in args.archs:
        results[arch] = measure(arch, args)
        print(report(arch, results[arch], args), flush=True)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(args=vars(args), results=results), f, indent=1)


if __name__ == '__main__':
    main()
