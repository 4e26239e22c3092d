"""Bytes or a path in, one raw table out: XLSX family, CSV/TXT, Parquet, and gzip of those.

Point-of-sale and ERP exports are messy, so the reader finds the header row below report
titles and filter lines, guesses the CSV separator and encoding the way Brazilian tools
write them, and keeps every CSV cell as text: parsing `1.103,48`, `R$ 12,50` and
`dd/mm/aaaa` belongs to the cleaning step, which can report what it could not read.

Untrusted bytes are parsed only in a child process with hard limits (`sandbox`), after
the guards (`guards`: sizes, gzip and zip bombs, XML entities, absurd grids and widths).
Every failure becomes an `InputFileError` with a message key, never a raw traceback, and
never a dead server. The package, by concern:

- `table`: the `RawTable` every reader returns;
- `sniffing`: file size, gzip, format from the extension and the content;
- `guards`: the limits (`Limits`) and the checks made before any parser runs;
- `header`: the header row search and column naming shared by text and workbooks;
- `text`, `workbook`, `parquet`: one reader per family;
- `parse`: the in-process read the child runs; `sandbox`, `child`, `ipc`: the child
  process, its limits, and the table handed back as Arrow IPC.
"""
from __future__ import annotations

import json
import os
from dataclasses import replace

from metriqr.reading.guards import DEFAULT_MAX_BYTES, Limits
from metriqr.reading.sniffing import load
from metriqr.reading.table import RawTable

__all__ = ["DEFAULT_MAX_BYTES", "Limits", "RawTable", "list_sheets", "read_table"]


def read_table(
    source: bytes | str | os.PathLike[str],
    *,
    name: str | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
    limits: Limits | None = None,
) -> RawTable:
    """Read an uploaded file (bytes) or a path into a `RawTable`, in a sandboxed child process.

    The format follows the extension of `name` (or of the path), and the content when the
    extension is missing or lying. Raises `InputFileError` for anything unreadable.
    `max_bytes` is a shortcut for `limits.max_bytes` (the command line raises it for
    local files).
    """
    from metriqr.reading import sandbox

    limits = _limits(max_bytes, limits)
    data, shown = load(source, name=name, max_bytes=limits.max_bytes)
    tag, payload = sandbox.run("table", data, shown=shown, sheet=sheet, limits=limits)
    if tag == sandbox.ERROR:
        sandbox.raise_error(payload)
    return sandbox.decode_table(payload)


def list_sheets(
    source: bytes | str | os.PathLike[str],
    *,
    name: str | None = None,
    max_bytes: int | None = None,
    limits: Limits | None = None,
) -> tuple[str, ...]:
    """Sheet names of a workbook, in workbook order; () for CSV and Parquet.

    The same guards and the same sandbox as `read_table`, so the sheet picker never opens
    a hostile workbook in the server.
    """
    from metriqr.reading import sandbox

    limits = _limits(max_bytes, limits)
    data, shown = load(source, name=name, max_bytes=limits.max_bytes)
    tag, payload = sandbox.run("sheets", data, shown=shown, sheet=None, limits=limits)
    if tag == sandbox.ERROR:
        sandbox.raise_error(payload)
    return tuple(json.loads(payload))


def _limits(max_bytes: int | None, limits: Limits | None) -> Limits:
    limits = limits or Limits()
    return limits if max_bytes is None else replace(limits, max_bytes=max_bytes)
