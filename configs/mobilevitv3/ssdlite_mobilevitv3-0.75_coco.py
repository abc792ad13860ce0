# SSDLite-MobileViTv3-0.75 on COCO: the MobileViTv3-v2 overlay on ml-cvnets v0.2
# (micronDLA/MobileViTv3@5e3f490 MobileViTv3-v2/config/detection/ssd_coco/mobilevit_v3.yaml
# with width_multiplier 0.75: the model, input convention, recipe and post-processing
# of ../mobilevitv2/ssdlite_mobilevitv2-1.0_coco.py).
# The release (https://github.com/micronDLA/MobileViTv3/releases/tag/v1.0.0) ships
# zipped folders: unzip them into checkpoints/.
# ImageNet backbone: mobilevitv3_0_7_5.
# The trained detector (mobilevitv3_coco_0_7_5) loads as it is
# (the folder or the .pt inside), converted on the fly:
#   load_from = 'checkpoints/mobilevitv3_coco_0_7_5'
_base_ = '../mobilevitv2/ssdlite_mobilevitv2-1.0_coco.py'

pretrained = 'checkpoints/mobilevitv3_0_7_5/checkpoint_ema_best.pt'
model = dict(backbone=dict(arch='mobilevitv3-0.75', init_cfg=dict(checkpoint=pretrained)))
