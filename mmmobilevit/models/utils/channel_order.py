"""Serve a checkpoint to a model fed the other channel order (reverse its stem)."""
from typing import Any, Optional

from mmengine.logging import print_log

from ...checkpoint.channel_order import channel_order_of, flip_message, serve_in_order


def input_channel_order(model: Any) -> Optional[str]:
    """``'rgb'`` or ``'bgr'``: the order a model's data preprocessor feeds it.

    Images are loaded in BGR (mmcv's ``LoadImageFromFile`` default, also with
    ``imdecode_backend='pillow'``); a preprocessor that converts (mmpretrain
    ``to_rgb``, mmdet / mmseg ``bgr_to_rgb``) feeds RGB. None for a model without an
    image data preprocessor.
    """
    pre = getattr(model, 'data_preprocessor', None)
    # mmpretrain: to_rgb; mmengine / mmdet: _channel_conversion; mmseg: channel_conversion
    for name in ('to_rgb', '_channel_conversion', 'channel_conversion'):
        if hasattr(pre, name):
            return 'rgb' if getattr(pre, name) else 'bgr'
    return None


def align_channel_order(checkpoint: Any, target: Optional[str], source: str = '') -> bool:
    """Reverse the stem conv of a checkpoint trained on the other channel order.

    Works in place on a checkpoint dict whose ``meta['channel_order']`` says what the
    weights were trained on (``state_dict`` and, if present, ``ema_state_dict``), and
    records ``target`` there; logs one line when it flips. Nothing happens when either
    order is unknown, they agree, or the weights have no MobileViT stem.

    Returns:
        bool: Whether the stem was reversed.
    """
    trained_on = channel_order_of(checkpoint)
    flipped = False
    for key in ('state_dict', 'ema_state_dict'):
        state = checkpoint.get(key)
        served = serve_in_order(state, trained_on, target) if isinstance(state, dict) else None
        if served is not None:
            checkpoint[key] = served
            flipped = True
    if flipped:
        checkpoint['meta']['channel_order'] = target
        print_log(flip_message(source, trained_on, target), logger='current')
    return flipped
