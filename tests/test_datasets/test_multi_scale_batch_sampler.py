"""The multi-scale batch sampler: batch-size rules, the per-epoch plan, and real
single- and two-process (gloo) training with it."""
import json
import os.path as osp
import shutil

import pytest
import torch
from mmengine.dataset import DefaultSampler

import mmmobilevit  # noqa: F401
from helpers import REPO, dist_env, read_test_metrics, run_tool
from mmmobilevit.datasets import (EmptyPlanError, MultiScaleBatchSampler, batch_size_table,
                                  plan_batch_counts)

IMAGENET = [160, 192, 256, 288, 320]
TOY = 'configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py'


@pytest.fixture
def recording_config(tmp_path):
    """The toy config plus a hook that records every rank's batch shapes."""
    path = tmp_path / 'recording_cfg.py'
    path.write_text(
        f"_base_ = '{osp.join(REPO, TOY)}'\n"
        "custom_imports = dict(imports=['mmmobilevit', 'helpers.record_batches_hook'],"
        " allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='EMAEvalHook', ema_type='mmdet.ExpMomentumEMA',"
        " momentum=0.02, gamma=20, priority=49), dict(type='BatchShapeLogHook'),"
        " dict(type='RNGStateHook'), dict(type='RecordBatchesHook')]\n")
    return str(path)


def test_batch_size_tables_of_the_paper_and_ml_cvnets():
    # ml-cvnets v0.1 (released weights): base 256 with 128, floor at 128, multiple of 8
    assert batch_size_table(IMAGENET, 256, 128, rounding='round', floor_at_base=True,
                            batch_size_multiple=8) == [328, 224, 128, 128, 128]
    # ml-cvnets main: no floor, no rounding
    assert batch_size_table(IMAGENET, 256, 128) == [327, 227, 128, 101, 81]
    # the paper: b = 128 at the largest resolution
    assert batch_size_table(IMAGENET, 320, 128) == [512, 355, 200, 158, 128]
    for rule, base, expected in (('mlcvnets-v0.1', 256, [328, 224, 128, 128, 128]),
                                 ('mlcvnets', 256, [327, 227, 128, 101, 81]),
                                 ('paper', 320, [512, 355, 200, 158, 128])):
        sampler = MultiScaleBatchSampler(list(range(4096)), 128, resolutions=IMAGENET,
                                         base_resolution=base, rule=rule)
        assert sampler.batch_sizes == expected


def test_clear_errors():
    with pytest.raises(ValueError, match='not a multiple of size_multiple=32'):
        MultiScaleBatchSampler(list(range(10)), 8, resolutions=[160, 250])
    with pytest.raises(ValueError, match='batch size at 320x320 would be 0'):
        MultiScaleBatchSampler(list(range(10)), 2, resolutions=[160, 320],
                               base_resolution=160, rule='paper')


def test_min_max_num_resolutions():
    s = MultiScaleBatchSampler(list(range(100)), 8, min_resolution=160,
                               max_resolution=320, num_resolutions=5, base_resolution=256)
    assert [r[0] for r in s.resolutions] == [160, 192, 256, 288, 320]


class _Dataset:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def test_fixed_deterministic_plan():
    sampler = DefaultSampler(_Dataset(1000), shuffle=True, seed=3)
    bs = MultiScaleBatchSampler(sampler, 16, resolutions=[32, 64, 96], base_resolution=64)
    plans = []
    for epoch in (0, 1, 0):
        sampler.set_epoch(epoch)
        plan = list(bs)
        assert len(plan) == len(bs)
        for batch in plan:
            (res, ) = {r for _, r in batch}
            assert len(batch) == bs.batch_sizes[bs.resolutions.index(res)]
        # the resolutions are drawn (almost) uniformly per batch, as in the paper
        per_res = [sum(b[0][1] == r for b in plan) for r in bs.resolutions]
        assert max(per_res) - min(per_res) <= 1
        # and every sample but fewer than the largest batch is used, each once
        used = [i for batch in plan for i, _ in batch]
        assert len(set(used)) == len(used) > 1000 - max(bs.batch_sizes)
        plans.append(plan)
    assert plans[0] == plans[2]  # deterministic from seed and epoch
    assert [b[0][1] for b in plans[0]] != [b[0][1] for b in plans[1]]  # reshuffled


TABLES = ([32, 8, 8], [40, 24, 16, 16, 16], [16], [64, 48, 16], [5, 3, 2])


