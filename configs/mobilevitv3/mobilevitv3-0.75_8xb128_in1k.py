# mobilevitv3-0.75 on ImageNet-1k with the MobileViTv2 recipe of ml-cvnets v0.2, which
# the release used unchanged but for the batch: micronDLA/MobileViTv3@5e3f490
# MobileViTv3-v2/config/classification/imagenet/mobilevit_v3_oneserver.py (a yaml:
# 80 images per GPU; MobileViTv3 paper 4.1: 1,020 in total, 85 per GPU). The file keeps
# the family's 8 x 128; `--auto-scale-lr` rescales the lr for other totals.
# See ../_base_/mobilevitv2_8xb128_in1k.py.
_base_ = ['../_base_/mobilevitv2_8xb128_in1k.py']

model = dict(backbone=dict(arch='mobilevitv3-0.75'))
