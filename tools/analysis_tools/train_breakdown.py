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
time. A profile of one of our steps adds the self time of each operator class.

No test asserts a time; the README quotes this script's output.
"""
import argparse
import json
import os.path as osp
import statistics
import sys
from collections import OrderedDict

import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
# the classifiers, arch names and timer of the side-by-side benchmark
from benchmark import MMPRETRAIN_NAMES, _classifier, _median_seconds  # noqa: E402

#: Operator classes of the profile (self CPU time of ``aten::`` ops, forward and backward).
OP_CLASSES = OrderedDict([
    ('conv', ('convolution',)),
    ('batchnorm', ('batch_norm',)),
    ('silu', ('silu',)),
    ('attention (sdpa, bmm, softmax)', ('scaled_dot_product', 'bmm', 'softmax')),
    ('linear (mm, addmm)', ('aten::mm', 'addmm')),
    ('layernorm', ('layer_norm',)),
    ('copies (copy_, cat, clone)', ('copy_', 'aten::cat', 'clone')),
])


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
                        help='skip the operator-class profile of our step')
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
    ours = _classifier(dict(type='MobileViTBackbone', arch=arch, drop_rate=0.), channels)
    theirs = _classifier(dict(type='mmpretrain.MobileViT', arch=MMPRETRAIN_NAMES[arch]),
                         channels)
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


def profile_classes(step, calls=2):
    """Self CPU ms per step of each operator class (and the rest) in ``step``."""
    from torch.profiler import ProfilerActivity, profile
    step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(calls):
            step()
    totals = OrderedDict((name, 0.) for name in OP_CLASSES)
    totals['other'] = 0.
    for event in prof.key_averages():
        if not event.key.startswith('aten::'):
            continue
        ms = event.self_cpu_time_total / 1e3 / calls
        for name, needles in OP_CLASSES.items():
            if any(n in event.key for n in needles):
                totals[name] += ms
                break
        else:
            totals['other'] += ms
    return totals


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
    for r in range(args.rounds):
        for name in steps['ours']:
            for impl in steps:  # interleaved, part by part
                times[impl][name].append(
                    1e3 * _median_seconds(steps[impl][name], args.iters, 1))
        print(f'[train_breakdown] {arch}: round {r + 1}/{args.rounds}', file=sys.stderr,
              flush=True)
    med = {impl: {n: statistics.median(v) for n, v in t.items()}
           for impl, t in times.items()}
    result = dict(parts=names, median_ms=med)
    if not args.no_profile:
        result['ours_op_classes_ms'] = profile_classes(steps['ours']['whole step'])
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
        classes = result['ours_op_classes_ms']
        total = sum(classes.values())
        lines.append('ours, profiled step (self CPU ms of aten ops, forward + backward): '
                     + ', '.join(f'{k} {v:.0f} ({100 * v / total:.0f}%)'
                                 for k, v in classes.items()))
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
