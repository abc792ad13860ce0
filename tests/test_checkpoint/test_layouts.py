"""Public checkpoint layouts: mmpretrain (as is), Apple/MobileViTv3 and timm
(converted), the converter tools, and clear refusals."""
import os.path as osp

import pytest
import torch
from torch import nn

import mmmobilevit  # noqa: F401
from helpers import load_tool, run_tool
from helpers.apple_layout import to_apple_layout
from mmmobilevit.checkpoint import CheckpointLayoutError
from mmmobilevit.models import MobileViTBackbone


def random_classifier_state(arch, seed=0):
    """A classifier state dict of ours (backbone.* + head.fc.*) with random values."""
    torch.manual_seed(seed)
    backbone = MobileViTBackbone(arch, init_cfg=None)
    backbone.init_weights()
    sd = {f'backbone.{k}': v.clone() for k, v in backbone.state_dict().items()}
    for k, v in sd.items():
        if k.endswith(('running_mean', 'running_var')):
            sd[k] = torch.rand_like(v) + (0.5 if k.endswith('var') else 0.)
    fc = nn.Linear(backbone.out_channels[-1], 1000)
    sd.update({f'head.fc.{k}': v for k, v in fc.state_dict().items()})
    return sd


APPLE_ARCHS = ['mobilevit-xxs', 'mobilevit-s', 'mobilevitv2-0.5', 'mobilevitv2-1.0',
               'mobilevitv3-xxs', 'mobilevitv3-s', 'mobilevitv3-0.5', 'mobilevitv3-1.0']


@pytest.mark.parametrize('arch', [a if a == 'mobilevit-xxs' else pytest.param(
    a, marks=pytest.mark.slow) for a in APPLE_ARCHS])
def test_apple_layout_converts_to_exactly_our_weights(arch, tmp_path, capsys):
    ours = random_classifier_state(arch)
    apple = to_apple_layout(ours)
    assert 'conv_1.block.conv.weight' in apple
    src = str(tmp_path / 'apple.pt')
    torch.save(apple, src)  # Apple's files are plain state dicts
    dst = str(tmp_path / 'converted.pth')
    tool = 'mobilevitv3_to_mmpretrain.py' if arch.startswith('mobilevitv3') \
        else 'mlcvnets2mmpretrain.py'
    assert load_tool(f'tools/model_converters/{tool}').main([src, dst]) in (0, None)
    captured = capsys.readouterr()
    assert f'(arch: {arch}, trained on ' in captured.out + captured.err
    converted = torch.load(dst, map_location='cpu', weights_only=True)
    assert converted['meta']['arch'] == arch
    assert converted['state_dict'].keys() == ours.keys()
    for k, v in ours.items():
        assert torch.equal(converted['state_dict'][k], v), k


@pytest.mark.slow
def test_timm_converter_tool_and_refusals(tmp_path):
    import timm
    from safetensors.torch import save_file

    model = timm.create_model('mobilevit_xxs', pretrained=False)
    src = str(tmp_path / 'model.safetensors')
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, src)
    dst = str(tmp_path / 'mobilevit-xxs.pth')
    assert '(arch: mobilevit-xxs, trained on RGB input)' in run_tool(
        ['tools/model_converters/timm2mmpretrain.py', src, dst]).stdout
    backbone = MobileViTBackbone('mobilevit-xxs')
    backbone.load_pretrained(dst)

    # a timm file given to the Apple converter names its layout
    pt = str(tmp_path / 'timm.pth')
    torch.save(model.state_dict(), pt)
    proc = run_tool(['tools/model_converters/mlcvnets2mmpretrain.py', pt,
                     str(tmp_path / 'x.pth')], check=False)
    assert proc.returncode != 0 and 'timm layout' in proc.stdout
    # v1 weights given to the MobileViTv3 converter
    v1 = str(tmp_path / 'v1.pt')
    torch.save(to_apple_layout(random_classifier_state('mobilevit-xxs')), v1)
    proc = run_tool(['tools/model_converters/mobilevitv3_to_mmpretrain.py', v1,
                     str(tmp_path / 'y.pth')], check=False)
    assert proc.returncode != 0 and 'mobilevit-xxs weights, not mobilevitv3-' in proc.stdout
    # a checkpoint of another network
    import torchvision
    other = str(tmp_path / 'resnet18.pth')
    torch.save(torchvision.models.resnet18().state_dict(), other)
    proc = run_tool(['tools/model_converters/timm2mmpretrain.py', other,
                     str(tmp_path / 'z.pth')], check=False)
    assert proc.returncode != 0 and 'not a MobileViT checkpoint' in proc.stdout
    # a truncated file
    broken = str(tmp_path / 'broken.pth')
    with open(pt, 'rb') as f, open(broken, 'wb') as g:
        g.write(f.read()[:5000])
    proc = run_tool(['tools/model_converters/timm2mmpretrain.py', broken,
                     str(tmp_path / 'w.pth')], check=False)
    assert proc.returncode != 0 and 'truncated, corrupt' in proc.stdout
    assert not osp.exists(tmp_path / 'w.pth')


