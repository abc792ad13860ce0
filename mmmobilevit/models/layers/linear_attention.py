"""Separable (linear) self-attention layer of MobileViT v2 and v3-0.5/0.75/1.0.

The reference unfolds a ``[B, C, H, W]`` map into ``[B, C, P, N]`` (P pixels per patch,
N patches), runs 1x1 convs, a GroupNorm(1) over everything and a softmax over N, then
folds back. Every op except the softmax and the context sum is per pixel or global,
so here the layer runs on ``[B, C, H, W]`` directly and only groups the pixels by their
position inside the patch where it must (the scores and the context vector): no
unfold/fold copies of the feature map at all, same result.

Under ``torch.compile`` (not export), a channels-last map goes through the same ops
indexed in memory order, ``[B, H, W, C]``, and the GroupNorms normalise it as one
LayerNorm per sample (:class:`SingleGroupNorm`): inductor's kernels for the NCHW-indexed
form and for GroupNorm on a channels-last map ran several times slower than eager mode's
(``benchmark.py --compile`` shows the effect: ``ours-compile`` against ``ours-deploy``).
Eager mode gains nothing from these forms and keeps the one above.
"""
import torch
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer
from mmcv.cnn.bricks import DropPath
from torch import nn

from .fusion import fold_norm_affine
from .norm import SingleGroupNorm, compiling_for_inductor


class LinearSelfAttention(nn.Module):
    """``proj(relu(v) * sum_N(k * softmax_N(q)))`` for each in-patch position.

    Args:
        embed_dims (int): Channels d.
        patch_size (int): Patch side; the input's H and W must be multiples of it.
        attn_drop (float): Dropout on the context scores.
        proj_drop (float): Dropout after the output projection.
    """

    def __init__(self, embed_dims: int, patch_size: int = 2, attn_drop: float = 0.,
                 proj_drop: float = 0.) -> None:
        super().__init__()
        self.embed_dims = embed_dims
        self.patch_size = patch_size
        self.qkv = nn.Conv2d(embed_dims, 1 + 2 * embed_dims, 1, bias=True)
        self.attn_drop = nn.Dropout(attn_drop)
        self.proj = nn.Conv2d(embed_dims, embed_dims, 1, bias=True)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        qkv = self.qkv(x)
        if compiling_for_inductor() and qkv.is_contiguous(memory_format=torch.channels_last):
            out = self._attend_nhwc(qkv)
        else:
            out = self._attend(qkv)
        return self.proj_drop(self.proj(out))

    def _scores(self, q: torch.Tensor) -> torch.Tensor:
        """``[B, H, W]`` queries -> softmax over the patches, ``[B, p, p, N]``."""
        B, H, W = q.shape
        p = self.patch_size
        nh, nw = H // p, W // p
        scores = q.reshape(B, nh, p, nw, p).permute(0, 2, 4, 1, 3).reshape(B, p, p, nh * nw)
        return self.attn_drop(scores.softmax(dim=-1))

    def _attend(self, qkv: torch.Tensor) -> torch.Tensor:
        """``[B, 1 + 2C, H, W]`` -> ``[B, C, H, W]``, indexed as NCHW."""
        B, _, H, W = qkv.shape
        C = self.embed_dims
        p = self.patch_size
        nh, nw = H // p, W // p
        q, k, v = qkv.split([1, C, C], dim=1)
        # softmax over the N patches, separately for each of the p*p pixel positions
        scores = self._scores(q.reshape(B, H, W))
        scores = scores.reshape(B, 1, p, p, nh, nw).permute(0, 1, 4, 2, 5, 3)
        context = (k.reshape(B, C, nh, p, nw, p) * scores).sum(dim=(2, 4), keepdim=True)
        out = F.relu(v).reshape(B, C, nh, p, nw, p) * context
        return out.reshape(B, C, H, W)

    def _attend_nhwc(self, qkv: torch.Tensor) -> torch.Tensor:
        """:meth:`_attend` indexed in the memory order of a channels-last ``qkv``."""
        B, _, H, W = qkv.shape
        C = self.embed_dims
        p = self.patch_size
        nh, nw = H // p, W // p
        qkv = qkv.permute(0, 2, 3, 1)                          # [B, H, W, 1 + 2C], a view
        k = qkv[..., 1:C + 1].reshape(B, nh, p, nw, p, C)
        v = qkv[..., C + 1:].reshape(B, nh, p, nw, p, C)
        scores = self._scores(qkv[..., 0])                     # [B, p, p, N]
        scores = scores.reshape(B, p, p, nh, nw).permute(0, 3, 1, 4, 2).unsqueeze(-1)
        context = (k * scores).sum(dim=(1, 3), keepdim=True)  # [B, 1, p, 1, p, C]
        out = F.relu(v) * context                              # [B, nh, p, nw, p, C]
        return out.reshape(B, H, W, C).permute(0, 3, 1, 2)


class ConvFFN(nn.Module):
    """1x1 conv -> act -> dropout -> 1x1 conv -> dropout."""

    def __init__(self, embed_dims: int, hidden_dims: int, act_cfg: dict = dict(type='SiLU'),
                 ffn_drop: float = 0., drop: float = 0.) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(embed_dims, hidden_dims, 1, bias=True)
        self.act = build_activation_layer(act_cfg)
        self.ffn_drop = nn.Dropout(ffn_drop)
        self.fc2 = nn.Conv2d(hidden_dims, embed_dims, 1, bias=True)
        self.drop = nn.Dropout(drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.fc2(self.ffn_drop(self.act(self.fc1(x)))))


class LinearTransformerLayer(nn.Module):
    """``x + attn(GN(x))`` then ``x + FFN(GN(x))``, GN being GroupNorm with one group.

    Args:
        embed_dims (int): Channels d.
        ffn_dims (int): FFN hidden channels (``int(2 * d // 16 * 16)`` in MobileViTv2).
        patch_size (int): Patch side.
        drop_rate, attn_drop_rate, ffn_drop_rate, drop_path_rate (float): As in
            :class:`~mmmobilevit.models.layers.TransformerLayer`.
        act_cfg (dict): FFN activation.
    """

    def __init__(self, embed_dims: int, ffn_dims: int, patch_size: int = 2,
                 drop_rate: float = 0., attn_drop_rate: float = 0.,
                 ffn_drop_rate: float = 0., drop_path_rate: float = 0.,
                 act_cfg: dict = dict(type='SiLU'), eps: float = 1e-5) -> None:
        super().__init__()
        self.norm1 = SingleGroupNorm(1, embed_dims, eps=eps)
        self.attn = LinearSelfAttention(embed_dims, patch_size, attn_drop_rate, drop_rate)
        self.norm2 = SingleGroupNorm(1, embed_dims, eps=eps)
        self.ffn = ConvFFN(embed_dims, ffn_dims, act_cfg, ffn_drop_rate, drop_rate)
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate > 0 else nn.Identity()

    def fold_norm_affines(self) -> None:
        """Inference: move both GroupNorms' affines into qkv and the FFN's fc1."""
        self.norm1 = fold_norm_affine(self.norm1, self.attn.qkv)
        self.norm2 = fold_norm_affine(self.norm2, self.ffn.fc1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.ffn(self.norm2(x)))
