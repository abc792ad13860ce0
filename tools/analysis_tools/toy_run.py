"""Train a toy config from scratch and print the lines the README quotes.

    python tools/analysis_tools/toy_run.py [CONFIG] [--work-dir DIR] [--out FILE]
        [--backends onnxruntime executorch-int8 ...] [--calib-images 32]
        [--checkpoint CKPT]

Runs ``tools/train.py CONFIG`` in a fresh work dir, then prints the wall time and the
last validation of the EMA model (what the checkpoints hold) and of the raw model, and
``tools/test.py`` on the final checkpoint. The default CONFIG is the toy multi-scale
classifier (``configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py``). ``--out`` also writes
those lines to FILE (the docs include ``docs/_generated/toy_run_cls.txt``, written so).

``--backends`` also tests the final checkpoint with ``tools/test.py --backend B`` for each
B (onnxruntime, OpenVINO, ExecuTorch, fp32 and int8; int8 calibrated on
``--calib-images`` validation images) and prints each metric beside PyTorch's: how far
each runtime's graph or program moves the toy model's accuracy / bbox mAP / mIoU (the
docs include ``docs/_generated/toy_backends_{cls,det,seg}.txt``). ``--checkpoint`` tests
that checkpoint instead of training one.
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


#: the metrics the backend lines show, where the task reports them
BACKEND_METRICS = ('accuracy/top1', 'coco/bbox_mAP', 'coco/bbox_mAP_50', 'mIoU', 'aAcc')


def tested_metrics(config, checkpoint, work_dir, backend='pytorch', calib_images=32):
    """``tools/test.py CONFIG CHECKPOINT [--backend B]`` in a new process: its metrics."""
    extra = [] if backend == 'pytorch' else ['--backend', backend, '--calib-images',
                                             str(calib_images)]
    run(['tools/test.py', config, checkpoint, '--work-dir', work_dir] + extra)
    return json.load(open(sorted(f for f in glob.glob(osp.join(work_dir, '*', '*.json'))
                                 if 'vis_data' not in f)[-1]))


def backend_lines(config, checkpoint, work, backends, calib_images, reference=None):
    """One line per metric and backend: the backend's value and its change from
    PyTorch's on the same checkpoint (``reference``: PyTorch's metrics, tested here when
    not given)."""
    name = osp.basename(checkpoint)
    if reference is None:
        reference = tested_metrics(config, checkpoint, osp.join(work, 'test_pytorch'))
    lines = [f'tools/test.py on {name}, network run by each backend (int8: '
             f'{calib_images} calibration images):']
    metrics = [k for k in BACKEND_METRICS if k in reference]
    for backend in ['pytorch'] + list(backends):
        start = time.perf_counter()
        got = reference if backend == 'pytorch' else tested_metrics(
            config, checkpoint, osp.join(work, f'test_{backend}'), backend, calib_images)
        digits = {k: 3 if k.startswith('coco/') else 2 for k in metrics}  # mAP: 0 to 1
        change = (lambda k: '') if backend == 'pytorch' else (
            lambda k: f' ({got[k] - reference[k]:+.{digits[k]}f})')
        cells = [f'{k} {got[k]:.{digits[k]}f}{change(k)}' for k in metrics]
        took = '' if backend == 'pytorch' else f'  [{time.perf_counter() - start:.0f} s]'
        lines.append(f'  {backend:<18}' + ', '.join(cells) + took)
        print(lines[-1], flush=True)
    return lines


def main(argv=None):
    from mmmobilevit.deployment.ort_backend import BACKENDS
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', nargs='?',
                        default='configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py')
    parser.add_argument('--work-dir', help='default: a temporary folder')
    parser.add_argument('--out', help='also write the printed lines to this file')
    parser.add_argument('--backends', nargs='+', default=[], metavar='BACKEND',
                        choices=[b for b in BACKENDS if b != 'pytorch'],
                        help='also test the final checkpoint with these tools/test.py '
                        'backends')
    parser.add_argument('--calib-images', type=int, default=32,
                        help='int8 calibration images (with --backends)')
    parser.add_argument('--checkpoint', help='test this checkpoint (with --backends) '
                        'instead of training one')
    args = parser.parse_args(argv)
    if args.checkpoint and not args.backends:
        parser.error('--checkpoint is for --backends')
    if args.calib_images < 1:
        parser.error('--calib-images must be at least 1')
    work = args.work_dir or tempfile.mkdtemp(prefix='toy_run_')
    if osp.exists(work) and os.listdir(work):
        sys.exit(f'{work} is not empty: the run must start from scratch')
    run(['tools/misc/make_toy_data.py', '--out', 'data/toy'])
    if args.checkpoint:
        if not osp.isfile(args.checkpoint):
            sys.exit(f'{args.checkpoint}: no such checkpoint file')
        lines = [f'config: {args.config}', f'checkpoint: {args.checkpoint}']
        lines += backend_lines(args.config, args.checkpoint, work, args.backends,
                               args.calib_images)
        print('\n'.join(lines))
        write_report(args.out, lines)
        return 0
    start = time.perf_counter()
    run(['tools/train.py', args.config, '--work-dir', work])
    seconds = time.perf_counter() - start
    val = last_validation(work)
    metrics = sorted(k[4:] for k in val if k.startswith('raw/'))
    checkpoints = sorted(glob.glob(osp.join(work, 'epoch_*.pth')) +
                         glob.glob(osp.join(work, 'iter_*.pth')),
                         key=lambda p: int(p.rsplit('_', 1)[1].split('.')[0]))
    tested = tested_metrics(args.config, checkpoints[-1], osp.join(work, 'test_final'))
    lines = [f'config: {args.config}',
             f'training: {seconds:.0f} s ({os.cpu_count()} CPU cores), last checkpoint '
             f'{osp.basename(checkpoints[-1])}']
    for name in metrics:
        lines.append(f'last validation (step {val.get("step")}): {name} EMA model '
                     f'{val[name]:.2f}, raw model {val["raw/" + name]:.2f}')
        if name in tested:
            lines.append(f'tools/test.py on {osp.basename(checkpoints[-1])} (EMA weights): '
                         f'{name} {tested[name]:.2f}')
    if args.backends:
        lines += backend_lines(args.config, checkpoints[-1], work, args.backends,
                               args.calib_images, reference=tested)
    print('\n'.join(lines))
    write_report(args.out, lines)
    return 0


if __name__ == '__main__':
    sys.exit(main())
