# mobilevitv2-1.25 on ImageNet-1k with the MobileViTv2 recipe of ml-cvnets v0.2
# (see ../_base_/mobilevitv2_8xb128_in1k.py; width_multiplier 1.25 in
# apple/ml-cvnets@84d992f config/classification/imagenet/mobilevit_v2.yaml).
_base_ = ['../_base_/mobilevitv2_8xb128_in1k.py']

model = dict(backbone=dict(arch='mobilevitv2-1.25'))
