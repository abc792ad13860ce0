"""Shipped configs, parsed once per test session.

``Config.fromfile`` of one of our detection or segmentation configs takes ~0.7 s on 2
cores, most of it mmengine reading every metafile of mmdet / mmseg to look up each
``mmdet::`` / ``mmseg::`` base (a base file is never among them, so the search always
runs to the end). The per-release tests load each of the 50 dense configs several times
(parameters, outputs at two sizes, conventions), so :func:`load_config` parses a file
once and hands each caller its own deep copy.
"""
import copy
import functools
import os.path as osp

from mmengine.config import Config


@functools.lru_cache(maxsize=None)
def _parsed(path: str, mtime: float) -> Config:
    return Config.fromfile(path)


def load_config(path: str) -> Config:
    """``Config.fromfile(path)``, parsed once per file (and modification time); the
    caller's copy is its own to change."""
    path = osp.abspath(path)
    return copy.deepcopy(_parsed(path, osp.getmtime(path)))
