"""Recognise and convert the public MobileViT checkpoint layouts (pure functions).

Tensors in, tensors out: nothing here reads or writes files, builds a model or parses a
command line. :mod:`mmmobilevit.checkpoint.io` loads files, the backbone's
``init_weights`` and ``tools/model_converters/`` call these functions.

Our parameter names are mmpretrain's (``backbone.stem.conv.weight``,
``backbone.layers.2.1.global_rep.0.attn.qkv.weight``, ``head.fc.weight``...), extended
for v2/v3 blocks, so mmpretrain's v1 checkpoints load unchanged. Two other layouts are
converted key by key:

* ``mlcvnets``: Apple's ml-cvnets releases (v1 at cvnets-v0.1, v2 at main) and the
  MobileViTv3 release, which is built on them (``conv_1.block.conv.weight``,
  ``layer_3.1.global_rep.0.pre_norm_mha.1.qkv_proj.weight``, ``classifier.fc.weight``);
* ``timm``: timm's ``mobilevit_*`` / ``mobilevitv2_*`` (``stem.conv.weight``,
  ``stages.2.1.transformer.0.attn.qkv.weight``, ``final_conv``, ``head.fc``).

:func:`to_mmpretrain_layout` returns a classifier state dict (``backbone.*``,
``head.*``) whatever the input layout, and raises :class:`CheckpointLayoutError` for a
state dict that is not a MobileViT checkpoint.
"""
import re
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Tuple

StateDict = Dict[str, Any]

LAYOUTS = ('mmpretrain', 'mlcvnets', 'timm')


class CheckpointLayoutError(ValueError):
    """The state dict is not a MobileViT checkpoint of a known layout."""


def unwrap_state_dict(checkpoint: Any) -> StateDict:
    """The state dict inside a checkpoint file's content (without ``module.``)."""
    if not isinstance(checkpoint, dict):
        raise CheckpointLayoutError(
            f'expected a checkpoint dict, got {type(checkpoint).__name__}')
    for key in ('state_dict', 'model', 'model_state', 'state_dict_ema'):
        if key in checkpoint and isinstance(checkpoint[key], dict):
            checkpoint = checkpoint[key]
            break
    return OrderedDict(
        (k[7:] if k.startswith('module.') else k, v) for k, v in checkpoint.items())


def detect_layout(state_dict: StateDict) -> str:
    """``'mmpretrain'``, ``'mlcvnets'`` or ``'timm'``; raises for anything else."""
    keys = list(state_dict)
    if any(k.startswith('conv_1.block.conv') for k in keys) and any(
            k.startswith('layer_5.') for k in keys):
        return 'mlcvnets'
    if any(k.startswith('stages.') for k in keys) and 'stem.conv.weight' in state_dict:
        return 'timm'
    if any(re.match(r'^(backbone\.)?stem\.conv\.weight$', k) for k in keys) and any(
            re.match(r'^(backbone\.)?layers\.4\.', k) for k in keys):
        return 'mmpretrain'
    sample = ', '.join(keys[:5])
    raise CheckpointLayoutError(
        'not a MobileViT checkpoint of a known layout (mmpretrain / ml-cvnets / '
        f'MobileViTv3 / timm); its first keys are: {sample}')


def _rename(state_dict: StateDict, rules: List[Tuple[str, str]], layout: str) -> StateDict:
    out = OrderedDict()
    unmatched = []
    for key, value in state_dict.items():
        for pattern, repl in rules:
            new_key, n = re.subn(pattern, repl, key)
            if n:
                out[new_key] = value
                break
        else:
            unmatched.append(key)
    if unmatched:
        raise CheckpointLayoutError(
            f'{len(unmatched)} keys of this {layout} checkpoint have no MobileViT '
            f'counterpart, e.g. {unmatched[:5]}')
    return out


