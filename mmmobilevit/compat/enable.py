"""Importing this module applies :mod:`mmmobilevit.compat`'s fixes (idempotent).

Named in every shipped config's ``custom_imports``, next to ``mmmobilevit``, so that
``Config.fromfile`` -- and with it ``tools/``, ``init_detector``, ``init_model`` and the
inferencers -- applies them explicitly for the configs that rely on them.
"""
from . import apply_patches

apply_patches()
