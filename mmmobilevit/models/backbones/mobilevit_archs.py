"""Architecture tables of the MobileViT family (v1, v2, v3), by name.

Each arch is a dict:

* ``block``: ``'mhsa'`` (MobileViT), ``'mhsa_v3'`` (MobileViTv3-S/XS/XXS),
  ``'linear'`` (MobileViTv2), ``'linear_v3'`` (MobileViTv3-0.5/0.75/1.0);
* ``stem_channels``; ``channels``: the five stages' output channels;
* ``mv2_blocks``: MV2 blocks in stages 1 and 2; ``expand_ratio``: MV2 expansion;
* ``attn_dims`` / ``attn_depths`` / ``ffn_dims``: stages 3-5's transformer widths,
  depths and FFN widths; ``num_heads`` (mhsa blocks);
* ``exp_channels``: the final 1x1 expansion conv (``None``: the arch has none);
* ``drop_rate``: the transformer dropout of the reference ImageNet training.

Sources: MobileViT paper Table 4 and ml-cvnets v0.1 (v1); ml-cvnets ``mobilevit_v2``
(v2); the MobileViTv3 paper and release (v3).
"""
from ..layers import make_divisible


def _v1(channels, attn_dims, expand_ratio, exp_channels, drop_rate, block='mhsa'):
    return dict(
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


def _v2(width, block='linear'):
    attn_dims = tuple(make_divisible(c * width, 8) for c in (128, 192, 256))
    return dict(
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


ARCH_SETTINGS = {
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

BLOCK_TYPES = ('mhsa', 'mhsa_v3', 'linear', 'linear_v3')
REQUIRED_KEYS = ('block', 'stem_channels', 'channels', 'mv2_blocks', 'expand_ratio',
                 'attn_dims', 'attn_depths', 'ffn_dims')


def get_arch(arch):
    """Return the arch dict for a name, or validate and complete a custom table."""
    if isinstance(arch, str):
        key = arch.lower()
        if key not in ARCH_SETTINGS:
            raise KeyError(f'Unknown MobileViT arch {arch!r}. Valid archs: '
                           f'{", ".join(ARCH_SETTINGS)}; or pass a dict with the keys '
                           f'{", ".join(REQUIRED_KEYS)}.')
        return dict(ARCH_SETTINGS[key])
    if not isinstance(arch, dict):
        raise TypeError(f'arch must be a name or a dict, got {type(arch).__name__}')
    missing = [k for k in REQUIRED_KEYS if k not in arch]
    if missing:
        raise KeyError(f'custom arch is missing the keys {missing}')
    if arch['block'] not in BLOCK_TYPES:
        raise ValueError(f"arch['block'] must be one of {BLOCK_TYPES}, got {arch['block']!r}")
    if len(arch['channels']) != 5 or len(arch['mv2_blocks']) != 2 or not (
            len(arch['attn_dims']) == len(arch['attn_depths']) == len(arch['ffn_dims']) == 3):
        raise ValueError('custom arch: channels needs 5 entries, mv2_blocks 2, and '
                         'attn_dims/attn_depths/ffn_dims 3 each')
    full = dict(num_heads=4, exp_channels=None, drop_rate=0.)
    full.update(arch)
    return full
