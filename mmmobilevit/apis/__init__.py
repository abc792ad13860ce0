from .convert import convert_checkpoint, read_any_checkpoint
from .inference import init_model

__all__ = ['convert_checkpoint', 'init_model', 'read_any_checkpoint']
