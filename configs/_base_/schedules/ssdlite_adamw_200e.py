# The SSDLite schedule of ml-cvnets (apple/ml-cvnets@d38a116
# config/detection/ssd_mobilevit_small_320.yaml; the same in @84d992f
# config/detection/ssd_coco/mobilevit_v2.yaml but the weight decay): AdamW, 500-iteration
# warm-up from 9e-5 to max_lr 9e-4, cosine to min_lr 1e-6, weight decay 0.01 on every
# parameter, 200 epochs on 4 GPUs x 32.
max_epochs = 200
max_lr, warmup_lr, min_lr = 9e-4, 9e-5, 1e-6
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=max_lr, betas=(0.9, 0.999), weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=warmup_lr / max_lr, by_epoch=False, begin=0,
         end=500),
    dict(type='CosineAnnealingLR', eta_min=min_lr, begin=0, end=max_epochs,
         T_max=max_epochs, by_epoch=True, convert_to_iter_based=True),
]
# 4 GPUs x 32 images; `--auto-scale-lr` rescales the lr for other totals
auto_scale_lr = dict(enable=False, base_batch_size=128)
