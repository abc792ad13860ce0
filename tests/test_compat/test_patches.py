"""mmmobilevit.compat: the registry, and each fix shown against the upstream bug."""
import os.path as osp
import re

import numpy as np
import pytest
import torch

import mmmobilevit  # noqa: F401
from helpers import REPO
from mmmobilevit import compat

# the anchors of mmdet's stock SSDLite config
ANCHORS = dict(type='SSDAnchorGenerator', scale_major=False, input_size=320,
               strides=[16, 32, 64, 107, 160, 320], ratios=[[2, 3]] * 6,
               min_sizes=[48, 100, 150, 202, 253, 304],
               max_sizes=[100, 150, 202, 253, 304, 320])


@pytest.fixture
def restore_patches():
    """Whatever a test applies or removes, the process gets back its patch state: the
    one the configs' ``custom_imports`` give it (their import of ``compat.enable`` runs
    once per process, so a removal would outlive the test)."""
    import mmmobilevit.compat.enable  # noqa: F401
    before = compat.active_patches()
    yield
    compat.remove_patches()
    compat.apply_patches(before)


def test_registry_lists_checks_versions_and_refuses_unknown_names(restore_patches):
    names = [p.name for p in compat.available_patches()]
    assert names == ['mmengine-checkpoint-loader']
    for patch in compat.available_patches():
        assert patch.target and patch.reason and patch.requires
        assert patch.check_versions() is None  # the pinned stack is in range
    with pytest.raises(KeyError, match='unknown patches'):
        compat.apply_patches(['no-such-patch'])
    with pytest.raises(KeyError, match='registered already'):
        compat.register_patch(compat.available_patches()[0])

    undone = []
    out_of_range = compat.Patch(name='test-out-of-range', target='nothing', reason='test',
                                requires={'mmengine': ('0.0.1', '0.0.2')},
                                apply=lambda: undone.append)
    compat.register_patch(out_of_range)
    try:
        assert 'outside' in out_of_range.check_versions()
        assert 'test-out-of-range' not in compat.apply_patches(['test-out-of-range'])
    finally:
        compat.patch._PATCHES.pop('test-out-of-range')


def _mmengine_checkpoint(path):
    """What mmengine 0.10.7 writes: numpy in meta, HistoryBuffer in the message hub."""
    from mmengine.logging import MessageHub
    from mmengine.runner.checkpoint import save_checkpoint
    hub = MessageHub.get_instance('compat-test')
    hub.update_scalar('train/loss', 1.5)
    save_checkpoint(dict(meta=dict(epoch=1, seed=np.int64(3)),
                         state_dict=dict(w=torch.ones(2)),
                         message_hub=hub.state_dict()), path)


def test_checkpoint_loader_bug_and_fix(tmp_path, restore_patches):
    """mmengine's loader calls bare torch.load: since torch 2.6 it refuses numpy content;
    ours reads weights-only files, numpy included, and converts public layouts."""
    from mmengine.runner.checkpoint import _load_checkpoint, save_checkpoint

    from mmmobilevit.checkpoint import UnsafeCheckpointError
    path = str(tmp_path / 'numpy.pth')
    save_checkpoint(dict(meta=dict(epoch=1, seed=np.int64(3), arr=np.arange(3)),
                         state_dict=dict(w=torch.ones(2))), path)
    compat.remove_patches(['mmengine-checkpoint-loader'])
    with pytest.raises(Exception, match='Weights only load failed'):
        _load_checkpoint(path, map_location='cpu')  # the upstream bug
    compat.apply_patches(['mmengine-checkpoint-loader'])
    loaded = _load_checkpoint(path, map_location='cpu')
    assert loaded['meta']['seed'] == 3 and list(loaded['meta']['arr']) == [0, 1, 2]

    # a checkpoint whose unpickling needs code (mmengine's HistoryBuffer) is refused
    unsafe = str(tmp_path / 'epoch_1.pth')
    _mmengine_checkpoint(unsafe)
    with pytest.raises(UnsafeCheckpointError, match='--trust-checkpoint'):
        _load_checkpoint(unsafe, map_location='cpu')


def test_checkpoint_loader_errors(tmp_path, restore_patches):
    from mmengine.runner.checkpoint import _load_checkpoint, save_checkpoint

    from mmmobilevit.checkpoint import CheckpointError
    compat.apply_patches(['mmengine-checkpoint-loader'])
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


def test_ssd_head_bug_and_our_subclass(toy_data):
    """mmdet 3.3.0's SSDHead never sets loss_cls: predicting raises AttributeError. The
    toy MobileNetV2 baseline uses MMDetSSDHead, which sets it; SSDHead stays as shipped."""
    from mmdet.apis import inference_detector, init_detector
    from mmdet.models.dense_heads import SSDHead
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmmobilevit.models import MMDetSSDHead
    init = SSDHead.__init__
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_toy_', 'ssdlite_mobilenetv2_toy-det.py'))
    img = osp.join(toy_data, 'coco', 'val2017', '000000000001.jpg')
    assert cfg.model.bbox_head.type == 'MMDetSSDHead'
    model = init_detector(cfg, checkpoint=None, device='cpu')
    assert type(model.bbox_head) is MMDetSSDHead and model.bbox_head.loss_cls is None
    assert inference_detector(model, img).pred_instances.bboxes.shape[1] == 4
    cfg.model.bbox_head.type = 'SSDHead'
    model = init_detector(cfg, checkpoint=None, device='cpu')
    with pytest.raises(AttributeError, match='loss_cls'):
        inference_detector(model, img)  # the upstream bug, untouched
    assert SSDHead.__init__ is init
    with DefaultScope.overwrite_default_scope('mmdet'):
        assert MMDetSSDHead(num_classes=3, in_channels=(8, ) * 6,
                            anchor_generator=ANCHORS).loss_cls is None


