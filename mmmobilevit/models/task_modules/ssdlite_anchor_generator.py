"""SSD anchors derived from the input size, as ml-cvnets' SSDLite defines them."""
from typing import List, Sequence, Tuple

from mmdet.models.task_modules.prior_generators import SSDAnchorGenerator
from mmengine.registry import TASK_UTILS


def ssdlite_feature_sizes(input_size: int, num_levels: int = 6,
                          first_stride: int = 16) -> List[int]:
    """Side of each level: stride-2 convs with padding 1 give ceil(size / stride)."""
    return [-(-input_size // (first_stride * 2**i)) for i in range(num_levels)]


@TASK_UTILS.register_module()
class SSDLiteAnchorGenerator(SSDAnchorGenerator):
    """mmdet's ``SSDAnchorGenerator`` with every size derived from ``input_size``.

    Level ``i`` has side ``ceil(input_size / (first_stride * 2**i))`` (20, 10, 5, 3, 2, 1
    at 320; 24, 12, 6, 3, 2, 1 at 384), anchor centres spread over the whole image
    (stride ``input_size / side``), and box sizes from ml-cvnets' scales
    ``linspace(scale_range[0], scale_range[1], num_levels + 1) * input_size``: per level
    a square of the level's scale, one of the geometric mean with the next scale, and
    the aspect ratios of ``ratios`` and their inverses.

    Args:
        input_size (int): Square network input size.
        ratios (list[list[float]]): Aspect ratios per level.
        scale_range (tuple[float]): Smallest and largest anchor scale.
        first_stride (int): Output stride of the first level.
    """

    def __init__(self, input_size: int = 320,
                 ratios: Sequence[Sequence[int]] = ([2, 3], ) * 5 + ([2], ),
                 scale_range: Tuple[float, float] = (0.1, 1.05),
                 first_stride: int = 16) -> None:
        n = len(ratios)
        sizes = ssdlite_feature_sizes(input_size, n, first_stride)
        lo, hi = scale_range
        scales = [lo + (hi - lo) * i / n for i in range(n + 1)]
        super().__init__(
            strides=[input_size / s for s in sizes],
            ratios=[list(r) for r in ratios],
            min_sizes=[s * input_size for s in scales[:-1]],
            max_sizes=[s * input_size for s in scales[1:]],
            input_size=input_size,
            scale_major=False)
        self.feature_sizes = sizes
