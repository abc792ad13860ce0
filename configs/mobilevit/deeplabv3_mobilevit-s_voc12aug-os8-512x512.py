# DeepLabv3-MobileViT-S (output stride 8) on PASCAL VOC 2012 + aug, trained by ml-cvnets
# v0.2 (apple/ml-cvnets@84d992f config/segmentation/pascal_voc/deeplabv3_mobilevit.yaml):
# the v0.2 DeepLabv3 of ../mobilevitv2/deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py on the
# MobileViT-S encoder, so RGB input and align_corners=True like every v0.2 model. Apple's
# released segmenter (mIoU 79.44):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/pascalvoc/deeplabv3-mobilevitv1.pt'  # noqa: E501
# What differs from the v2 config (the yaml): output stride 8, ASPP rates 12/24/36,
# bilinear resizes, AdamW 9e-4 with weight decay 0.01 on every parameter, head lr x10,
# warm-up from 9e-5, 4 GPUs x 16 with 2 accumulation steps, no gradient clipping.
_base_ = '../mobilevitv2/deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py'

# the release's ImageNet encoder (model.classification.pretrained of the v0.1 yamls)
pretrained = ('https://download.openmmlab.com/mmclassification/v0/mobilevit/'
              'mobilevit-small_3rdparty_in1k_20221018-cb4f741c.pth')

model = dict(
    backbone=dict(arch='mobilevit-s', out_stride=8,
                  init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                                prefix='backbone.')),
    decode_head=dict(dilations=(1, 12, 24, 36)))

crop_size = (512, 512)
# image_augmentation.{resize,random_short_size_resize}.interpolation: "bilinear"
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='LoadAnnotations'),
    dict(type='RandomShortSideResize', short_side_range=(256, 768), max_size=1024,
         interpolation='bilinear', backend='pillow'),
    dict(type='mmseg.RandomFlip', prob=0.5),
    dict(type='mmseg.RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='mmseg.PhotoMetricDistortion'),
    dict(type='mmseg.RandomRotate', prob=1.0, degree=10, pad_val=0, seg_pad_val=255),
    dict(type='mmseg.PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='ShortSideResize', short_side=512, interpolation='bilinear',
         backend='pillow'),
    dict(type='LoadAnnotations'),
    dict(type='mmseg.PackSegInputs'),
]
data_root = 'data/VOCdevkit/VOC2012'
train_dataloader = dict(
    batch_size=16,  # train_batch_size0; common.accum_freq 2 below
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(type='PascalVOCDataset', data_root=data_root,
                 data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
                 ann_file='ImageSets/Segmentation/train.txt', pipeline=train_pipeline),
            dict(type='PascalVOCDataset', data_root=data_root,
                 data_prefix=dict(img_path='JPEGImages',
                                  seg_map_path='SegmentationClassAug'),
                 ann_file='ImageSets/Segmentation/aug.txt', pipeline=train_pipeline),
        ]))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    accumulative_counts=2,  # common.accum_freq
    optimizer=dict(type='AdamW', lr=9e-4, betas=(0.9, 0.999), weight_decay=0.01),
    # lr_multiplier 10 on the segmentation head (auxiliary head included)
    paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=10.),
                                    'auxiliary_head': dict(lr_mult=10.)}))
# 50 epochs of 4 x 16 images per iteration (the schedule's iterations: lr steps every
# iteration as mmengine's; ml-cvnets steps per optimizer update)
iters_per_epoch = -(-12046 // (4 * 16))
max_iters = 50 * iters_per_epoch
train_cfg = dict(max_iters=max_iters, val_interval=5 * iters_per_epoch)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=500),
    dict(type='CosineAnnealingLR', eta_min=1e-6, by_epoch=False, begin=0,
         end=max_iters, T_max=max_iters),
]
default_hooks = dict(checkpoint=dict(interval=5 * iters_per_epoch))
auto_scale_lr = dict(enable=False, base_batch_size=128)  # 4 x 16 x 2 accumulated
