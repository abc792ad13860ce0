# SSDLite-MobileViT-XXS on COCO (see ssdlite_mobilevit-s_coco.py for the structure).
_base_ = './ssdlite_mobilevit-s_coco.py'

arch = 'mobilevit-xxs'
backbone_channels = (64, 80)
model = dict(
    backbone=dict(
        arch=arch,
        init_cfg=dict(checkpoint='https://download.openmmlab.com/mmclassification/v0/'
                      'mobilevit/mobilevit-xxsmall_3rdparty_in1k_20221018-77835605.pth')),
    neck=dict(in_channels=backbone_channels,
              out_channels=backbone_channels + (256, 128, 128, 64)))
