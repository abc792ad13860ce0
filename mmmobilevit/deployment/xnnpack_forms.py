"""Forms of mmmobilevit's layers that ExecuTorch's XNNPACK backend takes whole.

ExecuTorch 1.5's XNNPACK partitioner has no LayerNorm, GroupNorm, sum, expand, squeeze
or split kernels; it averages only 4-D tensors over their last two dims (keeping them),
takes softmax over the last dim only, and batched matmuls in 3-D only. What it does not
take runs in ExecuTorch's portable kernels, outside the delegate, and every such op cuts
the network into one more delegate subgraph. The forms here compute the same functions
with ops it takes:

- LayerNorm over the last dim and GroupNorm with one group: means of 4-D views over
  their last two dims, then ``(x - mean) * rsqrt(var + eps)``
  (:class:`MeanLayerNorm`, :class:`MeanSingleGroupNorm`);
- MobileViT v1 / v3 attention: q, k, v sliced from the qkv projection and multiplied
  as ``[B * heads, N, head_dim]`` batches (:class:`BmmSelfAttention`), for every token
  count (eager mode uses fused SDPA above
  :data:`~mmmobilevit.models.layers.transformer.EXPLICIT_ATTENTION_MAX_TOKENS`, which
  ``torch.export`` decomposes into ops XNNPACK does not take);
- MobileViT v2 / v3 separable attention: q, k, v sliced, and the context vector as a
  batched matmul of the keys and the scores over the patches
  (:class:`BmmLinearSelfAttention`);
- adaptive average pooling (:class:`MeanAdaptiveAvgPool2d`): to ``1 x 1`` (mmpretrain's
  neck, mmseg's ASPP image pooling) as a mean over H and W (torch.export writes it as
  ``as_strided`` when the map is already ``1 x 1``); to PSP's bins as products with
  constant pooling matrices.

:func:`to_xnnpack_forms` switches a model's layers to them: same parameters and state
dict, the same outputs up to float rounding; for export only (they train as the eager
layers do, but are slower in eager PyTorch).
"""
from typing import Dict, List

import torch
import torch.nn.functional as F
from torch import nn

from mmmobilevit.models.layers.linear_attention import LinearSelfAttention
from mmmobilevit.models.layers.transformer import MultiheadSelfAttention
from .onnx_export import to_nchw


class MeanLayerNorm(nn.LayerNorm):
    """``nn.LayerNorm`` over the last dim, computed from means of a 4-D view
    ``[M, N, C, 1]`` over its last two dims (an XNNPACK global average pooling)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if len(self.normalized_shape) != 1:
            return super().forward(x)
        shape = x.shape
        x4 = x.reshape(-1, shape[-2] if x.dim() > 1 else 1, shape[-1], 1)
        centred = x4 - x4.mean(dim=(2, 3), keepdim=True)
        var = (centred * centred).mean(dim=(2, 3), keepdim=True)
        out = (centred * torch.rsqrt(var + self.eps)).reshape(shape)
        if self.elementwise_affine:
            out = out * self.weight + self.bias
        return out


class MeanSingleGroupNorm(nn.GroupNorm):
    """``nn.GroupNorm`` with one group on ``[B, C, H, W]``: the mean over H and W, then
    over C (equal counts, so the mean of the means is the mean), from 4-D means over
    the last two dims."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.num_groups != 1 or x.dim() != 4:
            return super().forward(x)
        B, C = x.shape[:2]
        per_channel = x.mean(dim=(2, 3), keepdim=True)                        # [B, C, 1, 1]
        mean = per_channel.reshape(B, 1, C, 1).mean(dim=(2, 3), keepdim=True)  # [B, 1, 1, 1]
        centred = x - mean
        var = (centred * centred).mean(dim=(2, 3), keepdim=True)
        var = var.reshape(B, 1, C, 1).mean(dim=(2, 3), keepdim=True)
        out = centred * torch.rsqrt(var + self.eps)
        if self.affine:
            out = out * self.weight.reshape(1, C, 1, 1) + self.bias.reshape(1, C, 1, 1)
        return out


