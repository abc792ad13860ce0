"""ml-cvnets' segmentation checkpoints (Apple's VOC / ADE20K releases and MobileViTv3's)
in our mmseg layout (pure functions: tensors in, tensors out).

Apple's ``SegEncoderDecoder`` state dict (``cvnets/models/segmentation/enc_dec.py`` and
``heads/{deeplabv3,pspnet,base_seg_head}.py`` @ d38a116 and 84d992f; the MobileViTv3
overlays use the same code) holds ``encoder.*`` (the MobileViT classifier's keys without
``classifier`` and ``conv_1x1_exp``) and ``seg_head.*``:

* DeepLabv3: ``aspp.aspp_layer.convs.{0..3}`` (1x1 and the three dilated 3x3 branches),
  ``convs.4.aspp_pool.conv_1x1`` (image pooling), ``aspp.aspp_layer.project``, and the
  classifier, ``classifier.classifier`` in v0.1 (a ``Sequential`` with dropout and
  upsampling) and ``classifier`` from v0.2 on;
* PSPNet (v0.2): ``psp_layer.psp_branches.{i}.1``, ``psp_layer.fusion.0``,
  ``classifier``;
* the auxiliary head (v0.2): ``aux_head.0`` (3x3 conv + BN), ``aux_head.2`` (1x1 conv).

They become ``backbone.*``, ``decode_head.*`` (:class:`~mmmobilevit.models.ASPPProjHead`:
mmseg's ``image_pool`` / ``aspp_modules`` / ``bottleneck`` / ``conv_seg``;
:class:`~mmmobilevit.models.SlimBranchPSPHead`: ``psp_modules`` / ``bottleneck``) and
``auxiliary_head.*`` (mmseg's ``FCNHead``: ``convs.0``, ``conv_seg``). mmseg concatenates
the ASPP pooling branch first where ml-cvnets puts it last: those input channels of the
projection conv move to the front.
"""
import re
from collections import OrderedDict
from typing import Any, Optional

from .layouts import CheckpointLayoutError, StateDict, convert_mlcvnets
from .ssd_layout import encoder_of

_V01_CLASSIFIER = 'seg_head.classifier.classifier.block.conv.weight'
_V02_CLASSIFIER = 'seg_head.classifier.block.conv.weight'


def is_mlcvnets_seg(state_dict: StateDict) -> bool:
    """Whether the keys are those of an ml-cvnets / MobileViTv3 segmentation model."""
    return any(k.startswith('seg_head.') for k in state_dict) and any(
        k.startswith('encoder.conv_1.') for k in state_dict)


def seg_release(state_dict: StateDict) -> str:
    """``'mlcvnets-v0.1'`` (d38a116 heads: the classifier inside a ``Sequential`` with
    its dropout and upsampling) or ``'mlcvnets-v0.2'`` (84d992f on: a bare classifier),
    the code, hence the input convention, of a segmentation file.

    Raises:
        CheckpointLayoutError: no classifier of either layout.
    """
    if _V01_CLASSIFIER in state_dict:
        return 'mlcvnets-v0.1'
    if _V02_CLASSIFIER in state_dict:
        return 'mlcvnets-v0.2'
    raise CheckpointLayoutError(
        f'no segmentation classifier ({_V01_CLASSIFIER} or {_V02_CLASSIFIER}): not an '
        'ml-cvnets DeepLabv3 / PSPNet checkpoint')


def _pool_first(weight: Any, branches: int = 5) -> Any:
    """Projection weight over ``[b0, ..., b3, pool]`` -> over ``[pool, b0, ..., b3]``."""
    if weight.shape[1] % branches:
        raise CheckpointLayoutError(
            f'the ASPP projection reads {weight.shape[1]} channels: not {branches} '
            'branches of equal width')
    return weight.roll(weight.shape[1] // branches, dims=1).contiguous()


_BLOCK = r'\.block\.(conv|norm)\.(.+)$'
_RULES = [  # (Apple's key, ours), the ConvLayer's block.{conv,norm} matched by _BLOCK
    (r'^seg_head\.aspp\.aspp_layer\.convs\.([0-3])' + _BLOCK, 'decode_head.aspp_modules.{0}'),
    (r'^seg_head\.aspp\.aspp_layer\.convs\.4\.aspp_pool\.conv_1x1' + _BLOCK,
     'decode_head.image_pool.1'),
    (r'^seg_head\.aspp\.aspp_layer\.project' + _BLOCK, 'decode_head.bottleneck'),
    (r'^seg_head\.psp_layer\.psp_branches\.(\d+)\.1' + _BLOCK, 'decode_head.psp_modules.{0}.1'),
    (r'^seg_head\.psp_layer\.fusion\.0' + _BLOCK, 'decode_head.bottleneck'),
    (r'^seg_head\.(?:classifier\.)?classifier\.block\.(conv)\.(.+)$', 'decode_head.conv_seg'),
    (r'^seg_head\.aux_head\.(?:0|aux_projection)' + _BLOCK, 'auxiliary_head.convs.0'),
    (r'^seg_head\.aux_head\.(?:2|aux_classifier)\.block\.(conv)\.(.+)$',
     'auxiliary_head.conv_seg'),
]


def _convert_head_key(key: str) -> Optional[str]:
    for pattern, target in _RULES:
        m = re.match(pattern, key)
        if not m:
            continue
        *index, kind, rest = m.groups()
        base = target.format(*index)
        if base.endswith('conv_seg'):
            return f'{base}.{rest}'
        return f'{base}.{"conv" if kind == "conv" else "bn"}.{rest}'
    return None


def convert_mlcvnets_seg(state_dict: StateDict) -> StateDict:
    """An ml-cvnets / MobileViTv3 DeepLabv3 or PSPNet state dict -> our mmseg
    ``EncoderDecoder``'s (``backbone.*``, ``decode_head.*``, ``auxiliary_head.*``).

    Raises:
        CheckpointLayoutError: keys without a counterpart, or an ASPP projection whose
            input is not five equal branches.
    """
    seg_release(state_dict)  # raises for a file without a classifier
    result = OrderedDict(convert_mlcvnets(encoder_of(state_dict)))
    unmatched = []
    for key, value in state_dict.items():
        if key.startswith('encoder.'):
            continue
        new_key = _convert_head_key(key)
        if new_key is None:
            unmatched.append(key)
            continue
        if key == 'seg_head.aspp.aspp_layer.project.block.conv.weight':
            value = _pool_first(value)
        result[new_key] = value
    if unmatched:
        raise CheckpointLayoutError(
            f'{len(unmatched)} keys of this ml-cvnets segmentation checkpoint have no '
            f'counterpart in DeepLabv3 / PSPNet-MobileViT, e.g. {unmatched[:5]}')
    return result
