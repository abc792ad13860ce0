"""Clear, early errors for datasets that are missing or whose annotations are wrong.

:func:`check_dataset_paths` (every start of ``tools/train.py`` / ``tools/test.py``) names
the first missing path. :func:`check_datasets` (also at every start, and
``tools/misc/check_dataset.py CONFIG``) reads the annotations the way mmdet, mmseg and
mmpretrain will, and stops on what they would fail on late or cryptically, or drop
without a word: unparsable files (named with the entry), missing images, invalid boxes,
class names that do not match the annotations or the model's head, empty datasets. It
prints the counts per split and what the datasets will drop, with a count.
"""
import hashlib
import json
import os
import os.path as osp
import random
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

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


class DatasetError(ValueError):
    """A dataset's annotations are unreadable, inconsistent or do not match the config."""


@dataclass
class SplitReport:
    """What :func:`check_datasets` found for one dataset of a config.

    Attributes:
        splits (list[str]): The dataloaders that use it (``train``, ``val``, ``test``).
        dataset_type (str): Its registry type.
        source (str): Its annotation file (or image folder).
        num_samples (int): Images (or samples) it lists.
        num_instances (int, optional): Boxes, for detection.
        dropped (dict[str, int]): Reason -> entries the dataset will drop for it.
        images (str): ``'checked'``, ``'checked before (stamp)'``, ``'skipped'`` or
            ``'n/a'``.
    """

    splits: List[str]
    dataset_type: str
    source: str
    num_samples: int = 0
    num_instances: Optional[int] = None
    dropped: Dict[str, int] = field(default_factory=dict)
    images: str = 'n/a'

    def line(self) -> str:
        """One line for the log."""
        text = (f'{"/".join(self.splits)} ({self.dataset_type}, {self.source}): '
                f'{self.num_samples} images')
        if self.num_instances is not None:
            text += f', {self.num_instances} boxes'
        text += f'; image files {self.images}'
        if self.dropped:
            text += '; dropped: ' + ', '.join(f'{n} {why}' for why, n in self.dropped.items())
        return text


def _type_name(ds) -> str:
    return str(ds.get('type', '?')).split('.')[-1]


def _join(root, path):
    """``path`` under ``root`` as mmengine's datasets join them: an empty or missing
    path is the root itself (images directly under ``data_root``)."""
    if not path:
        return root or ''
    return path if osp.isabs(path) or '://' in path else osp.join(root or '', path)


def _prefix(ds, *keys) -> str:
    prefix = ds.get('data_prefix') or ''
    if isinstance(prefix, str):
        return _join(ds.get('data_root'), prefix)
    for key in keys:
        if prefix.get(key) is not None:
            return _join(ds.get('data_root'), prefix[key])
    return ds.get('data_root') or ''


def _classes(ds) -> Optional[List[str]]:
    """The config's class names, else the dataset class's default ``METAINFO``."""
    meta = ds.get('metainfo') or {}
    if meta.get('classes'):
        return list(meta['classes'])
    return _default_classes(ds)


def _default_classes(ds) -> Optional[List[str]]:
    import importlib
    name = _type_name(ds)
    for package in ('mmdet', 'mmseg', 'mmpretrain'):
        try:
            registry = importlib.import_module(f'{package}.registry').DATASETS
        except ImportError:
            continue
        cls = registry.get(name)
        if cls is not None and getattr(cls, 'METAINFO', {}).get('classes'):
            return list(cls.METAINFO['classes'])
    return None


def _stamp_dir() -> str:
    home = os.environ.get('MMMOBILEVIT_HOME') or osp.join(
        os.environ.get('XDG_CACHE_HOME') or osp.expanduser('~/.cache'), 'mmmobilevit')
    return osp.join(home, 'dataset_checks')


#: the cost limit of the image check (the first check of a set; later ones stat the files
#: and find the stamp): every file's size; sets of up to DECODE_ALL files are decoded
#: whole (images and segmentation maps); larger ones (ImageNet: hours on 2 cores) have
#: every header read and a random sample of DECODE_SAMPLE files decoded
DECODE_ALL = 2000
DECODE_SAMPLE = 200
#: the label a segmentation map may hold beside its classes (mmseg's ignore_index)
IGNORE_LABEL = 255


