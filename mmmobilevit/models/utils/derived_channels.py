"""Input channels that follow from a MobileViT backbone's arch.

A config names the arch once: our top-level models (:class:`~mmmobilevit.models.SSDLite`,
:class:`~mmmobilevit.models.MLCVNetsEncoderDecoder`,
:class:`~mmmobilevit.models.MobileViTClassifier`) fill the ``in_channels`` their neck and
heads leave out (or set to None) from the ``MobileViTBackbone`` config, before anything
is built. A value a config does give must agree with the arch; another backbone type
leaves every value to the config.
"""
from typing import Any, List, Mapping, Optional, Sequence

from ..backbones.mobilevit_archs import get_arch

BACKBONE_TYPES = ('MobileViTBackbone', 'mmmobilevit.MobileViTBackbone')


def backbone_out_channels(backbone: Any) -> Optional[List[int]]:
    """Channels of each output of a ``MobileViTBackbone`` config, in the order the
    backbone returns them (sorted ``out_indices``); None for another backbone."""
    if not isinstance(backbone, Mapping) or backbone.get('type') not in BACKBONE_TYPES:
        return None
    arch = get_arch(backbone.get('arch', 'mobilevit-s'))
    channels = list(arch.channels) + ([arch.exp_channels] if arch.exp_channels else [])
    indices = backbone.get('out_indices')
    if indices is None:
        indices = [len(channels) - 1]
    elif isinstance(indices, int):
        indices = [indices]
    n = len(channels)
    return [channels[i] for i in sorted({i + n if i < 0 else i for i in indices})]


def with_value(cfg: Optional[Mapping], key: str, value: Any, arch: Any,
               where: str) -> Optional[dict]:
    """``cfg`` with ``key`` set to ``value`` where it is missing or None (a copy; the
    caller's dict is left as it is); a different value given is refused."""
    if cfg is None:
        return None
    given = cfg.get(key)
    if given is None:
        return {**cfg, key: value}
    same = (list(given) == list(value)) if isinstance(value, Sequence) and \
        isinstance(given, Sequence) else given == value
    if not same:
        raise ValueError(f'{where}.{key}={given!r} does not fit the backbone: arch {arch!r} '
                         f'gives {value!r} there. Leave {where}.{key} out of the config '
                         'to take it from the arch.')
    return cfg


def pick(channels: List[int], index: Any) -> Any:
    """``channels[index]`` for an int, a list of them for a sequence."""
    if isinstance(index, Sequence):
        return [channels[i] for i in index]
    return channels[index]
