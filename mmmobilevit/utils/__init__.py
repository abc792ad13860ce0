from .dataset_check import DatasetNotFoundError, check_dataset_paths
from .launch import setup_device_cfg

__all__ = ['check_dataset_paths', 'DatasetNotFoundError', 'setup_device_cfg']