def _mv2_index_fixups(state_dict: StateDict) -> Callable[[str, str], int]:
    """ml-cvnets names MV2 convs; ours are indexed and skip exp_1x1 when absent."""
    has_exp = {re.match(r'^(layer_\d+\.\d+)\.', k).group(1)
               for k in state_dict if '.block.exp_1x1.' in k}

    def index(block: str, name: str) -> int:
        if name == 'exp_1x1':
            return 0
        offset = 1 if block in has_exp else 0
        return offset + (0 if name == 'conv_3x3' else 1)

    return index


_MLCVNETS_MV2 = re.compile(r'^layer_(\d+)\.(\d+)\.block\.(exp_1x1|conv_3x3|red_1x1)\.block\.'
                           r'(conv|norm)\.(.+)$')
_MLCVNETS_BLOCK = re.compile(r'^layer_(\d+)\.(\d+)\.')
_MLCVNETS_TOP = [  # keys outside layer_N.M
    (r'^conv_1\.block\.conv\.(.+)$', r'backbone.stem.conv.\g<1>'),
    (r'^conv_1\.block\.norm\.(.+)$', r'backbone.stem.bn.\g<1>'),
    (r'^conv_1x1_exp\.block\.conv\.(.+)$', r'backbone.conv_1x1_exp.conv.\g<1>'),
    (r'^conv_1x1_exp\.block\.norm\.(.+)$', r'backbone.conv_1x1_exp.bn.\g<1>'),
    (r'^classifier\.(fc|1)\.(.+)$', r'head.fc.\g<2>'),
]
_MLCVNETS_IN_BLOCK = [  # the rest of a MobileViT block's keys after layer_N.M.
    (r'^local_rep\.(conv_3x3|0)\.block\.conv\.(.+)$', r'local_rep.0.conv.\g<2>'),
    (r'^local_rep\.(conv_3x3|0)\.block\.norm\.(.+)$', r'local_rep.0.bn.\g<2>'),
    (r'^local_rep\.(conv_1x1|1)\.block\.conv\.(.+)$', r'local_rep.1.conv.\g<2>'),
    # v1 / v3-S: multi-head attention transformer
    (r'^global_rep\.(\d+)\.pre_norm_mha\.0\.(.+)$', r'global_rep.\g<1>.ln1.\g<2>'),
    (r'^global_rep\.(\d+)\.pre_norm_mha\.1\.qkv_proj\.(.+)$',
     r'global_rep.\g<1>.attn.qkv.\g<2>'),
    (r'^global_rep\.(\d+)\.pre_norm_mha\.1\.out_proj\.(.+)$',
     r'global_rep.\g<1>.attn.proj.\g<2>'),
    (r'^global_rep\.(\d+)\.pre_norm_ffn\.0\.(.+)$', r'global_rep.\g<1>.ln2.\g<2>'),
    (r'^global_rep\.(\d+)\.pre_norm_ffn\.1\.(weight|bias)$',
     r'global_rep.\g<1>.ffn.layers.0.0.\g<2>'),
    (r'^global_rep\.(\d+)\.pre_norm_ffn\.4\.(weight|bias)$',
     r'global_rep.\g<1>.ffn.layers.1.\g<2>'),
    # v2 / v3-0.5..1.0: separable attention
    (r'^global_rep\.(\d+)\.pre_norm_attn\.0\.(.+)$', r'global_rep.\g<1>.norm1.\g<2>'),
    (r'^global_rep\.(\d+)\.pre_norm_attn\.1\.qkv_proj\.block\.conv\.(.+)$',
     r'global_rep.\g<1>.attn.qkv.\g<2>'),
    (r'^global_rep\.(\d+)\.pre_norm_attn\.1\.out_proj\.block\.conv\.(.+)$',
     r'global_rep.\g<1>.attn.proj.\g<2>'),
    (r'^global_rep\.(\d+)\.pre_norm_ffn\.1\.block\.conv\.(.+)$',
     r'global_rep.\g<1>.ffn.fc1.\g<2>'),
    (r'^global_rep\.(\d+)\.pre_norm_ffn\.3\.block\.conv\.(.+)$',
     r'global_rep.\g<1>.ffn.fc2.\g<2>'),
    (r'^global_rep\.(\d+)\.(weight|bias)$', r'global_rep.\g<1>.\g<2>'),
    (r'^conv_proj\.block\.conv\.(.+)$', r'conv_proj.conv.\g<1>'),
    (r'^conv_proj\.block\.norm\.(.+)$', r'conv_proj.bn.\g<1>'),
    (r'^fusion\.block\.conv\.(.+)$', r'conv_fusion.conv.\g<1>'),
    (r'^fusion\.block\.norm\.(.+)$', r'conv_fusion.bn.\g<1>'),
]


