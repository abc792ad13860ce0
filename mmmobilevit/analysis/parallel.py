"""Independent model builds side by side, for the tools that measure every config."""
import multiprocessing
from typing import Callable, Iterator, Sequence, TypeVar

import torch

Item = TypeVar('Item')
Result = TypeVar('Result')


def _one_thread() -> None:
    torch.set_num_threads(1)


def map_in_processes(fn: Callable[[Item], Result], items: Sequence[Item],
                     jobs: int = 1) -> Iterator[Result]:
    """``fn(item)`` for each item, in order. With ``jobs > 1`` in that many forked
    processes of one torch thread each (``fn`` must be a module-level function); the
    results arrive as they are ready, in the items' order."""
    if jobs <= 1:
        yield from map(fn, items)
        return
    with multiprocessing.get_context('fork').Pool(jobs, initializer=_one_thread) as pool:
        yield from pool.imap(fn, items)
