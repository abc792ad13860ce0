"""Stop a run whose ``load_from`` / resume checkpoint does not fit the model."""
from typing import TYPE_CHECKING, Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from ...checkpoint.fit import (FIT_CHECKED_METADATA, AllowPartial, annotate_state_dict,
                               fit_checkpoint_to_model, input_channel_order, record_channel_order,
                               stem_keys, suggested_allowance)

if TYPE_CHECKING:
    from mmengine.runner import Runner

HOW_TO_ALLOW = (
    'If that is intended (fine-tuning with another class count, a classifier checkpoint '
    'into a detector or segmenter backbone), allow it in the config: '
    '`allow_partial_load = True` (anything), or `allow_partial_load = {allowance}` '
    '(these parts only); on the command line --cfg-options allow_partial_load=True.')


@HOOKS.register_module()
class CheckpointFitHook(Hook):
    """Refuses a checkpoint whose tensors do not fit the model, before it is loaded.

    mmengine loads ``load_from`` and resume checkpoints with ``strict=False``: missing
    and shape-mismatched tensors are only warned about, and a run trains or evaluates a
    partly random model. This hook compares the checkpoint with the model in
    ``after_load_checkpoint`` (mmengine calls it before loading the weights) and raises
    :class:`~mmmobilevit.checkpoint.fit.CheckpointMismatchError`, naming the
    checkpoint's arch, task and classes and the model's, unless a partial load is
    allowed; an allowed partial load logs a one-line summary of what was skipped.
    Checkpoint tensors the model does not use are reported, not refused. The checked
    state dict is marked, so that the load check of our top-level models
    (:class:`~mmmobilevit.checkpoint.fit.CheckpointFitMixin`) does not refuse what the
    run's ``allow_partial_load`` allows.
    ``tools/train.py`` and ``tools/test.py`` add it to every config that lacks it; the
    shipped configs list it.

    It also keeps channel orders straight: a checkpoint whose ``meta['channel_order']``
    (written by the converters and by this hook) differs from the order the model's
    data preprocessor feeds gets its stem conv's input channels reversed, with a
    one-line log; the checkpoints a run saves record the order it fed.

    Args:
        allow_partial (None | bool | dict): What may be missing or of another shape:
            ``True`` anything; a dict ``missing=[regex, ...], mismatched=[regex, ...]``
            keys matching one of the patterns. ``None`` (default) reads the config's
            top-level ``allow_partial_load`` (default: nothing).
    """

    priority = 'VERY_HIGH'

    def __init__(self, allow_partial: AllowPartial = None) -> None:
        self.allow_partial = allow_partial

    def _allowance(self, runner: 'Runner') -> AllowPartial:
        if self.allow_partial is not None:
            return self.allow_partial
        cfg = getattr(runner, 'cfg', None)
        return cfg.get('allow_partial_load', None) if cfg is not None else None

    @staticmethod
    def _classes(runner: 'Runner') -> Optional[list]:
        for loader in ('_train_dataloader', '_test_dataloader', '_val_dataloader'):
            loader = getattr(runner, loader, None)
            dataset = loader.get('dataset') if isinstance(loader, dict) else \
                getattr(loader, 'dataset', None)
            if dataset is None:
                continue
            meta = (dataset.get('metainfo') if isinstance(dataset, dict) else
                    getattr(dataset, 'metainfo', None)) or {}
            if meta.get('classes'):
                return list(meta['classes'])
        return None

    @staticmethod
    def _model(runner: 'Runner'):
        return runner.model.module if is_model_wrapper(runner.model) else runner.model

    def after_load_checkpoint(self, runner: 'Runner', checkpoint: dict) -> None:
        source = str(getattr(runner, '_load_from', None) or 'being resumed')
        fit_checkpoint_to_model(
            self._model(runner), checkpoint, self._allowance(runner), source=source,
            how_to_allow=lambda report: HOW_TO_ALLOW.format(
                allowance=suggested_allowance(report)),
            model_classes=self._classes(runner))
        # checked with the run's allowance: our models' own load check stands aside
        annotate_state_dict(checkpoint, **{FIT_CHECKED_METADATA: True})

    def before_save_checkpoint(self, runner: 'Runner', checkpoint: dict) -> None:
        order = input_channel_order(self._model(runner))
        if order is not None and stem_keys(checkpoint.get('state_dict', {})):
            record_channel_order(checkpoint, order)
