try:  # mmdet is needed by the detection configs only
    from .ssdlite_anchor_generator import SSDLiteAnchorGenerator, ssdlite_feature_sizes
    __all__ = ['SSDLiteAnchorGenerator', 'ssdlite_feature_sizes']
except ImportError:  # pragma: no cover
    __all__ = []
