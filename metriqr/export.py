"""CSV and XLSX bytes for campaign lists, safe to open in a spreadsheet program.

Formula injection (OWASP "CSV injection"): a cell that starts with `=`, `+`, `-`, `@`,
tab or carriage return is run as a formula by spreadsheet programs. In CSV such text
cells get a leading apostrophe; in XLSX every text cell is written with the string type,
so it is never a formula. Numbers stay numbers.

An XLSX file cannot hold control characters (NUL, ESC…: openpyxl raises IllegalCharacterError):
they are replaced by U+FFFD "�" so the export never fails, and `xlsx_export` says how many
cells were changed so the caller can tell the user. CSV stores any character and is left as is.
"""
from __future__ import annotations

import io
import re
from datetime import date
from collections.abc import Mapping

import numpy as np
import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl's ILLEGAL_CHARACTERS_RE
REPLACEMENT = "\ufffd"


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if not (pd.api.types.is_numeric_dtype(frame[c])
                                             or pd.api.types.is_datetime64_any_dtype(frame[c])
                                             or pd.api.types.is_bool_dtype(frame[c]))]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].astype(object).map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame, *, lang: str = "pt", bom: bool = True) -> bytes:
    """CSV as the user's spreadsheet expects: `;` and decimal comma for pt-BR; a BOM so Excel reads UTF-8.

    Machine consumers (scheduled runs) ask for `lang="en", bom=False`: plain comma CSV.
    """
    sep, decimal = (";", ",") if lang == "pt" else (",", ".")
    # CRLF rows (RFC 4180) also make the writer quote any text holding a bare \r or \n, so
    # a line break inside a value can never start a new row whose first cell is live.
    text = safe_frame(frame).to_csv(index=False, sep=sep, decimal=decimal, date_format="%Y-%m-%d",
                                    lineterminator="\r\n")
    return text.encode("utf-8-sig" if bom else "utf-8")


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, no []:*?/\\)."""
    base = _SHEET_FORBIDDEN.sub(" ", _XLSX_ILLEGAL.sub(REPLACEMENT, name)).strip()[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame], formats: Mapping[str, str] | None = None) -> bytes:
    """One workbook, one sheet per frame, every text cell stored as text.

    `formats` maps a column header to an Excel number format (`0.0%`, `"R$ "#,##0.00`,
    `dd/mm/yyyy`), so a list opens ready for a campaign: shares as percentages, money in its
    currency, dates as dates. Columns without one get a format by type (whole numbers as
    integers, dates as dates)."""
    return xlsx_export(sheets, formats)[0]


def xlsx_export(sheets: Mapping[str, pd.DataFrame], formats: Mapping[str, str] | None = None) -> tuple[bytes, int]:
    """The workbook's bytes (see to_xlsx_bytes) and the number of text cells whose control
    characters were replaced."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    formats = dict(formats or {})

    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    cleaned = 0
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(sheet_name(name, taken))

        def cell(value: object, number_format: str | None = None) -> WriteOnlyCell:
            if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
                return WriteOnlyCell(sheet, value=None)
            if isinstance(value, (np.integer, np.floating, np.bool_)):
                value = value.item()
            if isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            out = WriteOnlyCell(sheet, value=value if not isinstance(value, str) else None)
            if isinstance(value, str):
                if _XLSX_ILLEGAL.search(value):
                    nonlocal cleaned
                    cleaned += 1
                    value = _XLSX_ILLEGAL.sub(REPLACEMENT, value)
                out.value = value
                out.data_type = "s"  # never a formula, whatever the text starts with
            elif number_format:
                out.number_format = number_format
            return out

        column_formats = [formats.get(str(c)) or _default_format(frame[c]) for c in frame.columns]
        for i, column in enumerate(frame.columns, start=1):  # readable widths: header or a typical value
            sample = frame[column].head(200).astype(str).str.len()
            width = max(len(str(column)), int(sample.max()) if len(sample) else 0)
            sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
        sheet.append([cell(str(c)) for c in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            sheet.append([cell(v, f) for v, f in zip(row, column_formats)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), cleaned


def _default_format(values: pd.Series) -> str | None:
    """Whole numbers as integers and dates as dates when no format was asked for."""
    if pd.api.types.is_integer_dtype(values):
        return "0"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "yyyy-mm-dd"
    if values.dtype == object and len(values) and all(isinstance(v, date) for v in values.head(20).dropna()) \
            and values.notna().any():
        return "yyyy-mm-dd"
    return None
