"""Drift guard: every shipped config resolves to the input convention and recipe of
the release code that trained its weights, value by value, each value traced to its
file and commit below."""
import glob
import os.path as osp
import re

import pytest

from helpers import REPO
from helpers.configs import load_config
from mmmobilevit.releases import CONVENTIONS, release_of_arch

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'mobilevit*', '*.py')))
QUICK = {'mobilevit-s_8xb128_in1k.py', 'mobilevitv2-1.0_8xb128_in1k.py',
         'deeplabv3_mobilevitv3-1.0_ade20k-512x512.py'}

V01 = 'apple/ml-cvnets@d38a116 config/classification/mobilevit_{small,x_small,xx_small}.yaml'
V3V1 = ('micronDLA/MobileViTv3@5e3f490 MobileViTv3-v1/config/classification/'
        'mobilevitv3_{small,x_small,xx_small}_oneserver.yaml')
V02 = 'apple/ml-cvnets@84d992f config/classification/imagenet/mobilevit_v2.yaml'
V02_384 = 'apple/ml-cvnets@84d992f config/classification/finetune_higher_res_in1k/mobilevit_v2.yaml'
V02_21K = 'apple/ml-cvnets@84d992f config/classification/finetune_in21k_to_1k/mobilevit_v2.yaml'

# the release values of every ImageNet recipe (source: the yaml named by each recipe)
_V1_RECIPE = dict(
    optimizer=('AdamW', 2e-3, 0.01), flat_decay=None, clip=None, epochs=300,
    warmup=(3000, 2e-4 / 2e-3), eta_min=2e-4, ema=5e-4, label_smooth=0.1, batch=128,
    multi_scale=True, rrc=('cv2', 'bilinear'), test=(288, 256), dropout=0.1,
    augments=None, rand_augment=None, erase=None)
_V2_RECIPE = dict(
    optimizer=('AdamW', 2e-3, 0.05), flat_decay=0., clip=10., epochs=300,
    warmup=(20000, 1e-6 / 2e-3), eta_min=2e-4, ema=5e-4, label_smooth=0.1, batch=128,
    multi_scale=False, rrc=('pillow', 'bicubic'), test=(288, 256), dropout=None,
    augments=((('Mixup', 0.2), ('CutMix', 1.0)), (0.25, 0.25)),
    rand_augment=(2, 9, 30), erase=0.25)
RECIPES = {
    'v1': (V01, _V1_RECIPE),
    'v3-v1': (V3V1, dict(_V1_RECIPE, batch={'xxs': 64, 'xs': 32, 's': 32})),
    'v2': (V02, _V2_RECIPE),
    'v2-384': (V02_384, dict(
        _V2_RECIPE, optimizer=('SGD', 1e-3, 4e-5), warmup=None, eta_min=None, epochs=10,
        ema=5e-5, batch=64, rrc=('pillow', 'bicubic'), test=(384, 384), augments=None,
        rand_augment=None, erase=None, constant_lr=True)),
    'v2-in21k': (V02_21K, dict(
        _V2_RECIPE, optimizer=('SGD', 1e-2, 4e-5), clip=None, warmup=None, eta_min=1e-3,
        epochs=50)),
}


def recipe_of(name):
    if name.endswith('-384px.py'):
        return 'v2-384'
    if name.endswith('_in21k-ft-in1k.py'):
        return 'v2-in21k'
    arch = name.split('_')[0]
    if arch.startswith('mobilevitv3-') and release_of_arch(arch) == 'mlcvnets-v0.1':
        return 'v3-v1'
    return 'v1' if release_of_arch(arch) == 'mlcvnets-v0.1' else 'v2'


#: configs whose weights were trained by another release than their encoder's ImageNet
#: weights: apple/ml-cvnets@84d992f config/segmentation/pascal_voc/deeplabv3_mobilevit.yaml
#: (pascalvoc/deeplabv3-mobilevitv1.pt) trains MobileViT-S with v0.2's code, RGB, and
#: resizes bilinear (image_augmentation.*.interpolation)
TRAINED_BY = {'deeplabv3_mobilevit-s_voc12aug-os8-512x512.py':
              dict(release='mlcvnets-v0.2', interpolation='bilinear')}


def _pipelines(cfg):
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[key]['dataset']
        while 'pipeline' not in dataset:  # wrappers (MultiScaleDataset, ConcatDataset...)
            dataset = dataset.get('dataset') or dataset['datasets'][0]
        yield key, dataset['pipeline']


def _params(path):
    return pytest.param(path, id=osp.relpath(path, REPO), marks=() if osp.basename(path)
                        in QUICK else pytest.mark.slow)


