"""What the measuring tools print, written to a file too (``--out``: the docs'
``docs/_generated/`` pages include these files)."""
import os
import os.path as osp
from typing import Iterable, Optional, Union


def write_report(path: Optional[str], text: Union[str, Iterable[str]]) -> None:
    """Write ``text`` (a string, or lines joined by newlines) with a final newline to
    ``path``, whole or not at all (a temporary file renamed into place); nothing when
    ``path`` is None."""
    if not path:
        return
    if not isinstance(text, str):
        text = '\n'.join(text)
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    partial = f'{path}.{os.getpid()}.partial'
    try:
        with open(partial, 'w') as f:
            f.write(text.rstrip('\n') + '\n')
        os.replace(partial, path)
    finally:
        if osp.exists(partial):
            os.remove(partial)
