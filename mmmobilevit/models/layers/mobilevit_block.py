"""MobileViT blocks: local convs, global attention over patches, projection/fusion.

Two classes cover the four block types of the family, named as in the arch tables
(:data:`BLOCK_TYPES`):

* :class:`MobileViTBlock` -- multi-head self-attention; ``'mhsa'`` is MobileViT's 3x3
  fusion of (input, projected global features), ``'mhsa_v3'`` MobileViTv3-S/XS/XXS's
  depthwise local conv, 1x1 fusion of (local, projected global) and input residual.
* :class:`MobileViTv2Block` -- separable self-attention; ``'linear'`` is MobileViTv2's,
  ``'linear_v3'`` MobileViTv3-0.5/0.75/1.0's projection of (global, local) plus input
  residual.
"""
import math
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
import torch.utils.checkpoint as cp
from mmcv.cnn import ConvModule
from torch import nn

from .fusion import fold_norm_affine
from .linear_attention import LinearTransformerLayer
from .norm import SingleGroupNorm
from .transformer import TransformerLayer

#: The block types of the family, as the arch tables and both block classes name them.
BLOCK_TYPES = ('mhsa', 'mhsa_v3', 'linear', 'linear_v3')


def _padded_size(h: int, w: int, p: int) -> Tuple[int, int]:
    return math.ceil(h / p) * p, math.ceil(w / p) * p


def _check_block_type(block_type: str, allowed: Tuple[str, ...], cls: str) -> None:
    if block_type not in allowed:
        raise ValueError(f'{cls} builds the block types {allowed}, got {block_type!r} '
                         f'(all types: {BLOCK_TYPES})')


