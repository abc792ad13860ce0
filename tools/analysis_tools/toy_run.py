"""Train a toy config from scratch and print the lines the README quotes.

    python tools/analysis_tools/toy_run.py [CONFIG] [--work-dir DIR] [--out FILE]

Runs ``tools/train.py CONFIG`` in a fresh work dir, then prints the wall time and the
last validation of the EMA model (what the checkpoints hold) and of the raw model, and
``tools/test.py`` on the final checkpoint. The default CONFIG is the toy multi-scale
classifier (``configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py``). ``--out`` also writes
those lines to FILE (the docs include ``docs/_generated/toy_run_cls.txt``, written so).
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

from mmmobilevit.analysis.report import write_report

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def run(args):
    proc = subprocess.run([sys.executable] + args, cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if proc.returncode:
        sys.exit(f'{" ".join(args)} failed:\n{proc.stdout[-4000:]}')
    return proc.stdout


def last_validation(work_dir):
    """The last line of the training's scalars that holds a raw/ metric."""
    lines = [json.loads(line)
             for f in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
             for line in open(f)]
    vals = [v for v in lines if any(k.startswith('raw/') for k in v)]
    if not vals:
        sys.exit(f'no validation with raw/ metrics under {work_dir}')
    return vals[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', nargs='?',
                        default='configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py')
    parser.add_argument('--work-dir', help='default: a temporary folder')
    parser.add_argument('--out', help='also write the printed lines to this file')
    args = parser.parse_args(argv)
    work = args.work_dir or tempfile.mkdtemp(prefix='toy_run_')
    if osp.exists(work) and os.listdir(work):
        sys.exit(f'{work} is not empty: the run must start from scratch')
    run(['tools/misc/make_toy_data.py', '--out', 'data/toy'])
    start = time.perf_counter()
    run(['tools/train.py', args.config, '--work-dir', work])
    seconds = time.perf_counter() - start
    val = last_validation(work)
    metrics = sorted(k[4:] for k in val if k.startswith('raw/'))
    checkpoints = sorted(glob.glob(osp.join(work, 'epoch_*.pth')) +
                         glob.glob(osp.join(work, 'iter_*.pth')),
                         key=lambda p: int(p.rsplit('_', 1)[1].split('.')[0]))
    test_dir = osp.join(work, 'test_final')
    run(['tools/test.py', args.config, checkpoints[-1], '--work-dir', test_dir])
    tested = json.load(open(sorted(f for f in glob.glob(osp.join(test_dir, '*', '*.json'))
                                   if 'vis_data' not in f)[-1]))
    lines = [f'config: {args.config}',
             f'training: {seconds:.0f} s ({os.cpu_count()} CPU cores), last checkpoint '
             f'{osp.basename(checkpoints[-1])}']
    for name in metrics:
        lines.append(f'last validation (step {val.get("step")}): {name} EMA model '
                     f'{val[name]:.2f}, raw model {val["raw/" + name]:.2f}')
        if name in tested:
            lines.append(f'tools/test.py on {osp.basename(checkpoints[-1])} (EMA weights): '
                         f'{name} {tested[name]:.2f}')
    print('\n'.join(lines))
    write_report(args.out, lines)
    return 0


if __name__ == '__main__':
    sys.exit(main())
