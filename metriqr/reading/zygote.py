"""The zygote of the reading workers: a fresh interpreter that has imported the readers once.

Only the standard library is imported here, so that a caller can start the zygote before its
own heavy imports (the command line does, for the commands that read a file): the two
interpreters then import pandas and pyarrow in parallel, on two cores.
"""
from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the metriqr package


class Zygote:
    """A fresh interpreter (`python -m metriqr.reading.child --zygote`) that has imported the
    readers once and forks one worker per read.

    Importing pandas, pyarrow and calamine takes ~0.4-1 s; forking a process that already
    has them takes milliseconds. The zygote is single-threaded and never parses anything
    itself, so forking it is safe (forking the multi-threaded server would not be), and a
    worker's crash or kill leaves it untouched. Each request hands it three pipe ends over
    a Unix socket: the worker's input, its answer, and its status (pid, then exit code).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None

    def hand_over(self, fds: list[int]) -> None:
        with self._lock:
            for attempt in range(2):
                if self._proc is None or self._proc.poll() is not None:
                    self._start()
                try:
                    socket.send_fds(self._sock, [b"R"], fds)
                    return
                except OSError:
                    if attempt:
                        raise
                    self._stop()

    def _start(self) -> None:
        self._stop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"  # no idle thread pools in a process that forks
        with theirs:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "metriqr.reading.child", "--zygote", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env, cwd=str(_ROOT),
                start_new_session=True)
        self._sock = ours

    def _stop(self) -> None:
        if self._sock is not None:
            self._sock.close()  # the zygote reads end-of-file and exits
            self._sock = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def ensure(self) -> None:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._start()


ZYGOTE = Zygote()
atexit.register(ZYGOTE.stop)


def prestart() -> None:
    """Start the zygote now (it imports the readers in its own process, in parallel), so that
    the first upload after a server start does not wait for it."""
    ZYGOTE.ensure()
