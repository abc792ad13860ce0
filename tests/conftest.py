"""Shared fixtures: the toy data, initial weights. The helpers (running the tools, the
loopback server, the reference implementations) live in ``tests/helpers``, which is not
part of the package: this file puts ``tests/`` on ``sys.path`` for them."""
import os.path as osp
import sys

import pytest

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from helpers import REPO  # noqa: E402


@pytest.fixture(scope='session')
def toy_data():
    """The bundled toy datasets under <repo>/data/toy (written once, then reused)."""
    from mmmobilevit.datasets.toy_data import make_toy_data
    out = osp.join(REPO, 'data', 'toy')
    make_toy_data(out, verbose=False)
    return out


TOY_CONFIGS = {
    'cls': osp.join(REPO, 'configs', '_toy_', 'mobilevit-xxs_toy-multiscale-cls.py'),
    'det': osp.join(REPO, 'configs', '_toy_', 'ssdlite_mobilevit-xxs_toy-det.py'),
    'seg': osp.join(REPO, 'configs', '_toy_', 'deeplabv3_mobilevit-xxs_toy-seg.py'),
    'r18': osp.join(REPO, 'configs', '_toy_', 'resnet18_toy-cls.py'),
}


@pytest.fixture(scope='session')
def initial_weights(tmp_path_factory):
    """Initial weights of the toy MobileViT classifier and detector and of the toy
    ResNet-18, as checkpoint files with their class names as dataset meta."""
    from helpers.weights import save_initial_weights
    out = tmp_path_factory.mktemp('initial_weights')
    shapes = ('square', 'circle', 'triangle', 'cross')
    classes = dict(cls=shapes, det=shapes[:3], r18=shapes)
    return {name: save_initial_weights(TOY_CONFIGS[name], str(out / f'{name}.pth'), classes[name])
            for name in classes}
