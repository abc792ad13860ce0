"""mmmobilevit: the MobileViT family for the OpenMMLab 2.x ecosystem.

Importing the package registers its modules into mmengine's root registries, from
which the mmpretrain, mmdet and mmseg scopes all resolve them, and applies the narrow
fixes of :mod:`mmmobilevit.compat` to the pinned OpenMMLab stack.
"""
from .compat import apply_patches
from .version import __version__

apply_patches()

from . import datasets, engine, models  # noqa: E402,F401  (registers modules)

__all__ = ['__version__']
