# DeepLabv3-MobileViTv3-1.0 on ADE20K: the MobileViTv3 release's ADE20K recipe
# (MobileViTv3-v2/config/segmentation/ade20k/deeplabv3_mobilevitv3.yaml), not the VOC one:
# output stride 8, ASPP with 512 channels at rates 12/24/36 (1x1 projection), an FCN
# auxiliary head on stage 4 (loss weight 0.4), SGD, 120 epochs, 4 GPUs x 4, SyncBN, EMA.
#   tools/dist_train.sh configs/mobilevitv3/deeplabv3_mobilevitv3-1.0_ade20k-512x512.py 4
# ImageNet weights: unzip the MobileViTv3 release folder mobilevitv3_1_0_0 into
# checkpoints/ (the backbone converts Apple's key layout while loading).
_base_ = [
    'mmseg::_base_/datasets/ade20k.py',
    '../_base_/deeplabv3_mobilevit_runtime.py',
]

# ---- your data: ADE20K layout (README "Train on your own data": VOC-format data) -----
data_root = 'data/ade/ADEChallengeData2016'
num_classes = 150
# the ImageNet backbone; None starts from random weights
pretrained = 'checkpoints/mobilevitv3_1_0_0/checkpoint_ema_best.pt'

# ---- input convention of ml-cvnets v0.2, the code under MobileViTv3-v2 (mmmobilevit.
# releases, README "Input conventions"): PIL reads RGB, resizes bicubic
# (data/datasets/dataset_base.py@84d992f; deeplabv3_mobilevitv2.yaml resize and
# random_short_size_resize interpolation: "bicubic")
input_convention = 'mlcvnets-v0.2'

crop_size = (512, 512)
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True,  # pixels scaled to [0, 1], RGB (ml-cvnets v0.2)
        pad_val=0,
        seg_pad_val=255,
        size=crop_size),
    pretrained=None,
    backbone=dict(
        type='MobileViTBackbone',
        input_channel_order='rgb',
        arch='mobilevitv3-1.0',
        out_indices=(3, 4),
        out_stride=8,
        norm_cfg=norm_cfg,
        init_cfg=None if pretrained is None else dict(type='Pretrained',
                                                      checkpoint=pretrained)),
    decode_head=dict(
        type='ASPPProjHead',
        in_channels=512,
        in_index=1,
        channels=512,
        dilations=(1, 12, 24, 36),
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=384,
        in_index=0,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

# ---- data: short side 256-768, 512 crop, flip, photometric, rotation ---------------
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 1.5), keep_ratio=True,
         backend='pillow', interpolation='bicubic'),
    dict(type='RandomRotate', prob=0.5, degree=10, pad_val=0, seg_pad_val=255),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(batch_size=4, num_workers=4,
                        dataset=dict(data_root=data_root, pipeline=train_pipeline))
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True, backend='pillow',
         interpolation='bicubic'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

# ---- schedule: SGD lr 0.02 cosine to 2e-4, weight decay 1e-4 (not on norms/biases),
# gradient clipping at 10, 120 epochs of 20210 images at 4 GPUs x 4
iters_per_epoch = -(-20210 // (4 * 4))
max_iters = 120 * iters_per_epoch
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=10 * iters_per_epoch)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=10.),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=2e-4, by_epoch=False, begin=0,
         end=max_iters, T_max=max_iters),
]
default_hooks = dict(checkpoint=dict(interval=10 * iters_per_epoch))
auto_scale_lr = dict(enable=False, base_batch_size=16)
