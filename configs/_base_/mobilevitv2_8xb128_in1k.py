# The MobileViTv2 ImageNet-1k recipe (ml-cvnets v0.2), shared by the MobileViTv2 and
# MobileViTv3-0.5/0.75/1.0 configs/<family>/<arch>_8xb128_in1k.py, which set the arch.
# Every value: apple/ml-cvnets@84d992f config/classification/imagenet/mobilevit_v2.yaml
# (the same values in micronDLA/MobileViTv3@5e3f490
# MobileViTv3-v2/config/classification/imagenet/mobilevit_v3_oneserver.py) unless noted.
_base_ = ['mmpretrain::_base_/default_runtime.py']
custom_imports = dict(
    imports=['mmmobilevit', 'mmmobilevit.compat.enable'], allow_failed_imports=False)

# ---- your data: ImageNet layout (README "Train on your own data": ImageFolder data) ---
data_root = 'data/imagenet'
num_classes = 1000

# ---- pipelines as ml-cvnets v0.2 fed its models (mmmobilevit.releases, README "Input
# conventions"): PIL reads RGB (data/datasets/dataset_base.py@84d992f), PIL resizes
# (data/transforms/image_pil.py@84d992f) with the yaml's interpolation, bicubic

model = dict(
    type='MobileViTClassifier',  # mmpretrain's ImageClassifier with our load check
    backbone=dict(type='MobileViTBackbone', arch='mobilevitv2-1.0', input_channel_order='rgb'),
    neck=dict(type='GlobalAveragePooling'),  # model.layer.global_pool: "mean"
    head=dict(  # no classifier dropout in v2 (cvnets/models/classification/mobilevit_v2.py)
        type='LinearClsHead',
        num_classes=num_classes,
        # loss.classification: cross_entropy, label_smoothing 0.1 (also on mixed labels)
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, 5)),
    # ml-cvnets v0.2 picks one of mixup (alpha 0.2) / cutmix (alpha 1.0) per batch and
    # applies it with p 0.5 (engine/training_engine.py apply_mixup_transforms,
    # data/transforms/image_torch.py RandomMixup/RandomCutmix p default 0.5): 0.25 each
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.2), dict(type='CutMix', alpha=1.0)],
                   probs=[0.25, 0.25]))
# pixels scaled to [0, 1], RGB (ToTensor, no mean/std)
data_preprocessor = dict(num_classes=num_classes, mean=[0., 0., 0.], std=[255., 255., 255.],
                         to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    # random_resized_crop: bicubic (torchvision's default scale/ratio, as mmpretrain's)
    dict(type='mmpretrain.RandomResizedCrop', scale=256, backend='pillow', interpolation='bicubic'),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    # rand_augment: torchvision RandAugment(num_ops=2, magnitude=9, num_magnitude_bins=31,
    # interpolation bilinear) (data/transforms/image_pil.py@84d992f); mmpretrain's
    # nearest equivalent: 2 ops at level 9 of 30 (timm's increasing op set)
    dict(type='mmpretrain.RandAugment', policies='timm_increasing', num_policies=2, total_level=30,
         magnitude_level=9, magnitude_std=0., hparams=dict(pad_val=0, interpolation='bilinear')),
    # random_erase p 0.25: torchvision RandomErasing (scale 0.02-0.33, ratio 0.3-3.3, 0)
    dict(type='mmpretrain.RandomErasing', erase_prob=0.25, mode='const', min_area_ratio=0.02,
         max_area_ratio=1 / 3, aspect_range=(0.3, 3.3), fill_color=(0, 0, 0)),
    dict(type='mmpretrain.PackInputs'),
]
# resize: short side 288 bicubic; center_crop: 256
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='mmpretrain.ResizeEdge', scale=288, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='mmpretrain.CenterCrop', crop_size=256),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(
    batch_size=128,  # dataset.train_batch_size0: 128 per GPU, 8 GPUs
    num_workers=8,
    persistent_workers=True,
    # sampler: batch_sampler at 256x256 (one fixed size, no multi-scale)
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='ImageNet', data_root=data_root, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=100,  # val_batch_size0
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ImageNet', data_root=data_root, split='val', pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator

max_epochs = 300  # scheduler.max_epochs
warmup_iters = 20000  # scheduler.warmup_iterations
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(
    # optim: adamw (0.9, 0.999), weight_decay 0.05; no_decay_bn_filter_bias: every 1-D
    # parameter (biases, norms) without decay (cvnets/misc/common.py@84d992f)
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(flat_decay_mult=0.),
    clip_grad=dict(max_norm=10.0))  # common.grad_clip: 10.0 (L2 norm)
param_scheduler = [
    # warmup_init_lr 1e-6 -> max_lr 2e-3 over 20k iterations
    dict(type='LinearLR', start_factor=1e-6 / 2e-3, by_epoch=False, begin=0,
         end=warmup_iters),
    # cosine per epoch (is_iteration_based: false), max_lr 2e-3 -> min_lr 2e-4
    dict(type='CosineAnnealingLR', eta_min=2e-4, by_epoch=True, begin=0, end=max_epochs,
         T_max=max_epochs),
]
custom_hooks = [
    dict(type='EMAEvalHook', momentum=5e-4, priority=49),  # ema.momentum: 0.0005
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
