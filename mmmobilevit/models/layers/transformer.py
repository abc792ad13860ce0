"""Pre-norm transformer layer of MobileViT v1/v3 (multi-head self-attention)."""
import torch
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer
from mmcv.cnn.bricks import DropPath
from torch import nn

from .fusion import fold_norm_affine

#: Up to this many tokens the attention runs as two matmuls and a softmax, above it as
#: PyTorch's fused (flash) SDPA: on CPUs (2 threads, fp32) the explicit form was the
#: faster one forward and backward at 16-144 tokens (MobileViT's later stages; at
#: 256x256 every stage but the first transformer stage), the fused one from 256 tokens
#: with 16-channel heads (XXS's first stage); ``benchmark.py`` and ``train_breakdown.py``
#: time the whole model.
EXPLICIT_ATTENTION_MAX_TOKENS = 144


class MultiheadSelfAttention(nn.Module):
    """Multi-head self-attention on ``[B, N, C]`` tokens: explicit softmax attention up
    to :data:`EXPLICIT_ATTENTION_MAX_TOKENS` tokens, fused SDPA above (same result).

    Args:
        embed_dims (int): Token channels C.
        num_heads (int): Heads; ``head_dim = C // num_heads``, scale ``head_dim ** -0.5``.
        attn_drop (float): Dropout on the attention weights.
        proj_drop (float): Dropout after the output projection.
    """

    def __init__(self, embed_dims: int, num_heads: int = 4, attn_drop: float = 0.,
                 proj_drop: float = 0.) -> None:
        super().__init__()
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims {embed_dims} is not divisible by '
                             f'num_heads {num_heads}')
        self.num_heads = num_heads
        self.head_dims = embed_dims // num_heads
        self.attn_drop = attn_drop
        self.qkv = nn.Linear(embed_dims, embed_dims * 3, bias=True)
        self.proj = nn.Linear(embed_dims, embed_dims, bias=True)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, N, C = x.shape
        q, k, v = self.qkv(x).reshape(B, N, 3, self.num_heads,
                                      self.head_dims).permute(2, 0, 3, 1, 4).unbind(0)
        drop = self.attn_drop if self.training else 0.
        if N <= EXPLICIT_ATTENTION_MAX_TOKENS:
            weights = (q * self.head_dims**-0.5) @ k.transpose(-2, -1)
            x = F.dropout(weights.softmax(dim=-1), drop, self.training) @ v
        else:
            x = F.scaled_dot_product_attention(q, k, v, dropout_p=drop)
        x = x.transpose(1, 2).reshape(B, N, C)
        return self.proj_drop(self.proj(x))


class FFN(nn.Module):
    """fc1 -> act -> dropout -> fc2 -> dropout.

    Parameter names (``layers.0.0``, ``layers.1``) follow mmcv's FFN as mmpretrain's
    MobileViT uses it, so its checkpoints load as they are.
    """

    def __init__(self, embed_dims: int, hidden_dims: int, act_cfg: dict = dict(type='SiLU'),
                 ffn_drop: float = 0., drop: float = 0.) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Sequential(nn.Linear(embed_dims, hidden_dims),
                          build_activation_layer(act_cfg), nn.Dropout(ffn_drop)),
            nn.Linear(hidden_dims, embed_dims),
            nn.Dropout(drop))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class TransformerLayer(nn.Module):
    """``x + DropPath(MHSA(LN(x)))`` then ``x + DropPath(FFN(LN(x)))``.

    Args:
        embed_dims (int): Token channels.
        ffn_dims (int): FFN hidden channels (2 * embed_dims in MobileViT).
        num_heads (int): Attention heads.
        drop_rate (float): Dropout after the attention projection and the FFN.
        attn_drop_rate (float): Dropout on the attention weights.
        ffn_drop_rate (float): Dropout between the FFN's two linear layers.
        drop_path_rate (float): Stochastic depth of both residual branches.
        act_cfg (dict): FFN activation.
        norm_cfg (dict): Token norm (LayerNorm).
    """

    def __init__(self, embed_dims: int, ffn_dims: int, num_heads: int = 4,
                 drop_rate: float = 0., attn_drop_rate: float = 0.,
                 ffn_drop_rate: float = 0., drop_path_rate: float = 0.,
                 act_cfg: dict = dict(type='SiLU'),
                 norm_cfg: dict = dict(type='LN', eps=1e-5)) -> None:
        super().__init__()
        eps = norm_cfg.get('eps', 1e-5)
        self.ln1 = nn.LayerNorm(embed_dims, eps=eps)
        self.attn = MultiheadSelfAttention(embed_dims, num_heads, attn_drop_rate,
                                           drop_rate)
        self.ln2 = nn.LayerNorm(embed_dims, eps=eps)
        self.ffn = FFN(embed_dims, ffn_dims, act_cfg, ffn_drop_rate, drop_rate)
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate > 0 else nn.Identity()

    def fold_norm_affines(self) -> None:
        """Inference: move both LayerNorms' affines into qkv and the FFN's fc1."""
        self.ln1 = fold_norm_affine(self.ln1, self.attn.qkv)
        self.ln2 = fold_norm_affine(self.ln2, self.ffn.layers[0][0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.drop_path(self.attn(self.ln1(x)))
        return x + self.drop_path(self.ffn(self.ln2(x)))
