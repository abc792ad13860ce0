# PSPNet-MobileViTv2-0.5 on ADE20K, ml-cvnets v0.2: the recipe, head and
# evaluation of pspnet_mobilevitv2-1.0_ade20k-512x512.py with the 0.5 encoder
# (model.classification.mitv2.width_multiplier of the release yaml). Apple's released
# segmenter (mIoU 31.77):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/ade20k/mobilevitv2/pspnet-mobilevitv2-0.5.pt'  # noqa: E501
_base_ = './pspnet_mobilevitv2-1.0_ade20k-512x512.py'

pretrained = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/classification/'
              'mobilevitv2/imagenet1k/256x256/mobilevitv2-0.5.pt')
model = dict(
    backbone=dict(arch='mobilevitv2-0.5', init_cfg=dict(checkpoint=pretrained)))
