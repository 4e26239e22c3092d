"""Bytes in, one raw table out, in this process: what the sandboxed child runs.

Nothing outside `metriqr.reading` calls this directly: untrusted bytes go through
`read_table`, which runs this in a child process with hard limits (`sandbox`).
"""
from __future__ import annotations

from metriqr.errors import InputFileError
from metriqr.reading.guards import Limits
from metriqr.reading.sniffing import WORKBOOK_EXTS, classify, extension, parser_failure
from metriqr.reading.table import RawTable

# Text sent under a workbook's name that cannot be read as text either: the user sent
# a workbook, so say it is not a valid one (not "no header row").
_NOT_A_WORKBOOK = frozenset({"no_header", "not_a_spreadsheet"})


def parse_table(data: bytes, *, shown: str, sheet: str | None, limits: Limits) -> RawTable:
    """Read the file's bytes into a `RawTable`; `InputFileError` for anything unreadable.

    The format follows the extension of `shown`, and the content when the extension is
    missing or lying (an ERP's ".xls" that is really tab-separated text is read as text).
    """
    kind, payload, inner_name = classify(data, shown=shown, limits=limits)
    try:
        if kind == "workbook":
            from metriqr.reading.workbook import read_workbook

            return read_workbook(payload, shown=shown, sheet=sheet, limits=limits)
        if kind == "parquet":
            from metriqr.reading.parquet import read_parquet

            return read_parquet(payload, shown=shown, limits=limits)
        from metriqr.reading.text import read_text

        try:
            return read_text(payload, shown=shown, ext=extension(inner_name), limits=limits)
        except InputFileError as error:
            if extension(inner_name) in WORKBOOK_EXTS and error.key in _NOT_A_WORKBOOK:
                raise InputFileError("xlsx_corrupt", name=shown) from error
            raise
    except (InputFileError, MemoryError):
        raise
    except Exception as exc:  # a parser bug or an input it chokes on: never a traceback
        raise parser_failure(kind, shown, exc) from exc


def parse_sheet_names(data: bytes, *, shown: str, limits: Limits) -> tuple[str, ...]:
    """Sheet names of a workbook, in workbook order; () for CSV and Parquet."""
    kind, payload, _ = classify(data, shown=shown, limits=limits)
    if kind != "workbook":
        return ()
    from metriqr.reading.workbook import open_workbook

    try:
        return tuple(open_workbook(payload, shown=shown, limits=limits).sheet_names)
    except (InputFileError, MemoryError):
        raise
    except Exception as exc:
        raise parser_failure(kind, shown, exc) from exc
