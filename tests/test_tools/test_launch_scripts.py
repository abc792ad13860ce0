"""The launch scripts pass every argument through as it was given (spaces included).

The scripts' own argument handling is what is tested: the program they launch (torchrun's
Python, srun) is replaced by one that prints the arguments it receives, one per line.
"""
import os
import os.path as osp
import socket
import stat
import subprocess

import pytest

from helpers import REPO

PRINT_ARGS = '#!/usr/bin/env bash\nfor a in "$@"; do printf "%s\\n" "$a"; done\n'


def _printer(path):
    with open(path, 'w') as f:
        f.write(PRINT_ARGS)
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return str(path)


def _run(script, args, **env):
    out = subprocess.run(['bash', osp.join(REPO, 'tools', script)] + args, check=True,
                         capture_output=True, text=True, env={**os.environ, **env})
    return out.stdout.splitlines()


@pytest.mark.parametrize('script,args', [
    ('dist_train.sh', ['my configs/a b.py', '2', '--work-dir', 'work dirs/x']),
    ('dist_test.sh', ['my configs/a b.py', 'ckpts/e 1.pth', '2', '--work-dir', 'work dirs/x']),
])
def test_dist_scripts_keep_arguments_with_spaces(script, args, tmp_path):
    argv = _run(script, args, PYTHON=_printer(tmp_path / 'python'), PORT='29999')
    assert argv[:2] == ['-m', 'torch.distributed.run']
    assert '--nproc_per_node=2' in argv and '--master_port=29999' in argv
    assert argv[-4:] == ['--launcher', 'pytorch', '--work-dir', 'work dirs/x']
    for given in args[:-3]:
        if given != '2':
            assert given in argv


@pytest.mark.parametrize('script', ['dist_train.sh', 'dist_test.sh'])
def test_a_port_in_use_is_named_with_what_to_do(script, tmp_path):
    with socket.socket() as busy:  # another job's rendezvous
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        args = ['a.py', '2'] if script == 'dist_train.sh' else ['a.py', 'e.pth', '2']
        proc = subprocess.run(['bash', osp.join(REPO, 'tools', script)] + args,
                              capture_output=True, text=True,
                              env={**os.environ, 'PORT': str(port),
                                   'PYTHON': _printer(tmp_path / 'python')})
    assert proc.returncode == 1 and proc.stdout == ''  # nothing was launched
    assert f'port {port} is in use' in proc.stderr and f'PORT={port + 1}' in proc.stderr


@pytest.mark.parametrize('script,args', [
    ('slurm_train.sh', ['part', 'job', 'my configs/a b.py', 'work dirs/x', '--amp']),
    ('slurm_test.sh', ['part', 'job', 'my configs/a b.py', 'ckpts/e 1.pth', '--out', 'r s.pkl']),
])
def test_slurm_scripts_keep_arguments_with_spaces(script, args, tmp_path):
    _printer(tmp_path / 'srun')
    argv = _run(script, args, PATH=f'{tmp_path}:{os.environ["PATH"]}',
                SRUN_ARGS='--mem=8G --time=10')
    assert '--mem=8G' in argv and '--time=10' in argv  # SRUN_ARGS: several options
    assert 'my configs/a b.py' in argv
    if script == 'slurm_train.sh':
        assert '--work-dir=work dirs/x' in argv and argv[-1] == '--amp'
    else:
        assert 'ckpts/e 1.pth' in argv and argv[-2:] == ['--out', 'r s.pkl']
