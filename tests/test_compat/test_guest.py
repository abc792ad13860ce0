"""The package as a guest: loading the shipped configs (one of each kind per family
folder, with their ``custom_imports``), building one model per task, our init API and
``tools/test.py`` leave mmengine, mmdet, mmseg and mmpretrain as they ship for models
that are not ours.

One fresh interpreter (the point is the process's state from its start): it records the
upstream objects before anything of ours is imported, does all of the above in-process,
then compares. ``python -m pytest tests/test_compat/test_guest.py`` runs it.
"""
import os.path as osp
import subprocess
import sys

import pytest

from helpers import REPO

SCRIPT = r'''
import glob, importlib, os.path as osp, sys
import torch
from torch import nn

repo, det_ckpt, work_dir, linear_file = sys.argv[1:5]
# (module, name): what the init APIs, the inferencers and the runner look up
NAMES = [('mmengine.runner', 'load_checkpoint'),
         ('mmengine.runner.checkpoint', 'load_checkpoint'),
         ('mmengine.runner.checkpoint', '_load_checkpoint_to_model'),
         ('mmengine.runner.checkpoint', 'load_state_dict'),
         ('mmpretrain.apis.base', 'load_checkpoint'),
         ('mmpretrain.apis.model', 'init_model'),
         ('mmdet.apis.inference', 'load_checkpoint'),
         ('mmseg.apis.inference', 'load_checkpoint'),
         ('mmengine.infer.infer', '_load_checkpoint_to_model'),
         ('mmdet.apis.det_inferencer', '_load_checkpoint_to_model'),
         ('mmseg.apis.mmseg_inferencer', '_load_checkpoint_to_model'),
         ('mmdet.models.dense_heads', 'SSDHead'),
         ('mmdet.models.detectors', 'SingleStageDetector'),
         ('mmpretrain.models.classifiers', 'ImageClassifier'),
         ('mmseg.models.segmentors', 'EncoderDecoder')]
before = {(m, n): getattr(importlib.import_module(m), n) for m, n in NAMES}
from mmdet.models.dense_heads import SSDHead
from mmdet.models.detectors import SingleStageDetector
methods = {'SSDHead.__init__': SSDHead.__init__,
           'SingleStageDetector._load_from_state_dict':
               SingleStageDetector._load_from_state_dict,
           'nn.Module._load_from_state_dict': nn.Module._load_from_state_dict,
           'nn.Module.load_state_dict': nn.Module.load_state_dict}
torch_load = torch.load

from mmengine.config import Config
# one config of each kind per family folder (what a config holds besides data is its
# custom_imports, from the bases it shares with its kind; the test below checks that no
# other config file imports anything), loaded with its custom_imports
configs = {}
for path in sorted(glob.glob(osp.join(repo, 'configs', '*', '*.py'))):
    if '_base_' not in path:
        name = osp.basename(path)
        kind = 'toy-' + name if '_toy_' in path else name.split('_')[0].split('-')[0]
        configs.setdefault((osp.dirname(path), kind), path)
configs = sorted(configs.values())
for path in configs:
    cfg = Config.fromfile(path)
    assert 'mmmobilevit.compat.enable' in cfg.custom_imports['imports'], path
print('configs loaded:', len(configs))

from mmmobilevit.apis import init_model
toy = {'cls': 'mobilevit-xxs_toy-multiscale-cls.py', 'det': 'ssdlite_mobilevit-xxs_toy-det.py',
       'seg': 'deeplabv3_mobilevit-xxs_toy-seg.py'}
for task, name in toy.items():
    model = init_model(osp.join(repo, 'configs', '_toy_', name), device='cpu')
    print('built', task, type(model).__name__)

sys.path.insert(0, repo)
from tools import test as test_tool
test_tool.main([osp.join(repo, 'configs', '_toy_', toy['det']), det_ckpt,
                '--work-dir', work_dir])  # the toy data under <repo>/data/toy (the cwd)

changed = [f'{m}.{n}' for (m, n), obj in before.items()
           if getattr(importlib.import_module(m), n) is not obj]
changed += [k for k, v in methods.items() if eval(k) is not v]
changed += ['torch.load'] if torch.load is not torch_load else []
assert not changed, f'changed upstream objects: {changed}'

# a caller's explicit strict=False partial load of a model that is not ours
from mmengine.runner import load_checkpoint
linear = nn.Linear(4, 2)
load_checkpoint(linear, linear_file, strict=False)
assert torch.equal(linear.weight, torch.ones(2, 4)), linear.weight
print('guest: upstream unchanged')
'''


@pytest.mark.slow  # a fresh interpreter importing the stack; 16 configs; a toy test run
def test_configs_models_init_api_and_test_tool_leave_the_hosts_as_they_ship(
        toy_data, initial_weights, tmp_path):
    import torch
    linear_file = str(tmp_path / 'weight_only.pth')
    torch.save({'weight': torch.ones(2, 4)}, linear_file)
    proc = subprocess.run(
        [sys.executable, '-c', SCRIPT, REPO, initial_weights['det'], str(tmp_path / 'test'),
         linear_file],
        cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-6000:])
    assert 'guest: upstream unchanged' in proc.stdout
    assert osp.isdir(tmp_path / 'test')


def test_no_config_file_runs_code_of_its_own():
    """What loading a config does besides building data is importing its
    ``custom_imports``: no config file (bases included) imports a module or calls
    ``exec`` / ``eval`` / ``__import__``, and every ``custom_imports`` names the same
    modules; so the configs the test above loads stand for all of them."""
    import ast
    import glob
    files = sorted(glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True))
    imports = set()
    for path in files:
        tree = ast.parse(open(path).read(), path)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.Import, ast.ImportFrom)), path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ('exec', 'eval', '__import__'), path
            if isinstance(node, ast.Assign) and any(
                    getattr(t, 'id', None) == 'custom_imports' for t in node.targets):
                imports.add(ast.dump(node.value))
    assert len(files) > 100 and len(imports) == 1, imports