class _CheckpointMixin:
    """Runs ``_forward`` under activation checkpointing when ``with_cp`` is set."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.with_cp and x.requires_grad:
            return cp.checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)


class MobileViTBlock(_CheckpointMixin, nn.Module):
    """MobileViT (v1) / MobileViTv3-S/XS/XXS block.

    Feature maps whose size is not a multiple of the patch size are resized bilinearly
    before unfolding and resized back after folding, as ml-cvnets does.

    Args:
        in_channels (int): Block input and output channels C.
        attn_dims (int): Transformer channels d.
        depth (int): Transformer layers.
        ffn_dims (int): FFN hidden channels.
        num_heads (int): Attention heads.
        patch_size (int): Patch side (2 in every released model).
        block_type (str): ``'mhsa'`` or ``'mhsa_v3'`` (see the module docstring).
        dilation (int): Dilation of the local 3x3 conv.
        drop_rate, attn_drop_rate, ffn_drop_rate (float): Transformer dropouts.
        drop_path_rates (list[float]): Stochastic depth per transformer layer.
        norm_cfg, act_cfg (dict): For every conv of the block.
        with_cp (bool): Activation checkpointing in training.
    """

    def __init__(self, in_channels: int, attn_dims: int, depth: int, ffn_dims: int,
                 num_heads: int = 4, patch_size: int = 2, block_type: str = 'mhsa',
                 dilation: int = 1, drop_rate: float = 0., attn_drop_rate: float = 0.,
                 ffn_drop_rate: float = 0., drop_path_rates: Optional[List[float]] = None,
                 norm_cfg: dict = dict(type='BN'), act_cfg: dict = dict(type='SiLU'),
                 with_cp: bool = False) -> None:
        super().__init__()
        _check_block_type(block_type, ('mhsa', 'mhsa_v3'), type(self).__name__)
        self.block_type = block_type
        self.patch_size = patch_size
        self.with_cp = with_cp
        drop_path_rates = drop_path_rates or [0.] * depth
        C, d = in_channels, attn_dims
        self.local_rep = nn.Sequential(
            ConvModule(C, C, 3, padding=dilation, dilation=dilation,
                       groups=C if block_type == 'mhsa_v3' else 1,
                       norm_cfg=norm_cfg, act_cfg=act_cfg),
            ConvModule(C, d, 1, bias=False, norm_cfg=None, act_cfg=None))
        self.global_rep = nn.Sequential(*[
            TransformerLayer(d, ffn_dims, num_heads, drop_rate, attn_drop_rate,
                             ffn_drop_rate, drop_path_rates[i], act_cfg)
            for i in range(depth)
        ], nn.LayerNorm(d))
        self.conv_proj = ConvModule(d, C, 1, norm_cfg=norm_cfg, act_cfg=act_cfg)
        if block_type == 'mhsa':
            self.conv_fusion = ConvModule(2 * C, C, 3, padding=1, norm_cfg=norm_cfg,
                                          act_cfg=act_cfg)
        else:
            self.conv_fusion = ConvModule(d + C, C, 1, norm_cfg=norm_cfg, act_cfg=act_cfg)

    def fold_norm_affines(self) -> None:
        """Inference: fold every LayerNorm affine into the layer that reads it.

        The final LayerNorm goes into ``conv_proj`` (bilinear resizing in between, if
        any, commutes with a per-channel affine). Call after BN fusion.
        """
        for layer in self.global_rep[:-1]:
            layer.fold_norm_affines()
        self.global_rep[-1] = fold_norm_affine(self.global_rep[-1], self.conv_proj.conv)

    def unfolding(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map -> patch sequences: ``[B, d, H, W] -> [B * p * p, N, d]``.

        ``H`` and ``W`` must be multiples of the patch side ``p``; ``N = H * W / p^2``.
        The permutes are free views of a channels-last map; the one copy is the last
        reshape.
        """
        B, d, H, W = x.shape
        p = self.patch_size
        nh, nw = H // p, W // p
        x = x.permute(0, 2, 3, 1)                    # [B, H, W, d]
        x = x.reshape(B, nh, p, nw, p, d)            # [B, nh, p, nw, p, d]
        x = x.permute(0, 2, 4, 1, 3, 5)              # [B, p, p, nh, nw, d]
        return x.reshape(B * p * p, nh * nw, d)      # [B * p * p, N, d]

    def folding(self, x: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
        """Patch sequences -> feature map: ``[B * p * p, N, d] -> [B, d, H, W]``
        (channels-last memory, a free permute of the copied ``[B, H, W, d]``)."""
        H, W = size
        p = self.patch_size
        nh, nw = H // p, W // p
        d = x.shape[-1]
        x = x.reshape(-1, p, p, nh, nw, d)           # [B, p, p, nh, nw, d]
        x = x.permute(0, 3, 1, 4, 2, 5)              # [B, nh, p, nw, p, d]
        x = x.reshape(-1, H, W, d)                   # [B, H, W, d]
        return x.permute(0, 3, 1, 2)                 # [B, d, H, W]

    def global_features(self, local: torch.Tensor) -> torch.Tensor:
        """Transformer over the patches of ``local`` ([B, d, H, W] -> [B, d, H, W]).

        A map whose sides are not multiples of the patch side is resized bilinearly to
        the next multiples for the transformer and resized back, as ml-cvnets does.
        """
        H, W = local.shape[-2:]
        new_h, new_w = _padded_size(H, W, self.patch_size)
        resized = (new_h, new_w) != (H, W)
        x = F.interpolate(local, size=(new_h, new_w), mode='bilinear',
                          align_corners=False) if resized else local
        x = self.folding(self.global_rep(self.unfolding(x)), (new_h, new_w))
        if resized:
            x = F.interpolate(x, size=(H, W), mode='bilinear', align_corners=False)
        return x

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        local = self.local_rep(x)
        y = self.conv_proj(self.global_features(local))
        if self.block_type == 'mhsa':
            return self.conv_fusion(torch.cat((x, y), dim=1))
        return self.conv_fusion(torch.cat((local, y), dim=1)) + x


class MobileViTv2Block(_CheckpointMixin, nn.Module):
    """MobileViTv2 / MobileViTv3-0.5/0.75/1.0 block (separable self-attention).

    A feature map whose size is not a multiple of the patch size is resized bilinearly
    (``align_corners=True``) to the next multiples, and the block's output keeps that
    size, as in ml-cvnets (84d992f and main, ``MobileViTBlockv2.resize_input_if_needed``)
    and the MobileViTv3-v2 overlay: the code that trained the released weights. At
    250x300, stage 4 of a v2 backbone is 16x20 (not 16x19) and everything after
    follows. ``restore_size=True`` resizes the output back to the input size instead.

    Args:
        in_channels (int): Block input and output channels C.
        attn_dims (int): Attention channels d.
        depth (int): Attention layers.
        ffn_dims (int): FFN hidden channels.
        patch_size (int): Patch side.
        block_type (str): ``'linear'`` or ``'linear_v3'`` (MobileViTv3's projection of
            (global, local) and input residual).
        dilation (int): Dilation of the local depthwise conv.
        drop_rate, attn_drop_rate, ffn_drop_rate (float): Dropouts.
        drop_path_rates (list[float]): Stochastic depth per attention layer.
        norm_cfg, act_cfg (dict): For every conv of the block.
        with_cp (bool): Activation checkpointing in training.
        restore_size (bool): Resize the output of an odd-sized input back to the
            input size (not the reference behaviour). Defaults to False.
    """

    def __init__(self, in_channels: int, attn_dims: int, depth: int, ffn_dims: int,
                 patch_size: int = 2, block_type: str = 'linear', dilation: int = 1,
                 drop_rate: float = 0., attn_drop_rate: float = 0.,
                 ffn_drop_rate: float = 0., drop_path_rates: Optional[List[float]] = None,
                 norm_cfg: dict = dict(type='BN'), act_cfg: dict = dict(type='SiLU'),
                 with_cp: bool = False, restore_size: bool = False) -> None:
        super().__init__()
        _check_block_type(block_type, ('linear', 'linear_v3'), type(self).__name__)
        self.block_type = block_type
        self.restore_size = restore_size
        v3 = block_type == 'linear_v3'
        self.patch_size = patch_size
        self.with_cp = with_cp
        drop_path_rates = drop_path_rates or [0.] * depth
        C, d = in_channels, attn_dims
        self.local_rep = nn.Sequential(
            ConvModule(C, C, 3, padding=dilation, dilation=dilation, groups=C,
                       norm_cfg=norm_cfg, act_cfg=act_cfg),
            ConvModule(C, d, 1, bias=False, norm_cfg=None, act_cfg=None))
        self.global_rep = nn.Sequential(*[
            LinearTransformerLayer(d, ffn_dims, patch_size, drop_rate, attn_drop_rate,
                                   ffn_drop_rate, drop_path_rates[i], act_cfg)
            for i in range(depth)
        ], SingleGroupNorm(1, d))
        self.conv_proj = ConvModule(2 * d if v3 else d, C, 1, norm_cfg=norm_cfg,
                                    act_cfg=None)

    def fold_norm_affines(self) -> None:
        """Inference: fold every GroupNorm affine into the layer that reads it.

        The final GroupNorm goes into ``conv_proj`` (its first ``d`` input channels in
        the v3 block). Call after BN fusion.
        """
        for layer in self.global_rep[:-1]:
            layer.fold_norm_affines()
        d = self.global_rep[-1].num_channels
        self.global_rep[-1] = fold_norm_affine(self.global_rep[-1], self.conv_proj.conv,
                                               channels=slice(0, d))

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        H, W = x.shape[-2:]
        new_h, new_w = _padded_size(H, W, self.patch_size)
        resized = (new_h, new_w) != (H, W)
        if resized:
            x = F.interpolate(x, size=(new_h, new_w), mode='bilinear', align_corners=True)
        local = self.local_rep(x)
        y = self.global_rep(local)
        if self.block_type == 'linear_v3':
            y = self.conv_proj(torch.cat((y, local), dim=1)) + x
        else:
            y = self.conv_proj(y)
        if resized and self.restore_size:
            y = F.interpolate(y, size=(H, W), mode='bilinear', align_corners=True)
        return y
