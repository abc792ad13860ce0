# SSDLite-MobileViTv3-XXS on COCO (MobileViTv3 paper; structure as
# ../mobilevit/ssdlite_mobilevit-s_coco.py).
# ImageNet weights: the MobileViTv3 release (github.com/micronDLA/MobileViTv3, release
# v1.0.0) ships zipped folders; unzip mobilevitv3_XXS_e300_7098 into checkpoints/. The
# backbone converts Apple's key layout while loading (or convert once with
# tools/model_converters/mobilevitv3_to_mmpretrain.py and point `checkpoint` at the result).
_base_ = '../mobilevit/ssdlite_mobilevit-s_coco.py'

arch = 'mobilevitv3-xxs'
backbone_channels = (80, 128)
model = dict(
    backbone=dict(
        arch=arch,
        init_cfg=dict(
            checkpoint='checkpoints/mobilevitv3_XXS_e300_7098/checkpoint_ema_best.pt',
            prefix=None)),
    neck=dict(in_channels=backbone_channels,
              out_channels=backbone_channels + (256, 128, 128, 64)))
