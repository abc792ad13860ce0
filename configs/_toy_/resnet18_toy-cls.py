# Smoke config: mmpretrain's stock ResNet-18 classifier on the bundled toy
# ImageNet-format data (python tools/misc/make_toy_data.py). CPU, a minute.
_base_ = [
    'mmpretrain::_base_/models/resnet18.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(
    imports=['mmmobilevit', 'mmmobilevit.compat.enable'], allow_failed_imports=False)

classes = ('square', 'circle', 'triangle', 'cross')
data_root = 'data/toy/imagenet'
img_size = 64

model = dict(head=dict(num_classes=len(classes), topk=(1, )))
data_preprocessor = dict(
    num_classes=len(classes),
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=img_size, crop_ratio_range=(0.6, 1.0)),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.ResizeEdge', scale=img_size, edge='short'),
    dict(type='mmpretrain.CenterCrop', crop_size=img_size),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    dataset=dict(
        type='CustomDataset',
        data_root=data_root,
        ann_file='meta/train.txt',
        data_prefix='train',
        metainfo=dict(classes=classes),
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    dataset=dict(
        type='CustomDataset',
        data_root=data_root,
        ann_file='meta/val.txt',
        data_prefix='val',
        metainfo=dict(classes=classes),
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, T_max=3, eta_min=1e-3)
train_cfg = dict(by_epoch=True, max_epochs=3, val_interval=1)
val_cfg = dict()
test_cfg = dict()

default_hooks = dict(logger=dict(interval=5),
                     checkpoint=dict(type='AtomicCheckpointHook', interval=1))
randomness = dict(seed=0)
