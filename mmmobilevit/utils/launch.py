"""Launch helpers shared by ``tools/train.py`` and ``tools/test.py``."""
import argparse
import datetime
import os.path as osp

import torch
import torch.distributed as dist
from mmengine.config import Config, ConfigDict
from mmengine.dist import utils as dist_utils


def cpu_only() -> bool:
    """True when training can only run on the CPU."""
    return not (torch.cuda.is_available() or dist_utils.is_mlu_available()
                or dist_utils.is_npu_available() or dist_utils.is_musa_available())


def init_cpu_process_group(cfg: Config, launcher: str) -> bool:
    """Start a gloo process group on a machine without accelerators.

    mmengine 0.10's launcher (``init_dist('pytorch')``) calls ``torch.cuda.set_device``
    unconditionally, which fails without an NVIDIA driver. ``Runner.setup_env`` skips
    ``init_dist`` when a process group exists already, so on CPU-only machines the tools
    start it first, from torchrun's environment, with the config's ``dist_cfg``
    (``timeout`` in seconds). With an accelerator mmengine starts it as usual.

    Returns:
        bool: Whether a process group was started here.
    """
    if launcher != 'pytorch' or not cpu_only() or dist.is_initialized():
        return False
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    backend = dist_cfg.pop('backend', 'gloo')
    if backend == 'nccl':
        backend = 'gloo'
    if dist_cfg.get('timeout') is not None:
        dist_cfg['timeout'] = datetime.timedelta(seconds=dist_cfg['timeout'])
    dist.init_process_group(backend=backend, **dist_cfg)
    return True


def load_cfg(args: argparse.Namespace) -> Config:
    """The config of a tool's command line: ``args.config`` with ``--launcher``,
    ``--cfg-options`` and ``--work-dir`` applied (default ``./work_dirs/<config name>``).
    """
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg


def add_custom_hook(cfg: Config, hook_type: str, **kwargs) -> bool:
    """Append ``dict(type=hook_type, **kwargs)`` to ``cfg.custom_hooks`` unless a hook
    of that type (with or without a scope prefix) is there already.

    Returns:
        bool: Whether the hook was added.
    """
    hooks = list(cfg.get('custom_hooks') or [])
    if any(str(h.get('type', '')).split('.')[-1] == hook_type for h in hooks):
        return False
    hooks.append(dict(type=hook_type, **kwargs))
    cfg.custom_hooks = hooks
    return True


def setup_device_cfg(cfg: Config, launcher: str) -> Config:
    """Make a config run data-parallel on a machine without GPUs.

    On such a machine (and only there) with a distributed launcher:

    * the process group uses gloo (nccl needs GPUs);
    * ``DistributedDataParallel`` gets ``device_ids=None``: mmengine passes
      ``[LOCAL_RANK]`` by default, which DDP rejects for modules on the CPU.

    Args:
        cfg (Config): The full config, changed in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.

    Returns:
        Config: ``cfg``.
    """
    if launcher == 'none' or not cpu_only():
        return cfg
    env_cfg = cfg.setdefault('env_cfg', ConfigDict())
    dist_cfg = env_cfg.setdefault('dist_cfg', ConfigDict())
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        dist_cfg['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or ConfigDict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper
    return cfg


def close_process_group() -> None:
    """Shut the distributed process group down before the interpreter exits.

    mmengine never destroys it; a gloo group still alive at exit can abort a rank
    ("terminate called without an active exception") after a run that succeeded.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
