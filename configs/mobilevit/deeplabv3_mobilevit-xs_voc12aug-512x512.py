# DeepLabv3-MobileViT-XS on PASCAL VOC 2012 + aug (see
# deeplabv3_mobilevit-s_voc12aug-512x512.py for the structure and recipe).
_base_ = './deeplabv3_mobilevit-s_voc12aug-512x512.py'

model = dict(
    backbone=dict(
        arch='mobilevit-xs',
        init_cfg=dict(checkpoint='https://download.openmmlab.com/mmclassification/v0/'
                      'mobilevit/mobilevit-xsmall_3rdparty_in1k_20221018-be39a6e7.pth')),
    decode_head=dict(in_channels=96))
