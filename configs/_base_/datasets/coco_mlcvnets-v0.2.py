# COCO for SSDLite as ml-cvnets v0.2 fed its detectors (apple/ml-cvnets@84d992f
# config/detection/ssd_coco/mobilevit_v2.yaml): the augmentation of
# coco_mlcvnets-v0.1.py, but PIL reads RGB and every resize is bicubic
# (image_augmentation.resize.interpolation of the yaml; mmmobilevit.releases).
_base_ = './coco_mlcvnets-v0.1.py'

input_size = 320
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
