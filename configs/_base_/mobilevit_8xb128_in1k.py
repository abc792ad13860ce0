# The MobileViT ImageNet-1k recipe (paper section 4.1, ml-cvnets v0.1), shared by the
# configs/<family>/<arch>_8xb128_in1k.py configs, which set the arch:
# 300 epochs on 8 GPUs x 128 (base resolution), AdamW (weight decay 0.01), lr 2e-4 -> 2e-3
# over 3k iterations then cosine to 2e-4, label smoothing 0.1, the multi-scale sampler over
# {160, 192, 256, 288, 320} (ml-cvnets v0.1's batch sizes: 328, 224, 128, 128, 128),
# random-resized-crop and flip only, and an EMA (5e-4) validated beside the raw model.
# Test: short side 288, centre crop 256, BGR pixels in [0, 1] (as the released weights).
# Used by MobileViT v1 and MobileViTv3-XXS/XS/S (the MobileViTv3-v1 overlay of d38a116).
# Values: apple/ml-cvnets@d38a116 config/classification/mobilevit_small.yaml (same in
# _x_small / _xx_small but the transformer dropout, set by the arch) unless noted.
_base_ = ['mmpretrain::_base_/default_runtime.py']
custom_imports = dict(
    imports=['mmmobilevit', 'mmmobilevit.compat.enable'], allow_failed_imports=False)

# ---- your data: ImageNet layout (README "Train on your own data": ImageFolder data) ---
data_root = 'data/imagenet'
num_classes = 1000

# ---- pipelines as ml-cvnets v0.1 fed its models (mmmobilevit.releases, README "Input
# conventions"): OpenCV reads BGR (data/datasets/dataset_base.py@d38a116), resizes with
# cv2 bilinear (data/transforms/image.py@d38a116; yaml random_resized_crop bilinear)

model = dict(
    type='MobileViTClassifier',  # mmpretrain's ImageClassifier with our load check
    backbone=dict(type='MobileViTBackbone', arch='mobilevit-s', input_channel_order='bgr'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='DropoutLinearClsHead',
        dropout_rate=0.1,  # yaml model.classification.classifier_dropout: 0.1
        num_classes=num_classes,
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, 5)))
data_preprocessor = dict(num_classes=num_classes, mean=[0., 0., 0.], std=[255., 255., 255.],
                         to_rgb=False)

train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(type='MultiScaleRandomResizedCrop', scale=256, backend='cv2',
         interpolation='bilinear'),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
# data/datasets/classification/imagenet.py@d38a116 validation_transforms: short side
# crop + 32 = 288 (cv2, bilinear), centre crop 256
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(type='mmpretrain.ResizeEdge', scale=288, edge='short', backend='cv2',
         interpolation='bilinear'),
    dict(type='mmpretrain.CenterCrop', crop_size=256),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(
    batch_size=128,  # per GPU, at the base resolution 256
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='MultiScaleBatchSampler', resolutions=[160, 192, 256, 288, 320],
                       base_resolution=256, rule='mlcvnets-v0.1'),
    dataset=dict(
        type='MultiScaleDataset',
        dataset=dict(type='ImageNet', data_root=data_root, split='train',
                     pipeline=train_pipeline)))
val_dataloader = dict(
    batch_size=100,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ImageNet', data_root=data_root, split='val', pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator

max_epochs = 300
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=3000),
    dict(type='CosineAnnealingLR', eta_min=2e-4, by_epoch=True, begin=0, end=max_epochs,
         T_max=max_epochs, convert_to_iter_based=True),
]
custom_hooks = [
    dict(type='EMAEvalHook', momentum=5e-4, priority=49),
    dict(type='BatchShapeLogHook'),
    dict(type='RNGStateHook'),
    dict(type='WeightsOnlyCheckpointHook'),
    dict(type='FiniteLossHook'),
    dict(type='LossExplosionHook'),
    dict(type='CheckpointFitHook'),
]
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3,
                    save_best='accuracy/top1', rule='greater'))
# 8 GPUs x 128 images; `--auto-scale-lr` rescales the lr for other totals
auto_scale_lr = dict(base_batch_size=1024)
