"""RNGStateHook: reachable from every scope; the RNG state round trip."""
import numpy as np
import torch

import mmmobilevit  # noqa: F401


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
