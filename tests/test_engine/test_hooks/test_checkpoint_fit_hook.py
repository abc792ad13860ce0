"""CheckpointFitHook: a load_from / resume checkpoint that does not fit stops the run
before anything trains or is evaluated, unless the config allows a partial load."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import mmmobilevit  # noqa: F401
import mmmobilevit.compat.enable  # noqa: F401
from helpers import REPO
from mmmobilevit.checkpoint.fit import CheckpointMismatchError

TOY_CLS = osp.join(REPO, 'configs', '_toy_', 'mobilevit-xxs_toy-multiscale-cls.py')
TOY_DET = osp.join(REPO, 'configs', '_toy_', 'ssdlite_mobilevit-xxs_toy-det.py')


def load(config, tmp_path, checkpoint, **options):
    """A Runner of ``config`` that loads ``checkpoint`` as ``load_from`` (as training and
    testing start)."""
    cfg = Config.fromfile(config)
    cfg.load_from = checkpoint
    cfg.work_dir = str(tmp_path / 'work')
    cfg.merge_from_dict(options)
    # (EMA hooks need before_run, which load_checkpoint alone does not call)
    cfg.custom_hooks = [h for h in cfg.custom_hooks
                        if h['type'].split('.')[-1] not in ('CheckpointFitHook', 'EMAEvalHook')]
    cfg.custom_hooks.append(dict(type='CheckpointFitHook'))
    runner = Runner.from_cfg(cfg)
    runner.before = runner.model.head.fc.weight.clone() if hasattr(runner.model, 'head') \
        else None
    runner.load_or_resume()
    return runner


def test_a_checkpoint_that_fits_loads(initial_weights, tmp_path):
    runner = load(TOY_CLS, tmp_path, initial_weights['cls'])
    saved = torch.load(initial_weights['cls'], weights_only=True)['state_dict']
    assert torch.equal(runner.model.head.fc.weight, saved['head.fc.weight'])


def test_another_model_is_refused_naming_both(initial_weights, tmp_path):
    with pytest.raises(CheckpointMismatchError) as err:
        load(TOY_CLS, tmp_path, initial_weights['r18'])
    text = str(err.value)
    assert f'the checkpoint {initial_weights["r18"]} does not fit the model' in text
    assert 'checkpoint: a classifier whose backbone is no MobileViT arch' in text
    assert 'model:      a mobilevit-xxs classifier, 4 classes (square, circle' in text
    assert 'allow_partial_load' in text


def test_another_class_count_needs_an_explicit_partial_load(initial_weights, tmp_path):
    with pytest.raises(CheckpointMismatchError) as err:
        load(TOY_CLS, tmp_path, initial_weights['cls'], **{'model.head.num_classes': 5})
    text = str(err.value)
    assert 'model:      a mobilevit-xxs classifier, 5 classes (the dataset names 4: ' in text
    assert 'head.fc.weight (checkpoint [4, 320], model [5, 320])' in text
    assert "allow_partial_load = {'mismatched': ['head\\\\.fc\\\\.']}" in text
    options = {'model.head.num_classes': 5,
               'allow_partial_load': dict(mismatched=[r'head\.fc\.'])}
    runner = load(TOY_CLS, tmp_path / 'b', initial_weights['cls'], **options)
    # (two runners started within a second share one logger: search every log)
    lines = [r for log in glob.glob(str(tmp_path / '**' / '*.log'), recursive=True)
             for r in open(log) if 'partial load of' in r]
    (line, ) = lines
    assert line.rstrip().endswith(
        '(allowed): 309 of 311 model tensors loaded; other shape: head.fc.* (2)')
    saved = torch.load(initial_weights['cls'], weights_only=True)['state_dict']
    assert torch.equal(runner.model.backbone.stem.conv.weight,
                       saved['backbone.stem.conv.weight'])
    assert torch.equal(runner.model.head.fc.weight, runner.before)  # kept its init


@pytest.mark.slow  # a detector built and loaded
def test_a_classifier_into_a_detector_backbone(initial_weights, tmp_path):
    with pytest.raises(CheckpointMismatchError, match='a mobilevit-xxs classifier'):
        load(TOY_DET, tmp_path, initial_weights['cls'])
    runner = load(TOY_DET, tmp_path / 'b', initial_weights['cls'],
                  allow_partial_load=dict(missing=[r'neck\.', r'bbox_head\.']))
    saved = torch.load(initial_weights['cls'], weights_only=True)['state_dict']
    assert torch.equal(runner.model.backbone.stem.conv.weight,
                       saved['backbone.stem.conv.weight'])


def test_allowance_keys_are_checked(initial_weights, tmp_path):
    with pytest.raises(ValueError, match='"missing" and "mismatched"'):
        load(TOY_CLS, tmp_path, initial_weights['r18'], allow_partial_load=dict(mising=['head']))
