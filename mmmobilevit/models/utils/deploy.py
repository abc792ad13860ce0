"""The explicit switch of a whole model to its inference form."""
from torch import nn


def switch_to_deploy(model: nn.Module) -> int:
    """Call ``switch_to_deploy()`` on every module of ``model`` that has one.

    Works on any mmpretrain / mmdet / mmseg model (or a model wrapper) holding
    :class:`~mmmobilevit.models.MobileViTBackbone` or other modules with that method;
    puts the model in eval mode.

    Returns:
        int: How many modules were switched (0: nothing in the model can deploy).
    """
    model = getattr(model, 'module', model)  # DDP and other wrappers
    model.eval()
    targets = [m for m in model.modules()
               if callable(getattr(m, 'switch_to_deploy', None))
               and not getattr(m, 'deployed', False)]
    for module in targets:  # collected first: switching replaces submodules
        module.switch_to_deploy()
    return len(targets)
