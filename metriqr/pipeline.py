"""File → raw table → column mapping → cleaned transactions: the steps every entry point shares."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from metriqr.cleaning import Cleaned, clean_transactions, require_rows
from metriqr.columns import ColumnMapping, resolve_mapping
from metriqr.reading import RawTable, read_table


@dataclass(frozen=True)
class Dataset:
    raw: RawTable | None      # None for a workspace's stored history (no file behind it)
    mapping: ColumnMapping
    cleaned: Cleaned
    currency: str | None = None  # a currency already decided (a workspace's); else detected from `raw`
    # Set when an engine (metriqr.engines: DuckDB, Spark) reduced the lines to the ledger where they lie:
    # then `cleaned.transactions` is None and `raw` holds only the first rows (column detection's sample).
    ledger: Any = None

    @property
    def lines_or_ledger(self) -> Any:
        """What segmentation and migration take: the engine's ledger, else the cleaned lines."""
        return self.ledger if self.ledger is not None else self.cleaned.transactions


def clean_raw(raw: RawTable, overrides: Mapping[str, str] | None = None, *, dayfirst: bool = True,
              date_order: str | None = None) -> Dataset:
    """Resolve the mapping (detected, then the user's corrections) and clean, accounting for every row;
    `date_order` ("dmy"/"mdy") is the user's day/month order, None to decide from the values."""
    mapping = resolve_mapping(raw.frame, overrides)
    lines = raw.frame.index.to_numpy() if _index_is_line_numbers(raw) else None
    cleaned = clean_transactions(raw.frame, mapping, blank_rows=raw.blank_rows,
                                 malformed_rows=getattr(raw, "malformed_rows", 0),
                                 malformed_examples=tuple(getattr(raw, "malformed_examples", ())),
                                 line_numbers=lines, dayfirst=dayfirst, date_order=date_order)
    return Dataset(raw=raw, mapping=mapping, cleaned=require_rows(cleaned))


def _index_is_line_numbers(raw: RawTable) -> bool:
    index = raw.frame.index
    return np.issubdtype(index.dtype, np.integer) and (len(index) == 0 or index.min() > raw.header_row)


def load_dataset(source: bytes | str | os.PathLike, *, name: str | None = None, sheet: str | None = None,
                 overrides: Mapping[str, str] | None = None, dayfirst: bool = True,
                 date_order: str | None = None, max_bytes: int | None = None) -> Dataset:
    """`max_bytes` defaults to the reader's upload limit; local scheduled runs may raise it."""
    limits = {} if max_bytes is None else {"max_bytes": max_bytes}
    return clean_raw(read_table(source, name=name, sheet=sheet, **limits), overrides, dayfirst=dayfirst,
                     date_order=date_order)
