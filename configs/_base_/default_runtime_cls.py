# Runtime of the classification configs: mmpretrain's with our hooks
# (default_runtime.py), and checkpoints written atomically every epoch, keeping the best
# top-1.
_base_ = ['mmpretrain::_base_/default_runtime.py', './default_runtime.py']

default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3,
                    save_best='accuracy/top1', rule='greater'))