def _file_digest(paths: Sequence[str]) -> Tuple[List[str], List[str], str]:
    """``(missing, empty, digest)``: the files that do not exist, those of 0 bytes, and a
    digest of every file's path, size and mtime (what the stamp is keyed on)."""
    digest, missing, empty = hashlib.sha1(), [], []
    for path in paths:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            missing.append(path)
            continue
        if st.st_size == 0:
            empty.append(path)
        digest.update(f'{path}\0{st.st_size}\0{st.st_mtime_ns}\n'.encode())
    return missing, empty, digest.hexdigest()


def _listed(files: List[str], source: str, problem: str, total: int, what: str) -> str:
    shown = '\n  '.join(files[:5])
    more = f'\n  ... and {len(files) - 5} more' if len(files) > 5 else ''
    return f'{source}: {len(files)} of {total} {what} {problem}:\n  {shown}{more}'


def _decode_problem(path: str, header_only: bool) -> Optional[str]:
    """Why ``path`` is not a readable image (None when it is): PIL reads the header, and
    unless ``header_only`` decodes every pixel (``verify()`` would pass a half-truncated
    JPEG)."""
    from PIL import Image
    try:
        with Image.open(path) as image:
            if not header_only:
                image.load()
    except Exception as error:  # noqa: BLE001  (any decoder error: named, not raised)
        return f'{path} ({type(error).__name__}: {error})'
    return None


def _mask_problem(path: str, num_classes: int, reduce_zero_label: bool) -> Optional[str]:
    """A segmentation map's labels beyond the classes (None when all fit)."""
    import numpy as np
    from PIL import Image
    with Image.open(path) as mask:
        values = np.unique(np.asarray(mask))
    top = num_classes if reduce_zero_label else num_classes - 1  # 0 ignored when reduced
    bad = [int(v) for v in values if v > top and v != IGNORE_LABEL]
    if not bad:
        return None
    return (f'{path} (labels {bad[:5]}; a {num_classes}-class dataset has labels 0-{top}'
            f'{" (0 ignored: reduce_zero_label)" if reduce_zero_label else ""} and '
            f'{IGNORE_LABEL} = ignore)')


def _check_files(paths: Sequence[str], what: str, source: str, ann_file: Optional[str],
                 image_dir: str, check_images: bool, masks: Sequence[str] = (),
                 num_classes: Optional[int] = None, reduce_zero_label: bool = False,
                 use_stamp: bool = True) -> str:
    """Check the images (and segmentation ``masks``): every file exists and is not empty,
    and they decode (and the masks' labels fit ``num_classes``) within the cost limit
    (:data:`DECODE_ALL`); each error names the files. A pass is remembered in a stamp keyed
    on every file's path, size and mtime (``use_stamp=False`` checks afresh)."""
    if not check_images:
        return 'skipped'
    paths, masks = list(paths), list(masks)
    every = paths + masks
    missing, empty, digest = _file_digest(every)
    if missing:
        raise DatasetError(_listed(missing, source, 'do not exist', len(every), what))
    if empty:
        raise DatasetError(_listed(empty, source, 'are empty (0 bytes)', len(every), what))
    key = json.dumps([osp.abspath(source), digest, num_classes, reduce_zero_label])
    stamp = osp.join(_stamp_dir(), hashlib.sha1(key.encode()).hexdigest() + '.ok')
    if use_stamp and osp.exists(stamp):
        return 'checked before (stamp)'
    whole = len(every) <= DECODE_ALL
    sample = set(every) if whole else set(random.Random(digest).sample(
        every, min(DECODE_SAMPLE, len(every))))
    bad = [p for p in (_decode_problem(f, header_only=f not in sample) for f in every) if p]
    if bad:
        raise DatasetError(_listed(bad, source, 'are not readable images', len(every), what))
    if masks and num_classes:
        bad = [p for p in (_mask_problem(m, num_classes, reduce_zero_label)
                           for m in masks if m in sample) if p]
        if bad:
            raise DatasetError(_listed(bad, source, 'hold labels beyond the classes',
                                       len(masks), 'segmentation maps')
                               + '\nfix the maps, or model.decode_head.num_classes')
    os.makedirs(osp.dirname(stamp), exist_ok=True)
    with open(stamp, 'w') as f:
        f.write(f'{len(every)} files checked\n')
    return 'checked' if whole else f'checked ({len(sample)} of {len(every)} decoded)'


