# The schedule shape of ml-cvnets' ADE20K segmenters (apple/ml-cvnets@84d992f
# config/segmentation/ade20k/deeplabv3_mobilevitv2.yaml): 120 epochs of 20210 images on
# 4 GPUs x 4, cosine to 2e-4 without warm-up, validation and a checkpoint every 10
# epochs. The optimizer (SGD) is in the configs.
_base_ = './voc12aug_50e.py'

iters_per_epoch = -(-20210 // (4 * 4))
max_iters = 120 * iters_per_epoch
train_cfg = dict(max_iters=max_iters, val_interval=10 * iters_per_epoch)
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=2e-4, by_epoch=False, begin=0,
         end=max_iters, T_max=max_iters),
]
default_hooks = dict(checkpoint=dict(interval=10 * iters_per_epoch))
auto_scale_lr = dict(enable=False, base_batch_size=16)
