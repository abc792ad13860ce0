try:  # mmdet is needed by the detection configs only
    from .projected_ssd_neck import ProjectedSSDNeck
    __all__ = ['ProjectedSSDNeck']
except ImportError:  # pragma: no cover
    __all__ = []
