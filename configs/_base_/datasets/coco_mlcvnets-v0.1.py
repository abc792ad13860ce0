# COCO for SSDLite as ml-cvnets v0.1 fed its detectors (apple/ml-cvnets@d38a116
# config/detection/ssd_mobilevit_small_320.yaml, data/datasets/detection/coco.py):
# OpenCV reads BGR, resizes bilinear (data/datasets/dataset_base.py and
# data/transforms/image.py); training with the SSD augmentation (IoU crop, photometric,
# flip, resize). The first block is what your own COCO-format data changes
# (docs/user_guides/own_data.md).
_base_ = 'mmdet::_base_/datasets/coco_detection.py'

# ---- your data: COCO-format annotations ---------------------------------------------
data_root = 'data/coco/'
train_ann_file = 'annotations/instances_train2017.json'
train_img_dir = 'train2017/'
val_ann_file = 'annotations/instances_val2017.json'
val_img_dir = 'val2017/'
classes = None  # None: COCO's 80; else the category names to train, as in the json
# the one input-size variable: the pipelines resize to it; the anchors follow the
# feature maps of any input (384: levels 24, 12, 6, 3, 2, 1; 256x384 works as well)
input_size = 320

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
