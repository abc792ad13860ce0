# mobilevit-xs on ImageNet-1k with the MobileViT recipe (see ../_base_/mobilevit_8xb128_in1k.py).
_base_ = ['../_base_/mobilevit_8xb128_in1k.py']

model = dict(backbone=dict(arch='mobilevit-xs'))
