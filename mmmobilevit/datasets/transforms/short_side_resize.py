"""ml-cvnets v0.2's short-side resizes of segmentation images (fixed and random)."""
import random
from typing import Optional, Sequence, Tuple

import mmcv
from mmcv.transforms import BaseTransform
from mmengine.registry import TRANSFORMS


def _resize_all(results: dict, size_wh: Tuple[int, int], interpolation: str,
                backend: str) -> dict:
    img = results['img']
    h, w = img.shape[:2]
    new_w, new_h = size_wh
    if (new_w, new_h) != (w, h):
        results['img'] = mmcv.imresize(img, (new_w, new_h), interpolation=interpolation,
                                       backend=backend)
        for key in results.get('seg_fields', []) or (
                ['gt_seg_map'] if 'gt_seg_map' in results else []):
            results[key] = mmcv.imresize(results[key], (new_w, new_h),
                                         interpolation='nearest', backend=backend)
    results['img_shape'] = (new_h, new_w)
    old = results.get('scale_factor') or (1., 1.)
    results['scale_factor'] = (old[0] * new_w / w, old[1] * new_h / h)
    results['keep_ratio'] = True
    return results


def short_side_size(h: int, w: int, size: int) -> Tuple[int, int]:
    """``(new_w, new_h)`` of ml-cvnets' ``_resize_fn`` with an int ``size``
    (``data/transforms/image.py`` @ d38a116, ``image_pil.py`` @ 84d992f): the shorter
    side ``size``, the longer ``int(size * long / short)``; unchanged when the shorter
    side is already ``size``."""
    if min(h, w) == size:
        return w, h
    if w < h:
        return size, int(size * h / w)
    return int(size * w / h), size


@TRANSFORMS.register_module()
class ShortSideResize(BaseTransform):
    """Resize the shorter image side to ``short_side``, keeping the aspect ratio, exactly
    as ml-cvnets v0.2's evaluation (``data/transforms/image_pil.py`` ``_resize_fn`` with
    an int size @ 84d992f): the longer side becomes ``int(short_side * long / short)``
    (truncated, where mmcv's ``Resize`` rounds), and an image whose shorter side already
    equals ``short_side`` is left untouched.

    Required keys: ``img``; modified: ``img``, ``gt_seg_map`` (nearest; absent in test
    pipelines, where the labels stay at the original size), ``img_shape``,
    ``scale_factor``; added: ``keep_ratio``.

    Args:
        short_side (int): Target length of the shorter side.
        interpolation (str): mmcv interpolation of the image (the release yaml's
            ``image_augmentation.resize.interpolation``: bicubic for MobileViTv2).
        backend (str): ``'pillow'`` (ml-cvnets v0.2 resizes PIL images) or ``'cv2'``.
        only_upscale (bool): Resize only an image whose shorter side is below
            ``short_side``: ml-cvnets v0.1's ``RandomCrop.resize_if_needed``
            (``data/transforms/image.py`` @ d38a116) before a ``short_side`` crop.
    """

    def __init__(self, short_side: int = 512, interpolation: str = 'bicubic',
                 backend: str = 'pillow', only_upscale: bool = False) -> None:
        if int(short_side) <= 0:
            raise ValueError(f'short_side must be positive, got {short_side}')
        self.short_side = int(short_side)
        self.only_upscale = only_upscale
        self.interpolation = interpolation
        self.backend = backend

    def transform(self, results: dict) -> dict:
        h, w = results['img'].shape[:2]
        if self.only_upscale and min(h, w) >= self.short_side:
            return results
        return _resize_all(results, short_side_size(h, w, self.short_side),
                           self.interpolation, self.backend)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(short_side={self.short_side}, '
                f'interpolation={self.interpolation!r}, backend={self.backend!r}, '
                f'only_upscale={self.only_upscale})')


@TRANSFORMS.register_module()
class RandomShortSideResize(BaseTransform):
    """The shorter side to a random integer in ``short_side_range`` (inclusive); images
    with the given interpolation, labels nearest. Two ml-cvnets transforms:

    * with ``max_size`` (v0.2's ``RandomShortSizeResize``, ``data/transforms/
      image_pil.py`` @ 84d992f): the scale is capped so that the longer side is at most
      ``max_size``, and both sides become ``int(side * scale)``;
    * with ``max_size=None`` (v0.1's ``RandomResize``, ``data/transforms/image.py`` @
      d38a116): :func:`short_side_size` of the drawn size, no cap.

    Args:
        short_side_range (Sequence[int]): ``(min, max)`` of the shorter side.
        max_size (int, optional): Cap of the longer side (v0.2); None: v0.1's resize.
        interpolation (str): mmcv interpolation of the image.
        backend (str): ``'pillow'`` or ``'cv2'``.
    """

    def __init__(self, short_side_range: Sequence[int] = (256, 768),
                 max_size: Optional[int] = 1024, interpolation: str = 'bicubic',
                 backend: str = 'pillow') -> None:
        low, high = (int(v) for v in short_side_range)
        if not 0 < low <= high:
            raise ValueError(f'short_side_range must be (min, max) with 0 < min <= max, '
                             f'got {tuple(short_side_range)}')
        self.short_side_range = (low, high)
        self.max_size = max_size
        self.interpolation = interpolation
        self.backend = backend

    def transform(self, results: dict) -> dict:
        h, w = results['img'].shape[:2]
        short = random.randint(*self.short_side_range)
        if self.max_size is None:
            size_wh = short_side_size(h, w, short)
        else:
            scale = min(short / min(h, w), self.max_size / max(h, w))
            size_wh = (int(w * scale), int(h * scale))
        return _resize_all(results, size_wh, self.interpolation, self.backend)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(short_side_range={self.short_side_range}, '
                f'max_size={self.max_size}, interpolation={self.interpolation!r}, '
                f'backend={self.backend!r})')
