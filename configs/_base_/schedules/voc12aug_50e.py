# The schedule shape of ml-cvnets' PASCAL VOC segmenters (apple/ml-cvnets@d38a116
# config/segmentation/deeplabv3_mobilevit_small.yaml; the same in @84d992f
# config/segmentation/pascal_voc/deeplabv3_mobilevitv2.yaml): 50 epochs on 4 GPUs x 32,
# a 500-iteration linear warm-up from 0.1 x the lr, cosine to 1e-6, validation and a
# checkpoint every 5 epochs. The optimizer is each recipe's (in the configs).
num_train_images = 12046  # train.txt + aug.txt of mmseg's VOC-aug conversion
iters_per_epoch = -(-num_train_images // (4 * 32))
max_iters = 50 * iters_per_epoch
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=5 * iters_per_epoch)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=500),
    dict(type='CosineAnnealingLR', eta_min=1e-6, by_epoch=False, begin=0,
         end=max_iters, T_max=max_iters),
]
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='AtomicCheckpointHook', by_epoch=False, max_keep_ckpts=3,
                    save_best='mIoU', rule='greater', interval=5 * iters_per_epoch),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
# 4 GPUs x 32 images; `--auto-scale-lr` rescales the lr for other totals
auto_scale_lr = dict(enable=False, base_batch_size=128)
