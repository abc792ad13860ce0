# PASCAL VOC 2012 + SBD (aug) as ml-cvnets v0.1 fed its segmenters (apple/ml-cvnets@d38a116
# config/segmentation/deeplabv3_mobilevit_small.yaml, data/datasets/segmentation/
# pascal_voc.py): OpenCV reads BGR, resizes bilinear (data/datasets/dataset_base.py and
# data/transforms/image.py). The first block is what your own VOC-layout data changes
# (docs/user_guides/own_data.md).
_base_ = 'mmseg::_base_/datasets/pascal_voc12_aug.py'

# ---- your data: VOC layout ------------------------------------------------------------
data_root = 'data/VOCdevkit/VOC2012'
crop_size = (512, 512)  # sampler.bs.crop_size_{width,height}

# training_transforms: random_resize (shorter side 256-1024, bilinear), RandomCrop 512
# with resize_if_needed (shorter side raised to 512 first), flip. Not reproduced: the
# extra COCO images of pascal.use_coco_data (ml-cvnets' own preprocessing of COCO into
# VOC classes).
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

# validation_transforms: Resize to 512x512 (aspect not kept, bilinear); the labels stay
# at the original size. One image per batch (eval_batch_size0: 1)
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
