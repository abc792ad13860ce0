"""Launch helpers shared by ``tools/train.py`` and ``tools/test.py``."""
import os.path as osp

import torch.distributed as dist
from mmengine.config import Config, ConfigDict

from ..compat.mmengine_dist import cpu_only


def load_cfg(args) -> Config:
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


def close_process_group():
    """Shut the distributed process group down before the interpreter exits.

    mmengine never destroys it; a gloo group still alive at exit can abort a rank
    ("terminate called without an active exception") after a run that succeeded.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
