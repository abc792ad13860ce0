"""Odd input sizes in v2-type blocks (MobileViTv2, MobileViTv3-0.5/0.75/1.0).

The reference below is written in the test from Apple's code that trained the released
weights: apple/ml-cvnets 84d992f, ``cvnets/modules/mobilevit_block.py``
(``MobileViTBlockv2.resize_input_if_needed`` / ``unfolding_pytorch`` / ``folding_pytorch``
/ ``forward_spatial``) and ``cvnets/layers/linear_attention.py``
(``LinearSelfAttention._forward_self_attn``), and the MobileViTv3-v2 overlay of
micronDLA/MobileViTv3 (``MobileViTBlockv3.forward_spatial``: projection of
(global, local) and the residual of the resized input). It works on Apple's
``[B, C, P, N]`` patch layout with ``F.unfold`` / ``F.fold``, with our block's weights.
"""
import math

import pytest
import torch
import torch.nn.functional as F

from helpers.weights import randomize_norms, rel_diff
from mmmobilevit.models.backbones import MobileViTBackbone
from mmmobilevit.models.layers import MobileViTv2Block
from mmmobilevit.models.utils import switch_to_deploy

SIZES = [(250, 300), (333, 517)]


def reference_linear_attn_ffn(layer, x):
    """ml-cvnets' LinearAttnFFN on [B, C, P, N]: pre-norm attention and FFN."""
    qkv = layer.attn.qkv(layer.norm1(x))
    C = x.shape[1]
    query, key, value = torch.split(qkv, [1, C, C], dim=1)
    scores = F.softmax(query, dim=-1)  # over the N patches
    context = (key * scores).sum(dim=-1, keepdim=True)
    x = x + layer.attn.proj(F.relu(value) * context.expand_as(value))
    ffn = layer.ffn
    return x + ffn.fc2(ffn.act(ffn.fc1(layer.norm2(x))))


def reference_v2_block(block, x):
    p = block.patch_size
    h, w = x.shape[-2:]
    if h % p or w % p:
        x = F.interpolate(x, size=(math.ceil(h / p) * p, math.ceil(w / p) * p),
                          mode='bilinear', align_corners=True)
    fm = block.local_rep(x)
    B, d, H, W = fm.shape
    patches = F.unfold(fm, kernel_size=p, stride=p).reshape(B, d, p * p, -1)
    for layer in block.global_rep[:-1]:
        patches = reference_linear_attn_ffn(layer, patches)
    patches = block.global_rep[-1](patches)
    glob = F.fold(patches.reshape(B, d * p * p, -1), output_size=(H, W), kernel_size=p,
                  stride=p)
    if block.block_type == 'linear_v3':
        return block.conv_proj(torch.cat((glob, fm), dim=1)) + x
    return block.conv_proj(glob)


def block_io(model, x):
    """(input, output) of every v2-type block of ``model(x)``."""
    seen = []
    hooks = [m.register_forward_hook(lambda m, i, o: seen.append((m, i[0], o)))
             for m in model.modules() if isinstance(m, MobileViTv2Block)]
    with torch.no_grad():
        outs = model(x)
    for h in hooks:
        h.remove()
    return seen, outs


def reference_stage_sizes(h, w, arch_has_v2_blocks):
    """Strides 2 (ceil) per stage; a v2-type block then rounds up to even sides."""
    sizes = []
    for stage in range(5):
        h, w = (h + 1) // 2, (w + 1) // 2
        if arch_has_v2_blocks and stage >= 2:
            h, w = h + h % 2, w + w % 2
        sizes.append((h, w))
    return sizes


@pytest.mark.parametrize('arch', ['mobilevitv2-0.5', 'mobilevitv3-0.5'])
@pytest.mark.parametrize('size', SIZES)
def test_v2_blocks_match_the_reference_at_odd_sizes(arch, size):
    torch.manual_seed(0)
    model = MobileViTBackbone(arch, out_indices=(0, 1, 2, 3, 4)).eval()
    randomize_norms(model)
    x = torch.rand(1, 3, *size)
    seen, outs = block_io(model, x)
    assert len(seen) == 3 and any(i.shape[-1] % 2 for _, i, _ in seen)  # odd maps met
    with torch.no_grad():
        for block, inp, out in seen:
            expected = reference_v2_block(block, inp)
            assert out.shape == expected.shape
            assert rel_diff(out, expected) < 1e-5
    assert [tuple(o.shape[-2:]) for o in outs] == reference_stage_sizes(*size, True)
    # the deploy structure gives the same outputs
    deployed = MobileViTBackbone(arch, out_indices=(0, 1, 2, 3, 4)).eval()
    deployed.load_state_dict(model.state_dict())
    switch_to_deploy(deployed)
    with torch.no_grad():
        fused = deployed(x)
    for a, b in zip(outs, fused):
        assert a.shape == b.shape and rel_diff(a, b) < 1e-4


def test_v1_blocks_and_restore_size_keep_the_input_size():
    x = torch.rand(1, 3, 250, 300)
    for arch, kw in (('mobilevit-xxs', {}), ('mobilevitv3-xxs', {}),
                     ('mobilevitv2-0.5', dict(restore_block_size=True))):
        model = MobileViTBackbone(arch, out_indices=(0, 1, 2, 3, 4), **kw).eval()
        with torch.no_grad():
            outs = model(x)
        assert [tuple(o.shape[-2:]) for o in outs] == reference_stage_sizes(250, 300, False)
    block = MobileViTv2Block(16, 8, 1, 16).eval()
    with torch.no_grad():
        assert block(torch.rand(1, 16, 7, 9)).shape[-2:] == (8, 10)
        block.restore_size = True
        assert block(torch.rand(1, 16, 7, 9)).shape[-2:] == (7, 9)
