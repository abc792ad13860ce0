"""Any public MobileViT checkpoint's content in our layout (pure: tensors in and out).

Classifiers (Apple's ml-cvnets, MobileViTv3's, timm's: :mod:`.layouts`), SSDLite
detectors (ml-cvnets' and MobileViTv3's COCO releases: :mod:`.ssd_layout`) and DeepLabv3 /
PSPNet segmenters (their VOC and ADE20K releases: :mod:`.seg_layout`); what the
checkpoint loaders of :mod:`mmmobilevit.compat.mmengine_checkpoint` call on every file.
"""
from collections import OrderedDict
from typing import Any, Optional, Tuple

from ..releases import CONVENTIONS, layout_channel_order, release_dataset
from .layouts import CheckpointLayoutError, detect_layout, to_mmpretrain_layout, unwrap_state_dict
from .seg_layout import convert_mlcvnets_seg, is_mlcvnets_seg, seg_release
from .ssd_layout import convert_mlcvnets_ssd, encoder_of, infer_num_classes, is_mlcvnets_ssd


def _rows(state_dict: Any, key: str) -> Optional[int]:
    value = state_dict.get(key)
    return int(value.shape[0]) if value is not None else None


def convert_public_layout(checkpoint: Any) -> Tuple[Any, Optional[str]]:
    """Apple / MobileViTv3 / timm MobileViT checkpoint content -> ours; else unchanged.

    Returns:
        tuple[Any, str | None]: ``(dict(state_dict=..., meta=dict(converted_from=...,
        channel_order=..., dataset=...)), layout)`` for a public layout (``'mlcvnets'``,
        ``'timm'``, ``'mlcvnets-ssd'``, ``'mlcvnets-seg'``; the channel order of the code
        that trained it, see :func:`~mmmobilevit.releases.layout_channel_order`; the
        dataset where the head tells, :func:`~mmmobilevit.releases.release_dataset`), and
        ``(checkpoint, None)`` for every other checkpoint (our own / mmpretrain's /
        mmdet's layout, other models, non-dicts).

    Raises:
        CheckpointLayoutError: an ml-cvnets SSD or segmentation file whose keys or
            shapes do not convert (a corrupt or foreign file).
    """
    if not isinstance(checkpoint, dict):
        return checkpoint, None
    try:
        source = unwrap_state_dict(checkpoint)
    except CheckpointLayoutError:
        return checkpoint, None
    if is_mlcvnets_ssd(source):
        layout = 'mlcvnets-ssd'
        state_dict = convert_mlcvnets_ssd(source)
        order = layout_channel_order(encoder_of(source), 'mlcvnets')
        dataset = release_dataset('detector', infer_num_classes(source))
    elif is_mlcvnets_seg(source):
        # the head's layout tells the code that trained it (a v1 encoder trained by
        # v0.2, pascalvoc/deeplabv3-mobilevitv1.pt, expects RGB)
        layout = 'mlcvnets-seg'
        state_dict = convert_mlcvnets_seg(source)
        order = CONVENTIONS[seg_release(source)].channel_order
        dataset = release_dataset('segmenter',
                                  _rows(state_dict, 'decode_head.conv_seg.weight'))
    else:
        try:
            if detect_layout(source) == 'mmpretrain':
                return checkpoint, None
            state_dict, layout = to_mmpretrain_layout(checkpoint)
        except CheckpointLayoutError:
            return checkpoint, None
        order = layout_channel_order(source, layout)
        dataset = release_dataset('classifier', _rows(state_dict, 'head.fc.weight'))
    meta = dict(converted_from=layout, channel_order=order)
    if dataset is not None:
        meta['dataset'] = dataset  # the class names: mmmobilevit.datasets.release_dataset_meta
    return dict(state_dict=OrderedDict(state_dict), meta=meta), layout
