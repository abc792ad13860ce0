from .atomic_checkpoint_hook import AtomicCheckpointHook, AtomicLocalBackend
from .batch_shape_log_hook import BatchShapeLogHook
from .checkpoint_fit_hook import CheckpointFitHook
from .deploy_hook import DeployHook
from .ema_eval_hook import EMAEvalHook
from .finite_loss_hook import (FiniteLossHook, LossExplosionError, LossExplosionHook,
                               NonFiniteLossError)
from .onnxruntime_backend_hook import OnnxRuntimeBackendHook
from .rng_state_hook import RNGStateHook
from .weights_only_checkpoint_hook import WeightsOnlyCheckpointHook

__all__ = [
    'AtomicCheckpointHook', 'AtomicLocalBackend', 'BatchShapeLogHook', 'CheckpointFitHook',
    'DeployHook', 'EMAEvalHook', 'FiniteLossHook', 'LossExplosionError',
    'LossExplosionHook', 'NonFiniteLossError',
    'OnnxRuntimeBackendHook', 'RNGStateHook', 'WeightsOnlyCheckpointHook'
]
