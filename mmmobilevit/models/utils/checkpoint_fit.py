"""A checkpoint meets a model: channel orders aligned, misfits refused naming both sides
(:class:`CheckpointFitMixin` for our top-level models, :func:`fit_checkpoint_to_model` for
:class:`~mmmobilevit.engine.hooks.CheckpointFitHook`); the pure comparison is
:mod:`mmmobilevit.checkpoint.fit`."""
import logging
import re
from typing import Any, Callable, Optional, Union

from mmengine.logging import print_log
from torch import nn

from ...checkpoint.channel_order import channel_order_of, flip_message, serve_in_order
from ...checkpoint.fit import (CHANNEL_ORDER_METADATA, CLASSES_METADATA, FIT_CHECKED_METADATA,
                               SOURCE_METADATA, AllowPartial, CheckpointMismatchError, FitReport,
                               blocking, compare_shapes, describe, mismatch_message, shapes_of,
                               suggested_allowance)
from ..backbones import infer_arch


def input_channel_order(model: Any) -> Optional[str]:
    """``'rgb'`` or ``'bgr'``: the order a model's data preprocessor feeds it.

    Images are loaded in BGR (mmcv's ``LoadImageFromFile`` default, also with
    ``imdecode_backend='pillow'``); a preprocessor that converts (mmpretrain
    ``to_rgb``, mmdet / mmseg ``bgr_to_rgb``) feeds RGB. None for a model without an
    image data preprocessor.
    """
    pre = getattr(model, 'data_preprocessor', None)
    # mmpretrain: to_rgb; mmengine / mmdet: _channel_conversion; mmseg: channel_conversion
    for name in ('to_rgb', '_channel_conversion', 'channel_conversion'):
        if hasattr(pre, name):
            return 'rgb' if getattr(pre, name) else 'bgr'
    return None


def align_channel_order(checkpoint: Any, target: Optional[str], source: str = '') -> bool:
    """Reverse the stem conv of a checkpoint trained on the other channel order.

    Works in place on a checkpoint dict whose ``meta['channel_order']`` says what the
    weights were trained on (``state_dict`` and, if present, ``ema_state_dict``), and
    records ``target`` there; logs one line when it flips. Nothing happens when either
    order is unknown, they agree, or the weights have no MobileViT stem.

    Returns:
        bool: Whether the stem was reversed.
    """
    trained_on = channel_order_of(checkpoint)
    flipped = False
    for key in ('state_dict', 'ema_state_dict'):
        state = checkpoint.get(key)
        served = serve_in_order(state, trained_on, target) if isinstance(state, dict) else None
        if served is not None:
            checkpoint[key] = served
            flipped = True
    if flipped:
        checkpoint['meta']['channel_order'] = target
        print_log(flip_message(source, trained_on, target), logger='current')
    return flipped


def state_dict_of(checkpoint: dict) -> dict:
    """The state dict in a loaded checkpoint, ``module.`` prefixes stripped (as mmengine)."""
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else {}
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def _checkpoint_arch(state: dict) -> Optional[str]:
    if not any(k.startswith('backbone.') for k in state):
        return None
    try:
        return infer_arch(state)
    except Exception:  # noqa: BLE001  (weights of no MobileViT arch: described as such)
        return None


def _model_arch(model: nn.Module) -> Optional[str]:
    backbone = getattr(model, 'backbone', None)
    name = getattr(backbone, 'arch_name', None)
    return name if name else (type(backbone).__name__ if backbone is not None else None)


def _classes(meta) -> Optional[list]:
    meta = meta or {}
    classes = meta.get('classes')
    return list(classes) if classes else None


def check_checkpoint_fits(model: nn.Module, checkpoint: dict,
                          allow_partial: AllowPartial = None, source: str = '',
                          how_to_allow: Union[str, Callable[[FitReport], str]] = '',
                          model_classes: Optional[list] = None) -> FitReport:
    """Compare a loaded checkpoint with ``model``; raise if it does not fit.

    Args:
        model (nn.Module): The model (unwrapped) the checkpoint is for.
        checkpoint (dict): What ``torch.load`` gave (``state_dict`` and ``meta`` inside,
            or a bare state dict).
        allow_partial (None | bool | dict): What may be missing or of another shape
            (:func:`mmmobilevit.checkpoint.fit.blocking`).
        source (str): The checkpoint's name, for the messages.
        how_to_allow (str | Callable[[FitReport], str]): The last line of the error:
            how to allow a partial load (or a function of the report that makes it).
        model_classes (list, optional): The model's class names, if known (else its
            ``dataset_meta``).

    Returns:
        FitReport: The comparison (a partial load allowed, or a full fit).

    Raises:
        CheckpointMismatchError: Missing or mismatched tensors that are not allowed. The
            message names the checkpoint's arch and task and the model's.
    """
    state = state_dict_of(checkpoint)
    model_shapes, ckpt_shapes = shapes_of(model.state_dict()), shapes_of(state)
    report = compare_shapes(model_shapes, ckpt_shapes)
    if report.fits:
        return report
    missing, mismatched = blocking(report, allow_partial)
    if missing or mismatched:
        meta = checkpoint.get('meta', {}) if isinstance(checkpoint, dict) else {}
        ckpt_desc = describe(ckpt_shapes, _checkpoint_arch(state),
                             _classes((meta or {}).get('dataset_meta')))
        model_desc = describe(model_shapes, _model_arch(model),
                              model_classes or _classes(getattr(model, 'dataset_meta', None)))
        if callable(how_to_allow):
            how_to_allow = how_to_allow(report)
        message = mismatch_message(report, source, ckpt_desc, model_desc, missing,
                                   mismatched, how_to_allow)
        print_log(message, logger='current', level=logging.ERROR)
        raise CheckpointMismatchError(message)
    print_log(f'partial load of {source} (allowed): {report.summary()}', logger='current',
              level=logging.WARNING)
    return report