class BmmSelfAttention(MultiheadSelfAttention):
    """:class:`~mmmobilevit.models.layers.transformer.MultiheadSelfAttention` as sliced
    q, k, v and two 3-D batched matmuls around a last-dim softmax, at every token
    count."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, N, C = x.shape
        h, d = self.num_heads, self.head_dims
        qkv = self.qkv(x)                                                     # [B, N, 3C]

        def heads(t: torch.Tensor) -> torch.Tensor:                           # [B * h, N, d]
            return t.reshape(B, N, h, d).permute(0, 2, 1, 3).reshape(B * h, N, d)

        q = heads(qkv[:, :, :C]) * (d**-0.5)
        k = qkv[:, :, C:2 * C].reshape(B, N, h, d).permute(0, 2, 3, 1).reshape(B * h, d, N)
        v = heads(qkv[:, :, 2 * C:])
        weights = F.dropout(torch.bmm(q, k).softmax(dim=-1), self.attn_drop, self.training)
        x = torch.bmm(weights, v).reshape(B, h, N, d).permute(0, 2, 1, 3).reshape(B, N, C)
        return self.proj_drop(self.proj(x))


class BmmLinearSelfAttention(LinearSelfAttention):
    """:class:`~mmmobilevit.models.layers.linear_attention.LinearSelfAttention` with q,
    k, v sliced and, for each in-patch position, the context vector as the batched
    matmul ``keys [C, N] @ scores [N, 1]``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        qkv = self.qkv(x)
        B, _, H, W = qkv.shape
        C, p = self.embed_dims, self.patch_size
        nh, nw = H // p, W // p
        scores = self._scores(qkv[:, :1].reshape(B, H, W))                   # [B, p, p, N]
        keys = qkv[:, 1:C + 1].reshape(B, C, nh, p, nw, p).permute(0, 3, 5, 1, 2, 4)
        context = torch.bmm(keys.reshape(B * p * p, C, nh * nw),
                            scores.reshape(B * p * p, nh * nw, 1))             # [B p p, C, 1]
        context = context.reshape(B, p, p, C).permute(0, 3, 1, 2).reshape(B, C, 1, p, 1, p)
        out = F.relu(qkv[:, C + 1:]).reshape(B, C, nh, p, nw, p) * context
        return self.proj_drop(self.proj(out.reshape(B, C, H, W)))


def pooling_matrix(size: int, bins: int) -> List[List[float]]:
    """``[bins, size]``: row i averages adaptive average pooling's i-th window
    (``floor(i * size / bins)`` to ``ceil((i + 1) * size / bins)``)."""
    rows = []
    for i in range(bins):
        start, end = (i * size) // bins, -(-(i + 1) * size // bins)
        rows.append([1. / (end - start) if start <= j < end else 0. for j in range(size)])
    return rows


class MeanAdaptiveAvgPool2d(nn.AdaptiveAvgPool2d):
    """``nn.AdaptiveAvgPool2d``: to ``1 x 1`` (mmpretrain's global average pooling,
    mmseg's ASPP image pooling) as a mean over H and W; to other sizes (PSP's bins) as
    two products with pooling matrices (:func:`pooling_matrix`), over W then over H,
    which hold each window's weights (XNNPACK takes no adaptive pooling).

    The matrices are buffers (XNNPACK's matmul takes static weights only), made for the
    input size of the last eager call: run the module once at the export's input size
    before ``torch.export``, as
    :func:`~mmmobilevit.deployment.executorch_export.export_executorch` does.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4:
            return super().forward(x)
        H, W = x.shape[-2:]
        out_h, out_w = ((self.output_size, ) * 2 if isinstance(self.output_size, int)
                        else self.output_size)
        out_h, out_w = out_h or H, out_w or W
        if (out_h, out_w) == (1, 1):
            return x.mean(dim=(2, 3), keepdim=True)
        if getattr(self, 'pooled_size', None) != (H, W):
            if torch.compiler.is_exporting():
                return super().forward(x)  # not prepared for this size
            self.pooled_size = (H, W)
            for name, size, bins in (('pool_h', H, out_h), ('pool_w', W, out_w)):
                matrix = torch.tensor(pooling_matrix(size, bins), dtype=x.dtype,
                                      device=x.device)
                self.register_buffer(name, matrix, persistent=False)
        x = F.linear(x, self.pool_w)                                    # [B, C, H, out_w]
        return F.linear(x.permute(0, 1, 3, 2), self.pool_h).permute(0, 1, 3, 2)


#: eager class -> its XNNPACK form (the forms subclass them: same parameters)
FORMS = {nn.LayerNorm: MeanLayerNorm, MultiheadSelfAttention: BmmSelfAttention,
         LinearSelfAttention: BmmLinearSelfAttention,
         nn.AdaptiveAvgPool2d: MeanAdaptiveAvgPool2d}


def to_xnnpack_forms(model: nn.Module) -> Dict[str, int]:
    """Switch ``model``'s layers to their XNNPACK forms in place (see the module's
    docstring) and its weights to contiguous (NCHW) memory; a channels-last
    :class:`~mmmobilevit.models.MobileViTBackbone` stops converting its input.

    Returns how many modules of each form it switched.
    """
    counts: Dict[str, int] = {}
    for module in model.modules():
        form = FORMS.get(type(module))
        if form is None and isinstance(module, nn.GroupNorm) and module.num_groups == 1 \
                and not isinstance(module, MeanSingleGroupNorm):
            form = MeanSingleGroupNorm  # nn.GroupNorm(1, C) and SingleGroupNorm
        if form is None:
            continue
        module.__class__ = form
        counts[form.__name__] = counts.get(form.__name__, 0) + 1
    to_nchw(model)
    return counts
