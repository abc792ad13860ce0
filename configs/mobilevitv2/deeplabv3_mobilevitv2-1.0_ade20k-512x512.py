# DeepLabv3-MobileViTv2-1.0 on ADE20K, ml-cvnets v0.2 (apple/ml-cvnets@84d992f
# config/segmentation/ade20k/deeplabv3_mobilevitv2.yaml). Apple's released segmenter
# (mIoU 37.06):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/ade20k/mobilevitv2/deeplabv3-mobilevitv2-1.0.pt'  # noqa: E501
# The network, auxiliary head, augmentation and evaluation of
# deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py; what differs: output stride 8, ASPP
# rates 12/24/36, 150 classes (labels = mask - 1, background ignored:
# data/datasets/segmentation/ade20k.py), SGD, 120 epochs, 4 GPUs x 4.
_base_ = './deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py'

# ---- your data: ADE20K layout (mmseg's ADEChallengeData2016) ------------------------
data_root = 'data/ade/ADEChallengeData2016'
num_classes = 150

model = dict(
    backbone=dict(out_stride=8),  # model.segmentation.output_stride
    decode_head=dict(dilations=(1, 12, 24, 36), num_classes=num_classes),
    auxiliary_head=dict(num_classes=num_classes))

crop_size = (512, 512)
# the VOC pipelines with reduce_zero_label (ml-cvnets' mask - 1; padding and rotation
# fill 0, i.e. ignored, as mask_fill: 0 of the yaml)
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomShortSideResize', short_side_range=(256, 768), max_size=1024,
         interpolation='bicubic', backend='pillow'),
    dict(type='mmseg.RandomFlip', prob=0.5),
    dict(type='mmseg.RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='mmseg.PhotoMetricDistortion'),
    dict(type='mmseg.RandomRotate', prob=1.0, degree=10, pad_val=0, seg_pad_val=255),
    dict(type='mmseg.PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='ShortSideResize', short_side=512, interpolation='bicubic', backend='pillow'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='mmseg.PackSegInputs'),
]
train_dataloader = dict(
    _delete_=True,
    batch_size=4,  # train_batch_size0, per GPU; 4 GPUs
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='ADE20KDataset', data_root=data_root,
                 data_prefix=dict(img_path='images/training',
                                  seg_map_path='annotations/training'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    _delete_=True,
    batch_size=1,  # eval_batch_size0
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ADE20KDataset', data_root=data_root,
                 data_prefix=dict(img_path='images/validation',
                                  seg_map_path='annotations/validation'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader

# ---- schedule: SGD (momentum 0.9) 0.02, cosine to 2e-4 without warm-up, weight decay
# 1e-4 except norms and biases, gradient clipping at 10, 120 epochs of 20210 images
iters_per_epoch = -(-20210 // (4 * 4))
max_iters = 120 * iters_per_epoch
train_cfg = dict(max_iters=max_iters, val_interval=10 * iters_per_epoch)
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=2e-4, by_epoch=False, begin=0,
         end=max_iters, T_max=max_iters),
]
default_hooks = dict(checkpoint=dict(interval=10 * iters_per_epoch))
auto_scale_lr = dict(enable=False, base_batch_size=16)
