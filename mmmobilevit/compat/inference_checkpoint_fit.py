"""Fix: the init APIs and inferencers load checkpoints that do not fit, with warnings only.

``mmdet.apis.init_detector``, ``mmseg.apis.init_model``, ``mmpretrain``'s
``init_model`` / ``get_model`` and the inferencers of the three load weights through
mmengine's ``load_checkpoint`` / ``_load_checkpoint_to_model`` with ``strict=False``: a
checkpoint of another model, or of another class count, only logs warnings, and the
returned model is partly random. The fix wraps those names where the init APIs and the
inferencers look them up (not mmengine's own module, so ``init_cfg=dict(type=
'Pretrained')`` partial initialisation is untouched): missing or shape-mismatched tensors
raise :class:`~mmmobilevit.checkpoint.fit.CheckpointMismatchError`, logged at error
level, naming the checkpoint's arch, task and classes and the model's. Unused
checkpoint tensors are warned about as before. A checkpoint trained on the other channel
order (``meta['channel_order']``) than the model's data preprocessor feeds gets its stem
reversed first, as in :class:`~mmmobilevit.engine.hooks.CheckpointFitHook`. Undo
restores every name.
"""
import functools
import importlib
from typing import Callable, List, Tuple

from .patch import Patch, register_patch

HOW_TO_ALLOW = ('To load it anyway, remove this fix first: '
                "`from mmmobilevit.compat import remove_patches; "
                "remove_patches('inference-checkpoint-fit')`.")

# (module, name, kind): where the init APIs and inferencers look the loaders up
TARGETS: List[Tuple[str, str, str]] = [
    ('mmengine.runner', 'load_checkpoint', 'file'),  # mmpretrain.apis.model imports it late
    ('mmpretrain.apis.base', 'load_checkpoint', 'file'),
    ('mmdet.apis.inference', 'load_checkpoint', 'file'),
    ('mmseg.apis.inference', 'load_checkpoint', 'file'),
    ('mmengine.infer.infer', '_load_checkpoint_to_model', 'loaded'),
    ('mmdet.apis.det_inferencer', '_load_checkpoint_to_model', 'loaded'),
    ('mmseg.apis.mmseg_inferencer', '_load_checkpoint_to_model', 'loaded'),
]


def _default_revise(revise_keys) -> bool:
    """mmengine's default key revision (strip ``module.``), which the check assumes."""
    return revise_keys is None or all(p == r'^module\.' and r == '' for p, r in revise_keys)


def _check(model, checkpoint, source):
    from ..models.utils import fit_checkpoint_to_model
    fit_checkpoint_to_model(model, checkpoint, None, source=source, how_to_allow=HOW_TO_ALLOW)


def _wrap_file_loader(original):
    from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model

    @functools.wraps(original)
    def load_checkpoint(model, filename, map_location=None, strict=False, logger=None,
                        revise_keys=[(r'^module\.', '')]):  # noqa: B006  (mmengine's default)
        checkpoint = _load_checkpoint(filename, map_location, logger)
        if _default_revise(revise_keys):
            _check(model, checkpoint, str(filename))
        return _load_checkpoint_to_model(model, checkpoint, strict, logger, revise_keys)

    return load_checkpoint


def _wrap_loaded(original):
    @functools.wraps(original)
    def _load_checkpoint_to_model(model, checkpoint, *args, **kwargs):
        revise = kwargs.get('revise_keys', args[2] if len(args) > 2 else None)
        if _default_revise(revise):
            _check(model, checkpoint, 'given to the inferencer')
        return original(model, checkpoint, *args, **kwargs)

    return _load_checkpoint_to_model


def _apply() -> Callable[[], None]:
    # import every target first: a module imported later would bind a wrapped name
    modules = []
    for module_name, name, kind in TARGETS:
        try:
            modules.append((importlib.import_module(module_name), name, kind))
        except ImportError:
            continue
    done = []
    for module, name, kind in modules:
        original = getattr(module, name)
        wrapped = _wrap_file_loader(original) if kind == 'file' else _wrap_loaded(original)
        setattr(module, name, wrapped)
        done.append((module, name, original))

    def undo() -> None:
        for module, name, original in reversed(done):
            setattr(module, name, original)

    return undo


PATCH = register_patch(Patch(
    name='inference-checkpoint-fit',
    target=', '.join(f'{m}.{n}' for m, n, _ in TARGETS),
    reason='the init APIs and inferencers load a checkpoint of another model or class '
    'count with warnings only (strict=False) and return a partly random model.',
    requires={'mmengine': ('0.10.0', '0.11.0')},
    apply=_apply))
