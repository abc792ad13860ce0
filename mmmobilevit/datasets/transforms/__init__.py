from .multi_scale_crop import MultiScaleRandomResizedCrop

__all__ = ['MultiScaleRandomResizedCrop']
