"""The source distribution and the wheel build without isolation and install into a
fresh target, with the files the package needs (requirements, licences, .mim)."""
import glob
import os.path as osp
import shutil
import subprocess
import sys
import tarfile

import pytest

from helpers import REPO, tool_env

pytestmark = pytest.mark.slow


def run(cmd, cwd, env=None):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, f'{cmd} exited {proc.returncode}:\n{proc.stderr[-4000:]}'
    return proc


@pytest.fixture(scope='module')
def source(tmp_path_factory):
    """A copy of the checkout, so that building does not touch the working tree."""
    src = str(tmp_path_factory.mktemp('src') / 'mmmobilevit')
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        '.git', 'data', 'work_dirs', '__pycache__', '*.egg-info', '.mim', 'build', 'dist'))
    return src


def check_installed(target, cwd):
    env = tool_env(PYTHONPATH=target)
    out = run([sys.executable, '-c',
               'import mmmobilevit, mmmobilevit.apis, mmmobilevit.compat; '
               'print(mmmobilevit.__file__)'], cwd=cwd, env=env).stdout.strip()
    assert out.startswith(target), out
    mim_dir = osp.join(target, 'mmmobilevit', '.mim')
    for rel in ('model-index.yml', 'configs/mobilevit/metafile.yml',
                'configs/mobilevit/ssdlite_mobilevit-s_coco.py', 'tools/train.py'):
        assert osp.isfile(osp.join(mim_dir, rel)), rel


def test_sdist_has_everything_and_installs(source, tmp_path):
    run([sys.executable, 'setup.py', '-q', 'sdist', '-d', str(tmp_path / 'dist')], source)
    (sdist, ) = glob.glob(str(tmp_path / 'dist' / 'mmmobilevit-*.tar.gz'))
    with tarfile.open(sdist) as tar:
        names = {n.split('/', 1)[1] for n in tar.getnames() if '/' in n}
    for rel in ('requirements/runtime.txt', 'LICENSE', 'NOTICE', 'README.md', 'setup.py',
                'model-index.yml', 'configs/mobilevit/metafile.yml', 'tools/train.py',
                'mmmobilevit/checkpoint/layouts.py'):
        assert rel in names, rel
    target = str(tmp_path / 'site')
    run([sys.executable, '-m', 'pip', 'install', '-q', '--no-deps', '--no-build-isolation',
         '--target', target, sdist], str(tmp_path))
    check_installed(target, str(tmp_path))


def test_wheel_builds_and_installs(source, tmp_path):
    run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '--no-build-isolation',
         '-w', str(tmp_path / 'wheels'), source], str(tmp_path))
    (wheel, ) = glob.glob(str(tmp_path / 'wheels' / 'mmmobilevit-*.whl'))
    target = str(tmp_path / 'site')
    run([sys.executable, '-m', 'pip', 'install', '-q', '--no-deps', '--target', target,
         wheel], str(tmp_path))
    check_installed(target, str(tmp_path))
