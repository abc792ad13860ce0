# PASCAL VOC 2012 + aug as ml-cvnets v0.2 fed its segmenters (apple/ml-cvnets@84d992f
# config/segmentation/pascal_voc/deeplabv3_mobilevitv2.yaml, data/datasets/segmentation/
# pascal_voc.py): PIL reads RGB, every resize bicubic (image_augmentation.*.interpolation
# of the yaml). The first block is what your own VOC-layout data changes
# (docs/user_guides/own_data.md).
_base_ = 'mmseg::_base_/datasets/pascal_voc12_aug.py'

# ---- your data: VOC layout ------------------------------------------------------------
data_root = 'data/VOCdevkit/VOC2012'
crop_size = (512, 512)  # sampler.bs.crop_size_{width,height}

# _training_transforms: random_short_size_resize (shorter side 256-768, longer at most
# 1024, bicubic), flip, RandomCrop 512 (seg_class_max_ratio 0.75), photometric
# distortion, rotation within +-10 degrees (always). Not reproduced: the extra COCO
# images (use_coco_data), the Gaussian blur of random_gaussian_noise, ml-cvnets' own
# photometric jitter (mmseg's PhotoMetricDistortion instead), and its padding before the
# crop (the data preprocessor pads after it, to the bottom and right as ml-cvnets).
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

# _evaluation_transforms with resize_input_images: shorter side to 512, aspect kept,
# bicubic (ShortSideResize: ml-cvnets' truncation of the longer side); the labels stay
# at the original size. One image per batch (eval_batch_size0: 1)
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='ShortSideResize', short_side=512, interpolation='bicubic', backend='pillow'),
    dict(type='LoadAnnotations'),
    dict(type='mmseg.PackSegInputs'),
]
val_dataloader = dict(batch_size=1,
                      dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
