"""Let mmdet 3.3.0's ``SSDHead`` predict.

``BaseDenseHead._predict_by_feat_single`` evaluates
``getattr(self.loss_cls, 'custom_cls_channels', False)``. ``SSDHead`` computes its loss
inline and never sets ``self.loss_cls``, so the attribute lookup raises
``AttributeError`` in validation, testing and ``inference_detector``. After
``SSDHead.__init__`` we set ``loss_cls = None`` when the head has none, which is what
the check expects of a head with no custom classification channels. Subclasses that do
set ``loss_cls`` (to a module) keep theirs.
"""
import functools


def patch_ssd_head():
    try:
        from mmdet.models.dense_heads import SSDHead
    except ImportError:  # mmdet is optional for classification-only users
        return

    original_init = SSDHead.__init__
    if getattr(original_init, '_mmmobilevit', False):
        return

    @functools.wraps(original_init)
    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if 'loss_cls' not in self.__dict__ and 'loss_cls' not in self._modules:
            self.loss_cls = None

    __init__._mmmobilevit = True
    SSDHead.__init__ = __init__
