"""mmmobilevit: the MobileViT family for the OpenMMLab 2.x ecosystem.

Importing the package registers its modules into mmengine's root registries, from
which the mmpretrain, mmdet and mmseg scopes all resolve them, and checks the versions
of the packages it needs. It changes nothing else: the fixes of the pinned stack are
listed and applied by :mod:`mmmobilevit.compat` (``tools/`` and the shipped configs'
``custom_imports`` ask for them).
"""
from importlib import metadata

from mmengine.utils import digit_version

from .version import __version__

# Package -> (min, max): min <= version < max (requirements/runtime.txt).
VERSION_RANGES = {'mmengine': ('0.10.0', '1.0.0'), 'mmcv': ('2.0.0', '2.2.0')}


def _check_versions() -> None:
    for package, (low, high) in VERSION_RANGES.items():
        version = metadata.version(package)
        if not digit_version(low) <= digit_version(version) < digit_version(high):
            raise ImportError(f'mmmobilevit needs {low} <= {package} < {high}, found '
                              f'{version}; install a version in that range')


_check_versions()

from . import datasets, engine, models  # noqa: E402,F401  (registers modules)

__all__ = ['__version__']
