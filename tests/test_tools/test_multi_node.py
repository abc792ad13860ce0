"""Beyond one launcher (#35.11): two launchers as two nodes (``NNODES=2``, ``NODE_RANK``,
``MASTER_ADDR``, one process each, gloo) train to the weights of one launcher with two
processes; and ``MAX_RESTARTS=N`` (torchrun's elastic restart) brings the group back
after a rank is killed, resuming from the last checkpoint to an uninterrupted run's
weights."""
import os
import os.path as osp
import signal
import subprocess
import time

import pytest

from helpers import REPO, dist_env, free_port, processes_mentioning
from mmmobilevit.checkpoint import read_local_checkpoint

pytestmark = pytest.mark.slow  # several two-process trainings

CLS = 'configs/_toy_/resnet18_toy-cls.py'
EPOCHS = 3
OPTIONS = ['--cfg-options', f'train_cfg.max_epochs={EPOCHS}', 'train_cfg.val_interval=100']


def _launch(work, nprocs, **env):
    """``dist_train.sh`` in its own process group (:func:`_finish` ends it whatever
    happens)."""
    return subprocess.Popen(['bash', 'tools/dist_train.sh', CLS, str(nprocs), '--work-dir',
                             work] + OPTIONS, cwd=REPO, env=dist_env(**env),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _finish(proc, timeout=300):
    """Wait for a launch to succeed; on a failure or timeout, its whole group is killed
    (torchrun and its ranks), so nothing is left running after the test."""
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, out[-4000:]
    return out


def _weights(work):
    return read_local_checkpoint(osp.join(work, f'epoch_{EPOCHS}.pth'),
                                 map_location='cpu')['state_dict']


def _assert_same(a, b):
    assert a.keys() == b.keys()
    diffs = {k: (a[k].float() - b[k].float()).abs().max().item() for k in a}
    assert max(diffs.values()) == 0.0, sorted(diffs.items(), key=lambda x: -x[1])[:5]


@pytest.fixture(scope='module')
def one_launcher_two_processes(toy_data, tmp_path_factory):
    """``tools/dist_train.sh CONFIG 2`` on the CPU (gloo): two ranks, both RNG states in
    the checkpoints; its final weights."""
    work = str(tmp_path_factory.mktemp('reference'))
    out = _finish(_launch(work, 2))
    assert 'Distributed launcher: pytorch' in out or "'world_size': 2" in out \
        or 'World size: 2' in out, out[-3000:]
    last = read_local_checkpoint(osp.join(work, f'epoch_{EPOCHS}.pth'), map_location='cpu')
    assert len(last['rng_state']) == 2  # both ranks' RNG states
    return last['state_dict']


def test_two_launchers_as_two_nodes_train_to_the_same_weights(one_launcher_two_processes,
                                                              tmp_path):
    work, port = str(tmp_path / 'nodes'), free_port()
    nodes = [_launch(work, 1, NNODES=2, NODE_RANK=rank, MASTER_ADDR='127.0.0.1', PORT=port)
             for rank in (0, 1)]
    try:
        outs = [_finish(node) for node in nodes]
    finally:
        for node in nodes:
            if node.poll() is None:
                os.killpg(node.pid, signal.SIGKILL)
    assert "'world_size': 2" in outs[0] or 'World size: 2' in outs[0] \
        or 'Distributed launcher: pytorch' in outs[0]
    _assert_same(_weights(work), one_launcher_two_processes)


def _workers(work):
    """The training processes (not torchrun, not the script) of a run into ``work``."""
    def cmdline(pid):
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            return f.read().replace(b'\0', b' ').decode(errors='replace')
    return [pid for pid in processes_mentioning(work)
            if 'torch.distributed.run' not in cmdline(pid) and 'dist_train.sh' not in
            cmdline(pid)]


def test_a_killed_rank_restarts_the_group_which_resumes(one_launcher_two_processes,
                                                        tmp_path):
    work = str(tmp_path / 'elastic')
    proc = _launch(work, 2, MAX_RESTARTS=1)
    try:
        deadline = time.monotonic() + 240
        while not osp.exists(osp.join(work, 'epoch_1.pth')):  # then kill during epoch 2
            assert proc.poll() is None and time.monotonic() < deadline, 'no epoch_1.pth'
            time.sleep(0.05)
        victims = _workers(work)
        assert len(victims) == 2, victims
        os.kill(max(victims), signal.SIGKILL)  # one rank lost
    finally:
        out = _finish(proc)
    assert 'restart 1 of the process group: resuming from the last checkpoint' in out
    assert 'Resumed' in out or 'resumed' in out
    _assert_same(_weights(work), one_launcher_two_processes)
