"""The deploy form of whole detectors and segmenters: the backbone switched and every
conv + BatchNorm of the neck and heads folded, outputs unchanged within 1e-4."""
import os.path as osp

import pytest
import torch
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import MODELS, DefaultScope
from torch.nn.modules.batchnorm import _BatchNorm

import mmmobilevit  # noqa: F401
from helpers import REPO
from helpers.configs import load_config
from helpers.weights import randomize_norms, rel_diff
from mmmobilevit.models.utils import switch_to_deploy

CASES = {  # config, input size, scope
    'ssdlite-v0.1': ('configs/mobilevit/ssdlite_mobilevit-xxs_coco.py', (256, 256), 'mmdet'),
    'deeplabv3-v0.1': ('configs/mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py',
                       (128, 128), 'mmseg'),
    'pspnet-v0.2': ('configs/mobilevitv2/pspnet_mobilevitv2-0.5_ade20k-512x512.py',
                    (96, 160), 'mmseg'),
    'deeplabv3-v0.2-os8': ('configs/mobilevit/deeplabv3_mobilevit-s_voc12aug-os8-512x512.py',
                           (96, 160), 'mmseg'),
}


def _flat(out):
    if isinstance(out, torch.Tensor):
        return [out]
    return [t for o in out for t in _flat(o)]


@pytest.mark.parametrize('case', [
    pytest.param(c, marks=pytest.mark.slow if c.endswith('-os8') else ()) for c in CASES])
def test_whole_model_deploy_keeps_the_outputs(case):
    config, size, scope = CASES[case]
    cfg = load_config(osp.join(REPO, config))
    cfg.model.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope(scope):
        model = revert_sync_batchnorm(MODELS.build(cfg.model))
    torch.manual_seed(0)
    randomize_norms(model).eval()
    x = torch.rand(1, 3, *size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = _flat(model(x, mode='tensor'))
        aux = model.auxiliary_head.forward(model.extract_feat(x)) \
            if getattr(model, 'with_auxiliary_head', False) else None
        switched = switch_to_deploy(model)
        assert switched > 1 and switch_to_deploy(model) == 0
        heads = [m for name in ('neck', 'bbox_head', 'decode_head', 'auxiliary_head')
                 for m in ([getattr(model, name)] if getattr(model, name, None) else [])]
        assert not any(isinstance(m, _BatchNorm) for h in heads for m in h.modules())
        for a, b in zip(expected, _flat(model(x, mode='tensor'))):
            assert rel_diff(a, b) <= 1e-4
        if aux is not None:
            assert rel_diff(aux, model.auxiliary_head.forward(model.extract_feat(x))) <= 1e-4
