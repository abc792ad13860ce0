"""Core ML export of mmmobilevit's task models (an ML program, ``.mlpackage``).

The package holds the same network and outputs as the ONNX graph
(:mod:`~mmmobilevit.deployment.onnx_export`) at a fixed input shape ``[N, 3, H, W]``,
converted by coremltools from a TorchScript trace of the deployed model. Core ML runs on
Apple platforms only: here the conversion, the program's ops, inputs and outputs are
checked, not its numbers.

Core ML takes tensors of rank 5 at most. The v2 / v3 separable attention groups the
pixels as ``[B, C, nh, p, nw, p]`` (rank 6; timm's MobileViTv2 fails the same way,
timm#1407): :class:`Rank5LinearSelfAttention` computes it with ``B * C`` merged. The v1
unfolding's rank-6 reshape and permute pair is rewritten by coremltools itself.
"""
import collections
import os
import os.path as osp
import shutil
import time
from typing import Any, Dict, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from mmmobilevit.models.layers.linear_attention import LinearSelfAttention
from .onnx_export import to_nchw

#: the oldest OS the programs target (ML programs need iOS 15 / macOS 12; 17 brings
#: the fused scaled-dot-product and int8 activation ops)
DEPLOYMENT_TARGET = 'iOS17'


class Rank5LinearSelfAttention(LinearSelfAttention):
    """:class:`~mmmobilevit.models.layers.linear_attention.LinearSelfAttention` with no
    tensor above rank 5 (the batch and channel dims merged where the pixels are
    grouped by patch)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        qkv = self.qkv(x)
        B, _, H, W = qkv.shape
        C, p = self.embed_dims, self.patch_size
        nh, nw = H // p, W // p
        scores = self._scores(qkv[:, :1].reshape(B, H, W)).reshape(B, 1, p * p, nh * nw)
        keys = qkv[:, 1:C + 1].reshape(B * C, nh, p, nw, p).permute(0, 2, 4, 1, 3)
        context = (keys.reshape(B, C, p * p, nh * nw) * scores).sum(dim=-1)   # [B, C, p p]
        out = F.relu(qkv[:, C + 1:]).reshape(B * C, nh, p, nw, p) \
            * context.reshape(B * C, 1, p, 1, p)
        return self.proj_drop(self.proj(out.reshape(B, C, H, W)))


def to_coreml_forms(model: nn.Module) -> Dict[str, int]:
    """Switch ``model``'s layers (in place) to forms Core ML converts, and its weights
    and channels-last backbones to NCHW. Returns how many modules it switched."""
    count = 0
    for module in model.modules():
        if type(module) is LinearSelfAttention:
            module.__class__ = Rank5LinearSelfAttention
            count += 1
    to_nchw(model)
    return {Rank5LinearSelfAttention.__name__: count} if count else {}


def coreml_op_histogram(mlmodel: Any) -> Dict[str, int]:
    """Op type -> count over the ML program's functions, constants left out."""
    ops: collections.Counter = collections.Counter()
    for function in mlmodel.get_spec().mlProgram.functions.values():
        for block in function.block_specializations.values():
            for op in block.operations:
                if op.type != 'const':
                    ops[op.type] += 1
    return dict(ops)


def export_coreml(module: nn.Module, example: torch.Tensor, path: str,
                  output_names: Sequence[str]) -> Dict[str, Any]:
    """Convert ``module`` (traced at ``example``) to an ML program at ``path`` (an
    ``.mlpackage`` folder, replaced whole). Input ``input``; outputs named
    ``output_names``.

    Returns ``dict(ops=histogram, inputs=[(name, shape)], outputs=[names],
    seconds=float)``.
    """
    import coremltools as ct
    start = time.perf_counter()
    with torch.no_grad():
        traced = torch.jit.trace(module.eval(), example)
    mlmodel = ct.convert(
        traced, inputs=[ct.TensorType(name='input', shape=tuple(example.shape))],
        outputs=[ct.TensorType(name=name) for name in output_names],
        convert_to='mlprogram',
        minimum_deployment_target=getattr(ct.target, DEPLOYMENT_TARGET))
    partial = f'{path}.{os.getpid()}.partial.mlpackage'
    try:
        mlmodel.save(partial)
        if osp.exists(path):
            shutil.rmtree(path)
        os.replace(partial, path)
    finally:
        if osp.exists(partial):
            shutil.rmtree(partial)
    spec = mlmodel.get_spec()
    inputs = [(i.name, list(i.type.multiArrayType.shape)) for i in spec.description.input]
    outputs = [o.name for o in spec.description.output]
    return dict(ops=coreml_op_histogram(mlmodel), inputs=inputs, outputs=outputs,
                seconds=time.perf_counter() - start)
