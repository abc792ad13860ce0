"""Narrow fixes for the pinned OpenMMLab stack, applied once on ``import mmmobilevit``.

Each fix touches one documented spot and leaves everything else as shipped:

* :mod:`.mmengine_checkpoint` -- mmengine 0.10.7 loads local checkpoints with a bare
  ``torch.load``; since torch 2.6 that defaults to ``weights_only=True`` and refuses
  mmengine's own checkpoints (resume, ``load_from``, ``tools/test.py``).
* :mod:`.mmengine_dist` -- mmengine's PyTorch launcher calls ``torch.cuda.set_device``
  even on machines without a GPU; there we start the process group on gloo instead.
* :mod:`.mmdet_ssd_head` -- mmdet 3.3.0's ``SSDHead`` never sets ``loss_cls``, which
  ``BaseDenseHead._predict_by_feat_single`` reads, so SSD models cannot predict.
* :mod:`mmmobilevit.analysis.flops` -- mmengine's FLOP counter skips
  ``scaled_dot_product_attention``; we register a handler for it.
"""
from .mmdet_ssd_head import patch_ssd_head
from .mmengine_checkpoint import patch_checkpoint_loader
from .mmengine_dist import patch_dist_init

_applied = False


def apply_patches():
    """Apply every fix once (idempotent)."""
    global _applied
    if _applied:
        return
    patch_checkpoint_loader()
    patch_dist_init()
    patch_ssd_head()
    from ..analysis import register_sdpa_flop_handle
    register_sdpa_flop_handle()
    _applied = True


__all__ = ['apply_patches']
