"""The registry of fixes to the pinned OpenMMLab stack.

A :class:`Patch` names what it changes and why, the package versions whose bug it fixes,
and how to apply it; applying returns the function that undoes it. Nothing is applied on
``import mmmobilevit``: :func:`apply_patches` is the one place that applies them, called
by ``tools/`` and by importing :mod:`mmmobilevit.compat.enable` (which every shipped
config lists in its ``custom_imports``).
"""
import logging
from dataclasses import dataclass, field
from importlib import metadata
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from mmengine.logging import print_log
from mmengine.utils import digit_version

Undo = Callable[[], None]


@dataclass(frozen=True)
class Patch:
    """One fix of an upstream package.

    Args:
        name (str): Short unique name (``'<package>-<what>'``).
        target (str): The upstream object it changes.
        reason (str): The upstream bug, in one or two sentences.
        requires (dict[str, tuple[str, str]]): Package -> ``(min, max)`` versions
            (``min <= version < max``) whose behaviour the fix was written for; outside
            them, or without the package, the patch is not applied.
        apply (Callable[[], Callable[[], None]]): Applies the fix and returns its undo.
    """

    name: str
    target: str
    reason: str
    requires: Dict[str, Tuple[str, str]] = field(default_factory=dict)
    apply: Callable[[], Undo] = field(default=lambda: (lambda: None), repr=False)

    def check_versions(self) -> Optional[str]:
        """``None`` if the installed packages are in range, else why not."""
        for package, (low, high) in self.requires.items():
            try:
                version = metadata.version(package)
            except metadata.PackageNotFoundError:
                return f'{package} is not installed'
            if not digit_version(low) <= digit_version(version) < digit_version(high):
                return f'{package} {version} is outside [{low}, {high})'
        return None


_PATCHES: Dict[str, Patch] = {}
_ACTIVE: Dict[str, Undo] = {}


def register_patch(patch: Patch) -> Patch:
    """Add a patch to the registry (names are unique)."""
    if patch.name in _PATCHES:
        raise KeyError(f'a patch named {patch.name!r} is registered already')
    _PATCHES[patch.name] = patch
    return patch


def available_patches() -> List[Patch]:
    """Every registered patch, applied or not."""
    return list(_PATCHES.values())


def active_patches() -> List[str]:
    """The names of the patches applied now, in the order they were applied."""
    return list(_ACTIVE)


def _select(names: Optional[Iterable[str]]) -> List[str]:
    if names is None:
        return list(_PATCHES)
    names = [names] if isinstance(names, str) else list(names)
    unknown = [n for n in names if n not in _PATCHES]
    if unknown:
        raise KeyError(f'unknown patches {unknown}; registered: {sorted(_PATCHES)}')
    return names


def apply_patches(names: Optional[Iterable[str]] = None) -> List[str]:
    """Apply the named patches (default: all) whose version ranges match; idempotent.

    Returns:
        list[str]: The patches active afterwards.
    """
    for name in _select(names):
        if name in _ACTIVE:
            continue
        patch = _PATCHES[name]
        why_not = patch.check_versions()
        if why_not:
            print_log(f'mmmobilevit: not applying {name} ({why_not})', logger='current',
                      level=logging.DEBUG)
            continue
        _ACTIVE[name] = patch.apply()
    return active_patches()


def remove_patches(names: Optional[Iterable[str]] = None) -> List[str]:
    """Undo the named patches (default: all active ones), newest first.

    Returns:
        list[str]: The patches still active afterwards.
    """
    for name in reversed(_select(names) if names is not None else list(_ACTIVE)):
        undo = _ACTIVE.pop(name, None)
        if undo is not None:
            undo()
    return active_patches()
