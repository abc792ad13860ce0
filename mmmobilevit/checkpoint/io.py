"""Reading and writing checkpoint files safely.

Every checkpoint is read with ``torch.load(weights_only=True)``: tensors, plain Python
containers and numbers, and -- through torch's safe-globals mechanism, scoped to the
call -- numpy arrays, scalars and dtypes. Nothing else is unpickled, so a file cannot run
code while it loads. Our own training checkpoints are written in that form
(:class:`mmmobilevit.engine.hooks.WeightsOnlyCheckpointHook`).

A file that holds other objects (for example an mmengine checkpoint written without that
hook, whose message hub pickles bound methods) is refused with
:class:`UnsafeCheckpointError`, unless it is named in the one explicit switch for trusted
files: the environment variable ``MMMOBILEVIT_TRUSTED_CHECKPOINTS`` (paths, directories
or URLs separated by ``os.pathsep``), which ``tools/train.py`` / ``tools/test.py
--trust-checkpoint`` set for the checkpoint they are given.

URLs are downloaded once into torch hub's cache (``$TORCH_HOME/hub/checkpoints``, as
mmengine does) by :func:`download`: connect and read timeouts
(``MMMOBILEVIT_DOWNLOAD_TIMEOUT``, default 60 s; torch hub's downloader has none), the
announced length and a sha256 prefix in the file name (``name-<hex>.pth``) verified, and a
stalled, truncated or corrupt download raises :class:`CheckpointError` and leaves nothing
in the cache.
"""
import collections
import contextlib
import glob
import hashlib
import http.client
import io
import os
import os.path as osp
import pickle
import re
import socket
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from typing import Any, Callable, Iterator, List, Optional, Tuple, Union
from urllib.parse import urlparse

import numpy as np
import torch
from mmengine.dist import barrier, get_dist_info
from mmengine.logging import print_log

MapLocation = Union[None, str, torch.device, Callable]

TRUST_ENV = 'MMMOBILEVIT_TRUSTED_CHECKPOINTS'
TIMEOUT_ENV = 'MMMOBILEVIT_DOWNLOAD_TIMEOUT'
_READ_ERRORS = (RuntimeError, EOFError, OSError, zipfile.BadZipFile, ValueError,
                pickle.UnpicklingError)


