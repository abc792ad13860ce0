try:  # mmdet is needed by the detection configs only
    from .ssdlite_anchor_generator import SSDLiteAnchorGenerator
    __all__ = ['SSDLiteAnchorGenerator']
except ImportError:  # pragma: no cover
    __all__ = []
