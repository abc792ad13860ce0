# DeepLabv3 on a MobileViT backbone, as ml-cvnets v0.2 builds it (apple/ml-cvnets@84d992f
# config/segmentation/pascal_voc/deeplabv3_mobilevitv2.yaml; cvnets/models/segmentation/
# heads/{base_seg_head,deeplabv3}.py, cvnets/modules/aspp_block.py,
# engine/eval_segmentation.py). Backbone at output stride 16; ASPP on stage 5 (1x1,
# rates 6/12/18, image pooling; 512 channels), a 1x1 projection, Dropout2d 0.1, a 1x1
# classifier; an FCN auxiliary head on stage 4 (3x3 conv to max(C4 // 4, 128),
# Dropout2d 0.1, 1x1 conv; loss weight 0.4). Every bilinear resize of the logits uses
# align_corners=True. The heads' in_channels follow from the arch: stage 4 (auxiliary
# head) and stage 5 (decode head) outputs (MLCVNetsEncoderDecoder). Input: pixels scaled
# to [0, 1], RGB (ml-cvnets v0.2).
norm_cfg = dict(type='SyncBN', requires_grad=True)  # normalization.name sync_batch_norm
model = dict(
    type='MLCVNetsEncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=(512, 512)),  # sampler.bs.crop_size_{width,height}
    pretrained=None,  # the backbone's init_cfg loads the ImageNet weights
    backbone=dict(
        type='MobileViTBackbone',
        input_channel_order='rgb',
        arch='mobilevitv2-1.0',
        out_indices=(3, 4),
        out_stride=16,  # model.segmentation.output_stride
        norm_cfg=norm_cfg),
    decode_head=dict(
        type='ASPPProjHead',
        in_index=1,
        channels=512,  # deeplabv3.aspp_out_channels
        dilations=(1, 6, 12, 18),  # the 1x1 branch, deeplabv3.aspp_rates
        # ASPP's Dropout2d(aspp_dropout 0.1) after the projection is the classifier's
        # dropout here; 84d992f's DeeplabV3 has no other (classifier_dropout unused)
        dropout_ratio=0.1,
        num_classes=21,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),  # model.segmentation.activation.name
        align_corners=True,  # BaseSegHead.upsample_seg_out
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    # use_aux_head: BaseSegHead.aux_head @ 84d992f
    auxiliary_head=dict(
        type='FCNHead',
        in_index=0,
        channels=None,  # max(C4 // 4, 128) of BaseSegHead.aux_head, from the arch
        num_convs=1,
        kernel_size=3,
        concat_input=False,
        dropout_ratio=0.1,  # model.segmentation.aux_dropout (default 0.1)
        num_classes=21,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        align_corners=True,
        # loss.segmentation.cross_entropy.aux_weight
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    # engine/eval_segmentation.py @ 84d992f: input floored to a multiple of 16 (bilinear,
    # align_corners=True), logits upsampled straight to the original size
    test_cfg=dict(mode='whole', protocol='mlcvnets-v0.2'))
