# SSDLite-MobileViT-XXS on COCO, ml-cvnets v0.1 (apple/ml-cvnets@d38a116
# config/detection/ssd_mobilevit_xx_small_320.yaml: the recipe and head of
# ssdlite_mobilevit-s_coco.py). Apple's released detector loads as it is:
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets/detection/ssd_mobilevit_xxs_320.pt'  # noqa: E501
_base_ = './ssdlite_mobilevit-s_coco.py'

pretrained = ('https://download.openmmlab.com/mmclassification/v0/'
              'mobilevit/mobilevit-xxsmall_3rdparty_in1k_20221018-77835605.pth')
model = dict(backbone=dict(arch='mobilevit-xxs', init_cfg=dict(checkpoint=pretrained)))
