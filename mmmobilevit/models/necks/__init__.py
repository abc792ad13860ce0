try:  # mmdet is needed by the detection configs only
    from .ssdlite_extra_levels import SSDLiteExtraLevels
    __all__ = ['SSDLiteExtraLevels']
except ImportError:  # pragma: no cover
    __all__ = []
