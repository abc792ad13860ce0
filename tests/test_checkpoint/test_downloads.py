"""Checkpoints by URL through mmengine, against a loopback HTTP server: init_cfg,
load_from / tools/test.py, init_detector / init_model, the cache, corrupt downloads,
public layouts converted as they load, and the publishing tool that names the files."""
import glob
import os
import os.path as osp
import re

import pytest
import torch

import mmmobilevit  # noqa: F401
from helpers import REPO, read_test_metrics, run_tool, tool_env
from helpers.http_server import FileServer
from mmmobilevit import compat
from mmmobilevit.checkpoint import CheckpointError, read_local_checkpoint

pytestmark = pytest.mark.slow  # tool runs and training

CLS = 'configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py'
DET = 'configs/_toy_/ssdlite_mobilevit-xxs_toy-det.py'
SEG = 'configs/_toy_/deeplabv3_mobilevit-xxs_toy-seg.py'


@pytest.fixture(autouse=True)
def mmengine_loader_fix():
    """These tests load through mmengine's CheckpointLoader with our fix applied (as
    the configs' custom_imports and the tools apply it)."""
    compat.apply_patches(['mmengine-checkpoint-loader'])


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    """A private torch hub cache for this test (mmengine downloads into it)."""
    home = tmp_path / 'torch_home'
    monkeypatch.setenv('TORCH_HOME', str(home))
    return home


def cached_files(home):
    """The names of the files in the download cache (one folder per URL)."""
    return sorted(osp.basename(p) for p in glob.glob(
        str(home / 'hub' / 'checkpoints' / '**' / '*'), recursive=True) if osp.isfile(p))


def published(config, tmp_path, name, seed=0):
    """Initial weights of a config, published (EMA-free, sha-named) by our tool."""
    raw = str(tmp_path / f'{name}-raw.pth')
    run_tool(['tools/misc/init_checkpoint.py', config, raw, '--seed', str(seed)])
    out = run_tool(['tools/model_converters/publish_model.py', raw,
                    str(tmp_path / 'served' / f'{name}.pth')]).stdout
    path = [ln.split(' ', 1)[1] for ln in out.splitlines() if ln.startswith('published ')][0]
    return path


def test_publish_model_strips_training_state_and_names_by_sha(tmp_path):
    from mmengine.runner.checkpoint import save_checkpoint

    from mmmobilevit.checkpoint import sha256_of
    ema, raw = dict(w=torch.ones(3)), dict(w=torch.zeros(3))
    src = str(tmp_path / 'best.pth')
    save_checkpoint(dict(state_dict=ema, ema_state_dict=dict(raw),
                         optimizer=dict(state={}), param_schedulers=[],
                         message_hub=dict(), meta=dict(epoch=3, seed=1,
                                                       dataset_meta=dict(classes=('a', )),
                                                       hook_msgs=dict(best='x'))), src)
    out = run_tool(['tools/model_converters/publish_model.py', src,
                    str(tmp_path / 'pub' / 'model.pth')]).stdout
    assert 'dropped: ema_state_dict, message_hub, optimizer, param_schedulers' in out
    final = glob.glob(str(tmp_path / 'pub' / 'model-*.pth'))
    assert len(final) == 1
    sha = sha256_of(final[0])
    assert final[0].endswith(f'model-{sha[:8]}.pth') and f'sha256 {sha}' in out
    ckpt = read_local_checkpoint(final[0], map_location='cpu')
    assert set(ckpt) == {'state_dict', 'meta'}
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(3))  # the EMA weights
    assert ckpt['meta']['ema'] and ckpt['meta']['epoch'] == 3
    assert 'hook_msgs' not in ckpt['meta']
    proc = run_tool(['tools/model_converters/publish_model.py', str(tmp_path / 'no.pth'),
                     str(tmp_path / 'x.pth')], check=False)
    assert proc.returncode != 0 and 'does not exist' in proc.stdout


def test_init_cfg_url_downloads_caches_and_loads(tmp_path, torch_home):
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope
    path = published(CLS, tmp_path, 'mobilevit-xxs_toy')
    name = osp.basename(path)
    expected = read_local_checkpoint(path, map_location='cpu')['state_dict']
    with FileServer(osp.dirname(path)) as server:
        cfg = Config.fromfile(osp.join(REPO, CLS))
        cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=server.url(name))
        for _ in range(2):
            with DefaultScope.overwrite_default_scope('mmpretrain'):
                model = MODELS.build(cfg.model)
            model.init_weights()
            for k, v in model.backbone.state_dict().items():
                assert torch.equal(v, expected['backbone.' + k]), k
        assert server.requests[name] == 1  # the second build used the cache
    assert cached_files(torch_home) == [name]


