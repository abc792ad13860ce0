"""The MobileViT family backbone: structure, counts, options, parity with the peers."""
import pytest
import torch
from torch import nn

import mmmobilevit  # noqa: F401
from mmmobilevit.models import ARCH_SETTINGS, MobileViTBackbone
from mmmobilevit.releases import REFERENCE_PARAMS


def count(module):
    return sum(p.numel() for p in module.parameters())


def test_every_arch_is_covered():
    assert set(ARCH_SETTINGS) == set(REFERENCE_PARAMS)


@pytest.mark.parametrize('arch', sorted(REFERENCE_PARAMS))
def test_classifier_parameter_count(arch):
    backbone = MobileViTBackbone(arch, out_indices=-1)
    fc = nn.Linear(backbone.out_channels[-1], 1000)
    assert count(backbone) + count(fc) == REFERENCE_PARAMS[arch]


def test_wrong_arch_lists_the_valid_ones():
    with pytest.raises(KeyError) as err:
        MobileViTBackbone('mobilevit-m')
    assert 'mobilevit-xxs' in str(err.value) and 'mobilevitv3-1.0' in str(err.value)


def test_custom_arch_table():
    arch = ARCH_SETTINGS['mobilevit-xxs'].to_dict()
    arch['attn_depths'] = (1, 1, 1)
    model = MobileViTBackbone(arch, out_indices=(4, )).eval()
    assert model(torch.rand(1, 3, 64, 64))[0].shape == (1, 80, 2, 2)
    with pytest.raises(KeyError, match='missing'):
        MobileViTBackbone(dict(block='mhsa'))


@pytest.mark.parametrize('arch', ['mobilevit-xxs', 'mobilevitv2-0.5', 'mobilevitv3-xxs',
                                  'mobilevitv3-0.5'])
@pytest.mark.parametrize('out_stride', [32, 16, 8])
def test_output_shapes_and_strides(arch, out_stride):
    model = MobileViTBackbone(arch, out_indices=(0, 1, 2, 3, 4), out_stride=out_stride)
    model.eval()
    outs = model(torch.rand(1, 3, 128, 128))
    strides = [2, 4, 8, 16, 32]
    strides = [min(s, out_stride) for s in strides]
    for out, c, s in zip(outs, model.out_channels, strides):
        assert out.shape == (1, c, 128 // s, 128 // s)


def test_expansion_conv_output_and_negative_index():
    model = MobileViTBackbone('mobilevit-xxs', out_indices=(3, -1)).eval()
    a, b = model(torch.rand(1, 3, 64, 64))
    assert a.shape == (1, 64, 4, 4) and b.shape == (1, 320, 2, 2)
    # dense-prediction backbones have no expansion conv
    assert MobileViTBackbone('mobilevit-xxs', out_indices=(3, 4)).conv_1x1_exp is None
    with pytest.raises(ValueError, match='out of range'):
        MobileViTBackbone('mobilevitv2-0.5', out_indices=(5, ))


@pytest.mark.parametrize('arch', ['mobilevit-xxs', 'mobilevitv2-0.5', 'mobilevitv3-xxs',
                                  'mobilevitv3-0.5'])
@pytest.mark.parametrize('size', [(256, 256), (320, 320), (512, 512), (333, 517)])
def test_any_input_size(arch, size):
    model = MobileViTBackbone(arch, out_indices=(2, 3, 4)).eval()
    with torch.no_grad():
        outs = model(torch.rand(1, 3, *size))
    h, w = size
    v2_type = not model.arch.uses_mhsa  # keeps the even size it resized to (reference)
    expected = []
    for stage in range(5):  # each stride-2 conv: ceil(x / 2)
        h, w = (h + 1) // 2, (w + 1) // 2
        if v2_type and stage >= 2:
            h, w = h + h % 2, w + w % 2
        expected.append((h, w))
    for out, (eh, ew) in zip(outs, expected[2:]):
        assert out.shape[-2:] == (eh, ew) and torch.isfinite(out).all()


def test_frozen_stages_and_norm_eval():
    model = MobileViTBackbone('mobilevit-xxs', frozen_stages=2, norm_eval=True)
    model.train()
    x = torch.rand(2, 3, 64, 64)
    model(x)[0].sum().backward()
    for m in (model.stem, model.layers[0], model.layers[1]):
        assert all(p.grad is None and not p.requires_grad for p in m.parameters())
    assert all(p.grad is not None for p in model.layers[2].parameters())
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            assert not m.training
    model = MobileViTBackbone('mobilevit-xxs', frozen_stages=0).train()
    assert not model.stem.training and model.layers[0].training


def test_syncbn_replaces_every_bn():
    def norms(model):
        return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]

    plain = norms(MobileViTBackbone('mobilevit-xs'))
    synced = norms(MobileViTBackbone('mobilevit-xs', norm_cfg=dict(type='SyncBN')))
    assert len(synced) == len(plain) == 32
    assert all(isinstance(m, nn.SyncBatchNorm) for m in synced)


def test_act_cfg_reaches_every_activation():
    model = MobileViTBackbone('mobilevit-xxs', act_cfg=dict(type='GELU'))
    assert not any(isinstance(m, nn.SiLU) for m in model.modules())
    assert any(isinstance(m, nn.GELU) for m in model.modules())


