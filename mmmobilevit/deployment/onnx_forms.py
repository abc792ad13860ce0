"""Forms of mmmobilevit's layers for ONNX graphs, which
:func:`~.onnx_export.export_onnx` switches to while it exports (and back after).

MobileViT v2 / v3 separable attention (:class:`PatchMajorLinearSelfAttention`). The
eager layer works on the ``[B, C, H, W]`` map and groups the pixels by their place in
the patch with 6-D views (no copies in PyTorch). In an ONNX graph those views become
6-D broadcast multiplies and a sum over two non-adjacent axes, which OpenVINO 2026.4
ran with its reference kernels, and the split of the qkv projection ran as a reference
``VariadicSplit`` (its per-layer profile: ``ReduceSum ref_f32``, ``VariadicSplit
ref_f32``), which made our graph slower than timm's there. The form
rearranges the layer's input once into ml-cvnets' patch-major ``[B, C, P, N]`` order
(P pixels per patch, N patches), runs the q, k and v projections as three 1x1 convs
(no split), the softmax and the context sum over the last axis, the output projection,
and rearranges back: two transposes per layer, all other ops 4-D. Same parameters and
state dict, same outputs up to float rounding.
"""
import contextlib
from typing import Dict, Iterator

import torch
import torch.nn.functional as F
from torch import nn

from mmmobilevit.models.layers.linear_attention import LinearSelfAttention


class PatchMajorLinearSelfAttention(LinearSelfAttention):
    """:class:`~mmmobilevit.models.layers.linear_attention.LinearSelfAttention` on the
    patch-major ``[B, C, P, N]`` rearrangement of its input, with the qkv projection as
    three convs (weights sliced once, by :func:`onnx_forms`)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, C, H, W = x.shape
        p = self.patch_size
        nh, nw = H // p, W // p
        patches = x.reshape(B, C, nh, p, nw, p).permute(0, 1, 3, 5, 2, 4)
        patches = patches.reshape(B, C, p * p, nh * nw)
        q, k, v = (F.conv2d(patches, w, b) for w, b in self._qkv_parts)
        scores = self.attn_drop(q.softmax(dim=-1))                  # over the N patches
        context = (k * scores).sum(dim=-1, keepdim=True)             # [B, C, P, 1]
        out = self.proj(F.relu(v) * context)
        out = out.reshape(B, C, p, p, nh, nw).permute(0, 1, 4, 2, 5, 3)
        return self.proj_drop(out.reshape(B, C, H, W))


#: eager class -> its ONNX form (a subclass: the same parameters)
FORMS = {LinearSelfAttention: PatchMajorLinearSelfAttention}


@contextlib.contextmanager
def onnx_forms(model: nn.Module) -> Iterator[Dict[str, int]]:
    """Switch ``model``'s layers to their ONNX forms for the ``with`` block, then back.

    Yields how many modules of each form it switched. The q, k and v weights are sliced
    into plain tensor attributes, which the exporter writes as constants (initializers),
    so that onnxruntime's and NNCF's quantizers see convs with constant weights.
    """
    switched, counts = [], {}
    for module in model.modules():
        form = FORMS.get(type(module))
        if form is None:
            continue
        C = module.embed_dims
        w, b = module.qkv.weight.detach(), module.qkv.bias.detach()
        module._qkv_parts = [(w[s].clone(), b[s].clone()) for s in
                             (slice(0, 1), slice(1, C + 1), slice(C + 1, 2 * C + 1))]
        switched.append((module, type(module)))
        module.__class__ = form
        counts[form.__name__] = counts.get(form.__name__, 0) + 1
    try:
        yield counts
    finally:
        for module, cls in switched:
            module.__class__ = cls
            del module._qkv_parts