def test_mmdet_ssd_head_keeps_a_subclass_loss_cls():
    from mmengine.registry import DefaultScope
    from torch import nn

    from mmmobilevit.models import MMDetSSDHead

    class HeadWithLoss(MMDetSSDHead):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.loss_cls = nn.Identity()

    with DefaultScope.overwrite_default_scope('mmdet'):
        head = HeadWithLoss(num_classes=3, in_channels=(8, ) * 6, anchor_generator=ANCHORS)
    assert isinstance(head.loss_cls, nn.Identity)


TOY_CLS = osp.join(REPO, 'configs', '_toy_', 'mobilevit-xxs_toy-multiscale-cls.py')
TOY_DET = osp.join(REPO, 'configs', '_toy_', 'ssdlite_mobilevit-xxs_toy-det.py')
TOY_SEG = osp.join(REPO, 'configs', '_toy_', 'deeplabv3_mobilevit-xxs_toy-seg.py')
TOY_R18 = osp.join(REPO, 'configs', '_toy_', 'resnet18_toy-cls.py')


def test_init_apis_refuse_a_checkpoint_that_does_not_fit_our_models(initial_weights):
    """Upstream, a checkpoint of another model loads with warnings and gives a partly
    random model; our top-level models refuse it through every init API, naming both
    sides and the file; models that are not ours load it as upstream does."""
    from mmdet.apis import init_detector
    from mmengine.config import Config
    from mmpretrain.apis import init_model as pretrain_init
    from mmseg.apis import init_model as seg_init

    from mmmobilevit.checkpoint.fit import CheckpointMismatchError
    with pytest.raises(CheckpointMismatchError) as err:
        init_detector(TOY_DET, initial_weights['cls'], device='cpu')
    text = str(err.value)
    assert f'the checkpoint {initial_weights["cls"]} does not fit the model' in text
    assert 'checkpoint: a mobilevit-xxs classifier, 4 classes (square, circle, triangle' in text
    assert 'model:      a mobilevit-xxs detector' in text
    assert 'not in the checkpoint' in text and 'bbox_head.' in text
    assert 'model.allow_partial_load=True' in text
    with pytest.raises(CheckpointMismatchError, match='a mobilevit-xxs detector'):
        seg_init(TOY_SEG, initial_weights['det'], device='cpu')
    with pytest.raises(CheckpointMismatchError,
                       match='classifier whose backbone is no MobileViT arch'):
        pretrain_init(TOY_CLS, initial_weights['r18'], device='cpu')
    # another class count: the head's tensors have other shapes
    five_classes = Config.fromfile(TOY_CLS)
    five_classes.model.head.num_classes = 5
    with pytest.raises(CheckpointMismatchError, match=r'head.fc.weight \(checkpoint '
                       r'\[4, 320\], model \[5, 320\]\)'):
        pretrain_init(five_classes, initial_weights['cls'], device='cpu')
    # allowed in the config: a partial load, as asked
    five_classes.model.allow_partial_load = dict(mismatched=[r'head\.'])
    model = pretrain_init(five_classes, initial_weights['cls'], device='cpu')
    saved = torch.load(initial_weights['cls'], weights_only=True)['state_dict']
    torch.testing.assert_close(model.backbone.stem.conv.weight,
                               saved['backbone.stem.conv.weight'])
    # a checkpoint that fits loads as before
    assert init_detector(TOY_DET, initial_weights['det'], device='cpu') is not None
    # not our model (mmpretrain's ImageClassifier): upstream's partial load, warnings only
    assert pretrain_init(TOY_R18, initial_weights['cls'], device='cpu') is not None


def test_inferencers_refuse_a_checkpoint_that_does_not_fit(initial_weights):
    from mmdet.apis import DetInferencer

    from mmmobilevit.checkpoint.fit import CheckpointMismatchError
    with pytest.raises(CheckpointMismatchError, match=re.escape(initial_weights['cls'])):
        DetInferencer(model=TOY_DET, weights=initial_weights['cls'], device='cpu',
                      show_progress=False)
    assert DetInferencer(model=TOY_DET, weights=initial_weights['det'], device='cpu',
                         show_progress=False) is not None


def test_deploy_config_with_a_training_checkpoint_points_to_the_deploy_route(initial_weights):
    from mmengine.config import Config
    from mmpretrain.apis import init_model as pretrain_init

    from mmmobilevit.checkpoint.fit import CheckpointMismatchError
    cfg = Config.fromfile(TOY_CLS)
    cfg.model.backbone.deploy = True
    with pytest.raises(CheckpointMismatchError, match='deploy_model.py') as err:
        pretrain_init(cfg, initial_weights['cls'], device='cpu')
    assert 'allow_partial_load' not in str(err.value)
