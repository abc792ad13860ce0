"""Every shipped config carries the hooks that keep runs from failing silently."""
import glob
import os.path as osp

import pytest

from helpers import REPO
from helpers.configs import load_config

SAFETY_HOOKS = ('RNGStateHook', 'WeightsOnlyCheckpointHook', 'FiniteLossHook',
                'CheckpointFitHook')
pytestmark = pytest.mark.slow  # resolves every shipped config

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'mobilevit*', '*.py')) +
                 glob.glob(osp.join(REPO, 'configs', '_toy_', '*mobilevit*.py')))


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_config_lists_the_safety_hooks_and_fixes(path):
    cfg = load_config(path)
    types = [str(h['type']).split('.')[-1] for h in cfg.get('custom_hooks', [])]
    for hook in SAFETY_HOOKS:
        assert types.count(hook) == 1, (hook, types)
    assert 'mmmobilevit.compat.enable' in cfg.custom_imports['imports']
    # partial loads are the user's explicit choice; the ImageNet-21k fine-tunes replace
    # the 10,450-way head and allow exactly that
    allowed = cfg.get('allow_partial_load')
    if path.endswith('_in21k-ft-in1k.py'):
        assert allowed == dict(missing=[r'^head\.fc\.'], mismatched=[r'^head\.fc\.'])
    else:
        assert not allowed
