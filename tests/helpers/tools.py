"""Run the repository's tools as a user would, in a subprocess."""
import glob
import json
import os
import os.path as osp
import socket
import subprocess
import sys
from typing import Dict, List, Optional

#: The checkout (the package is installed editable from it: tools/ and configs/ live here).
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def tool_env(**extra) -> Dict[str, str]:
    """The environment for a tool: this one, two OpenMP threads, plus ``extra``."""
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '2')
    # the tests' helpers (tests/helpers: hooks a test config imports) for the tool too
    tests = osp.dirname(osp.dirname(osp.abspath(__file__)))
    paths = [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p]
    env['PYTHONPATH'] = os.pathsep.join([tests] + [p for p in paths if p != tests])
    env.update({k: str(v) for k, v in extra.items()})
    return env


def dist_env(**extra) -> Dict[str, str]:
    """The environment for a multi-process launch (``dist_train.sh`` and the like): one
    OpenMP thread per process (two processes of two threads each on two cores spin
    against each other: a toy step takes ~20x as long), a free port, this interpreter."""
    return tool_env(**{'OMP_NUM_THREADS': '1', 'PORT': free_port(),
                       'PYTHON': sys.executable, **extra})


def load_tool(path: str):
    """Import ``tools/...py`` (a path below the repository) as a module, to call its
    ``main(argv)`` in-process."""
    import importlib.util
    name = 'mmmobilevit_tool_' + path.replace('/', '_')[:-3]
    spec = importlib.util.spec_from_file_location(name, osp.join(REPO, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tool(args: List[str], timeout: float = 600, env: Optional[Dict[str, str]] = None,
             check: bool = True, cold: bool = False) -> subprocess.CompletedProcess:
    """Run ``python tools/...`` (or a shell script) from the repository root.

    A Python tool runs in a process forked from a server that has imported the
    frameworks already (:mod:`.tool_server`: its own process, environment, output and
    exit status, without the ~12 s of imports); ``cold=True`` (or
    ``MMMOBILEVIT_TEST_COLD_TOOLS=1``) starts a new interpreter instead, as a shell
    script always does. Output (stdout and stderr together) is in ``.stdout``; with
    ``check`` a non-zero exit raises ``AssertionError`` showing its end.
    """
    env = env or tool_env()
    if args[0].endswith('.py') and not cold and \
            os.environ.get('MMMOBILEVIT_TEST_COLD_TOOLS', '0') != '1':
        import tempfile

        from .tool_server import shared_server
        cmd = ['python'] + list(args)
        with tempfile.NamedTemporaryFile('r', suffix='.log') as log:
            code = shared_server().run(list(args), REPO, env, log.name, timeout)
            proc = subprocess.CompletedProcess(cmd, code, log.read(), None)
    else:
        cmd = ([sys.executable] if args[0].endswith('.py') else ['bash']) + list(args)
        proc = subprocess.run(cmd, cwd=REPO, env=env, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f'{" ".join(cmd)} exited {proc.returncode}:\n'
                             f'{proc.stdout[-6000:]}')
    return proc


def read_test_metrics(work_dir: str) -> dict:
    """The metrics ``tools/test.py`` logged (its newest ``<timestamp>.json``)."""
    files = sorted(f for f in glob.glob(osp.join(work_dir, '*', '*.json'))
                   if 'vis_data' not in f)
    assert files, f'no metrics json under {work_dir}'
    with open(files[-1]) as f:
        return json.load(f)


def processes_mentioning(text):
    """PIDs of the live processes whose command line contains ``text``."""
    pids = []
    for path in glob.glob('/proc/[0-9]*/cmdline'):
        try:
            with open(path, 'rb') as f:
                cmdline = f.read().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue
        if text in cmdline and int(path.split('/')[2]) != os.getpid():
            pids.append(int(path.split('/')[2]))
    return pids
