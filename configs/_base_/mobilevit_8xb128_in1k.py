# The MobileViT ImageNet-1k recipe (paper section 4.1, ml-cvnets v0.1), shared by the
# configs/<family>/<arch>_8xb128_in1k.py configs, which set the arch. Used by MobileViT
# v1 and MobileViTv3-XXS/XS/S (the MobileViTv3-v1 overlay of d38a116). Values:
# apple/ml-cvnets@d38a116 config/classification/mobilevit_small.yaml, in the bases.
_base_ = [
    './models/mobilevit_cls.py',
    './datasets/imagenet_mlcvnets-v0.1.py',
    './schedules/imagenet_300e_mlcvnets-v0.1.py',
    './default_runtime_cls.py',
]

# the runtime's hooks, and the batch shapes of the multi-scale sampler in the log
custom_hooks = [
    dict(type='EMAEvalHook', momentum=5e-4, priority=49),
    dict(type='BatchShapeLogHook'),
    dict(type='RNGStateHook'),
    dict(type='WeightsOnlyCheckpointHook'),
    dict(type='FiniteLossHook'),
    dict(type='LossExplosionHook'),
    dict(type='CheckpointFitHook'),
]
