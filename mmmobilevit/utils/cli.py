"""How our command-line tools end on an error the package raises on purpose: one clean
message (the error's type, what happened, what to do), exit status 1, the traceback
only when asked for (``--debug`` on any tool's command line, or ``MMMOBILEVIT_DEBUG=1``).
Any other error is a bug, and keeps its traceback."""
import os
import sys
from typing import Callable, Optional, Tuple, Type

#: set to 1 for tracebacks of the expected errors too
DEBUG_ENV = 'MMMOBILEVIT_DEBUG'


#: module (below mmmobilevit) -> the error types it raises on purpose
EXPECTED = {
    'checkpoint.fit': ('CheckpointMismatchError', ),
    'checkpoint.io': ('CheckpointError', ),
    'checkpoint.layouts': ('CheckpointLayoutError', ),
    'datasets.samplers.multi_scale_batch_sampler': ('EmptyPlanError', ),
    'engine.hooks.finite_loss_hook': ('LossExplosionError', 'NonFiniteLossError'),
    'extras': ('MissingExtraError', ),
    'models.segmentors.mlcvnets_encoder_decoder': ('BatchTooSmallError', ),
    'utils.dataset_check': ('DatasetError', 'DatasetNotFoundError'),
    'utils.launch': ('WorkDirInUseError', ),
}


def expected_errors() -> Tuple[Type[BaseException], ...]:
    """The error types the package raises on purpose, each with a message that says what
    to do (imported when a tool ends, so that this module imports nothing; those of a
    task package that is not installed cannot have been raised), and a file that is not
    there (``FileNotFoundError``: the message names it)."""
    import importlib
    found = [FileNotFoundError]
    for module, names in EXPECTED.items():
        try:
            imported = importlib.import_module(f'mmmobilevit.{module}')
        except ImportError:
            continue
        found += [getattr(imported, name) for name in names]
    return tuple(found)


def run_cli(main: Callable[[], Optional[int]]) -> int:
    """Run a tool's ``main()`` (it parses ``sys.argv``) and return its exit status (what
    it returns if that is an int, else 0); an
    expected error (:func:`expected_errors`) is printed as ``Type: message`` on stderr
    and ends it with 1. ``--debug`` (taken out of ``sys.argv`` first) or
    ``MMMOBILEVIT_DEBUG=1`` lets the error through with its traceback."""
    debug = '--debug' in sys.argv[1:] or os.environ.get(DEBUG_ENV, '0') == '1'
    sys.argv = [sys.argv[0]] + [a for a in sys.argv[1:] if a != '--debug']
    try:
        status = main()  # an exit status, or what the tool returns to callers (metrics)
        return status if isinstance(status, int) else 0
    except Exception as error:  # noqa: BLE001  (only the expected ones are caught)
        if debug or not isinstance(error, expected_errors()):
            raise
        print(f'{type(error).__name__}: {error}\n(the traceback: add --debug, or set '
              f'{DEBUG_ENV}=1)', file=sys.stderr, flush=True)
        return 1
