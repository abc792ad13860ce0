"""WeightsOnlyCheckpointHook: message-hub buffers as plain data, rebuilt exactly."""
import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

import mmmobilevit  # noqa: F401
from mmmobilevit.checkpoint import UnsafeCheckpointError, read_local_checkpoint
from mmmobilevit.engine.hooks import WeightsOnlyCheckpointHook


def hub_checkpoint():
    hub = MessageHub.get_instance('weights-only-hook-test')
    for i in range(7):
        hub.update_scalar('train/loss', 1.0 / (i + 1))
        hub.update_scalar('train/lr', 1e-3 * i, count=2)
    return dict(state_dict=dict(w=torch.ones(2)), meta=dict(epoch=1),
                message_hub=hub.state_dict())


def test_saved_checkpoint_loads_weights_only_and_round_trips_exactly(tmp_path):
    hook = WeightsOnlyCheckpointHook()
    original = hub_checkpoint()
    before = {k: v.data for k, v in original['message_hub']['log_scalars'].items()}
    unsafe = str(tmp_path / 'unsafe.pth')
    torch.save(original, unsafe)
    with pytest.raises(UnsafeCheckpointError):
        read_local_checkpoint(unsafe)  # HistoryBuffer pickles bound methods

    hook.before_save_checkpoint(None, original)
    safe = str(tmp_path / 'safe.pth')
    torch.save(original, safe)
    loaded = read_local_checkpoint(safe)
    hook.after_load_checkpoint(None, loaded)
    scalars = loaded['message_hub']['log_scalars']
    assert set(scalars) == set(before)
    for key, (log, count) in before.items():
        assert isinstance(scalars[key], HistoryBuffer)
        assert np.array_equal(scalars[key].data[0], log)
        assert np.array_equal(scalars[key].data[1], count)
        assert scalars[key].data[0].dtype == log.dtype
    # MessageHub takes the rebuilt buffers as its own (what Runner.resume does)
    hub = MessageHub.get_instance('weights-only-hook-resumed')
    hub.load_state_dict(loaded['message_hub'])
    assert hub.get_scalar('train/loss').current() == pytest.approx(1 / 7)
    assert hub.get_scalar('train/lr').mean() == before['train/lr'][0].sum() / before[
        'train/lr'][1].sum()
