# mobilevitv2-0.5 on ImageNet-1k with the MobileViT recipe
# (see ../_base_/mobilevit_8xb128_in1k.py).
_base_ = ['../_base_/mobilevit_8xb128_in1k.py']

model = dict(backbone=dict(arch='mobilevitv2-0.5'), head=dict(in_channels=256))
