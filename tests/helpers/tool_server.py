"""Run ``python tools/...py`` in a fresh process without paying the framework imports.

A tool started as ``python tools/train.py`` spends ~12 s on 2 cores importing torch,
mmengine, mmcv, mmpretrain, mmdet and mmseg before it does anything. The test suite runs
tools dozens of times, so :class:`ToolServer` keeps one interpreter that has imported
them (and nothing else: no tensor is computed, no thread pool started) and forks it for
each run. The child is a separate process as ``python TOOL ARGS`` would be: its own
working directory, environment, ``sys.argv``, ``sys.path[0]`` (the tool's folder),
stdout and stderr (to a file the caller reads), exit status (``sys.exit`` code, 1 with
the traceback printed for an uncaught exception), and ``atexit`` handlers; whatever it
changes dies with it. What it shares with the server is what was imported before the
fork: a tool that must be tested from a cold start (import-time behaviour) or that
launches other processes through a shell script is run with ``subprocess`` instead.
"""
import json
import os
import subprocess
import sys
import threading
from typing import Dict, List, Optional

#: What the server imports once (the frameworks every tool imports).
PRELOAD = ('torch', 'torchvision', 'mmengine.runner', 'mmcv.ops', 'mmpretrain', 'mmdet.apis',
           'mmseg.apis', 'mmmobilevit')  # (not the tests' helpers: a tool imports its own)

_SERVER_CODE = r'''
import importlib, json, os, sys, warnings
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    for name in json.loads(sys.argv[1]):
        importlib.import_module(name)
requests, replies = sys.stdin, sys.stdout
print(json.dumps({'ready': os.getpid()}), file=replies, flush=True)
for line in requests:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:  # the tool's process
        code = 1
        try:
            os.setsid()
            out = os.open(req['output'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.close(out)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            sys.stdin = open(0, closefd=False)
            os.environ.clear()
            os.environ.update(req['env'])
            for path in reversed(req['env'].get('PYTHONPATH', '').split(os.pathsep)):
                if path and path not in sys.path:
                    sys.path.insert(1, path)  # as the interpreter would have at start
            os.chdir(req['cwd'])
            import torch
            threads = req['env'].get('OMP_NUM_THREADS')
            if threads:
                torch.set_num_threads(int(threads))
            script = os.path.abspath(req['args'][0])
            sys.argv = [script] + req['args'][1:]
            sys.path[0] = os.path.dirname(script)
            import runpy
            try:
                runpy.run_path(script, run_name='__main__')
                code = 0
            except SystemExit as exc:
                if exc.code is None:
                    code = 0
                elif isinstance(exc.code, int):
                    code = exc.code
                else:
                    print(exc.code, file=sys.stderr)
                    code = 1
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
            import atexit
            atexit._run_exitfuncs()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    print(json.dumps({'pid': pid}), file=replies, flush=True)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({'returncode': code}), file=replies, flush=True)
'''


class ToolServer:
    """One pre-imported interpreter that forks a process per tool run (see the module
    docstring). Not thread-safe: one run at a time (a lock serialises callers)."""

    def __init__(self, python: str = sys.executable, preload=PRELOAD) -> None:
        self._proc = subprocess.Popen(
            [python, '-c', _SERVER_CODE, json.dumps(list(preload))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self._lock = threading.Lock()
        ready = self._proc.stdout.readline()
        if not ready:
            raise RuntimeError('the tool server did not start (an import failed?)')

    def alive(self) -> bool:
        return self._proc.poll() is None

    def run(self, args: List[str], cwd: str, env: Dict[str, str], output: str,
            timeout: Optional[float] = None) -> int:
        """Run ``python args[0] args[1:]`` in a forked process; return its exit status
        (negative: killed by that signal). Its stdout and stderr go to ``output``.

        Raises:
            subprocess.TimeoutExpired: The run took longer than ``timeout`` (the process
                group is killed first).
        """
        import signal
        with self._lock:
            self._proc.stdin.write(json.dumps(dict(args=list(args), cwd=cwd, env=dict(env),
                                                   output=output)) + '\n')
            self._proc.stdin.flush()
            pid = json.loads(self._proc.stdout.readline())['pid']
            timer, killed = None, []
            if timeout is not None:
                def kill():
                    killed.append(True)
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                timer = threading.Timer(timeout, kill)
                timer.start()
            try:
                reply = self._proc.stdout.readline()
            finally:
                if timer is not None:
                    timer.cancel()
            if not reply:
                raise RuntimeError('the tool server died')
            code = json.loads(reply)['returncode']
            if killed:
                raise subprocess.TimeoutExpired(args, timeout)
            return code

    def close(self) -> None:
        if self.alive():
            self._proc.stdin.close()
            self._proc.wait(timeout=30)
        self._proc.stdout.close()


_SERVER: Optional[ToolServer] = None


def shared_server() -> ToolServer:
    """The process's tool server, started on first use (and again if it died)."""
    global _SERVER
    if _SERVER is None or not _SERVER.alive():
        _SERVER = ToolServer()
        import atexit
        atexit.register(_SERVER.close)
    return _SERVER
