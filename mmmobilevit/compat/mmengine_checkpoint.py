"""Let mmengine 0.10.7 read its own checkpoints on torch >= 2.6.

mmengine's ``load_from_local`` calls ``torch.load(filename, map_location=...)``. Since
torch 2.6 ``weights_only`` defaults to ``True``, which rejects the objects mmengine
itself stores in a checkpoint (``meta``, message-hub history, numpy scalars), so
``--resume``, ``load_from`` and ``tools/test.py`` all fail.

We re-register the loader of the local-path scheme through mmengine's own extension
point (``CheckpointLoader.register_scheme(..., force=True)``) with one that keeps
mmengine's original behaviour (``weights_only=False``: checkpoints are trusted files,
as they were before torch 2.6) and turns a missing or corrupt file into a clear error.
Remote schemes are untouched: torch's ``load_state_dict_from_url``, which mmengine uses
for ``http(s)://``, already defaults to ``weights_only=False``.
"""
import os.path as osp
import pickle
import zipfile

import torch
from mmengine.runner.checkpoint import CheckpointLoader


class CheckpointError(RuntimeError):
    """Raised for a checkpoint file that cannot be read."""


def load_local_checkpoint(filename, map_location=None):
    """Load a local checkpoint as mmengine did before torch 2.6.

    Args:
        filename (str): Path of the checkpoint file.
        map_location (str, optional): Same as :func:`torch.load`.

    Returns:
        dict | OrderedDict: The loaded checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file "{filename}" does not exist')
    try:
        return torch.load(filename, map_location=map_location, weights_only=False)
    except (RuntimeError, EOFError, OSError, zipfile.BadZipFile, ValueError,
            pickle.UnpicklingError) as err:
        raise CheckpointError(
            f'"{filename}" is not a readable PyTorch checkpoint: the file is '
            f'truncated, corrupt or of another format ({err})') from err


def patch_checkpoint_loader():
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_local_checkpoint)
