"""Inference-time fusions: conv-BN folding and norm-affine folding are exact."""
import pytest
import torch
from torch import nn

import mmmobilevit  # noqa: F401
from helpers.weights import randomize_norms, rel_diff
from mmmobilevit.models.layers import fold_norm_affine, fuse_conv_bn


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


def test_fuse_conv_modules_keeps_modules_it_cannot_fuse_exactly():
    from mmcv.cnn import ConvModule

    from mmmobilevit.models.layers import ConvAct, fuse_conv_modules
    torch.manual_seed(0)
    model = nn.Sequential(
        ConvModule(4, 8, 3, padding=1, norm_cfg=dict(type='BN'), act_cfg=dict(type='SiLU')),
        ConvModule(8, 8, 3, padding=1, padding_mode='reflect', norm_cfg=dict(type='BN')),
        ConvModule(8, 8, 1, norm_cfg=dict(type='BN'), order=('act', 'conv', 'norm')))
    randomize_norms(model).eval()
    x = torch.randn(2, 4, 9, 7)
    with torch.no_grad():
        expected = model(x)
        assert fuse_conv_modules(model) == 1
        assert isinstance(model[0], ConvAct)
        # a padding layer before the conv, or the norm not right after it: kept
        assert not isinstance(model[1], ConvAct) and not isinstance(model[2], ConvAct)
        assert rel_diff(expected, model(x)) < 1e-5
