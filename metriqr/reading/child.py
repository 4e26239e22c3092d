"""`python -m metriqr.reading.child --zygote FD`: read untrusted files under hard limits.

The zygote imports the readers once, then forks a worker per request (see
`metriqr.reading.zygote`). Protocol: the worker's input carries an 8-byte length, a JSON
request (operation, name, sheet, limits) and the file's bytes; its answer is one tag
byte and:
`T` + Arrow IPC of the table, `S` + JSON sheet names, or `E` + JSON typed error.
The limits are applied before the first byte of the file is read.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import socket
import struct
import sys
import traceback
from typing import BinaryIO

import pyarrow

from metriqr.errors import InputFileError, MetriqrError
from metriqr.reading import ipc, sandbox
from metriqr.reading.guards import Limits, megabytes
from metriqr.reading.parse import parse_sheet_names, parse_table


NICENESS = 10  # a read yields the cores to the server's pages (other users) and the browsers


def apply_limits(limits: Limits) -> None:
    """Cap this process: address space, CPU seconds (SIGXCPU at the soft limit), no core file, and a
    lower CPU priority: an upload's parsing waits for the cores rather than other users' pages."""
    os.nice(NICENESS)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))


def _read_exactly(stream, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("request cut short")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def answer(request: dict, data: bytes, out: BinaryIO) -> None:
    """Read and write the answer: tag byte, then the table's Arrow IPC, the sheet names or the error."""
    limits = Limits(**request["limits"])
    shown = request["name"]
    try:
        if request["op"] == "sheets":
            reply = sandbox.SHEETS + json.dumps(list(parse_sheet_names(data, shown=shown, limits=limits))).encode()
        else:
            raw = parse_table(data, shown=shown, sheet=request["sheet"], limits=limits)
    except MetriqrError as error:
        reply = sandbox.ERROR + sandbox.error_payload(error)
    except MemoryError:
        reply = sandbox.ERROR + sandbox.error_payload(
            InputFileError("read_memory", name=shown, limit_mb=megabytes(limits.memory)))
    except Exception:  # a bug here, not a problem with the file: the server logs it as internal
        traceback.print_exc()
        reply = sandbox.INTERNAL + traceback.format_exc(limit=-3).encode("utf-8", "replace")
    else:
        if request["op"] != "sheets":
            # Failing past this point (memory) ends the worker: the caller sees a crash, not half a table.
            out.write(sandbox.TABLE)
            ipc.write(raw, pyarrow.PythonFile(out, mode="w"))
            return
    out.write(reply)


def serve(in_fd: int, out_fd: int) -> int:
    """One read: request and bytes from `in_fd`, answer to `out_fd`; limits first."""
    with os.fdopen(in_fd, "rb") as stream:
        size = struct.unpack(">Q", _read_exactly(stream, 8))[0]
        request = json.loads(_read_exactly(stream, size))
        limits = Limits(**request["limits"])
        apply_limits(limits)
        try:
            data = stream.read()
        except MemoryError:
            data = None
    with os.fdopen(out_fd, "wb", buffering=1024**2) as stream:
        if data is None:
            stream.write(sandbox.ERROR + sandbox.error_payload(
                InputFileError("read_memory", name=request["name"], limit_mb=megabytes(limits.memory))))
        else:
            answer(request, data, stream)
    return 0


def _worker(in_fd: int, out_fd: int, status_fd: int) -> None:
    """Fork the process that reads, report its pid, wait for it and report its exit code.

    The reader is a grandchild of the zygote so that this small waiter can report how it
    ended (a signal: a limit hit or a native abort) while the zygote never waits.
    """
    code = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        pid = os.fork()
        if pid == 0:
            os.close(status_fd)
            status = 1
            try:
                status = serve(in_fd, out_fd)
            finally:
                os._exit(status)
        os.close(in_fd)
        os.close(out_fd)
        os.write(status_fd, struct.pack(">i", pid))
        _, status = os.waitpid(pid, 0)
        os.write(status_fd, struct.pack(">i", os.waitstatus_to_exitcode(status)))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _preload() -> None:
    """Import every reader (and what they import lazily) once, so that workers start warm."""
    import pyarrow
    import pyarrow.parquet
    import python_calamine  # noqa: F401

    from metriqr.reading import ipc, parquet, text, workbook  # noqa: F401

    # A first read imports more, lazily (pandas' CSV engine, Arrow's IPC writer): do it here once.
    sample = b"Cliente;Data;Valor\n1;01/01/2025;3,5\n2;02/01/2025;4\n"
    warm = Limits()
    ipc.decode(ipc.encode(parse_table(sample, shown="warm.csv", sheet=None, limits=warm)))
    table = pyarrow.table({"Cliente": ["1", "2"], "Valor": [1.5, 2.0]})
    sink = pyarrow.BufferOutputStream()
    pyarrow.parquet.write_table(table, sink)
    ipc.encode(parse_table(sink.getvalue().to_pybytes(), shown="warm.parquet", sheet=None, limits=warm))


def zygote(control_fd: int) -> int:
    """Fork a worker for each request on the control socket; exit when the server goes."""
    _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 3)
        except (OSError, InterruptedError):
            return 0
        if not message:
            return 0  # the server closed its end
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            continue
        if os.fork() == 0:
            control.close()
            _worker(*fds)
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--zygote"]:
        sys.exit(zygote(int(sys.argv[2])))
    sys.exit(2)
