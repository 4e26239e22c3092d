"""Workbooks (xlsx, xlsm, xlsb, xls, ods) through calamine, after the guards have passed."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from metriqr.errors import InputFileError
from metriqr.reading.guards import Limits, check_zip, too_wide
from metriqr.reading.header import filled, find_header, finish
from metriqr.reading.sniffing import signature
from metriqr.reading.table import RawTable
from metriqr.texts import Count

def open_workbook(data: bytes, *, shown: str, limits: Limits) -> Any:
    from python_calamine import CalamineWorkbook

    if signature(data) == "zip":
        check_zip(data, shown=shown, limits=limits)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own errors, and others on odd input
        raise InputFileError("xlsx_corrupt", name=shown) from exc


def read_workbook(data: bytes, *, shown: str, sheet: str | None, limits: Limits) -> RawTable:
    """Read one sheet: the one asked for, or the first that holds a table."""
    workbook = open_workbook(data, shown=shown, limits=limits)
    sheets = tuple(workbook.sheet_names)
    listing = ", ".join(sheets)
    if sheet is not None:
        chosen = _match_sheet(sheet, sheets)
        if chosen is None:
            raise InputFileError("sheet_not_found", name=shown, sheet=sheet, sheets=listing)
        rows = _sheet_rows(workbook, chosen, shown=shown, limits=limits)
        if not any(filled(row) for row in rows):
            raise InputFileError("sheet_empty", name=shown, sheet=chosen, sheets=listing)
        header = find_header(rows)
        header = find_header(rows, one_column=True) if header is None else header
        if header is None:
            raise InputFileError("no_header", name=shown)
        return _table_from_rows(rows, header, shown=shown, sheet=chosen, sheets=sheets)
    first_with_data, listed = None, None
    for candidate in _default_order(workbook):
        rows = _sheet_rows(workbook, candidate, shown=shown, limits=limits)
        if not any(filled(row) for row in rows):
            continue
        header = find_header(rows)
        if header is not None:
            return _table_from_rows(rows, header, shown=shown, sheet=candidate, sheets=sheets)
        first_with_data = first_with_data or candidate
        if listed is None and (one := find_header(rows, one_column=True)) is not None:
            listed = (rows, one, candidate)  # a one-column list, taken only if no sheet holds a table
    if listed is not None:
        rows, header, candidate = listed
        return _table_from_rows(rows, header, shown=shown, sheet=candidate, sheets=sheets)
    if first_with_data is None:
        raise InputFileError("file_empty", name=shown)
    raise InputFileError("no_header", name=shown)


def _match_sheet(wanted: str, sheets: Sequence[str]) -> str | None:
    """Exact name, else the one name equal ignoring case and outer spaces."""
    if wanted in sheets:
        return wanted
    loose = [s for s in sheets if s.strip().casefold() == wanted.strip().casefold()]
    return loose[0] if len(loose) == 1 else None


def _default_order(workbook: Any) -> list[str]:
    """Visible worksheets first, in workbook order: a hidden sheet (a lookup table, an old
    copy) is read only when no visible one holds a table, or when the user picks it."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    meta = workbook.sheets_metadata
    visible = [m.name for m in meta if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet]
    return visible + [m.name for m in meta if m.name not in visible]


def _sheet_rows(workbook: Any, sheet: str, *, shown: str, limits: Limits) -> list[list[object]]:
    """All rows from the sheet's first row, so row indexes are the sheet's own.

    The grid was bounded before opening (guards.check_zip, for xlsx); its size is checked
    again here, where every format's reader has reported it, before rows become objects.
    """
    try:
        data = workbook.get_sheet_by_name(sheet)
    except Exception as exc:
        raise InputFileError("xlsx_corrupt", name=shown) from exc
    if data.width > limits.max_columns:
        raise too_wide(shown, data.width, limits)
    if data.width * data.height > limits.max_cells:
        raise InputFileError("sheet_grid_too_large", name=shown, rows=Count(data.height),
                             columns=Count(data.width), cells=Count(data.width * data.height),
                             limit=Count(limits.max_cells))
    try:
        return data.to_python(skip_empty_area=False)
    except Exception as exc:
        raise InputFileError("xlsx_corrupt", name=shown) from exc