def fit_checkpoint_to_model(model: nn.Module, checkpoint: dict, allow_partial: AllowPartial = None,
                            source: str = '', **kwargs) -> FitReport:
    """Prepare a loaded checkpoint for ``model`` before its weights are copied.

    What :class:`~mmmobilevit.engine.hooks.CheckpointFitHook` does with a run's
    checkpoints: reverses the stem of a checkpoint trained on the
    other channel order than the model is fed (:func:`align_channel_order`, in place),
    then refuses one that does not fit (:func:`check_checkpoint_fits`, whose other
    keyword arguments ``how_to_allow`` and ``model_classes`` it passes on).
    """
    align_channel_order(checkpoint, input_channel_order(model), source)
    return check_checkpoint_fits(model, checkpoint, allow_partial, source=source, **kwargs)


class CheckpointFitMixin:
    """Top-level models that refuse a checkpoint which does not fit them.

    mmengine and the init APIs (``mmdet.apis.init_detector``, ``mmseg.apis.init_model``,
    ``mmpretrain.apis.init_model``, the inferencers, ``load_from``) load weights with
    ``strict=False``: a checkpoint of another model or class count loads with warnings,
    and the model is partly random. A model of this class checks the tensors it is given
    when it is the model being loaded (the top-level module, which alone sees every key):
    missing or shape-mismatched tensors raise
    :class:`~mmmobilevit.checkpoint.fit.CheckpointMismatchError`, naming the
    checkpoint's arch, task and classes and the model's; unused tensors are warned
    about. A checkpoint trained on the other channel order than the model is fed gets its
    stem reversed first. Nothing of mmengine or the init APIs is changed: the check lives
    in this model's ``_load_from_state_dict``.

    Args:
        allow_partial_load (None | bool | dict): What may be missing or of another shape
            when the model loads a checkpoint: ``True`` anything; a dict
            ``missing=[regex, ...], mismatched=[regex, ...]``; ``None`` (default)
            nothing. Runs of ``tools/`` check their ``load_from`` and resume checkpoints
            with the config's top-level ``allow_partial_load`` instead
            (``CheckpointFitHook``, which marks what it checked).

    The other arguments are the model class's (put the mixin first among the bases).
    """

    def __init__(self, *args, allow_partial_load: AllowPartial = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.allow_partial_load = allow_partial_load

    def _how_to_allow(self, report: FitReport) -> str:
        backbone = getattr(self, 'backbone', None)
        if getattr(backbone, 'deployed', False) and report.unexpected:
            return ('This model is built in deploy mode (backbone.deploy=True) and the '
                    'checkpoint holds the training form: load it into the config without '
                    'deploy=True and switch after loading (mmmobilevit.apis.init_model(..., '
                    'deploy=True), tools/test.py --deploy), or convert the checkpoint once '
                    'with tools/model_converters/deploy_model.py.')
        return ('If that is intended (fine-tuning from another model or class count), '
                'allow it: `model.allow_partial_load=True` in the config (anything) or '
                f'`model.allow_partial_load={suggested_allowance(report)}` (these parts '
                "only), e.g. cfg_options={'model.allow_partial_load': True}.")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, *args, **kwargs):
        # only as the model being loaded: as a part of a larger model (an EMA copy, a
        # teacher) the keys and metadata it is handed are that model's business
        if not prefix and not local_metadata.get(FIT_CHECKED_METADATA):
            self._fit_loaded_state_dict(state_dict, local_metadata)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *args, **kwargs)

    def _fit_loaded_state_dict(self, state_dict: dict, local_metadata: dict) -> None:
        order, fed = local_metadata.get(CHANNEL_ORDER_METADATA), input_channel_order(self)
        served = serve_in_order(state_dict, order, fed)
        if served is not None:
            state_dict.update(served)  # in place: the children read from this dict
            print_log(flip_message(local_metadata.get(SOURCE_METADATA, ''), order, fed),
                      logger='current')
        classes = local_metadata.get(CLASSES_METADATA)
        check_checkpoint_fits(
            self, {'state_dict': state_dict,
                   'meta': {'dataset_meta': {'classes': classes} if classes else {}}},
            self.allow_partial_load, how_to_allow=self._how_to_allow,
            source=local_metadata.get(SOURCE_METADATA, 'being loaded'))
