"""tools/train.py, tools/test.py and tools/dist_train.sh end to end, with stock
mmpretrain / mmdet / mmseg models on the toy data and the real metrics."""
import glob
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from helpers import REPO, read_test_metrics, run_tool, tool_env
from mmmobilevit.checkpoint import read_local_checkpoint

pytestmark = pytest.mark.slow  # tool runs and training

CLS = 'configs/_toy_/resnet18_toy-cls.py'
DET = 'configs/_toy_/ssdlite_mobilenetv2_toy-det.py'
SEG = 'configs/_toy_/deeplabv3_r18_toy-seg.py'


def last_checkpoint(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def test_classifier_train_resume_test(toy_data, tmp_path):
    work = str(tmp_path / 'cls')
    run_tool(['tools/train.py', CLS, '--work-dir', work,
              '--cfg-options', 'train_cfg.max_epochs=2'])
    assert last_checkpoint(work).endswith('epoch_2.pth')
    # resume the finished run for one more epoch
    out = run_tool(['tools/train.py', CLS, '--work-dir', work, '--resume',
                    '--cfg-options', 'train_cfg.max_epochs=3']).stdout
    assert 'resumed epoch: 2' in out, out[-3000:]
    assert last_checkpoint(work).endswith('epoch_3.pth')
    test_dir = str(tmp_path / 'cls_test')
    run_tool(['tools/test.py', CLS, last_checkpoint(work), '--work-dir', test_dir,
              '--out', str(tmp_path / 'preds.pkl')])
    metrics = read_test_metrics(test_dir)
    assert 0.0 <= metrics['accuracy/top1'] <= 100.0
    assert osp.getsize(tmp_path / 'preds.pkl') > 0


def test_detector_train_resume_test(toy_data, tmp_path):
    work = str(tmp_path / 'det')
    run_tool(['tools/train.py', DET, '--work-dir', work,
              '--cfg-options', 'train_cfg.max_epochs=1'])
    out = run_tool(['tools/train.py', DET, '--work-dir', work, '--resume',
                    '--cfg-options', 'train_cfg.max_epochs=2']).stdout
    assert 'resumed epoch: 1' in out, out[-3000:]
    test_dir = str(tmp_path / 'det_test')
    show_dir = str(tmp_path / 'det_show')
    run_tool(['tools/test.py', DET, last_checkpoint(work), '--work-dir', test_dir,
              '--show-dir', show_dir, '--out', str(tmp_path / 'dets.pkl')])
    metrics = read_test_metrics(test_dir)
    assert 'coco/bbox_mAP' in metrics and -1.0 <= metrics['coco/bbox_mAP'] <= 1.0
    assert glob.glob(osp.join(show_dir, '**', '*.jpg'), recursive=True)


def test_segmentor_train_resume_test(toy_data, tmp_path):
    work = str(tmp_path / 'seg')
    run_tool(['tools/train.py', SEG, '--work-dir', work,
              '--cfg-options', 'train_cfg.max_iters=6'])
    assert last_checkpoint(work).endswith('iter_6.pth')
    out = run_tool(['tools/train.py', SEG, '--work-dir', work, '--resume',
                    '--cfg-options', 'train_cfg.max_iters=12']).stdout
    assert 'resumed epoch: 0, iter: 6' in out, out[-3000:]
    assert last_checkpoint(work).endswith('iter_12.pth')
    test_dir = str(tmp_path / 'seg_test')
    run_tool(['tools/test.py', SEG, last_checkpoint(work), '--work-dir', test_dir])
    metrics = read_test_metrics(test_dir)
    assert 0.0 <= metrics['mIoU'] <= 100.0


def _train_until_first_checkpoint_then_kill(work):
    """Start a training run and kill it once epoch_1.pth is completely written."""
    proc = subprocess.Popen(
        [sys.executable, 'tools/train.py', CLS, '--work-dir', work], cwd=REPO,
        env=tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.time() + 300
    marker = osp.join(work, 'last_checkpoint')
    try:
        while time.time() < deadline and proc.poll() is None:
            if osp.exists(marker) and last_checkpoint(work).endswith('epoch_1.pth'):
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert osp.exists(osp.join(work, 'epoch_1.pth'))


def test_interrupted_run_resumes_to_the_same_weights(toy_data, tmp_path):
    full = str(tmp_path / 'full')
    run_tool(['tools/train.py', CLS, '--work-dir', full])
    interrupted = str(tmp_path / 'interrupted')
    _train_until_first_checkpoint_then_kill(interrupted)
    run_tool(['tools/train.py', CLS, '--work-dir', interrupted,
              '--resume', osp.join(interrupted, 'epoch_1.pth')])

    # both read with weights_only=True (WeightsOnlyCheckpointHook, added by train.py)
    full_ckpt = read_local_checkpoint(osp.join(full, 'epoch_3.pth'), map_location='cpu')
    resumed = read_local_checkpoint(osp.join(interrupted, 'epoch_3.pth'), map_location='cpu')
    a, b = full_ckpt['state_dict'], resumed['state_dict']
    assert a.keys() == b.keys()
    diffs = {k: (a[k].float() - b[k].float()).abs().max().item() for k in a}
    assert max(diffs.values()) == 0.0, sorted(diffs.items(), key=lambda x: -x[1])[:5]
    # the message hub's loss and lr histories continued exactly too (timings differ)
    hub_a, hub_b = (c['message_hub']['log_scalars'] for c in (full_ckpt, resumed))
    keys = [k for k in hub_a if 'loss' in k or k.endswith('lr')]
    assert keys and all(k in hub_b for k in keys)
    for k in keys:
        for field in ('log_history', 'count_history'):
            assert np.array_equal(hub_a[k][field], hub_b[k][field]), (k, field)


def test_missing_dataset_fails_clearly(tmp_path):
    proc = run_tool(['tools/train.py', CLS, '--work-dir', str(tmp_path),
                     '--cfg-options',
                     f'train_dataloader.dataset.data_root={tmp_path}/imagenet'],
                    check=False)
    assert proc.returncode != 0
    assert 'DatasetNotFoundError' in proc.stdout and f'{tmp_path}/imagenet' in proc.stdout
