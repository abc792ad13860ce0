"""Checkpoints: safe reading and writing (:mod:`.io`), the public MobileViT key
layouts (:mod:`.layouts`), and whether a checkpoint fits a model, channel orders included
(:mod:`.fit`)."""
from ..releases import layout_channel_order
from .fit import (CheckpointFitMixin, CheckpointMismatchError, align_channel_order,
                  channel_order_of, check_checkpoint_fits, fit_checkpoint_to_model, flip_message,
                  flip_stem_input, input_channel_order, record_channel_order, serve_in_order,
                  state_dict_of, stem_keys)
from .io import (SAFE_GLOBALS, TIMEOUT_ENV, TRUST_ENV, CheckpointError, UnsafeCheckpointError,
                 cached_path, download, download_timeout, is_trusted, load_checkpoint_file,
                 load_remote_checkpoint, read_local_checkpoint, save_checkpoint_file, sha256_of,
                 torch_load, trust_checkpoint, trusted_sources)
from .layouts import (LAYOUTS, CheckpointLayoutError, convert_mlcvnets, convert_timm, detect_layout,
                      to_mmpretrain_layout, unwrap_state_dict)
from .public import convert_public_layout
from .seg_layout import convert_mlcvnets_seg, is_mlcvnets_seg
from .ssd_layout import convert_mlcvnets_ssd, is_mlcvnets_ssd

__all__ = [
    'SAFE_GLOBALS', 'TIMEOUT_ENV', 'TRUST_ENV', 'CheckpointError', 'UnsafeCheckpointError',
    'cached_path', 'download', 'download_timeout', 'is_trusted', 'load_checkpoint_file',
    'load_remote_checkpoint', 'read_local_checkpoint', 'save_checkpoint_file',
    'sha256_of', 'torch_load', 'trust_checkpoint', 'trusted_sources', 'LAYOUTS',
    'CheckpointLayoutError', 'convert_mlcvnets', 'convert_public_layout', 'convert_timm',
    'detect_layout', 'to_mmpretrain_layout', 'unwrap_state_dict', 'channel_order_of',
    'flip_message', 'flip_stem_input', 'layout_channel_order', 'record_channel_order',
    'serve_in_order', 'stem_keys', 'convert_mlcvnets_ssd', 'is_mlcvnets_ssd',
    'convert_mlcvnets_seg', 'is_mlcvnets_seg', 'CheckpointFitMixin', 'CheckpointMismatchError',
    'align_channel_order', 'check_checkpoint_fits', 'fit_checkpoint_to_model',
    'input_channel_order', 'state_dict_of'
]
