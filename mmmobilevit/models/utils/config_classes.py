"""Class names from the config, for a dense model whose checkpoint carries none.

The inference APIs name a model's classes from the loaded checkpoint's
``meta['dataset_meta']``; for a checkpoint without it they fall back to a fixed dataset:
mmdet's ``init_detector`` and ``DetInferencer`` to COCO's 80 names, mmseg's
``MMSegInferencer`` to Cityscapes' 19 (mmseg's ``init_model`` picks a dataset by the class
count, Cityscapes where none fits). A bare state dict into an ADE20K or a toy config then
labels its picture with another dataset's names. :class:`ConfigClassNamesMixin` keeps
such a fallback out of our top-level models: names that are that fallback, or whose count
is not the head's, give way to those of the config's test dataset (``model.cfg``, which
the APIs set), when those fit the head. Names a checkpoint carries stay as they are.
"""
import functools
import importlib
from typing import Optional, Tuple


def _unwrap(dataset: Optional[dict]) -> Optional[dict]:
    """The dataset config inside mmengine's wrappers (``ConcatDataset``: the first of
    ``datasets``; ``RepeatDataset`` / ``ClassBalancedDataset``: ``dataset``)."""
    while isinstance(dataset, dict):
        if isinstance(dataset.get('datasets'), (list, tuple)) and dataset['datasets']:
            dataset = dataset['datasets'][0]
        elif isinstance(dataset.get('dataset'), dict):
            dataset = dataset['dataset']
        else:
            return dataset
    return None


def config_dataset_meta(cfg, registry) -> Optional[dict]:
    """``dict(classes=..., palette=...)`` of ``cfg``'s test (else val, else train)
    dataset: its ``metainfo`` where the config sets one, else the ``METAINFO`` of its
    ``type`` in ``registry`` (the framework's ``DATASETS``). A palette is left out (None)
    where neither gives one of the same length. None where the config names no dataset
    or its type is not registered."""
    if cfg is None:
        return None
    for loader in ('test_dataloader', 'val_dataloader', 'train_dataloader'):
        dataset = _unwrap((cfg.get(loader) or {}).get('dataset'))
        if dataset is not None:
            break
    else:
        return None
    metainfo = dict(dataset.get('metainfo') or {})
    dataset_type = dataset.get('type')
    dataset_class = registry.get(dataset_type) if isinstance(dataset_type, str) else None
    defaults = dict(getattr(dataset_class, 'METAINFO', None) or {})
    classes = metainfo.get('classes') or defaults.get('classes')
    if not classes:
        return None
    palette = metainfo.get('palette')
    if palette is None and 'classes' not in metainfo:
        palette = defaults.get('palette')
    if palette is not None and len(palette) != len(classes):
        palette = None
    return dict(classes=list(classes), palette=None if palette is None else list(palette))


@functools.lru_cache(maxsize=None)
def _fallback_classes(framework: str, dataset: str) -> Tuple[str, ...]:
    """The framework's names of ``dataset`` (read once per process: ``dataset_meta``
    compares with them at every access)."""
    module = 'mmdet.evaluation' if framework == 'mmdet' else f'{framework}.utils'
    return tuple(importlib.import_module(module).get_classes(dataset))


class ConfigClassNamesMixin:
    """``dataset_meta`` for a top-level model built from a config (detector or
    segmentor): what the inference APIs set, unless that is their no-checkpoint-meta
    fallback or of another class count than the head; then the names of the config's
    dataset (:func:`config_dataset_meta`), once ``model.cfg`` is set and they fit the
    head. The chosen value is kept, so later edits of it (a palette) persist.

    A class using it sets :attr:`class_names_from`: ``(framework, fallback dataset,
    head attribute)``, e.g. ``('mmdet', 'coco', 'bbox_head')``.
    """

    class_names_from: Tuple[str, str, str]

    def fallback_classes(self) -> list:
        """The names the framework's inference APIs give a checkpoint without any."""
        return list(_fallback_classes(*self.class_names_from[:2]))

    def class_count(self) -> Optional[int]:
        """The head's number of classes (None where unknown)."""
        head = getattr(self, self.class_names_from[2], None)
        return getattr(head, 'num_classes', None)

    def dataset_registry(self):
        """The framework's ``DATASETS`` registry, to look up the config's dataset."""
        return importlib.import_module(f'{self.class_names_from[0]}.registry').DATASETS

    def default_palette(self, count: int) -> Optional[list]:
        """Colours for ``count`` classes where the config gives none (None: leave the
        palette to the visualizer)."""
        return None

    @property
    def dataset_meta(self) -> Optional[dict]:
        """``dict(classes=..., palette=...)`` the model names its classes with."""
        meta = self.__dict__.get('_dataset_meta')
        count = self.class_count()
        classes = list((meta or {}).get('classes') or [])
        if meta is not None and len(classes) == count and classes != self.fallback_classes():
            return meta
        from_config = config_dataset_meta(self.__dict__.get('cfg'), self.dataset_registry())
        if from_config is None or len(from_config['classes']) != count:
            return meta
        if from_config['palette'] is None and meta is not None and meta.get('palette') and \
                len(meta['palette']) == count:
            from_config['palette'] = meta['palette']
        if from_config['palette'] is None:
            from_config['palette'] = self.default_palette(count)
        if from_config['palette'] is None:
            del from_config['palette']
        self.__dict__['_dataset_meta'] = from_config
        return from_config

    @dataset_meta.setter
    def dataset_meta(self, value: Optional[dict]) -> None:
        self.__dict__['_dataset_meta'] = value
