# SSDLite-MobileViT-S on COCO: MobileViT paper Table 1 / appendix D, ml-cvnets v0.1.
#   tools/dist_train.sh configs/mobilevit/ssdlite_mobilevit-s_coco.py 4
# Six levels at 320x320 (20, 10, 5, 3, 2, 1) from the backbone's OS16/OS32 outputs and
# four stride-2 depthwise-separable extra levels (mmdet SSDNeck), each projected by a
# 1x1 conv to `proj_channels` (ProjectedSSDNeck), then mmdet's depthwise SSDHead.
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

# ---- the one input-size variable: the anchors and pipelines follow from it ---------
# (for another size, e.g. 384, change it here: levels become 24, 12, 6, 3, 2, 1)
input_size = 320

# ---- input convention of ml-cvnets v0.1 (mmmobilevit.releases, README "Input
# conventions"): OpenCV reads BGR, resizes bilinear (data/datasets/dataset_base.py and
# data/transforms/image.py @ d38a116)
input_convention = 'mlcvnets-v0.1'

arch = 'mobilevit-s'
backbone_channels = (128, 160)  # stage 4 (OS16) and stage 5 (OS32) outputs
proj_channels = (512, 256, 256, 128, 128, 64)

norm_cfg = dict(type='BN')
model = dict(
    type='SingleStageDetector',
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
        type='ProjectedSSDNeck',
        in_channels=backbone_channels,
        out_channels=backbone_channels + (256, 128, 128, 64),
        proj_channels=proj_channels,
        level_strides=(2, 2, 2, 2),
        level_paddings=(1, 1, 1, 1),
        l2_norm_scale=None,
        use_depthwise=True,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        init_cfg=dict(type='Xavier', distribution='uniform', layer='Conv2d')),
    bbox_head=dict(
        type='SSDHead',
        in_channels=proj_channels,
        num_classes=num_classes,
        use_depthwise=True,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        init_cfg=dict(type='Xavier', distribution='uniform', layer='Conv2d'),
        # ml-cvnets' anchors: scales linspace(0.1, 1.05, 7) of the input size on the
        # 20/10/5/3/2/1 maps at 320 (6, 6, 6, 6, 6, 4 anchors per position)
        anchor_generator=dict(
            type='SSDLiteAnchorGenerator',
            input_size=input_size,
            ratios=[[2, 3]] * 5 + [[2]],
            scale_range=(0.1, 1.05)),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[.0, .0, .0, .0],
            target_stds=[0.1, 0.1, 0.2, 0.2])),
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
    test_cfg=dict(
        nms_pre=400,
        nms=dict(type='nms', iou_threshold=0.5),
        min_bbox_size=0,
        score_thr=0.01,
        max_per_img=200))

# ---- data (ml-cvnets' SSD augmentation: IoU crop, photometric, flip, resize) -------
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='MinIoURandomCrop', min_ious=(0.1, 0.3, 0.5, 0.7, 0.9), min_crop_size=0.3),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False, backend='cv2',
         interpolation='bilinear'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion', brightness_delta=32, contrast_range=(0.5, 1.5),
         saturation_range=(0.5, 1.5), hue_delta=18),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False, backend='cv2',
         interpolation='bilinear'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
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

# ---- schedule: AdamW 9e-4, 500-iteration warm-up from 9e-5, cosine, 200 epochs -------
max_epochs = 200
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=9e-4, weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=500),
    dict(type='CosineAnnealingLR', eta_min=9e-5, begin=0, end=max_epochs,
         T_max=max_epochs, by_epoch=True, convert_to_iter_based=True),
]
# EMA of the weights (m = 5e-4, buffers included), validated beside the raw model;
# checkpoints hold the EMA weights
custom_hooks = [
    dict(type='EMAEvalHook', momentum=5e-4, priority=49),
    dict(type='RNGStateHook'),
    dict(type='WeightsOnlyCheckpointHook'),
    dict(type='FiniteLossHook'),
    dict(type='CheckpointFitHook'),
]
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=5, max_keep_ckpts=3,
                    save_best='coco/bbox_mAP', rule='greater'))
env_cfg = dict(cudnn_benchmark=True)
# 4 GPUs x 32 images; `--auto-scale-lr` rescales the lr for other totals
auto_scale_lr = dict(enable=False, base_batch_size=128)
