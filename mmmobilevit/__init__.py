"""mmmobilevit: the MobileViT family for the OpenMMLab 2.x ecosystem.

Importing the package registers its modules into mmengine's root registries, from
which the mmpretrain, mmdet and mmseg scopes all resolve them (the task modules of the
task packages that are installed: :mod:`mmmobilevit.extras`), and checks the versions of
mmengine and mmcv. It changes nothing else: the one process-wide change, our checkpoint
loader, is made by :mod:`mmmobilevit.compat` (``tools/`` and the shipped configs'
``custom_imports`` ask for it).
"""
from importlib import metadata

from mmengine.utils import digit_version

from .version import __version__

# Package -> (min, max): min <= version < max (requirements/runtime.txt).
VERSION_RANGES = {'mmengine': ('0.10.7', '0.11.0'), 'mmcv': ('2.1.0', '2.2.0')}
# distributions that provide a package (mmcv-lite: mmcv without its compiled ops)
DISTRIBUTIONS = {'mmcv': ('mmcv', 'mmcv-lite')}


def _version(package: str) -> str:
    for dist in DISTRIBUTIONS.get(package, (package, )):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    raise ImportError(f'mmmobilevit needs {package}, which is not installed')


def _check_versions() -> None:
    for package, (low, high) in VERSION_RANGES.items():
        version = _version(package)
        if not digit_version(low) <= digit_version(version) < digit_version(high):
            raise ImportError(f'mmmobilevit needs {low} <= {package} < {high}, found '
                              f'{version}; install a version in that range')


_check_versions()

from . import datasets, engine, models  # noqa: E402,F401  (registers modules)

__all__ = ['__version__']
