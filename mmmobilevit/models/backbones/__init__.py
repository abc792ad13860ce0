from .checkpoint_layouts import (CheckpointLayoutError, convert_checkpoint_file,
                                 convert_mlcvnets, convert_timm, detect_layout,
                                 infer_arch, to_mmpretrain_layout)
from .mobilevit import MobileViTBackbone
from .mobilevit_archs import ARCH_SETTINGS, get_arch

__all__ = [
    'MobileViTBackbone', 'ARCH_SETTINGS', 'get_arch', 'CheckpointLayoutError',
    'convert_checkpoint_file', 'convert_mlcvnets', 'convert_timm', 'detect_layout',
    'infer_arch', 'to_mmpretrain_layout'
]
