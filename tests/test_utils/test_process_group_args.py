"""How the tools start a ``pytorch``-launched rank's process group
(:func:`mmmobilevit.utils.launch.process_group_args`): gloo on a CPU-only machine; in an
elastic launch (torchrun ``--max-restarts`` > 0), each attempt's keys under its own
prefix in torchrun's store, with the config's backend on GPUs (this machine has none: the
arguments are checked, the NCCL group itself is not started here); otherwise mmengine's
launcher, as it ships."""
import datetime

import torch.distributed as dist
from mmengine.config import Config

from helpers import free_port
from mmmobilevit.utils.launch import process_group_args


def _cfg(**dist_cfg):
    return Config(dict(env_cfg=dict(dist_cfg=dist_cfg)))


def test_cpu_gets_gloo_and_gpu_is_left_to_mmengine(monkeypatch):
    monkeypatch.delenv('TORCHELASTIC_MAX_RESTARTS', raising=False)
    args = process_group_args(_cfg(backend='nccl', timeout=60), cpu=True)
    assert args == dict(backend='gloo', timeout=datetime.timedelta(seconds=60))
    assert process_group_args(_cfg(backend='nccl'), cpu=False) is None
    monkeypatch.setenv('TORCHELASTIC_MAX_RESTARTS', '0')  # torchrun without restarts
    assert process_group_args(_cfg(), cpu=False) is None


def test_an_elastic_attempt_gets_its_own_keys_on_any_device(monkeypatch):
    port = free_port()
    monkeypatch.setenv('MASTER_ADDR', '127.0.0.1')
    monkeypatch.setenv('MASTER_PORT', str(port))
    monkeypatch.setenv('RANK', '0')
    monkeypatch.setenv('WORLD_SIZE', '1')
    monkeypatch.setenv('TORCHELASTIC_MAX_RESTARTS', '3')
    monkeypatch.setenv('TORCHELASTIC_RESTART_COUNT', '2')
    monkeypatch.delenv('TORCHELASTIC_USE_AGENT_STORE', raising=False)
    args = process_group_args(_cfg(timeout=30), cpu=False)
    assert args['backend'] == 'nccl'  # mmengine's default on GPUs
    assert (args['rank'], args['world_size']) == (0, 1)
    assert args['timeout'] == datetime.timedelta(seconds=30)
    args['store'].set('ranks', 'this attempt')
    client = dist.TCPStore('127.0.0.1', port, 1, is_master=False,
                           timeout=datetime.timedelta(seconds=10))
    assert client.get('mmmobilevit/attempt_2/ranks') == b'this attempt'
