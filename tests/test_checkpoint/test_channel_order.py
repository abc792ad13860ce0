"""Channel orders: a checkpoint fed its own order and the same checkpoint loaded into a
config of the other order (stem reversed while loading) give the same logits, through
mmpretrain's ``init_model``, the converters and the backbone's ``Pretrained`` init."""
import numpy as np
import pytest
import torch
from mmengine.config import Config

import mmmobilevit  # noqa: F401
from helpers import run_tool
from mmmobilevit.apis.convert import convert_checkpoint
from mmmobilevit.checkpoint import (align_channel_order, channel_order_of, flip_stem_input,
                                    input_channel_order, layout_channel_order, record_channel_order)
from mmmobilevit.models import MobileViTBackbone
from .test_layouts import random_classifier_state, to_apple_layout

IN_CHANNELS = {'mobilevit-xxs': 320, 'mobilevitv2-0.5': 256}


def classifier_cfg(arch, order):
    """A small mmpretrain classifier config fed ``order`` (BGR-loaded images)."""
    return Config(dict(
        custom_imports=dict(imports=['mmmobilevit', 'mmmobilevit.compat.enable']),
        model=dict(
            type='MobileViTClassifier',
            data_preprocessor=dict(type='ClsDataPreprocessor', mean=[0., 0., 0.],
                                   std=[255., 255., 255.], to_rgb=order == 'rgb'),
            backbone=dict(type='MobileViTBackbone', arch=arch, input_channel_order=order),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=1000, in_channels=IN_CHANNELS[arch])),
        test_pipeline=[dict(type='PackInputs')]))


def logits(model, image):
    """Logits of a BGR uint8 image through the model's own data preprocessor."""
    batch = dict(inputs=[torch.from_numpy(image).permute(2, 0, 1).contiguous()])
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        return model(data['inputs'], mode='tensor')


@pytest.fixture(scope='module', autouse=True)
def fixes():
    """The loaders that convert layouts and align orders (as the configs' custom_imports)."""
    from mmmobilevit.compat import apply_patches
    apply_patches()


@pytest.fixture(scope='module')
def bgr_image():
    return np.random.RandomState(0).randint(0, 256, (64, 96, 3), dtype=np.uint8)


@pytest.mark.parametrize('arch,trained_on', [('mobilevit-xxs', 'bgr'),
                                             pytest.param('mobilevitv2-0.5', 'rgb',
                                                          marks=pytest.mark.slow)])
def test_apple_file_gives_the_same_logits_in_either_config(arch, trained_on, tmp_path,
                                                           bgr_image):
    from mmpretrain.apis import init_model
    apple = to_apple_layout(random_classifier_state(arch))
    assert layout_channel_order(apple, 'mlcvnets') == trained_on  # the release's order
    src = str(tmp_path / 'apple.pt')
    torch.save(apple, src)
    other = 'rgb' if trained_on == 'bgr' else 'bgr'
    own = init_model(classifier_cfg(arch, trained_on), src, device='cpu').eval()
    served = init_model(classifier_cfg(arch, other), src, device='cpu').eval()
    assert input_channel_order(own) == trained_on and input_channel_order(served) == other
    expected = logits(own, bgr_image)
    torch.testing.assert_close(logits(served, bgr_image), expected, atol=1e-4, rtol=0)
    # without the flip the other config would see swapped colours
    stem = served.backbone.stem.conv.weight
    torch.testing.assert_close(stem, own.backbone.stem.conv.weight.flip(1))


@pytest.mark.slow  # the converter command line (a tool run)
def test_converter_records_the_order_and_the_backbone_init_follows_it(tmp_path, bgr_image):
    apple = to_apple_layout(random_classifier_state('mobilevit-xxs'))
    src, dst = str(tmp_path / 'apple.pt'), str(tmp_path / 'converted.pth')
    torch.save(apple, src)
    out = run_tool(['tools/model_converters/mlcvnets2mmpretrain.py', src, dst]).stdout
    assert '(arch: mobilevit-xxs, trained on BGR input)' in out
    converted = torch.load(dst, weights_only=True)
    assert channel_order_of(converted) == 'bgr'
    # an explicit order overrides the release's (e.g. a file trained by other code)
    # (in process: the command line itself ran above)
    convert_checkpoint(src, dst, 'mlcvnets', source_channel_order='rgb')
    assert channel_order_of(torch.load(dst, weights_only=True)) == 'rgb'
    torch.save(converted, dst)
    # Pretrained init of a backbone fed RGB reverses the stem; None keeps it
    as_is = MobileViTBackbone('mobilevit-xxs', init_cfg=dict(type='Pretrained',
                                                             checkpoint=dst))
    as_is.init_weights()
    rgb = MobileViTBackbone('mobilevit-xxs', input_channel_order='rgb',
                            init_cfg=dict(type='Pretrained', checkpoint=dst))
    rgb.init_weights()
    torch.testing.assert_close(rgb.stem.conv.weight, as_is.stem.conv.weight.flip(1))
    x = torch.rand(1, 3, 64, 64)
    as_is.eval(), rgb.eval()
    with torch.no_grad():
        torch.testing.assert_close(rgb(x.flip(1))[-1], as_is(x)[-1], atol=1e-4, rtol=0)


@pytest.mark.slow
def test_timm_file_gives_the_same_logits_in_either_config(tmp_path, bgr_image):
    import timm
    from mmpretrain.apis import init_model
    model = timm.create_model('mobilevit_xxs', pretrained=False).eval()
    src, dst = str(tmp_path / 'timm.pth'), str(tmp_path / 'converted.pth')
    torch.save(model.state_dict(), src)
    out = run_tool(['tools/model_converters/timm2mmpretrain.py', src, dst]).stdout
    assert 'trained on RGB input' in out  # the default: timm feeds RGB
    rgb = init_model(classifier_cfg('mobilevit-xxs', 'rgb'), dst, device='cpu').eval()
    bgr = init_model(classifier_cfg('mobilevit-xxs', 'bgr'), dst, device='cpu').eval()
    rgb_input = torch.from_numpy(bgr_image[..., ::-1].copy()).permute(2, 0, 1)[None] / 255.
    with torch.no_grad():
        reference = model(rgb_input.float())  # timm itself, fed RGB
    torch.testing.assert_close(logits(rgb, bgr_image), reference, atol=1e-4, rtol=0)
    torch.testing.assert_close(logits(bgr, bgr_image), reference, atol=1e-4, rtol=0)


def test_align_is_a_no_op_unless_both_orders_are_known_and_differ():
    state = {'backbone.stem.conv.weight': torch.randn(16, 3, 3, 3)}
    checkpoint = dict(state_dict=dict(state))
    assert not align_channel_order(checkpoint, 'rgb')  # unknown source order
    record_channel_order(checkpoint, 'bgr')
    assert not align_channel_order(checkpoint, 'bgr') and not align_channel_order(
        checkpoint, None)
    assert align_channel_order(checkpoint, 'rgb')
    assert channel_order_of(checkpoint) == 'rgb'
    torch.testing.assert_close(checkpoint['state_dict']['backbone.stem.conv.weight'],
                               state['backbone.stem.conv.weight'].flip(1))
    with pytest.raises(KeyError, match='not a MobileViT'):
        flip_stem_input({'conv.weight': torch.randn(1, 3, 1, 1)})
    with pytest.raises(ValueError, match='channel order must be one of'):
        record_channel_order({}, 'grb')
