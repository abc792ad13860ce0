"""Architecture tables of the MobileViT family (v1, v2, v3), by name.

Sources: MobileViT paper Table 4 and ml-cvnets v0.1 (v1); ml-cvnets ``mobilevit_v2``
(v2); the MobileViTv3 paper and release (v3).
"""
import dataclasses
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple, Union

from ..layers import make_divisible
from ..layers.mobilevit_block import BLOCK_TYPES


@dataclass(frozen=True)
class MobileViTArch:
    """One MobileViT architecture.

    Args:
        block (str): The block type of stages 3-5 (:data:`BLOCK_TYPES`): ``'mhsa'``
            (MobileViT), ``'mhsa_v3'`` (MobileViTv3-S/XS/XXS), ``'linear'``
            (MobileViTv2), ``'linear_v3'`` (MobileViTv3-0.5/0.75/1.0).
        stem_channels (int): Output channels of the stem conv.
        channels (tuple[int]): Output channels of the five stages.
        mv2_blocks (tuple[int]): MV2 blocks in stages 1 and 2.
        expand_ratio (int): MV2 expansion ratio.
        attn_dims (tuple[int]): Transformer widths of stages 3-5.
        attn_depths (tuple[int]): Transformer depths of stages 3-5.
        ffn_dims (tuple[int]): FFN widths of stages 3-5.
        num_heads (int | None): Attention heads (``mhsa`` blocks).
        exp_channels (int | None): Channels of the final 1x1 expansion conv (``None``:
            the arch has none).
        drop_rate (float): Transformer dropout of the reference ImageNet training.
    """

    block: str
    stem_channels: int
    channels: Tuple[int, int, int, int, int]
    mv2_blocks: Tuple[int, int]
    expand_ratio: int
    attn_dims: Tuple[int, int, int]
    attn_depths: Tuple[int, int, int]
    ffn_dims: Tuple[int, int, int]
    num_heads: Optional[int] = 4
    exp_channels: Optional[int] = None
    drop_rate: float = 0.

    def __post_init__(self) -> None:
        if self.block not in BLOCK_TYPES:
            raise ValueError(
                f"arch['block'] must be one of {BLOCK_TYPES}, got {self.block!r}")
        if len(self.channels) != 5 or len(self.mv2_blocks) != 2 or not (
                len(self.attn_dims) == len(self.attn_depths) == len(self.ffn_dims) == 3):
            raise ValueError('custom arch: channels needs 5 entries, mv2_blocks 2, and '
                             'attn_dims/attn_depths/ffn_dims 3 each')

    @property
    def uses_mhsa(self) -> bool:
        """Multi-head self-attention blocks (v1, v3-S/XS/XXS) or separable ones."""
        return self.block in ('mhsa', 'mhsa_v3')

    @property
    def out_channels(self) -> int:
        """Channels of the last output (the expansion conv where there is one)."""
        return self.exp_channels or self.channels[-1]

    def to_dict(self) -> Dict[str, Any]:
        """The table as a plain dict (what a config's ``arch=dict(...)`` takes)."""
        return dataclasses.asdict(self)


REQUIRED_KEYS = tuple(f.name for f in dataclasses.fields(MobileViTArch)
                      if f.default is dataclasses.MISSING)


def _v1(channels: Tuple[int, ...], attn_dims: Tuple[int, int, int], expand_ratio: int,
        exp_channels: int, drop_rate: float, block: str = 'mhsa') -> MobileViTArch:
    return MobileViTArch(
        block=block,
        stem_channels=16,
        channels=channels,
        mv2_blocks=(1, 3),
        expand_ratio=expand_ratio,
        attn_dims=attn_dims,
        attn_depths=(2, 4, 3),
        ffn_dims=tuple(2 * d for d in attn_dims),
        num_heads=4,
        exp_channels=exp_channels,
        drop_rate=drop_rate)


def _v2(width: float, block: str = 'linear') -> MobileViTArch:
    attn_dims = tuple(make_divisible(c * width, 8) for c in (128, 192, 256))
    return MobileViTArch(
        block=block,
        stem_channels=make_divisible(min(max(32 * width, 16), 64), 8),
        channels=(make_divisible(64 * width, 16), ) + tuple(
            make_divisible(c * width, 8) for c in (128, 256, 384, 512)),
        mv2_blocks=(1, 2),
        expand_ratio=2,
        attn_dims=attn_dims,
        attn_depths=(2, 4, 3),
        ffn_dims=tuple(int(2 * d // 16 * 16) for d in attn_dims),
        num_heads=None,
        exp_channels=None,
        drop_rate=0.)


ARCH_SETTINGS: Dict[str, MobileViTArch] = {
    'mobilevit-xxs': _v1((16, 24, 48, 64, 80), (64, 80, 96), 2, 320, 0.05),
    'mobilevit-xs': _v1((32, 48, 64, 80, 96), (96, 120, 144), 4, 384, 0.1),
    'mobilevit-s': _v1((32, 64, 96, 128, 160), (144, 192, 240), 4, 640, 0.1),
    'mobilevitv3-xxs': _v1((16, 24, 64, 80, 128), (64, 80, 96), 2, 512, 0.05, 'mhsa_v3'),
    'mobilevitv3-xs': _v1((32, 48, 96, 160, 160), (96, 120, 144), 4, 640, 0.1, 'mhsa_v3'),
    'mobilevitv3-s': _v1((32, 64, 128, 256, 320), (144, 192, 240), 4, 960, 0.1, 'mhsa_v3'),
}
for _w in ('0.5', '0.75', '1.0', '1.25', '1.5', '1.75', '2.0'):
    ARCH_SETTINGS[f'mobilevitv2-{_w}'] = _v2(float(_w))
for _w in ('0.5', '0.75', '1.0'):
    ARCH_SETTINGS[f'mobilevitv3-{_w}'] = _v2(float(_w), 'linear_v3')
# MobileViTv3's low-latency variants (MobileViTv3-v1 modes `*_v3_fast`, release folders
# mobilevitv3_{XXS,XS,S}_L2_e300_*): stage 4's transformer has 2 layers instead of 4
for _size in ('xxs', 'xs', 's'):
    ARCH_SETTINGS[f'mobilevitv3-{_size}-l2'] = dataclasses.replace(
        ARCH_SETTINGS[f'mobilevitv3-{_size}'], attn_depths=(2, 2, 3))


def get_arch(arch: Union[str, dict, MobileViTArch]) -> MobileViTArch:
    """The arch of a name, or a custom table (dict or :class:`MobileViTArch`) validated."""
    if isinstance(arch, MobileViTArch):
        return arch
    if isinstance(arch, str):
        key = arch.lower()
        if key not in ARCH_SETTINGS:
            raise KeyError(f'Unknown MobileViT arch {arch!r}. Valid archs: '
                           f'{", ".join(ARCH_SETTINGS)}; or pass a dict with the keys '
                           f'{", ".join(REQUIRED_KEYS)}.')
        return ARCH_SETTINGS[key]
    if not isinstance(arch, dict):
        raise TypeError(f'arch must be a name or a dict, got {type(arch).__name__}')
    missing = [k for k in REQUIRED_KEYS if k not in arch]
    if missing:
        raise KeyError(f'custom arch is missing the keys {missing}')
    known = {f.name for f in dataclasses.fields(MobileViTArch)}
    unknown = sorted(set(arch) - known)
    if unknown:
        raise KeyError(f'custom arch has unknown keys {unknown}; known: {sorted(known)}')
    return MobileViTArch(**{k: tuple(v) if isinstance(v, list) else v
                            for k, v in arch.items()})
