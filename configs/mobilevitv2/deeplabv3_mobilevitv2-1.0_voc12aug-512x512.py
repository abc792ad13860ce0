# DeepLabv3-MobileViTv2-1.0 on PASCAL VOC 2012 + aug, ml-cvnets v0.2 (apple/ml-cvnets@84d992f
# config/segmentation/pascal_voc/deeplabv3_mobilevitv2.yaml). Apple's released segmenter
# (mIoU 78.94):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/pascalvoc/mobilevitv2/deeplabv3-mobilevitv2-1.0.pt'  # noqa: E501
# The network with its auxiliary head (../_base_/models), the data and its v0.2 input
# convention (RGB, PIL, bicubic: ../_base_/datasets, where your own data goes), the
# schedule and the runtime.
_base_ = [
    '../_base_/models/deeplabv3_mobilevitv2.py',
    '../_base_/datasets/voc12aug_mlcvnets-v0.2.py',
    '../_base_/schedules/voc12aug_50e.py',
    '../_base_/default_runtime_seg.py',
]

# ImageNet-1k backbone of the same release (256x256); a config of yours may set
# init_cfg=None to start from random weights (offline)
pretrained = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/classification/'
              'mobilevitv2/imagenet1k/256x256/mobilevitv2-1.0.pt')
model = dict(backbone=dict(arch='mobilevitv2-1.0', init_cfg=dict(
    type='Pretrained', checkpoint=pretrained, prefix='backbone.')))

# AdamW (betas 0.9/0.999) 5e-4, weight decay 0.05 except norms and biases
# (no_decay_bn_filter_bias), lr_multiplier 1, warm-up from 5e-5, gradient clipping at 10
# (common.grad_clip)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.999), weight_decay=0.05),
    clip_grad=dict(max_norm=10.),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
