"""The channel order a checkpoint's weights expect, and the stem flip between orders.

Pure functions on checkpoint dicts and state dicts. A checkpoint records the order in
``meta['channel_order']`` (``'bgr'`` / ``'rgb'``): the converters write it, our runs
write the order their data preprocessor feeds (:class:`~mmmobilevit.engine.hooks.
CheckpointFitHook`), and the public layouts converted while loading get the order of
the code that trained them (:mod:`mmmobilevit.releases`). Because the released models
see pixels scaled to [0, 1] without a per-channel mean, reversing the input channels
of the stem conv is all it takes to serve the other order (the logits are unchanged).
"""
from collections import OrderedDict
from typing import Any, Dict, List, Optional

from ..releases import CONVENTIONS, check_channel_order

StateDict = Dict[str, Any]

# the first conv of a MobileViT backbone, in a whole model's and in a backbone's keys
STEM_WEIGHT = 'stem.conv.weight'


def channel_order_of(checkpoint: Any) -> Optional[str]:
    """``meta['channel_order']`` of a checkpoint dict, or None when it has none."""
    if not isinstance(checkpoint, dict):
        return None
    meta = checkpoint.get('meta')
    order = meta.get('channel_order') if isinstance(meta, dict) else None
    return check_channel_order(order) if order is not None else None


def layout_channel_order(state_dict: StateDict, layout: str) -> Optional[str]:
    """The channel order of a public checkpoint from its keys (None: not knowable).

    * ``mlcvnets``: multi-head attention blocks (``pre_norm_mha``: MobileViT v1 and the
      MobileViTv3-v1 overlay) were trained by ml-cvnets v0.1 (BGR), separable attention
      blocks (``pre_norm_attn``: v2 and v3-0.5/0.75/1.0) by v0.2 (RGB);
    * ``timm``: timm feeds RGB (``--source-channel-order`` of the converter overrides it,
      since whether timm's v1 ports reversed Apple's stem cannot be read from its code);
    * ``mmpretrain`` (ours, or mmpretrain's own MobileViT files): not recorded in the
      keys, so None.
    """
    if layout == 'mlcvnets':
        v01 = any('.pre_norm_mha.' in k for k in state_dict)
        return CONVENTIONS['mlcvnets-v0.1' if v01 else 'mlcvnets-v0.2'].channel_order
    if layout == 'timm':
        return 'rgb'
    return None


def stem_keys(state_dict: StateDict) -> List[str]:
    """The keys of the backbone stem's conv weight (whole model or backbone alone)."""
    return [k for k in state_dict
            if k == STEM_WEIGHT or k.endswith('backbone.' + STEM_WEIGHT)]


def flip_stem_input(state_dict: StateDict) -> StateDict:
    """A copy of ``state_dict`` whose stem conv reads the other channel order.

    Raises:
        KeyError: The state dict has no MobileViT stem conv weight.
    """
    keys = stem_keys(state_dict)
    if not keys:
        raise KeyError(f'no "{STEM_WEIGHT}" key: not a MobileViT state dict')
    flipped = OrderedDict(state_dict)
    for key in keys:
        weight = state_dict[key]
        if weight.dim() != 4 or weight.shape[1] != 3:
            raise ValueError(f'{key} has shape {tuple(weight.shape)}: not a conv over '
                             '3 input channels, its channel order cannot be reversed')
        flipped[key] = weight.flip(1).contiguous()
    return flipped


def serve_in_order(state_dict: StateDict, trained_on: Optional[str],
                   fed: Optional[str]) -> Optional[StateDict]:
    """``state_dict`` with its stem reversed when it was trained on the other order.

    Returns:
        dict | None: The reversed copy; None when there is nothing to do (an order is
        unknown, the orders agree, or the weights have no MobileViT stem).
    """
    if trained_on is None or fed is None or trained_on == fed or not stem_keys(state_dict):
        return None
    return flip_stem_input(state_dict)


def flip_message(source: str, trained_on: str, fed: str) -> str:
    """The one log line of a reversed stem."""
    return (f'{source or "checkpoint"}: trained on {trained_on.upper()} input, this model '
            f'is fed {fed.upper()}: stem conv input channels reversed')


def record_channel_order(checkpoint: dict, order: str) -> dict:
    """Set ``meta['channel_order']`` of a checkpoint dict (in place; returned)."""
    meta = checkpoint.setdefault('meta', {})
    if meta is None:
        meta = checkpoint['meta'] = {}
    meta['channel_order'] = check_channel_order(order)
    return checkpoint
