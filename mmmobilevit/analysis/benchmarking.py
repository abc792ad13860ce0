"""What the benchmark tools share: the peer models' names, the classifier they wrap every
backbone in, the timer and the GEMM roofline (``tools/analysis_tools/benchmark.py``,
``train_breakdown.py``)."""
import statistics
import time

import torch

#: our arch -> timm's model name
TIMM_NAMES = {
    'mobilevit-xxs': 'mobilevit_xxs', 'mobilevit-xs': 'mobilevit_xs',
    'mobilevit-s': 'mobilevit_s', 'mobilevitv2-0.5': 'mobilevitv2_050',
    'mobilevitv2-0.75': 'mobilevitv2_075', 'mobilevitv2-1.0': 'mobilevitv2_100',
    'mobilevitv2-1.25': 'mobilevitv2_125', 'mobilevitv2-1.5': 'mobilevitv2_150',
    'mobilevitv2-1.75': 'mobilevitv2_175', 'mobilevitv2-2.0': 'mobilevitv2_200'}
#: our arch -> mmpretrain's MobileViT arch name
MMPRETRAIN_NAMES = {'mobilevit-xxs': 'xx_small', 'mobilevit-xs': 'x_small',
                    'mobilevit-s': 'small'}


def mmpretrain_classifier(backbone: dict, channels: int):
    """An mmpretrain ``ImageClassifier`` (global pooling, a linear head of 1000 classes)
    on ``backbone`` (a config dict) whose last stage has ``channels`` channels."""
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(dict(
            type='ImageClassifier', backbone=backbone,
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=1000, in_channels=channels)))


def median_seconds(fn, iters: int, warmup: int) -> float:
    """The median wall time of ``iters`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class GemmWorker:
    """The roofline: a large SGEMM and a bf16 GEMM on the same threads (GFLOP/s)."""

    def __init__(self, args):
        self.args, self.setup = args, {}
        n = 2048
        self.n = n
        self.a, self.b = torch.randn(n, n), torch.randn(n, n)
        self.a16, self.b16 = self.a.bfloat16(), self.b.bfloat16()

    def round(self):
        flops = 2 * self.n ** 3
        fp32 = median_seconds(lambda: torch.mm(self.a, self.b), 3, 1)
        bf16 = median_seconds(lambda: torch.mm(self.a16, self.b16), 3, 1)
        return dict(sgemm_gflops=flops / fp32 / 1e9, bf16_gemm_gflops=flops / bf16 / 1e9)
