"""Finding the header row below report titles and filter lines, and naming the columns.

Shared by text files and workbooks: both arrive here as rows of cells.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

# The header is looked for among the first rows that hold anything.
HEADER_SCAN_ROWS = 50

_MONTH = r"(?:jan|fev|feb|mar|abr|apr|mai|may|jun|jul|ago|aug|set|sep|out|oct|nov|dez|dec)[a-zç]*\.?"
_VALUE_WITH_LETTERS = re.compile(
    r"^[-+−(]?\s*(?:R\$|US\$|BRL|USD|EUR|GBP)\s*[-+−]?\s*\d[\d.,\s]*\)?$"  # R$ 1.103,48
    r"|^[-+−]?\s*\d[\d.,\s]*\s*(?:R\$|BRL|USD|EUR|GBP)$"  # 12,50 BRL
    r"|^[-+]?\d+(?:[.,]\d+)?[eE][-+]?\d+$"  # 1E+05
    r"|^\d{4}-\d{1,2}-\d{1,2}T\d"  # ISO timestamp
    rf"|^\d{{1,2}}[-/. ]{_MONTH}(?:[-/. ]\d{{2,4}})?$"  # 12/jan/2025
    rf"|^{_MONTH}[-/. ]\d{{2,4}}$",  # jan/2025
    re.IGNORECASE,
)


def is_blank_cell(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def is_label(value: object) -> bool:
    """A cell that reads like a column name: text with letters, not a number or a date."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return any(ch.isalpha() for ch in text) and not _VALUE_WITH_LETTERS.match(text)


def filled(row: Sequence[object]) -> int:
    return sum(1 for value in row if not is_blank_cell(value))


def find_header(rows: Sequence[Sequence[object]], *, one_column: bool = False) -> int | None:
    """Index of the header row, or None.

    The header is the first row among the first non-blank ones with at least two cells
    and half the usual row width filled, mostly labels, followed by a data row (one holding a
    number or a date). Fallbacks: the first header-like row followed by any row (all-text
    tables), a header-like row with nothing below it (an empty table), and with `one_column`
    the label heading a one-column list (only where columns are certain: in a workbook, not in
    text whose separator is still being guessed).
    """
    window: list[int] = []
    more = False
    for i, row in enumerate(rows):  # stops early: a sheet may hold a million rows
        if filled(row):
            if len(window) == 2 * HEADER_SCAN_ROWS:
                more = True
                break
            window.append(i)
    if not window:
        return None
    width = {i: filled(rows[i]) for i in window}
    # The usual width of a row, not the widest: one junk line must not hide the header.
    usual = max(Counter(width.values()).items(), key=lambda kv: (kv[1], kv[0]))[0]
    following = dict(zip(window, window[1:] + [None]))
    if more:  # rows exist past the window: what follows its last row is unknown
        following[window[-1]] = -1
    candidates = [i for i in window[:HEADER_SCAN_ROWS] if _looks_like_header(rows[i], width[i], usual)]

    def next_row(i: int) -> int | None:
        j = following.get(i)
        return j if j != -1 else None

    for i in candidates:
        j = next_row(i)
        if j is not None and width[j] >= 2 and any(
            not is_label(v) and not is_blank_cell(v) for v in rows[j]
        ):
            return i
    for i in candidates:  # an all-text table: its first header-like row
        j = next_row(i)
        if j is not None and width[j] >= 2:
            return i
    if candidates and following.get(candidates[0]) is None:
        return candidates[0]  # a header with nothing below it: an empty table
    first = window[0]
    if one_column and usual == 1 and width[first] == 1 and next_row(first) is not None \
            and any(is_label(v) for v in rows[first]):
        return first  # a one-column list (customer ids for a campaign, say) under its one label
    return None


def _looks_like_header(row: Sequence[object], filled: int, usual: int) -> bool:
    if filled < 2 or 2 * filled < usual:
        return False
    labels = sum(1 for value in row if is_label(value))
    return labels >= 2 and 2 * labels > filled


def _header_text(value: object) -> str:
    if is_blank_cell(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return " ".join(str(value).split())


def _unique(names: Sequence[str]) -> list[str]:
    """Make names unique ignoring case: "Valor", "Valor (2)", ..."""
    seen: set[str] = set()
    out = []
    for base in names:
        candidate, n = base, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{base} ({n})"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def finish(columns: list[pd.Series], header: Sequence[object], lines: np.ndarray) -> tuple[pd.DataFrame, int]:
    """Name the columns, drop unnamed empty ones, remove blank rows (counted).

    The index is each row's 1-based line in the file (or row in the sheet), so a report
    can point the user at the exact line.
    """
    names: list[str] = []
    kept: list[pd.Series] = []
    for pos, series in enumerate(columns):
        text = _header_text(header[pos]) if pos < len(header) else ""
        if not text:
            if not series.notna().any():
                continue  # no name, no data: an artefact of the export
            text = f"Coluna {pos + 1}"
        names.append(text)
        kept.append(series)
    index = pd.Index(np.asarray(lines, dtype="int64"))
    frame = pd.DataFrame({k: series.array for k, series in enumerate(kept)}, index=index)
    frame.columns = _unique(names)
    blank = frame.isna().all(axis=1) if len(frame.columns) else pd.Series(True, index=frame.index)
    blank_rows = int(blank.sum())
    if blank_rows:
        frame = frame.loc[~blank]
    return frame, blank_rows

