from ...extras import installed

__all__ = []
if installed('mmdet'):  # the detection configs need mmdet
    from .mmdet_ssd_head import MMDetSSDHead
    from .ssdlite_head import SSDLiteHead, mlcvnets_postprocess
    __all__ += ['MMDetSSDHead', 'SSDLiteHead', 'mlcvnets_postprocess']
