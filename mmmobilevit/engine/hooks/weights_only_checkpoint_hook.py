"""Write training checkpoints that ``torch.load(weights_only=True)`` reads."""
from typing import TYPE_CHECKING, Any, Dict

import numpy as np
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner

_TAG = '__history_buffer__'


def history_buffer_to_data(buffer: HistoryBuffer) -> Dict[str, Any]:
    """A message-hub buffer as plain data (its pickle holds bound methods)."""
    log, count = buffer.data
    return {_TAG: True, 'log_history': np.asarray(log), 'count_history': np.asarray(count),
            'max_length': buffer.max_length}


def history_buffer_from_data(data: Dict[str, Any]) -> HistoryBuffer:
    """The inverse of :func:`history_buffer_to_data` (bit-exact)."""
    buffer = HistoryBuffer(max_length=data['max_length'])
    buffer._log_history = np.asarray(data['log_history'])
    buffer._count_history = np.asarray(data['count_history'])
    return buffer


@HOOKS.register_module()
class WeightsOnlyCheckpointHook(Hook):
    """Keeps every saved checkpoint loadable with ``torch.load(weights_only=True)``.

    mmengine's message hub pickles its ``HistoryBuffer`` objects, whose state holds
    bound methods (``builtins.getattr``): a weights-only load refuses them, and allowing
    them would allow code to run. Before a checkpoint is saved this hook stores each
    buffer as plain data (numpy arrays and an int); after one is loaded -- before
    ``Runner.resume`` hands it to the message hub -- it rebuilds the buffers, so
    ``--resume`` continues exactly (the smoothed losses and every logged scalar).

    ``tools/train.py`` adds it to every config that lacks it; the shipped configs list
    it. Checkpoints of runs without it can still be read with the explicit switch for
    trusted files (``--trust-checkpoint``, see :mod:`mmmobilevit.checkpoint.io`).
    """

    priority = 'VERY_LOW'  # after every other hook has added its part

    def before_save_checkpoint(self, runner: 'Runner', checkpoint: dict) -> None:
        scalars = checkpoint.get('message_hub', {}).get('log_scalars', {})
        for key, value in list(scalars.items()):
            if isinstance(value, HistoryBuffer):
                scalars[key] = history_buffer_to_data(value)

    def after_load_checkpoint(self, runner: 'Runner', checkpoint: dict) -> None:
        scalars = checkpoint.get('message_hub', {}).get('log_scalars', {})
        for key, value in list(scalars.items()):
            if isinstance(value, dict) and value.get(_TAG):
                scalars[key] = history_buffer_from_data(value)
