"""mmengine 0.10.7's checkpoint loading, made safe and convenient for MobileViT weights.

Three things, all through mmengine's own extension point
(``CheckpointLoader.register_scheme(..., force=True)``) for local paths and
``http(s)://`` URLs, so ``load_from``, ``init_cfg``, ``--resume``, ``tools/test.py
CONFIG URL``, ``init_detector`` / ``init_model`` all get them:

* **torch >= 2.6.** mmengine's ``load_from_local`` calls a bare ``torch.load``, whose
  ``weights_only`` now defaults to ``True`` and refuses mmengine's own checkpoints
  (``meta``, message-hub history, numpy scalars). We load with ``weights_only=False``
  (checkpoints are trusted files, as before torch 2.6).
* **Downloads.** A URL is downloaded once into torch's hub cache (``$TORCH_HOME/hub/
  checkpoints``, as mmengine does) and loaded from there afterwards. A file name that
  carries a sha256 prefix (``name-<hex>.pth``, OpenMMLab's and
  ``tools/model_converters/publish_model.py``'s naming) is checked against it. A
  download that is truncated or corrupt raises :class:`CheckpointError` and is not left
  in the cache (torch writes to a temporary file and renames it only when complete; a
  cached file that does not load is deleted), so the next run downloads it again.
* **Public MobileViT layouts.** A checkpoint in Apple's (ml-cvnets, MobileViTv3) or
  timm's MobileViT layout is converted to ours (``backbone.*`` / ``head.*``) as it is
  loaded, so the upstream release files work wherever an mmpretrain-layout checkpoint
  does. Every other checkpoint is returned as it is.
"""
import os
import os.path as osp
import pickle
import zipfile
from collections import OrderedDict
from urllib.parse import urlparse

import torch
from mmengine.dist import barrier, get_dist_info
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

_READ_ERRORS = (RuntimeError, EOFError, OSError, zipfile.BadZipFile, ValueError,
                pickle.UnpicklingError)


class CheckpointError(RuntimeError):
    """Raised for a checkpoint file or download that cannot be read."""


def _torch_load(filename, map_location):
    return torch.load(filename, map_location=map_location, weights_only=False)


def convert_public_layout(checkpoint, source=''):
    """Apple / timm MobileViT checkpoints -> our layout; anything else unchanged."""
    if not isinstance(checkpoint, dict):
        return checkpoint
    from ..models.backbones.checkpoint_layouts import (CheckpointLayoutError,
                                                       detect_layout,
                                                       to_mmpretrain_layout,
                                                       unwrap_state_dict)
    try:
        layout = detect_layout(unwrap_state_dict(checkpoint))
        if layout == 'mmpretrain':
            return checkpoint
        state_dict, layout = to_mmpretrain_layout(checkpoint)
    except CheckpointLayoutError:
        return checkpoint  # not a MobileViT checkpoint of a public layout
    print_log(f'{source}: converted from the {layout} MobileViT layout', logger='current')
    return dict(state_dict=OrderedDict(state_dict), meta=dict(converted_from=layout))


def read_local_checkpoint(filename, map_location=None):
    """``torch.load`` a local file as it is, with a clear error if it cannot be read."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file "{filename}" does not exist')
    try:
        return _torch_load(filename, map_location)
    except _READ_ERRORS as err:
        raise CheckpointError(
            f'"{filename}" is not a readable PyTorch checkpoint: the file is '
            f'truncated, corrupt or of another format ({err})') from err


def load_local_checkpoint(filename, map_location=None):
    """Load a local checkpoint (mmengine's behaviour before torch 2.6).

    Args:
        filename (str): Path of the checkpoint file.
        map_location (str, optional): Same as :func:`torch.load`.

    Returns:
        dict | OrderedDict: The loaded checkpoint (public MobileViT layouts converted).
    """
    return convert_public_layout(read_local_checkpoint(filename, map_location), filename)


def cached_path(url, model_dir=None):
    """Where a URL's download is cached (torch hub's checkpoints directory)."""
    model_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    return osp.join(model_dir, osp.basename(urlparse(url).path))


def _download(url, cached, progress):
    match = torch.hub.HASH_REGEX.search(osp.basename(cached))
    hash_prefix = match.group(1) if match and len(match.group(1)) >= 8 else None
    os.makedirs(osp.dirname(cached), exist_ok=True)
    print_log(f'Downloading {url} to {cached}', logger='current')
    try:
        torch.hub.download_url_to_file(url, cached, hash_prefix, progress=progress)
    except RuntimeError as err:  # torch's hash check
        raise CheckpointError(f'the download of {url} is corrupt ({err}); nothing was '
                              'cached, run again to download it anew') from err
    except OSError as err:
        raise CheckpointError(f'cannot download {url}: {err}') from err


def load_remote_checkpoint(filename, map_location=None, model_dir=None,
                           progress=os.isatty(0)):
    """Download (once, rank 0 first) and load an ``http(s)://`` checkpoint.

    Args:
        filename (str): The URL.
        map_location (str, optional): Same as :func:`torch.load`.
        model_dir (str, optional): Cache directory; default torch hub's.
        progress (bool): Show a download progress bar.
    """
    cached = cached_path(filename, model_dir)
    rank, world_size = get_dist_info()
    if rank == 0 and not osp.isfile(cached):
        _download(filename, cached, progress)
    if world_size > 1:
        barrier()
        if rank > 0 and not osp.isfile(cached):  # another node's rank 0 downloaded it
            _download(filename, cached, progress)
    try:
        checkpoint = _torch_load(cached, map_location)
    except _READ_ERRORS as err:
        if rank == 0 and osp.isfile(cached):
            os.remove(cached)
        raise CheckpointError(
            f'the download of {filename} is not a readable PyTorch checkpoint (truncated '
            f'or corrupt: {err}); removed it from the cache ({cached}), run again to '
            'download it anew') from err
    return convert_public_layout(checkpoint, filename)


def patch_checkpoint_loader():
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_local_checkpoint)
    CheckpointLoader.register_scheme(prefixes=('http://', 'https://'),
                                     force=True)(load_remote_checkpoint)
