"""The narrow fixes of mmmobilevit.compat, on the real OpenMMLab objects."""
import os.path as osp

import numpy as np
import pytest
import torch

import mmmobilevit  # noqa: F401
from tests.conftest import REPO


# the anchors of mmdet's stock SSDLite config
ANCHORS = dict(type='SSDAnchorGenerator', scale_major=False, input_size=320,
               strides=[16, 32, 64, 107, 160, 320], ratios=[[2, 3]] * 6,
               min_sizes=[48, 100, 150, 202, 253, 304],
               max_sizes=[100, 150, 202, 253, 304, 320])


def test_mmengine_reads_its_own_checkpoints(tmp_path):
    """torch >= 2.6 refuses mmengine checkpoints with weights_only=True; we load them."""
    from mmengine.logging import HistoryBuffer, MessageHub
    from mmengine.runner.checkpoint import _load_checkpoint, save_checkpoint

    hub = MessageHub.get_instance('compat-test')
    hub.update_scalar('train/loss', 1.5)
    ckpt = dict(
        meta=dict(epoch=1, seed=np.int64(3)),
        state_dict=dict(w=torch.ones(2)),
        message_hub=hub.state_dict())
    assert isinstance(hub.log_scalars['train/loss'], HistoryBuffer)
    path = str(tmp_path / 'epoch_1.pth')
    save_checkpoint(ckpt, path)
    with pytest.raises(Exception):
        torch.load(path)  # what mmengine itself would do on torch >= 2.6
    loaded = _load_checkpoint(path, map_location='cpu')
    assert loaded['meta']['epoch'] == 1
    assert torch.equal(loaded['state_dict']['w'], torch.ones(2))


def test_corrupt_and_missing_checkpoints_give_clear_errors(tmp_path):
    from mmengine.runner.checkpoint import _load_checkpoint, save_checkpoint

    from mmmobilevit.compat.mmengine_checkpoint import CheckpointError
    path = str(tmp_path / 'model.pth')
    save_checkpoint(dict(state_dict=dict(w=torch.zeros(1000))), path)
    data = open(path, 'rb').read()
    truncated = str(tmp_path / 'truncated.pth')
    with open(truncated, 'wb') as f:
        f.write(data[:len(data) // 2])
    with pytest.raises(CheckpointError, match='truncated, corrupt'):
        _load_checkpoint(truncated)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        _load_checkpoint(str(tmp_path / 'nope.pth'))


def test_stock_ssdlite_predicts(toy_data):
    """mmdet 3.3.0's SSDHead never sets loss_cls; its predictions used to raise."""
    from mmdet.apis import inference_detector, init_detector
    from mmdet.models.dense_heads import SSDHead

    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        head = SSDHead(num_classes=3, in_channels=(8, ) * 6, anchor_generator=ANCHORS)
    assert head.loss_cls is None
    cfg = osp.join(REPO, 'configs', '_toy_', 'ssdlite_mobilenetv2_toy-det.py')
    model = init_detector(cfg, checkpoint=None, device='cpu')
    img = osp.join(toy_data, 'coco', 'val2017', '000000000001.jpg')
    result = inference_detector(model, img)
    assert result.pred_instances.bboxes.shape[1] == 4


def test_subclass_keeps_its_loss_cls():
    from mmdet.models.dense_heads import PISASSDHead, SSDHead
    from torch import nn

    class HeadWithLoss(SSDHead):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.loss_cls = nn.Identity()

    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        head = HeadWithLoss(num_classes=3, in_channels=(8, ) * 6, anchor_generator=ANCHORS)
        pisa = PISASSDHead(num_classes=3, in_channels=(8, ) * 6, anchor_generator=ANCHORS)
    assert isinstance(head.loss_cls, nn.Identity)
    assert pisa.loss_cls is None


def test_rng_state_hook_is_reachable_from_every_scope():
    from mmengine.registry import DefaultScope

    from mmmobilevit.engine import RNGStateHook
    for scope in ('mmdet', 'mmseg', 'mmpretrain'):
        registry = __import__(f'{scope}.registry', fromlist=['HOOKS']).HOOKS
        with DefaultScope.overwrite_default_scope(scope):
            hook = registry.build(dict(type='RNGStateHook'))
        assert isinstance(hook, RNGStateHook)


def test_rng_state_round_trip():
    import random

    from mmmobilevit.engine.hooks.rng_state_hook import get_rng_state, set_rng_state
    state = get_rng_state()
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    set_rng_state(state)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == a


def test_missing_dataset_names_path_and_layout(tmp_path):
    from mmengine.config import Config

    from mmmobilevit.utils import DatasetNotFoundError, check_dataset_paths
    cfg = Config(dict(train_dataloader=dict(dataset=dict(
        type='RepeatDataset', times=2,
        dataset=dict(type='CocoDataset', data_root=str(tmp_path / 'coco'),
                     ann_file='annotations/instances_train2017.json',
                     data_prefix=dict(img='train2017/'))))))
    with pytest.raises(DatasetNotFoundError) as err:
        check_dataset_paths(cfg)
    msg = str(err.value)
    assert str(tmp_path / 'coco') in msg and 'instances_train2017.json' in msg
    assert 'Expected layout' in msg
