# Runtime of the SSDLite configs: mmdet's with our hooks (default_runtime.py), and
# checkpoints written atomically every 5 epochs, keeping the best box mAP.
_base_ = ['mmdet::_base_/default_runtime.py', './default_runtime.py']

default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook', interval=5, max_keep_ckpts=3,
                    save_best='coco/bbox_mAP', rule='greater'))
env_cfg = dict(cudnn_benchmark=True)
