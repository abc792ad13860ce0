"""PSPNet's head with pyramid branches narrower than the fusion conv (ml-cvnets')."""
from typing import Optional, Sequence

from mmcv.cnn import ConvModule
from mmengine.registry import MODELS
from mmseg.models.decode_heads.psp_head import PPM, PSPHead


def mlcvnets_branch_channels(in_channels: int, num_branches: int) -> int:
    """ml-cvnets' pyramid branch width: ``(C // branches) // 16 * 16``
    (``cvnets/modules/pspnet_module.py`` @ 84d992f)."""
    return (in_channels // num_branches) // 16 * 16


@MODELS.register_module()
class SlimBranchPSPHead(PSPHead):
    """:class:`mmseg.models.decode_heads.PSPHead` whose pooling branches have their own
    width, as ml-cvnets' PSPNet (``cvnets/modules/pspnet_module.py`` @ 84d992f).

    mmseg's branches are as wide as the head (``channels``); ml-cvnets' are
    ``(in_channels // 4) // 16 * 16`` while the 3x3 fusion conv outputs 512. The
    concatenation order, ``[input, pool 1, 2, 3, 6]``, and everything else (the
    classifier's ``Dropout2d`` and 1x1 conv, losses) are mmseg's. ml-cvnets resizes the
    branches with ``align_corners=True``: set the head's ``align_corners`` to match.

    Args:
        branch_channels (int, optional): Width of each pooling branch; None:
            :func:`mlcvnets_branch_channels` of ``in_channels``.
        pool_scales (Sequence[int]): Output sizes of the branches' pooling.
        **kwargs: The other ``BaseDecodeHead`` arguments.
    """

    def __init__(self, branch_channels: Optional[int] = None,
                 pool_scales: Sequence[int] = (1, 2, 3, 6), **kwargs) -> None:
        super().__init__(pool_scales=pool_scales, **kwargs)
        if branch_channels is None:
            branch_channels = mlcvnets_branch_channels(self.in_channels, len(pool_scales))
        if branch_channels <= 0:
            raise ValueError(f'branch_channels must be positive, got {branch_channels} '
                             f'(in_channels {self.in_channels})')
        self.branch_channels = branch_channels
        self.psp_modules = PPM(
            self.pool_scales,
            self.in_channels,
            branch_channels,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg,
            align_corners=self.align_corners)
        self.bottleneck = ConvModule(
            self.in_channels + len(pool_scales) * branch_channels,
            self.channels,
            3,
            padding=1,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)
