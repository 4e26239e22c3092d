"""Untrusted bytes are parsed in a child process with hard limits, never in the server.

A 1.6 KB workbook can make the workbook reader (native code) allocate half a terabyte
and abort the whole process; a gzip bomb or a pathological file can hold memory or CPU
for minutes. So every read runs in a worker process (forked from a small zygote
interpreter, see `metriqr.reading.zygote`) with:

- address space (RLIMIT_AS) and CPU time (RLIMIT_CPU) set by the child on itself before
  it reads a byte of input, and no core dumps;
- a wall-clock deadline and a cap on the bytes it may hand back, enforced here;
- at most `MAX_PARALLEL` reads at once per server, so uploads queue instead of
  exhausting the machine while other users look at cached pages.

The child answers with Arrow IPC (a table, no code runs when it is loaded) or a typed
error as JSON; a native abort, a kill or a limit becomes an `InputFileError` with a
clear message. The server itself is never forked: it is multi-threaded and its
Streamlit state must never be copied into a child.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import selectors
import signal
import struct
import threading
import time
from dataclasses import asdict
from typing import Any

from metriqr import errors
from metriqr.errors import InputFileError, MetriqrError
from metriqr.reading.guards import Limits, megabytes
from metriqr.reading.table import RawTable
from metriqr.reading.zygote import ZYGOTE
from metriqr.texts import Count, Megabytes, Term

MAX_PARALLEL = 2
PIPE_BYTES = 1024**2  # Linux's default pipe-max-size
_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL)
log = logging.getLogger("metriqr.reading")

TABLE, SHEETS, ERROR, INTERNAL = b"T", b"S", b"E", b"X"


def run(op: str, data: bytes, *, shown: str, sheet: str | None, limits: Limits) -> tuple[bytes, bytes]:
    """Run one read in a child; (tag, payload) of its answer, or an `InputFileError`."""
    if not _SLOTS.acquire(timeout=limits.wall_seconds):
        raise InputFileError("read_busy", name=shown)
    try:
        return _run_worker(op, data, shown=shown, sheet=sheet, limits=limits)
    finally:
        _SLOTS.release()


def _run_worker(op: str, data: bytes, *, shown: str, sheet: str | None, limits: Limits) -> tuple[bytes, bytes]:
    request = json.dumps({"op": op, "name": shown, "sheet": sheet, "limits": asdict(limits)}).encode()
    deadline = time.monotonic() + limits.wall_seconds
    max_output = limits.output(len(data))
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    st_r, st_w = os.pipe()
    for fd in (in_w, out_w):  # the table crosses in 1 MB steps, not the default 64 KB (16x fewer wake-ups)
        _widen(fd)
    try:
        ZYGOTE.hand_over([in_r, out_w, st_w])
    finally:
        for fd in (in_r, out_w, st_w):
            os.close(fd)
    talk = _Exchange(in_w, out_r, st_r, [struct.pack(">Q", len(request)), request, data], max_output)
    try:
        talk.run(deadline)
        if talk.overflow:
            raise InputFileError("read_output_too_large", name=shown, limit_mb=megabytes(max_output))
        if talk.timed_out:
            raise InputFileError("read_timeout", name=shown, seconds=round(limits.wall_seconds))
    finally:
        talk.close()
    out, status = b"".join(talk.out), talk.status
    if status == 0 and out[:1] in (TABLE, SHEETS, ERROR):
        return out[:1], out[1:]
    if status == 0 and out[:1] == INTERNAL:
        raise RuntimeError(f"reading worker failed on {shown!r}: {out[1:].decode('utf-8', 'replace')}")
    log.warning("reading worker for %r ended with status %s", shown, status)
    if status == -signal.SIGXCPU:  # past RLIMIT_CPU's soft limit
        raise InputFileError("read_timeout", name=shown, seconds=limits.cpu_seconds)
    raise InputFileError("read_crashed", name=shown, limit_mb=megabytes(limits.memory))


def _widen(fd: int) -> None:
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:  # above the system's pipe-max-size: the default size works, only slower
        pass


class _Exchange:
    """Feed the request and read the answer and the status at once (no pipe deadlock), within
    a deadline and an output cap; past either, the worker is killed."""

    def __init__(self, in_w: int, out_r: int, st_r: int, pieces: list[bytes], max_output: int) -> None:
        self.fds = {"in": in_w, "out": out_r, "status": st_r}
        self.pending = [memoryview(p) for p in pieces if p]
        self.max_output = max_output
        self.out: list[bytes] = []
        self.size = 0
        self.status_bytes = b""
        self.overflow = False
        self.pid: int | None = None
        self.status: int | None = None  # None: the worker's end was never reported (it never started)
        self.timed_out = False

    def run(self, deadline: float) -> None:
        os.set_blocking(self.fds["in"], False)
        with selectors.DefaultSelector() as sel:
            sel.register(self.fds["in"], selectors.EVENT_WRITE, "in")
            sel.register(self.fds["out"], selectors.EVENT_READ, "out")
            sel.register(self.fds["status"], selectors.EVENT_READ, "status")
            reading = 2
            while reading:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.overflow:
                    self.timed_out = remaining <= 0 and not self.overflow
                    self._kill()
                    return
                for key, _ in sel.select(timeout=min(remaining, 1.0)):
                    if key.data == "in":
                        if self._write():
                            sel.unregister(key.fd)
                            self._close("in")
                        continue
                    chunk = os.read(key.fd, 1024**2)
                    if not chunk:
                        sel.unregister(key.fd)
                        reading -= 1
                    elif key.data == "out":
                        self.out.append(chunk)
                        self.size += len(chunk)
                        self.overflow = self.size > self.max_output
                    else:
                        self.status_bytes += chunk
                        if len(self.status_bytes) >= 4 and self.pid is None:
                            self.pid = struct.unpack(">i", self.status_bytes[:4])[0]
        if len(self.status_bytes) >= 8:
            self.status = struct.unpack(">i", self.status_bytes[4:8])[0]

    def _write(self) -> bool:
        """Write what the pipe takes now; True once everything is written (or the worker left)."""
        try:
            while self.pending:
                written = os.write(self.fds["in"], self.pending[0][: 1024**2])
                self.pending[0] = self.pending[0][written:]
                if not len(self.pending[0]):
                    self.pending.pop(0)
        except BlockingIOError:
            return False
        except OSError:
            self.pending = []  # the worker stopped reading (an error, or it died): read its answer
        return True

    def _kill(self) -> None:
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _close(self, which: str) -> None:
        fd = self.fds.pop(which, None)
        if fd is not None:
            os.close(fd)

    def close(self) -> None:
        for which in list(self.fds):
            self._close(which)


# --- the child's answer ----------------------------------------------------------------------


def error_payload(error: MetriqrError) -> bytes:
    return json.dumps({"cls": type(error).__name__, "key": error.key, "params": _tagged(error.params)},
                      default=_jsonable).encode()


# Typed values (a catalogue term with its values, a count, a size) keep their type across the
# pipe: JSON would write them as a bare key or number, and the parent could no longer write them
# in the reader's language.
def _tagged(params: dict[str, Any]) -> dict[str, Any]:
    def one(value: Any) -> Any:
        if isinstance(value, Term):
            return {"$term": str(value), "params": _tagged(getattr(value, "params", {}))}
        if isinstance(value, Count):
            return {"$count": int(value)}
        if isinstance(value, Megabytes):
            return {"$megabytes": float(value)}
        return value

    return {key: one(value) for key, value in params.items()}


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return str(value)


def _untagged(params: dict[str, Any]) -> dict[str, Any]:
    def one(value: Any) -> Any:
        if isinstance(value, dict) and "$term" in value:
            return Term(str(value["$term"]), **_untagged(dict(value.get("params") or {})))
        if isinstance(value, dict) and "$count" in value:
            return Count(value["$count"])
        if isinstance(value, dict) and "$megabytes" in value:
            return Megabytes(value["$megabytes"])
        return value

    return {key: one(value) for key, value in params.items()}


def raise_error(payload: bytes) -> None:
    """Re-raise the child's typed error here, as the same class with the same key and values."""
    found = json.loads(payload)
    cls = getattr(errors, str(found.get("cls")), None)
    if not (isinstance(cls, type) and issubclass(cls, MetriqrError)):
        cls = InputFileError
    raise cls(str(found["key"]), **_untagged(dict(found.get("params") or {})))


def encode_table(raw: RawTable) -> bytes:
    from metriqr.reading import ipc

    return ipc.encode(raw)


def decode_table(payload: bytes) -> RawTable:
    from metriqr.reading import ipc

    return ipc.decode(payload)
