from .multi_scale_crop import MultiScaleRandomResizedCrop
from .short_side_resize import RandomShortSideResize, ShortSideResize

__all__ = ['MultiScaleRandomResizedCrop', 'RandomShortSideResize', 'ShortSideResize']
