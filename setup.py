"""Installs mmmobilevit: the MobileViT family for the OpenMMLab 2.x ecosystem."""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name):
    with open(osp.join(HERE, 'requirements', name), encoding='utf-8') as f:
        return [
            line.strip() for line in f
            if line.strip() and not line.startswith('#')
        ]


def get_version():
    scope = {}
    with open(osp.join(HERE, 'mmmobilevit', 'version.py'), encoding='utf-8') as f:
        exec(f.read(), scope)
    return scope['__version__']


# What `mim` (openmim) reads from an installed package's `.mim` folder: the model index
# (`mim search` / `mim download`), the configs it names and the tools (`mim train` /
# `mim test` run `.mim/tools/train.py` / `test.py`).
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def add_mim_extension():
    """Put the configs, tools and model index into ``mmmobilevit/.mim``.

    Wheels, sdists and regular installs get copies; editable installs get symbolic
    links to the repository's own files. Other commands leave ``.mim`` alone.
    """
    if {'develop', 'editable_wheel'} & set(sys.argv):
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel', 'build', 'build_py', 'install'} & set(sys.argv):
        mode = 'copy'
    else:
        return
    mim_dir = osp.join(HERE, 'mmmobilevit', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(HERE, name), osp.join(mim_dir, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_dir), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        else:
            shutil.copyfile(src, dst)


def mim_package_data():
    root = osp.join(HERE, 'mmmobilevit')
    files = []
    for dirpath, _, filenames in os.walk(osp.join(root, '.mim'), followlinks=True):
        files += [osp.relpath(osp.join(dirpath, f), root) for f in filenames
                  if not f.endswith('.pyc')]
    return files


# pip install 'mmmobilevit[cls,det]' etc.; 'all' is every task and deployment
EXTRAS = {name: read_requirements(f'{name}.txt')
          for name in ('cls', 'det', 'seg', 'deploy', 'tests')}
EXTRAS['all'] = sorted({r for name in ('cls', 'det', 'seg', 'deploy') for r in EXTRAS[name]})

add_mim_extension()
setup(
    name='mmmobilevit',
    version=get_version(),
    description='MobileViT v1/v2/v3 for mmpretrain, mmdet and mmseg',
    long_description=open(osp.join(HERE, 'README.md'), encoding='utf-8').read()
    if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs*', 'tools*', 'tests*', 'demo*')),
    package_data={'mmmobilevit': mim_package_data()},
    python_requires='>=3.10',  # torch 2.14's floor; CI runs 3.11
    install_requires=read_requirements('runtime.txt'),
    extras_require=EXTRAS,
    license='Apache License 2.0',
    zip_safe=False,
)
