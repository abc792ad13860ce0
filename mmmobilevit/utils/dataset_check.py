"""Clear errors for datasets that are not where a config expects them."""
import os.path as osp
from typing import Sequence

from mmengine.config import Config

# What each dataset type expects on disk, relative to its ``data_root``.
EXPECTED_LAYOUTS = {
    'CocoDataset': ('data/coco/\n'
                    '  annotations/instances_train2017.json\n'
                    '  annotations/instances_val2017.json\n'
                    '  train2017/*.jpg\n'
                    '  val2017/*.jpg'),
    'PascalVOCDataset': ('data/VOCdevkit/VOC2012/\n'
                         '  JPEGImages/*.jpg\n'
                         '  SegmentationClass/*.png (or SegmentationClassAug/ for the aug set)\n'
                         '  ImageSets/Segmentation/{train,val,aug}.txt'),
    'ADE20KDataset': ('data/ade/ADEChallengeData2016/\n'
                      '  images/{training,validation}/*.jpg\n'
                      '  annotations/{training,validation}/*.png'),
    'ImageNet': ('data/imagenet/\n'
                 '  train/<class>/*.JPEG\n'
                 '  val/<class>/*.JPEG (or val/*.JPEG with meta/val.txt)\n'
                 '  meta/{train,val}.txt (optional: "path label" per line)'),
    'CustomDataset': ('<data_root>/\n'
                      '  <data_prefix>/<class>/*.png|jpg\n'
                      '  <ann_file> (optional: "path label" per line)'),
}


class DatasetNotFoundError(FileNotFoundError):
    """A dataset path in the config does not exist."""


def _dataset_cfgs(cfg):
    """Yield every leaf dataset config inside a dataset config (wrappers included)."""
    if cfg is None:
        return
    if isinstance(cfg, (list, tuple)):
        for c in cfg:
            yield from _dataset_cfgs(c)
        return
    if 'datasets' in cfg:
        yield from _dataset_cfgs(cfg['datasets'])
    elif 'dataset' in cfg:
        yield from _dataset_cfgs(cfg['dataset'])
    else:
        yield cfg


def _paths(ds):
    root = ds.get('data_root') or ''
    paths = []
    if root:
        paths.append(root)
    ann = ds.get('ann_file')
    if ann:
        paths.append(ann if osp.isabs(ann) else osp.join(root, ann))
    prefix = ds.get('data_prefix')
    if isinstance(prefix, dict):
        prefix = list(prefix.values())
    elif isinstance(prefix, str):
        prefix = [prefix]
    for p in prefix or []:
        if p and isinstance(p, str) and '://' not in p:
            paths.append(p if osp.isabs(p) else osp.join(root, p))
    return paths


def check_dataset_paths(cfg: Config, splits: Sequence[str] = ('train', 'val', 'test')) -> None:
    """Raise :class:`DatasetNotFoundError` naming the first missing dataset path.

    Args:
        cfg (Config): A full mmengine config.
        splits (tuple[str]): Which of ``{split}_dataloader`` to check.
    """
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader or 'dataset' not in loader:
            continue
        for ds in _dataset_cfgs(loader['dataset']):
            for path in _paths(ds):
                if '://' in path or osp.exists(path):
                    continue
                ds_type = str(ds.get('type', '?')).split('.')[-1]
                layout = EXPECTED_LAYOUTS.get(ds_type)
                msg = (f'{split} dataset ({ds_type}): "{path}" does not exist.\n'
                       f'data_root="{ds.get("data_root", "")}", '
                       f'ann_file="{ds.get("ann_file", "")}", '
                       f'data_prefix={ds.get("data_prefix", "")}.')
                if layout:
                    msg += f'\nExpected layout:\n{layout}'
                msg += ('\nPut the dataset there (or a symlink), or point the config '
                        'at it with --cfg-options '
                        f'{split}_dataloader.dataset.data_root=<path>.')
                raise DatasetNotFoundError(msg)
