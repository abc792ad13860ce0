try:  # mmseg is needed by the segmentation configs only
    from .aspp_proj_head import ASPPProjHead
    __all__ = ['ASPPProjHead']
except ImportError:  # pragma: no cover
    __all__ = []
