# A MobileViT classifier as ml-cvnets v0.1 builds it (apple/ml-cvnets@d38a116
# config/classification/mobilevit_small.yaml; the same in _x_small / _xx_small but the
# transformer dropout, set by the arch): global average pooling, dropout 0.1, a linear
# layer; label smoothing 0.1.
model = dict(
    type='MobileViTClassifier',  # mmpretrain's ImageClassifier with our load check
    backbone=dict(type='MobileViTBackbone', arch='mobilevit-s', input_channel_order='bgr'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='DropoutLinearClsHead',
        dropout_rate=0.1,  # yaml model.classification.classifier_dropout: 0.1
        num_classes=1000,
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        topk=(1, 5)))
