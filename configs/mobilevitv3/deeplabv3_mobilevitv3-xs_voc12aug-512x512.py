# DeepLabv3-MobileViTv3-XS on PASCAL VOC 2012 + aug: the MobileViTv3 release
# (micronDLA/MobileViTv3@5e3f490 MobileViTv3-v1/config/segmentation/
# deeplabv3_mobilevitv3_x_small.yaml: the recipe of deeplabv3_mobilevitv3-s_voc12aug-512x512.py,
# train_batch_size0 12 too, with the v3-XS encoder). The released segmenter (mIoU 78.77;
# release v1.0.0, a zipped folder): unzip mobilevitv3_XS_voc_e50_7877 into checkpoints/, then
#   load_from = 'checkpoints/mobilevitv3_XS_voc_e50_7877'  # or its checkpoint_ema_best.pt
_base_ = './deeplabv3_mobilevitv3-s_voc12aug-512x512.py'

# ImageNet weights: the release folder mobilevitv3_XS_e300_7671, unzipped into checkpoints/
pretrained = 'checkpoints/mobilevitv3_XS_e300_7671/checkpoint_ema_best.pt'
model = dict(backbone=dict(arch='mobilevitv3-xs', init_cfg=dict(checkpoint=pretrained)))
