"""The bundled toy datasets: small, deterministic and learnable.

Written by ``python tools/misc/make_toy_data.py [--out data/toy] [--force]`` (the test
command runs it) and by the tests' ``toy_data`` fixture.

Three datasets in the on-disk formats of the real OpenMMLab configs:

* ``imagenet/``  ImageNet-style classification (mmpretrain ``CustomDataset``/``ImageNet``):
  ``train/<class>/*.jpg``, ``val/<class>/*.jpg``, ``meta/{train,val}.txt``,
  ``meta/classes.txt``; 4 classes, each a shape with its own colour range.
* ``coco/``      COCO detection: ``train2017/``, ``val2017/``,
  ``annotations/instances_{train,val}2017.json``; 3 categories (square, circle,
  triangle), 1-3 objects per image.
* ``VOCdevkit/VOC2012/`` VOC-style segmentation: ``JPEGImages/``,
  ``SegmentationClass/`` (palette PNGs, 255 on object borders as in VOC),
  ``ImageSets/Segmentation/{train,val}.txt``; the shapes use VOC labels 1-3.

The same seed gives the same files. A finished dataset is marked with a stamp and
left alone on the next run (``--force`` writes it again).
"""
import json
import os
import os.path as osp
import shutil
from typing import List, Sequence

import cv2
import numpy as np
from PIL import Image

GENERATOR_VERSION = 2  # 2: each dataset seeded by its name, whatever else is written
SHAPES = ('square', 'circle', 'triangle', 'cross')
# (B, G, R) base colour per shape; each object jitters it
BASE_COLORS = ((40, 40, 220), (40, 200, 40), (220, 60, 40), (30, 210, 230))


def _background(rng, h, w):
    base = rng.randint(60, 190, size=3)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    img += rng.normal(0, 18, size=(h, w, 3))
    yy, xx = np.mgrid[0:h, 0:w]
    img += (np.sin(xx / rng.uniform(6, 20)) * rng.uniform(0, 15))[..., None]
    return img


def _draw(canvas, shape, cx, cy, r, value, thickness=-1):
    """Draw ``shape`` centred at (cx, cy) with half-size r into ``canvas``."""
    cx, cy, r = int(cx), int(cy), int(r)
    if shape == 'square':
        cv2.rectangle(canvas, (cx - r, cy - r), (cx + r, cy + r), value, thickness)
    elif shape == 'circle':
        cv2.circle(canvas, (cx, cy), r, value, thickness)
    elif shape == 'triangle':
        pts = np.array([[cx, cy - r], [cx - r, cy + r], [cx + r, cy + r]], np.int32)
        if thickness < 0:
            cv2.fillPoly(canvas, [pts], value)
        else:
            cv2.polylines(canvas, [pts], True, value, thickness)
    elif shape == 'cross':
        t = max(r // 3, 1)
        cv2.rectangle(canvas, (cx - r, cy - t), (cx + r, cy + t), value, thickness)
        cv2.rectangle(canvas, (cx - t, cy - r), (cx + t, cy + r), value, thickness)
    else:
        raise ValueError(shape)


def _color(rng, k):
    return tuple(int(np.clip(c + rng.randint(-30, 31), 0, 255)) for c in BASE_COLORS[k])


def _finish(img):
    return np.clip(img, 0, 255).astype(np.uint8)


def _write_jpg(path, img):
    os.makedirs(osp.dirname(path), exist_ok=True)
    cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, 95])


def _stamp_ok(root, name, seed):
    path = osp.join(root, '.toy-stamp')
    want = f'{name} v{GENERATOR_VERSION} seed{seed}'
    return osp.isfile(path) and open(path).read() == want, path, want


