"""mmmobilevit.compat: the registry, and each fix shown against the upstream bug."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch

import mmmobilevit  # noqa: F401
from mmmobilevit import compat
from mmmobilevit.testing import REPO

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


def run_python(code):
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=300, cwd=REPO)


@pytest.mark.slow  # a fresh interpreter importing the whole stack
def test_import_patches_nothing_and_enable_applies_all():
    out = run_python(
        'import mmmobilevit\n'
        'from mmmobilevit import compat\n'
        'from mmengine.runner import checkpoint as c\n'
        'from mmdet.models.dense_heads import SSDHead\n'
        'import mmengine.runner as r, mmdet.apis.inference as di\n'
        'init, load, dload = SSDHead.__init__, r.load_checkpoint, di.load_checkpoint\n'
        'assert compat.active_patches() == [], compat.active_patches()\n'
        "assert c.CheckpointLoader._get_checkpoint_loader('x.pth') is c.load_from_local\n"
        'import mmmobilevit.compat.enable\n'
        'print(sorted(compat.active_patches()))\n'
        'assert SSDHead.__init__ is not init and di.load_checkpoint is not dload\n'
        'compat.remove_patches()\n'
        'assert SSDHead.__init__ is init and compat.active_patches() == []\n'
        'assert r.load_checkpoint is load and di.load_checkpoint is dload\n'
        "assert c.CheckpointLoader._get_checkpoint_loader('x.pth') is c.load_from_local\n"
        "assert c.CheckpointLoader._get_checkpoint_loader('https://x/y.pth') is "
        'c.load_from_http\n')
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == ("['inference-checkpoint-fit', 'mmdet-ssdhead-loss-cls', "
                                  "'mmengine-checkpoint-loader']")


def test_registry_lists_checks_versions_and_refuses_unknown_names(restore_patches):
    names = [p.name for p in compat.available_patches()]
    assert names == ['inference-checkpoint-fit', 'mmdet-ssdhead-loss-cls',
                     'mmengine-checkpoint-loader']
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


def test_ssd_head_bug_and_fix(toy_data, restore_patches):
    """mmdet 3.3.0's SSDHead never sets loss_cls: predicting raises AttributeError."""
    from mmdet.apis import inference_detector, init_detector
    from mmdet.models.dense_heads import SSDHead
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    cfg = Config.fromfile(osp.join(REPO, 'configs', '_toy_', 'ssdlite_mobilenetv2_toy-det.py'))
    img = osp.join(toy_data, 'coco', 'val2017', '000000000001.jpg')
    compat.remove_patches(['mmdet-ssdhead-loss-cls'])
    model = init_detector(cfg, checkpoint=None, device='cpu')
    with pytest.raises(AttributeError, match='loss_cls'):
        inference_detector(model, img)  # the upstream bug
    compat.apply_patches(['mmdet-ssdhead-loss-cls'])
    with DefaultScope.overwrite_default_scope('mmdet'):
        head = SSDHead(num_classes=3, in_channels=(8, ) * 6, anchor_generator=ANCHORS)
    assert head.loss_cls is None
    model = init_detector(cfg, checkpoint=None, device='cpu')
    assert inference_detector(model, img).pred_instances.bboxes.shape[1] == 4


def test_ssd_head_fix_keeps_a_subclass_loss_cls(restore_patches):
    from mmdet.models.dense_heads import PISASSDHead, SSDHead
    from mmengine.registry import DefaultScope
    from torch import nn

    class HeadWithLoss(SSDHead):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.loss_cls = nn.Identity()

    compat.apply_patches(['mmdet-ssdhead-loss-cls'])
    with DefaultScope.overwrite_default_scope('mmdet'):
        head = HeadWithLoss(num_classes=3, in_channels=(8, ) * 6, anchor_generator=ANCHORS)
        pisa = PISASSDHead(num_classes=3, in_channels=(8, ) * 6, anchor_generator=ANCHORS)
    assert isinstance(head.loss_cls, nn.Identity)
    assert pisa.loss_cls is None


TOY_CLS = osp.join(REPO, 'configs', '_toy_', 'mobilevit-xxs_toy-multiscale-cls.py')
TOY_DET = osp.join(REPO, 'configs', '_toy_', 'ssdlite_mobilevit-xxs_toy-det.py')
TOY_SEG = osp.join(REPO, 'configs', '_toy_', 'deeplabv3_mobilevit-xxs_toy-seg.py')


def test_init_apis_bug_and_fix(initial_weights, restore_patches):
    """Upstream, a checkpoint of another model loads with warnings and gives a partly
    random model; with the fix the init APIs refuse it, naming both sides."""
    from mmdet.apis import init_detector
    from mmengine.config import Config
    from mmpretrain.apis import init_model as pretrain_init
    from mmseg.apis import init_model as seg_init

    from mmmobilevit.checkpoint.fit import CheckpointMismatchError
    compat.remove_patches(['inference-checkpoint-fit'])
    model = init_detector(TOY_DET, initial_weights['cls'], device='cpu')  # the bug
    assert model is not None
    compat.apply_patches(['inference-checkpoint-fit'])
    with pytest.raises(CheckpointMismatchError) as err:
        init_detector(TOY_DET, initial_weights['cls'], device='cpu')
    text = str(err.value)
    assert 'checkpoint: a mobilevit-xxs classifier, 4 classes (square, circle, triangle' in text
    assert 'model:      a mobilevit-xxs detector' in text
    assert 'not in the checkpoint' in text and 'bbox_head.' in text
    assert "remove_patches('inference-checkpoint-fit')" in text
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
    # a checkpoint that fits loads as before
    assert init_detector(TOY_DET, initial_weights['det'], device='cpu') is not None


def test_inferencers_refuse_a_checkpoint_that_does_not_fit(initial_weights, restore_patches):
    from mmdet.apis import DetInferencer

    from mmmobilevit.checkpoint.fit import CheckpointMismatchError
    compat.apply_patches(['inference-checkpoint-fit'])
    with pytest.raises(CheckpointMismatchError, match='given to the inferencer'):
        DetInferencer(model=TOY_DET, weights=initial_weights['cls'], device='cpu',
                      show_progress=False)
    assert DetInferencer(model=TOY_DET, weights=initial_weights['det'], device='cpu',
                         show_progress=False) is not None
