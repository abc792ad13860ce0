from .dataset_check import DatasetNotFoundError, check_dataset_paths
from .launch import close_process_group, load_cfg, setup_device_cfg

__all__ = [
    'check_dataset_paths', 'close_process_group', 'load_cfg', 'DatasetNotFoundError',
    'setup_device_cfg'
]
