from ...extras import installed

__all__ = []
if installed('mmseg'):  # the segmentation configs need mmseg
    from .aspp_proj_head import ASPPProjHead
    from .slim_branch_psp_head import SlimBranchPSPHead, mlcvnets_branch_channels
    __all__ += ['ASPPProjHead', 'SlimBranchPSPHead', 'mlcvnets_branch_channels']
