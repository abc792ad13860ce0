# mobilevitv3-xs on ImageNet-1k.
# Recipe: micronDLA/MobileViTv3@5e3f490
# MobileViTv3-v1/config/classification/mobilevitv3_x_small_oneserver.yaml, the v1 recipe of
# ml-cvnets v0.1 (../_base_/mobilevit_8xb128_in1k.py: multi-scale sampler, AdamW 0.01,
# classifier dropout 0.1) but for the batch: train_batch_size0 32 per GPU; MobileViTv3
# paper 4.1: 384 in total. The file name keeps the family scheme.
_base_ = ['../_base_/mobilevit_8xb128_in1k.py']

model = dict(backbone=dict(arch='mobilevitv3-xs'))
train_dataloader = dict(batch_size=32)  # per GPU, at the base resolution 256
auto_scale_lr = dict(base_batch_size=384)  # the release's lr 2e-3 was set for 384
