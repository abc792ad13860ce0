# DeepLabv3-MobileViTv3-0.5 on PASCAL VOC 2012 + aug: the MobileViTv3 release (micronDLA/MobileViTv3
# @5e3f490 MobileViTv3-v2/config/segmentation/pascal_voc/deeplabv3_mobilevitv3.yaml, an overlay
# on apple/ml-cvnets@84d992f whose yaml equals deeplabv3_mobilevitv2.yaml but for the
# encoder): ../mobilevitv2/deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py with the v3-0.5
# encoder. The released segmenter (mIoU 76.48; release v1.0.0, a zipped folder):
# unzip mobilevitv3_voc_0_5_0 into checkpoints/, then
#   load_from = 'checkpoints/mobilevitv3_voc_0_5_0'  # or its checkpoint_ema_best.pt
_base_ = '../mobilevitv2/deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py'

# ImageNet weights: the release folder mobilevitv3_0_5_0, unzipped into checkpoints/
pretrained = 'checkpoints/mobilevitv3_0_5_0/checkpoint_ema_best.pt'
model = dict(
    backbone=dict(arch='mobilevitv3-0.5', init_cfg=dict(checkpoint=pretrained)))
