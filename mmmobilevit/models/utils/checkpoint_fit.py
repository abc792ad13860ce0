"""Refuse checkpoints that do not fit a model, naming both sides."""
import logging
import re
from typing import Callable, Optional, Union

from mmengine.logging import print_log
from torch import nn

from ...checkpoint.fit import (AllowPartial, CheckpointMismatchError, FitReport, blocking,
                               compare_shapes, describe, mismatch_message, shapes_of)
from ..backbones import infer_arch
from .channel_order import align_channel_order, input_channel_order


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

    The one entry of :class:`~mmmobilevit.engine.hooks.CheckpointFitHook` and the
    ``inference-checkpoint-fit`` fix: reverses the stem of a checkpoint trained on the
    other channel order than the model is fed (:func:`align_channel_order`, in place),
    then refuses one that does not fit (:func:`check_checkpoint_fits`, whose other
    keyword arguments ``how_to_allow`` and ``model_classes`` it passes on).
    """
    align_channel_order(checkpoint, input_channel_order(model), source)
    return check_checkpoint_fits(model, checkpoint, allow_partial, source=source, **kwargs)
