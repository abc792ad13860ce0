"""Inference-time fusions that leave a trained model's outputs unchanged.

* :func:`fuse_conv_modules` replaces every ``ConvModule`` (conv -> BatchNorm -> act)
  with a :class:`ConvAct` whose conv carries the BatchNorm's scale and shift.
* :func:`fold_norm_affine` moves the affine part of a LayerNorm / GroupNorm into the
  linear layer or 1x1 conv that reads its output, leaving a plain normalisation.

Both work on eval-mode statistics only: a fused model is for inference.
"""
from typing import Optional, Union

import torch
from mmcv.cnn import ConvModule
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


class ConvAct(nn.Module):
    """A conv with bias followed by an activation: a ``ConvModule`` after BN fusion.

    Args:
        conv (nn.Conv2d): The fused conv (with bias).
        act (nn.Module | None): The activation, or None for none.
    """

    def __init__(self, conv: nn.Conv2d, act: Optional[nn.Module] = None) -> None:
        super().__init__()
        self.conv = conv
        self.act = act if act is not None else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv(x))


@torch.no_grad()
def fuse_conv_bn(conv: nn.Conv2d, bn: _BatchNorm) -> nn.Conv2d:
    """A new ``nn.Conv2d`` computing ``bn(conv(x))`` with ``bn`` in eval mode."""
    fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size,
                      stride=conv.stride, padding=conv.padding, dilation=conv.dilation,
                      groups=conv.groups, bias=True, padding_mode=conv.padding_mode)
    fused = fused.to(device=conv.weight.device, dtype=conv.weight.dtype)
    std = (bn.running_var + bn.eps).sqrt()
    scale = (bn.weight if bn.affine else torch.ones_like(std)) / std
    shift = bn.bias if bn.affine else torch.zeros_like(std)
    bias = conv.bias if conv.bias is not None else torch.zeros_like(std)
    fused.weight.copy_(conv.weight * scale.reshape(-1, 1, 1, 1))
    fused.bias.copy_((bias - bn.running_mean) * scale + shift)
    return fused


def _conv_act_from(module: ConvModule) -> Optional[ConvAct]:
    if module.order != ('conv', 'norm', 'act') or module.with_explicit_padding:
        return None  # ConvAct has no padding layer (reflect / replicate padding)
    conv, act = module.conv, module.activate if module.with_activation else None
    if module.with_norm:
        if not isinstance(module.norm, _BatchNorm) or not module.norm.track_running_stats:
            return None
        conv = fuse_conv_bn(conv, module.norm)
    if type(conv) is not nn.Conv2d:
        return None
    return ConvAct(conv, act)


def fuse_conv_modules(root: nn.Module) -> int:
    """Replace (in place) every fusible ``ConvModule`` under ``root`` by a ConvAct.

    A ConvModule is fusible when it runs conv -> BatchNorm (with running statistics,
    any BN subclass such as SyncBN) -> activation, or has no norm. Returns the number
    of modules replaced.
    """
    count = 0
    for name, child in list(root.named_children()):
        if isinstance(child, ConvModule):
            fused = _conv_act_from(child)
            if fused is not None:
                setattr(root, name, fused)
                count += 1
                continue
        count += fuse_conv_modules(child)
    return count


@torch.no_grad()
def fold_norm_affine(norm: Union[nn.LayerNorm, nn.GroupNorm],
                     consumer: Union[nn.Linear, nn.Conv2d],
                     channels: Optional[slice] = None) -> nn.Module:
    """Fold ``norm``'s weight and bias into ``consumer`` and drop them from ``norm``.

    ``consumer`` is the ``nn.Linear`` or 1x1 ``nn.Conv2d`` applied (possibly after
    per-channel linear ops such as reshapes or bilinear resizing) to the norm's output.
    ``channels`` is the slice of the consumer's input channels that the norm feeds,
    when the consumer reads a concatenation (default: all of them).

    Returns the affine-free norm that replaces ``norm``.
    """
    if isinstance(norm, nn.LayerNorm):
        plain = nn.LayerNorm(norm.normalized_shape, eps=norm.eps,
                             elementwise_affine=False)
        has_affine = norm.elementwise_affine
    elif isinstance(norm, nn.GroupNorm):
        plain = type(norm)(norm.num_groups, norm.num_channels, eps=norm.eps,
                           affine=False)  # nn.GroupNorm or SingleGroupNorm
        has_affine = norm.affine
    else:
        raise TypeError(f'cannot fold {type(norm).__name__}')
    if not has_affine:
        return norm
    if isinstance(consumer, nn.Conv2d) and (consumer.kernel_size != (1, 1)
                                            or consumer.groups != 1):
        raise ValueError('only a 1x1 conv without groups can absorb a norm affine')
    gamma = norm.weight.reshape(-1)
    beta = norm.bias.reshape(-1) if norm.bias is not None else torch.zeros_like(gamma)
    channels = channels or slice(0, gamma.numel())
    weight = consumer.weight.detach().reshape(consumer.weight.shape[0], -1).clone()
    part = weight[:, channels]
    shift = part @ beta
    weight[:, channels] = part * gamma
    consumer.weight.copy_(weight.reshape(consumer.weight.shape))
    if consumer.bias is None:
        consumer.bias = nn.Parameter(shift)
    else:
        consumer.bias.add_(shift)
    return plain
