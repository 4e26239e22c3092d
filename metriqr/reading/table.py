"""The raw table every reader returns, and the formats it knows."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

@dataclass(frozen=True, eq=False)
class RawTable:
    """One table as read from the file, before any cleaning.

    `frame` holds the data rows below the header; its columns are the header names
    (stripped, inner whitespace collapsed, unique: "Valor", "Valor (2)"; a nameless column
    with data is "Coluna <n>", n = 1-based column position in the file). Entirely blank
    rows are removed and counted in `blank_rows`; text lines with more fields than the
    table are removed and counted in `malformed_rows`, so
    rows in the file below the header = len(frame) + blank_rows + malformed_rows.
    """

    frame: pd.DataFrame
    name: str
    sheet: str | None
    sheets: tuple[str, ...]
    header_row: int
    blank_rows: int
    malformed_rows: int = 0
    malformed_examples: tuple[str, ...] = ()
    file_format: str = ""  # "xlsx" (whole calamine family), "csv" or "parquet"
    encoding: str | None = None  # text files: "utf-8", "utf-8-sig", "cp1252", "utf-16"
    separator: str | None = None  # text files: ";", ",", "\t" or "|"

