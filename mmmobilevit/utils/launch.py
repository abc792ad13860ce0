"""Launch helpers shared by ``tools/train.py`` and ``tools/test.py``."""
import argparse
import ctypes
import datetime
import os
import os.path as osp
import signal
import sys
import time
import warnings
from typing import IO, Optional

import torch
import torch.distributed as dist
from mmengine.config import Config, ConfigDict
from mmengine.dist import utils as dist_utils

from ..extras import EXTRAS, require


def cpu_only() -> bool:
    """True when training can only run on the CPU."""
    return not (torch.cuda.is_available() or dist_utils.is_mlu_available()
                or dist_utils.is_npu_available() or dist_utils.is_musa_available())


def process_group_args(cfg: Config, cpu: bool) -> Optional[dict]:
    """The ``init_process_group`` arguments of a ``pytorch``-launched rank that the tools
    start themselves, or None where mmengine's launcher starts the group as it ships.

    * On a machine without accelerators (``cpu``): gloo (a configured ``nccl`` becomes
      gloo), because mmengine 0.10's ``init_dist('pytorch')`` calls
      ``torch.cuda.set_device`` unconditionally, which fails without an NVIDIA driver.
    * In an elastic launch (torchrun ``--max-restarts`` > 0: ``MAX_RESTARTS`` of
      ``dist_train.sh``), on any device: torchrun's store outlives a restart of the
      group, and with it the dead ranks' addresses, which the new ranks could read and
      fail to connect to (``Gloo connectFullMesh ... Connection refused``). Each attempt
      (``TORCHELASTIC_RESTART_COUNT``) gets its own keys (a ``PrefixStore``) in
      torchrun's store; on GPUs the backend is the config's (mmengine's default nccl).

    The config's ``env_cfg.dist_cfg`` is kept (``timeout`` in seconds). For an elastic
    attempt this connects to torchrun's store (rank 0 serves it where the agent does
    not).
    """
    elastic = (int(os.environ.get('TORCHELASTIC_MAX_RESTARTS') or 0) > 0
               and 'MASTER_ADDR' in os.environ)
    if not (cpu or elastic):
        return None
    dist_cfg = dict(cfg.get('env_cfg', {}).get('dist_cfg', {}))
    backend = dist_cfg.pop('backend', 'gloo' if cpu else 'nccl')
    if cpu and backend == 'nccl':
        backend = 'gloo'
    if dist_cfg.get('timeout') is not None:
        dist_cfg['timeout'] = datetime.timedelta(seconds=dist_cfg['timeout'])
    if elastic and 'store' not in dist_cfg:
        rank, world_size = int(os.environ['RANK']), int(os.environ['WORLD_SIZE'])
        agent_store = os.environ.get('TORCHELASTIC_USE_AGENT_STORE') == 'True'
        store = dist.TCPStore(os.environ['MASTER_ADDR'], int(os.environ['MASTER_PORT']),
                              world_size, is_master=rank == 0 and not agent_store,
                              timeout=dist_cfg.get('timeout', datetime.timedelta(minutes=30)))
        attempt = os.environ.get('TORCHELASTIC_RESTART_COUNT', '0')
        dist_cfg.update(store=dist.PrefixStore(f'mmmobilevit/attempt_{attempt}', store),
                        rank=rank, world_size=world_size)
    return dict(backend=backend, **dist_cfg)


def init_process_group(cfg: Config, launcher: str) -> bool:
    """Start the process group of a ``pytorch``-launched rank where mmengine's launcher
    cannot (a CPU-only machine) or could pick up a dead attempt's ranks (an elastic
    restart on CUDA GPUs or CPUs): :func:`process_group_args` says how. ``Runner.setup_env`` skips
    ``init_dist`` when a group exists already; elsewhere mmengine starts it as usual.

    Returns:
        bool: Whether a process group was started here.
    """
    if launcher != 'pytorch' or dist.is_initialized():
        return False
    cpu = cpu_only()
    if not cpu and not torch.cuda.is_available():
        return False  # MLU / NPU / MUSA: mmengine's launcher picks their backends
    args = process_group_args(cfg, cpu)
    if args is None:
        return False
    if not cpu:
        torch.cuda.set_device(int(os.environ['LOCAL_RANK']))  # as mmengine's init_dist
    dist.init_process_group(**args)
    return True


