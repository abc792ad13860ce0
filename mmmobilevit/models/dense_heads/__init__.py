try:  # mmdet is needed by the detection configs only
    from .mmdet_ssd_head import MMDetSSDHead
    from .ssdlite_head import SSDLiteHead, mlcvnets_postprocess
    __all__ = ['MMDetSSDHead', 'SSDLiteHead', 'mlcvnets_postprocess']
except ImportError:  # pragma: no cover
    __all__ = []
