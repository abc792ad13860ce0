try:  # mmdet is needed by the detection configs only
    from .ssdlite_head import SSDLiteHead, mlcvnets_postprocess
    __all__ = ['SSDLiteHead', 'mlcvnets_postprocess']
except ImportError:  # pragma: no cover
    __all__ = []