def convert_mlcvnets(state_dict: StateDict) -> StateDict:
    """Apple ml-cvnets / MobileViTv3 layout -> ours (``backbone.*``, ``head.*``).

    One pass, one rule per key: MV2 convs (named in ml-cvnets, indexed in ours), the
    keys outside the stages, then the MobileViT blocks' keys.
    """
    mv2_index = _mv2_index_fixups(state_dict)
    # v2's pre_norm_ffn.0 is a GroupNorm (norm2), v1's a LayerNorm (ln2)
    v2_blocks = {m.group(0) for m in (_MLCVNETS_BLOCK.match(k) for k in state_dict
                                      if '.pre_norm_attn.' in k) if m}

    def convert_key(key: str) -> Optional[str]:
        m = _MLCVNETS_MV2.match(key)
        if m:
            stage, j, name, kind, rest = m.groups()
            kind = 'conv' if kind == 'conv' else 'bn'
            index = mv2_index(f'layer_{stage}.{j}', name)
            return f'backbone.layers.{int(stage) - 1}.{j}.conv.{index}.{kind}.{rest}'
        for pattern, repl in _MLCVNETS_TOP:
            new_key, n = re.subn(pattern, repl, key)
            if n:
                return new_key
        m = _MLCVNETS_BLOCK.match(key)
        if m:
            for pattern, repl in _MLCVNETS_IN_BLOCK:
                rest, n = re.subn(pattern, repl, key[m.end():])
                if n:
                    if m.group(0) in v2_blocks:
                        rest = rest.replace('.ln2.', '.norm2.')
                    return f'backbone.layers.{int(m.group(1)) - 1}.{m.group(2)}.{rest}'
        return None

    result, unmatched = OrderedDict(), []
    for key, value in state_dict.items():
        new_key = convert_key(key)
        if new_key is None:
            unmatched.append(key)
        else:
            result[new_key] = value
    if unmatched:
        raise CheckpointLayoutError(
            f'{len(unmatched)} keys of this ml-cvnets checkpoint have no MobileViT '
            f'counterpart, e.g. {unmatched[:5]}')
    return result


