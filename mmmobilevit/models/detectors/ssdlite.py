"""SSDLite: mmdet's ``SingleStageDetector`` that refuses a checkpoint which does not fit."""
from typing import Optional

from mmdet.models.detectors import SingleStageDetector
from mmengine.registry import MODELS

from ...checkpoint.fit import CheckpointFitMixin
from ..utils.config_classes import ConfigClassNamesMixin
from ..utils.derived_channels import backbone_out_channels, with_value

EXTRA_LEVEL_NECKS = ('SSDLiteExtraLevels', 'mmmobilevit.SSDLiteExtraLevels')


@MODELS.register_module()
class SSDLite(ConfigClassNamesMixin, CheckpointFitMixin, SingleStageDetector):
    """A ``SingleStageDetector`` (mmdet's, unchanged) whose loads are checked:
    ``mmdet.apis.init_detector``, ``DetInferencer`` and ``load_from`` refuse a checkpoint
    of another model or class count, and serve one of the other channel order
    (:class:`~mmmobilevit.checkpoint.fit.CheckpointFitMixin`).

    ``allow_partial_load`` (None | bool | dict, default None) says what may be missing
    or of another shape in a loaded checkpoint; the other arguments are
    ``SingleStageDetector``'s. With a ``MobileViTBackbone``, ``neck.in_channels`` and
    ``bbox_head.in_channels`` may be left out: the backbone's outputs, then (after an
    ``SSDLiteExtraLevels`` neck) its ``extra_channels``
    (:mod:`~mmmobilevit.models.utils.derived_channels`).

    A checkpoint without class names gets those of the config's dataset, not mmdet's
    COCO fallback (:class:`~mmmobilevit.models.utils.config_classes.ConfigClassNamesMixin`).
    """

    class_names_from = ('mmdet', 'coco', 'bbox_head')

    def __init__(self, backbone: dict, neck: Optional[dict] = None,
                 bbox_head: Optional[dict] = None, *args, **kwargs) -> None:
        channels = backbone_out_channels(backbone)
        if channels is not None:
            arch = backbone.get('arch')
            neck = with_value(neck, 'in_channels', tuple(channels), arch, 'neck')
            if neck is None or neck.get('type') in EXTRA_LEVEL_NECKS:
                levels = tuple(channels) + tuple(neck.get('extra_channels', ()) if neck else ())
                bbox_head = with_value(bbox_head, 'in_channels', levels, arch, 'bbox_head')
        super().__init__(backbone, neck, bbox_head, *args, **kwargs)
