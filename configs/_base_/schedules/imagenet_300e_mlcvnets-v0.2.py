# The MobileViTv2 ImageNet-1k schedule (apple/ml-cvnets@84d992f
# config/classification/imagenet/mobilevit_v2.yaml; the same values in
# micronDLA/MobileViTv3@5e3f490 MobileViTv3-v2/config/classification/imagenet/
# mobilevit_v3_oneserver.py): 300 epochs on 8 GPUs x 128, AdamW, a 20k-iteration warm-up
# from 1e-6, cosine per epoch to 2e-4, gradient clipping.
max_epochs = 300  # scheduler.max_epochs
warmup_iters = 20000  # scheduler.warmup_iterations
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(
    # optim: adamw (0.9, 0.999), weight_decay 0.05; no_decay_bn_filter_bias: every 1-D
    # parameter (biases, norms) without decay (cvnets/misc/common.py@84d992f)
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(flat_decay_mult=0.),
    clip_grad=dict(max_norm=10.0))  # common.grad_clip: 10.0 (L2 norm)
param_scheduler = [
    # warmup_init_lr 1e-6 -> max_lr 2e-3 over 20k iterations
    dict(type='LinearLR', start_factor=1e-6 / 2e-3, by_epoch=False, begin=0,
         end=warmup_iters),
    # cosine per epoch (is_iteration_based: false), max_lr 2e-3 -> min_lr 2e-4
    dict(type='CosineAnnealingLR', eta_min=2e-4, by_epoch=True, begin=0, end=max_epochs,
         T_max=max_epochs),
]
# 8 GPUs x 128 images; `--auto-scale-lr` rescales the lr for other totals
auto_scale_lr = dict(base_batch_size=1024)
