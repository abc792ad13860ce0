"""Save and restore the random number generators with the checkpoint."""
import random
from typing import TYPE_CHECKING, Any, Dict, Optional

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner


def get_rng_state() -> Dict[str, Any]:
    """The state of Python's, NumPy's and torch's (CPU and CUDA) global RNGs."""
    state = dict(
        python=random.getstate(),
        numpy=np.random.get_state(),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: Dict[str, Any]) -> None:
    """Restore a state returned by :func:`get_rng_state`."""
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        cuda_states = state['cuda']
        if len(cuda_states) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda_states)


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Makes a resumed run continue exactly where the interrupted one stopped.

    mmengine seeds the RNGs once, at the start of a run, and stores no RNG state in its
    checkpoints, so a run resumed with ``--resume`` draws different augmentations,
    dropout masks and shuffles from an uninterrupted one. This hook

    * stores the Python, NumPy and torch RNG states of every rank in the checkpoint
      (``checkpoint['rng_state']``, a list indexed by rank) and restores this rank's on
      resume;
    * keeps validation during training from consuming the training RNG streams (the
      states are saved before and restored after each validation), so a run that
      validated after a checkpoint and a run resumed from that checkpoint continue with
      the same streams.

    With it, a run interrupted after a checkpoint and resumed ends with the same
    weights as an uninterrupted one (on the same hardware, with deterministic ops).

    Example:
        >>> custom_hooks = [dict(type='RNGStateHook')]
    """

    priority = 'VERY_HIGH'  # capture before CheckpointHook (VERY_LOW) saves

    def __init__(self) -> None:
        self._resumed_state = None
        self._val_state = None
        self._captured = None
        self._ckpt_hook = None

    # ---- saving ------------------------------------------------------------------
    # ``Runner.save_checkpoint`` runs on rank 0 only, so the states of all ranks are
    # gathered beforehand, in the loop hooks every rank runs, at the iterations and
    # epochs where the CheckpointHook is about to save.
    def before_train(self, runner: 'Runner') -> None:
        from mmengine.hooks import CheckpointHook
        self._ckpt_hook = next(
            (h for h in runner.hooks if isinstance(h, CheckpointHook)), None)
        if self._resumed_state is not None:
            set_rng_state(self._resumed_state)
            self._resumed_state = None
            runner.logger.info('RNGStateHook: restored the RNG states of the checkpoint.')

    def _capture(self) -> None:
        state = get_rng_state()
        self._captured = all_gather_object(state) if get_world_size() > 1 else [state]

    def after_train_iter(self, runner: 'Runner', batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        hook = self._ckpt_hook
        if hook is None or hook.by_epoch:
            return
        if hook.every_n_train_iters(runner, hook.interval) or (
                hook.save_last and hook.is_last_train_iter(runner)):
            self._capture()

    def after_train_epoch(self, runner: 'Runner') -> None:
        # once per epoch: cheap, and covers the epoch checkpoints and save_best
        self._capture()

    def before_save_checkpoint(self, runner: 'Runner', checkpoint: dict) -> None:
        checkpoint['rng_state'] = self._captured or [get_rng_state()]

    # ---- resuming ----------------------------------------------------------------
    def after_load_checkpoint(self, runner: 'Runner', checkpoint: dict) -> None:
        # Only a resume continues the RNG streams (``load_from`` starts a new run).
        # The states are applied in ``before_train``: ``Runner.resume`` may re-seed
        # after this hook runs.
        states = checkpoint.get('rng_state')
        if not runner._resume or not states:
            return
        if len(states) != get_world_size():
            runner.logger.warning(
                f'RNGStateHook: the checkpoint holds the RNG states of {len(states)} '
                f'ranks but this run has {get_world_size()}: not restored.')
            return
        self._resumed_state = states[get_rank()]

    # ---- validation does not consume the training streams -----------------------
    def before_val(self, runner: 'Runner') -> None:
        self._val_state = get_rng_state()

    def after_val(self, runner: 'Runner') -> None:
        if self._val_state is not None:
            set_rng_state(self._val_state)
            self._val_state = None
