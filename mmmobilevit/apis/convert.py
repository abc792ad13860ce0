"""Offline conversion of checkpoint files (the ``tools/model_converters`` scripts)."""
import os.path as osp
from typing import Any, Optional, Tuple, Union

from ..checkpoint import (CheckpointLayoutError, detect_layout, read_local_checkpoint,
                          save_checkpoint_file, to_mmpretrain_layout, unwrap_state_dict)
from ..models.backbones import infer_arch


def read_any_checkpoint(src: str) -> Any:
    """A local ``.pth`` / ``.pt`` (weights-only) or ``.safetensors`` file's content."""
    if src.endswith('.safetensors'):
        from safetensors.torch import load_file
        return load_file(src)
    return read_local_checkpoint(src, map_location='cpu')


def convert_checkpoint(src: str, dst: str, expected_layout: str,
                       arch_prefix: Optional[Union[str, Tuple[str, ...]]] = None) -> str:
    """Convert a public MobileViT checkpoint file to an mmpretrain-style one.

    Args:
        src (str): The checkpoint to convert.
        dst (str): Where to write ``dict(state_dict=..., meta=dict(arch, converted_from))``.
        expected_layout (str): ``'mlcvnets'`` or ``'timm'``: a file of another layout
            is refused.
        arch_prefix (str | tuple[str], optional): Refuse weights of other archs, e.g.
            ``'mobilevitv3-'`` for the MobileViTv3 converter.

    Returns:
        str: The arch the weights belong to.
    """
    state_dict = unwrap_state_dict(read_any_checkpoint(src))
    layout = detect_layout(state_dict)
    if layout != expected_layout:
        raise CheckpointLayoutError(
            f'{src} is a MobileViT checkpoint in the {layout} layout, not '
            f'{expected_layout}; use the converter for {layout} checkpoints')
    converted, _ = to_mmpretrain_layout(state_dict)
    arch = infer_arch(converted)
    if arch_prefix and not arch.startswith(arch_prefix):
        raise CheckpointLayoutError(
            f'{src} holds {arch} weights, not {arch_prefix}* weights')
    save_checkpoint_file(
        dict(state_dict=converted,
             meta=dict(arch=arch, converted_from=f'{layout}:{osp.basename(src)}')), dst)
    return arch
