# DeepLabv3 on a MobileViT backbone, as ml-cvnets v0.1 builds it (apple/ml-cvnets@d38a116
# config/segmentation/deeplabv3_mobilevit_small.yaml; cvnets/models/segmentation/
# heads/deeplabv3.py, cvnets/modules/aspp_block.py, engine/eval_segmentation.py).
# Backbone at output stride 16 (no expansion conv); ASPP on stage 5: 1x1, rates 6/12/18
# and image pooling, 256 channels, a 1x1 projection + element-wise dropout 0.1
# (ASPPProjHead), Dropout2d 0.1 and a 1x1 classifier; no auxiliary head. The head's
# in_channels follow from the arch (MLCVNetsEncoderDecoder). Input: pixels scaled to
# [0, 1], BGR (ml-cvnets v0.1).
norm_cfg = dict(type='SyncBN', requires_grad=True)  # normalization.name sync_batch_norm
model = dict(
    type='MLCVNetsEncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=False,
        pad_val=0,
        seg_pad_val=255,
        size=(512, 512)),  # sampler.bs.crop_size_{width,height}
    pretrained=None,  # the backbone's init_cfg loads the ImageNet weights
    backbone=dict(
        type='MobileViTBackbone',
        input_channel_order='bgr',
        arch='mobilevit-s',
        out_indices=(4, ),
        out_stride=16,  # model.segmentation.output_stride
        norm_cfg=norm_cfg),
    decode_head=dict(
        type='ASPPProjHead',
        in_index=0,
        channels=256,  # deeplabv3.aspp_out_channels
        dilations=(1, 6, 12, 18),  # the 1x1 branch, deeplabv3.aspp_rates
        # ASPP's Dropout(0.1): d38a116's DeeplabV3 passes aspp_dropout as `drop_p`,
        # which ASPP ignores, so its default 0.1 applies
        projection_dropout=0.1,
        dropout_ratio=0.1,  # model.segmentation.classifier_dropout (Dropout2d)
        num_classes=21,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),  # model.segmentation.activation.name
        align_corners=False,  # UpSample(scale_factor=16, align_corners=False)
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=None,
    train_cfg=dict(),
    # engine/eval_segmentation.py @ d38a116: input floored to a multiple of 16, logits
    # upsampled x16, nearest to the original size (MLCVNetsEncoderDecoder)
    test_cfg=dict(mode='whole', protocol='mlcvnets-v0.1'))
