"""MobileViT blocks: local convs, global attention over patches, projection/fusion.

Two classes cover the four block types of the family:

* :class:`MobileViTBlock` -- multi-head self-attention; ``fusion='v1'`` is MobileViT's
  3x3 fusion of (input, projected global features), ``fusion='v3'`` MobileViTv3-S/XS/XXS's
  depthwise local conv, 1x1 fusion of (local, projected global) and input residual.
* :class:`MobileViTv2Block` -- separable self-attention; ``v3=True`` is
  MobileViTv3-0.5/0.75/1.0's projection of (global, local) plus input residual.
"""
import math

import torch
import torch.nn.functional as F
import torch.utils.checkpoint as cp
from mmcv.cnn import ConvModule
from torch import nn

from .fusion import fold_norm_affine
from .linear_attention import LinearTransformerLayer
from .transformer import TransformerLayer


def _padded_size(h, w, p):
    return math.ceil(h / p) * p, math.ceil(w / p) * p


class _CheckpointMixin:
    """Runs ``_forward`` under activation checkpointing when ``with_cp`` is set."""

    def forward(self, x):
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
        fusion (str): ``'v1'`` or ``'v3'`` (see the module docstring).
        dilation (int): Dilation of the local 3x3 conv.
        drop_rate, attn_drop_rate, ffn_drop_rate (float): Transformer dropouts.
        drop_path_rates (list[float]): Stochastic depth per transformer layer.
        norm_cfg, act_cfg (dict): For every conv of the block.
        with_cp (bool): Activation checkpointing in training.
    """

    def __init__(self, in_channels, attn_dims, depth, ffn_dims, num_heads=4,
                 patch_size=2, fusion='v1', dilation=1, drop_rate=0.,
                 attn_drop_rate=0., ffn_drop_rate=0., drop_path_rates=None,
                 norm_cfg=dict(type='BN'), act_cfg=dict(type='SiLU'), with_cp=False):
        super().__init__()
        if fusion not in ('v1', 'v3'):
            raise ValueError(f"fusion must be 'v1' or 'v3', got {fusion!r}")
        self.fusion = fusion
        self.patch_size = patch_size
        self.with_cp = with_cp
        drop_path_rates = drop_path_rates or [0.] * depth
        C, d = in_channels, attn_dims
        self.local_rep = nn.Sequential(
            ConvModule(C, C, 3, padding=dilation, dilation=dilation,
                       groups=C if fusion == 'v3' else 1,
                       norm_cfg=norm_cfg, act_cfg=act_cfg),
            ConvModule(C, d, 1, bias=False, norm_cfg=None, act_cfg=None))
        self.global_rep = nn.Sequential(*[
            TransformerLayer(d, ffn_dims, num_heads, drop_rate, attn_drop_rate,
                             ffn_drop_rate, drop_path_rates[i], act_cfg)
            for i in range(depth)
        ], nn.LayerNorm(d))
        self.conv_proj = ConvModule(d, C, 1, norm_cfg=norm_cfg, act_cfg=act_cfg)
        if fusion == 'v1':
            self.conv_fusion = ConvModule(2 * C, C, 3, padding=1, norm_cfg=norm_cfg,
                                          act_cfg=act_cfg)
        else:
            self.conv_fusion = ConvModule(d + C, C, 1, norm_cfg=norm_cfg, act_cfg=act_cfg)

    def fold_norm_affines(self):
        """Inference: fold every LayerNorm affine into the layer that reads it.

        The final LayerNorm goes into ``conv_proj`` (bilinear resizing in between, if
        any, commutes with a per-channel affine). Call after BN fusion.
        """
        for layer in self.global_rep[:-1]:
            layer.fold_norm_affines()
        self.global_rep[-1] = fold_norm_affine(self.global_rep[-1], self.conv_proj.conv)

    def global_features(self, local):
        """Transformer over the patches of ``local`` ([B, d, H, W] -> [B, d, H, W])."""
        B, d, H, W = local.shape
        p = self.patch_size
        new_h, new_w = _padded_size(H, W, p)
        resized = (new_h, new_w) != (H, W)
        x = F.interpolate(local, size=(new_h, new_w), mode='bilinear',
                          align_corners=False) if resized else local
        nh, nw = new_h // p, new_w // p
        # [B, H, W, d] = [B, nh, p, nw, p, d] -> [B, p, p, nh, nw, d] -> [B * P, N, d]:
        # a free view of a channels-last map, then one copy; the fold back ends in a
        # channels-last map again (a free permute of the copied [B, H, W, d]).
        x = x.permute(0, 2, 3, 1).reshape(B, nh, p, nw, p, d).permute(
            0, 2, 4, 1, 3, 5).reshape(B * p * p, nh * nw, d)
        x = self.global_rep(x)
        x = x.reshape(B, p, p, nh, nw, d).permute(0, 3, 1, 4, 2, 5).reshape(
            B, new_h, new_w, d).permute(0, 3, 1, 2)
        if resized:
            x = F.interpolate(x, size=(H, W), mode='bilinear', align_corners=False)
        return x

    def _forward(self, x):
        local = self.local_rep(x)
        y = self.conv_proj(self.global_features(local))
        if self.fusion == 'v1':
            return self.conv_fusion(torch.cat((x, y), dim=1))
        return self.conv_fusion(torch.cat((local, y), dim=1)) + x


class MobileViTv2Block(_CheckpointMixin, nn.Module):
    """MobileViTv2 / MobileViTv3-0.5/0.75/1.0 block (separable self-attention).

    A feature map whose size is not a multiple of the patch size is resized bilinearly
    (``align_corners=True``, as ml-cvnets does) and the output is resized back, so the
    block keeps its input size.

    Args:
        in_channels (int): Block input and output channels C.
        attn_dims (int): Attention channels d.
        depth (int): Attention layers.
        ffn_dims (int): FFN hidden channels.
        patch_size (int): Patch side.
        v3 (bool): MobileViTv3 projection of (global, local) and input residual.
        dilation (int): Dilation of the local depthwise conv.
        drop_rate, attn_drop_rate, ffn_drop_rate (float): Dropouts.
        drop_path_rates (list[float]): Stochastic depth per attention layer.
        norm_cfg, act_cfg (dict): For every conv of the block.
        with_cp (bool): Activation checkpointing in training.
    """

    def __init__(self, in_channels, attn_dims, depth, ffn_dims, patch_size=2, v3=False,
                 dilation=1, drop_rate=0., attn_drop_rate=0., ffn_drop_rate=0.,
                 drop_path_rates=None, norm_cfg=dict(type='BN'),
                 act_cfg=dict(type='SiLU'), with_cp=False):
        super().__init__()
        self.v3 = v3
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
        ], nn.GroupNorm(1, d))
        self.conv_proj = ConvModule(2 * d if v3 else d, C, 1, norm_cfg=norm_cfg,
                                    act_cfg=None)

    def fold_norm_affines(self):
        """Inference: fold every GroupNorm affine into the layer that reads it.

        The final GroupNorm goes into ``conv_proj`` (its first ``d`` input channels in
        the v3 block). Call after BN fusion.
        """
        for layer in self.global_rep[:-1]:
            layer.fold_norm_affines()
        d = self.global_rep[-1].num_channels
        self.global_rep[-1] = fold_norm_affine(self.global_rep[-1], self.conv_proj.conv,
                                               channels=slice(0, d))

    def _forward(self, x):
        H, W = x.shape[-2:]
        new_h, new_w = _padded_size(H, W, self.patch_size)
        resized = (new_h, new_w) != (H, W)
        if resized:
            x = F.interpolate(x, size=(new_h, new_w), mode='bilinear', align_corners=True)
        local = self.local_rep(x)
        y = self.global_rep(local)
        if self.v3:
            y = self.conv_proj(torch.cat((y, local), dim=1)) + x
        else:
            y = self.conv_proj(y)
        if resized:
            y = F.interpolate(y, size=(H, W), mode='bilinear', align_corners=True)
        return y
