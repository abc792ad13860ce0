from ...extras import installed

__all__ = []
if installed('mmdet'):  # the detection configs need mmdet
    from .ssdlite_extra_levels import SSDLiteExtraLevels
    __all__ += ['SSDLiteExtraLevels']