def _load_json(path: str):
    try:
        with open(path) as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise DatasetError(f'{path}: not valid JSON (truncated or corrupt?): {e}') from None
    except UnicodeDecodeError as e:
        raise DatasetError(f'{path}: not a text file: {e}') from None


def _check_coco(ds, cfg, split, check_images, use_stamp=True) -> SplitReport:
    """COCO-format detection annotations, as mmdet's ``CocoDataset`` reads them."""
    ann_file = _join(ds.get('data_root'), ds.get('ann_file'))
    data = _load_json(ann_file)
    if not isinstance(data, dict):
        raise DatasetError(f'{ann_file}: a COCO file is a JSON object, got {type(data).__name__}')
    for key in ('images', 'annotations', 'categories'):
        if not isinstance(data.get(key), list):
            raise DatasetError(f'{ann_file}: no "{key}" list (COCO format needs "images", '
                               '"annotations" and "categories")')
    report = SplitReport([split], _type_name(ds), ann_file)
    images = {}
    for i, img in enumerate(data['images']):
        for key in ('id', 'file_name', 'width', 'height'):
            if key not in img:
                raise DatasetError(f'{ann_file}: images[{i}] has no "{key}": {img}')
        images[img['id']] = img
    if not images:
        raise DatasetError(f'{ann_file}: the dataset is empty (no images)')
    categories = {c.get('id'): c.get('name') for c in data['categories']}
    classes = _classes(ds)
    if classes is None:
        raise DatasetError(f'{ann_file}: the config names no classes for this dataset; set '
                           f'metainfo=dict(classes=(...)) (the annotations have '
                           f'{sorted(map(str, categories.values()))})')
    unknown = [c for c in classes if c not in categories.values()]
    if unknown:
        raise DatasetError(
            f'{ann_file}: class names of the config are not among the annotation '
            f'categories: {unknown}.\n  config classes:        {classes}\n'
            f'  annotation categories: {[categories[k] for k in sorted(categories)]}\n'
            'Set metainfo=dict(classes=...) to the category names you train on.')
    used_ids = {k for k, name in categories.items() if name in classes}
    dropped = {}
    valid_per_image = {k: 0 for k in images}
    for i, ann in enumerate(data['annotations']):
        where = f'{ann_file}: annotations[{i}] (id {ann.get("id")})'
        for key in ('image_id', 'bbox', 'category_id', 'area'):
            if key not in ann:
                raise DatasetError(f'{where} has no "{key}"')
        bbox = ann['bbox']
        if (not isinstance(bbox, (list, tuple)) or len(bbox) != 4
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                           for v in bbox)):
            raise DatasetError(f'{where}: "bbox" must be 4 numbers [x, y, w, h], got {bbox!r}')
        if ann['image_id'] not in images:
            raise DatasetError(f'{where}: image_id {ann["image_id"]} is not in "images"')
        if ann.get('ignore', False):
            dropped['marked ignore'] = dropped.get('marked ignore', 0) + 1
            continue
        img = images[ann['image_id']]
        x, y, w, h = bbox
        inter_w = max(0, min(x + w, img['width']) - max(x, 0))
        inter_h = max(0, min(y + h, img['height']) - max(y, 0))
        if inter_w * inter_h == 0 or ann['area'] <= 0 or w < 1 or h < 1:
            why = 'boxes of no size, negative size or outside the image'
            dropped[why] = dropped.get(why, 0) + 1
            continue
        if ann['category_id'] not in used_ids:
            why = ('boxes of category ids not in the config classes '
                   f'({sorted(set(categories) - used_ids) or "unknown ids"})')
            dropped[why] = dropped.get(why, 0) + 1
            continue
        valid_per_image[ann['image_id']] += 1
    report.num_samples = len(images)
    report.num_instances = sum(valid_per_image.values())
    if split == 'train':
        empty = sum(1 for n in valid_per_image.values() if n == 0)
        if empty and (ds.get('filter_cfg') or {}).get('filter_empty_gt'):
            dropped['training images without a valid box (filter_empty_gt)'] = empty
        if report.num_instances == 0:
            raise DatasetError(f'{ann_file}: no valid box of the config classes {classes} '
                               '(nothing to train on)')
    report.dropped = dropped
    image_dir = _prefix(ds, 'img')
    report.images = _check_files([osp.join(image_dir, img['file_name']) for img in
                                  images.values()], 'image files', ann_file, ann_file,
                                 image_dir, check_images, use_stamp=use_stamp)
    return report


