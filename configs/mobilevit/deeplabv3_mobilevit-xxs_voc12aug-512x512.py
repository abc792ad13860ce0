# DeepLabv3-MobileViT-XXS on PASCAL VOC 2012 + aug, ml-cvnets v0.1 (apple/ml-cvnets@d38a116
# config/segmentation/deeplabv3_mobilevit_xx_small.yaml: the recipe of
# deeplabv3_mobilevit-s_voc12aug-512x512.py with the XXS encoder).
# Apple's released segmenter (mIoU 72.8) loads as it is, converted on the fly:
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets/segmentation/deeplabv3_mobilevit_xxs.pt'  # noqa: E501
_base_ = './deeplabv3_mobilevit-s_voc12aug-512x512.py'

pretrained = ('https://download.openmmlab.com/mmclassification/v0/'
              'mobilevit/mobilevit-xxsmall_3rdparty_in1k_20221018-77835605.pth')
model = dict(backbone=dict(arch='mobilevit-xxs', init_cfg=dict(checkpoint=pretrained)))