@pytest.mark.parametrize('path', [_params(p) for p in CONFIGS])
def test_config_follows_its_release_input_convention(path):
    cfg = load_config(path)
    model = cfg.model
    arch = model.backbone.arch
    override = TRAINED_BY.get(osp.basename(path), {})
    convention = CONVENTIONS[override.get('release', release_of_arch(arch))]
    protocol = (model.get('test_cfg') or {}).get('protocol')
    if protocol is not None:  # segmenters predict as the release that trained them
        assert protocol == convention.name
    assert model.backbone.input_channel_order == convention.channel_order
    pre = cfg.get('data_preprocessor') if 'data_preprocessor' not in model else \
        model.data_preprocessor
    rgb = bool(pre.get('to_rgb') or pre.get('bgr_to_rgb'))
    assert rgb == (convention.channel_order == 'rgb')
    assert list(pre.mean) == [0., 0., 0.] and list(pre.std) == [255., 255., 255.]
    for key, pipeline in _pipelines(cfg):
        for step in pipeline:
            kind = step['type'].split('.')[-1]
            if kind == 'LoadImageFromFile':
                assert step.get('imdecode_backend') == convention.decode_backend, (key, step)
            elif re.search(r'Resize', kind):
                assert step.get('backend') == convention.resize_backend, (key, step)
                assert step.get('interpolation') == override.get(
                    'interpolation', convention.interpolation), (key, step)


CLS_CONFIGS = [p for p in CONFIGS if re.search(r'_(8xb128_in1k|in21k-ft-in1k)(-384px)?\.py$',
                                               osp.basename(p))]


@pytest.mark.parametrize('path', [_params(p) for p in CLS_CONFIGS])
def test_classification_recipe_equals_the_release_yaml(path):
    name = osp.basename(path)
    source, recipe = RECIPES[recipe_of(name)]
    cfg = load_config(path)
    where = f'{name} vs {source}'
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.weight_decay) == recipe['optimizer'], where
    if opt.type == 'SGD':
        assert opt.momentum == 0.9, where
    assert cfg.optim_wrapper.get('paramwise_cfg', {}).get('flat_decay_mult') == \
        recipe['flat_decay'], where
    clip = cfg.optim_wrapper.get('clip_grad')
    assert (clip and clip['max_norm']) == recipe['clip'] or (clip, recipe['clip']) == \
        (None, None), where
    assert cfg.train_cfg.max_epochs == recipe['epochs'], where
    schedulers = {s.type: s for s in cfg.param_scheduler}
    if recipe['warmup']:
        warm = schedulers['LinearLR']
        assert (warm.end, warm.start_factor) == recipe['warmup'] and not warm.by_epoch, where
    else:
        assert 'LinearLR' not in schedulers, where
    if recipe['eta_min'] is not None:
        assert schedulers['CosineAnnealingLR'].eta_min == recipe['eta_min'], where
    if recipe.get('constant_lr'):
        assert set(schedulers) == {'ConstantLR'} and schedulers['ConstantLR'].factor == 1.
    ema = [h for h in cfg.custom_hooks if h.type == 'EMAEvalHook']
    assert len(ema) == 1 and ema[0].momentum == recipe['ema'], where
    head = cfg.model.head
    assert head.loss.label_smooth_val == recipe['label_smooth'], where
    assert head.get('dropout_rate') == recipe['dropout'], where
    batch = recipe['batch']
    if isinstance(batch, dict):
        batch = batch[cfg.model.backbone.arch.split('-')[1]]
    assert cfg.train_dataloader.batch_size == batch, where
    multi_scale = cfg.train_dataloader.get('batch_sampler')
    assert bool(multi_scale) == recipe['multi_scale'], where
    steps = {s['type'].split('.')[-1]: s for _, p in _pipelines(cfg) for s in p}
    rrc = steps.get('MultiScaleRandomResizedCrop') or steps['RandomResizedCrop']
    assert (rrc['backend'], rrc['interpolation']) == recipe['rrc'], where
    assert (steps['ResizeEdge'].scale, steps['CenterCrop'].crop_size) == recipe['test'], where
    augments = cfg.model.get('train_cfg', {}).get('augments')
    if recipe['augments']:
        kinds, probs = recipe['augments']
        assert tuple((a.type, a.alpha) for a in augments) == kinds, where
        assert tuple(cfg.model.train_cfg.probs) == probs, where
    else:
        assert not augments, where
    if recipe['rand_augment']:
        ra = steps['RandAugment']
        assert (ra.num_policies, ra.magnitude_level, ra.total_level) == \
            recipe['rand_augment'], where
    else:
        assert 'RandAugment' not in steps, where
    if recipe['erase']:
        assert steps['RandomErasing'].erase_prob == recipe['erase'], where
    else:
        assert 'RandomErasing' not in steps, where
