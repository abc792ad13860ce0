"""Our MobileViT state dicts in Apple's key layout, for tests of the converters."""
import re


def to_apple_layout(sd):
    """Our names -> Apple's (ml-cvnets / MobileViTv3), written from the documented
    layout: conv_1.block.{conv,norm}, layer_N.M.block.{exp_1x1,conv_3x3,red_1x1}.block.*,
    local_rep.{conv_3x3,conv_1x1} (v1) or local_rep.{0,1} (v2), pre_norm_mha.{0,1.qkv_proj,
    1.out_proj}, pre_norm_ffn.{0,1,4} (v1), pre_norm_attn / pre_norm_ffn.{0,1,3} with
    ConvLayer blocks (v2), conv_proj.block, fusion.block, conv_1x1_exp.block,
    classifier.fc (v1) or classifier.1 (v2)."""
    linear = any('.norm1.' in k for k in sd)
    out = {}
    for key, v in sd.items():
        k = key.replace('backbone.', '')
        k = re.sub(r'^stem\.', 'conv_1.block.', k)
        k = re.sub(r'^conv_1x1_exp\.', 'conv_1x1_exp.block.', k)
        m = re.match(r'^layers\.(\d+)\.(\d+)\.conv\.(\d)\.(.+)$', k)
        if m:
            i, j, c, rest = m.groups()
            n_convs = len({kk.split('.conv.')[1][0] for kk in sd
                           if kk.startswith(f'backbone.layers.{i}.{j}.conv.')})
            names = ['exp_1x1', 'conv_3x3', 'red_1x1'][3 - n_convs:]
            k = f'layer_{int(i) + 1}.{j}.block.{names[int(c)]}.block.{rest}'
        m = re.match(r'^layers\.(\d+)\.(\d+)\.(.+)$', k)
        if m:
            i, j, rest = m.groups()
            if linear:
                rest = re.sub(r'^local_rep\.(\d)\.', r'local_rep.\g<1>.block.', rest)
                rest = re.sub(r'\.norm1\.', '.pre_norm_attn.0.', rest)
                rest = re.sub(r'\.attn\.qkv\.', '.pre_norm_attn.1.qkv_proj.block.conv.', rest)
                rest = re.sub(r'\.attn\.proj\.', '.pre_norm_attn.1.out_proj.block.conv.', rest)
                rest = re.sub(r'\.norm2\.', '.pre_norm_ffn.0.', rest)
                rest = re.sub(r'\.ffn\.fc1\.', '.pre_norm_ffn.1.block.conv.', rest)
                rest = re.sub(r'\.ffn\.fc2\.', '.pre_norm_ffn.3.block.conv.', rest)
            else:
                rest = re.sub(r'^local_rep\.0\.', 'local_rep.conv_3x3.block.', rest)
                rest = re.sub(r'^local_rep\.1\.', 'local_rep.conv_1x1.block.', rest)
                rest = re.sub(r'\.ln1\.', '.pre_norm_mha.0.', rest)
                rest = re.sub(r'\.attn\.qkv\.', '.pre_norm_mha.1.qkv_proj.', rest)
                rest = re.sub(r'\.attn\.proj\.', '.pre_norm_mha.1.out_proj.', rest)
                rest = re.sub(r'\.ln2\.', '.pre_norm_ffn.0.', rest)
                rest = re.sub(r'\.ffn\.layers\.0\.0\.', '.pre_norm_ffn.1.', rest)
                rest = re.sub(r'\.ffn\.layers\.1\.', '.pre_norm_ffn.4.', rest)
            rest = re.sub(r'^conv_proj\.', 'conv_proj.block.', rest)
            rest = re.sub(r'^conv_fusion\.', 'fusion.block.', rest)
            k = f'layer_{int(i) + 1}.{j}.{rest}'
        k = k.replace('.bn.', '.norm.')
        k = re.sub(r'^head\.fc\.', 'classifier.1.' if linear else 'classifier.fc.', k)
        out[k] = v
    return out


def apple_segmenter_state(config: str, seed: int = 0) -> dict:
    """A random segmenter in the ml-cvnets release layout, shaped as ``config`` (a path
    below the repository) says: its arch, head, classes, output stride and aux head."""
    import os.path as osp

    import torch
    from mmengine.config import Config

    from .mlcvnets_seg_reference import AppleSegmentation
    from .tools import REPO
    cfg = Config.fromfile(osp.join(REPO, config))
    head = cfg.model.decode_head
    torch.manual_seed(seed)
    return AppleSegmentation(
        cfg.model.backbone.arch, head='deeplabv3',
        release=cfg.model.test_cfg.protocol[len('mlcvnets-'):], n_classes=head.num_classes,
        output_stride=cfg.model.backbone.out_stride, channels=head.channels,
        rates=tuple(head.dilations[1:]),
        aux=cfg.model.auxiliary_head is not None).apple_state_dict()
