"""Runs that used to end badly without a word: a diverged loss, orphaned ranks after the
launcher is killed, two runs in one work dir."""
import glob
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

from helpers import REPO, dist_env, processes_mentioning, run_tool, tool_env

pytestmark = pytest.mark.slow  # tool runs and training

CLS = 'configs/_toy_/resnet18_toy-cls.py'
LONG = ['--cfg-options', 'train_cfg.max_epochs=100']  # far longer than any test waits


def wait_for(predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f'timed out waiting for {what}')


def test_a_non_finite_loss_stops_training_and_names_the_term(toy_data, tmp_path):
    work = str(tmp_path / 'nan')
    config = tmp_path / 'nan_cfg.py'  # the explosion guard would stop it first: warn only
    config.write_text(f"_base_ = '{osp.join(REPO, CLS)}'\n"
                      "custom_hooks = [dict(type='LossExplosionHook', action='warn')]\n")
    proc = run_tool(['tools/train.py', str(config), '--work-dir', work, '--cfg-options',
                     'optim_wrapper.optimizer.lr=1e6'], check=False)
    assert proc.returncode != 0
    assert 'NonFiniteLossError' in proc.stdout
    assert 'non-finite loss loss=nan' in proc.stdout and 'iteration ' in proc.stdout
    assert not glob.glob(osp.join(work, '*.pth'))  # nothing trained on NaN was saved


def test_ranks_die_with_a_killed_launcher(toy_data, tmp_path):
    work = str(tmp_path / 'orphans')
    launcher = subprocess.Popen(
        ['bash', 'tools/dist_train.sh', CLS, '2', '--work-dir', work] + LONG, cwd=REPO,
        env=dist_env(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        ranks = lambda: [p for p in processes_mentioning(work)  # noqa: E731
                         if p != launcher.pid]
        wait_for(lambda: len(ranks()) >= 2 and glob.glob(osp.join(work, '*', '*.log')),
                 240, 'the two ranks to start training')
        os.kill(launcher.pid, signal.SIGKILL)  # what an OOM killer or a scheduler does
        launcher.wait()
        wait_for(lambda: not ranks(), 60, 'the ranks to end with their launcher')
    finally:
        for pid in processes_mentioning(work):
            os.kill(pid, signal.SIGKILL)


def test_a_second_run_in_a_busy_work_dir_stops_at_once(toy_data, tmp_path):
    work = str(tmp_path / 'busy')
    first = subprocess.Popen([sys.executable, 'tools/train.py', CLS, '--work-dir', work]
                             + LONG, cwd=REPO, env=tool_env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: osp.exists(osp.join(work, '.lock'))
                 and glob.glob(osp.join(work, '*', '*.log')), 240, 'the first run')
        start = time.monotonic()
        second = run_tool(['tools/train.py', CLS, '--work-dir', work], check=False)
        assert second.returncode != 0 and time.monotonic() - start < 60
        assert 'WorkDirInUseError' in second.stdout and f'pid {first.pid}' in second.stdout
        assert first.poll() is None  # the first run goes on
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    # the lock dies with its process: a new run may use the work dir
    proc = run_tool(['tools/train.py', CLS, '--work-dir', work, '--cfg-options',
                     'train_cfg.max_epochs=1'])
    assert proc.returncode == 0


def test_a_checkpoint_that_does_not_fit_stops_test_and_train(toy_data, tmp_path):
    """A ResNet-18 file into the MobileViT classifier; a 5-class one into 4 classes."""
    toy = 'configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py'
    r18, five = str(tmp_path / 'r18.pth'), str(tmp_path / 'five.pth')
    run_tool(['tools/misc/init_checkpoint.py', CLS, r18])
    run_tool(['tools/misc/init_checkpoint.py', toy, five, '--cfg-options',
              'model.head.num_classes=5'])
    proc = run_tool(['tools/test.py', toy, r18, '--work-dir', str(tmp_path / 't')],
                    check=False)
    assert proc.returncode == 1
    # the error, cleanly: its type and message, no traceback (that behind --debug)
    assert 'CheckpointMismatchError: the checkpoint' in proc.stdout
    assert 'Traceback' not in proc.stdout and 'add --debug' in proc.stdout
    assert 'checkpoint: a classifier whose backbone is no MobileViT arch' in proc.stdout
    assert 'model:      a mobilevit-xxs classifier, 4 classes' in proc.stdout
    assert 'Epoch(test)' not in proc.stdout  # nothing was evaluated
    debug = run_tool(['tools/test.py', toy, r18, '--work-dir', str(tmp_path / 't'),
                      '--debug'], check=False)
    assert debug.returncode != 0 and 'Traceback' in debug.stdout
    one_epoch = ['train_cfg.max_epochs=1']
    proc = run_tool(['tools/train.py', toy, '--work-dir', str(tmp_path / 'w'),
                     '--cfg-options', f'load_from={five}'] + one_epoch, check=False)
    assert proc.returncode != 0 and 'head.fc.weight (checkpoint [5, 320], model [4, 320])' \
        in proc.stdout
    assert 'Epoch(train)' not in proc.stdout
    proc = run_tool(['tools/train.py', toy, '--work-dir', str(tmp_path / 'w2'),
                     '--cfg-options', f'load_from={five}', 'allow_partial_load=True']
                    + one_epoch)
    assert '(allowed): 309 of 311 model tensors loaded; other shape: head.fc.* (2)' \
        in proc.stdout


def test_a_segmentation_batch_of_one_is_refused_with_what_to_do(toy_data, tmp_path):
    """mmseg's training with one image per process fails deep in BatchNorm ("Expected
    more than 1 value per channel"); ours names the cause and the fix, in one line."""
    proc = run_tool(['tools/train.py', 'configs/_toy_/deeplabv3_mobilevit-xxs_toy-seg.py',
                     '--work-dir', str(tmp_path / 'w'), '--cfg-options',
                     'train_dataloader.batch_size=1', 'train_cfg.max_iters=2'], check=False)
    assert proc.returncode == 1 and 'Traceback' not in proc.stdout
    assert 'BatchTooSmallError: training with 1 image per process' in proc.stdout
    assert 'train_dataloader.batch_size >= 2' in proc.stdout
