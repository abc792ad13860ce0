# SSDLite-MobileViT-XS on COCO (see ssdlite_mobilevit-s_coco.py for the structure).
_base_ = './ssdlite_mobilevit-s_coco.py'

arch = 'mobilevit-xs'
backbone_channels = (80, 96)
model = dict(
    backbone=dict(
        arch=arch,
        init_cfg=dict(checkpoint='https://download.openmmlab.com/mmclassification/v0/'
                      'mobilevit/mobilevit-xsmall_3rdparty_in1k_20221018-be39a6e7.pth')),
    neck=dict(in_channels=backbone_channels,
              out_channels=backbone_channels + (256, 128, 128, 64)))
