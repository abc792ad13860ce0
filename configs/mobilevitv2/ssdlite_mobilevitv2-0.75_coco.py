# SSDLite-MobileViTv2-0.75 on COCO, ml-cvnets v0.2 (apple/ml-cvnets@84d992f
# config/detection/ssd_coco/mobilevit_v2.yaml with width_multiplier 0.75; everything
# else as ssdlite_mobilevitv2-1.0_coco.py). Apple's released detector
# (box AP 24.57):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/detection/mobilevitv2/coco-ssd-mobilevitv2-0.75.pt'  # noqa: E501
_base_ = './ssdlite_mobilevitv2-1.0_coco.py'

pretrained = ('https://docs-assets.developer.apple.com/ml-research/models/'
              'cvnets-v2/classification/mobilevitv2/imagenet1k/256x256/mobilevitv2-0.75.pt')
model = dict(backbone=dict(arch='mobilevitv2-0.75', init_cfg=dict(checkpoint=pretrained)))
