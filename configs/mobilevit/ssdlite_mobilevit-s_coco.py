# SSDLite-MobileViT-S on COCO: MobileViT paper Table 1 / appendix D, ml-cvnets v0.1
# (apple/ml-cvnets@d38a116 config/detection/ssd_mobilevit_small_320.yaml and
# cvnets/models/detection/ssd.py, cvnets/modules/ssd.py).
#   tools/dist_train.sh configs/mobilevit/ssdlite_mobilevit-s_coco.py 4
# Apple's released detector (box AP 27.9) loads as it is, converted on the fly:
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets/detection/ssd_mobilevit_s_320.pt'  # noqa: E501
# Six levels (20, 10, 5, 3, 2, 1 at 320x320): the backbone's OS16 and OS32 outputs,
# three stride-2 separable convs and a global level (SSDLiteExtraLevels); per level a
# 1x1 projection to `proj_channels` where the widths differ and one separable conv
# predicting boxes and classes (SSDLiteHead), with ml-cvnets' anchors, decoding and NMS.
_base_ = [
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/default_runtime.py',
]
custom_imports = dict(
    imports=['mmmobilevit', 'mmmobilevit.compat.enable'], allow_failed_imports=False)

# ---- your data: COCO-format annotations (README "Train on your own data") ----------
data_root = 'data/coco/'
train_ann_file = 'annotations/instances_train2017.json'
train_img_dir = 'train2017/'
val_ann_file = 'annotations/instances_val2017.json'
val_img_dir = 'val2017/'
classes = None  # None: COCO's 80; else the category names to train, as in the json
num_classes = 80 if classes is None else len(classes)
# the ImageNet backbone (downloaded once); None starts from random weights (offline)
pretrained = ('https://download.openmmlab.com/mmclassification/v0/mobilevit/'
              'mobilevit-small_3rdparty_in1k_20221018-cb4f741c.pth')

# ---- the one input-size variable: the pipelines resize to it; the anchors follow the
# feature maps of any input (384: levels 24, 12, 6, 3, 2, 1; 256x384 works as well)
input_size = 320

# ---- pipelines as ml-cvnets v0.1 fed its models (mmmobilevit.releases, README "Input
# conventions"): OpenCV reads BGR, resizes bilinear (data/datasets/dataset_base.py and
# data/transforms/image.py @ d38a116)

# the neck's and the head's in_channels follow from it: the backbone's stage 4 (OS16)
# and stage 5 (OS32) outputs, then the extra levels (SSDLite)
arch = 'mobilevit-s'
# ssd.proj_channels of the yaml: the head's width per level; the last four are also the
# widths of the extra levels
proj_channels = (512, 256, 256, 128, 128, 64)

norm_cfg = dict(type='BN')
model = dict(
    type='SSDLite',  # mmdet's SingleStageDetector with our load check
    # pixels scaled to [0, 1], BGR (ml-cvnets v0.1)
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=False,
        pad_size_divisor=1),
    backbone=dict(
        type='MobileViTBackbone',
        input_channel_order='bgr',
        arch=arch,
        out_indices=(3, 4),
        init_cfg=None if pretrained is None else dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    neck=dict(
        type='SSDLiteExtraLevels',
        extra_channels=proj_channels[2:],
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU')),
    bbox_head=dict(
        type='SSDLiteHead',
        num_classes=num_classes,
        proj_channels=proj_channels,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        # anchors_aspect_ratio and min/max_box_size (0.1, 1.05) of the yaml / ssd.py:
        # 6, 6, 6, 6, 6, 4 anchors per cell, fractions of the image, clamped to [0, 1]
        anchor_generator=dict(
            type='SSDLiteAnchorGenerator',
            ratios=[[2, 3]] * 5 + [[2]],
            scale_range=(0.1, 1.05)),
        # center_variance 0.1, size_variance 0.2
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[.0, .0, .0, .0],
            target_stds=[0.1, 0.1, 0.2, 0.2])),
    # ssd.iou_threshold 0.5 matching; ssd_multibox_loss neg_pos_ratio 3
    train_cfg=dict(
        assigner=dict(
            type='MaxIoUAssigner',
            pos_iou_thr=0.5,
            neg_iou_thr=0.5,
            min_pos_iou=0.,
            ignore_iof_thr=-1,
            gt_max_assign_all=False),
        sampler=dict(type='PseudoSampler'),
        smoothl1_beta=1.,
        allowed_border=-1,
        pos_weight=-1,
        neg_pos_ratio=3,
        debug=False),
    # SingleShotDetector.predict @ d38a116: per class, scores > conf_threshold, NMS at
    # nms_iou_threshold (yaml: 0.5), the best num_objects_per_class (200) kept, no cap
    # per image. conf_threshold 0.01 as the code's help says for COCO mAP (0.05 is its
    # default: use score_thr=0.05 for pictures)
    test_cfg=dict(
        score_thr=0.01,
        nms=dict(type='nms', iou_threshold=0.5),
        nms_pre=None,
        max_per_class=200,
        max_per_img=None))

