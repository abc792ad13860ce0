from .batch_shape_log_hook import BatchShapeLogHook
from .ema_eval_hook import EMAEvalHook
from .rng_state_hook import RNGStateHook

__all__ = ['BatchShapeLogHook', 'EMAEvalHook', 'RNGStateHook']
