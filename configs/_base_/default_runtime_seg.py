# Runtime of the DeepLabv3 / PSPNet configs (VOC and ADE20K): mmseg's with our hooks
# (default_runtime.py). The default hooks (iteration-based logging, atomic checkpoints
# keeping the best mIoU) are in the schedules, as mmseg's.
_base_ = ['mmseg::_base_/default_runtime.py', './default_runtime.py']
