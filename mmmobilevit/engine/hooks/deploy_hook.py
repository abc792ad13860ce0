"""Switch the model to its inference form before testing."""
from typing import TYPE_CHECKING

from mmengine.hooks import EMAHook, Hook
from mmengine.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner

from ...models.utils import switch_to_deploy


@HOOKS.register_module()
class DeployHook(Hook):
    """Calls ``switch_to_deploy()`` on the model after its checkpoint is loaded.

    ``tools/test.py --deploy`` adds it; a test config may list it too. It runs in
    ``before_test``, after ``Runner.test`` has loaded the (unfused) checkpoint.

    EMA hooks keep a copy of the model and swap parameters with it around testing; the
    copy is switched too, so the swap stays one-to-one and needs no special case (at
    test time both hold the checkpoint's ``state_dict``, i.e. its EMA weights).
    """

    priority = 'VERY_HIGH'

    def before_test(self, runner: 'Runner') -> None:
        switched = switch_to_deploy(runner.model)
        if not switched:
            raise RuntimeError(
                'DeployHook: nothing in this model can switch to deploy mode '
                '(no module has switch_to_deploy(); MobileViTBackbone has)')
        for hook in runner.hooks:
            if isinstance(hook, EMAHook) and getattr(hook, 'ema_model', None) is not None:
                switch_to_deploy(hook.ema_model.module)
        runner.logger.info(f'DeployHook: {switched} module(s) switched to deploy mode')
