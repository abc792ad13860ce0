"""The ImageNet-1k configs: the 16 classifiers and the paper's recipe."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import DATA_SAMPLERS, MODELS, DefaultScope

import mmmobilevit  # noqa: F401
from mmmobilevit.testing import REPO
from mmmobilevit.testing.reference import REFERENCE_PARAMS

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'mobilevit*', '*_8xb128_in1k.py')))


def test_one_config_per_arch():
    names = {osp.basename(c)[:-len('_8xb128_in1k.py')] for c in CONFIGS}
    assert names == set(REFERENCE_PARAMS)


@pytest.mark.parametrize('config', CONFIGS, ids=osp.basename)
def test_classifier_config(config):
    cfg = Config.fromfile(config)
    arch = osp.basename(config)[:-len('_8xb128_in1k.py')]
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) == REFERENCE_PARAMS[arch]
    # the recipe
    loader = cfg.train_dataloader
    assert loader.batch_size == 128 and loader.dataset.type == 'MultiScaleDataset'
    sampler = DATA_SAMPLERS.build(loader.batch_sampler,
                                  default_args=dict(sampler=list(range(1024)), batch_size=128))
    assert [r[0] for r in sampler.resolutions] == [160, 192, 256, 288, 320]
    assert sampler.batch_sizes == [328, 224, 128, 128, 128]
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert cfg.optim_wrapper.optimizer.weight_decay == 0.01
    assert cfg.optim_wrapper.optimizer.lr == 2e-3
    assert cfg.param_scheduler[0].end == 3000 and cfg.param_scheduler[0].start_factor == 0.1
    assert cfg.param_scheduler[1].eta_min == 2e-4 and cfg.train_cfg.max_epochs == 300
    assert cfg.model.head.loss.label_smooth_val == 0.1
    assert any(h.type == 'EMAEvalHook' and h.momentum == 5e-4 for h in cfg.custom_hooks)
    steps = {t.type: t for t in cfg.test_pipeline}
    assert steps['ResizeEdge'].scale == 288 and steps['CenterCrop'].crop_size == 256
    assert cfg.data_preprocessor.std == [255., 255., 255.] and not cfg.data_preprocessor.to_rgb