def convert_timm(state_dict: StateDict) -> StateDict:
    """timm ``mobilevit_*`` / ``mobilevitv2_*`` layout -> ours."""
    depths = {}
    for k in state_dict:
        m = re.match(r'^stages\.(\d+)\.(\d+)\.transformer\.(\d+)\.', k)
        if m:
            blk = (m.group(1), m.group(2))
            depths[blk] = max(depths.get(blk, 0), int(m.group(3)) + 1)
    out = OrderedDict()
    for key, value in state_dict.items():
        m = re.match(r'^stages\.(\d+)\.(\d+)\.norm\.(weight|bias)$', key)
        if m:  # the final norm after the transformer stack
            i, j, p = m.groups()
            out[f'stages.{i}.{j}.global_rep.{depths[(i, j)]}.{p}'] = value
        else:
            out[key] = value
    rules = [
        (r'^stem\.(conv|bn)\.(.+)$', r'backbone.stem.\g<1>.\g<2>'),
        (r'^final_conv\.(conv|bn)\.(.+)$', r'backbone.conv_1x1_exp.\g<1>.\g<2>'),
        (r'^head\.fc\.(.+)$', r'head.fc.\g<1>'),
        (r'^stages\.(\d+)\.(\d+)\.conv1_1x1\.(conv|bn)\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.conv.0.\g<3>.\g<4>'),
        (r'^stages\.(\d+)\.(\d+)\.conv2_kxk\.(conv|bn)\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.conv.1.\g<3>.\g<4>'),
        (r'^stages\.(\d+)\.(\d+)\.conv3_1x1\.(conv|bn)\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.conv.2.\g<3>.\g<4>'),
        (r'^stages\.(\d+)\.(\d+)\.conv_kxk\.(conv|bn)\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.local_rep.0.\g<3>.\g<4>'),
        (r'^stages\.(\d+)\.(\d+)\.conv_1x1\.weight$',
         r'backbone.layers.\g<1>.\g<2>.local_rep.1.conv.weight'),
        (r'^stages\.(\d+)\.(\d+)\.global_rep\.(\d+)\.(weight|bias)$',
         r'backbone.layers.\g<1>.\g<2>.global_rep.\g<3>.\g<4>'),
        (r'^stages\.(\d+)\.(\d+)\.transformer\.(\d+)\.norm1\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.global_rep.\g<3>.NORM1.\g<4>'),
        (r'^stages\.(\d+)\.(\d+)\.transformer\.(\d+)\.norm2\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.global_rep.\g<3>.NORM2.\g<4>'),
        (r'^stages\.(\d+)\.(\d+)\.transformer\.(\d+)\.attn\.(qkv|qkv_proj)\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.global_rep.\g<3>.attn.qkv.\g<5>'),
        (r'^stages\.(\d+)\.(\d+)\.transformer\.(\d+)\.attn\.(proj|out_proj)\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.global_rep.\g<3>.attn.proj.\g<5>'),
        (r'^stages\.(\d+)\.(\d+)\.transformer\.(\d+)\.mlp\.fc1\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.global_rep.\g<3>.MLP1.\g<4>'),
        (r'^stages\.(\d+)\.(\d+)\.transformer\.(\d+)\.mlp\.fc2\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.global_rep.\g<3>.MLP2.\g<4>'),
        (r'^stages\.(\d+)\.(\d+)\.conv_proj\.(conv|bn)\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.conv_proj.\g<3>.\g<4>'),
        (r'^stages\.(\d+)\.(\d+)\.conv_fusion\.(conv|bn)\.(.+)$',
         r'backbone.layers.\g<1>.\g<2>.conv_fusion.\g<3>.\g<4>'),
    ]
    renamed = _rename(out, rules, 'timm')
    # v1 blocks (Linear qkv, 2-D weight) use ln1/ln2 and ffn.layers; v2 blocks
    # (1x1 conv qkv, 4-D weight) use norm1/norm2 and ffn.fc1/fc2.
    linear_blocks = {
        k.rsplit('.global_rep.', 1)[0] for k, v in renamed.items()
        if k.endswith('.attn.qkv.weight') and v.dim() == 4
    }
    result = OrderedDict()
    for key, value in renamed.items():
        if any(t in key for t in ('.NORM1.', '.NORM2.', '.MLP1.', '.MLP2.')):
            is_linear = key.rsplit('.global_rep.', 1)[0] in linear_blocks
            names = (('.norm1.', '.norm2.', '.ffn.fc1.', '.ffn.fc2.') if is_linear else
                     ('.ln1.', '.ln2.', '.ffn.layers.0.0.', '.ffn.layers.1.'))
            for tag, name in zip(('.NORM1.', '.NORM2.', '.MLP1.', '.MLP2.'), names):
                key = key.replace(tag, name)
        result[key] = value
    return result


def to_mmpretrain_layout(checkpoint: Any) -> Tuple[StateDict, str]:
    """Any known MobileViT checkpoint (file content or state dict) -> our layout.

    Returns:
        tuple[OrderedDict, str]: the state dict with ``backbone.``/``head.`` keys (or
        the mmpretrain-layout keys as they were) and the detected layout name.
    """
    state_dict = unwrap_state_dict(checkpoint)
    layout = detect_layout(state_dict)
    if layout == 'mlcvnets':
        return convert_mlcvnets(state_dict), layout
    if layout == 'timm':
        return convert_timm(state_dict), layout
    return state_dict, layout
