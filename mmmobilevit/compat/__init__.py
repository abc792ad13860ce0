"""The one process-wide change of the package: mmengine's checkpoint loaders.

``import mmmobilevit`` registers modules and changes nothing else. Importing
:mod:`mmmobilevit.compat.enable` (every shipped config's ``custom_imports``; ``tools/``
call :func:`apply_patches`) registers our loaders for local files and ``http(s)://``
URLs with mmengine's ``CheckpointLoader``
(:mod:`.mmengine_checkpoint`): mmengine 0.10 reads checkpoints with a bare
``torch.load`` (it unpickles anything before torch 2.6 and refuses its own checkpoints
since) and downloads through torch hub (no timeout, a cache keyed by the file name).
Ours read weights-only, download with timeouts and verification, and convert recognised
MobileViT release files; every other checkpoint comes back as mmengine would load it::

    >>> from mmmobilevit import compat
    >>> [p.name for p in compat.available_patches()]
    ['mmengine-checkpoint-loader']
    >>> compat.apply_patches()        # or: import mmmobilevit.compat.enable
    >>> compat.remove_patches()       # back to mmengine's loaders

Nothing else of mmengine, mmdet, mmseg or mmpretrain is changed: the upstream bugs our
models meet are fixed in our own classes (the load check of our top-level models,
:class:`~mmmobilevit.checkpoint.fit.CheckpointFitMixin`; mmdet's ``SSDHead`` that cannot
predict, :class:`~mmmobilevit.models.MMDetSSDHead`), hooks and entry points. CPU-only
distributed runs start their gloo process group before mmengine would
(:func:`mmmobilevit.utils.init_process_group`), and FLOP counts include fused
attention through ``FlopAnalyzer.set_op_handle`` (:func:`mmmobilevit.analysis.count_flops`).
"""
from . import mmengine_checkpoint  # noqa: F401  (registers it)
from .patch import (Patch, active_patches, apply_patches, available_patches, register_patch,
                    remove_patches)

__all__ = [
    'Patch', 'active_patches', 'apply_patches', 'available_patches', 'register_patch',
    'remove_patches'
]
