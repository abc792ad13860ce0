# SSDLite-MobileViTv2-1.0 on COCO, ml-cvnets v0.2 (apple/ml-cvnets@84d992f
# config/detection/ssd_coco/mobilevit_v2.yaml with width_multiplier 1.0;
# cvnets/models/detection/ssd.py, cvnets/modules/ssd_heads.py,
# cvnets/anchor_generator/ssd_anchor_generator.py). Same network as
# ../mobilevit/ssdlite_mobilevit-s_coco.py; what differs is the input convention, the
# weight decay and the post-processing. Apple's released detector
# (box AP 26.47):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/detection/mobilevitv2/coco-ssd-mobilevitv2-1.0.pt'  # noqa: E501
_base_ = '../mobilevit/ssdlite_mobilevit-s_coco.py'

# ImageNet-1k backbone of the same release (256x256)
pretrained = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/classification/'
              'mobilevitv2/imagenet1k/256x256/mobilevitv2-1.0.pt')
input_size = 320

# ---- pipelines as ml-cvnets v0.2 fed its models (mmmobilevit.releases): PIL reads RGB, every
# resize bicubic (image_augmentation.resize.interpolation of the yaml)

arch = 'mobilevitv2-1.0'
model = dict(
    data_preprocessor=dict(bgr_to_rgb=True),  # pixels scaled to [0, 1], RGB
    backbone=dict(
        arch=arch,
        input_channel_order='rgb',
        init_cfg=dict(checkpoint=pretrained)),
    # SingleShotMaskDetector.postprocess_detections @ 84d992f: per class, scores >
    # conf_threshold 0.01, the top_k 400 best, class-aware NMS at nms_iou_threshold 0.5,
    # then the objects_per_image 200 best over all classes
    test_cfg=dict(
        score_thr=0.01,
        nms=dict(type='nms', iou_threshold=0.5),
        nms_pre=400,
        max_per_class=None,
        max_per_img=200))

train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(type='mmdet.MinIoURandomCrop', min_ious=(0.1, 0.3, 0.5, 0.7, 0.9), min_crop_size=0.3),
    dict(type='mmdet.Resize', scale=(input_size, input_size), keep_ratio=False, backend='pillow',
         interpolation='bicubic'),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.PhotoMetricDistortion', brightness_delta=32, contrast_range=(0.5, 1.5),
         saturation_range=(0.5, 1.5), hue_delta=18),
    dict(type='mmdet.PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='mmdet.Resize', scale=(input_size, input_size), keep_ratio=False, backend='pillow',
         interpolation='bicubic'),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(type='mmdet.PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# optim.weight_decay 0.05 (no_decay_bn_filter_bias false: every parameter decays);
# max_lr 9e-4, warm-up from 9e-5 over 500 iterations, min_lr 1e-6, 200 epochs: the base's
optim_wrapper = dict(optimizer=dict(weight_decay=0.05))
