"""Log the resolution and size of every training batch (multi-scale training)."""
from typing import TYPE_CHECKING, Optional

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner


@HOOKS.register_module()
class BatchShapeLogHook(Hook):
    """Puts ``resolution`` (the batch's height) and ``batch_size`` in the training log.

    With :class:`~mmmobilevit.datasets.MultiScaleBatchSampler` both change from batch to
    batch; the log shows the values of the logged iteration (not a moving average).

    Example:
        >>> custom_hooks = [dict(type='BatchShapeLogHook')]
    """

    priority = 'LOW'

    def before_train(self, runner: 'Runner') -> None:
        custom = list(runner.log_processor.custom_cfg or [])
        for key in ('resolution', 'batch_size'):
            if not any(c.get('data_src') == key for c in custom):
                custom.append(dict(data_src=key, method_name='current'))
        runner.log_processor.custom_cfg = custom

    def before_train_iter(self, runner: 'Runner', batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        inputs = data_batch['inputs'] if isinstance(data_batch, dict) else None
        if inputs is None:
            return
        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs[0]
        runner.message_hub.update_scalar('train/resolution', int(first.shape[-2]))
        runner.message_hub.update_scalar('train/batch_size', len(inputs))
