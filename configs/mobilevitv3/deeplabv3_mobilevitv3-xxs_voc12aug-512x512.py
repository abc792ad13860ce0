# DeepLabv3-MobileViTv3-XXS on PASCAL VOC 2012 + aug: the MobileViTv3 release
# (micronDLA/MobileViTv3@5e3f490 MobileViTv3-v1/config/segmentation/
# deeplabv3_mobilevitv3_xx_small.yaml, an overlay on apple/ml-cvnets@d38a116): the v0.1 head,
# recipe and evaluation of ../mobilevit/deeplabv3_mobilevit-s_voc12aug-512x512.py with the
# v3-XXS encoder and train_batch_size0 16. The released segmenter (mIoU 74.01;
# release v1.0.0, a zipped folder): unzip mobilevitv3_XXS_voc_e50_7404 into checkpoints/, then
#   load_from = 'checkpoints/mobilevitv3_XXS_voc_e50_7404'  # or its checkpoint_ema_best.pt
_base_ = '../mobilevit/deeplabv3_mobilevit-s_voc12aug-512x512.py'

# ImageNet weights: the release folder mobilevitv3_XXS_e300_7098, unzipped into checkpoints/
pretrained = 'checkpoints/mobilevitv3_XXS_e300_7098/checkpoint_ema_best.pt'
model = dict(backbone=dict(arch='mobilevitv3-xxs', init_cfg=dict(checkpoint=pretrained)))

iters_per_epoch = -(-12046 // (4 * 16))
max_iters = 50 * iters_per_epoch
train_dataloader = dict(batch_size=16)  # per GPU, 4 GPUs
train_cfg = dict(max_iters=max_iters, val_interval=5 * iters_per_epoch)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=500),
    dict(type='CosineAnnealingLR', eta_min=1e-6, by_epoch=False, begin=0,
         end=max_iters, T_max=max_iters),
]
default_hooks = dict(checkpoint=dict(interval=5 * iters_per_epoch))
auto_scale_lr = dict(enable=False, base_batch_size=4 * 16)
