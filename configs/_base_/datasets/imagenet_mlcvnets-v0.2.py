# ImageNet as ml-cvnets v0.2 fed its classifiers (apple/ml-cvnets@84d992f
# config/classification/imagenet/mobilevit_v2.yaml): PIL reads RGB
# (data/datasets/dataset_base.py), PIL resizes (data/transforms/image_pil.py) with the
# yaml's interpolation, bicubic; pixels in [0, 1] (ToTensor, no mean/std). Training:
# random-resized-crop, flip, RandAugment, random erasing at 256x256. Test: short side
# 288, centre crop 256. The first block is what your own ImageFolder data changes
# (docs/user_guides/own_data.md).

# ---- your data: ImageNet layout -------------------------------------------------------
data_root = 'data/imagenet'

data_preprocessor = dict(num_classes=1000, mean=[0., 0., 0.], std=[255., 255., 255.],
                         to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    # random_resized_crop: bicubic (torchvision's default scale/ratio, as mmpretrain's)
    dict(type='mmpretrain.RandomResizedCrop', scale=256, backend='pillow', interpolation='bicubic'),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    # rand_augment: torchvision RandAugment(num_ops=2, magnitude=9, num_magnitude_bins=31,
    # interpolation bilinear) (data/transforms/image_pil.py@84d992f); mmpretrain's
    # nearest equivalent: 2 ops at level 9 of 30 (timm's increasing op set)
    dict(type='mmpretrain.RandAugment', policies='timm_increasing', num_policies=2, total_level=30,
         magnitude_level=9, magnitude_std=0., hparams=dict(pad_val=0, interpolation='bilinear')),
    # random_erase p 0.25: torchvision RandomErasing (scale 0.02-0.33, ratio 0.3-3.3, 0)
    dict(type='mmpretrain.RandomErasing', erase_prob=0.25, mode='const', min_area_ratio=0.02,
         max_area_ratio=1 / 3, aspect_range=(0.3, 3.3), fill_color=(0, 0, 0)),
    dict(type='mmpretrain.PackInputs'),
]
# resize: short side 288 bicubic; center_crop: 256
test_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='mmpretrain.ResizeEdge', scale=288, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='mmpretrain.CenterCrop', crop_size=256),
    dict(type='mmpretrain.PackInputs'),
]
train_dataloader = dict(
    batch_size=128,  # dataset.train_batch_size0: 128 per GPU, 8 GPUs
    num_workers=8,
    persistent_workers=True,
    # sampler: batch_sampler at 256x256 (one fixed size, no multi-scale)
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='ImageNet', data_root=data_root, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=100,  # val_batch_size0
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ImageNet', data_root=data_root, split='val', pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
