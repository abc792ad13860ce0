# DeepLabv3-MobileViTv2-2.0 on ADE20K, ml-cvnets v0.2: the recipe, head and
# evaluation of deeplabv3_mobilevitv2-1.0_ade20k-512x512.py with the 2.0 encoder
# (model.classification.mitv2.width_multiplier of the release yaml). Apple's released
# segmenter (mIoU 40.94):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/ade20k/mobilevitv2/deeplabv3-mobilevitv2-2.0.pt'  # noqa: E501
_base_ = './deeplabv3_mobilevitv2-1.0_ade20k-512x512.py'

pretrained = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/classification/'
              'mobilevitv2/imagenet1k/256x256/mobilevitv2-2.0.pt')
model = dict(
    backbone=dict(arch='mobilevitv2-2.0', init_cfg=dict(checkpoint=pretrained)))
