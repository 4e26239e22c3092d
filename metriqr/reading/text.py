"""Delimited text (CSV / TXT / TSV): encoding, separator, header, every cell kept as text.

Parsing `1.103,48`, `R$ 12,50` and `dd/mm/aaaa` belongs to the cleaning step, which can
report what it could not read.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from metriqr.errors import InputFileError
from metriqr.reading.guards import Limits, too_wide
from metriqr.reading.header import filled, find_header, finish
from metriqr.reading.sniffing import wrong_content
from metriqr.reading.table import RawTable
from metriqr.texts import Term

# Rows parsed from the top of a text file to choose the separator and find the header.
TEXT_SAMPLE_RECORDS = 120
TEXT_SAMPLE_BYTES = 256 * 1024
SEPARATORS = (";", "\t", "|", ",")  # tie order: Brazilian `;` before `,` (decimal comma)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")


def read_text(data: bytes, *, shown: str, ext: str, limits: Limits) -> RawTable:
    """Read delimited text with every cell kept as a string (missing = NaN)."""
    decoded = _decode(data)
    if decoded is None:
        raise wrong_content(ext, shown, Term("detail.binary_content"))
    buf, head, encoding = decoded
    if _looks_like_markup(head):
        raise wrong_content(ext, shown, "HTML/XML")
    whole = len(head.encode("utf-8")) >= len(buf)
    if whole and re.fullmatch(r"[\s;,|\"]*", head):
        raise InputFileError("file_empty", name=shown)  # blank lines, maybe separators only
    lines = _LINE.findall(head)
    layout = _choose_layout(lines, prefer_tab=ext == ".tsv")
    if layout is None:
        raise InputFileError("no_header", name=shown)
    sep, records, ends, header = layout
    header_cells = records[header]
    sample = records[header + 1 :]
    width = _table_width(header_cells, sample)
    if width > limits.max_columns:
        raise too_wide(shown, width, limits)
    # Parse at least as wide as any sampled line: pandas silently truncates a first line
    # that is wider than the names it is given.
    parse_width = max([width] + [len(r) for r in sample])
    offset = len("".join(lines[: ends[header]]).encode("utf-8"))
    body = buf[offset:]
    has_nul = b"\x00" in body  # binary bytes past the sample: those lines are unreadable
    if has_nul:
        body = body.replace(b"\x00", _NUL_STAND_IN)
    raw = _parse_body(body, sep=sep, ncols=parse_width, shown=shown, first_line=ends[header] + 1)
    raw.index = _line_numbers(raw, body, first=ends[header] + 1)
    if has_nul:
        raw, nul_rows, nul_examples = _split_nul(raw, sep=sep)
    raw, malformed, examples = _split_malformed(raw, width=width, sep=sep)
    if has_nul:
        malformed, examples = malformed + nul_rows, tuple(sorted(nul_examples + examples, key=_example_line))[:5]
    columns = [_blank_to_nan(raw[k]) for k in range(width)]
    frame, blank_rows = finish(columns, header_cells, raw.index.to_numpy())
    return RawTable(
        frame=frame,
        name=shown,
        sheet=None,
        sheets=(),
        header_row=header,
        blank_rows=blank_rows,
        malformed_rows=malformed,
        malformed_examples=examples,
        file_format="csv",
        encoding=encoding,
        separator=sep,
    )


# NUL bytes inside a text file: each becomes this stand-in (a private-use character) while
# parsing, and every row holding one is set aside as unreadable, with its line number.
_NUL_STAND_IN = "\ue000".encode("utf-8")
_NUL_SHOWN = "\u2400"  # ␀, how an example shows where the byte was


def _split_nul(raw: pd.DataFrame, *, sep: str) -> tuple[pd.DataFrame, int, tuple[str, ...]]:
    """Remove rows holding a NUL byte; count them and keep examples like the malformed rows."""
    stand_in = _NUL_STAND_IN.decode("utf-8")
    bad = pd.Series(False, index=raw.index)
    for k in raw.columns:
        bad |= raw[k].str.contains(stand_in, regex=False).fillna(False).astype(bool)
    count = int(bad.sum())
    examples = []
    for line, row in raw.loc[bad].head(5).iterrows():
        text = sep.join("" if pd.isna(v) else str(v) for v in row).rstrip(sep).replace(stand_in, _NUL_SHOWN)
        examples.append(f"{line}: “{text[:200]}”")
    return raw.loc[~bad], count, tuple(examples)


def _example_line(example: str) -> int:
    return int(example.split(":", 1)[0])


def _table_width(header: Sequence[str], sample: Sequence[Sequence[str]]) -> int:
    """Fields per row: the header's, or the usual data row's when wider (trailing `;`).

    A few odd wider lines do not widen the table: they are reported as malformed.
    """
    counts = Counter(len(r) for r in sample if filled(r))
    usual = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0] if counts else 0
    return max(len(header), usual)


def _decode(data: bytes) -> tuple[bytes, str, str] | None:
    """(UTF-8 bytes for the parser, decoded head for sniffing, encoding) or None if binary.

    UTF-8 (with or without BOM) first, then UTF-32 and UTF-16 with a BOM (Excel "Unicode
    text"), then cp1252, the Windows superset of Latin-1 that Brazilian tools write.
    """
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16: same first bytes
        try:
            text = data.decode("utf-32")
        except UnicodeDecodeError:
            return None
        buf, encoding = text.encode("utf-8"), "utf-32"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
        buf, encoding = text.encode("utf-8"), "utf-16"
    elif b"\x00" in data[:65536]:
        return None
    else:
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        buf = data[3:] if encoding == "utf-8-sig" else data
        try:
            buf.decode("utf-8")
        except UnicodeDecodeError:
            try:
                buf, encoding = data.decode("cp1252").encode("utf-8"), "cp1252"
            except UnicodeDecodeError:
                return None
    cut = len(buf) if len(buf) <= TEXT_SAMPLE_BYTES else buf.rfind(b"\n", 0, TEXT_SAMPLE_BYTES) + 1
    head = buf[: cut or TEXT_SAMPLE_BYTES].decode("utf-8", errors="ignore")
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\n\r\x0c" or ch == "\x7f")
    if controls > max(2, len(head) // 100):
        return None
    return buf, head, encoding


def _looks_like_markup(head: str) -> bool:
    start = head.lstrip("\ufeff \t\r\n")[:512].lower()
    return start.startswith(("<!doctype html", "<html", "<?xml", "<table")) or (
        start.startswith("<") and "<table" in head[:65536].lower()
    )


def _parse_records(lines: Sequence[str], sep: str) -> tuple[list[list[str]], list[int]]:
    """The first records of the sample, with how many physical lines each one ends at."""
    consumed = 0

    def feed() -> Iterator[str]:
        nonlocal consumed
        for line in lines:
            consumed += 1
            yield line

    records: list[list[str]] = []
    ends: list[int] = []
    try:
        for record in csv.reader(feed(), delimiter=sep, quotechar='"', strict=False):
            records.append(record)
            ends.append(consumed)
            if len(records) >= TEXT_SAMPLE_RECORDS:
                break
    except csv.Error:
        pass  # a field beyond the csv module's limit; the records so far are enough
    return records, ends


def _choose_layout(lines: Sequence[str], *, prefer_tab: bool) -> tuple[str, list[list[str]], list[int], int] | None:
    """(separator, sample records, their line ends, header index), or None without a header.

    Each separator is tried with the header search; the winner is the one whose header
    is followed by the most rows with the table's field count. `1.103,48;2` splits
    steadily on `;` but not on `,`, so a Brazilian file is never cut at its decimal
    commas. Ties go to `;`, then tab, `|`, `,` (tab first for .tsv).
    """
    order = ("\t",) + tuple(s for s in SEPARATORS if s != "\t") if prefer_tab else SEPARATORS
    best: tuple[str, list[list[str]], list[int], int] | None = None
    best_score = 0
    for sep in order:
        records, ends = _parse_records(lines, sep)
        header = find_header(records)
        if header is None:
            continue
        width = _table_width(records[header], records[header + 1 :])
        score = sum(1 for r in records[header:] if len(r) == width and filled(r))
        if score > best_score:
            best, best_score = (sep, records, ends, header), score
    return best


def _csv_options(sep: str, ncols: int) -> dict[str, Any]:
    return dict(
        sep=sep,
        header=None,
        names=list(range(ncols)),
        index_col=False,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
        quotechar='"',
        encoding="utf-8",
    )


def _parse_body(body: bytes, *, sep: str, ncols: int, shown: str, first_line: int) -> pd.DataFrame:
    """Parse the rows below the header with pandas' C engine.

    A line with more fields than expected makes the C engine stop; rather than skip it
    silently, widen the table and retry (the extra fields are reported as malformed rows
    afterwards). Past a few retries the slow Python engine marks the odd lines instead.
    """
    for _ in range(5):
        try:
            return pd.read_csv(io.BytesIO(body), engine="c", **_csv_options(sep, ncols))
        except pd.errors.ParserError as exc:
            message = str(exc)
            unclosed = re.search(r"EOF inside string starting at row (\d+)", message)
            if unclosed:
                line = first_line + int(unclosed.group(1))
                raise InputFileError(
                    "not_a_spreadsheet", name=shown, detail=Term("detail.unclosed_quote", line=line)
                ) from exc
            seen = re.search(r"saw (\d+)", message)
            if not seen:
                raise
            ncols = max(int(seen.group(1)), 2 * ncols)

    def keep_marked(fields: list[str]) -> list[str]:
        # Keep the row in place (line numbers stay right), marked in its last, extra column.
        return fields[: ncols - 1] + [_MALFORMED_MARK + sep.join(fields)]

    return pd.read_csv(io.BytesIO(body), engine="python", on_bad_lines=keep_marked, **_csv_options(sep, ncols))


_MALFORMED_MARK = "\x00"


def _line_numbers(raw: pd.DataFrame, body: bytes, *, first: int) -> np.ndarray:
    """1-based file line of each parsed record, counting line breaks inside quoted fields."""
    lines = first + np.arange(len(raw), dtype="int64")
    newlines = body.count(b"\n")
    if newlines <= len(raw) and body.count(b"\r") in (0, newlines):
        return lines  # one physical line per record (the usual case, checked in C)
    extra = np.zeros(len(raw), dtype="int64")
    for k in raw.columns:
        column = raw[k]
        if column.str.contains("\n", regex=False).any() or column.str.contains("\r", regex=False).any():
            extra += column.str.count(r"\r\n|\r|\n").fillna(0).to_numpy(dtype="int64")
    if extra.any():
        lines[1:] += np.cumsum(extra)[:-1]
    return lines


def _split_malformed(raw: pd.DataFrame, *, width: int, sep: str) -> tuple[pd.DataFrame, int, tuple[str, ...]]:
    """Remove rows with fields beyond the table's width; count them and keep examples."""
    extra = raw.iloc[:, width:]
    bad = extra.notna().any(axis=1) if extra.shape[1] else pd.Series(False, index=raw.index)
    count = int(bad.sum())
    if not count:
        return raw.iloc[:, :width], 0, ()
    examples = []
    for line, row in raw.loc[bad].head(5).iterrows():
        cells = ["" if pd.isna(v) else str(v) for v in row]
        marked = [c for c in cells if c.startswith(_MALFORMED_MARK)]
        text = marked[0][len(_MALFORMED_MARK) :] if marked else sep.join(cells).rstrip(sep)
        examples.append(f"{line}: “{text[:200]}”")
    return raw.loc[~bad].iloc[:, :width], count, tuple(examples)


def _blank_to_nan(series: pd.Series) -> pd.Series:
    """Whitespace-only cells are missing values, like empty ones."""
    blank = series.str.strip().eq("")
    return series.mask(blank) if blank.any() else series

