"""What the bytes are: size checks, gzip, the format from the extension and the content."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from metriqr.errors import InputFileError
from metriqr.reading.guards import Limits, gunzip, short, too_large
from metriqr.texts import Term

WORKBOOK_EXTS = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
TEXT_EXTS = frozenset({".csv", ".txt", ".tsv"})
PARQUET_EXTS = frozenset({".parquet", ".pq"})
GZIP_EXT = ".gz"

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


def load(source: Any, *, name: str | None, max_bytes: int) -> tuple[bytes, str]:
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
            raise too_large(shown, size, max_bytes)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputFileError("not_a_spreadsheet", name=shown, detail=exc.strerror or type(exc).__name__) from exc
    if len(data) > max_bytes:
        raise too_large(shown, len(data), max_bytes)
    if is_blank(data):
        raise InputFileError("file_empty", name=shown)
    return data, shown


def classify(data: bytes, *, shown: str, limits: Limits) -> tuple[str, bytes, str]:
    """("workbook" | "parquet" | "text", bytes to parse, name whose extension applies)."""
    ext = extension(shown)
    if ext == GZIP_EXT or signature(data) == "gzip":
        inner_name = shown[: -len(GZIP_EXT)] if ext == GZIP_EXT else shown
        inner_ext = extension(inner_name)
        if inner_ext and inner_ext not in WORKBOOK_EXTS | TEXT_EXTS | PARQUET_EXTS:
            raise InputFileError("unsupported_format", name=shown, ext=inner_ext + GZIP_EXT)
        if signature(data) != "gzip":
            raise InputFileError("not_a_spreadsheet", name=shown, detail=Term("detail.gzip_invalid"))
        data = gunzip(data, shown=shown, limit=limits.inflated)
        if signature(data) == "gzip":  # one level only: nested archives are not exports
            raise InputFileError("not_a_spreadsheet", name=shown, detail=Term("detail.gzip_nested"))
        if is_blank(data):
            raise InputFileError("file_empty", name=shown)
        return _classify_plain(data, shown=shown, ext=inner_ext) + (inner_name,)
    if ext and ext not in WORKBOOK_EXTS | TEXT_EXTS | PARQUET_EXTS:
        raise InputFileError("unsupported_format", name=shown, ext=ext)
    return _classify_plain(data, shown=shown, ext=ext) + (shown,)


def _classify_plain(data: bytes, *, shown: str, ext: str) -> tuple[str, bytes]:
    """Trust the content's signature over the extension; text is checked when decoded."""
    found = signature(data)
    if found in ("zip", "ole"):
        return "workbook", data
    if found == "parquet":
        return "parquet", data
    if found is not None:  # a known non-spreadsheet format (PDF, PNG, ...)
        raise wrong_content(ext, shown, found)
    return "text", data


def signature(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def extension(name: str) -> str:
    base = re.split(r"[\\/]", name.strip())[-1]
    return "." + base.rsplit(".", 1)[1].lower() if "." in base.strip(".") else ""


def is_blank(data: bytes) -> bool:
    """True for 0 bytes or only whitespace; stops at the first other byte, so cheap."""
    return re.fullmatch(rb"(?:\xef\xbb\xbf)?\s*", data) is not None


def wrong_content(ext: str, shown: str, detail: str | Term) -> InputFileError:
    """The error that matches what the user thinks they sent."""
    if ext in WORKBOOK_EXTS:
        return InputFileError("xlsx_corrupt", name=shown)
    if ext in PARQUET_EXTS:
        return InputFileError("parquet_corrupt", name=shown, detail=detail)
    return InputFileError("not_a_spreadsheet", name=shown, detail=detail)


def parser_failure(kind: str, shown: str, exc: Exception) -> InputFileError:
    if kind == "workbook":
        return InputFileError("xlsx_corrupt", name=shown)
    if kind == "parquet":
        return InputFileError("parquet_corrupt", name=shown, detail=short(exc))
    return InputFileError("not_a_spreadsheet", name=shown, detail=short(exc))
