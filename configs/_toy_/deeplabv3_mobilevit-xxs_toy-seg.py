# DeepLabv3-MobileViT-XXS (configs/mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py)
# trained from scratch on the bundled toy VOC-format data, on the CPU, in minutes.
# Differences from the VOC recipe: 96x96 crops of the 128x128 toy images, BN instead of
# SyncBN (CPU), random initialisation (no download), a short schedule, and an EMA with a
# momentum warm-up (the recipe's fixed 5e-4 would keep most of the initial weights).
_base_ = '../mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py'

crop_size = (96, 96)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(norm_cfg=norm_cfg,
                  init_cfg=dict(_delete_=True, type='Kaiming', layer='Conv2d',
                                mode='fan_out', nonlinearity='relu')),
    decode_head=dict(norm_cfg=norm_cfg))

data_root = 'data/toy/VOCdevkit/VOC2012'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(128, 128), ratio_range=(0.75, 1.25), keep_ratio=True),
    dict(type='mmseg.RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='mmseg.RandomFlip', prob=0.5),
    dict(type='mmseg.PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmseg.Resize', scale=(128, 128), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='mmseg.PackSegInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type='PascalVOCDataset',
        data_root=data_root,
        data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
        ann_file='ImageSets/Segmentation/train.txt',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

max_iters = 300
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=150)
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', eta_min=2e-5, by_epoch=False, begin=0,
         end=max_iters, T_max=max_iters),
]
custom_hooks = [
    dict(type='EMAEvalHook', ema_type='mmdet.ExpMomentumEMA', momentum=0.02, gamma=50,
         update_buffers=True, priority=49),
    dict(type='RNGStateHook'),
    dict(type='WeightsOnlyCheckpointHook'),
    dict(type='FiniteLossHook'),
    dict(type='LossExplosionHook'),
    dict(type='CheckpointFitHook'),
]
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=150, max_keep_ckpts=1))
env_cfg = dict(cudnn_benchmark=False)
randomness = dict(seed=0)
auto_scale_lr = dict(base_batch_size=8)
