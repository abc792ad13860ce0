# DeepLabv3-MobileViT-S on PASCAL VOC 2012 + SBD (aug): MobileViT paper Table 2 /
# appendix D, ml-cvnets v0.1 (apple/ml-cvnets@d38a116
# config/segmentation/deeplabv3_mobilevit_small.yaml).
#   tools/dist_train.sh configs/mobilevit/deeplabv3_mobilevit-s_voc12aug-512x512.py 4
# Apple's released segmenter (mIoU 79.3) loads as it is, converted on the fly:
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets/segmentation/deeplabv3_mobilevit_s.pt'  # noqa: E501
# The network (../_base_/models), the data and its v0.1 input convention (BGR, OpenCV,
# bilinear: ../_base_/datasets, where your own data goes), the schedule and the runtime.
_base_ = [
    '../_base_/models/deeplabv3_mobilevit.py',
    '../_base_/datasets/voc12aug_mlcvnets-v0.1.py',
    '../_base_/schedules/voc12aug_50e.py',
    '../_base_/default_runtime_seg.py',
]

# the ImageNet backbone (downloaded once: mmpretrain's conversion of the release's
# model.classification.pretrained, cvnets/classification/mobilevit_s.pt); a config of
# yours may set init_cfg=None to start from random weights (offline)
pretrained = ('https://download.openmmlab.com/mmclassification/v0/mobilevit/'
              'mobilevit-small_3rdparty_in1k_20221018-cb4f741c.pth')
model = dict(backbone=dict(arch='mobilevit-s', init_cfg=dict(
    type='Pretrained', checkpoint=pretrained, prefix='backbone.')))

# AdamW (betas 0.9/0.999) 9e-4, weight decay 0.01 on every parameter
# (no_decay_bn_filter_bias false), head lr x10 (lr_multiplier); warm-up from 9e-5
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=9e-4, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=10.)}))