class CheckpointError(RuntimeError):
    """A checkpoint file or download that cannot be read."""


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint that ``torch.load(weights_only=True)`` refuses and nobody trusted."""


def _numpy_safe_globals() -> List[Any]:
    """The numpy types a weights-only load may create: arrays, scalars, dtypes.

    numpy 2 moved ``numpy.core`` to ``numpy._core``, and a pickle names the module its
    writer had: array and scalar constructors are allowed under both names, so that a
    checkpoint written with numpy 1.x loads with numpy 2 and the other way round.
    """
    try:  # numpy >= 2 moved the module
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    constructors = [(fn, f'{module}.{fn.__name__}') for fn in (_reconstruct, scalar)
                    for module in ('numpy.core.multiarray', 'numpy._core.multiarray')]
    dtype_classes = {type(np.dtype(t)) for t in np.sctypeDict.values()}
    return [*constructors, np.ndarray, np.dtype, *sorted(dtype_classes, key=str)]


SAFE_GLOBALS = _numpy_safe_globals()


def trusted_sources() -> List[str]:
    """The entries of ``MMMOBILEVIT_TRUSTED_CHECKPOINTS``."""
    return [s for s in os.environ.get(TRUST_ENV, '').split(os.pathsep) if s]


def _normalise(source: str) -> str:
    return source if '://' in source else osp.realpath(osp.expanduser(source))


def is_trusted(source: Optional[str]) -> bool:
    """Whether ``source`` (a path or URL) is named in the trusted-checkpoint switch.

    A trusted directory trusts every file below it.
    """
    if not source:
        return False
    source = _normalise(source)
    for entry in map(_normalise, trusted_sources()):
        if source == entry or ('://' not in entry
                               and source.startswith(entry.rstrip(os.sep) + os.sep)):
            return True
    return False


def trust_checkpoint(source: str) -> None:
    """Add ``source`` to ``MMMOBILEVIT_TRUSTED_CHECKPOINTS`` (inherited by child
    processes, so every rank of a distributed run sees it)."""
    entries = trusted_sources()
    entries.append(source if '://' in source else osp.abspath(osp.expanduser(source)))
    os.environ[TRUST_ENV] = os.pathsep.join(entries)


def _refusal_reason(err: Exception) -> Optional[str]:
    """Why torch's weights-only unpickler refused an object of the file, or ``None`` if
    the error is not such a refusal (a corrupt or foreign file: an unknown opcode).

    torch words it two ways: ``WeightsUnpickler error: Unsupported global: ...`` for a
    global it could allow, and ``Trying to load unsupported GLOBAL posix.system whose
    module posix is blocked`` for one from a module it blocks outright (torch 2.14).
    """
    text = str(err)
    if 'Weights only load failed' not in text:
        return None
    if 'WeightsUnpickler error:' in text:
        reason = text.split('WeightsUnpickler error:', 1)[1]
    elif 'Trying to load unsupported GLOBAL' in text:
        reason = text[text.index('Trying to load unsupported GLOBAL'):]
    else:
        return None
    reason = ' '.join(reason.split('\n\nCheck the doc')[0].split())
    return None if reason.startswith('Unsupported operand') else reason[:300]


def _not_a_checkpoint(path: str) -> Optional[str]:
    """What a file is when its start shows it is no checkpoint at all (an HTML page or
    other text, e.g. a server's error page saved as the download); None otherwise."""
    try:
        with open(path, 'rb') as f:
            head = f.read(512).lstrip()
    except OSError:
        return None
    if head[:1] == b'<' and re.match(rb'<(!doctype html|html|\?xml|head|body)', head.lower()):
        return 'an HTML page'
    if head and all(32 <= c < 127 or c in (9, 10, 13) for c in head):
        return 'a text file'
    return None


def unreadable_message(path: str, source: str, err: Exception) -> str:
    """Why ``path`` (named ``source`` to the user) is no readable checkpoint."""
    kind = _not_a_checkpoint(path)
    if kind:
        return f'"{source}" is {kind}, not a PyTorch checkpoint'
    return (f'"{source}" is not a readable PyTorch checkpoint: the file is truncated, '
            f'corrupt or of another format ({torch_error_text(err)})')


def torch_error_text(err: Exception) -> str:
    """torch's error text without its advice to load with ``weights_only=False`` (the
    unsafe path: our messages name the trusted-file switch instead)."""
    text = ' '.join(str(err).split())
    return re.sub(r'Weights only load failed\. .*?trusted source\.\s*', '', text)


def torch_load(filename: str, map_location: MapLocation = None,
               source: Optional[str] = None) -> Any:
    """``torch.load`` with ``weights_only=True`` (numpy arrays and dtypes allowed).

    Args:
        filename (str): The local file to read.
        map_location: As :func:`torch.load`.
        source (str, optional): What the user named (a URL for a downloaded file); the
            trusted-checkpoint switch is checked against it. Defaults to ``filename``.

    Raises:
        UnsafeCheckpointError: The file holds other objects and is not trusted.
    """
    source = source or filename
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        reason = _refusal_reason(err)
        if reason is None:
            raise
        if not is_trusted(source):
            raise UnsafeCheckpointError(
                f'"{source}" holds objects that a weights-only load refuses ({reason}). '
                'Unpickling it could run code. Load it only if you trust the file: '
                f'set {TRUST_ENV}={source} (tools/train.py and tools/test.py: '
                '--trust-checkpoint).') from None
    print_log(f'loading the trusted checkpoint {source} without the weights-only check',
              logger='current')
    return torch.load(filename, map_location=map_location, weights_only=False)  # trusted


#: the weights a MobileViTv3 release folder (an unzipped release asset) holds
RELEASE_FOLDER_CHECKPOINT = 'checkpoint_ema_best.pt'


def checkpoint_in_folder(folder: str) -> str:
    """The checkpoint file of an unzipped release folder (MobileViTv3's assets hold
    ``checkpoint_ema_best.pt``; otherwise the folder's only ``.pt`` / ``.pth``)."""
    best = osp.join(folder, RELEASE_FOLDER_CHECKPOINT)
    if osp.isfile(best):
        return best
    files = sorted(f for f in os.listdir(folder) if f.endswith(('.pt', '.pth')))
    if len(files) == 1:
        return osp.join(folder, files[0])
    raise FileNotFoundError(
        f'"{folder}" is a folder without {RELEASE_FOLDER_CHECKPOINT} and with '
        f'{len(files)} .pt/.pth files ({", ".join(files[:5]) or "none"}): pass the '
        'checkpoint file itself')


def read_local_checkpoint(filename: str, map_location: MapLocation = None) -> Any:
    """Load a local checkpoint file as it is, with a clear error if it cannot be read.

    A folder stands for the checkpoint inside it (:func:`checkpoint_in_folder`), so an
    unzipped MobileViTv3 release asset can be passed as it is."""
    filename = osp.expanduser(filename)
    if osp.isdir(filename):
        filename = checkpoint_in_folder(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file "{filename}" does not exist')
    try:
        return torch_load(filename, map_location)
    except UnsafeCheckpointError:
        raise
    except _READ_ERRORS as err:
        raise CheckpointError(unreadable_message(filename, filename, err)) from err


def cached_path(url: str, model_dir: Optional[str] = None) -> str:
    """Where a URL's download is cached: torch hub's checkpoints directory, in a folder
    named by the hash of the whole URL (releases share file names: Apple's
    ``mobilevitv2-1.5.pt`` is four different models), under the URL's file name (whose
    sha256 prefix, if it has one, is checked)."""
    model_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    name = osp.basename(urlparse(url).path)
    if not name:
        raise ValueError(f'the URL {url} names no file (it ends with "/"): give the '
                         "checkpoint file's URL")
    key = hashlib.sha256(url.encode('utf-8')).hexdigest()[:16]
    return osp.join(model_dir, 'mmmobilevit', key, name)


#: a download slower than MIN_RATE bytes/s over RATE_WINDOW seconds is given up
MIN_RATE_ENV = 'MMMOBILEVIT_DOWNLOAD_MIN_RATE'
RATE_WINDOW_ENV = 'MMMOBILEVIT_DOWNLOAD_RATE_WINDOW'


def download_timeout() -> float:
    """Seconds a download may wait to connect, and then for each block of data:
    ``MMMOBILEVIT_DOWNLOAD_TIMEOUT`` (default 60)."""
    value = os.environ.get(TIMEOUT_ENV, '60')
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f'{TIMEOUT_ENV}={value!r} is not a number of seconds') from None
    if seconds <= 0:
        raise ValueError(f'{TIMEOUT_ENV} must be positive, got {value}')
    return seconds


def min_download_rate() -> Tuple[float, float]:
    """``(bytes per second, window in seconds)``: a download slower than that over any
    window is given up. ``MMMOBILEVIT_DOWNLOAD_MIN_RATE`` (default 1024: 1 KiB/s) and
    ``MMMOBILEVIT_DOWNLOAD_RATE_WINDOW`` (default 60)."""
    values = []
    for name, default in ((MIN_RATE_ENV, '1024'), (RATE_WINDOW_ENV, '60')):
        value = os.environ.get(name, default)
        try:
            values.append(float(value))
        except ValueError:
            raise ValueError(f'{name}={value!r} is not a number') from None
        if values[-1] <= 0:
            raise ValueError(f'{name} must be positive, got {value}')
    return values[0], values[1]


def _remove_stale_partials(cached: str) -> None:
    """Remove the ``.partial`` files of downloads of ``cached`` whose process is gone
    (a run killed outright mid-download)."""
    for path in glob.glob(glob.escape(cached) + '.*.partial'):
        try:
            pid = int(path[len(cached) + 1:-len('.partial')])
            os.kill(pid, 0)  # raises when there is no such process
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                os.remove(path)
                print_log(f'removed {path}, left by an interrupted download',
                          logger='current')
        except (ValueError, PermissionError):
            continue  # not ours, or a live process of another user


def download(url: str, cached: str, progress: bool = False,
             timeout: Optional[float] = None) -> None:
    """Download ``url`` to ``cached``: connect and read timeouts, a minimum transfer rate
    (:func:`min_download_rate`), the announced length and a sha256 prefix in the file
    name checked, and nothing left behind on failure (the data goes to a temporary file
    that is renamed only when complete; those of killed runs are removed first).
    Progress (size, rate, time left) is logged every 10 s, every 2 s with ``progress``
    (a terminal).

    Raises:
        CheckpointError: The server does not answer within the timeout, sends slower
            than the minimum rate or less than it announced, sends other bytes than the
            name's sha256 prefix says, or the request fails.
    """
    match = torch.hub.HASH_REGEX.search(osp.basename(cached))
    hash_prefix = match.group(1) if match and len(match.group(1)) >= 8 else None
    timeout = timeout or download_timeout()
    min_rate, window = min_download_rate()
    os.makedirs(osp.dirname(cached), exist_ok=True)
    _remove_stale_partials(cached)
    partial = f'{cached}.{os.getpid()}.partial'
    print_log(f'Downloading {url} to {cached}', logger='current')
    digest, done, total = hashlib.sha256(), 0, 0
    try:
        request = urllib.request.Request(url, headers={'User-Agent': 'mmmobilevit'})
        with urllib.request.urlopen(request, timeout=timeout) as response, \
                open(partial, 'wb') as f:
            total = int(response.headers.get('Content-Length') or 0)
            start = last_report = time.monotonic()
            marks = collections.deque([(start, 0)])  # (time, bytes received)
            while True:
                # what has arrived, up to 1 MiB: each read waits at most `timeout`
                block = response.read1(1 << 20)
                if not block:
                    break
                f.write(block)
                digest.update(block)
                done += len(block)
                now = time.monotonic()
                marks.append((now, done))
                while len(marks) > 2 and now - marks[1][0] >= window:
                    marks.popleft()
                if now - marks[0][0] >= window and \
                        done - marks[0][1] < min_rate * (now - marks[0][0]):
                    raise CheckpointError(
                        f'the download of {url} is too slow: {done - marks[0][1]} bytes in '
                        f'the last {now - marks[0][0]:.0f} s, under the minimum of '
                        f'{min_rate:g} bytes/s ({done} of {total or "?"} bytes received); '
                        f'nothing was cached. Set {MIN_RATE_ENV} / {RATE_WINDOW_ENV} to '
                        'accept a slower server.')
                if now - last_report >= (2 if progress else 10):
                    last_report = now
                    rate = done / max(now - start, 1e-9)
                    left = f', {(total - done) / rate:.0f} s left' if total and rate else ''
                    print_log(f'  {done / 2**20:.1f} of {total / 2**20:.1f} MiB, '
                              f'{rate / 2**20:.2f} MiB/s{left}', logger='current')
        if total and done != total:
            raise http.client.IncompleteRead(b'', total - done)
        if hash_prefix and not digest.hexdigest().startswith(hash_prefix):
            raise CheckpointError(
                f'the download of {url} is corrupt (its sha256 {digest.hexdigest()[:16]}... '
                f'does not start with {hash_prefix}, as its name says); nothing was '
                'cached, run again to download it anew')
        os.replace(partial, cached)
    except socket.timeout as err:
        raise CheckpointError(
            f'the download of {url} timed out: the server sent nothing for {timeout:g} s '
            f'({done} bytes received); nothing was cached. Set {TIMEOUT_ENV} to wait '
            'longer.') from err
    except http.client.IncompleteRead as err:
        raise CheckpointError(
            f'the download of {url} is truncated or corrupt: {done} of {total or "?"} bytes '
            'arrived; nothing was cached, run again to download it anew') from err
    except urllib.error.HTTPError as err:
        raise CheckpointError(f'cannot download {url}: HTTP {err.code} {err.reason}') from err
    except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
        reason = getattr(err, 'reason', err)
        if isinstance(reason, socket.timeout):
            raise CheckpointError(
                f'the download of {url} timed out: no connection within {timeout:g} s; '
                f'nothing was cached. Set {TIMEOUT_ENV} to wait longer.') from err
        raise CheckpointError(f'cannot download {url}: {reason}') from err
    finally:
        if osp.exists(partial):
            os.remove(partial)


def load_remote_checkpoint(url: str, map_location: MapLocation = None,
                           model_dir: Optional[str] = None,
                           progress: bool = os.isatty(0)) -> Any:
    """Download (once, rank 0 first) and load an ``http(s)://`` checkpoint.

    Args:
        url (str): The URL.
        map_location: As :func:`torch.load`.
        model_dir (str, optional): Cache directory; default torch hub's.
        progress (bool): Show a download progress bar.
    """
    cached = cached_path(url, model_dir)
    rank, world_size = get_dist_info()
    if rank == 0 and not osp.isfile(cached):
        download(url, cached, progress)
    if world_size > 1:
        barrier()
        if rank > 0 and not osp.isfile(cached):  # another node's rank 0 downloaded it
            download(url, cached, progress)
    try:
        return torch_load(cached, map_location, source=url)
    except UnsafeCheckpointError:
        raise
    except _READ_ERRORS as err:
        kind = _not_a_checkpoint(cached)
        if rank == 0 and osp.isfile(cached):
            os.remove(cached)
        if kind:  # the server sent a page, not the file: downloading again will not help
            raise CheckpointError(
                f'{url} served {kind}, not a PyTorch checkpoint (removed from the cache, '
                f'{cached}): check the URL') from err
        raise CheckpointError(
            f'the download of {url} is not a readable PyTorch checkpoint (truncated '
            f'or corrupt: {torch_error_text(err)}); removed it from the cache ({cached}), '
            'run again to download it anew') from err


def load_checkpoint_file(filename: str, map_location: MapLocation = 'cpu') -> Any:
    """A local path or ``http(s)://`` URL's checkpoint content, read safely."""
    if filename.startswith(('http://', 'https://')):
        return load_remote_checkpoint(filename, map_location)
    return read_local_checkpoint(filename, map_location)


#: the prefix of the temporary files :func:`write_atomically` writes beside their target
ATOMIC_TMP_PREFIX = '.mmmobilevit-tmp-'


def write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either what it was or all of
    ``data``, never a part: a temporary file in the same folder, flushed to disk
    (``fsync``), renamed over ``path``, then the folder's entry flushed too. On any
    error (a full disk, an interruption) the temporary file is removed and ``path`` is
    left as it was."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=ATOMIC_TMP_PREFIX + osp.basename(path) + '.')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename itself to disk (not on every OS)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def remove_stale_temporaries(folder: str) -> List[str]:
    """Remove what :func:`write_atomically` left in ``folder`` when its process was
    killed (``kill -9`` leaves no chance to clean up); returns the removed paths."""
    removed = []
    for name in os.listdir(folder) if osp.isdir(folder) else []:
        if name.startswith(ATOMIC_TMP_PREFIX):
            with contextlib.suppress(OSError):
                os.remove(osp.join(folder, name))
                removed.append(osp.join(folder, name))
    return removed


def save_checkpoint_file(checkpoint: Any, path: str) -> None:
    """``torch.save`` to ``path`` atomically (:func:`write_atomically`)."""
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    write_atomically(path, buffer.getvalue())


def _chunks(path: str, size: int = 1 << 20) -> Iterator[bytes]:
    with open(path, 'rb') as f:
        yield from iter(lambda: f.read(size), b'')


def sha256_of(path: str) -> str:
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    for block in _chunks(path):
        digest.update(block)
    return digest.hexdigest()
