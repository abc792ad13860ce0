from ...extras import installed

__all__ = []
if installed('mmpretrain'):  # the classification configs need mmpretrain
    from .dropout_linear_cls_head import DropoutLinearClsHead
    __all__ += ['DropoutLinearClsHead']
