"""Limits on untrusted input, checked before any parser sees it.

Size limits (also after gzip), zip bombs (whole archive and each part), XML entity tricks
and absurd sheet grids. Every refusal is an `InputFileError` with a message key.
"""
from __future__ import annotations

import gzip
import io
import math
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from metriqr.errors import InputFileError
from metriqr.texts import Count, Megabytes, Term

DEFAULT_MAX_BYTES = 200 * 1024**2

# Workbook (zip) guards. Normal workbooks compress 5-15x; online_retail.xlsx is 7.8x.
ZIP_MAX_RATIO = 100  # for the whole archive and for each part
ZIP_RATIO_FLOOR = 16 * 1024**2  # below this much unpacked data a high ratio is harmless
ZIP_MAX_UNPACKED = int(1.5 * 1024**3)
ZIP_UNPACKED_PER_INPUT_BYTE = 16  # unpacked limit = min(16 x max_bytes, 1.5 GiB)
ZIP_MAX_ENTRIES = 10_000
XML_SCAN_BYTES = 64 * 1024
XML_MAX_PROLOG = 1024**2
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/workbook.bin", "content.xml")

# Table shape. A sales export has tens of columns; the widest real one seen had ~200.
MAX_COLUMNS = 1_000
# A sheet's grid (rows x columns, as the workbook reader allocates it, empty cells
# included). Online Retail is 541,910 x 8 = 4.3 M; Excel's own limit of 1,048,576 rows
# at 28 columns is 29 M.
MAX_GRID_CELLS = 30_000_000
# Sheets up to this size (inflated) are scanned for far references: a few hundred
# thousand cells, well under a second. Hostile sheets are small; big ones hold data.
GRID_SCAN_MAX = 32 * 1024**2
# Text inflated from gzip: at most this much (it is parsed in memory, several times over).
MAX_INFLATED = 2 * 1024**3


def _default_memory() -> int:
    """Address space of the reading process: half the machine, at most 8 GiB, at least 2 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 * 1024**3
    return max(2 * 1024**3, min(8 * 1024**3, total // 2))


@dataclass(frozen=True)
class Limits:
    """Every bound on reading one untrusted file; tests pass small ones.

    `max_bytes` is the file as sent; the rest bound what parsing it may cost: unpacked
    size (gzip, zip, Parquet), width and sheet grid, and the reading process's memory,
    CPU time, wall time and the size of the table it hands back.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_unpacked: int | None = None  # default: min(16 x max_bytes, 1.5 GiB)
    max_inflated: int | None = None  # gzip; default: min(max_bytes, MAX_INFLATED)
    max_columns: int = MAX_COLUMNS
    max_cells: int = MAX_GRID_CELLS
    grid_scan: int = GRID_SCAN_MAX  # sheets up to this size are scanned for far cells
    memory: int = field(default_factory=_default_memory)
    cpu_seconds: int = 180
    wall_seconds: float = 300.0
    max_output: int | None = None  # default: max(512 MiB, 8 x the file), at most 4 GiB

    @property
    def unpacked(self) -> int:
        return self.max_unpacked or min(ZIP_UNPACKED_PER_INPUT_BYTE * self.max_bytes, ZIP_MAX_UNPACKED)

    @property
    def inflated(self) -> int:
        return self.max_inflated or min(self.max_bytes, MAX_INFLATED)

    def output(self, input_size: int) -> int:
        return self.max_output or min(4 * 1024**3, max(512 * 1024**2, 8 * input_size))


