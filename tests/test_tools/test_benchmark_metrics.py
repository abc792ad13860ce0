"""The agreement metrics of tools/analysis_tools/benchmark.py on logits with known
margins (fast: no model runs)."""
import math

import pytest
import torch

from helpers import load_tool


@pytest.fixture(scope='module')
def bench():
    return load_tool('tools/analysis_tools/benchmark.py')


def logits_with_margins(margins, classes=10):
    """One row per margin: class 0 leads class 1 by that margin, the rest far below."""
    rows = torch.full((len(margins), classes), -10., dtype=torch.float64)
    rows[:, 0] = 1.
    rows[:, 1] = 1. - torch.tensor(margins, dtype=torch.float64)
    return rows


def test_sqnr_for_agreement_scales_the_error_until_enough_top1s_stay(bench):
    margins = [0.01 * (i + 1) for i in range(100)]  # 0.01 .. 1.00
    reference = logits_with_margins(margins)
    error = torch.zeros_like(reference)
    error[:, 1] = 0.5  # lifts class 1 by 0.5: flips every margin below 0.5
    other = reference + error
    assert bench.top1_agreement(reference, other) == pytest.approx(0.51)
    needed = bench.sqnr_for_agreement(reference, other, 0.99)
    # 99 of 100 stay only when the lift is below the second-smallest margin, 0.02
    assert needed > bench.sqnr_db(reference, other)
    scale = 10 ** ((bench.sqnr_db(reference, other) - needed) / 20)
    assert 0.01 / 0.5 <= scale < 0.02 / 0.5 + 1e-6
    assert bench.top1_agreement(reference, reference + scale * error) >= 0.99
    # an error that already leaves enough top-1s: its own SQNR
    small = reference + 0.005 * error / 0.5
    assert bench.sqnr_for_agreement(reference, small, 0.99) == pytest.approx(
        bench.sqnr_db(reference, small))


def test_sqnr_for_agreement_is_infinite_when_a_tie_decides(bench):
    reference = logits_with_margins([0., 0.5, 0.5, 0.5])  # a tie: any lift flips it
    other = reference.clone()
    other[:, 1] += 0.1
    assert math.isinf(bench.sqnr_for_agreement(reference, other, 0.99))
    assert bench.sqnr_db(reference, reference) > 200  # no error: very large, finite


@pytest.fixture(scope='module')
def breakdown():
    return load_tool('tools/analysis_tools/train_breakdown.py')


def test_operator_classes_count_the_products_of_a_training_step(breakdown):
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(4, 8, 3, padding=1)
    depthwise = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8)
    norm = torch.nn.BatchNorm2d(8)
    linear = torch.nn.Linear(8, 16)
    x = torch.randn(2, 4, 6, 6)

    def step():
        y = torch.nn.functional.silu(norm(depthwise(conv(x))))  # [2, 8, 6, 6]
        tokens = linear(y.flatten(2).transpose(1, 2))  # [2, 36, 16]
        q = k = v = tokens.reshape(2, 36, 2, 8).transpose(1, 2)  # 2 heads of 8
        attn = torch.nn.functional.scaled_dot_product_attention(q, k, v)
        attn.sum().backward()

    timer = breakdown.OpClassTimer()
    with timer:
        step()
    flops = timer.flops
    # forward + the weight gradient (x needs none): 2 products of 576 x 36 MACs
    assert flops['conv'] == 2 * (2 * (2 * 8 * 36) * (4 * 9))
    # forward, input and weight gradients of the depthwise conv: 9 MACs per output
    assert flops['depthwise conv'] == 3 * (2 * 2 * 8 * 36 * 9)
    # fc forward, input and weight gradients: 3 products of 72 x 8 x 16
    assert flops['linear (mm, addmm)'] == 3 * (2 * 72 * 8 * 16)
    # QK^T and PV forward (2 products), four in the backward
    assert flops['attention (sdpa, bmm, softmax)'] == 6 * (2 * 2 * 2 * 36 * 36 * 8)
    assert flops['batchnorm'] == flops['silu'] == 0
    assert all(timer.ms[k] > 0 for k in ('conv', 'depthwise conv', 'linear (mm, addmm)',
                                         'attention (sdpa, bmm, softmax)', 'batchnorm',
                                         'silu'))
    assert breakdown.op_class('aten.native_layer_norm.default', ()) == 'layernorm'
    assert breakdown.op_class('aten.gelu.default', ()) == 'other'
