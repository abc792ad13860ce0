"""Deploy mode: BN / norm-affine folding, channels_last, the ``deploy`` option and
``torch.compile``; outputs unchanged within 1e-4."""
import copy

import pytest
import torch
from torch import nn

import mmmobilevit  # noqa: F401
from mmmobilevit.models import MobileViTBackbone
from mmmobilevit.models.layers import ConvAct, fold_norm_affine, fuse_conv_bn


def randomize_norms(model, seed=0):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(torch.rand(m.num_features, generator=gen) - 0.5)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            if isinstance(m, (nn.modules.batchnorm._BatchNorm, nn.LayerNorm, nn.GroupNorm)):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=gen) - 0.5)
    return model


def rel_diff(a, b):
    return float((a - b).abs().max() / max(1., float(a.abs().max())))


def test_fuse_conv_bn_is_exact():
    conv = nn.Conv2d(8, 16, 3, padding=2, dilation=2, groups=2, bias=True)
    bn = randomize_norms(nn.BatchNorm2d(16)).eval()
    x = torch.randn(2, 8, 9, 11)
    with torch.no_grad():
        assert rel_diff(bn(conv(x)), fuse_conv_bn(conv, bn)(x)) < 1e-6


def test_fold_norm_affine_into_linear_and_into_part_of_a_1x1_conv():
    ln, fc = randomize_norms(nn.LayerNorm(12)), nn.Linear(12, 5)
    x = torch.randn(3, 7, 12)
    with torch.no_grad():
        expected = fc(ln(x))
        plain = fold_norm_affine(ln, fc)
        assert not plain.elementwise_affine
        assert rel_diff(expected, fc(plain(x))) < 1e-6
    gn, conv = randomize_norms(nn.GroupNorm(1, 6)), nn.Conv2d(10, 4, 1, bias=False)
    y, other = torch.randn(2, 6, 5, 5), torch.randn(2, 4, 5, 5)
    with torch.no_grad():
        expected = conv(torch.cat((gn(y), other), 1))
        plain = fold_norm_affine(gn, conv, channels=slice(0, 6))
        assert rel_diff(expected, conv(torch.cat((plain(y), other), 1))) < 1e-6
    with pytest.raises(ValueError, match='1x1'):
        fold_norm_affine(nn.GroupNorm(1, 4), nn.Conv2d(4, 4, 3))


@pytest.mark.parametrize('arch,out_stride', [
    ('mobilevit-xxs', 32), ('mobilevit-xs', 16), ('mobilevitv2-0.5', 32),
    ('mobilevitv3-xxs', 8), ('mobilevitv3-0.5', 16)])
def test_switch_to_deploy_keeps_the_outputs(arch, out_stride):
    torch.manual_seed(0)
    eager = randomize_norms(MobileViTBackbone(arch, out_indices=(0, 1, 2, 3, 4),
                                              out_stride=out_stride)).eval()
    deployed = copy.deepcopy(eager).switch_to_deploy()
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm)
                   for m in deployed.modules())
    assert any(isinstance(m, ConvAct) for m in deployed.modules())
    # 64x64 and a size that is not a multiple of the patches (the resize path)
    for shape in ((2, 3, 64, 64), (1, 3, 70, 94)):
        x = torch.randn(shape)
        with torch.no_grad():
            for a, b in zip(eager(x), deployed(x)):
                assert a.shape == b.shape
                assert rel_diff(a, b) <= 1e-4
    with pytest.raises(RuntimeError, match='cannot be trained'):
        deployed.train()


def test_channels_last_does_not_change_the_outputs():
    torch.manual_seed(0)
    a = randomize_norms(MobileViTBackbone('mobilevit-xxs', channels_last=True)).eval()
    b = MobileViTBackbone('mobilevit-xxs', channels_last=False).eval()
    b.load_state_dict(a.state_dict())
    assert a.stem.conv.weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        out = a(x)[0]
        assert out.is_contiguous(memory_format=torch.channels_last)
        assert rel_diff(b(x)[0], out) <= 1e-5
    # training works in channels_last (gradients flow to every parameter)
    a.train()
    a(x)[0].sum().backward()
    assert all(p.grad is not None for p in a.parameters())


def test_deploy_option_switches_at_the_first_eval_forward():
    torch.manual_seed(0)
    model = MobileViTBackbone('mobilevit-xxs', deploy=True)
    reference = copy.deepcopy(model)
    model.eval()
    reference.deploy_cfg = None
    reference.eval()
    x = torch.randn(1, 3, 64, 64)
    assert not model.deployed
    with torch.no_grad():
        assert rel_diff(reference(x)[0], model(x)[0]) <= 1e-4
    assert model.deployed
    # deploy is an inference setting: a training forward says so
    train_model = MobileViTBackbone('mobilevit-xxs', deploy=True)
    with pytest.raises(RuntimeError, match='inference setting'):
        train_model(x)
    with pytest.raises(ValueError, match='unknown keys'):
        MobileViTBackbone('mobilevit-xxs', deploy=dict(fuse=False))


def test_deploy_with_torch_compile():
    torch.manual_seed(0)
    eager = randomize_norms(MobileViTBackbone('mobilevit-xxs')).eval()
    compiled = copy.deepcopy(eager)
    compiled.deploy_cfg = dict(compile=True)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert rel_diff(eager(x)[0], compiled(x)[0]) <= 1e-4
    assert compiled._compiled_forward is not None


def test_bf16_autocast_inference_runs_close_to_fp32():
    torch.manual_seed(0)
    model = randomize_norms(MobileViTBackbone('mobilevit-xxs')).eval().switch_to_deploy()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        fp32 = model(x)[0]
        with torch.autocast('cpu', dtype=torch.bfloat16):
            bf16 = model(x)[0]
    assert bf16.dtype == torch.bfloat16
    assert rel_diff(fp32, bf16.float()) < 0.05
