# DeepLabv3-MobileViTv2-0.5 on PASCAL VOC 2012 + aug, ml-cvnets v0.2: the recipe, head and
# evaluation of deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py with the 0.5 encoder
# (model.classification.mitv2.width_multiplier of the release yaml). Apple's released
# segmenter (mIoU 75.07):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/pascalvoc/mobilevitv2/deeplabv3-mobilevitv2-0.5.pt'  # noqa: E501
_base_ = './deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py'

pretrained = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/classification/'
              'mobilevitv2/imagenet1k/256x256/mobilevitv2-0.5.pt')
model = dict(
    backbone=dict(arch='mobilevitv2-0.5', init_cfg=dict(checkpoint=pretrained)))
