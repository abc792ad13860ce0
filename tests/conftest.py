"""Shared fixtures: the toy data (helpers live in :mod:`mmmobilevit.testing`)."""
import os.path as osp

import pytest

from mmmobilevit.testing import REPO


@pytest.fixture(scope='session')
def toy_data():
    """The bundled toy datasets under <repo>/data/toy (written once, then reused)."""
    from mmmobilevit.testing.toy_data import make_toy_data
    out = osp.join(REPO, 'data', 'toy')
    make_toy_data(out, verbose=False)
    return out