def make_classification(root: str, rng: np.random.RandomState, num_train: int = 40,
                        num_val: int = 12, size: int = 64) -> None:
    classes = SHAPES
    lines = {'train': [], 'val': []}
    for split, n in (('train', num_train), ('val', num_val)):
        for k, cls in enumerate(classes):
            for i in range(n):
                img = _background(rng, size, size)
                r = rng.uniform(0.22, 0.38) * size
                cx = rng.uniform(r, size - r)
                cy = rng.uniform(r, size - r)
                _draw(img, cls, cx, cy, r, _color(rng, k))
                rel = f'{cls}/{cls}_{i:04d}.jpg'
                _write_jpg(osp.join(root, split, rel), _finish(img))
                lines[split].append(f'{rel} {k}')
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    for split, ls in lines.items():
        with open(osp.join(root, 'meta', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(ls) + '\n')
    with open(osp.join(root, 'meta', 'classes.txt'), 'w') as f:
        f.write('\n'.join(classes) + '\n')


def _place_objects(rng, size, max_objects, min_r, max_r):
    """Non-overlapping (shape index, cx, cy, r) tuples."""
    objs = []
    for _ in range(rng.randint(1, max_objects + 1)):
        for _try in range(20):
            r = rng.uniform(min_r, max_r) * size
            cx, cy = rng.uniform(r, size - r), rng.uniform(r, size - r)
            if all((cx - ox) ** 2 + (cy - oy) ** 2 > (r + orr + 4) ** 2
                   for _, ox, oy, orr in objs):
                objs.append((rng.randint(0, 3), cx, cy, r))
                break
    return objs


def make_detection(root: str, rng: np.random.RandomState, num_train: int = 64,
                   num_val: int = 16, size: int = 192) -> None:
    categories = [dict(id=i + 1, name=SHAPES[i], supercategory='shape') for i in range(3)]
    for split, n in (('train2017', num_train), ('val2017', num_val)):
        images, annotations = [], []
        for i in range(n):
            img = _background(rng, size, size)
            for k, cx, cy, r in _place_objects(rng, size, 3, 0.12, 0.26):
                _draw(img, SHAPES[k], cx, cy, r, _color(rng, k))
                x0, y0 = max(cx - r, 0), max(cy - r, 0)
                x1, y1 = min(cx + r, size - 1), min(cy + r, size - 1)
                w, h = x1 - x0, y1 - y0
                annotations.append(dict(
                    id=len(annotations) + 1, image_id=i + 1, category_id=k + 1,
                    bbox=[round(x0, 2), round(y0, 2), round(w, 2), round(h, 2)],
                    area=round(w * h, 2), iscrowd=0, segmentation=[]))
            name = f'{i + 1:012d}.jpg'
            _write_jpg(osp.join(root, split, name), _finish(img))
            images.append(dict(id=i + 1, file_name=name, width=size, height=size))
        os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
        with open(osp.join(root, 'annotations', f'instances_{split}.json'), 'w') as f:
            json.dump(dict(images=images, annotations=annotations,
                           categories=categories), f)


def voc_palette() -> List[int]:
    palette = np.zeros((256, 3), np.uint8)
    for i in range(256):
        c, r, g, b = i, 0, 0, 0
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        palette[i] = (r, g, b)
    return palette.flatten().tolist()


def make_segmentation(root: str, rng: np.random.RandomState, num_train: int = 48,
                      num_val: int = 12, size: int = 128) -> None:
    palette = voc_palette()
    for sub in ('JPEGImages', 'SegmentationClass', 'ImageSets/Segmentation'):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    for split, n in (('train', num_train), ('val', num_val)):
        names = []
        for i in range(n):
            name = f'2012_{split}_{i:04d}'
            img = _background(rng, size, size)
            mask = np.zeros((size, size), np.uint8)
            for k, cx, cy, r in _place_objects(rng, size, 3, 0.12, 0.28):
                _draw(img, SHAPES[k], cx, cy, r, _color(rng, k))
                _draw(mask, SHAPES[k], cx, cy, r, k + 1)
                _draw(mask, SHAPES[k], cx, cy, r, 255, thickness=2)  # VOC-style border
            _write_jpg(osp.join(root, 'JPEGImages', name + '.jpg'), _finish(img))
            png = Image.fromarray(mask, mode='P')
            png.putpalette(palette)
            png.save(osp.join(root, 'SegmentationClass', name + '.png'))
            names.append(name)
        with open(osp.join(root, 'ImageSets', 'Segmentation', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(names) + '\n')


DATASETS = {
    'imagenet': ('imagenet', make_classification),
    'coco': ('coco', make_detection),
    'voc': (osp.join('VOCdevkit', 'VOC2012'), make_segmentation),
}


def make_toy_data(out: str = 'data/toy', seed: int = 0, force: bool = False,
                  which: Sequence[str] = tuple(DATASETS), verbose: bool = True) -> None:
    """Write the toy datasets under ``out`` (idempotent). Returns ``out``."""
    for name in which:
        sub, fn = DATASETS[name]
        root = osp.join(out, sub)
        ok, stamp, want = _stamp_ok(root, name, seed)
        if ok and not force:
            continue
        if osp.isdir(root):
            shutil.rmtree(root)
        os.makedirs(root)
        if verbose:
            print(f'[make_toy_data] writing {name} to {root}', flush=True)
        # one RNG per dataset, seeded by its name's place among all the datasets (not in
        # ``which``), so that a dataset is the same whichever others are written with it
        fn(root, np.random.RandomState(seed * 1000 + sorted(DATASETS).index(name)))
        with open(stamp, 'w') as f:
            f.write(want)
    return out