def read_config(path: str) -> Config:
    """``Config.fromfile(path)``, without the three ``pkg_resources is deprecated``
    warnings that mmengine 0.10 triggers while it resolves ``mmdet::`` / ``mmseg::``
    bases (``mmengine.utils.is_installed`` imports and reloads ``pkg_resources``); the
    warning filter is restored afterwards.

    A config whose bases or ``default_scope`` need a task package that is not installed
    (``mmdet::`` bases without mmdet) stops with the extra to install
    (:func:`mmmobilevit.extras.require`).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='pkg_resources is deprecated',
                                category=UserWarning)
        try:
            cfg = Config.fromfile(path)
        except ModuleNotFoundError as err:  # mmengine: "<package> is not installed"
            for package in EXTRAS:
                if str(err).startswith(f'{package} is not installed'):
                    require(package, path)
            raise
    require(cfg.get('default_scope', ''), path)
    return cfg


def load_cfg(args: argparse.Namespace) -> Config:
    """The config of a tool's command line: ``args.config`` with ``--launcher``,
    ``--cfg-options`` and ``--work-dir`` applied (default ``./work_dirs/<config name>``).
    """
    cfg = read_config(args.config)
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


def use_atomic_checkpoints(cfg: Config) -> bool:
    """Make ``default_hooks.checkpoint`` an ``AtomicCheckpointHook`` where it is mmengine's
    plain ``CheckpointHook`` writing to local files (a checkpoint then appears under its
    name only when complete); its arguments are kept. Returns whether it changed."""
    hook = (cfg.get('default_hooks') or {}).get('checkpoint')
    if not hook or str(hook.get('type', '')).split('.')[-1] != 'CheckpointHook':
        return False
    if hook.get('backend_args') or hook.get('file_client_args') or \
            '://' in str(hook.get('out_dir') or ''):
        return False  # a remote or custom store: left as configured
    hook['type'] = 'AtomicCheckpointHook'
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


class WorkDirInUseError(RuntimeError):
    """Another run is writing into the same work dir."""


def lock_work_dir(work_dir: str) -> Optional[IO]:
    """Take an exclusive lock on ``work_dir`` for this run (rank 0 only).

    Two runs in one work dir interleave their logs and overwrite each other's
    checkpoints; the second one stops at once instead. The lock is an ``flock`` on
    ``<work_dir>/.lock``, released by the operating system when the process ends (also
    on ``kill -9``), so a crashed run never leaves a stale lock.

    Returns:
        The open lock file (keep a reference for the life of the run), or ``None`` on
        ranks other than 0 and where ``fcntl`` does not exist.

    Raises:
        WorkDirInUseError: The work dir is locked by another live run.
    """
    if int(os.environ.get('RANK', '0')) != 0:
        return None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not Linux / macOS
        return None
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, '.lock')
    handle = open(path, 'a+')
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        owner = handle.read().strip() or 'unknown'
        handle.close()
        raise WorkDirInUseError(
            f'the work dir "{work_dir}" is in use by another run ({owner}). Wait for it to '
            'finish, stop it, or give this run its own --work-dir.') from None
    handle.seek(0)
    handle.truncate()
    handle.write(f'pid {os.getpid()}, started {time.strftime("%Y-%m-%d %H:%M:%S")}\n')
    handle.flush()
    return handle


def die_with_parent(sig: int = signal.SIGTERM) -> bool:
    """Have Linux send ``sig`` to this process when its parent dies.

    A rank started by ``torchrun`` (``tools/dist_train.sh``) would otherwise train on
    after its launcher is killed (``kill -9`` leaves the ranks orphaned, writing
    checkpoints). Elsewhere this does nothing.

    Returns:
        bool: Whether the parent-death signal is set.
    """
    if not sys.platform.startswith('linux'):
        return False
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG = 1  # noqa: N806  (linux/prctl.h)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        return False
    if os.getppid() != parent:  # the parent died before the signal was set
        os.kill(os.getpid(), sig)
    return True
