"""Bytes or a path in, one raw table out: XLSX family, CSV/TXT, Parquet, and gzip of those.

Point-of-sale and ERP exports are messy, so this module finds the header row below report
titles and filter lines, guesses the CSV separator and encoding the way Brazilian tools
write them, and keeps every CSV cell as text: parsing `1.103,48`, `R$ 12,50` and
`dd/mm/aaaa` belongs to the cleaning step, which can report what it could not read.

Untrusted uploads are checked before any parser sees them: size limits (also after
gzip), zip bombs and XML entity tricks in workbooks. Every failure becomes an
`InputFileError` with a message key, never a raw traceback.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import math
import os
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metriqr.errors import InputFileError
from metriqr.texts import LANGS, fmt_num

DEFAULT_MAX_BYTES = 200 * 1024**2

WORKBOOK_EXTS = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
TEXT_EXTS = frozenset({".csv", ".txt", ".tsv"})
PARQUET_EXTS = frozenset({".parquet", ".pq"})
GZIP_EXT = ".gz"

# Header search: the header is looked for among the first rows that hold anything.
HEADER_SCAN_ROWS = 50
# Rows parsed from the top of a text file to choose the separator and find the header.
TEXT_SAMPLE_RECORDS = 120
TEXT_SAMPLE_BYTES = 256 * 1024
SEPARATORS = (";", "\t", "|", ",")  # tie order: Brazilian `;` before `,` (decimal comma)

# Workbook (zip) guards. Normal workbooks compress 5-15x; online_retail.xlsx is 7.8x.
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 16 * 1024**2  # below this much unpacked data a high ratio is harmless
ZIP_MAX_UNPACKED = int(1.5 * 1024**3)
ZIP_UNPACKED_PER_INPUT_BYTE = 16  # unpacked limit = min(16 x max_bytes, 1.5 GiB)
ZIP_MAX_ENTRIES = 10_000
XML_SCAN_BYTES = 64 * 1024
XML_MAX_PROLOG = 1024**2
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/workbook.bin", "content.xml")

_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # legacy .xls (also encrypted xlsx)
    (b"PAR1", "parquet"),
    (b"\x1f\x8b", "gzip"),
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x7fELF", "ELF"),
)


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


# --- public API ----------------------------------------------------------------------


def read_table(
    source: bytes | str | os.PathLike[str],
    *,
    name: str | None = None,
    sheet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RawTable:
    """Read an uploaded file (bytes) or a path into a `RawTable`.

    The format follows the extension of `name` (or of the path), and the content when the
    extension is missing or lying. Raises `InputFileError` for anything unreadable.
    """
    data, shown = _load(source, name=name, max_bytes=max_bytes)
    kind, payload, inner_name = _classify(data, shown=shown, max_bytes=max_bytes)
    try:
        if kind == "workbook":
            return _read_workbook(payload, shown=shown, sheet=sheet, max_bytes=max_bytes)
        if kind == "parquet":
            return _read_parquet(payload, shown=shown, max_bytes=max_bytes)
        return _read_text(payload, shown=shown, ext=_extension(inner_name))
    except InputFileError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # a parser bug or an input it chokes on: never a traceback
        raise _parser_failure(kind, shown, exc) from exc


def list_sheets(
    source: bytes | str | os.PathLike[str],
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[str, ...]:
    """Sheet names of a workbook, in workbook order; () for CSV and Parquet.

    The same safety checks as `read_table` run first, so the sheet picker never opens
    a hostile workbook.
    """
    data, shown = _load(source, name=name, max_bytes=max_bytes)
    kind, payload, _ = _classify(data, shown=shown, max_bytes=max_bytes)
    if kind != "workbook":
        return ()
    try:
        return tuple(_open_workbook(payload, shown=shown, max_bytes=max_bytes).sheet_names)
    except InputFileError:
        raise
    except Exception as exc:
        raise _parser_failure(kind, shown, exc) from exc


# --- loading and format detection -------------------------------------------------------


def _load(source: Any, *, name: str | None, max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and the name to show, refusing oversized input before reading it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        shown = name or "upload"
    else:
        path = Path(os.fspath(source))
        shown = name or path.name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InputFileError("file_not_found", name=str(path)) from exc
        if not path.is_file():
            raise InputFileError("file_not_found", name=str(path))
        if size > max_bytes:
            raise _too_large(shown, size, max_bytes)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputFileError("not_a_spreadsheet", name=shown, detail=exc.strerror or type(exc).__name__) from exc
    if len(data) > max_bytes:
        raise _too_large(shown, len(data), max_bytes)
    if _is_blank(data):
        raise InputFileError("file_empty", name=shown)
    return data, shown


def _classify(data: bytes, *, shown: str, max_bytes: int) -> tuple[str, bytes, str]:
    """("workbook" | "parquet" | "text", bytes to parse, name whose extension applies)."""
    ext = _extension(shown)
    if ext == GZIP_EXT or _signature(data) == "gzip":
        inner_name = shown[: -len(GZIP_EXT)] if ext == GZIP_EXT else shown
        inner_ext = _extension(inner_name)
        if inner_ext and inner_ext not in WORKBOOK_EXTS | TEXT_EXTS | PARQUET_EXTS:
            raise InputFileError("unsupported_format", name=shown, ext=inner_ext + GZIP_EXT)
        if _signature(data) != "gzip":
            raise InputFileError("not_a_spreadsheet", name=shown, detail={"pt": "gzip inválido", "en": "invalid gzip"})
        data = _gunzip(data, shown=shown, max_bytes=max_bytes)
        if _signature(data) == "gzip":  # one level only: nested archives are not exports
            raise InputFileError("not_a_spreadsheet", name=shown, detail={"pt": "gzip dentro de gzip", "en": "gzip inside gzip"})
        if _is_blank(data):
            raise InputFileError("file_empty", name=shown)
        return _classify_plain(data, shown=shown, ext=inner_ext) + (inner_name,)
    if ext and ext not in WORKBOOK_EXTS | TEXT_EXTS | PARQUET_EXTS:
        raise InputFileError("unsupported_format", name=shown, ext=ext)
    return _classify_plain(data, shown=shown, ext=ext) + (shown,)


def _classify_plain(data: bytes, *, shown: str, ext: str) -> tuple[str, bytes]:
    """Trust the content's signature over the extension; text is checked when decoded."""
    signature = _signature(data)
    if signature in ("zip", "ole"):
        return "workbook", data
    if signature == "parquet":
        return "parquet", data
    if signature is not None:  # a known non-spreadsheet format (PDF, PNG, ...)
        raise _wrong_content(ext, shown, signature)
    return "text", data