def test_tools_test_and_inference_apis_accept_urls(tmp_path, torch_home, toy_data):
    from mmdet.apis import init_detector
    from mmseg.apis import init_model
    paths = {cfg: published(cfg, tmp_path, osp.basename(cfg)[:-3]) for cfg in (CLS, DET, SEG)}
    with FileServer(str(tmp_path / 'served')) as server:
        url = server.url(osp.basename(paths[CLS]))
        env = tool_env(TORCH_HOME=str(torch_home))
        for i in range(2):
            work = str(tmp_path / f'test{i}')
            run_tool(['tools/test.py', CLS, url, '--work-dir', work], env=env)
            assert 'accuracy/top1' in read_test_metrics(work)
        assert server.requests[osp.basename(paths[CLS])] == 1
        det = init_detector(osp.join(REPO, DET), server.url(osp.basename(paths[DET])),
                            device='cpu')
        seg = init_model(osp.join(REPO, SEG), server.url(osp.basename(paths[SEG])),
                         device='cpu')
    for model, path in ((det, paths[DET]), (seg, paths[SEG])):
        expected = read_local_checkpoint(path, map_location='cpu')['state_dict']
        own = model.state_dict()
        assert all(torch.equal(own[k], v) for k, v in expected.items())


def test_corrupt_downloads_give_clear_errors_and_leave_no_cache(tmp_path, torch_home):
    from mmengine.runner.checkpoint import _load_checkpoint

    from mmmobilevit.checkpoint import CheckpointError
    path = published(CLS, tmp_path, 'model')
    served = osp.dirname(path)
    hashed = osp.basename(path)
    data = open(path, 'rb').read()
    with open(osp.join(served, 'plain.pth'), 'wb') as f:  # no sha in the name
        f.write(data)
    with open(osp.join(served, 'garbage.pth'), 'wb') as f:
        f.write(bytes(range(256)) * 8)  # binary, of no known format
    with FileServer(served) as server:
        server.truncate |= {hashed, 'plain.pth'}
        # a sha-named file cut short: torch hub's hash check refuses it
        with pytest.raises(CheckpointError, match='corrupt'):
            _load_checkpoint(server.url(hashed))
        # no sha in the name: fewer bytes than announced, refused as well
        with pytest.raises(CheckpointError, match='truncated or corrupt: .* bytes arrived'):
            _load_checkpoint(server.url('plain.pth'))
        with pytest.raises(CheckpointError, match='not a readable PyTorch checkpoint'):
            _load_checkpoint(server.url('garbage.pth'))
        assert cached_files(torch_home) == []
        # once the server is healthy again the next run downloads and loads
        server.truncate.clear()
        assert 'state_dict' in _load_checkpoint(server.url(hashed))
        assert 'state_dict' in _load_checkpoint(server.url('plain.pth'))
        with pytest.raises(CheckpointError, match='cannot download'):
            _load_checkpoint(server.url('missing.pth'))
    assert cached_files(torch_home) == sorted([hashed, 'plain.pth'])


def test_public_layouts_load_by_url_where_mmpretrains_do(tmp_path, torch_home):
    """timm's (or Apple's) MobileViT file, given as load_from / checkpoint URL, is
    converted as it loads: the classifier gives timm's logits. The v1 config feeds BGR and
    timm's file expects RGB: the stem is reversed while loading, so the config's BGR
    input gives what timm gives for the RGB image."""
    import timm
    from mmpretrain.apis import init_model
    torch.manual_seed(0)
    theirs = timm.create_model('mobilevit_xxs', pretrained=False).eval()
    served = tmp_path / 'served'
    os.makedirs(served)
    torch.save(theirs.state_dict(), str(served / 'mobilevit_xxs_timm.pth'))
    with FileServer(str(served)) as server:
        model = init_model(osp.join(REPO, 'configs/mobilevit/mobilevit-xxs_8xb128_in1k.py'),
                           server.url('mobilevit_xxs_timm.pth'), device='cpu')
    x = torch.rand(2, 3, 256, 256)
    with torch.no_grad():
        diff = (model(x.flip(1), mode='tensor') - theirs(x)).abs().max().item()
    assert diff <= 1e-4


