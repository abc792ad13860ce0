from .dataset_check import DatasetNotFoundError, check_dataset_paths
from .launch import (add_custom_hook, close_process_group, cpu_only, init_cpu_process_group,
                     load_cfg, setup_device_cfg)

__all__ = [
    'add_custom_hook', 'check_dataset_paths', 'close_process_group', 'cpu_only',
    'init_cpu_process_group', 'load_cfg', 'DatasetNotFoundError', 'setup_device_cfg'
]