def test_silu_runs_in_place_only_in_eval_mode():
    """ConvModule's in-place SiLU makes autograd copy its input: out of place in
    training, in place again for inference, the same numbers either way."""
    torch.manual_seed(0)
    model = MobileViTBackbone('mobilevit-xxs', drop_rate=0.)
    convmodule_acts = [m for m in model.modules()
                       if isinstance(m, nn.SiLU) and m.inplace_in_eval]
    ffn_acts = [m for m in model.modules() if isinstance(m, nn.SiLU)
                and not m.inplace_in_eval]
    assert convmodule_acts and ffn_acts  # ConvModule's (in place) and the FFN's
    assert not any(m.inplace for m in convmodule_acts)  # built in training mode
    x = torch.rand(2, 3, 64, 64)
    out = model(x)[0]
    out.sum().backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    for m in convmodule_acts:  # ConvModule's own setting, under autograd
        m.inplace = True
    inplace_out = model(x)[0]
    inplace_out.sum().backward()
    torch.testing.assert_close(out, inplace_out, rtol=0, atol=0)
    for p, g in zip(model.parameters(), grads):
        torch.testing.assert_close(p.grad, g, rtol=0, atol=0)
    model.eval()
    assert all(m.inplace for m in convmodule_acts)
    assert not any(m.inplace for m in ffn_acts)
    model.train()
    assert not any(m.inplace for m in convmodule_acts)
    model.switch_to_deploy()  # the fused modules keep their activations, in place
    assert all(m.inplace for m in model.modules()
               if isinstance(m, nn.SiLU) and m.inplace_in_eval)


#: one arch per block type in the quick subset (v1, v2, the v3 overlays on v1 and v2, the
#: v3 -L2 depth); the widths only scale the same modules
TRAINING_STEP_QUICK = ('mobilevit-xxs', 'mobilevitv2-0.5', 'mobilevitv3-xxs',
                       'mobilevitv3-xxs-l2', 'mobilevitv3-0.5')


@pytest.mark.parametrize('arch', [
    pytest.param(a, marks=() if a in TRAINING_STEP_QUICK else pytest.mark.slow)
    for a in sorted(REFERENCE_PARAMS)])
def test_training_step(arch):
    model = MobileViTBackbone(arch, drop_path_rate=0.1).train()
    out = model(torch.rand(2, 3, 256, 256))[0]
    out.mean().backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize('arch', ['mobilevit-xxs', 'mobilevitv2-0.5', 'mobilevitv3-xxs',
                                  'mobilevitv3-0.5'])
def test_with_cp_matches_plain(arch):
    torch.manual_seed(0)
    plain = MobileViTBackbone(arch, drop_rate=0.).train()
    ckpt = MobileViTBackbone(arch, drop_rate=0., with_cp=True).train()
    ckpt.load_state_dict(plain.state_dict())
    x = torch.rand(2, 3, 96, 96)
    a, b = plain(x)[0], ckpt(x)[0]
    a.sum().backward()
    b.sum().backward()
    torch.testing.assert_close(a, b)
    for (n, p), q in zip(plain.named_parameters(), ckpt.parameters()):
        torch.testing.assert_close(p.grad, q.grad, msg=n)


def test_reachable_from_every_scope():
    from mmengine.registry import DefaultScope
    for scope in ('mmdet', 'mmseg', 'mmpretrain'):
        registry = __import__(f'{scope}.registry', fromlist=['MODELS']).MODELS
        with DefaultScope.overwrite_default_scope(scope):
            model = registry.build(dict(type='MobileViTBackbone', arch='mobilevit-xxs'))
        assert isinstance(model, MobileViTBackbone)


# ---- parity with the peer implementations ------------------------------------------
MMPRETRAIN_ARCH = {'mobilevit-xxs': 'xx_small', 'mobilevit-xs': 'x_small',
                   'mobilevit-s': 'small'}


def _randomize_bn(model):
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)


@pytest.mark.parametrize('arch', sorted(MMPRETRAIN_ARCH))
def test_parity_with_mmpretrain(arch):
    from mmpretrain.models import MobileViT
    torch.manual_seed(0)
    theirs = MobileViT(arch=MMPRETRAIN_ARCH[arch])
    theirs.init_weights()
    _randomize_bn(theirs)
    theirs.eval()
    ours = MobileViTBackbone(arch, out_indices=(5, )).eval()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    for size in (256, 320):
        x = torch.rand(2, 3, size, size)
        with torch.no_grad():
            diff = (ours(x)[0] - theirs(x)[0]).abs().max().item()
        assert diff <= 1e-5, (size, diff)


TIMM_ARCH = {'mobilevit-xxs': 'mobilevit_xxs', 'mobilevit-xs': 'mobilevit_xs',
             'mobilevit-s': 'mobilevit_s', 'mobilevitv2-0.5': 'mobilevitv2_050',
             'mobilevitv2-0.75': 'mobilevitv2_075', 'mobilevitv2-1.0': 'mobilevitv2_100'}


@pytest.mark.parametrize('arch', sorted(TIMM_ARCH))
def test_parity_with_timm_through_the_converter(arch):
    import timm

    from mmmobilevit.checkpoint import to_mmpretrain_layout
    torch.manual_seed(0)
    theirs = timm.create_model(TIMM_ARCH[arch], pretrained=False)
    _randomize_bn(theirs)
    theirs.eval()
    state_dict, layout = to_mmpretrain_layout(theirs.state_dict())
    assert layout == 'timm'
    ours = MobileViTBackbone(arch).eval()
    ours.load_pretrained(state_dict)
    fc = nn.Linear(ours.out_channels[-1], 1000)
    fc.load_state_dict({k[8:]: v for k, v in state_dict.items() if k.startswith('head.fc.')})
    x = torch.rand(2, 3, 256, 256)
    with torch.no_grad():
        ours_logits = fc(ours(x)[0].mean(dim=(2, 3)))
        diff = (ours_logits - theirs(x)).abs().max().item()
    assert diff <= 1e-4, diff
