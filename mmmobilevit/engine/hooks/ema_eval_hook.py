"""EMA of the weights as MobileViT trains it, validated beside the raw model."""
from typing import TYPE_CHECKING, Optional

from mmengine.hooks import EMAHook
from mmengine.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner


@HOOKS.register_module()
class EMAEvalHook(EMAHook):
    """mmengine's ``EMAHook`` with the MobileViT paper's rule, validating both models.

    * ``ema = (1 - m) * ema + m * weights`` after every optimizer step that actually
      happened: not on the iterations where gradient accumulation defers the step, nor
      on the steps AMP's loss scaler skipped (inf/nan gradients). Buffers (BatchNorm
      statistics) are averaged too (``update_buffers=True``). ``m = 5e-4`` by default.
    * An optional warm-up: ``ema_type='mmdet.ExpMomentumEMA'`` with ``gamma`` starts the
      momentum near 1 and decays it to ``m`` (useful for short runs).
    * Validation reports both models: the EMA model's metrics under their usual names
      (so ``CheckpointHook(save_best=...)`` follows the EMA model, and the best
      checkpoint's ``state_dict`` holds the EMA weights, loadable by ``tools/test.py``,
      ``init_detector`` and ``init_model``), and the raw model's as ``raw/<name>``.
    * Checkpoints hold the EMA weights in ``state_dict`` and the raw ones in
      ``ema_state_dict`` (mmengine's convention); resuming restores both exactly.

    Args:
        momentum (float): ``m``.
        validate_raw (bool): Also validate the raw weights after the EMA ones.
        raw_prefix (str): Prefix of the raw model's metrics.
        **kwargs: :class:`mmengine.hooks.EMAHook` arguments (``ema_type``,
            ``update_buffers``, ``begin_iter``, ``begin_epoch``...; ``gamma`` for
            ``ExpMomentumEMA``).
    """

    def __init__(self, momentum: float = 5e-4, update_buffers: bool = True,
                 validate_raw: bool = True, raw_prefix: str = 'raw', **kwargs) -> None:
        super().__init__(momentum=momentum, update_buffers=update_buffers, **kwargs)
        self.validate_raw = validate_raw
        self.raw_prefix = raw_prefix
        self._scale_before = None

    # ---- update only after real optimizer steps ---------------------------------
    def before_train_iter(self, runner: 'Runner', batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        scaler = getattr(runner.optim_wrapper, 'loss_scaler', None)
        self._scale_before = scaler.get_scale() if scaler is not None else None

    def _stepped(self, runner: 'Runner') -> bool:
        optim_wrapper = runner.optim_wrapper
        if hasattr(optim_wrapper, 'should_update') and not optim_wrapper.should_update():
            return False  # gradient accumulation: this iteration did not step
        scaler = getattr(optim_wrapper, 'loss_scaler', None)
        if scaler is not None and self._scale_before is not None:
            # GradScaler lowers its scale exactly when it skips a step
            return scaler.get_scale() >= self._scale_before
        return True

    def after_train_iter(self, runner: 'Runner', batch_idx: int, data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if self._stepped(runner):
            super().after_train_iter(runner, batch_idx, data_batch, outputs)

    # ---- validate the raw model too -------------------------------------------------
    def after_val_epoch(self, runner: 'Runner', metrics: Optional[dict] = None) -> None:
        super().after_val_epoch(runner, metrics)  # the raw weights are back in the model
        if not self.validate_raw or metrics is None:
            return
        loop = runner.val_loop
        runner.model.eval()
        for idx, data_batch in enumerate(loop.dataloader):
            loop.run_iter(idx, data_batch)
        raw_metrics = loop.evaluator.evaluate(len(loop.dataloader.dataset))
        for key, value in raw_metrics.items():
            runner.message_hub.update_scalar(f'val/{self.raw_prefix}/{key}', value)
        runner.logger.info('raw (non-EMA) model: ' + '  '.join(
            f'{k}: {v:.4f}' if isinstance(v, float) else f'{k}: {v}'
            for k, v in raw_metrics.items()))
