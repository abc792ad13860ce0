"""Run mmengine's PyTorch launcher on machines without a GPU.

``mmengine.dist.utils._init_dist_pytorch`` calls ``torch.cuda.set_device(local_rank)``
unconditionally on CUDA-less machines, which fails with no NVIDIA driver. When no
accelerator is available, we start the process group directly, on gloo (nccl needs
GPUs). With a GPU (or MLU/NPU/MUSA) mmengine's own function runs unchanged.

The other half of CPU data parallelism, ``device_ids`` for ``DistributedDataParallel``,
is a config matter: see :func:`mmmobilevit.utils.setup_device_cfg`.
"""
import torch
import torch.distributed as torch_dist
from mmengine.dist import utils as dist_utils


def cpu_only():
    """True when training can only run on the CPU."""
    return not (torch.cuda.is_available() or dist_utils.is_mlu_available()
                or dist_utils.is_npu_available() or dist_utils.is_musa_available())


def patch_dist_init():
    original = dist_utils._init_dist_pytorch
    if getattr(original, '_mmmobilevit', False):
        return

    def init_dist_pytorch(backend, init_backend='torch', **kwargs):
        if not cpu_only() or init_backend != 'torch':
            return original(backend, init_backend=init_backend, **kwargs)
        if backend == 'nccl':
            backend = 'gloo'
        torch_dist.init_process_group(backend=backend, **kwargs)

    init_dist_pytorch._mmmobilevit = True
    init_dist_pytorch.__doc__ = original.__doc__
    dist_utils._init_dist_pytorch = init_dist_pytorch
