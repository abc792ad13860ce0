"""Fix: mmdet 3.x's ``SSDHead`` cannot predict.

``BaseDenseHead._predict_by_feat_single`` evaluates
``getattr(self.loss_cls, 'custom_cls_channels', False)``. ``SSDHead`` computes its loss
inline and never sets ``self.loss_cls``, so validation, testing and
``inference_detector`` raise ``AttributeError``. The fix wraps ``SSDHead.__init__`` to set
``loss_cls = None`` when the head has none (what the check expects of a head without
custom classification channels); subclasses that set a ``loss_cls`` module keep it.
Undo restores the original ``__init__``.
"""
import functools
from typing import Callable

from .patch import Patch, register_patch


def _apply() -> Callable[[], None]:
    from mmdet.models.dense_heads import SSDHead
    original = SSDHead.__init__

    @functools.wraps(original)
    def __init__(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        if 'loss_cls' not in self.__dict__ and 'loss_cls' not in self._modules:
            self.loss_cls = None

    SSDHead.__init__ = __init__

    def undo() -> None:
        SSDHead.__init__ = original

    return undo


PATCH = register_patch(Patch(
    name='mmdet-ssdhead-loss-cls',
    target='mmdet.models.dense_heads.SSDHead.__init__',
    reason='SSDHead never sets loss_cls, which BaseDenseHead._predict_by_feat_single '
    'reads: SSD models raise AttributeError when they predict.',
    requires={'mmdet': ('3.0.0', '3.4.0')},
    apply=_apply))
