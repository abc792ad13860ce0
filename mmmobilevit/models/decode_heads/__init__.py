try:  # mmseg is needed by the segmentation configs only
    from .aspp_proj_head import ASPPProjHead
    from .slim_branch_psp_head import SlimBranchPSPHead, mlcvnets_branch_channels
    __all__ = ['ASPPProjHead', 'SlimBranchPSPHead', 'mlcvnets_branch_channels']
except ImportError:  # pragma: no cover
    __all__ = []
