"""GroupNorm with one group, as MobileViTv2's separable attention layers use it, written
for inductor when ``torch.compile`` traces it.

Eager PyTorch's GroupNorm kernel handles a channels-last map well, but the kernels
inductor generated for it took several times eager's time in compiled MobileViTv2-1.0
at batch 8 (torch profiler, inductor's kernel profiling on). One group normalises each
sample over all of its ``C * H * W`` values: a LayerNorm over the sample's memory in
NHWC order, which inductor compiles well. ONNX and ``torch.export`` keep GroupNorm.
"""
import torch
import torch.nn.functional as F
from torch import nn

_compiler = getattr(torch, 'compiler', None)
_is_compiling = getattr(_compiler, 'is_compiling', None)
_is_exporting = getattr(_compiler, 'is_exporting', None)


def compiling_for_inductor() -> bool:
    """True while ``torch.compile`` traces (not while exporting to ONNX or
    ``torch.export``): the cue for the forms written for inductor. Always False on a
    torch without ``torch.compiler.is_exporting``, which then keeps the eager forms."""
    if _is_compiling is None or _is_exporting is None:
        return False
    return _is_compiling() and not _is_exporting()


class SingleGroupNorm(nn.GroupNorm):
    """``nn.GroupNorm`` with one group (same parameters, state dict and results),
    normalising a channels-last map as one LayerNorm over each sample when
    ``torch.compile`` traces it.

    Args:
        num_groups (int): Must be 1; kept so that the signature is GroupNorm's.
        num_channels (int): Channels C.
        eps (float): Added to the variance.
        affine (bool): Per-channel weight and bias.
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, **kwargs) -> None:
        if num_groups != 1:
            raise ValueError(f'SingleGroupNorm has one group, got num_groups={num_groups}')
        super().__init__(1, num_channels, eps=eps, affine=affine, **kwargs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not (x.dim() == 4 and compiling_for_inductor()
                and x.is_contiguous(memory_format=torch.channels_last)):
            return super().forward(x)
        nhwc = x.permute(0, 2, 3, 1)  # a contiguous view of the channels-last map
        flat = nhwc.reshape(x.shape[0], -1)
        out = F.layer_norm(flat, flat.shape[1:], eps=self.eps).reshape(nhwc.shape)
        if self.affine:
            out = out * self.weight + self.bias
        return out.permute(0, 3, 1, 2)