SEG_SUFFIXES = {'PascalVOCDataset': ('.jpg', '.png'), 'ADE20KDataset': ('.jpg', '.png')}


def _check_seg(ds, cfg, split, check_images, use_stamp=True) -> SplitReport:
    """mmseg's image / segmentation-map pairs (an ann_file of names, or the image folder)."""
    img_suffix, seg_suffix = SEG_SUFFIXES.get(_type_name(ds), ('.jpg', '.png'))
    img_suffix = ds.get('img_suffix', img_suffix)
    seg_suffix = ds.get('seg_map_suffix', seg_suffix)
    img_dir, seg_dir = _prefix(ds, 'img_path'), _prefix(ds, 'seg_map_path')
    ann_file = _join(ds.get('data_root'), ds.get('ann_file')) if ds.get('ann_file') else None
    if ann_file:
        with open(ann_file) as f:
            names = [line.strip() for line in f if line.strip()]
        source = ann_file
    else:
        names = sorted(osp.relpath(osp.join(r, n), img_dir)[:-len(img_suffix)]
                       for r, _, files in os.walk(img_dir) for n in files
                       if n.endswith(img_suffix))
        source = img_dir
    if not names:
        raise DatasetError(f'{source}: the dataset is empty (no image names / no '
                           f'{img_suffix} images)')
    report = SplitReport([split], _type_name(ds), source, num_samples=len(names))
    paths = [osp.join(img_dir, n + img_suffix) for n in names]
    masks = [osp.join(seg_dir, n + seg_suffix) for n in names]
    head = _head_classes(cfg)
    report.images = _check_files(paths, 'image / segmentation map files', source, ann_file,
                                 img_dir, check_images, masks=masks,
                                 num_classes=head[1] if head else None,
                                 reduce_zero_label=bool(ds.get('reduce_zero_label', False)),
                                 use_stamp=use_stamp)
    return report


def _check_cls(ds, cfg, split, check_images, use_stamp=True) -> SplitReport:
    """mmpretrain's ``CustomDataset`` / ``ImageNet``: "path label" lines or class folders."""
    image_dir = _prefix(ds, 'img_path')
    classes = _classes(ds)
    ann_file = _join(ds.get('data_root'), ds.get('ann_file')) if ds.get('ann_file') else None
    if ann_file:
        paths = []
        with open(ann_file) as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                parts = line.strip().rsplit(' ', 1)
                if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
                    raise DatasetError(f'{ann_file}, line {number}: expected "path label" '
                                       f'(label an integer), got {line.strip()!r}')
                label = int(parts[1])
                if classes is not None and not 0 <= label < len(classes):
                    raise DatasetError(f'{ann_file}, line {number}: label {label} is outside '
                                       f'0..{len(classes) - 1} ({len(classes)} classes '
                                       f'in the config: {classes})')
                paths.append(osp.join(image_dir, parts[0]))
        if not paths:
            raise DatasetError(f'{ann_file}: the dataset is empty (no lines)')
        report = SplitReport([split], _type_name(ds), ann_file, num_samples=len(paths))
        report.images = _check_files(paths, 'image files', ann_file, ann_file, image_dir,
                                     check_images, use_stamp=use_stamp)
        return report
    folders = sorted(d for d in os.listdir(image_dir) if osp.isdir(osp.join(image_dir, d)))
    if classes is not None and folders and sorted(classes) != folders:
        raise DatasetError(f'{image_dir}: the class folders do not match the config '
                           f'classes.\n  config classes: {sorted(classes)}\n'
                           f'  folders:        {folders}')
    count = sum(len(files) for _, _, files in os.walk(image_dir))
    if not count:
        raise DatasetError(f'{image_dir}: the dataset is empty (no files)')
    return SplitReport([split], _type_name(ds), image_dir, num_samples=count,
                       images='listed from the folders')


