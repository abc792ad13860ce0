# DeepLabv3-MobileViT-XXS on PASCAL VOC 2012 + aug (see
# deeplabv3_mobilevit-s_voc12aug-512x512.py for the structure and recipe).
_base_ = './deeplabv3_mobilevit-s_voc12aug-512x512.py'

model = dict(
    backbone=dict(
        arch='mobilevit-xxs',
        init_cfg=dict(checkpoint='https://download.openmmlab.com/mmclassification/v0/'
                      'mobilevit/mobilevit-xxsmall_3rdparty_in1k_20221018-77835605.pth')),
    decode_head=dict(in_channels=80))
