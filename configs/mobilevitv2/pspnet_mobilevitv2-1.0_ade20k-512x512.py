# PSPNet-MobileViTv2-1.0 on ADE20K, ml-cvnets v0.2 (apple/ml-cvnets@84d992f
# config/segmentation/ade20k/pspnet_mobilevitv2.yaml). Apple's released segmenter
# (mIoU 36.57):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/segmentation/ade20k/mobilevitv2/pspnet-mobilevitv2-1.0.pt'  # noqa: E501
# deeplabv3_mobilevitv2-1.0_ade20k-512x512.py with the PSP head of
# pspnet_mobilevitv2-1.0_voc12aug-512x512.py (the yamls differ only in seg_head).
_base_ = './deeplabv3_mobilevitv2-1.0_ade20k-512x512.py'

model = dict(
    decode_head=dict(
        _delete_=True,
        type='SlimBranchPSPHead',
        in_index=1,
        channels=512,  # pspnet.psp_out_channels
        pool_scales=(1, 2, 3, 6),  # pspnet.psp_pool_sizes
        dropout_ratio=0.1,  # pspnet.psp_dropout
        num_classes=150,
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        act_cfg=dict(type='ReLU'),
        align_corners=True,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)))