CHECKERS: Dict[str, Callable] = {
    'CocoDataset': _check_coco,
    'PascalVOCDataset': _check_seg,
    'ADE20KDataset': _check_seg,
    'BaseSegDataset': _check_seg,
    'CustomDataset': _check_cls,
    'ImageNet': _check_cls,
}


def _head_classes(cfg) -> Optional[tuple]:
    model = cfg.get('model') or {}
    for key in ('bbox_head', 'decode_head', 'head'):
        head = model.get(key)
        if isinstance(head, dict) and head.get('num_classes') is not None:
            return key, head['num_classes']
    return None


def first_rank_printer(prefix: str = '') -> Optional[Callable[[str], None]]:
    """A ``log`` for :func:`check_datasets` that prints on the first rank only."""
    if int(os.environ.get('RANK', '0')) != 0:
        return None
    return lambda line: print(prefix + line, flush=True)


def check_datasets(cfg: Config, splits: Sequence[str] = ('train', 'val', 'test'),
                   check_images: bool = True,
                   log: Optional[Callable[[str], None]] = None,
                   use_stamp: bool = True) -> List[SplitReport]:
    """Read every dataset's annotations as the task's dataset class will; raise early.

    Args:
        cfg (Config): A full config.
        splits (tuple[str]): Which of ``{split}_dataloader`` to check.
        check_images (bool): Check the images (and segmentation maps): each exists, is
            not empty and decodes, and the maps' labels fit the head's classes (every
            file of sets up to :data:`DECODE_ALL` files; of larger ones every header and
            :data:`DECODE_SAMPLE` random files decoded). A pass is remembered in a stamp
            under ``$MMMOBILEVIT_HOME/dataset_checks`` keyed on every file's path, size
            and mtime: later starts stat the files (seconds for ImageNet) and decode
            nothing unless a file changed.
        log (Callable[[str], None], optional): Gets one line per dataset.
        use_stamp (bool): False checks afresh (``check_dataset.py --no-cache``).

    Returns:
        list[SplitReport]: One per distinct dataset.

    Raises:
        DatasetNotFoundError: A path does not exist.
        DatasetError: Unreadable or inconsistent annotations, an empty dataset, class
            names that do not match the annotations or the head's ``num_classes``.
    """
    check_dataset_paths(cfg, splits)
    reports: Dict[str, SplitReport] = {}
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader or 'dataset' not in loader:
            continue
        for ds in _dataset_cfgs(loader['dataset']):
            key = json.dumps([_type_name(ds), ds.get('data_root'), ds.get('ann_file'),
                              ds.get('data_prefix')], sort_keys=True, default=str)
            if key in reports:
                reports[key].splits.append(split)
                continue
            checker = CHECKERS.get(_type_name(ds))
            if checker is None:
                reports[key] = SplitReport([split], _type_name(ds), '-', images='not checked')
                continue
            reports[key] = checker(ds, cfg, split, check_images, use_stamp)
            head = _head_classes(cfg)
            classes = _classes(ds)
            if head and classes is not None and head[1] != len(classes):
                raise DatasetError(
                    f'{split} dataset: the config names {len(classes)} classes {classes}, '
                    f'but model.{head[0]}.num_classes is {head[1]}: set it to '
                    f'{len(classes)}.')
    for report in reports.values():
        if log:
            log(report.line())
    return list(reports.values())
