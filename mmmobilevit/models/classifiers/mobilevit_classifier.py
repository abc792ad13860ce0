"""mmpretrain's ``ImageClassifier`` that refuses a checkpoint which does not fit it."""
from typing import Optional

from mmengine.registry import MODELS
from mmpretrain.models.classifiers import ImageClassifier

from ...checkpoint.fit import CheckpointFitMixin
from ..utils.derived_channels import backbone_out_channels, with_value

POOLING_NECKS = ('GlobalAveragePooling', 'mmpretrain.GlobalAveragePooling')


@MODELS.register_module()
class MobileViTClassifier(CheckpointFitMixin, ImageClassifier):
    """An ``ImageClassifier`` (backbone, neck, head: mmpretrain's, unchanged) whose
    loads are checked: ``mmpretrain.apis.init_model``, ``get_model``, the inferencers and
    ``load_from`` refuse a checkpoint of another model or class count, and serve one of
    the other channel order (:class:`~mmmobilevit.checkpoint.fit.CheckpointFitMixin`).

    ``allow_partial_load`` (None | bool | dict, default None) says what may be missing
    or of another shape in a loaded checkpoint; the other arguments are
    ``ImageClassifier``'s. With a ``MobileViTBackbone`` (and no neck or a
    ``GlobalAveragePooling`` one), ``head.in_channels`` may be left out: it is the
    backbone's last output (:mod:`~mmmobilevit.models.utils.derived_channels`).
    """

    def __init__(self, backbone: dict, neck: Optional[dict] = None,
                 head: Optional[dict] = None, *args, **kwargs) -> None:
        channels = backbone_out_channels(backbone)
        if channels is not None and (neck is None or neck.get('type') in POOLING_NECKS):
            head = with_value(head, 'in_channels', channels[-1], backbone.get('arch'),
                              'head')
        super().__init__(backbone, neck, head, *args, **kwargs)
