try:  # mmdet is needed by the detection configs only
    from .ssdlite import SSDLite
    __all__ = ['SSDLite']
except ImportError:  # pragma: no cover
    __all__ = []
