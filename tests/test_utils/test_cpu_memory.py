"""keep_freed_memory: large tensors reuse the heap's pages instead of faulting in new ones."""
import platform
import subprocess
import sys

import pytest

from mmmobilevit.utils import cpu_memory, keep_freed_memory
from mmmobilevit.utils.cpu_memory import MAX_THRESHOLD

GLIBC = platform.system() == 'Linux' and platform.libc_ver()[0] == 'glibc'

# A 64 MiB buffer allocated, zeroed and freed 5 times after a first one: with glibc's
# defaults each gets a fresh mmap whose 16,384 pages fault in again; kept, none do. The
# probe loads the module by path (no torch, no registries: it starts in well under 1 s).
PROBE = """
import importlib.util, resource, sys
spec = importlib.util.spec_from_file_location('cpu_memory', sys.argv[2])
cpu_memory = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cpu_memory)
if sys.argv[1] == 'keep':
    assert cpu_memory.keep_freed_memory()
bytearray(2**26)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    bytearray(2**26)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 5)
"""


def faults_per_tensor(mode):
    out = subprocess.run([sys.executable, '-c', PROBE, mode, cpu_memory.__file__],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1])


def test_kept_memory_is_reused_without_page_faults():
    if not GLIBC:  # nothing to change: the function says so
        assert keep_freed_memory() is False
        return
    assert faults_per_tensor('default') > 10000  # 64 MiB / 4 KiB = 16,384 pages
    assert faults_per_tensor('keep') < 500


def test_threshold_out_of_range_raises():
    with pytest.raises(ValueError, match='threshold'):
        keep_freed_memory(0)
    with pytest.raises(ValueError, match='threshold'):
        keep_freed_memory(MAX_THRESHOLD + 1)
