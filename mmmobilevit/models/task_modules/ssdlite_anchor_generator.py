"""SSD anchors as ml-cvnets defines them: fractions of the image, per feature-map size.

ml-cvnets (``cvnets/misc/anchor_generator.py`` @ d38a116,
``cvnets/anchor_generator/ssd_anchor_generator.py`` @ 84d992f) places, on a level of
``h x w`` cells, anchors centred at ``((x + 0.5) / w, (y + 0.5) / h)`` in row-major
``(y, x)`` order; per cell, in this order: a square of scale ``s_k``, a square of
``sqrt(s_k * s_k+1)``, then for every aspect ratio ``r``: ``(s_k * sqrt(r), s_k /
sqrt(r))`` and ``(s_k / sqrt(r), s_k * sqrt(r))``, with ``s = linspace(min, max, L + 1)``.
The centre-form boxes ``(cx, cy, w, h)`` are clamped to ``[0, 1]`` and stay fractions
of whatever input the network sees, so the same anchors serve every input size and
aspect (256x384 as well as 320x320). This module is pure tensor arithmetic.
"""
import math
from typing import List, Sequence, Tuple

import torch
from mmengine.registry import TASK_UTILS

Size = Tuple[int, int]


@TASK_UTILS.register_module()
class SSDLiteAnchorGenerator:
    """ml-cvnets' SSD anchors, computed from the feature-map sizes of each forward.

    Args:
        ratios (list[list[int]]): Aspect ratios per level; duplicates count once and
            the order is ascending (ml-cvnets' ``list(set(...))`` of small integers); a
            level has ``2 + 2 * len(ratios[i])`` anchors per cell.
        scale_range (tuple[float]): ``min_scale_ratio`` and ``max_scale_ratio``.
        clip (bool): Clamp the centre-form anchors to ``[0, 1]`` (ml-cvnets' default,
            ``no_clipping=False``).
    """

    def __init__(self, ratios: Sequence[Sequence[float]] = ([2, 3], ) * 5 + ([2], ),
                 scale_range: Tuple[float, float] = (0.1, 1.05), clip: bool = True) -> None:
        self.ratios = [sorted(set(r)) for r in ratios]
        levels = len(self.ratios)
        lo, hi = scale_range
        scales = [lo + (hi - lo) * i / levels for i in range(levels + 1)]
        self.scales = [(scales[i], math.sqrt(scales[i] * scales[i + 1]))
                       for i in range(levels)]
        self.clip = clip
        self._cache = {}

    @property
    def num_levels(self) -> int:
        return len(self.ratios)

    @property
    def num_base_priors(self) -> List[int]:
        """Anchors per cell of each level (6, 6, 6, 6, 6, 4 for ml-cvnets' SSDLite)."""
        return [2 + 2 * len(r) for r in self.ratios]

    def cell_shapes(self, level: int) -> torch.Tensor:
        """``[A, 2]`` anchor (w, h) of one cell of ``level``, in ml-cvnets' order."""
        small, big = self.scales[level]
        shapes = [(small, small), (big, big)]
        for r in self.ratios[level]:
            root = math.sqrt(r)
            shapes += [(small * root, small / root), (small / root, small * root)]
        return torch.tensor(shapes, dtype=torch.float64)

    def centre_form(self, featmap_sizes: Sequence[Size],
                    device: torch.device = torch.device('cpu')) -> torch.Tensor:
        """``[sum(H_i * W_i * A_i), 4]`` anchors ``(cx, cy, w, h)`` as image fractions."""
        key = (tuple(tuple(int(v) for v in s) for s in featmap_sizes), str(device))
        if key not in self._cache:
            if len(featmap_sizes) != self.num_levels:
                raise ValueError(f'{len(featmap_sizes)} feature maps for '
                                 f'{self.num_levels} anchor levels')
            levels = []
            for level, (h, w) in enumerate(key[0]):
                ys, xs = torch.meshgrid(
                    (torch.arange(h, dtype=torch.float64) + 0.5) / h,
                    (torch.arange(w, dtype=torch.float64) + 0.5) / w, indexing='ij')
                centres = torch.stack([xs, ys], -1).reshape(-1, 1, 2)
                shapes = self.cell_shapes(level)
                boxes = torch.cat([centres.expand(-1, len(shapes), 2),
                                   shapes.expand(centres.shape[0], -1, 2)], -1)
                levels.append(boxes.reshape(-1, 4))
            anchors = torch.cat(levels).float()  # ml-cvnets builds float32 tensors
            if self.clip:
                anchors = anchors.clamp(0.0, 1.0)
            self._cache[key] = anchors.to(device)
        return self._cache[key]

    def grid_priors(self, featmap_sizes: Sequence[Size], image_size: Size,
                    device: torch.device = torch.device('cpu')) -> List[torch.Tensor]:
        """Per level ``[H_i * W_i * A_i, 4]`` anchors ``(x1, y1, x2, y2)`` in pixels of an
        ``image_size = (h, w)`` input (what mmdet's assigner and box coder take)."""
        anchors = self.centre_form(featmap_sizes, device)
        h, w = image_size
        scale = anchors.new_tensor([w, h, w, h])
        corners = torch.cat([anchors[:, :2] - anchors[:, 2:] / 2,
                             anchors[:, :2] + anchors[:, 2:] / 2], -1) * scale
        counts = [int(s[0]) * int(s[1]) * a
                  for s, a in zip(featmap_sizes, self.num_base_priors)]
        return list(corners.split(counts))
