# PSPNet-MobileViTv2-0.75 on PASCAL VOC 2012 + aug, ml-cvnets v0.2: the recipe, head and
# evaluation of pspnet_mobilevitv2-1.0_voc12aug-512x512.py with the 0.75 encoder
# (model.classification.mitv2.width_multiplier of the release yaml). Apple's released
# segmenter (mIoU 77.44):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/pascalvoc/mobilevitv2/pspnet-mobilevitv2-0.75.pt'  # noqa: E501
_base_ = './pspnet_mobilevitv2-1.0_voc12aug-512x512.py'

pretrained = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/classification/'
              'mobilevitv2/imagenet1k/256x256/mobilevitv2-0.75.pt')
model = dict(
    backbone=dict(arch='mobilevitv2-0.75', init_cfg=dict(checkpoint=pretrained)))
