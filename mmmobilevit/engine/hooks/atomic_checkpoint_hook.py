"""Checkpoints that are whole or absent: never a torn file under a checkpoint's name."""
import os.path as osp
from typing import TYPE_CHECKING, Optional

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

from ...checkpoint.io import remove_stale_temporaries, write_atomically

if TYPE_CHECKING:
    from mmengine.runner import Runner

#: the name of :class:`AtomicLocalBackend` in mmengine's file-backend registry
ATOMIC_BACKEND = 'mmmobilevit-atomic-local'


@register_backend(ATOMIC_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """mmengine's ``LocalBackend`` whose writes (``put``, ``put_text``) replace a file
    in one step (:func:`~mmmobilevit.checkpoint.io.write_atomically`). Registered under
    its own name, so it serves only who asks for it by that name (mmengine's local
    backend is unchanged)."""

    def put(self, obj: bytes, filepath) -> None:
        write_atomically(str(filepath), obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        write_atomically(str(filepath), obj.encode(encoding))


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` whose checkpoints appear under their final name only
    when complete.

    mmengine's ``CheckpointHook`` writes each checkpoint in place: a SIGTERM during a
    save, or a full disk, leaves a truncated ``epoch_N.pth`` that ``tools/test.py`` and
    ``load_from`` then meet. This hook saves local checkpoints (the periodic, the best
    and the last ones) through :class:`AtomicLocalBackend`: the bytes go to a temporary
    file in the same folder, are flushed to disk and renamed over the final name, so an
    interrupted save leaves the previous set as it was. ``last_checkpoint`` (what
    ``--resume`` reads) is then rewritten the same way, after the checkpoint it names is
    complete. Temporary files of a run killed outright (``kill -9``) are removed when
    the next run starts. Arguments are ``CheckpointHook``'s; ``backend_args`` or
    ``file_client_args`` given (a remote ``out_dir``) are kept as they are.
    """

    def __init__(self, *args, backend_args: Optional[dict] = None,
                 file_client_args: Optional[dict] = None, out_dir: Optional[str] = None,
                 **kwargs) -> None:
        self.atomic = (backend_args is None and file_client_args is None
                       and (out_dir is None or '://' not in str(out_dir)))
        if self.atomic:
            backend_args = dict(backend=ATOMIC_BACKEND)
        super().__init__(*args, backend_args=backend_args,
                         file_client_args=file_client_args, out_dir=out_dir, **kwargs)

    def before_train(self, runner: 'Runner') -> None:
        super().before_train(runner)
        if self.atomic and is_main_process():
            for folder in {runner.work_dir, self.out_dir}:
                for path in remove_stale_temporaries(folder):
                    runner.logger.info(f'removed {path}, left by an interrupted save')

    def _save_checkpoint_with_step(self, runner: 'Runner', step: int, meta: dict) -> None:
        super()._save_checkpoint_with_step(runner, step, meta)
        if self.atomic and is_main_process():
            # mmengine wrote it in place; the same text again, in one step
            write_atomically(osp.join(runner.work_dir, 'last_checkpoint'),
                             str(self.last_ckpt).encode())
