# DeepLabv3-MobileViTv2-1.0 on ADE20K, ml-cvnets v0.2 (apple/ml-cvnets@84d992f
# config/segmentation/ade20k/deeplabv3_mobilevitv2.yaml). Apple's released segmenter
# (mIoU 37.06):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/ade20k/mobilevitv2/deeplabv3-mobilevitv2-1.0.pt'  # noqa: E501
# The network, auxiliary head, augmentation and evaluation of
# deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py; what differs: output stride 8, ASPP
# rates 12/24/36, 150 classes (labels = mask - 1, background ignored:
# data/datasets/segmentation/ade20k.py), SGD, 120 epochs, 4 GPUs x 4.
_base_ = [
    '../_base_/models/deeplabv3_mobilevitv2.py',
    '../_base_/datasets/ade20k_mlcvnets-v0.2.py',
    '../_base_/schedules/ade20k_120e.py',
    '../_base_/default_runtime_seg.py',
]

pretrained = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/classification/'
              'mobilevitv2/imagenet1k/256x256/mobilevitv2-1.0.pt')
model = dict(
    backbone=dict(arch='mobilevitv2-1.0', out_stride=8,  # model.segmentation.output_stride
                  init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                                prefix='backbone.')),
    decode_head=dict(dilations=(1, 12, 24, 36), num_classes=150),
    auxiliary_head=dict(num_classes=150))

# SGD (momentum 0.9) 0.02, weight decay 1e-4 except norms and biases, gradient clipping
# at 10; cosine to 2e-4 without warm-up (the schedule)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=10.),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
