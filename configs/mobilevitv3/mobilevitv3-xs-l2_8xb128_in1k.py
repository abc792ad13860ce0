# mobilevitv3-xs-l2 (low latency: 2 transformer layers in stage 4) on ImageNet-1k with
# the MobileViT recipe (see ../_base_/mobilevit_8xb128_in1k.py).
_base_ = ['../_base_/mobilevit_8xb128_in1k.py']

model = dict(backbone=dict(arch='mobilevitv3-xs-l2'), head=dict(in_channels=640))
