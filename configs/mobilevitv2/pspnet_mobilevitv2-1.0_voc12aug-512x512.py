# PSPNet-MobileViTv2-1.0 on PASCAL VOC 2012 + aug, ml-cvnets v0.2 (apple/ml-cvnets@84d992f
# config/segmentation/pascal_voc/pspnet_mobilevitv2.yaml; cvnets/models/segmentation/
# heads/pspnet.py, cvnets/modules/pspnet_module.py). Apple's released segmenter
# (mIoU 78.92):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/pascalvoc/mobilevitv2/pspnet-mobilevitv2-1.0.pt'  # noqa: E501
# The recipe, backbone, auxiliary head and evaluation of
# deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py (the yamls differ only in seg_head);
# the head: pooling branches 1/2/3/6 of (C5 // 4) // 16 * 16 channels, resized with
# align_corners=True, concatenated after the input, a 3x3 fusion conv to 512
# (psp_out_channels), Dropout2d 0.1 (psp_dropout), a 1x1 classifier.
_base_ = './deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py'

model = dict(
    decode_head=dict(
        _delete_=True,
        type='SlimBranchPSPHead',
        in_index=1,
        channels=512,
        pool_scales=(1, 2, 3, 6),  # pspnet.psp_pool_sizes
        dropout_ratio=0.1,
        num_classes=21,
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        act_cfg=dict(type='ReLU'),
        align_corners=True,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)))
