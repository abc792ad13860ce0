"""Our configs' pipelines mean the same in any registry scope: mmdet's
``inference_detector`` and mmseg's ``inference_model`` build the test pipeline in whatever
scope the last ``init_*`` call left current, so a transform that a framework registers
for itself is named with its scope (``mmdet.Resize``, ``mmseg.PackSegInputs``,
``mmpretrain.PackInputs``); the others are mmcv's or ours, the same everywhere. Two
names stay bare because the inference APIs look for them by the exact name: mmpretrain's
inferencers drop ``LoadImageFromFile`` (mmpretrain's is mmcv's class, so it is the same
everywhere), and mmseg's ``inference_model`` / ``MMSegInferencer`` drop
``LoadAnnotations`` (never built there; ``tools/test.py`` runs in mmseg's scope)."""
import glob
import os.path as osp

import pytest
from mmengine.registry import TRANSFORMS, DefaultScope

import mmmobilevit  # noqa: F401
from helpers import REPO
from helpers.configs import load_config

SCOPES = ('mmdet', 'mmseg', 'mmpretrain')
#: the configs that write pipelines or take them from a dataset base (the others inherit
#: them from one of these), each with its runtime's scope; the bases themselves have no
#: scope. mmdet's own MobileNetV2 baseline is left as mmdet ships it
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if 'mobilenetv2' not in p and not any(f'_base_{osp.sep}{part}' in p for part in (
        'models', 'datasets', 'schedules', 'default_runtime'))
    and ('pipeline' in open(p).read() or f'datasets{osp.sep}' in open(p).read()))


def pipelines(cfg):
    """The pipelines a config's runs and the inference APIs use: the dataloaders' (and
    their wrappers') and ``train_pipeline`` / ``test_pipeline``."""
    for key in ('train_pipeline', 'test_pipeline'):
        if isinstance(cfg.get(key), list):
            yield cfg[key]
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        yield from _pipelines_in(cfg.get(key))


def _pipelines_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith('pipeline') and isinstance(value, list):
                yield value
            else:
                yield from _pipelines_in(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _pipelines_in(value)


def resolve(type_name, scope):
    """The class ``Compose`` builds for ``type_name`` with ``scope`` current."""
    import mmdet.datasets  # noqa: F401  (register the frameworks' transforms)
    import mmpretrain.datasets  # noqa: F401
    import mmseg.datasets  # noqa: F401
    with DefaultScope.overwrite_default_scope(scope):
        with TRANSFORMS.switch_scope_and_registry(scope) as registry:
            return registry.get(type_name)


#: the default suite: one root per task; every config under `slow`
QUICK = {'ssdlite_mobilevitv2-1.0_coco.py', 'deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py',
         'mobilevitv2_8xb128_in1k.py'}


@pytest.mark.parametrize('config', [
    pytest.param(c, id=osp.basename(c),
                 marks=() if osp.basename(c) in QUICK else pytest.mark.slow) for c in CONFIGS])
def test_every_transform_is_the_same_class_in_every_scope(config):
    cfg = load_config(config)
    types = {t['type'] for p in pipelines(cfg.to_dict()) for t in p if 'type' in t}
    if cfg.get('default_scope') == 'mmseg':
        types.discard('LoadAnnotations')  # see above
    assert types
    for name in sorted(types):
        classes = {scope: resolve(name, scope) for scope in SCOPES}
        assert None not in classes.values() and len(set(classes.values())) == 1, \
            f'{osp.basename(config)}: {name} resolves to {classes}: name it with its scope'


@pytest.mark.slow  # three models and their inference
def test_a_detector_and_a_segmenter_in_one_process(toy_data):
    from mmdet.apis import inference_detector, init_detector
    from mmseg.apis import inference_model
    from mmseg.apis import init_model as init_segmentor
    det_cfg = osp.join(REPO, 'configs', '_toy_', 'ssdlite_mobilevit-xxs_toy-det.py')
    seg_cfg = osp.join(REPO, 'configs', '_toy_', 'deeplabv3_mobilevit-xxs_toy-seg.py')
    detector = init_detector(det_cfg, None, device='cpu')
    segmentor = init_segmentor(seg_cfg, None, device='cpu')  # the mmseg scope is current
    image = osp.join(toy_data, 'coco', 'val2017', '000000000002.jpg')
    assert inference_detector(detector, image).pred_instances.bboxes.shape[-1] == 4
    init_detector(det_cfg, None, device='cpu')  # and now mmdet's
    assert inference_model(segmentor, image).pred_sem_seg.data.ndim == 3
