"""Keep freed CPU memory in the process, so that tensors reuse pages already mapped.

PyTorch's CPU allocator is glibc ``malloc``. glibc serves every block above its mmap
threshold (at most 32 MiB with the dynamic default) by a fresh ``mmap`` and unmaps it on
``free``, and gives the top of its heap back to the system above its trim threshold.
At batch 8 and 256x256 a MobileViT forward allocates several such activations per call,
and every page of every one of them is faulted in and zeroed by the kernel again: in
``tools/analysis_tools/benchmark.py`` that is about 78,000 minor page faults per
MobileViT-S deploy forward (150,000 eager), a quarter of the CPU time. onnxruntime keeps
its own memory arena and does not pay it.

:func:`keep_freed_memory` sets glibc's mmap and trim thresholds to their maximum
(``mallopt``), so that blocks up to 2 GiB come from the heap and freed memory stays in
it: after the first call, a forward reuses its pages and faults none. The cost is that
the process keeps its peak memory until it exits. It changes the whole process, so
nothing calls it on import: the benchmark calls it in every implementation's worker
(``--malloc default`` turns it off), and a user who wants it calls it once at start-up.
The same effect without code: ``GLIBC_TUNABLES=glibc.malloc.mmap_threshold=2147483647:
glibc.malloc.trim_threshold=2147483647`` in the environment of the process.
"""
import ctypes
import ctypes.util
import platform

#: ``mallopt`` parameters (glibc's ``malloc.h``).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: The largest value ``mallopt`` takes (a C ``int``): 2 GiB - 1.
MAX_THRESHOLD = 2**31 - 1


def _glibc():
    if platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc':
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
    except OSError:
        return None


def keep_freed_memory(threshold: int = MAX_THRESHOLD) -> bool:
    """Make glibc ``malloc`` serve blocks up to ``threshold`` bytes from its heap and
    keep freed memory, for the rest of the process (see the module docstring).

    Args:
        threshold (int): Blocks up to this size no longer get their own ``mmap``, and
            up to this much freed memory at the top of the heap is kept. Defaults to
            the maximum, 2 GiB - 1.

    Returns:
        bool: True if glibc took both settings; False on other C libraries and
        systems, where nothing changes.
    """
    if not 0 < threshold <= MAX_THRESHOLD:
        raise ValueError(f'threshold must be in (0, {MAX_THRESHOLD}] bytes, got {threshold}')
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, threshold)) and \
        bool(libc.mallopt(M_TRIM_THRESHOLD, threshold))
