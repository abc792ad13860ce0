from ...extras import installed

__all__ = []
if installed('mmdet'):  # the detection configs need mmdet
    from .ssdlite import SSDLite
    __all__ += ['SSDLite']
