# Runtime shared by the DeepLabv3-MobileViT configs (VOC and ADE20K): mmseg's runtime with
# iteration-based logging, checkpoints that keep the best mIoU (each config sets
# default_hooks.checkpoint.interval to its validation interval), the papers' EMA of the
# weights (momentum 5e-4) and the RNG-state hook (exact resumption).
_base_ = 'mmseg::_base_/default_runtime.py'
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
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='AtomicCheckpointHook', by_epoch=False, max_keep_ckpts=3,
                    save_best='mIoU', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