# ---- data (ml-cvnets' SSD augmentation: IoU crop, photometric, flip, resize) -------
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(type='mmdet.MinIoURandomCrop', min_ious=(0.1, 0.3, 0.5, 0.7, 0.9), min_crop_size=0.3),
    dict(type='mmdet.Resize', scale=(input_size, input_size), keep_ratio=False, backend='cv2',
         interpolation='bilinear'),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.PhotoMetricDistortion', brightness_delta=32, contrast_range=(0.5, 1.5),
         saturation_range=(0.5, 1.5), hue_delta=18),
    dict(type='mmdet.PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(type='mmdet.Resize', scale=(input_size, input_size), keep_ratio=False, backend='cv2',
         interpolation='bilinear'),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(type='mmdet.PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=32,  # per GPU; the paper trains on 4 GPUs
    num_workers=4,
    batch_sampler=None,
    dataset=dict(data_root=data_root, ann_file=train_ann_file,
                 data_prefix=dict(img=train_img_dir),
                 metainfo=dict(classes=classes) if classes else dict(),
                 filter_cfg=dict(filter_empty_gt=True, min_size=4),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    dataset=dict(data_root=data_root, ann_file=val_ann_file,
                 data_prefix=dict(img=val_img_dir),
                 metainfo=dict(classes=classes) if classes else dict(),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + val_ann_file)
test_evaluator = val_evaluator

# ---- schedule (yaml: AdamW, 500-iteration warm-up from 9e-5 to max_lr 9e-4, cosine to
# min_lr 1e-6, weight decay 0.01 on every parameter, 200 epochs) ------------------------
max_epochs = 200
max_lr, warmup_lr, min_lr = 9e-4, 9e-5, 1e-6
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=max_lr, betas=(0.9, 0.999), weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=warmup_lr / max_lr, by_epoch=False, begin=0,
         end=500),
    dict(type='CosineAnnealingLR', eta_min=min_lr, begin=0, end=max_epochs,
         T_max=max_epochs, by_epoch=True, convert_to_iter_based=True),
]
# EMA of the weights (m = 5e-4, buffers included), validated beside the raw model;
# checkpoints hold the EMA weights
custom_hooks = [
    dict(type='EMAEvalHook', momentum=5e-4, priority=49),
    dict(type='RNGStateHook'),
    dict(type='WeightsOnlyCheckpointHook'),
    dict(type='FiniteLossHook'),
    dict(type='LossExplosionHook'),
    dict(type='CheckpointFitHook'),
]
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook', interval=5, max_keep_ckpts=3,
                    save_best='coco/bbox_mAP', rule='greater'))
env_cfg = dict(cudnn_benchmark=True)
# 4 GPUs x 32 images; `--auto-scale-lr` rescales the lr for other totals
auto_scale_lr = dict(enable=False, base_batch_size=128)
