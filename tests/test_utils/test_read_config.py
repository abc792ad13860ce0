"""Configs are read without mmengine's ``pkg_resources is deprecated`` warnings."""
import os.path as osp
import warnings

from mmengine.config import Config

from helpers import REPO
from mmmobilevit.utils import read_config

# a config with mmdet:: bases, which mmengine resolves through pkg_resources
CONFIG = osp.join(REPO, 'configs', 'mobilevit', 'ssdlite_mobilevit-s_coco.py')


def _pkg_resources_warnings(read):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        cfg = read(CONFIG)
    assert cfg.model.type == 'SSDLite'
    return [w for w in caught if 'pkg_resources is deprecated' in str(w.message)]


def test_read_config_has_no_pkg_resources_warnings():
    assert _pkg_resources_warnings(Config.fromfile)  # upstream: warns
    assert not _pkg_resources_warnings(read_config)
    # the filter is the caller's again afterwards
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        warnings.warn('pkg_resources is deprecated (test)', UserWarning)
    assert len(caught) == 1
