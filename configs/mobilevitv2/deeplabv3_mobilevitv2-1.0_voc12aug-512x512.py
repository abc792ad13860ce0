# DeepLabv3-MobileViTv2-1.0 on PASCAL VOC 2012 + aug, ml-cvnets v0.2 (apple/ml-cvnets@84d992f
# config/segmentation/pascal_voc/deeplabv3_mobilevitv2.yaml; cvnets/models/segmentation/
# heads/{base_seg_head,deeplabv3}.py, cvnets/modules/aspp_block.py,
# engine/eval_segmentation.py). Apple's released segmenter (mIoU 78.94):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/pascalvoc/mobilevitv2/deeplabv3-mobilevitv2-1.0.pt'  # noqa: E501
# Backbone at output stride 16; ASPP on stage 5 (1x1, rates 6/12/18, image pooling; 512
# channels), a 1x1 projection, Dropout2d 0.1, a 1x1 classifier; an FCN auxiliary head on
# stage 4 (3x3 conv to max(C4 // 4, 128), Dropout2d 0.1, 1x1 conv; loss weight 0.4).
# Every bilinear resize of the logits uses align_corners=True.
_base_ = [
    'mmseg::_base_/datasets/pascal_voc12_aug.py',
    '../_base_/deeplabv3_mobilevit_runtime.py',
]

# ---- your data: VOC layout (README "Train on your own data": VOC-format data) -------
data_root = 'data/VOCdevkit/VOC2012'
num_classes = 21
# ImageNet-1k backbone of the same release (256x256); None: random weights (offline)
pretrained = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/classification/'
              'mobilevitv2/imagenet1k/256x256/mobilevitv2-1.0.pt')

crop_size = (512, 512)  # sampler.bs.crop_size_{width,height}
# ---- pipelines as ml-cvnets v0.2 fed its models (mmmobilevit.releases): PIL reads RGB, every
# resize bicubic (image_augmentation.*.interpolation of the yaml)

# the heads' in_channels follow from the arch: stage 4 (auxiliary head) and stage 5
# (decode head) outputs (MLCVNetsEncoderDecoder)
arch = 'mobilevitv2-1.0'
norm_cfg = dict(type='SyncBN', requires_grad=True)  # normalization.name sync_batch_norm
model = dict(
    type='MLCVNetsEncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True,  # pixels scaled to [0, 1], RGB (ml-cvnets v0.2)
        pad_val=0,
        seg_pad_val=255,
        size=crop_size),
    pretrained=None,  # the backbone's init_cfg loads the ImageNet weights
    backbone=dict(
        type='MobileViTBackbone',
        input_channel_order='rgb',
        arch=arch,
        out_indices=(3, 4),
        out_stride=16,  # model.segmentation.output_stride
        norm_cfg=norm_cfg,
        init_cfg=None if pretrained is None else dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    decode_head=dict(
        type='ASPPProjHead',
        in_index=1,
        channels=512,  # deeplabv3.aspp_out_channels
        dilations=(1, 6, 12, 18),  # the 1x1 branch, deeplabv3.aspp_rates
        # ASPP's Dropout2d(aspp_dropout 0.1) after the projection is the classifier's
        # dropout here; 84d992f's DeeplabV3 has no other (classifier_dropout unused)
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),  # model.segmentation.activation.name
        align_corners=True,  # BaseSegHead.upsample_seg_out
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    # use_aux_head: BaseSegHead.aux_head @ 84d992f
    auxiliary_head=dict(
        type='FCNHead',
        in_index=0,
        channels=None,  # max(C4 // 4, 128) of BaseSegHead.aux_head, from the arch
        num_convs=1,
        kernel_size=3,
        concat_input=False,
        dropout_ratio=0.1,  # model.segmentation.aux_dropout (default 0.1)
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        align_corners=True,
        # loss.segmentation.cross_entropy.aux_weight
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    # engine/eval_segmentation.py @ 84d992f: input floored to a multiple of 16 (bilinear,
    # align_corners=True), logits upsampled straight to the original size
    test_cfg=dict(mode='whole', protocol='mlcvnets-v0.2'))

# ---- data (84d992f data/datasets/segmentation/pascal_voc.py _training_transforms):
# random_short_size_resize (shorter side 256-768, longer at most 1024, bicubic), flip,
# RandomCrop 512 (seg_class_max_ratio 0.75), photometric distortion, rotation within
# +-10 degrees (always). Not reproduced: the extra COCO images (use_coco_data), the
# Gaussian blur of random_gaussian_noise, ml-cvnets' own photometric jitter (mmseg's
# PhotoMetricDistortion instead), and its padding before the crop (the data
# preprocessor pads after it, to the bottom and right as ml-cvnets).
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='LoadAnnotations'),
    dict(type='RandomShortSideResize', short_side_range=(256, 768), max_size=1024,
         interpolation='bicubic', backend='pillow'),
    dict(type='mmseg.RandomFlip', prob=0.5),
    dict(type='mmseg.RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='mmseg.PhotoMetricDistortion'),
    dict(type='mmseg.RandomRotate', prob=1.0, degree=10, pad_val=0, seg_pad_val=255),
    dict(type='mmseg.PackSegInputs'),
]
train_dataloader = dict(
    batch_size=32,  # train_batch_size0, per GPU; 4 GPUs
    num_workers=8,
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

# evaluation (_evaluation_transforms with resize_input_images): shorter side to 512,
# aspect kept, bicubic (ShortSideResize: ml-cvnets' truncation of the longer side); the
# labels stay at the original size. One image per batch (eval_batch_size0: 1)
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='ShortSideResize', short_side=512, interpolation='bicubic', backend='pillow'),
    dict(type='LoadAnnotations'),
    dict(type='mmseg.PackSegInputs'),
]
val_dataloader = dict(batch_size=1,
                      dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

# ---- schedule: AdamW (betas 0.9/0.999) 5e-4, weight decay 0.05 except norms and biases
# (no_decay_bn_filter_bias), lr_multiplier 1, 500-iteration warm-up from 5e-5, cosine to
# 1e-6, 50 epochs, gradient clipping at 10 (common.grad_clip); EMA 5e-4 (the runtime's)
num_train_images = 12046  # train.txt + aug.txt of mmseg's VOC-aug conversion
iters_per_epoch = -(-num_train_images // (4 * 32))
max_iters = 50 * iters_per_epoch
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=5 * iters_per_epoch)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.999), weight_decay=0.05),
    clip_grad=dict(max_norm=10.),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=500),
    dict(type='CosineAnnealingLR', eta_min=1e-6, by_epoch=False, begin=0,
         end=max_iters, T_max=max_iters),
]
default_hooks = dict(checkpoint=dict(interval=5 * iters_per_epoch))
# 4 GPUs x 32 images; `--auto-scale-lr` rescales the lr for other totals
auto_scale_lr = dict(enable=False, base_batch_size=128)
