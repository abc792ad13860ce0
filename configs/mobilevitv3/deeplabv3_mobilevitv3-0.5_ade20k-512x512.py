# DeepLabv3-MobileViTv3-0.5 on ADE20K (recipe and structure as
# deeplabv3_mobilevitv3-1.0_ade20k-512x512.py). ImageNet weights: unzip the MobileViTv3
# release folder mobilevitv3_0_5_0 into checkpoints/.
_base_ = './deeplabv3_mobilevitv3-1.0_ade20k-512x512.py'

model = dict(
    backbone=dict(
        arch='mobilevitv3-0.5',
        init_cfg=dict(
            checkpoint='checkpoints/mobilevitv3_0_5_0/checkpoint_ema_best.pt')),
    decode_head=dict(in_channels=256),
    auxiliary_head=dict(in_channels=192))
