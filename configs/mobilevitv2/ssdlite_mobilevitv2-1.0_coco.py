# SSDLite-MobileViTv2-1.0 on COCO, ml-cvnets v0.2 (apple/ml-cvnets@84d992f
# config/detection/ssd_coco/mobilevit_v2.yaml with width_multiplier 1.0;
# cvnets/models/detection/ssd.py, cvnets/modules/ssd_heads.py,
# cvnets/anchor_generator/ssd_anchor_generator.py). The network of
# ../mobilevit/ssdlite_mobilevit-s_coco.py; what differs is the input convention (RGB,
# PIL, bicubic), the weight decay and the post-processing. Apple's released detector
# (box AP 26.47):
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/detection/mobilevitv2/coco-ssd-mobilevitv2-1.0.pt'  # noqa: E501
_base_ = [
    '../_base_/models/ssdlite_mobilevit.py',
    '../_base_/datasets/coco_mlcvnets-v0.2.py',
    '../_base_/schedules/ssdlite_adamw_200e.py',
    '../_base_/default_runtime_det.py',
]

# ImageNet-1k backbone of the same release (256x256)
pretrained = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/classification/'
              'mobilevitv2/imagenet1k/256x256/mobilevitv2-1.0.pt')
model = dict(
    data_preprocessor=dict(bgr_to_rgb=True),  # pixels scaled to [0, 1], RGB
    backbone=dict(
        arch='mobilevitv2-1.0',
        input_channel_order='rgb',
        init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    # SingleShotMaskDetector.postprocess_detections @ 84d992f: per class, scores >
    # conf_threshold 0.01, the top_k 400 best, class-aware NMS at nms_iou_threshold 0.5,
    # then the objects_per_image 200 best over all classes
    test_cfg=dict(
        score_thr=0.01,
        nms=dict(type='nms', iou_threshold=0.5),
        nms_pre=400,
        max_per_class=None,
        max_per_img=200))

# optim.weight_decay 0.05 (no_decay_bn_filter_bias false: every parameter decays);
# max_lr 9e-4, warm-up from 9e-5 over 500 iterations, min_lr 1e-6, 200 epochs: the base's
optim_wrapper = dict(optimizer=dict(weight_decay=0.05))
