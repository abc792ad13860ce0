"""LossExplosionHook: a finite loss that diverges (a learning rate far too high) stops
the run naming the iteration, the values and the lr, before a checkpoint is saved; or,
configured so, warns once and trains on."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import mmmobilevit  # noqa: F401
from helpers import REPO
from mmmobilevit.engine.hooks import LossExplosionError, LossExplosionHook

TOY_CLS = osp.join(REPO, 'configs', '_toy_', 'mobilevit-xxs_toy-multiscale-cls.py')


def _runner(work, hook=None):
    cfg = Config.fromfile(TOY_CLS)
    cfg.work_dir = work
    # its own name: mmengine reuses the registry scope of an earlier runner whose name
    # (config name + the second it started) is the same
    cfg.experiment_name = f'loss_explosion_{osp.basename(osp.dirname(work))}'
    cfg.merge_from_dict({'train_cfg.max_epochs': 1, 'train_cfg.val_interval': 10,
                         'optim_wrapper.optimizer.lr': 1e4,  # far too high
                         'optim_wrapper.optimizer.weight_decay': 0.})
    if hook is not None:
        cfg.custom_hooks = [h for h in cfg.custom_hooks if h['type'] != 'LossExplosionHook']
        cfg.custom_hooks.append(hook)
    return Runner.from_cfg(cfg)


@pytest.mark.slow  # a Runner trains
def test_a_diverging_loss_stops_the_run_before_a_checkpoint(toy_data, tmp_path):
    work = str(tmp_path / 'work')
    with pytest.raises(LossExplosionError,
                       match=r'iteration \d+ \(epoch 1\): the loss exploded: its mean over the '
                             r'last \d+ iterations, .* times its early value .* \(limit '
                             r'100x\), at lr 1e\+04'):
        _runner(work).train()  # the shipped config lists the hook
    assert not glob.glob(osp.join(work, '*.pth'))


@pytest.mark.slow  # a whole (short) epoch
def test_warn_trains_on_and_says_it_once(toy_data, tmp_path, capsys):
    runner = _runner(str(tmp_path / 'work'), dict(type='LossExplosionHook', action='warn'))
    runner.train()
    out = capsys.readouterr()
    assert (out.out + out.err).count('the loss exploded') == 1
    assert osp.exists(osp.join(str(tmp_path / 'work'), 'epoch_1.pth'))


def test_bad_arguments_are_refused():
    for kwargs, message in ((dict(factor=1), 'factor must be > 1'),
                            (dict(window=0), 'window must be >= 1'),
                            (dict(action='ignore'), "action must be 'stop' or 'warn'")):
        with pytest.raises(ValueError, match=message):
            LossExplosionHook(**kwargs)
