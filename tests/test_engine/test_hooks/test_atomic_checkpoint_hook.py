"""Checkpoints are whole or absent: a save that fails midway (a full disk: the OS refuses
the write past a file-size limit) leaves the previous checkpoint set and
``last_checkpoint`` as they were, never a torn ``epoch_N.pth``; the next run removes what
a killed save left behind."""
import os
import os.path as osp
import resource
import signal

import pytest
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

import mmmobilevit  # noqa: F401
from helpers import REPO
from mmmobilevit.checkpoint import read_local_checkpoint
from mmmobilevit.checkpoint.io import ATOMIC_TMP_PREFIX
from mmmobilevit.utils import use_atomic_checkpoints

TOY_CLS = osp.join(REPO, 'configs', '_toy_', 'mobilevit-xxs_toy-multiscale-cls.py')


class DiskFullAtSecondSave(Hook):
    """From the second save on, the OS refuses to write a file past half the first
    checkpoint's size (``RLIMIT_FSIZE``; ``SIGXFSZ`` ignored, so ``write`` fails with
    ``EFBIG`` as on a full disk)."""

    def __init__(self, work_dir):
        self.work_dir, self.saves = work_dir, 0

    def before_save_checkpoint(self, runner, checkpoint):
        self.saves += 1
        if self.saves == 2:
            size = os.path.getsize(osp.join(self.work_dir, 'epoch_1.pth'))
            resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, resource.RLIM_INFINITY))


def _runner(work, **options):
    cfg = Config.fromfile(TOY_CLS)
    cfg.work_dir = work
    cfg.experiment_name = f'atomic_{len(os.listdir(work)) if osp.isdir(work) else 0}_' + \
        osp.basename(osp.dirname(work))  # its own (mmengine reuses a same-named scope)
    cfg.merge_from_dict({'train_cfg.max_epochs': 2, 'train_cfg.val_interval': 10,
                         'default_hooks.logger.interval': 100, **options})
    return Runner.from_cfg(cfg)


@pytest.mark.slow  # two short trainings
def test_a_save_that_fails_midway_leaves_the_previous_set(toy_data, tmp_path):
    work = str(tmp_path / 'work')
    runner = _runner(work)
    runner.register_hook(DiskFullAtSecondSave(work), priority='VERY_LOW')
    limits, handler = resource.getrlimit(resource.RLIMIT_FSIZE), signal.getsignal(signal.SIGXFSZ)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        with pytest.raises(OSError):  # EFBIG: the disk is "full"
            runner.train()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)
    files = sorted(os.listdir(work))
    assert 'epoch_2.pth' not in files, files  # not a torn file under the final name
    assert not [f for f in files if f.startswith(ATOMIC_TMP_PREFIX)], files
    with open(osp.join(work, 'last_checkpoint')) as f:
        assert f.read() == osp.join(work, 'epoch_1.pth')
    assert read_local_checkpoint(osp.join(work, 'epoch_1.pth'))['meta']['epoch'] == 1

    # a killed save's temporary file is removed by the next run, which resumes and saves
    stale = osp.join(work, ATOMIC_TMP_PREFIX + 'epoch_2.pth.x1y2z3')
    open(stale, 'wb').write(b'half a checkpoint')
    _runner(work, resume=True).train()
    assert not osp.exists(stale)
    assert read_local_checkpoint(osp.join(work, 'epoch_2.pth'))['meta']['epoch'] == 2
    with open(osp.join(work, 'last_checkpoint')) as f:
        assert f.read() == osp.join(work, 'epoch_2.pth')


def test_train_tool_upgrades_a_plain_local_checkpoint_hook():
    cfg = Config(dict(default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2))))
    assert use_atomic_checkpoints(cfg)
    assert cfg.default_hooks.checkpoint == dict(type='AtomicCheckpointHook', interval=2)
    remote = Config(dict(default_hooks=dict(checkpoint=dict(
        type='CheckpointHook', out_dir='s3://bucket/run'))))
    assert not use_atomic_checkpoints(remote)  # a remote store is left as configured
    assert remote.default_hooks.checkpoint.type == 'CheckpointHook'
