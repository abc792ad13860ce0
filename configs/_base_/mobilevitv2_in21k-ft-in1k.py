# Fine-tuning an ImageNet-21k MobileViTv2 on ImageNet-1k at 256x256 (the zoo's
# "imagenet21k_to_1k/256x256" models). Every value: apple/ml-cvnets@84d992f
# config/classification/finetune_in21k_to_1k/mobilevit_v2.yaml unless noted; the
# augmentation, input convention and evaluation are ../_base_/mobilevitv2_8xb128_in1k.py's
# (the same values in that yaml: RandAugment, random erase 0.25, MixUp 0.2, CutMix 1.0,
# short side 288 bicubic, centre crop 256).
_base_ = ['./mobilevitv2_8xb128_in1k.py']

# model.classification.finetune_pretrained_model, n_pretrained_classes 10450: the
# ImageNet-21k head is replaced by a 1000-way one
allow_partial_load = dict(missing=[r'^head\.fc\.'], mismatched=[r'^head\.fc\.'])

train_dataloader = dict(batch_size=128)  # train_batch_size0: 128 per GPU, 2 GPUs (256)
max_epochs = 50  # scheduler.max_epochs
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',  # no common.grad_clip in this yaml
    # optim: sgd, momentum 0.9, weight_decay 4e-5, no decay on 1-D parameters
    optimizer=dict(type='SGD', lr=1e-2, momentum=0.9, weight_decay=4e-5),
    paramwise_cfg=dict(flat_decay_mult=0.))
# scheduler: cosine per epoch, max_lr 1e-2 -> min_lr 1e-3, no warm-up
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=1e-3, by_epoch=True, begin=0,
                        end=max_epochs, T_max=max_epochs)]
auto_scale_lr = dict(base_batch_size=256)  # 128 x 2 GPUs