def gunzip(data: bytes, *, shown: str, limit: int) -> bytes:
    """Decompress in chunks, counting inflated bytes across every member, and stop one byte
    past the limit: a gzip bomb (one member or thousands concatenated) never fills memory.

    The size in the trailer is not used: it is only the last member's, modulo 4 GiB.
    """
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while total <= limit:
                chunk = stream.read(min(64 * 1024**2, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise InputFileError("not_a_spreadsheet", name=shown, detail=Term("detail.gzip_corrupt")) from exc
    if total > limit:
        raise InputFileError("inflated_too_large", name=shown, limit_mb=megabytes(limit))
    return b"".join(chunks)


def mb(size: float) -> float | int:
    """Megabytes for a message: whole (rounded up) from 10 MB, else two significant digits."""
    value = size / 1024**2
    return math.ceil(value) if value >= 10 else float(f"{value:.2g}")


def too_large(shown: str, size: int, max_bytes: int) -> InputFileError:
    return InputFileError("file_too_large", name=shown, size_mb=megabytes(size), limit_mb=megabytes(max_bytes))


def megabytes(size: float) -> Megabytes:
    """A size in bytes as the megabytes a message shows (the message writes it per language)."""
    return Megabytes(mb(size))


def short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


def check_zip(data: bytes, *, shown: str, limits: Limits) -> None:
    """Refuse zip bombs, XML entity tricks and absurd sheet grids before any XML parser runs.

    Declared sizes and compression ratios (of the whole archive and of each part: one
    stored random part must not hide a bomb beside it) are checked from the directory;
    the prolog of every XML part is read (bounded) for `<!DOCTYPE`/`<!ENTITY`, which a
    spreadsheet never needs and entity-expansion attacks do; each worksheet's declared
    dimension and far-away cell references are checked against the grid limits.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InputFileError("xlsx_corrupt", name=shown) from exc
    if len(infos) > ZIP_MAX_ENTRIES:
        raise InputFileError("xlsx_hostile", name=shown, detail=Term("detail.zip_parts", parts=Count(len(infos))))
    unpacked = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    ratio = unpacked / packed
    if unpacked > limits.unpacked or (unpacked > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO):
        raise InputFileError("xlsx_bomb", name=shown, size_mb=megabytes(unpacked), ratio=Count(round(ratio)))
    for info in infos:
        part_ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > ZIP_RATIO_FLOOR and part_ratio > ZIP_MAX_RATIO:
            raise InputFileError("xlsx_bomb", name=shown, size_mb=megabytes(info.file_size),
                                  ratio=Count(round(part_ratio)))
    names = {info.filename.lower() for info in infos}
    if not any(part in names for part in _WORKBOOK_PARTS):
        raise InputFileError("xlsx_corrupt", name=shown)
    for info in infos:
        if info.filename.lower().endswith(_XML_SUFFIXES):
            _scan_xml_part(archive, info, shown=shown)
        if _SHEET_PART.match(info.filename):
            _check_grid(archive, info, shown=shown, limits=limits)


_SHEET_PART = re.compile(r"xl/(?:worksheets|dialogsheets|macrosheets)/[^/]+\.xml$", re.IGNORECASE)
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s[^>]*?\bref\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d{1,7})"
                        rb"(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?")
# Cell and row references far from A1: columns of three letters or more (beyond ZZ = 702)
# and rows of seven digits or more. A real table has few of them, so one pass that only
# stops at those stays cheap: the usual `r="..."` spelling is searched with a literal
# prefix (~10x faster); other spellings (`r='...'`, `r = "..."`), legal XML but unusual, use
# the general patterns on the chunks that hold them.
_FAR_REF = re.compile(rb' r="\$?(?:([A-Z]{3,})\$?\d|[A-Z]{0,2}\$?(\d{7,}))')
_FAR_REF_ANY = re.compile(rb"\sr\s*=\s*[\"']\$?(?:([A-Za-z]{3,})\$?\d|[A-Za-z]{0,2}\$?(\d{7,}))")
_ODD_SPELLING = (b"r =", b"r\t", b"r\n", b"r\r")
_TWO_LETTERS = re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]{2})\$?\d")


def column_number(letters: bytes | str) -> int:
    """1-based column of a reference's letters: A = 1, Z = 26, AA = 27, XFD = 16,384."""
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        number = number * 26 + ord(ch) - 64
    return number


def _check_grid(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, shown: str, limits: Limits) -> None:
    """Refuse a worksheet whose grid (rows x columns) the reader would allocate beyond the limits.

    The declared `<dimension ref="A1:XFD1048576">` sizes the reader's buffer, and one
    cell far from the others (`XFD1048576`, `CV1000000`) makes it allocate every empty
    cell in between: a 1.6 KB file asking for 512 GiB. The declared dimension is always
    checked; parts up to `Limits.grid_scan` inflated bytes are streamed once looking for far
    references. A larger part holds real data, and the sheet's actual grid is checked again
    (workbook._sheet_rows) before any cell becomes a Python object; past the worker's
    memory limit the worker ends and the user gets a message (sandbox).
    """
    scan = info.file_size <= limits.grid_scan
    max_col = max_row = 0
    wide: set[bytes] = set()
    tail = b""
    head_checked = False
    try:
        with archive.open(info) as stream:
            while True:
                block = stream.read(4 * 1024**2)
                if not block:
                    break
                chunk = tail + block
                if not head_checked:
                    found = _DIMENSION.search(chunk[:65536])
                    if found or len(chunk) >= 65536 or b"<sheetData" in chunk:
                        head_checked = True
                    if found:
                        first_col, first_row = column_number(found.group(1)), int(found.group(2))
                        last_col = column_number(found.group(3)) if found.group(3) else first_col
                        last_row = int(found.group(4)) if found.group(4) else first_row
                        _refuse_grid(max(first_col, last_col), max(first_row, last_row), shown=shown, limits=limits)
                    if not scan:
                        break
                # `r="` is the usual spelling; when every `=` is followed by `"` there is no other.
                odd = chunk.count(b"=") != chunk.count(b'="') or any(s in chunk for s in _ODD_SPELLING)
                for letters, row in (_FAR_REF_ANY if odd else _FAR_REF).findall(chunk):
                    if letters:
                        wide.add(letters)
                    else:
                        max_row = max(max_row, int(row))
                tail = chunk[-64:]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, NotImplementedError, ValueError) as exc:
        raise InputFileError("xlsx_corrupt", name=shown) from exc
    if wide:
        max_col = max(map(column_number, wide))
    if max_col > limits.max_columns:
        _refuse_grid(max_col, max(max_row, 1), shown=shown, limits=limits)
    if max_row:  # rare: a million rows; worth a second pass for the exact width
        if not max_col:
            max_col = max(map(column_number, _two_letter_columns(archive, info)), default=26)
        _refuse_grid(max_col, max_row, shown=shown, limits=limits)


def _two_letter_columns(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> set[bytes]:
    found: set[bytes] = set()
    tail = b""
    with archive.open(info) as stream:
        while block := stream.read(4 * 1024**2):
            chunk = tail + block
            found.update(_TWO_LETTERS.findall(chunk))
            tail = chunk[-64:]
    return found


def _refuse_grid(columns: int, rows: int, *, shown: str, limits: Limits) -> None:
    if columns > limits.max_columns:
        raise too_wide(shown, columns, limits)
    if columns * rows > limits.max_cells:
        raise InputFileError("sheet_grid_too_large", name=shown, rows=Count(rows), columns=Count(columns),
                             cells=Count(columns * rows), limit=Count(limits.max_cells))


def too_wide(shown: str, columns: int, limits: Limits) -> InputFileError:
    return InputFileError("too_many_columns", name=shown, columns=Count(columns), limit=Count(limits.max_columns))


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
        raise InputFileError("xlsx_hostile", name=shown, detail=Term("detail.xml_forbidden", construct=found.group(1).upper(),
                                                                 part=info.filename))
    if _prolog_end(text) is None and len(head) >= XML_MAX_PROLOG:
        raise InputFileError("xlsx_hostile", name=shown, detail=Term("detail.xml_prolog", part=info.filename))


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

