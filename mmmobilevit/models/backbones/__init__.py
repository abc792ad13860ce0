from .mobilevit import MobileViTBackbone, infer_arch
from .mobilevit_archs import ARCH_SETTINGS, MobileViTArch, get_arch

__all__ = ['MobileViTBackbone', 'MobileViTArch', 'ARCH_SETTINGS', 'get_arch', 'infer_arch']
