from ...extras import installed

__all__ = []
if installed('mmdet'):  # the detection configs need mmdet
    from .ssdlite_anchor_generator import SSDLiteAnchorGenerator
    __all__ += ['SSDLiteAnchorGenerator']