def _classifier_cfg(backbone):
    return dict(
        type='ImageClassifier',
        backbone=backbone,
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=1000,
                  in_channels=backbone.get('channels', 640),
                  loss=dict(type='CrossEntropyLoss')))


@pytest.mark.parametrize('arch,theirs', [pytest.param('mobilevit-s', 'small',
                                                      marks=pytest.mark.slow),
                                         ('mobilevit-xxs', 'xx_small')])
def test_mmpretrain_classifier_checkpoint_loads_strictly(arch, theirs, tmp_path):
    """mmpretrain's model-zoo checkpoints: classifier state dicts of its MobileViT."""
    from mmengine.registry import DefaultScope
    from mmengine.runner import load_checkpoint
    from mmpretrain.registry import MODELS

    torch.manual_seed(0)
    exp = MobileViTBackbone(arch).out_channels[-1]
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        theirs_model = MODELS.build(dict(
            _classifier_cfg(dict(type='MobileViT', arch=theirs)),
            head=dict(type='LinearClsHead', num_classes=1000, in_channels=exp)))
        ours_model = MODELS.build(dict(
            _classifier_cfg(dict(type='MobileViTBackbone', arch=arch, out_indices=(5, ))),
            head=dict(type='LinearClsHead', num_classes=1000, in_channels=exp)))
    theirs_model.init_weights()
    theirs_model.eval()
    ckpt = str(tmp_path / f'{arch}_3rdparty_in1k.pth')
    torch.save(dict(state_dict=theirs_model.state_dict(), meta=dict()), ckpt)

    load_checkpoint(ours_model, ckpt, strict=True)  # no missing or unexpected keys
    ours_model.eval()
    x = torch.rand(2, 3, 256, 256)
    with torch.no_grad():
        diff = (ours_model(x, mode='tensor') - theirs_model(x, mode='tensor')).abs().max()
    assert diff <= 1e-5

    # the same file through the backbone's init_cfg, with and without a prefix
    for prefix in ('backbone.', None):
        backbone = MobileViTBackbone(arch, out_indices=(5, ), init_cfg=dict(
            type='Pretrained', checkpoint=ckpt, prefix=prefix))
        backbone.init_weights()
        for k, v in backbone.state_dict().items():
            assert torch.equal(v, theirs_model.backbone.state_dict()[k]), k


def test_mismatched_checkpoint_names_the_keys(tmp_path):
    ckpt = str(tmp_path / 'xs.pth')
    torch.save(dict(state_dict=random_classifier_state('mobilevit-xs')), ckpt)
    backbone = MobileViTBackbone('mobilevit-s', init_cfg=dict(type='Pretrained',
                                                              checkpoint=ckpt))
    with pytest.raises(CheckpointLayoutError, match='does not fit arch mobilevit-s'):
        backbone.init_weights()
