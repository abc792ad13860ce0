# ImageNet as ml-cvnets v0.1 fed its classifiers (apple/ml-cvnets@d38a116
# config/classification/mobilevit_small.yaml): OpenCV reads BGR
# (data/datasets/dataset_base.py), resizes with cv2 bilinear (data/transforms/image.py;
# yaml random_resized_crop bilinear); pixels in [0, 1]. Training: random-resized-crop
# and flip only, the multi-scale sampler over {160, 192, 256, 288, 320} (ml-cvnets
# v0.1's batch sizes: 328, 224, 128, 128, 128). Test: short side 288, centre crop 256.
# The first block is what your own ImageFolder data changes
# (docs/user_guides/own_data.md).

# ---- your data: ImageNet layout -------------------------------------------------------
data_root = 'data/imagenet'

data_preprocessor = dict(num_classes=1000, mean=[0., 0., 0.], std=[255., 255., 255.],
                         to_rgb=False)
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(type='MultiScaleRandomResizedCrop', scale=256, backend='cv2',
         interpolation='bilinear'),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
# data/datasets/classification/imagenet.py@d38a116 validation_transforms: short side
# crop + 32 = 288 (cv2, bilinear), centre crop 256
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(type='mmpretrain.ResizeEdge', scale=288, edge='short', backend='cv2',
         interpolation='bilinear'),
    dict(type='mmpretrain.CenterCrop', crop_size=256),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(
    batch_size=128,  # per GPU, at the base resolution 256
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='MultiScaleBatchSampler', resolutions=[160, 192, 256, 288, 320],
                       base_resolution=256, rule='mlcvnets-v0.1'),
    dataset=dict(
        type='MultiScaleDataset',
        dataset=dict(type='ImageNet', data_root=data_root, split='train',
                     pipeline=train_pipeline)))
val_dataloader = dict(
    batch_size=100,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ImageNet', data_root=data_root, split='val', pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
