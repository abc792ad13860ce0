from .cpu_memory import keep_freed_memory
from .dataset_check import (DatasetError, DatasetNotFoundError, SplitReport, check_dataset_paths,
                            check_datasets, first_rank_printer)
from .launch import (WorkDirInUseError, add_custom_hook, close_process_group, cpu_only,
                     die_with_parent, init_process_group, load_cfg, lock_work_dir, read_config,
                     setup_device_cfg, use_atomic_checkpoints)

__all__ = [
    'add_custom_hook', 'check_dataset_paths', 'check_datasets', 'close_process_group',
    'cpu_only', 'DatasetError', 'DatasetNotFoundError', 'die_with_parent',
    'first_rank_printer', 'init_process_group', 'keep_freed_memory', 'load_cfg',
    'lock_work_dir', 'read_config', 'setup_device_cfg', 'SplitReport', 'use_atomic_checkpoints',
    'WorkDirInUseError'
]
