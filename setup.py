"""Installs mmmobilevit: the MobileViT family for the OpenMMLab 2.x ecosystem."""
import os
import os.path as osp
import shutil

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


setup(
    name='mmmobilevit',
    version=get_version(),
    description='MobileViT v1/v2/v3 for mmpretrain, mmdet and mmseg',
    long_description=open(osp.join(HERE, 'README.md'), encoding='utf-8').read()
    if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'demo')),
    include_package_data=True,
    python_requires='>=3.8',
    install_requires=read_requirements('runtime.txt'),
    extras_require={'tests': ['pytest', 'timm']},
    license='Apache License 2.0',
    zip_safe=False,
)
