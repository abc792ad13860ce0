from .dataset_check import DatasetNotFoundError, check_dataset_paths
from .launch import (WorkDirInUseError, add_custom_hook, close_process_group, cpu_only,
                     die_with_parent, init_cpu_process_group, load_cfg, lock_work_dir,
                     setup_device_cfg)

__all__ = [
    'add_custom_hook', 'check_dataset_paths', 'close_process_group', 'cpu_only',
    'die_with_parent', 'init_cpu_process_group', 'load_cfg', 'lock_work_dir',
    'DatasetNotFoundError', 'setup_device_cfg', 'WorkDirInUseError'
]
