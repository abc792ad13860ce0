# SSDLite-MobileViTv3-XXS on COCO: the MobileViTv3-v1 overlay on ml-cvnets v0.1
# (micronDLA/MobileViTv3@5e3f490 MobileViTv3-v1/config/detection/
# ssd_mobilevitv3_xx_small_320.yaml: the recipe, max lr 0.004 included, of
# ssdlite_mobilevitv3-s_coco.py). Release folders unzipped into checkpoints/:
# ImageNet backbone: mobilevitv3_XXS_e300_7098.
# The trained detector (mobilevitv3_XXS_coco_e200_1930) loads as it is
# (the folder or the .pt inside), converted on the fly:
#   load_from = 'checkpoints/mobilevitv3_XXS_coco_e200_1930'
_base_ = './ssdlite_mobilevitv3-s_coco.py'

pretrained = 'checkpoints/mobilevitv3_XXS_e300_7098/checkpoint_ema_best.pt'
model = dict(backbone=dict(arch='mobilevitv3-xxs', init_cfg=dict(checkpoint=pretrained)))