def test_a_hung_server_times_out_clearly_and_leaves_no_partial_file(torch_home,
                                                                    monkeypatch):
    """A server that accepts the connection and never answers: a clear error after the
    configured timeout (torch hub's downloader would wait for ever)."""
    import time

    from mmengine.runner.checkpoint import _load_checkpoint

    from helpers.http_server import StalledServer
    from mmmobilevit.checkpoint import TIMEOUT_ENV, CheckpointError
    monkeypatch.setenv(TIMEOUT_ENV, '2')
    with StalledServer() as server:
        start = time.monotonic()
        with pytest.raises(CheckpointError, match=f'timed out.*{TIMEOUT_ENV}'):
            _load_checkpoint(server.url('model-0123abcd.pth'))
        assert time.monotonic() - start < 30
    assert cached_files(torch_home) == []  # no .partial left
    monkeypatch.setenv(TIMEOUT_ENV, 'soon')
    with pytest.raises(ValueError, match='number of seconds'):
        _load_checkpoint('http://127.0.0.1:9/x.pth')


def test_different_urls_with_one_file_name_do_not_share_the_cache(tmp_path, torch_home):
    """Apple's releases share file names (mobilevitv2-1.5.pt is four models): each URL
    gets its own download."""
    from mmengine.runner.checkpoint import _load_checkpoint
    for sub, value in (('a', 1.), ('b', 2.)):
        os.makedirs(tmp_path / 'served' / sub)
        torch.save({'w': torch.full((2, ), value)}, str(tmp_path / 'served' / sub / 'model.pth'))
    with FileServer(str(tmp_path / 'served')) as server:
        a = _load_checkpoint(server.url('a/model.pth'))
        b = _load_checkpoint(server.url('b/model.pth'))
        assert a['w'][0] == 1. and b['w'][0] == 2.
        with pytest.raises(ValueError, match='names no file'):
            _load_checkpoint(server.url('a/'))
    assert cached_files(torch_home) == ['model.pth', 'model.pth']


def test_a_page_served_instead_of_a_checkpoint_is_named(tmp_path, torch_home):
    from mmengine.runner.checkpoint import _load_checkpoint
    os.makedirs(tmp_path / 'served')
    with open(tmp_path / 'served' / 'model.pth', 'w') as f:
        f.write('<!DOCTYPE html><html><body>Not found</body></html>')
    with FileServer(str(tmp_path / 'served')) as server:
        with pytest.raises(CheckpointError, match='served an HTML page, not a PyTorch') as err:
            _load_checkpoint(server.url('model.pth'))
    assert 'weights_only' not in str(err.value)
    assert cached_files(torch_home) == []


def test_a_trickling_server_is_given_up_and_progress_is_logged(tmp_path, torch_home,
                                                               monkeypatch):
    """A server that announces 10 MB and sends a byte every 0.3 s never trips the read
    timeout (#35.3): the minimum transfer rate over a window gives it up, with the rate
    and the setting in the message and nothing cached; progress goes to the log."""
    import time

    from mmengine.logging import MMLogger
    from mmengine.runner.checkpoint import _load_checkpoint

    from helpers.http_server import TrickleServer
    from mmmobilevit.checkpoint.io import MIN_RATE_ENV, RATE_WINDOW_ENV, cached_path
    monkeypatch.setenv(RATE_WINDOW_ENV, '2')
    log = str(tmp_path / 'download.log')
    MMLogger.get_instance('trickle_download', log_file=log)  # the current logger
    with TrickleServer(interval=0.3) as server:
        url = server.url('slow/model.pth')
        # a killed run's partial file of the same URL is removed first
        stale = cached_path(url) + '.999999.partial'
        os.makedirs(osp.dirname(stale), exist_ok=True)
        open(stale, 'wb').write(b'half')
        start = time.monotonic()
        with pytest.raises(CheckpointError, match=rf'too slow: \d+ bytes in the last 2 s, '
                           rf'under the minimum of 1024 bytes/s .*{MIN_RATE_ENV}'):
            _load_checkpoint(url)
        assert time.monotonic() - start < 20
    assert cached_files(torch_home) == []  # neither the partial file nor the stale one
    text = open(log).read()
    assert 'left by an interrupted download' in text
    assert 'Downloading' in text


def test_download_progress_reaches_the_log(tmp_path):
    """Progress lines (size, rate, time left) are logged, not only drawn on a terminal."""
    from mmengine.logging import MMLogger

    from helpers.http_server import TrickleServer
    from mmmobilevit.checkpoint.io import download
    log = str(tmp_path / 'progress.log')
    MMLogger.get_instance('progress_download', log_file=log)
    with TrickleServer(interval=0.05, size=60) as server:  # 3 s
        download(server.url('small.bin'), str(tmp_path / 'out.bin'), progress=True)
    assert osp.getsize(tmp_path / 'out.bin') == 60
    assert re.search(r'  0\.0 of 0\.0 MiB, 0\.00 MiB/s, \d+ s left', open(log).read())
