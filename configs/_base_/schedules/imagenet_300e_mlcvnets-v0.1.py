# The MobileViT ImageNet-1k schedule (paper section 4.1; apple/ml-cvnets@d38a116
# config/classification/mobilevit_small.yaml): 300 epochs on 8 GPUs x 128 (base
# resolution), AdamW (weight decay 0.01), lr 2e-4 -> 2e-3 over 3k iterations then cosine
# to 2e-4.
max_epochs = 300
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=1)
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.01))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=3000),
    dict(type='CosineAnnealingLR', eta_min=2e-4, by_epoch=True, begin=0, end=max_epochs,
         T_max=max_epochs, convert_to_iter_based=True),
]
# 8 GPUs x 128 images; `--auto-scale-lr` rescales the lr for other totals
auto_scale_lr = dict(base_batch_size=1024)
