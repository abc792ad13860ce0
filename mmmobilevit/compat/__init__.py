"""Fixes of the pinned OpenMMLab stack: listed, version-gated, removable.

``import mmmobilevit`` applies none of them. They are applied by :func:`apply_patches`,
called by ``tools/`` and by importing :mod:`mmmobilevit.compat.enable`, which every
shipped config names in ``custom_imports`` (so ``init_detector`` / ``init_model`` /
the inferencers on our configs get them too)::

    >>> from mmmobilevit import compat
    >>> [p.name for p in compat.available_patches()]
    ['inference-checkpoint-fit', 'mmdet-ssdhead-loss-cls', 'mmengine-checkpoint-loader']
    >>> compat.apply_patches()        # or: import mmmobilevit.compat.enable
    >>> compat.active_patches()
    >>> compat.remove_patches()       # back to the packages as shipped

A removal lasts until :func:`apply_patches` is called again (``compat.enable`` is imported
once per process, so loading another config does not re-apply them).

The patches (each module's docstring describes the upstream bug):

* :mod:`.mmengine_checkpoint` -- mmengine 0.10's checkpoint loaders: safe weights-only
  loading, verified downloads, Apple / timm MobileViT layouts converted.
* :mod:`.mmdet_ssd_head` -- mmdet 3.x's ``SSDHead`` cannot predict.
* :mod:`.inference_checkpoint_fit` -- the init APIs and inferencers load checkpoints
  that do not fit (another model, another class count) with warnings only.

Two other gaps of the stack are closed without patching anything: CPU-only distributed
runs start their gloo process group before mmengine would
(:func:`mmmobilevit.utils.init_cpu_process_group`), and FLOP counts include fused
attention through ``FlopAnalyzer.set_op_handle`` (:func:`mmmobilevit.analysis.count_flops`).
"""
from . import (inference_checkpoint_fit, mmdet_ssd_head,  # noqa: F401  (register them)
               mmengine_checkpoint)
from .patch import (Patch, active_patches, apply_patches, available_patches, register_patch,
                    remove_patches)

__all__ = [
    'Patch', 'active_patches', 'apply_patches', 'available_patches', 'register_patch',
    'remove_patches'
]
