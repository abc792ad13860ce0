"""Which OpenMMLab task packages are installed, and the extra that brings each.

``import mmmobilevit`` registers the backbone and whatever of the task modules their
packages allow: classification needs mmpretrain, detection mmdet, segmentation mmseg,
deployment onnxruntime. :func:`require` turns a missing one into a one-line error that
names the extra to install (``pip install 'mmmobilevit[det]'``).
"""
from importlib.util import find_spec

#: import name -> (extra, distribution) of the packages behind the tasks
EXTRAS = {
    'mmpretrain': ('cls', 'mmpretrain'),
    'mmdet': ('det', 'mmdet'),
    'mmseg': ('seg', 'mmsegmentation'),
    'onnxruntime': ('deploy', 'onnxruntime'),
}
#: a config's ``default_scope`` -> the package it needs
SCOPES = {'mmpretrain': 'mmpretrain', 'mmdet': 'mmdet', 'mmseg': 'mmseg'}


def installed(package: str) -> bool:
    """Whether ``package`` (an import name) can be imported."""
    return find_spec(package) is not None


class MissingExtraError(ImportError):
    """A task package (or onnxruntime) that an extra of ours installs is missing."""


def require(package: str, what: str = '') -> None:
    """Raise :class:`MissingExtraError` (an ``ImportError``) naming the extra when
    ``package`` is not installed.

    Args:
        package (str): The import name (``'mmdet'``, ``'mmseg'``, ``'mmpretrain'``,
            ``'onnxruntime'``) or a config's ``default_scope``.
        what (str): What needs it, for the message (e.g. a config's path).
    """
    package = SCOPES.get(package, package)
    if package in EXTRAS and not installed(package):
        extra, dist = EXTRAS[package]
        needs = f'{what} needs' if what else 'this needs'
        raise MissingExtraError(f"{needs} {dist}, which is not installed: pip install "
                                f"'mmmobilevit[{extra}]'")
