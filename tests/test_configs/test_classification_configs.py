"""The ImageNet-1k configs: one per arch, exact parameter counts, the multi-scale sampler."""
import glob
import os.path as osp

import pytest
from mmengine.registry import DATA_SAMPLERS, MODELS, DefaultScope

import mmmobilevit  # noqa: F401
from helpers import REPO
from helpers.configs import load_config
from mmmobilevit.releases import REFERENCE_PARAMS

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'mobilevit*', '*_8xb128_in1k.py')))


def test_one_config_per_arch():
    names = {osp.basename(c)[:-len('_8xb128_in1k.py')] for c in CONFIGS}
    assert names == set(REFERENCE_PARAMS)


@pytest.mark.parametrize('config', CONFIGS, ids=osp.basename)
def test_classifier_config(config):
    cfg = load_config(config)
    arch = osp.basename(config)[:-len('_8xb128_in1k.py')]
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) == REFERENCE_PARAMS[arch]
    # the multi-scale sampler of the v1-type recipes (the rest of every recipe:
    # test_release_conventions.py)
    loader = cfg.train_dataloader
    if loader.get('batch_sampler'):
        assert loader.dataset.type == 'MultiScaleDataset'
        batch = loader.batch_size
        sampler = DATA_SAMPLERS.build(
            loader.batch_sampler, default_args=dict(sampler=list(range(1024)),
                                                    batch_size=batch))
        assert [r[0] for r in sampler.resolutions] == [160, 192, 256, 288, 320]
        if batch == 128:
            assert sampler.batch_sizes == [328, 224, 128, 128, 128]
