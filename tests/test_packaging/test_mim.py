"""openmim on an installed mmmobilevit: the package's .mim folder (setup.py), mim search,
mim download (a metafile entry pointed at a loopback server) and mim train; and the
environment's setuptools pin survives openmim's dependencies."""
import filecmp
import glob
import os
import os.path as osp
import shutil
import subprocess
import sys
from importlib.metadata import version

import pytest

from helpers import REPO, tool_env
from helpers.http_server import FileServer

pytestmark = pytest.mark.slow  # tool runs and training

MIM = osp.join(osp.dirname(sys.executable), 'mim')


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """mmmobilevit installed (a real wheel build, not editable) into a fresh target
    directory; returns the environment that puts it first on the path."""
    target = str(tmp_path_factory.mktemp('site'))
    build = str(tmp_path_factory.mktemp('build'))
    src = osp.join(build, 'src')
    # a copy of the checkout, so the wheel build does not touch the working tree
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        '.git', 'data', 'work_dirs', '__pycache__', '*.egg-info', '.mim', 'build'))
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-deps',
                    '--no-build-isolation', '--target', target, src],
                   check=True, capture_output=True, text=True)
    env = tool_env()
    env['PYTHONPATH'] = target
    return target, env


def mim(args, env, cwd=REPO, check=True):
    proc = subprocess.run([MIM] + args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)
    if check and proc.returncode:
        raise AssertionError(f'mim {" ".join(args)} exited {proc.returncode}:\n'
                             f'{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}')
    return proc


def test_the_environment_keeps_its_setuptools_pin():
    major = int(version('setuptools').split('.')[0])
    assert 77 <= major < 81, version('setuptools')
    assert version('openmim') == '0.3.9'


def test_mim_search_in_the_environment_the_readme_builds(tmp_path):
    """The editable install of tools/setup_env.sh (asked from outside the checkout)."""
    env = tool_env()
    env.pop('PYTHONPATH', None)
    out = mim(['search', 'mmmobilevit'], env, cwd=str(tmp_path)).stdout
    assert 'mobilevit-s_3rdparty_in1k' in out and 'mobilevitv3-1.0_3rdparty_in1k' in out


def test_the_wheel_ships_configs_tools_and_model_index(installed):
    target, _ = installed
    mim_dir = osp.join(target, 'mmmobilevit', '.mim')
    assert filecmp.cmp(osp.join(mim_dir, 'model-index.yml'), osp.join(REPO, 'model-index.yml'))
    for rel in ('configs/mobilevit/metafile.yml', 'configs/mobilevit/mobilevit-s_8xb128_in1k.py',
                'configs/_toy_/resnet18_toy-cls.py', 'tools/train.py', 'tools/test.py'):
        assert osp.isfile(osp.join(mim_dir, rel)), rel


def test_mim_search_and_download(installed, tmp_path):
    target, env = installed
    out = mim(['search', 'mmmobilevit'], env).stdout
    assert 'mobilevit-s_3rdparty_in1k' in out and 'mobilevitv2-1.0_3rdparty_in1k' in out
    # serve a checkpoint and point the installed metafile's entry at it
    served = tmp_path / 'served'
    os.makedirs(served)
    name = 'mobilevit-xxsmall_3rdparty_in1k_20221018-77835605.pth'
    with open(served / name, 'wb') as f:
        f.write(os.urandom(4096))
    metafile = osp.join(target, 'mmmobilevit', '.mim', 'configs', 'mobilevit', 'metafile.yml')
    text = open(metafile).read()
    remote = 'https://download.openmmlab.com/mmclassification/v0/mobilevit/' + name
    assert remote in text
    with FileServer(str(served)) as server:
        with open(metafile, 'w') as f:
            f.write(text.replace(remote, server.url(name)))
        dest = tmp_path / 'dest'
        mim(['download', 'mmmobilevit', '--config', 'mobilevit-xxs_3rdparty_in1k', '--dest',
             str(dest)], env)
        assert server.requests[name] == 1
    assert filecmp.cmp(dest / name, served / name, shallow=False)
    assert (dest / 'mobilevit-xxs_3rdparty_in1k.py').read_text().count('MobileViTBackbone')


def test_mim_train_runs_the_packaged_train_tool(installed, tmp_path, toy_data):
    _, env = installed
    work = str(tmp_path / 'work')
    out = mim(['train', 'mmmobilevit', 'resnet18_toy-cls.py', '--gpus', '0', '--work-dir',
               work, '--cfg-options', 'train_cfg.max_epochs=1'], env)
    assert '.mim' in out.stdout  # the installed package's tools/train.py ran
    assert glob.glob(osp.join(work, 'epoch_1.pth'))
