# SSDLite-MobileViTv3-XS on COCO: the MobileViTv3-v1 overlay on ml-cvnets v0.1
# (micronDLA/MobileViTv3@5e3f490 MobileViTv3-v1/config/detection/
# ssd_mobilevitv3_x_small_320.yaml: the recipe, max lr 0.004 included, of
# ssdlite_mobilevitv3-s_coco.py). Release folders unzipped into checkpoints/:
# ImageNet backbone: mobilevitv3_XS_e300_7671.
# The trained detector (mobilevitv3_XS_coco_e200_2560) loads as it is
# (the folder or the .pt inside), converted on the fly:
#   load_from = 'checkpoints/mobilevitv3_XS_coco_e200_2560'
_base_ = './ssdlite_mobilevitv3-s_coco.py'

arch = 'mobilevitv3-xs'
backbone_channels = (160, 160)  # stage 4 (OS16) and stage 5 (OS32) outputs
model = dict(
    backbone=dict(
        arch=arch,
        init_cfg=dict(
            checkpoint='checkpoints/mobilevitv3_XS_e300_7671/checkpoint_ema_best.pt')),
    neck=dict(in_channels=backbone_channels),
    bbox_head=dict(in_channels=backbone_channels + (256, 128, 128, 64)))
