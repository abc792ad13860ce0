"""mmseg's ASPPHead with DeepLabv3's 1x1 projection of the ASPP branches."""
from typing import Tuple

from mmcv.cnn import ConvModule
from mmengine.registry import MODELS
from mmseg.models.decode_heads import ASPPHead


@MODELS.register_module()
class ASPPProjHead(ASPPHead):
    """:class:`mmseg.models.decode_heads.ASPPHead` whose concatenated branches are
    projected by a 1x1 conv (BN + act), as in DeepLabv3 and ml-cvnets.

    mmseg's ``ASPPHead`` fuses the (1 + len(dilations)) branches with a 3x3 conv
    (``bottleneck``); DeepLabv3 and the MobileViT papers use a 1x1 projection. On
    MobileViT-S with 256 channels the 3x3 fusion alone adds about 2.6M parameters to
    the paper's 6.4M model. Everything else (branches, image pooling,
    dropout, classifier, losses) is mmseg's.

    Args:
        dilations (tuple[int]): Dilations of the branches (1 is the 1x1 branch).
        bottleneck_kernel_size (int): Kernel of the projection (1: DeepLabv3).
        **kwargs: The other :class:`ASPPHead` / ``BaseDecodeHead`` arguments.
    """

    def __init__(self, dilations: Tuple[int, ...] = (1, 6, 12, 18),
                 bottleneck_kernel_size: int = 1, **kwargs) -> None:
        super().__init__(dilations=dilations, **kwargs)
        self.bottleneck = ConvModule(
            (len(dilations) + 1) * self.channels,
            self.channels,
            bottleneck_kernel_size,
            padding=bottleneck_kernel_size // 2,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)
