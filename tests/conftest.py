"""Shared fixtures: the repository root, the toy data, and running the tools."""
import glob
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def tool_env(**extra):
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    env.setdefault('OMP_NUM_THREADS', '2')
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_tool(args, timeout=600, env=None, check=True):
    """Run ``python tools/...`` (or a shell script) from the repository root."""
    if args[0].endswith('.py'):
        cmd = [sys.executable] + list(args)
    else:
        cmd = ['bash'] + list(args)
    proc = subprocess.run(cmd, cwd=REPO, env=env or tool_env(), timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f'{" ".join(cmd)} exited {proc.returncode}:\n'
                             f'{proc.stdout[-6000:]}')
    return proc


def read_test_metrics(work_dir):
    """The metrics ``tools/test.py`` logged (its newest ``<timestamp>.json``)."""
    files = sorted(f for f in glob.glob(osp.join(work_dir, '*', '*.json'))
                   if 'vis_data' not in f)
    assert files, f'no metrics json under {work_dir}'
    with open(files[-1]) as f:
        return json.load(f)


@pytest.fixture(scope='session')
def toy_data():
    """The bundled toy datasets under <repo>/data/toy (written once, then reused)."""
    from tools.misc.make_toy_data import make_toy_data
    out = osp.join(REPO, 'data', 'toy')
    make_toy_data(out, verbose=False)
    return out
