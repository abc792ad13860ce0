"""Loss guards: stop training at the first non-finite loss, and when the loss explodes."""
import logging
import math
from collections import deque
from typing import TYPE_CHECKING, Optional

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner


class NonFiniteLossError(FloatingPointError):
    """A loss term became NaN or infinite during training."""


class LossExplosionError(FloatingPointError):
    """The smoothed training loss rose far above its early value."""


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


@HOOKS.register_module()
class LossExplosionHook(Hook):
    """Stops (or warns about) a run whose loss diverges while staying finite.

    A learning rate far too high can drive the loss to 1e12 without a NaN: the run then
    trains on, saves checkpoints and exits 0 (:class:`FiniteLossHook` sees nothing
    wrong). This hook compares the smoothed total loss (``outputs['loss']``, the mean of
    the last ``window`` iterations) with its early value (the lowest loss of the run's
    first ``window`` iterations, taken before the weights have moved far) and, when the
    smoothed loss exceeds ``factor`` times the early value, raises
    :class:`LossExplosionError` naming the iteration, both values and the learning rate
    (``action='stop'``), or logs that once (``action='warn'``). The early value is taken
    anew by each run, a resumed one too. ``tools/train.py`` adds it to every config that
    lacks it; the shipped configs list it.

    Args:
        factor (float): How many times its early value the smoothed loss may reach.
            Defaults to 100: far beyond the rises of warm-up or of a new data mix, well
            below a divergence.
        window (int): Iterations of the early value and of the smoothing. Defaults to 10.
        action (str): ``'stop'`` (default) or ``'warn'``.
    """

    priority = 'VERY_HIGH'

    def __init__(self, factor: float = 100., window: int = 10, action: str = 'stop') -> None:
        if factor <= 1:
            raise ValueError(f'factor must be > 1, got {factor}')
        if window < 1:
            raise ValueError(f'window must be >= 1, got {window}')
        if action not in ('stop', 'warn'):
            raise ValueError(f"action must be 'stop' or 'warn', got {action!r}")
        self.factor, self.window, self.action = factor, window, action

    def before_train(self, runner: 'Runner') -> None:
        self.seen, self.early = 0, math.inf
        self.recent = deque(maxlen=self.window)
        self.warned = False

    def after_train_iter(self, runner: 'Runner', batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        loss = (outputs or {}).get('loss')
        if loss is None:
            return
        loss = float(loss.detach().float().mean()) if torch.is_tensor(loss) else float(loss)
        if not math.isfinite(loss):
            return  # FiniteLossHook's case
        self.seen += 1
        if self.seen <= self.window:
            self.early = min(self.early, abs(loss))
        self.recent.append(loss)
        smoothed = sum(self.recent) / len(self.recent)
        if self.early <= 0 or smoothed <= self.factor * self.early or self.warned:
            return
        lrs = runner.optim_wrapper.get_lr().get('lr', [])
        lr = ', '.join(f'{v:.3g}' for v in sorted(set(lrs))) or '?'
        message = (f'iteration {runner.iter + 1} (epoch {runner.epoch + 1}): the loss '
                   f'exploded: its mean over the last {len(self.recent)} iterations, '
                   f'{smoothed:.4g}, is {smoothed / self.early:.3g} times its early value '
                   f'{self.early:.4g} (limit {self.factor:g}x), at lr {lr}. Lower the '
                   'learning rate (optim_wrapper.optimizer.lr) or add gradient clipping '
                   '(optim_wrapper.clip_grad); LossExplosionHook(factor=..., '
                   "action='warn') changes this check.")
        if self.action == 'stop':
            raise LossExplosionError(message + ' Training stopped before this iteration '
                                     'was checkpointed.')
        print_log(message, logger='current', level=logging.WARNING)
        self.warned = True
