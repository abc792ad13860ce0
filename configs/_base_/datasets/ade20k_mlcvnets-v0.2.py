# ADE20K as ml-cvnets v0.2 fed its segmenters (apple/ml-cvnets@84d992f
# config/segmentation/ade20k/deeplabv3_mobilevitv2.yaml, data/datasets/segmentation/
# ade20k.py): the VOC pipelines of voc12aug_mlcvnets-v0.2.py with reduce_zero_label
# (ml-cvnets' mask - 1, background ignored; padding and rotation fill 0, i.e. ignored,
# as mask_fill: 0 of the yaml), 4 images per GPU. The first block is what your own
# ADE-layout data changes (docs/user_guides/own_data.md).
_base_ = './voc12aug_mlcvnets-v0.2.py'

# ---- your data: ADE20K layout (mmseg's ADEChallengeData2016) ------------------------
data_root = 'data/ade/ADEChallengeData2016'
crop_size = (512, 512)

train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomShortSideResize', short_side_range=(256, 768), max_size=1024,
         interpolation='bicubic', backend='pillow'),
    dict(type='mmseg.RandomFlip', prob=0.5),
    dict(type='mmseg.RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='mmseg.PhotoMetricDistortion'),
    dict(type='mmseg.RandomRotate', prob=1.0, degree=10, pad_val=0, seg_pad_val=255),
    dict(type='mmseg.PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='ShortSideResize', short_side=512, interpolation='bicubic', backend='pillow'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='mmseg.PackSegInputs'),
]
train_dataloader = dict(
    _delete_=True,
    batch_size=4,  # train_batch_size0, per GPU; 4 GPUs
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='ADE20KDataset', data_root=data_root,
                 data_prefix=dict(img_path='images/training',
                                  seg_map_path='annotations/training'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    _delete_=True,
    batch_size=1,  # eval_batch_size0
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ADE20KDataset', data_root=data_root,
                 data_prefix=dict(img_path='images/validation',
                                  seg_map_path='annotations/validation'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
