# SSDLite-MobileViTv3-S on COCO: the MobileViTv3-v1 overlay on ml-cvnets v0.1
# (micronDLA/MobileViTv3@5e3f490 MobileViTv3-v1/config/detection/
# ssd_mobilevitv3_small_320.yaml; model, input convention and recipe of
# ../mobilevit/ssdlite_mobilevit-s_coco.py except the max lr).
# The release (https://github.com/micronDLA/MobileViTv3/releases/tag/v1.0.0) ships
# zipped folders: unzip them into checkpoints/.
# ImageNet backbone: mobilevitv3_S_e300_7930.
# The trained detector (mobilevitv3_S_coco_e200_2730) loads as it is
# (the folder or the .pt inside), converted on the fly:
#   load_from = 'checkpoints/mobilevitv3_S_coco_e200_2730'
_base_ = '../mobilevit/ssdlite_mobilevit-s_coco.py'

pretrained = 'checkpoints/mobilevitv3_S_e300_7930/checkpoint_ema_best.pt'
model = dict(backbone=dict(arch='mobilevitv3-s', init_cfg=dict(checkpoint=pretrained)))

# scheduler.cosine.max_lr 0.004 (warm-up from 9e-5 over 500 iterations, min_lr 1e-6)
max_lr = 4e-3
optim_wrapper = dict(optimizer=dict(lr=max_lr))
param_scheduler = [
    dict(type='LinearLR', start_factor=9e-5 / max_lr, by_epoch=False, begin=0, end=500),
    dict(type='CosineAnnealingLR', eta_min=1e-6, begin=0, end=200, T_max=200,
         by_epoch=True, convert_to_iter_based=True),
]
