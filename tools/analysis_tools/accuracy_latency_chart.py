"""Draw ImageNet top-1 against measured latency, ours beside mmpretrain's and timm's.

    python tools/analysis_tools/benchmark.py --archs ARCH ... --out results.json
    python tools/analysis_tools/accuracy_latency_chart.py results.json \
        [--out docs/_static/accuracy_latency.png] [--metric latency_b1_ms]

The accuracy of each arch is its released ImageNet-1k weights' top-1 at 256x256, read
from the metafiles (the publisher's number: the same weights load into every
implementation, so each arch has one accuracy); the latency is the benchmark's median
for each implementation in that one run (same machine, threads and rounds). Prints the
points it draws.
"""
import argparse
import json
import os.path as osp

from mmmobilevit.utils.model_zoo import load_models

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: what is drawn, in this order: (implementation, label, marker)
IMPLS = (('ours', 'mmmobilevit (eager)', 'o'), ('ours-compile', 'mmmobilevit (compiled)', 's'),
         ('onnxruntime', 'mmmobilevit via onnxruntime', 'D'),
         ('mmpretrain', 'mmpretrain', '^'), ('timm', 'timm', 'v'))
METRICS = {'latency_b1_ms': 'batch-1 latency (ms, lower is better)',
           'throughput_b8': 'batch-8 throughput (img/s, higher is better)'}


def top1_of_archs(root=ROOT):
    """``{arch: top-1}`` of the ImageNet-1k classifiers at 256x256 (the metafiles)."""
    out = {}
    for _, model in load_models(root):
        result = model['Results'][0]
        name = model['Name']
        if (result['Task'] == 'Image Classification' and result['Dataset'] == 'ImageNet-1k'
                and name.endswith('_3rdparty_in1k')):
            out[name[:-len('_3rdparty_in1k')]] = float(result['Metrics']['Top 1 Accuracy'])
    return out


def points(report, metric, top1):
    """``{impl: [(arch, metric value, top-1)]}`` of the archs both sources have."""
    out = {}
    for arch, entry in report.items():
        if arch not in top1:
            continue
        for impl, _, _ in IMPLS:
            value = entry['results'].get(impl, {}).get(metric)
            if value is not None:
                out.setdefault(impl, []).append((arch, float(value), top1[arch]))
    return out


def draw(series, metric, title, out):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    for n, (impl, label, marker) in enumerate(IMPLS):
        rows = series.get(impl, [])
        color = f'C{n}'
        # one line per family (v1, v2, v3: an arch's name without its size), by accuracy
        for f, family in enumerate(sorted({arch.rsplit('-', 1)[0] for arch, _, _ in rows})):
            members = sorted((r for r in rows if r[0].rsplit('-', 1)[0] == family),
                             key=lambda r: r[2])
            ax.plot([r[1] for r in members], [r[2] for r in members], marker=marker,
                    color=color, linestyle=('-', '--', ':')[f % 3],
                    label=f'{label}, {family}')
        if impl == 'ours':
            for arch, x, y in rows:
                ax.annotate(arch, (x, y), textcoords='offset points', xytext=(6, -10),
                            fontsize=7)
    ax.set_xlabel(METRICS[metric])
    ax.set_ylabel('ImageNet-1k top-1 % (released weights)')
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('results', help="benchmark.py --out's JSON (--task cls)")
    parser.add_argument('--out', default='accuracy_latency.png')
    parser.add_argument('--metric', choices=sorted(METRICS), default='latency_b1_ms')
    args = parser.parse_args(argv)
    with open(args.results) as f:
        data = json.load(f)
    if data.get('args', {}).get('task', 'cls') != 'cls':
        raise SystemExit(f'{args.results}: a --task cls result is needed, got '
                         f'--task {data["args"]["task"]}')
    series = points(data['report'], args.metric, top1_of_archs())
    if not series:
        raise SystemExit(f'{args.results}: no arch with a released ImageNet-1k accuracy')
    run = data.get('args', {})
    title = (f'{run.get("size", 256)}x{run.get("size", 256)}, {run.get("threads")} CPU '
             f'threads, median of {run.get("rounds")} interleaved rounds '
             '(tools/analysis_tools/benchmark.py)')
    draw(series, args.metric, title, args.out)
    for impl, rows in series.items():
        for arch, value, top1 in rows:
            print(f'{impl:14s} {arch:18s} {args.metric} {value:8.2f}  top-1 {top1:.2f}')
    print(f'chart written to {args.out}')
    return 0


if __name__ == '__main__':
    main()
