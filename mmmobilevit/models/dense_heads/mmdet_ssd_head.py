"""mmdet's ``SSDHead``, able to predict."""
from mmdet.models.dense_heads import SSDHead
from mmengine.registry import MODELS


@MODELS.register_module()
class MMDetSSDHead(SSDHead):
    """mmdet 3.x's ``SSDHead`` with the ``loss_cls`` attribute its prediction reads.

    ``BaseDenseHead._predict_by_feat_single`` evaluates
    ``getattr(self.loss_cls, 'custom_cls_channels', False)``; ``SSDHead`` computes its
    loss inline and never sets ``loss_cls``, so validation, testing and
    ``inference_detector`` raise ``AttributeError``. This subclass sets it to None (a head
    without custom classification channels). For configs built on mmdet's SSD / SSDLite
    configs (the toy MobileNetV2 baseline, the benchmark's mmdet row); our
    :class:`SSDLiteHead` does the same.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if 'loss_cls' not in self.__dict__ and 'loss_cls' not in self._modules:
            self.loss_cls = None
