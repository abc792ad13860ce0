"""MultiheadSelfAttention: the explicit form (few tokens) and the fused SDPA form (many)
compute the same attention, forward and backward, with dropout only in training."""
import pytest
import torch
import torch.nn.functional as F

from mmmobilevit.models.layers import MultiheadSelfAttention
from mmmobilevit.models.layers.transformer import EXPLICIT_ATTENTION_MAX_TOKENS


def fused_attention(attn, x):
    """The same module's weights through PyTorch's SDPA, whatever the token count."""
    B, N, C = x.shape
    q, k, v = attn.qkv(x).reshape(B, N, 3, attn.num_heads, C // attn.num_heads) \
        .permute(2, 0, 3, 1, 4).unbind(0)
    out = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(B, N, C)
    return attn.proj(out)


@pytest.mark.parametrize('tokens', [16, EXPLICIT_ATTENTION_MAX_TOKENS,
                                    EXPLICIT_ATTENTION_MAX_TOKENS + 1])
def test_both_forms_match_sdpa_forward_and_backward(tokens):
    torch.manual_seed(0)
    attn = MultiheadSelfAttention(48, num_heads=4).train()
    x = torch.randn(3, tokens, 48, requires_grad=True)
    out = attn(x)
    grad = torch.randn_like(out)
    (dx, ) = torch.autograd.grad(out, x, grad)
    ref = fused_attention(attn, x)
    (ref_dx, ) = torch.autograd.grad(ref, x, grad)
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(dx, ref_dx, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('tokens', [16, EXPLICIT_ATTENTION_MAX_TOKENS + 1])
def test_attention_dropout_only_in_training(tokens):
    torch.manual_seed(0)
    attn = MultiheadSelfAttention(32, num_heads=4, attn_drop=0.5)
    x = torch.randn(2, tokens, 32)
    attn.train()
    assert not torch.allclose(attn(x), attn(x))  # weights dropped at random
    attn.eval()
    torch.testing.assert_close(attn(x), fused_attention(attn, x), atol=1e-5, rtol=1e-4)
