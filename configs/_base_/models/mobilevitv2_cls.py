# A MobileViTv2 classifier as ml-cvnets v0.2 builds and trains it (apple/ml-cvnets@84d992f
# config/classification/imagenet/mobilevit_v2.yaml; the same values in
# micronDLA/MobileViTv3@5e3f490 MobileViTv3-v2/config/classification/imagenet/
# mobilevit_v3_oneserver.py): global average pooling, a linear layer (no classifier
# dropout), label smoothing 0.1, mixup / cutmix.
model = dict(
    type='MobileViTClassifier',  # mmpretrain's ImageClassifier with our load check
    backbone=dict(type='MobileViTBackbone', arch='mobilevitv2-1.0', input_channel_order='rgb'),
    neck=dict(type='GlobalAveragePooling'),  # model.layer.global_pool: "mean"
    head=dict(  # no classifier dropout in v2 (cvnets/models/classification/mobilevit_v2.py)
        type='LinearClsHead',
        num_classes=1000,
        # loss.classification: cross_entropy, label_smoothing 0.1 (also on mixed labels)
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, 5)),
    # ml-cvnets v0.2 picks one of mixup (alpha 0.2) / cutmix (alpha 1.0) per batch and
    # applies it with p 0.5 (engine/training_engine.py apply_mixup_transforms,
    # data/transforms/image_torch.py RandomMixup/RandomCutmix p default 0.5): 0.25 each
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.2), dict(type='CutMix', alpha=1.0)],
                   probs=[0.25, 0.25]))
