"""mmpretrain's ``ImageClassifier`` that refuses a checkpoint which does not fit it."""
from mmengine.registry import MODELS
from mmpretrain.models.classifiers import ImageClassifier

from ..utils.checkpoint_fit import CheckpointFitMixin


@MODELS.register_module()
class MobileViTClassifier(CheckpointFitMixin, ImageClassifier):
    """An ``ImageClassifier`` (backbone, neck, head: mmpretrain's, unchanged) whose
    loads are checked: ``mmpretrain.apis.init_model``, ``get_model``, the inferencers and
    ``load_from`` refuse a checkpoint of another model or class count, and serve one of
    the other channel order (:class:`~mmmobilevit.models.utils.CheckpointFitMixin`).

    ``allow_partial_load`` (None | bool | dict, default None) says what may be missing
    or of another shape in a loaded checkpoint; the other arguments are
    ``ImageClassifier``'s.
    """
