"""Checkpoints: safe reading and writing (:mod:`.io`) and the public MobileViT key
layouts (:mod:`.layouts`, pure functions)."""
from .io import (SAFE_GLOBALS, TIMEOUT_ENV, TRUST_ENV, CheckpointError, UnsafeCheckpointError,
                 cached_path, download, download_timeout, is_trusted, load_checkpoint_file,
                 load_remote_checkpoint, read_local_checkpoint, save_checkpoint_file, sha256_of,
                 torch_load, trust_checkpoint, trusted_sources)
from .layouts import (LAYOUTS, CheckpointLayoutError, convert_mlcvnets, convert_public_layout,
                      convert_timm, detect_layout, to_mmpretrain_layout, unwrap_state_dict)

__all__ = [
    'SAFE_GLOBALS', 'TIMEOUT_ENV', 'TRUST_ENV', 'CheckpointError', 'UnsafeCheckpointError',
    'cached_path', 'download', 'download_timeout', 'is_trusted', 'load_checkpoint_file',
    'load_remote_checkpoint', 'read_local_checkpoint', 'save_checkpoint_file',
    'sha256_of', 'torch_load', 'trust_checkpoint', 'trusted_sources', 'LAYOUTS',
    'CheckpointLayoutError', 'convert_mlcvnets', 'convert_public_layout', 'convert_timm',
    'detect_layout', 'to_mmpretrain_layout', 'unwrap_state_dict'
]
