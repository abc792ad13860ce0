"""The class names (and palettes) of the datasets the public releases were trained on,
from the framework that defines each dataset: what a converted release's ``meta``
carries as ``dataset_meta``, so that the inferencers name the classes right."""
from typing import Any, Optional


def release_dataset_meta(dataset: Optional[str]) -> Optional[dict]:
    """``dict(classes=[...], palette=[...])`` of ``'coco'`` (80, mmdet's), ``'voc'`` (21,
    background first, mmseg's), ``'ade20k'`` (150, mmseg's) or ``'imagenet'`` (1000,
    mmpretrain's; no palette); None for another name or when that framework is not
    installed."""
    try:
        if dataset == 'coco':
            from mmdet.datasets import CocoDataset as Dataset
        elif dataset == 'voc':
            from mmseg.datasets import PascalVOCDataset as Dataset
        elif dataset == 'ade20k':
            from mmseg.datasets import ADE20KDataset as Dataset
        elif dataset == 'imagenet':
            from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
            return dict(classes=list(IMAGENET_CATEGORIES))
        else:
            return None
    except ImportError:
        return None
    meta = Dataset.METAINFO
    return dict(classes=list(meta['classes']),
                palette=[list(map(int, color)) for color in meta['palette']])


def with_release_classes(checkpoint: Any) -> Any:
    """A converted release's ``meta['dataset_meta']`` (class names, palette) from its
    ``meta['dataset']`` (:func:`~mmmobilevit.checkpoint.convert_public_layout`), where
    that is known and the framework installed: the inferencers read it (mmseg's would
    otherwise name Cityscapes' classes). Other checkpoints come back as they are."""
    if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get('meta'), dict):
        return checkpoint
    meta = checkpoint['meta']
    if 'dataset_meta' not in meta:
        dataset_meta = release_dataset_meta(meta.get('dataset'))
        if dataset_meta is not None:
            meta['dataset_meta'] = dataset_meta
    return checkpoint
