"""EMAEvalHook: the paper's update rule on real optimizer steps, both models
validated, the best checkpoint following EMA, and exact resumes."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.dataset import DefaultSampler
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn

import mmmobilevit  # noqa: F401
from helpers import read_test_metrics, run_tool
from mmmobilevit.checkpoint import read_local_checkpoint

TOY = 'configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py'


class _Data(torch.utils.data.Dataset):
    def __len__(self):
        return 24

    def __getitem__(self, i):
        g = torch.Generator().manual_seed(i)
        return dict(inputs=torch.randn(4, generator=g), target=torch.tensor(float(i % 3)))


class _Model(BaseModel):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 1)
        self.bn = nn.BatchNorm1d(1)

    def forward(self, inputs, target=None, mode='tensor'):
        out = self.bn(self.fc(inputs)).squeeze(1)
        if mode == 'loss':
            return dict(loss=((out - target) ** 2).mean())
        return out


class _RecordRaw(Hook):
    """Raw weights (and buffers) after every iteration, and whether it stepped."""
    priority = 'LOWEST'

    def __init__(self):
        self.states = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        stepped = runner.optim_wrapper.should_update()
        state = {k: v.detach().clone() for k, v in runner.model.state_dict().items()}
        self.states.append((stepped, state))


def test_ema_equals_a_hand_computed_ema_under_gradient_accumulation(tmp_path):
    record = _RecordRaw()
    m = 0.1
    runner = Runner(
        model=_Model(), work_dir=str(tmp_path),
        train_dataloader=dict(dataset=_Data(), batch_size=4, num_workers=0,
                              sampler=dict(type=DefaultSampler, shuffle=True, seed=0),
                              collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1), accumulative_counts=2),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        custom_hooks=[dict(type='EMAEvalHook', momentum=m), record],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=100)),
        randomness=dict(seed=0))
    runner.train()
    ema_hook = next(h for h in runner.hooks if type(h).__name__ == 'EMAEvalHook')
    # 12 iterations, 6 optimizer steps: the EMA moved only on those
    steps = [state for stepped, state in record.states if stepped]
    assert len(record.states) == 12 and len(steps) == 6
    expected = {k: v.clone() for k, v in steps[0].items()}  # first update copies
    for state in steps[1:]:
        for k, v in state.items():
            if v.dtype.is_floating_point:
                expected[k] = (1 - m) * expected[k] + m * v
    ema = ema_hook.ema_model.module.state_dict()
    for k, v in expected.items():
        if v.dtype.is_floating_point:  # parameters and BN statistics
            torch.testing.assert_close(ema[k], v, rtol=0, atol=1e-6, msg=k)
    assert int(ema_hook.ema_model.steps) == 6


@pytest.mark.slow
def test_both_models_validated_best_follows_ema_and_evaluates(toy_data, tmp_path):
    work = str(tmp_path / 'work')
    out = run_tool(['tools/train.py', TOY, '--work-dir', work, '--cfg-options',
                    'train_cfg.max_epochs=2']).stdout
    assert 'raw/accuracy/top1' in out and 'raw (non-EMA) model: accuracy/top1' in out
    best = glob.glob(osp.join(work, 'best_accuracy_top1_epoch_*.pth'))
    assert len(best) == 1
    ckpt = read_local_checkpoint(best[0], map_location='cpu')
    raw = {k[len('module.'):]: v for k, v in ckpt['ema_state_dict'].items()
           if k.startswith('module.')}
    diffs = [(ckpt['state_dict'][k] - v).abs().max().item() for k, v in raw.items()
             if v.dtype.is_floating_point]
    assert max(diffs) > 0  # state_dict holds the EMA weights, not the raw ones
    test_dir = str(tmp_path / 'test')
    run_tool(['tools/test.py', TOY, best[0], '--work-dir', test_dir])
    assert 0 <= read_test_metrics(test_dir)['accuracy/top1'] <= 100


@pytest.mark.slow
def test_resumed_run_equals_uninterrupted_one_ema_included(toy_data, tmp_path):
    full, part = str(tmp_path / 'full'), str(tmp_path / 'part')
    run_tool(['tools/train.py', TOY, '--work-dir', full, '--cfg-options',
              'train_cfg.max_epochs=4'])
    run_tool(['tools/train.py', TOY, '--work-dir', part, '--cfg-options',
              'train_cfg.max_epochs=2'])
    run_tool(['tools/train.py', TOY, '--work-dir', part, '--resume', '--cfg-options',
              'train_cfg.max_epochs=4'])
    a = read_local_checkpoint(osp.join(full, 'epoch_4.pth'), map_location='cpu')
    b = read_local_checkpoint(osp.join(part, 'epoch_4.pth'), map_location='cpu')
    for key in ('state_dict', 'ema_state_dict'):
        assert a[key].keys() == b[key].keys()
        for k in a[key]:
            assert torch.equal(a[key][k], b[key][k]), (key, k)
