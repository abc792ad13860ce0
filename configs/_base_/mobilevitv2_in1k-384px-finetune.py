# Fine-tuning a MobileViTv2 at 384x384 on ImageNet-1k (the zoo's "384x384" models).
# Every value: apple/ml-cvnets@84d992f
# config/classification/finetune_higher_res_in1k/mobilevit_v2.yaml unless noted; the arch
# configs set the arch and `load_from` (the 256x256 weights it starts from).
_base_ = ['./mobilevitv2_8xb128_in1k.py']

model = dict(train_cfg=dict(_delete_=True))  # no mixup / cutmix in this yaml

train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    # random_resized_crop bicubic and flip only (no rand_augment / random_erase)
    dict(type='mmpretrain.RandomResizedCrop', scale=384, backend='pillow', interpolation='bicubic'),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
# resize: short side 384 bicubic; center_crop: 384
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='mmpretrain.ResizeEdge', scale=384, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='mmpretrain.CenterCrop', crop_size=384),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(
    batch_size=64,  # train_batch_size0: 64 per GPU, "effective batch size of 128 (64 x 2)"
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=50, dataset=dict(pipeline=test_pipeline))  # val_batch_size0
test_dataloader = val_dataloader

max_epochs = 10  # scheduler.max_epochs
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(
    # optim: sgd, momentum 0.9, weight_decay 4e-5, no decay on 1-D parameters
    optimizer=dict(_delete_=True, type='SGD', lr=1e-3, momentum=0.9, weight_decay=4e-5),
    paramwise_cfg=dict(flat_decay_mult=0.),
    clip_grad=dict(max_norm=10.0))  # common.grad_clip: 10.0
# scheduler: fixed, lr 1e-3
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0, end=max_epochs)]
custom_hooks = [
    dict(type='EMAEvalHook', momentum=5e-5, priority=49),  # ema.momentum: 0.00005
    dict(type='RNGStateHook'),
    dict(type='WeightsOnlyCheckpointHook'),
    dict(type='FiniteLossHook'),
    dict(type='LossExplosionHook'),
    dict(type='CheckpointFitHook'),
]
auto_scale_lr = dict(base_batch_size=128)  # 64 x 2 GPUs