def _table_from_rows(
    rows: list[list[object]], header: int, *, shown: str, sheet: str, sheets: tuple[str, ...]
) -> RawTable:
    header_cells = rows[header]
    body = rows[header + 1 :]
    width = max((len(r) for r in rows), default=0)
    columns = [_workbook_column(values) for values in _transpose(body, width)]
    lines = np.arange(len(body), dtype="int64") + header + 2  # the row numbers Excel shows
    frame, blank_rows = finish(columns, header_cells, lines)
    return RawTable(
        frame=frame,
        name=shown,
        sheet=sheet,
        sheets=sheets,
        header_row=header,
        blank_rows=blank_rows,
        file_format="xlsx",
    )


def _transpose(body: list[list[object]], width: int) -> list[list[object]]:
    """Rows to columns; `map(itemgetter)` is ~4x faster than `zip(*rows)` on big sheets."""
    if set(map(len, body)) - {width}:
        body = [list(r) + [None] * (width - len(r)) for r in body]
    return [list(map(itemgetter(k), body)) for k in range(width)]


_SAFE_INT = 2**53


def _number_column(values: list[object]) -> pd.Series:
    """`_workbook_column` for the usual numeric column (floats, maybe empty cells), in numpy:
    the same result, without a Python loop per cell over half a million rows."""
    numbers = np.array(values, dtype=np.float64)  # an empty cell (None) becomes NaN
    missing = np.isnan(numbers)  # calamine gives no NaN of its own
    present = numbers[~missing]
    if not (np.all(np.floor(present) == present) and np.all(np.abs(present) < _SAFE_INT)):
        return pd.Series(numbers, dtype="float64")
    if not missing.any():
        return pd.Series(numbers.astype(np.int64), dtype="int64")
    out = np.full(len(numbers), None, dtype=object)
    out[~missing] = present.astype(np.int64).tolist()  # Python ints, as the general path makes
    return pd.Series(out, dtype=object)


def _text_column(values: list[object]) -> pd.Series:
    """`_workbook_column` for a column of text (maybe empty cells): blanks ("" or only
    whitespace, as Python's `str.isspace` says) become missing, with C-level maps, not a
    Python loop per cell."""
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    present = np.flatnonzero(~pd.isna(cells))
    texts = cells[present]
    blank = np.fromiter(map(str.isspace, texts), dtype=bool, count=len(texts))
    blank |= np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) == 0
    if blank.any():
        cells[present[blank]] = None
    if len(present) == blank.sum():
        return pd.Series(cells, dtype=object)  # nothing but blanks
    return pd.Series(cells, dtype="str")


def _workbook_column(values: list[object]) -> pd.Series:
    """One column with calamine's native types, made consistent.

    Empty cells become missing; a number column whose values are all whole becomes
    Python ints (calamine gives 17850.0 for the integer cell 17850, and a customer code
    must not turn into "17850.0"); dates at midnight come back as `date` and are
    promoted to `datetime` so the column stays one type.
    """
    if not values:
        return pd.Series([], dtype=object)
    kinds = set(map(type, values))
    if float in kinds and kinds <= {float, type(None)}:
        return _number_column(values)
    if str in kinds and kinds <= {str, type(None)}:
        return _text_column(values)
    if str in kinds:
        values = [None if v.__class__ is str and (v == "" or v.isspace()) else v for v in values]
    if dt.date in kinds:
        values = [dt.datetime(v.year, v.month, v.day) if v.__class__ is dt.date else v for v in values]
    if float in kinds and all(
        v.is_integer() and -_SAFE_INT < v < _SAFE_INT for v in values if v.__class__ is float
    ):
        values = [int(v) if v.__class__ is float else v for v in values]
    kinds = set(map(type, values)) - {type(None)}
    has_missing = any(v is None for v in values)
    if kinds == {int} and not has_missing:
        return pd.Series(values, dtype="int64")
    if float in kinds and kinds <= {int, float}:
        return pd.Series(values, dtype="float64")
    if kinds == {str}:
        return pd.Series(values, dtype="str")
    if kinds == {dt.datetime}:
        try:
            return pd.Series(values, dtype="datetime64[us]")
        except (ValueError, OverflowError, TypeError):
            pass  # time-zone mix or out of range: keep the objects
    return pd.Series(values, dtype=object)

