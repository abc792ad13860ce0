try:  # mmpretrain is needed by the classification configs only
    from .mobilevit_classifier import MobileViTClassifier
    __all__ = ['MobileViTClassifier']
except ImportError:  # pragma: no cover
    __all__ = []
