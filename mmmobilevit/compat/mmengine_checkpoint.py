"""Fix: mmengine 0.10's checkpoint loaders (local files and ``http(s)://`` URLs).

The one process-wide change of the package, made by importing
:mod:`mmmobilevit.compat.enable` (every shipped config's ``custom_imports``) or by
``tools/``; transparent for other models' files: a checkpoint mmengine would load safely
comes back as the same object (only its state dict's ``_metadata`` may gain entries that
other models ignore), unsafe pickles are refused (``--trust-checkpoint`` /
:func:`~mmmobilevit.checkpoint.trust_checkpoint` is the way round for a trusted file),
and only recognised MobileViT release files are converted.

mmengine 0.10.7's ``load_from_local`` / ``load_from_http`` call ``torch.load`` without
``weights_only``: before torch 2.6 that unpickles anything (a downloaded file can run
code), since torch 2.6 it refuses the numpy arrays and message-hub buffers of mmengine's
own checkpoints. Downloads are not verified beyond torch hub's, and Apple's / timm's
MobileViT files load with keys no model has.

The fix registers our loaders through mmengine's public extension point
(``CheckpointLoader.register_scheme(..., force=True)``): safe weights-only loading
(:mod:`mmmobilevit.checkpoint.io`), verified cached downloads, and the public MobileViT
layouts converted to ours (:func:`mmmobilevit.checkpoint.convert_public_layout`). Undo
registers mmengine's own functions again.
"""
import os
from typing import Any, Callable

from mmengine.logging import print_log
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader

from ..checkpoint import (channel_order_of, convert_public_layout, load_remote_checkpoint,
                          read_local_checkpoint)
from ..checkpoint.fit import (CHANNEL_ORDER_METADATA, CLASSES_METADATA, SOURCE_METADATA,
                              annotate_state_dict, classes_of)
from ..checkpoint.io import MapLocation
from ..checkpoint.release_classes import with_release_classes
from .patch import Patch, register_patch

HTTP = ('http://', 'https://')


def _converted(checkpoint: Any, source: str) -> Any:
    """A recognised release file converted to our layout; any other checkpoint as it is.

    The state dict's ``_metadata['']`` also gets where the file came from, its channel
    order and class names (when recorded), for our models' load check
    (:class:`~mmmobilevit.checkpoint.fit.CheckpointFitMixin`); other models ignore them.
    """
    checkpoint, layout = convert_public_layout(checkpoint)
    if layout is not None:
        print_log(f'{source}: converted from the {layout} MobileViT layout',
                  logger='current')
        with_release_classes(checkpoint)
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    annotate_state_dict(checkpoint, **{
        SOURCE_METADATA: source, CHANNEL_ORDER_METADATA: channel_order_of(checkpoint),
        CLASSES_METADATA: classes_of(meta.get('dataset_meta') if isinstance(meta, dict) else None)})
    return checkpoint


def load_local(filename: str, map_location: MapLocation = None) -> Any:
    """mmengine scheme ``''``: a local file, read safely, public layouts converted."""
    return _converted(read_local_checkpoint(filename, map_location), filename)


def load_http(filename: str, map_location: MapLocation = None, model_dir: str = None,
              progress: bool = os.isatty(0)) -> Any:
    """mmengine scheme ``http(s)://``: download once, read safely, convert layouts."""
    return _converted(
        load_remote_checkpoint(filename, map_location, model_dir, progress), filename)


def _register(local: Callable, http: Callable) -> None:
    CheckpointLoader.register_scheme(prefixes='', force=True)(local)
    CheckpointLoader.register_scheme(prefixes=HTTP, force=True)(http)


def _apply() -> Callable[[], None]:
    _register(load_local, load_http)
    return lambda: _register(mmengine_checkpoint.load_from_local,
                             mmengine_checkpoint.load_from_http)


PATCH = register_patch(Patch(
    name='mmengine-checkpoint-loader',
    target="mmengine.runner.CheckpointLoader schemes '' and 'http(s)://'",
    reason='mmengine 0.10 calls torch.load without weights_only: it unpickles anything '
    'before torch 2.6 and refuses its own checkpoints since; no MobileViT layouts.',
    requires={'mmengine': ('0.10.0', '0.11.0')},
    apply=_apply))
