# MobileViT-XXS classifier on the bundled toy ImageNet-format data with the multi-scale
# sampler (variable resolution and batch size per batch) and the EMA hook, on the CPU.
_base_ = ['mmpretrain::_base_/default_runtime.py']
custom_imports = dict(
    imports=['mmmobilevit', 'mmmobilevit.compat.enable'], allow_failed_imports=False)

classes = ('square', 'circle', 'triangle', 'cross')
data_root = 'data/toy/imagenet'

model = dict(
    type='MobileViTClassifier',  # mmpretrain's ImageClassifier with our load check
    backbone=dict(type='MobileViTBackbone', arch='mobilevit-xxs', out_indices=(5, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=len(classes),
              loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
              topk=(1, )))
data_preprocessor = dict(num_classes=len(classes), mean=[0., 0., 0.],
                         std=[255., 255., 255.], to_rgb=False)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiScaleRandomResizedCrop', scale=64, crop_ratio_range=(0.6, 1.0)),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.ResizeEdge', scale=64, edge='short'),
    dict(type='mmpretrain.CenterCrop', crop_size=64),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(
    batch_size=8,  # at the base resolution 64
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='MultiScaleBatchSampler', resolutions=[32, 64, 96],
                       base_resolution=64, rule='mlcvnets-v0.1', size_multiple=32),
    dataset=dict(
        type='MultiScaleDataset',
        dataset=dict(type='CustomDataset', data_root=data_root, ann_file='meta/train.txt',
                     data_prefix='train', metainfo=dict(classes=classes),
                     pipeline=train_pipeline)))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CustomDataset', data_root=data_root, ann_file='meta/val.txt',
                 data_prefix='val', metainfo=dict(classes=classes),
                 pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(type='AdamW', lr=3e-3, weight_decay=0.01))
# the schedule ends at epoch 12 whatever max_epochs says, so a shorter run (as the tests
# make with --cfg-options train_cfg.max_epochs=2) is a prefix of the full one. 12 epochs
# (132 updates): long enough that the EMA model has caught up with the raw one at the end
# (the former 6-epoch schedule ended with top-1 41.7 for the EMA model, 70.8 raw).
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=12, T_max=12,
                       eta_min=1e-4)
train_cfg = dict(by_epoch=True, max_epochs=12, val_interval=2)
val_cfg = dict()
test_cfg = dict()
# EMA with a momentum warm-up (a fixed 5e-4 would keep ~94% of the initial weights
# over these 132 steps); validation reports the EMA and the raw (raw/...) model
custom_hooks = [
    dict(type='EMAEvalHook', ema_type='mmdet.ExpMomentumEMA', momentum=0.02, gamma=20,
         priority=49),
    dict(type='BatchShapeLogHook'),
    dict(type='RNGStateHook'),
    dict(type='WeightsOnlyCheckpointHook'),
    dict(type='FiniteLossHook'),
    dict(type='LossExplosionHook'),
    dict(type='CheckpointFitHook'),
]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, save_best='accuracy/top1',
                    rule='greater'))
randomness = dict(seed=0)
