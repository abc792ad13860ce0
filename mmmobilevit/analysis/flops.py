"""Count ``scaled_dot_product_attention`` in mmengine's FLOP analysis.

mmengine 0.10.7's ``FlopAnalyzer`` has no handler for
``aten::scaled_dot_product_attention`` and skips it with a warning, so any model that
uses fused attention is under-counted (mmpretrain's MobileViT-S: 1.86 G instead of
2.03 G). We add the handler to mmengine's table of default handlers, which
``get_model_complexity_info`` and every ``FlopAnalyzer`` use.

Like mmengine (and fvcore), one multiply-add counts as one FLOP.
"""
from mmengine.analysis import complexity_analysis
from mmengine.analysis.jit_handles import get_shape


def sdpa_flop_jit(inputs, outputs):
    """MACs of softmax(q k^T) v: ``B * heads * Nq * Nk * (d_qk + d_v)``."""
    q_shape, k_shape, v_shape = (get_shape(v) for v in inputs[:3])
    *batch, n_q, d_qk = q_shape
    n_k, d_v = k_shape[-2], v_shape[-1]
    b = 1
    for s in batch:
        b *= s
    return b * n_q * n_k * (d_qk + d_v)


def register_sdpa_flop_handle():
    complexity_analysis._DEFAULT_SUPPORTED_FLOP_OPS.setdefault(
        'aten::scaled_dot_product_attention', sdpa_flop_jit)
