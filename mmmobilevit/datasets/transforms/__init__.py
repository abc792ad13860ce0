from ...extras import installed
from .short_side_resize import RandomShortSideResize, ShortSideResize

__all__ = ['RandomShortSideResize', 'ShortSideResize']
if installed('mmpretrain'):  # the classification configs need mmpretrain
    from .multi_scale_crop import MultiScaleRandomResizedCrop
    __all__ += ['MultiScaleRandomResizedCrop']
