from ...extras import installed

__all__ = []
if installed('mmpretrain'):  # the classification configs need mmpretrain
    from .mobilevit_classifier import MobileViTClassifier
    __all__ += ['MobileViTClassifier']