def _signature(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def _extension(name: str) -> str:
    base = re.split(r"[\\/]", name.strip())[-1]
    return "." + base.rsplit(".", 1)[1].lower() if "." in base.strip(".") else ""


def _is_blank(data: bytes) -> bool:
    """True for 0 bytes or only whitespace; stops at the first other byte, so cheap."""
    return re.fullmatch(rb"(?:\xef\xbb\xbf)?\s*", data) is not None


def _gunzip(data: bytes, *, shown: str, max_bytes: int) -> bytes:
    """Decompress in chunks, stopping one chunk past the limit so a gzip bomb never fills memory."""
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while total <= max_bytes:
                chunk = stream.read(min(64 * 1024**2, max_bytes + 1 - total) or 1)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        out = b"".join(chunks)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise InputFileError("not_a_spreadsheet", name=shown, detail={"pt": "gzip corrompido", "en": "corrupt gzip"}) from exc
    if len(out) > max_bytes:
        declared = int.from_bytes(data[-4:], "little")  # size mod 2**32, a hint only
        raise _too_large(shown, max(declared, len(out)), max_bytes)
    return out


def _mb(size: float) -> float | int:
    """Megabytes for a message: whole (rounded up) from 10 MB, else two significant digits."""
    value = size / 1024**2
    return math.ceil(value) if value >= 10 else float(f"{value:.2g}")


def _too_large(shown: str, size: int, max_bytes: int) -> InputFileError:
    return InputFileError("file_too_large", name=shown, size_mb=_mb_text(size), limit_mb=_mb_text(max_bytes))


def _mb_text(size: float) -> dict[str, str]:
    """Megabytes written the way each language writes numbers (0,5 / 0.5)."""
    value = _mb(size)
    return {lang: fmt_num(value, lang, 0 if float(value).is_integer() else 1) for lang in LANGS}


def _wrong_content(ext: str, shown: str, detail: str) -> InputFileError:
    """The error that matches what the user thinks they sent."""
    if ext in WORKBOOK_EXTS:
        return InputFileError("xlsx_corrupt", name=shown)
    if ext in PARQUET_EXTS:
        return InputFileError("parquet_corrupt", name=shown, detail=detail)
    return InputFileError("not_a_spreadsheet", name=shown, detail=detail)


def _parser_failure(kind: str, shown: str, exc: Exception) -> InputFileError:
    if kind == "workbook":
        return InputFileError("xlsx_corrupt", name=shown)
    if kind == "parquet":
        return InputFileError("parquet_corrupt", name=shown, detail=_short(exc))
    return InputFileError("not_a_spreadsheet", name=shown, detail=_short(exc))


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


# --- header detection (shared by text and workbook rows) --------------------------------

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


def _is_blank_cell(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def _is_label(value: object) -> bool:
    """A cell that reads like a column name: text with letters, not a number or a date."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return any(ch.isalpha() for ch in text) and not _VALUE_WITH_LETTERS.match(text)


def _filled(row: Sequence[object]) -> int:
    return sum(1 for value in row if not _is_blank_cell(value))


def _find_header(rows: Sequence[Sequence[object]]) -> int | None:
    """Index of the header row, or None.

    The header is the first row among the first non-blank ones with at least two cells
    and half the usual row width filled, mostly labels, followed by a data row (one holding a
    number or a date). Fallbacks: the first header-like row followed by any row (all-text
    tables), or a header-like row with nothing below it (an empty table).
    """
    window: list[int] = []
    more = False
    for i, row in enumerate(rows):  # stops early: a sheet may hold a million rows
        if _filled(row):
            if len(window) == 2 * HEADER_SCAN_ROWS:
                more = True
                break
            window.append(i)
    if not window:
        return None
    width = {i: _filled(rows[i]) for i in window}
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
            not _is_label(v) and not _is_blank_cell(v) for v in rows[j]
        ):
            return i
    for i in candidates:  # an all-text table: its first header-like row
        j = next_row(i)
        if j is not None and width[j] >= 2:
            return i
    if candidates and following.get(candidates[0]) is None:
        return candidates[0]  # a header with nothing below it: an empty table
    return None


def _looks_like_header(row: Sequence[object], filled: int, usual: int) -> bool:
    if filled < 2 or 2 * filled < usual:
        return False
    labels = sum(1 for value in row if _is_label(value))
    return labels >= 2 and 2 * labels > filled


def _header_text(value: object) -> str:
    if _is_blank_cell(value):
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


def _finish(columns: list[pd.Series], header: Sequence[object], lines: np.ndarray) -> tuple[pd.DataFrame, int]:
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


# --- text (CSV / TXT / TSV) ----------------------------------------------------------------

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")


def _read_text(data: bytes, *, shown: str, ext: str) -> RawTable:
    """Read delimited text with every cell kept as a string (missing = NaN)."""
    decoded = _decode(data)
    if decoded is None:
        raise _wrong_content(ext, shown, "conteúdo binário, não é texto")
    buf, head, encoding = decoded
    if _looks_like_markup(head):
        raise _wrong_content(ext, shown, "HTML/XML")
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
    # Parse at least as wide as any sampled line: pandas silently truncates a first line
    # that is wider than the names it is given.
    parse_width = max([width] + [len(r) for r in sample])
    offset = len("".join(lines[: ends[header]]).encode("utf-8"))
    body = buf[offset:]
    raw = _parse_body(body, sep=sep, ncols=parse_width, shown=shown, first_line=ends[header] + 1)
    raw.index = _line_numbers(raw, body, first=ends[header] + 1)
    raw, malformed, examples = _split_malformed(raw, width=width, sep=sep)
    columns = [_blank_to_nan(raw[k]) for k in range(width)]
    frame, blank_rows = _finish(columns, header_cells, raw.index.to_numpy())
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


def _table_width(header: Sequence[str], sample: Sequence[Sequence[str]]) -> int:
    """Fields per row: the header's, or the usual data row's when wider (trailing `;`).

    A few odd wider lines do not widen the table: they are reported as malformed.
    """
    counts = Counter(len(r) for r in sample if _filled(r))
    usual = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0] if counts else 0
    return max(len(header), usual)


def _decode(data: bytes) -> tuple[bytes, str, str] | None:
    """(UTF-8 bytes for the parser, decoded head for sniffing, encoding) or None if binary.

    UTF-8 (with or without BOM) first, then UTF-16 with a BOM (Excel "Unicode text"),
    then cp1252, the Windows superset of Latin-1 that Brazilian tools write.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
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
        header = _find_header(records)
        if header is None:
            continue
        width = _table_width(records[header], records[header + 1 :])
        score = sum(1 for r in records[header:] if len(r) == width and _filled(r))
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
                    "not_a_spreadsheet", name=shown, detail={"pt": f'aspas (") sem fechamento a partir da linha {line}',
                            "en": f'unclosed quote (") from line {line}'}
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


# --- workbooks (xlsx, xlsm, xlsb, xls, ods via calamine) ----------------------------------


def _check_zip(data: bytes, *, shown: str, max_bytes: int) -> None:
    """Refuse zip bombs and XML entity tricks before any XML parser runs.

    Declared sizes and the overall compression ratio are checked from the directory; the
    prolog of every XML part is read (bounded) for `<!DOCTYPE`/`<!ENTITY`, which a
    spreadsheet never needs and entity-expansion attacks do.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InputFileError("xlsx_corrupt", name=shown) from exc
    if len(infos) > ZIP_MAX_ENTRIES:
        raise InputFileError("xlsx_hostile", name=shown, detail={"pt": f"{len(infos)} partes no zip", "en": f"{len(infos)} parts in the zip"})
    unpacked = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    ratio = unpacked / packed
    limit = min(ZIP_UNPACKED_PER_INPUT_BYTE * max_bytes, ZIP_MAX_UNPACKED)
    if unpacked > limit or (unpacked > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO):
        raise InputFileError("xlsx_bomb", name=shown, size_mb=_mb(unpacked), ratio=round(ratio))
    names = {info.filename.lower() for info in infos}
    if not any(part in names for part in _WORKBOOK_PARTS):
        raise InputFileError("xlsx_corrupt", name=shown)
    for info in infos:
        if info.filename.lower().endswith(_XML_SUFFIXES):
            _scan_xml_part(archive, info, shown=shown)


_FORBIDDEN_XML = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _scan_xml_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, shown: str) -> None:
    """Read an XML part's start until its root element and refuse DTDs and entities."""
    try:
        with archive.open(info) as stream:
            head = stream.read(XML_SCAN_BYTES)
            text = _xml_text(head)
            while _prolog_end(text) is None and len(head) < XML_MAX_PROLOG:
                more = stream.read(XML_SCAN_BYTES)
                if not more:
                    break
                head += more
                text = _xml_text(head)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, NotImplementedError, ValueError) as exc:
        raise InputFileError("xlsx_corrupt", name=shown) from exc
    found = _FORBIDDEN_XML.search(text)
    if found:
        raise InputFileError("xlsx_hostile", name=shown, detail={"pt": f"<!{found.group(1).upper()}> em {info.filename}",
                                                           "en": f"<!{found.group(1).upper()}> in {info.filename}"})
    if _prolog_end(text) is None and len(head) >= XML_MAX_PROLOG:
        raise InputFileError("xlsx_hostile", name=shown, detail={"pt": f"prólogo XML anormal em {info.filename}",
                                                           "en": f"abnormal XML prolog in {info.filename}"})


def _xml_text(head: bytes) -> str:
    """Decode an XML part's start well enough to find markup (ASCII-compatible or UTF-16)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="replace")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="replace")
    return head.decode("latin-1")


def _prolog_end(text: str) -> int | None:
    """Where the root element starts, skipping declarations and comments; None if not yet."""
    i = 0
    while True:
        while i < len(text) and text[i] in "\ufeff \t\r\n":
            i += 1
        if i >= len(text):
            return None
        if text.startswith("<?", i):
            end = text.find("?>", i + 2)
            if end < 0:
                return None
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return None
            i = end + 3
        else:
            return i  # the root element, or something the parser will reject


def _open_workbook(data: bytes, *, shown: str, max_bytes: int) -> Any:
    from python_calamine import CalamineWorkbook

    if _signature(data) == "zip":
        _check_zip(data, shown=shown, max_bytes=max_bytes)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own errors, and others on odd input
        raise InputFileError("xlsx_corrupt", name=shown) from exc


def _read_workbook(data: bytes, *, shown: str, sheet: str | None, max_bytes: int) -> RawTable:
    """Read one sheet: the one asked for, or the first that holds a table."""
    workbook = _open_workbook(data, shown=shown, max_bytes=max_bytes)
    sheets = tuple(workbook.sheet_names)
    listing = ", ".join(sheets)
    if sheet is not None:
        chosen = _match_sheet(sheet, sheets)
        if chosen is None:
            raise InputFileError("sheet_not_found", name=shown, sheet=sheet, sheets=listing)
        rows = _sheet_rows(workbook, chosen, shown=shown)
        if not any(_filled(row) for row in rows):
            raise InputFileError("sheet_empty", name=shown, sheet=chosen, sheets=listing)
        header = _find_header(rows)
        if header is None:
            raise InputFileError("no_header", name=shown)
        return _table_from_rows(rows, header, shown=shown, sheet=chosen, sheets=sheets)
    first_with_data = None
    for candidate in _default_order(workbook):
        rows = _sheet_rows(workbook, candidate, shown=shown)
        if not any(_filled(row) for row in rows):
            continue
        header = _find_header(rows)
        if header is not None:
            return _table_from_rows(rows, header, shown=shown, sheet=candidate, sheets=sheets)
        first_with_data = first_with_data or candidate
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
    """Visible worksheets first (a hidden lookup sheet is rarely the sales table)."""
    try:
        meta = workbook.sheets_metadata
        visible = [m.name for m in meta if m.visible.name == "Visible" and m.typ.name == "WorkSheet"]
        rest = [m.name for m in meta if m.name not in visible]
        return visible + rest
    except Exception:
        return list(workbook.sheet_names)


def _sheet_rows(workbook: Any, sheet: str, *, shown: str) -> list[list[object]]:
    """All rows from the sheet's first row, so row indexes are the sheet's own."""
    try:
        return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
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
    frame, blank_rows = _finish(columns, header_cells, lines)
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


# --- parquet -------------------------------------------------------------------------


def _read_parquet(data: bytes, *, shown: str, max_bytes: int) -> RawTable:
    """Read Parquet with its own types; its unpacked size is bounded like a workbook's."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        meta = parquet.metadata
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as exc:
        raise InputFileError("parquet_corrupt", name=shown, detail=_short(exc)) from exc
    if unpacked > min(ZIP_UNPACKED_PER_INPUT_BYTE * max_bytes, ZIP_MAX_UNPACKED):
        raise _too_large(shown, unpacked, min(ZIP_UNPACKED_PER_INPUT_BYTE * max_bytes, ZIP_MAX_UNPACKED))
    try:
        frame = parquet.read().to_pandas()
    except Exception as exc:
        raise InputFileError("parquet_corrupt", name=shown, detail=_short(exc)) from exc
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()  # a saved index is data (often the customer id)
    header = [str(c) for c in frame.columns]
    columns = [frame.iloc[:, k].reset_index(drop=True) for k in range(frame.shape[1])]
    if not columns:
        raise InputFileError("file_empty", name=shown)
    out, blank_rows = _finish(columns, header, np.arange(len(frame)) + 1)
    return RawTable(
        frame=out,
        name=shown,
        sheet=None,
        sheets=(),
        header_row=0,
        blank_rows=blank_rows,
        file_format="parquet",
    )
