"""The explicit switch of a whole model to its inference form."""
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm


def fold_conv_module_norms(model: nn.Module) -> int:
    """Fold the BatchNorm of every mmcv ``ConvModule`` that applies it right after its
    conv (the necks and heads of mmdet / mmseg: SSDLite's extra levels and predictors,
    ASPP, PSP, FCN) into the conv's weight and bias; the norm becomes ``Identity``.

    Inference only: the folded modules no longer train as before.

    Returns:
        int: How many norms were folded.
    """
    from mmcv.cnn import ConvModule
    from mmcv.cnn.utils.fuse_conv_bn import _fuse_conv_bn
    folded = 0
    for module in model.modules():
        if not (isinstance(module, ConvModule) and module.with_norm
                and isinstance(module.norm, _BatchNorm)):
            continue
        order = list(module.order)
        if order.index('conv') + 1 != order.index('norm'):
            continue  # the norm does not directly follow the conv
        module.conv = _fuse_conv_bn(module.conv, module.norm)
        setattr(module, module.norm_name, nn.Identity())
        folded += 1
    return folded


def switch_to_deploy(model: nn.Module, fold_heads: bool = True) -> int:
    """Call ``switch_to_deploy()`` on every module of ``model`` that has one, then fold
    the BatchNorms of the remaining conv + norm modules (:func:`fold_conv_module_norms`)
    unless ``fold_heads`` is False (a checkpoint saved for configs that build only the
    backbone fused, ``model.backbone.deploy=True``, keeps the heads' norms).

    Works on any mmpretrain / mmdet / mmseg model (or a model wrapper) holding
    :class:`~mmmobilevit.models.MobileViTBackbone` or other modules with that method;
    puts the model in eval mode.

    Returns:
        int: How many modules were switched or folded (0: nothing in the model can
        deploy, or it already is).
    """
    model = getattr(model, 'module', model)  # DDP and other wrappers
    model.eval()
    targets = [m for m in model.modules()
               if callable(getattr(m, 'switch_to_deploy', None))
               and not getattr(m, 'deployed', False)]
    for module in targets:  # collected first: switching replaces submodules
        module.switch_to_deploy()
    return len(targets) + (fold_conv_module_norms(model) if fold_heads else 0)
