"""mmseg's ASPPHead with DeepLabv3's 1x1 projection of the ASPP branches."""
from typing import Tuple

from mmcv.cnn import ConvModule
from mmengine.registry import MODELS
from mmseg.models.decode_heads import ASPPHead
from torch import nn


@MODELS.register_module()
class ASPPProjHead(ASPPHead):
    """:class:`mmseg.models.decode_heads.ASPPHead` whose concatenated branches are
    projected by a 1x1 conv (BN + act), as in DeepLabv3 and ml-cvnets.

    mmseg's ``ASPPHead`` fuses the (1 + len(dilations)) branches with a 3x3 conv
    (``bottleneck``); DeepLabv3 and the MobileViT papers use a 1x1 projection. On
    MobileViT-S with 256 channels the 3x3 fusion alone adds about 2.6M parameters to
    the paper's 6.4M model. Everything else (branches, image pooling, classifier
    dropout, classifier, losses) is mmseg's.

    The concatenation order is mmseg's, ``[pool, 1x1, r1, r2, r3]``; ml-cvnets'
    is ``[1x1, r1, r2, r3, pool]``, which its checkpoints' converter
    (:mod:`mmmobilevit.checkpoint.seg_layout`) rearranges in the projection's input
    channels, so the logits are the same.

    Args:
        dilations (tuple[int]): Dilations of the branches (1 is the 1x1 branch).
        bottleneck_kernel_size (int): Kernel of the projection (1: DeepLabv3).
        projection_dropout (float): Element-wise dropout after the projection, before
            the classifier's ``Dropout2d`` (``dropout_ratio``): ml-cvnets v0.1's ASPP
            (``cvnets/modules/aspp_block.py`` @ d38a116: ``Dropout(p=0.1)``). 0: none.
        **kwargs: The other :class:`ASPPHead` / ``BaseDecodeHead`` arguments.
    """

    def __init__(self, dilations: Tuple[int, ...] = (1, 6, 12, 18),
                 bottleneck_kernel_size: int = 1, projection_dropout: float = 0.,
                 **kwargs) -> None:
        super().__init__(dilations=dilations, **kwargs)
        if not 0. <= projection_dropout < 1.:
            raise ValueError(f'projection_dropout must be in [0, 1), got {projection_dropout}')
        self.bottleneck = ConvModule(
            (len(dilations) + 1) * self.channels,
            self.channels,
            bottleneck_kernel_size,
            padding=bottleneck_kernel_size // 2,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)
        self.projection_dropout = (nn.Dropout(projection_dropout) if projection_dropout > 0
                                   else nn.Identity())

    def _forward_feature(self, inputs):
        """The projected ASPP features (before the classifier)."""
        return self.projection_dropout(super()._forward_feature(inputs))
