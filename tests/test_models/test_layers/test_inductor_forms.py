"""The forms MobileViTv2's layers take while torch.compile traces them (SingleGroupNorm as
a per-sample LayerNorm, the separable attention indexed as NHWC) compute what the eager
forms compute, are the ones dynamo traces, and stay out of exported graphs."""
import pytest
import torch
from torch import nn

from mmmobilevit.models.layers import (LinearSelfAttention, LinearTransformerLayer,
                                       MobileViTv2Block, SingleGroupNorm, fold_norm_affine)


def _channels_last(*shape):
    return torch.randn(*shape).contiguous(memory_format=torch.channels_last)


def _traced(module, x):
    """``module(x)`` compiled by dynamo with a backend that keeps the FX graph and runs
    it as traced (no inductor code generation: fast); returns (output, graph code)."""
    graphs = []

    def keep(gm, example_inputs):
        graphs.append(gm)
        return gm.forward

    torch._dynamo.reset()
    out = torch.compile(module, backend=keep, fullgraph=True)(x)
    return out, '\n'.join(gm.code for gm in graphs)


def test_single_group_norm_is_a_one_group_group_norm():
    with pytest.raises(ValueError, match='one group'):
        SingleGroupNorm(2, 8)
    norm = SingleGroupNorm(1, 8)
    assert isinstance(norm, nn.GroupNorm)
    assert norm.state_dict().keys() == nn.GroupNorm(1, 8).state_dict().keys()
    nn.init.normal_(norm.weight)
    nn.init.normal_(norm.bias)
    plain = fold_norm_affine(norm, nn.Conv2d(8, 4, 1))
    assert type(plain) is SingleGroupNorm and not plain.affine


@pytest.mark.parametrize('affine', [True, False])
def test_single_group_norm_traced_is_a_layer_norm_with_the_same_result(affine):
    torch.manual_seed(0)
    norm = SingleGroupNorm(1, 16, affine=affine)
    if affine:
        nn.init.normal_(norm.weight)
        nn.init.normal_(norm.bias)
    x = _channels_last(2, 16, 6, 10) * 3 + 1
    expected = nn.functional.group_norm(x, 1, norm.weight, norm.bias, norm.eps)
    torch.testing.assert_close(norm(x), expected)
    out, code = _traced(norm, x)
    assert 'layer_norm' in code and 'group_norm' not in code
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
    # an NCHW map keeps GroupNorm; so does export (the ONNX graph is unchanged)
    out, code = _traced(norm, x.contiguous())
    assert 'group_norm' in code
    exported = torch.export.export(norm, (x, )).graph_module.code
    assert 'group_norm' in exported and 'layer_norm' not in exported


def test_attention_nhwc_form_matches_forward_and_backward():
    torch.manual_seed(0)
    attn = LinearSelfAttention(24, patch_size=2).train()
    x = _channels_last(2, 24, 8, 12).requires_grad_()
    qkv = attn.qkv(x)
    assert qkv.is_contiguous(memory_format=torch.channels_last)
    out, nhwc = attn._attend(qkv), attn._attend_nhwc(qkv)
    grad = torch.randn_like(out)
    (dx, ) = torch.autograd.grad(out, x, grad, retain_graph=True)
    (dx_nhwc, ) = torch.autograd.grad(nhwc, x, grad)
    torch.testing.assert_close(nhwc, out, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(dx_nhwc, dx, atol=1e-5, rtol=1e-5)


def test_traced_transformer_layer_runs_the_nhwc_forms_with_the_eager_result():
    torch.manual_seed(0)
    layer = LinearTransformerLayer(16, 32, patch_size=2).eval()
    for m in layer.modules():
        if isinstance(m, SingleGroupNorm):
            nn.init.normal_(m.weight)
            nn.init.normal_(m.bias)
    layer.to(memory_format=torch.channels_last)
    x = _channels_last(2, 16, 8, 8)
    calls = []
    nhwc_form = layer.attn._attend_nhwc

    def counted(qkv):
        calls.append(qkv.shape)
        return nhwc_form(qkv)

    layer.attn._attend_nhwc = counted
    with torch.no_grad():
        expected = layer(x)
        assert not calls  # eager: the NCHW form
        out, code = _traced(layer, x)
    assert calls and 'layer_norm' in code and 'group_norm' not in code
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.slow  # an inductor compile
def test_inductor_compiles_a_v2_block_to_the_eager_result():
    """What inductor generates for the NHWC forms (a small block: the compile of a whole
    backbone takes minutes on 2 cores)."""
    torch.manual_seed(0)
    block = MobileViTv2Block(16, 16, depth=1, ffn_dims=32).eval()
    for m in block.modules():
        if isinstance(m, (SingleGroupNorm, nn.BatchNorm2d)):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.normal_(m.bias)
    block.to(memory_format=torch.channels_last)
    x = _channels_last(2, 16, 8, 12)
    with torch.no_grad():
        expected = block(x)
        torch._dynamo.reset()
        compiled = torch.compile(block, fullgraph=True)(x)
    torch.testing.assert_close(compiled, expected, atol=1e-4, rtol=1e-4)