def test_plan_uses_all_but_less_than_a_batch_for_every_size():
    """Arithmetic over dataset sizes 1..2000 and 1..8 ranks (mmengine's DefaultSampler
    gives every rank ceil(n / world_size) samples)."""
    for sizes in TABLES:
        for n in range(1, 2001):
            for world_size in range(1, 9):
                per_rank = -(-n // world_size)
                counts = plan_batch_counts(per_rank, sizes)
                left = per_rank - sum(b * c for b, c in zip(sizes, counts))
                assert 0 <= left < max(sizes), (sizes, n, world_size, counts)
                assert max(counts) - min(counts) <= 1
                assert (sum(counts) == 0) == (per_rank < min(sizes))


class _RankSampler:
    """mmengine's DefaultSampler for one rank of ``world_size`` without a process group."""

    def __init__(self, n, rank, world_size, seed=5):
        self.n, self.rank, self.world_size, self.seed, self.epoch = n, rank, world_size, seed, 0
        self.num_samples = -(-n // world_size)

    def __len__(self):
        return self.num_samples

    def __iter__(self):
        order = torch.randperm(self.n, generator=torch.Generator().manual_seed(
            self.seed + self.epoch)).tolist()
        order = (order * self.world_size)[:self.num_samples * self.world_size]
        return iter(order[self.rank::self.world_size])


@pytest.mark.parametrize('n,world_size', [(1, 1), (7, 1), (57, 2), (160, 2), (333, 3),
                                          (1000, 8), (2000, 5)])
def test_ranks_agree_and_epochs_are_alike(n, world_size):
    lengths, covered = set(), set()
    for epoch in range(3):
        sequences = []
        for rank in range(world_size):
            sampler = _RankSampler(n, rank, world_size)
            sampler.epoch = epoch
            bs = MultiScaleBatchSampler(sampler, 4, resolutions=[32, 64, 96],
                                        base_resolution=64, rule='mlcvnets')  # 16, 4, 1
            plan = list(bs)
            lengths.add(len(plan))
            assert len(plan) == len(bs)
            sequences.append([b[0][1] for b in plan])
            covered.update(i for b in plan for i, _ in b)
        assert all(s == sequences[0] for s in sequences)  # same resolution sequence
    assert len(lengths) == 1  # same batch count on every rank and every epoch
    assert len(covered) > n - 3 * max(bs.batch_sizes) * world_size


def test_tiny_dataset_and_uneven_ranks_are_refused():
    with pytest.raises(EmptyPlanError, match=r'this rank has 20 samples per epoch, fewer '
                       r'than the smallest batch size \(32 at 64x64\)'):
        MultiScaleBatchSampler(list(range(20)), 32, resolutions=[64, 128],
                               base_resolution=64)
    sampler = DefaultSampler(_Dataset(11), shuffle=False, round_up=False)
    sampler.world_size = 2  # as on a 2-rank run
    with pytest.raises(ValueError, match='round_up=True'):
        MultiScaleBatchSampler(sampler, 2, resolutions=[32, 64], base_resolution=64,
                               rule='mlcvnets')


def test_drop_last_false_keeps_the_rest_in_one_small_batch():
    bs = MultiScaleBatchSampler(list(range(50)), 8, resolutions=[32, 64], base_resolution=64,
                                rule='mlcvnets', drop_last=False)  # 32 and 8
    plan = list(bs)
    assert len(plan) == len(bs)
    assert sorted(i for b in plan for i, _ in b) == list(range(50))


def test_an_empty_plan_stops_the_dataloader_build(toy_data):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner
    cfg = Config.fromfile(osp.join(REPO, TOY))
    cfg.train_dataloader.batch_size = 200  # 160 toy images; 200 at 64x64 and 96x96
    cfg.train_dataloader.dataset.dataset.data_root = osp.join(REPO, 'data/toy/imagenet')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        with pytest.raises(EmptyPlanError, match='fewer than the smallest batch size'):
            Runner.build_dataloader(cfg.train_dataloader)


def _load(work, rank):
    with open(osp.join(work, f'batches_rank{rank}.json')) as f:
        return json.load(f)


@pytest.mark.slow
def test_trains_with_the_sampler_and_learns(toy_data, recording_config, tmp_path):
    work = str(tmp_path / 'work')
    out = run_tool(['tools/train.py', recording_config, '--work-dir', work]).stdout
    assert 'resolution: batch size x batches: 32x32: 32 x ' in out
    assert 'resolution: ' in out and 'batch_size: ' in out  # logged per iteration
    rec = _load(work, 0)
    for epoch in map(str, range(12)):
        assert len(rec[epoch]) == rec['len']  # the loop ran len() iterations
        assert {(h, b) for h, w, b in rec[epoch]} == {(32, 32), (64, 8), (96, 8)}
    test_dir = str(tmp_path / 'test')
    run_tool(['tools/test.py', TOY, osp.join(work, 'epoch_12.pth'), '--work-dir', test_dir])
    top1 = read_test_metrics(test_dir)['accuracy/top1']
    assert top1 > 80.0, top1  # chance is 25 (4 classes)


@pytest.mark.slow
def test_two_processes_draw_the_same_plan_and_resume(toy_data, recording_config, tmp_path):
    def dist_train(work, *options):
        env = dist_env()
        run_tool(['tools/dist_train.sh', recording_config, '2', '--work-dir', work,
                  '--cfg-options'] + list(options), env=env)

    full = str(tmp_path / 'full')
    dist_train(full, 'train_cfg.max_epochs=2', 'train_cfg.val_interval=10')
    r0, r1 = _load(full, 0), _load(full, 1)
    assert r0['len'] == r1['len']
    for epoch in ('0', '1'):
        assert len(r0[epoch]) == len(r1[epoch]) == r0['len']
        assert [s[:2] for s in r0[epoch]] == [s[:2] for s in r1[epoch]]  # same sequence
        assert {s[0] for s in r0[epoch]} == {32, 64, 96}  # every logged resolution used
    # a run resumed from the epoch-1 checkpoint replays the same epoch-2 plan
    part = tmp_path / 'part'
    part.mkdir()
    shutil.copy(osp.join(full, 'epoch_1.pth'), part / 'epoch_1.pth')
    dist_train(str(part), 'train_cfg.max_epochs=2', 'train_cfg.val_interval=10',
               'resume=True', f'load_from={part / "epoch_1.pth"}')
    resumed0, resumed1 = _load(str(part), 0), _load(str(part), 1)
    assert '0' not in resumed0  # it did resume
    assert resumed0['1'] == r0['1'] and resumed1['1'] == r1['1']
