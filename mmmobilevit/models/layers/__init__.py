from .fusion import ConvAct, fold_norm_affine, fuse_conv_bn, fuse_conv_modules
from .inverted_residual import InvertedResidual, make_divisible
from .linear_attention import ConvFFN, LinearSelfAttention, LinearTransformerLayer
from .mobilevit_block import MobileViTBlock, MobileViTv2Block
from .norm import SingleGroupNorm, compiling_for_inductor
from .transformer import FFN, MultiheadSelfAttention, TransformerLayer

__all__ = [
    'ConvAct', 'fold_norm_affine', 'fuse_conv_bn', 'fuse_conv_modules',
    'InvertedResidual', 'make_divisible', 'LinearSelfAttention', 'ConvFFN',
    'LinearTransformerLayer', 'MobileViTBlock', 'MobileViTv2Block', 'FFN',
    'MultiheadSelfAttention', 'TransformerLayer', 'SingleGroupNorm',
    'compiling_for_inductor'
]
