# DeepLabv3-MobileViTv3-XXS on PASCAL VOC 2012 + aug (MobileViTv3 paper; structure and
# recipe as ../mobilevit/deeplabv3_mobilevit-s_voc12aug-512x512.py).
# ImageNet weights: the MobileViTv3 release (github.com/micronDLA/MobileViTv3, release
# v1.0.0) ships zipped folders; unzip mobilevitv3_XXS_e300_7098 into checkpoints/. The
# backbone converts Apple's key layout while loading (or convert once with
# tools/model_converters/mobilevitv3_to_mmpretrain.py and point `checkpoint` at the result).
_base_ = '../mobilevit/deeplabv3_mobilevit-s_voc12aug-512x512.py'

model = dict(
    backbone=dict(
        arch='mobilevitv3-xxs',
        init_cfg=dict(
            checkpoint='checkpoints/mobilevitv3_XXS_e300_7098/checkpoint_ema_best.pt',
            prefix=None)),
    decode_head=dict(in_channels=128))
