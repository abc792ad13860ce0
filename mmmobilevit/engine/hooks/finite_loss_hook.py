"""Stop training at the first non-finite loss."""
import math
from typing import TYPE_CHECKING, Optional

import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner


class NonFiniteLossError(FloatingPointError):
    """A loss term became NaN or infinite during training."""


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Stops the run, naming the iteration and the term, when any ``loss*`` value that
    the model returns is NaN or infinite.

    Checked after every training iteration, before checkpoints and logs are written for
    it (priority ``VERY_HIGH``), so a diverged run ends at once with an error instead of
    training on NaN weights and saving them (mmdet's ``CheckInvalidLossHook`` checks only
    the total, every 50 iterations, without a message). ``tools/train.py`` adds it to
    every config that lacks it; the shipped configs list it.

    Args:
        interval (int): Check every ``interval`` iterations. Defaults to 1.
    """

    priority = 'VERY_HIGH'

    def __init__(self, interval: int = 1) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = interval

    def after_train_iter(self, runner: 'Runner', batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if not outputs or not self.every_n_train_iters(runner, self.interval):
            return
        bad = {}
        for name, value in outputs.items():
            if 'loss' not in name:
                continue
            value = value.detach().float() if torch.is_tensor(value) else value
            finite = bool(torch.isfinite(value).all()) if torch.is_tensor(value) \
                else math.isfinite(float(value))
            if not finite:
                bad[name] = float(value.mean()) if torch.is_tensor(value) else value
        if bad:
            terms = ', '.join(f'{k}={v}' for k, v in bad.items())
            raise NonFiniteLossError(
                f'iteration {runner.iter + 1} (epoch {runner.epoch + 1}): non-finite loss '
                f'{terms}. Training stopped before this iteration was checkpointed; lower '
                'the learning rate (optim_wrapper.optimizer.lr), add gradient clipping '
                '(optim_wrapper.clip_grad) or check the data of this batch.')
