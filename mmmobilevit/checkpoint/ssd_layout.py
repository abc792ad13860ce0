"""ml-cvnets' SSDLite checkpoints (Apple's COCO releases and MobileViTv3's) in our
detector layout (pure functions: tensors in, tensors out).

Apple's ``SingleShotDetector`` state dict (``cvnets/models/detection/ssd.py`` @ d38a116
and 84d992f; the MobileViTv3 release uses the same code) holds ``encoder.*`` (the
MobileViT classifier's keys, without ``classifier`` and ``conv_1x1_exp``),
``extra_layers.os_{64,128,256}`` (separable convs), ``extra_layers.os_-1.1`` (the global
1x1 conv) and ``ssd_heads.{i}`` (``proj_layer``, ``loc_cls_layer``). They become our
``backbone.*`` (:func:`~.layouts.convert_mlcvnets`), ``neck.*``
(``SSDLiteExtraLevels``) and ``bbox_head.*`` (``SSDLiteHead``): the predictor rows, per
anchor ``[4 box offsets, background, C classes]`` in Apple's files, are reordered to
``[A * 4 boxes | A * (C + 1) scores, background last]``.
"""
import math
import re
from collections import OrderedDict
from typing import List, Optional

from .layouts import CheckpointLayoutError, StateDict, convert_mlcvnets

#: anchors per cell of ml-cvnets' SSDLite levels (aspect ratios [2, 3] x 5, [2])
SSDLITE_ANCHORS = (6, 6, 6, 6, 6, 4)


def is_mlcvnets_ssd(state_dict: StateDict) -> bool:
    """Whether the keys are those of an ml-cvnets / MobileViTv3 SSD detector."""
    return any(k.startswith('ssd_heads.') for k in state_dict) and any(
        k.startswith('encoder.conv_1.') for k in state_dict)


def encoder_of(state_dict: StateDict) -> StateDict:
    """The MobileViT classifier keys of an SSD state dict (``encoder.`` stripped)."""
    return OrderedDict((k[len('encoder.'):], v) for k, v in state_dict.items()
                       if k.startswith('encoder.'))


def predictor_row_order(anchors: int, num_classes: int) -> List[int]:
    """Our predictor row ``i`` is Apple's row ``order[i]``."""
    fields = 4 + 1 + num_classes
    boxes = [a * fields + f for a in range(anchors) for f in range(4)]
    scores = [a * fields + f for a in range(anchors)
              for f in list(range(5, fields)) + [4]]
    return boxes + scores


def infer_num_classes(state_dict: StateDict) -> int:
    """The class count (background excluded) of an ml-cvnets SSDLite state dict.

    Level ``i``'s predictor has ``A_i * (4 + 1 + C)`` rows with ml-cvnets' SSDLite
    anchors ``A = (6, 6, 6, 6, 6, 4)``, so the rows' greatest common divisor is
    ``2 * (5 + C)``; any other row pattern is refused rather than guessed.
    """
    rows = {}
    for key, value in state_dict.items():
        m = re.match(r'^ssd_heads\.(\d+)\.loc_cls_layer\.(pw_conv\.)?block\.conv\.weight$',
                     key)
        if m:
            rows[int(m.group(1))] = value.shape[0]
    rows = [rows[i] for i in sorted(rows)]
    fields = math.gcd(*rows) // 2 if rows else 0
    if fields <= 5 or rows != [a * fields for a in SSDLITE_ANCHORS]:
        raise CheckpointLayoutError(
            f'the SSD predictors have {rows} output rows: not ml-cvnets\' SSDLite anchors '
            f'{list(SSDLITE_ANCHORS)} x (4 box offsets + background + classes)')
    return fields - 5


def _extra_level_names(state_dict: StateDict) -> dict:
    strides = sorted({int(m.group(1)) for m in (
        re.match(r'^extra_layers\.os_(\d+)\.', k) for k in state_dict) if m})
    return {f'os_{s}': f'extra_layers.{i}' for i, s in enumerate(strides)}


def _convert_head_key(key: str, value, num_classes: int):
    m = re.match(r'^ssd_heads\.(\d+)\.(proj_layer|loc_cls_layer)\.(.+)$', key)
    if not m:
        return None, value
    level, part, rest = m.groups()
    if part == 'proj_layer':
        rest = rest.replace('block.conv.', 'conv.').replace('block.norm.', 'bn.')
        return f'bbox_head.projections.{level}.{rest}', value
    if rest.startswith('dw_conv.'):
        rest = rest.replace('dw_conv.block.conv.', 'depthwise_conv.conv.').replace(
            'dw_conv.block.norm.', 'depthwise_conv.bn.')
        return f'bbox_head.predictors.{level}.{rest}', value
    if rest.startswith('pw_conv.block.conv.'):
        name = 'pointwise_conv.conv.' + rest[len('pw_conv.block.conv.'):]
    elif rest.startswith('block.conv.'):  # the global level's 1x1 conv
        name = rest[len('block.conv.'):]
    else:
        return None, value
    rows = value.shape[0]
    fields = 4 + 1 + num_classes
    if rows % fields:
        raise CheckpointLayoutError(
            f'{key} has {rows} output rows, not a multiple of 4 + 1 + {num_classes} '
            f'(box offsets, background, classes): not a {num_classes}-class detector')
    return (f'bbox_head.predictors.{level}.{name}',
            value[predictor_row_order(rows // fields, num_classes)])


def convert_mlcvnets_ssd(state_dict: StateDict,
                         num_classes: Optional[int] = None) -> StateDict:
    """An ml-cvnets / MobileViTv3 SSD state dict -> our ``SingleStageDetector``'s.

    Args:
        state_dict (dict): Apple's keys (``encoder.*``, ``extra_layers.*``,
            ``ssd_heads.*``).
        num_classes (int, optional): Object classes without background; None reads
            it from the predictors (:func:`infer_num_classes`; COCO: 80).

    Raises:
        CheckpointLayoutError: keys without a counterpart, or predictor rows that do
            not fit ``num_classes``.
    """
    if num_classes is None:
        num_classes = infer_num_classes(state_dict)
    result = OrderedDict(convert_mlcvnets(encoder_of(state_dict)))
    extra = _extra_level_names(state_dict)
    unmatched = []
    for key, value in state_dict.items():
        if key.startswith('encoder.'):
            continue
        m = re.match(r'^extra_layers\.(os_\d+)\.(dw_conv|pw_conv)\.block\.(conv|norm)\.(.+)$',
                     key)
        if m:
            level, part, kind, rest = m.groups()
            part = 'depthwise_conv' if part == 'dw_conv' else 'pointwise_conv'
            kind = 'conv' if kind == 'conv' else 'bn'
            result[f'neck.{extra[level]}.{part}.{kind}.{rest}'] = value
            continue
        m = re.match(r'^extra_layers\.os_-1\.1\.block\.conv\.(.+)$', key)
        if m:
            result[f'neck.global_level.conv.{m.group(1)}'] = value
            continue
        new_key, new_value = _convert_head_key(key, value, num_classes)
        if new_key is None:
            unmatched.append(key)
        else:
            result[new_key] = new_value
    if unmatched:
        raise CheckpointLayoutError(
            f'{len(unmatched)} keys of this ml-cvnets SSD checkpoint have no '
            f'counterpart in SSDLite-MobileViT, e.g. {unmatched[:5]}')
    return result
