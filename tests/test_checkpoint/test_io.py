"""Safe checkpoint loading: weights-only, numpy allowed, code refused unless trusted."""
import os.path as osp

import numpy as np
import pytest
import torch

import mmmobilevit  # noqa: F401
from helpers import run_tool
from helpers.http_server import FileServer
from mmmobilevit import compat
from mmmobilevit.checkpoint import (TRUST_ENV, UnsafeCheckpointError, is_trusted,
                                    load_checkpoint_file, read_local_checkpoint, trust_checkpoint)


class CreatesAFile:
    """Unpickling this object creates ``path`` (what a malicious checkpoint does)."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


@pytest.fixture
def crafted(tmp_path):
    marker = tmp_path / 'pwned.txt'
    path = tmp_path / 'crafted.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(2)), meta=dict(x=CreatesAFile(str(marker)))),
               path)
    assert not marker.exists()
    return str(path), marker


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    monkeypatch.delenv(TRUST_ENV, raising=False)
    return tmp_path / 'torch_home'


def test_weights_and_numpy_load(tmp_path):
    path = str(tmp_path / 'ok.pth')
    torch.save(dict(state_dict=dict(w=torch.arange(3)),
                    meta=dict(seed=np.int64(3), arr=np.arange(4, dtype=np.uint32),
                              dtype=np.dtype('float32'), rng=np.random.get_state())), path)
    ckpt = read_local_checkpoint(path)
    assert ckpt['meta']['seed'] == 3 and ckpt['meta']['arr'].dtype == np.uint32
    assert ckpt['meta']['rng'][0] == 'MT19937'


def _rename_numpy_core(path, old, new):
    """Rewrite the numpy module that ``path``'s pickle names (``torch.save`` writes
    protocol 2, whose GLOBAL names are newline-ended text), as another numpy wrote it."""
    import zipfile
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, 'w') as dst:
        for info, data in entries:
            if info.filename.endswith('data.pkl'):
                assert f'c{old}\n'.encode() in data
                data = data.replace(f'c{old}\n'.encode(), f'c{new}\n'.encode())
            dst.writestr(info, data)


def test_numpy_of_either_major_version_loads(tmp_path):
    """numpy 2 moved numpy.core to numpy._core: a pickle names its writer's module, and
    both load weights-only whichever numpy reads them."""
    path = str(tmp_path / 'np.pth')
    torch.save(dict(meta=dict(seed=np.int64(3), arr=np.arange(4))), path)
    here = ('numpy._core.multiarray' if int(np.__version__.split('.')[0]) >= 2
            else 'numpy.core.multiarray')
    other = 'numpy.core.multiarray' if here.startswith('numpy._') else 'numpy._core.multiarray'
    for writer in (here, other):
        if writer == other:
            _rename_numpy_core(path, here, other)
        meta = read_local_checkpoint(path)['meta']
        assert meta['seed'] == 3 and meta['arr'].tolist() == [0, 1, 2, 3], writer


def test_crafted_file_is_refused_by_path(crafted, torch_home):
    path, marker = crafted
    with pytest.raises(UnsafeCheckpointError) as err:
        read_local_checkpoint(path)
    assert TRUST_ENV in str(err.value) and '--trust-checkpoint' in str(err.value)
    assert path in str(err.value)
    # through mmengine's loader (as load_from / init_detector / init_model use it)
    compat.apply_patches(['mmengine-checkpoint-loader'])
    from mmengine.runner.checkpoint import _load_checkpoint
    with pytest.raises(UnsafeCheckpointError):
        _load_checkpoint(path, map_location='cpu')
    assert not marker.exists()


def test_crafted_file_is_refused_by_url(crafted, torch_home):
    path, marker = crafted
    with FileServer(osp.dirname(path)) as server:
        url = server.url(osp.basename(path))
        with pytest.raises(UnsafeCheckpointError) as err:
            load_checkpoint_file(url)
        assert url in str(err.value)
        compat.apply_patches(['mmengine-checkpoint-loader'])
        from mmengine.runner.checkpoint import _load_checkpoint
        with pytest.raises(UnsafeCheckpointError):
            _load_checkpoint(url, map_location='cpu')
    assert not marker.exists()


@pytest.mark.slow
def test_tools_test_refuses_it_and_names_the_switch(crafted, toy_data, tmp_path):
    path, marker = crafted
    proc = run_tool(['tools/test.py', 'configs/_toy_/resnet18_toy-cls.py', path,
                     '--work-dir', str(tmp_path / 'work')], check=False)
    assert proc.returncode != 0
    assert 'UnsafeCheckpointError' in proc.stdout and '--trust-checkpoint' in proc.stdout
    assert not marker.exists()


def test_the_trust_switch_is_explicit_per_file(crafted, torch_home, monkeypatch):
    path, marker = crafted
    monkeypatch.setenv(TRUST_ENV, osp.join(osp.dirname(path), 'other.pth'))
    assert not is_trusted(path)
    with pytest.raises(UnsafeCheckpointError):
        read_local_checkpoint(path)
    trust_checkpoint(path)
    assert is_trusted(path)
    read_local_checkpoint(path)  # the user said so: it runs
    assert marker.exists()


class RunsAShellCommand:
    """A global from a module torch blocks outright (posix.system)."""

    def __reduce__(self):
        import os
        return (os.system, ('true', ))


def test_a_blocked_global_is_named_unsafe_not_corrupt(tmp_path, torch_home):
    path = str(tmp_path / 'shell.pth')
    torch.save(dict(state_dict=dict(w=torch.ones(2)), meta=dict(x=RunsAShellCommand())), path)
    with pytest.raises(UnsafeCheckpointError, match='posix.system') as err:
        read_local_checkpoint(path)
    assert 'weights_only' not in str(err.value) and 'corrupt' not in str(err.value)
    assert '--trust-checkpoint' in str(err.value)


def test_a_text_or_html_file_is_named_as_such(tmp_path):
    from mmmobilevit.checkpoint import CheckpointError
    page, text = str(tmp_path / 'page.pth'), str(tmp_path / 'notes.pth')
    with open(page, 'w') as f:
        f.write('<html><body>404</body></html>')
    with open(text, 'w') as f:
        f.write('weights are elsewhere\n')
    with pytest.raises(CheckpointError, match='is an HTML page, not a PyTorch checkpoint'):
        read_local_checkpoint(page)
    with pytest.raises(CheckpointError, match='is a text file') as err:
        read_local_checkpoint(text)
    assert 'weights_only' not in str(err.value)
