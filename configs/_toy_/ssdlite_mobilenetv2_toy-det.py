# Smoke config: mmdet's stock SSDLite-MobileNetV2 on the bundled toy COCO-format
# data (python tools/misc/make_toy_data.py). CPU, a few minutes.
_base_ = 'mmdet::ssd/ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py'
custom_imports = dict(
    imports=['mmmobilevit', 'mmmobilevit.compat.enable'], allow_failed_imports=False)

data_root = 'data/toy/coco/'
metainfo = dict(classes=('square', 'circle', 'triangle'))

# mmdet's SSDHead cannot predict as shipped: MMDetSSDHead sets the attribute it reads
model = dict(bbox_head=dict(type='MMDetSSDHead', num_classes=3))

train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        times=1,
        dataset=dict(
            data_root=data_root,
            metainfo=metainfo,
            filter_cfg=dict(filter_empty_gt=True, min_size=4))))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/')))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator

max_epochs = 2
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=4),
    dict(type='CosineAnnealingLR', begin=0, T_max=max_epochs, end=max_epochs,
         by_epoch=True, eta_min=0)
]
default_hooks = dict(logger=dict(interval=4))
env_cfg = dict(cudnn_benchmark=False)
auto_scale_lr = dict(base_batch_size=8)
randomness = dict(seed=0)
