# DeepLabv3-MobileViT-S on PASCAL VOC 2012 + SBD (aug): MobileViT paper Table 2 /
# appendix D, ml-cvnets v0.1 (apple/ml-cvnets@d38a116
# config/segmentation/deeplabv3_mobilevit_small.yaml; cvnets/models/segmentation/
# heads/deeplabv3.py, cvnets/modules/aspp_block.py, engine/eval_segmentation.py).
#   tools/dist_train.sh configs/mobilevit/deeplabv3_mobilevit-s_voc12aug-512x512.py 4
# Apple's released segmenter (mIoU 79.3) loads as it is, converted on the fly:
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets/segmentation/deeplabv3_mobilevit_s.pt'  # noqa: E501
# Backbone at output stride 16 (no expansion conv); ASPP on stage 5: 1x1, rates 6/12/18
# and image pooling, 256 channels, a 1x1 projection + element-wise dropout 0.1
# (ASPPProjHead), Dropout2d 0.1 and a 1x1 classifier; no auxiliary head.
_base_ = [
    'mmseg::_base_/datasets/pascal_voc12_aug.py',
    '../_base_/deeplabv3_mobilevit_runtime.py',
]

# ---- your data: VOC layout (README "Train on your own data": VOC-format data) -------
data_root = 'data/VOCdevkit/VOC2012'
num_classes = 21
# the ImageNet backbone (downloaded once: mmpretrain's conversion of the release's
# model.classification.pretrained, cvnets/classification/mobilevit_s.pt); None starts
# from random weights (offline)
pretrained = ('https://download.openmmlab.com/mmclassification/v0/mobilevit/'
              'mobilevit-small_3rdparty_in1k_20221018-cb4f741c.pth')

crop_size = (512, 512)  # sampler.bs.crop_size_{width,height}
# ---- pipelines as ml-cvnets v0.1 fed its models (mmmobilevit.releases, README "Input
# conventions"): OpenCV reads BGR, resizes bilinear (data/datasets/dataset_base.py and
# data/transforms/image.py @ d38a116)

arch = 'mobilevit-s'  # the heads' in_channels follow from it (MLCVNetsEncoderDecoder)
norm_cfg = dict(type='SyncBN', requires_grad=True)  # normalization.name sync_batch_norm

model = dict(
    type='MLCVNetsEncoderDecoder',
    # pixels scaled to [0, 1], BGR (ml-cvnets v0.1)
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=False,
        pad_val=0,
        seg_pad_val=255,
        size=crop_size),
    pretrained=None,  # the backbone's init_cfg loads the ImageNet weights
    backbone=dict(
        type='MobileViTBackbone',
        input_channel_order='bgr',
        arch=arch,
        out_indices=(4, ),
        out_stride=16,  # model.segmentation.output_stride
        norm_cfg=norm_cfg,
        init_cfg=None if pretrained is None else dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    decode_head=dict(
        type='ASPPProjHead',
        in_index=0,
        channels=256,  # deeplabv3.aspp_out_channels
        dilations=(1, 6, 12, 18),  # the 1x1 branch, deeplabv3.aspp_rates
        # ASPP's Dropout(0.1): d38a116's DeeplabV3 passes aspp_dropout as `drop_p`,
        # which ASPP ignores, so its default 0.1 applies
        projection_dropout=0.1,
        dropout_ratio=0.1,  # model.segmentation.classifier_dropout (Dropout2d)
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),  # model.segmentation.activation.name
        align_corners=False,  # UpSample(scale_factor=16, align_corners=False)
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=None,
    train_cfg=dict(),
    # engine/eval_segmentation.py @ d38a116: input floored to a multiple of 16, logits
    # upsampled x16, nearest to the original size (MLCVNetsEncoderDecoder)
    test_cfg=dict(mode='whole', protocol='mlcvnets-v0.1'))

# ---- data (d38a116 data/datasets/segmentation/pascal_voc.py training_transforms):
# random_resize (shorter side 256-1024, bilinear), RandomCrop 512 with resize_if_needed
# (shorter side raised to 512 first), flip. Not reproduced: the extra COCO images of
# pascal.use_coco_data (ml-cvnets' own preprocessing of COCO into VOC classes).
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(type='LoadAnnotations'),
    dict(type='RandomShortSideResize', short_side_range=(256, 1024), max_size=None,
         interpolation='bilinear', backend='cv2'),
    dict(type='ShortSideResize', short_side=512, only_upscale=True,
         interpolation='bilinear', backend='cv2'),
    dict(type='mmseg.RandomCrop', crop_size=crop_size),
    dict(type='mmseg.RandomFlip', prob=0.5),
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

# validation_transforms @ d38a116: Resize to 512x512 (aspect not kept, bilinear); the
# labels stay at the original size. One image per batch (eval_batch_size0: 1)
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(type='mmseg.Resize', scale=crop_size, keep_ratio=False, backend='cv2',
         interpolation='bilinear'),
    dict(type='LoadAnnotations'),
    dict(type='mmseg.PackSegInputs'),
]
val_dataloader = dict(batch_size=1,
                      dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

# ---- schedule: AdamW (betas 0.9/0.999) 9e-4, weight decay 0.01 on every parameter
# (no_decay_bn_filter_bias false), head lr x10 (lr_multiplier), 500-iteration warm-up
# from 9e-5, cosine to 1e-6, 50 epochs; EMA 5e-4 (the runtime's)
num_train_images = 12046  # train.txt + aug.txt of mmseg's VOC-aug conversion
iters_per_epoch = -(-num_train_images // (4 * 32))
max_iters = 50 * iters_per_epoch
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=5 * iters_per_epoch)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=9e-4, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=10.)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=500),
    dict(type='CosineAnnealingLR', eta_min=1e-6, by_epoch=False, begin=0,
         end=max_iters, T_max=max_iters),
]
default_hooks = dict(checkpoint=dict(interval=5 * iters_per_epoch))
# 4 GPUs x 32 images; `--auto-scale-lr` rescales the lr for other totals
auto_scale_lr = dict(enable=False, base_batch_size=128)
