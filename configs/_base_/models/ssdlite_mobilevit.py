# SSDLite on a MobileViT backbone, as ml-cvnets v0.1 builds it (apple/ml-cvnets@d38a116
# config/detection/ssd_mobilevit_small_320.yaml; cvnets/models/detection/ssd.py,
# cvnets/modules/ssd.py). Six levels (20, 10, 5, 3, 2, 1 at 320x320): the backbone's
# OS16 and OS32 outputs, three stride-2 separable convs and a global level
# (SSDLiteExtraLevels); per level a 1x1 projection to `proj_channels` where the widths
# differ and one separable conv predicting boxes and classes (SSDLiteHead), with
# ml-cvnets' anchors, decoding and NMS. The neck's and the head's in_channels follow from
# the backbone's arch (SSDLite). Input: pixels scaled to [0, 1], BGR (ml-cvnets v0.1);
# the v0.2 configs switch to RGB.

# ssd.proj_channels of the yaml: the head's width per level; the last four are also the
# widths of the extra levels
proj_channels = (512, 256, 256, 128, 128, 64)
norm_cfg = dict(type='BN')
model = dict(
    type='SSDLite',  # mmdet's SingleStageDetector with our load check
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=False,
        pad_size_divisor=1),
    backbone=dict(
        type='MobileViTBackbone',
        input_channel_order='bgr',
        arch='mobilevit-s',
        out_indices=(3, 4)),
    neck=dict(
        type='SSDLiteExtraLevels',
        extra_channels=proj_channels[2:],
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU')),
    bbox_head=dict(
        type='SSDLiteHead',
        num_classes=80,
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
