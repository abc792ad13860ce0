# What every MobileViT config adds to its framework's runtime (default_runtime_{cls,det,
# seg}.py): our package, and our hooks. The papers' EMA of the weights (momentum 5e-4,
# the recipes' ema.momentum), validated beside the raw model (checkpoints hold the EMA
# weights); exact resumption (RNG states); weights-only loadable checkpoints; stops on a
# NaN or exploding loss; a check that a loaded checkpoint fits.
custom_imports = dict(
    imports=['mmmobilevit', 'mmmobilevit.compat.enable'], allow_failed_imports=False)
custom_hooks = [
    dict(type='EMAEvalHook', momentum=5e-4, priority=49),
    dict(type='RNGStateHook'),
    dict(type='WeightsOnlyCheckpointHook'),
    dict(type='FiniteLossHook'),
    dict(type='LossExplosionHook'),
    dict(type='CheckpointFitHook'),
]
