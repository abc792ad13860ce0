"""SSDLite: mmdet's ``SingleStageDetector`` that refuses a checkpoint which does not fit."""
from mmdet.models.detectors import SingleStageDetector
from mmengine.registry import MODELS

from ..utils.checkpoint_fit import CheckpointFitMixin


@MODELS.register_module()
class SSDLite(CheckpointFitMixin, SingleStageDetector):
    """A ``SingleStageDetector`` (mmdet's, unchanged) whose loads are checked:
    ``mmdet.apis.init_detector``, ``DetInferencer`` and ``load_from`` refuse a checkpoint
    of another model or class count, and serve one of the other channel order
    (:class:`~mmmobilevit.models.utils.CheckpointFitMixin`).

    ``allow_partial_load`` (None | bool | dict, default None) says what may be missing
    or of another shape in a loaded checkpoint; the other arguments are
    ``SingleStageDetector``'s.
    """
