"""Hostile and broken files (issue 9): each ends in a clear message or a correct read, and the
reading never takes the calling process down (it runs in a sandboxed worker)."""
from __future__ import annotations

import datetime as dt
import decimal
import gzip
import io
import os
import random
import time
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metriqr.errors import InputFileError, MetriqrError
from metriqr.pipeline import clean_raw
from metriqr.reading import Limits, RawTable, ipc, list_sheets, read_table, sandbox, zygote
from metriqr.reading.parse import parse_table
from metriqr.texts import Count, Megabytes, Term

SALES_CSV = b"Cliente;Data;Valor\n" + b"".join(b"C%03d;0%d/01/2025;1%d,50\n" % (i, 1 + i % 9, i) for i in range(30))


def refused(key: str, source: object, **kwargs: object) -> InputFileError:
    """The read fails with `key`, a message naming the file in both languages, and the process
    can read a normal file right after."""
    with pytest.raises(InputFileError) as info:
        read_table(source, **kwargs)
    error = info.value
    assert error.key == key, (error.key, error.params)
    name = kwargs.get("name") or os.path.basename(str(source))
    for lang in ("pt", "en"):
        assert name in error.message(lang) and "{" not in error.message(lang)
    assert_still_reads()
    return error


def assert_still_reads() -> None:
    assert read_table(SALES_CSV, name="normal.csv").frame.shape == (30, 3)


# --- hand-made workbooks -------------------------------------------------------------------

_CT = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
       b'+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
       b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
       b'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       b'spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
       b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
       b'<sheet name="Vendas" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def workbook(sheet_xml: bytes, extra: dict[str, tuple[bytes, int]] | None = None) -> bytes:
    """A minimal .xlsx around one sheet's XML; `extra` parts as (content, zip method)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                              ("xl/_rels/workbook.xml.rels", _WB_RELS), ("xl/worksheets/sheet1.xml", sheet_xml)):
            archive.writestr(name, content)
        for name, (content, method) in (extra or {}).items():
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=method)
    return out.getvalue()


def cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def number(ref: str, value: float) -> bytes:
    return f'<c r="{ref}"><v>{value}</v></c>'.encode()


def sales_rows(last: int = 3) -> bytes:
    rows = [b'<row r="1">' + cell("A1", "Cliente") + cell("B1", "Data") + cell("C1", "Valor") + b"</row>"]
    for r in range(2, last + 1):
        rows.append(f'<row r="{r}">'.encode() + cell(f"A{r}", f"C{r}") + cell(f"B{r}", "05/01/2025")
                    + number(f"C{r}", 10.5 * r) + b"</row>")
    return b"".join(rows)


def test_a_plain_hand_made_workbook_reads() -> None:
    data = workbook(_NS + b'<dimension ref="A1:C3"/><sheetData>' + sales_rows() + b"</sheetData></worksheet>")
    table = read_table(data, name="ok.xlsx")
    assert list(table.frame.columns) == ["Cliente", "Data", "Valor"] and table.frame["Valor"].tolist() == [21, 31.5]


def test_declared_whole_sheet_with_one_cell_in_the_last_corner_is_refused_in_a_blink() -> None:
    """1.5 KB asking the workbook reader for the full 16,384 x 1,048,576 grid (512 GiB): this
    took the server down (issue 9, item 1)."""
    data = workbook(_NS + b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">'
                    + cell("XFD1048576", "x") + b"</row></sheetData></worksheet>")
    assert len(data) < 2000
    start = time.monotonic()
    error = refused("too_many_columns", data, name="canto.xlsx")
    assert time.monotonic() - start < 30
    assert "16.384" in error.message("pt") and "16,384" in error.message("en")
    with pytest.raises(InputFileError) as info:
        list_sheets(data, name="canto.xlsx")  # the sheet picker opens it too
    assert info.value.key == "too_many_columns"


def test_a_lying_dimension_does_not_hide_a_far_away_cell() -> None:
    """The last cell at CV1000000 (column 100, row 1,000,000) makes a 100-million-cell grid."""
    data = workbook(_NS + b'<dimension ref="A1:C3"/><sheetData>' + sales_rows()
                    + b'<row r="1000000">' + cell("CV1000000", "x") + b"</row></sheetData></worksheet>")
    error = refused("sheet_grid_too_large", data, name="longe.xlsx")
    assert "1.000.000" in error.message("pt") and "100" in error.message("pt")


def test_a_big_sheet_is_not_scanned_but_its_grid_is_checked_before_cells_become_objects() -> None:
    """Sheets above `grid_scan` bytes skip the scan (it would cost seconds on real data); the grid
    the reader built is checked before any row is turned into Python objects."""
    data = workbook(_NS + b'<dimension ref="A1:C3"/><sheetData>' + sales_rows()
                    + b'<row r="50">' + cell("CV50", "x") + b"</row></sheetData></worksheet>")
    assert read_table(data, name="perto.xlsx").frame.shape[1] == 4  # 100 x 50: fine by default
    error = refused("sheet_grid_too_large", data, name="perto.xlsx", limits=Limits(max_cells=1000, grid_scan=0))
    assert "5.000" in error.message("pt")


def test_far_away_columns_are_caught_without_a_dimension() -> None:
    data = workbook(_NS + b"<sheetData>" + sales_rows() + b'<row r="4">' + cell("ZZZ4", "x")
                    + b"</row></sheetData></worksheet>")
    refused("too_many_columns", data, name="larga.xlsx")


def test_native_abort_in_the_workbook_reader_is_a_message_not_a_dead_process() -> None:
    """With the grid guards switched off, the reader itself dies on the corner cell: the worker
    ends, the caller gets a message and goes on."""
    data = workbook(_NS + b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">'
                    + cell("XFD1048576", "x") + b"</row></sheetData></worksheet>")
    unguarded = Limits(max_columns=10**6, max_cells=10**15)
    error = refused("read_crashed", data, name="canto.xlsx", limits=unguarded)
    assert "memória" in error.message("pt")


def test_a_stored_random_part_does_not_hide_a_bomb_beside_it() -> None:
    """A sheet inflating 17 MB from ~20 KB next to a stored 2 MB random picture: the archive's
    ratio (~9x) looks normal; the sheet's own ratio does not."""
    rows = b'<row r="1">' + cell("A1", "Cliente") + cell("B1", "Valor") + b"</row>"
    filler = b"<!-- " + b"a" * (17 * 1024**2) + b" -->"
    sheet = _NS + b"<sheetData>" + rows + filler + b"</sheetData></worksheet>"
    picture = random.Random(9).randbytes(2 * 1024**2)
    data = workbook(sheet, {"xl/media/image1.png": (picture, zipfile.ZIP_STORED)})
    archive = zipfile.ZipFile(io.BytesIO(data))
    whole = sum(i.file_size for i in archive.infolist()) / sum(i.compress_size for i in archive.infolist())
    assert whole < 100  # the old, archive-wide check passed it
    error = refused("xlsx_bomb", data, name="recheada.xlsx")
    assert error.params["ratio"] > 100


def test_gzip_of_concatenated_members_stops_at_the_limit_and_says_the_limit() -> None:
    """Members inflating past the limit: refused while streaming, with the limit in the message
    (not the last member's trailer, which said "1.024 MB")."""
    member = gzip.compress(b"cliente;valor\n" + b"a;1\n" * 250_000)  # 1 MB each
    data = member * 40  # 40 MB inflated, ~40 KB sent
    error = refused("inflated_too_large", data, name="membros.csv.gz", limits=Limits(max_inflated=8 * 1024**2))
    assert "8 MB" in error.message("pt") and "1.024" not in error.message("pt")


def test_the_workers_typed_values_reach_the_message_in_each_language() -> None:
    """Reading gives keys and typed values, never pre-written sentences (issue 13): a detail, a
    count and a size cross the worker's pipe and are written in the reader's language."""
    nested = refused("not_a_spreadsheet", gzip.compress(gzip.compress(SALES_CSV)), name="dupla.csv.gz")
    assert "gzip dentro de gzip" in nested.message("pt") and "gzip inside gzip" in nested.message("en")
    error = MetriqrError("sheet_grid_too_large", name="a.xlsx", rows=Count(1_048_576), columns=Count(28),
                         cells=Count(29_360_128), limit=Count(30_000_000))
    crossed = InputFileError("xlsx_hostile", name="a.xlsx", detail=Term("detail.xml_prolog", part="xl/x.xml"),
                             limit_mb=Megabytes(0.5))
    for sent in (error, crossed):
        with pytest.raises(MetriqrError) as info:
            sandbox.raise_error(sandbox.error_payload(sent))
        assert info.value.message("pt") == sent.message("pt") and info.value.message("en") == sent.message("en")
    assert "1.048.576 linhas" in error.message("pt") and "1,048,576 rows" in error.message("en")
    assert "prólogo XML anormal em xl/x.xml" in crossed.message("pt")
    assert Megabytes(0.5).render("pt") == "0,5" and Megabytes(200).render("en") == "200"


def test_twenty_thousand_columns_are_refused_quickly() -> None:
    header = ";".join(f"Coluna{i}" for i in range(20_000))
    rows = "\n".join(";".join(str(i * j % 97) for i in range(20_000)) for j in range(50))
    data = (header + "\n" + rows + "\n").encode()
    start = time.monotonic()
    error = refused("too_many_columns", data, name="larga.csv")
    assert time.monotonic() - start < 30  # 62-92 s of CPU before
    assert "20.000" in error.message("pt") and "1.000" in error.message("pt")


def test_the_first_visible_sheet_is_read_not_a_hidden_one() -> None:
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Antiga"
    for row in (["Cliente", "Data", "Valor"], ["OCULTO", "01/01/2020", 1.0]):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    visible = book.create_sheet("Vendas")
    for row in (["Cliente", "Data", "Valor"], ["C1", "05/01/2025", 10.0], ["C2", "06/01/2025", 12.0]):
        visible.append(row)
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), name="abas.xlsx")
    assert table.sheet == "Vendas" and table.frame["Cliente"].tolist() == ["C1", "C2"]
    assert table.sheets == ("Antiga", "Vendas")  # still offered in the picker
    assert read_table(out.getvalue(), name="abas.xlsx", sheet="Antiga").frame["Cliente"].tolist() == ["OCULTO"]


def test_nul_bytes_after_64_kib_make_no_phantom_customer() -> None:
    """Lines holding NUL bytes past the first 64 KiB were read as customer '\\x00C00018'."""
    lines = [b"Cliente;Data;Valor"] + [b"C%05d;05/01/2025;10,00" % i for i in range(5000)]
    lines[4000] = b"\x00C00018;05/01/2025;10,00"
    lines[4500] = b"C04500;05/01/\x00\x002025;10,00"
    data = b"\n".join(lines) + b"\n"
    assert data.index(b"\x00") > 65536
    table = read_table(data, name="nulos.csv")
    ids = table.frame["Cliente"]
    assert not ids.str.contains("\x00").any() and len(table.frame) == 4998
    assert table.malformed_rows == 2
    assert table.malformed_examples[0].startswith("4001: ") and "␀C00018" in table.malformed_examples[0]
    cleaned = clean_raw(table).cleaned.report
    assert cleaned.rows_read == cleaned.rows_used + cleaned.rows_excluded == 5000
    assert cleaned.excluded.get("malformed") == 2


def test_utf32_text_is_read() -> None:
    text = "Cliente;Data;Valor\nJoão;05/01/2025;10,50\nAçaí Ltda;06/01/2025;3,00\n"
    for encoding in ("utf-32", "utf-32-be"):
        data = text.encode(encoding) if encoding == "utf-32" else b"\x00\x00\xfe\xff" + text.encode(encoding)
        table = read_table(data, name="u32.csv")
        assert table.encoding == "utf-32" and table.frame["Cliente"].tolist() == ["João", "Açaí Ltda"]


def test_nested_parquet_columns_are_named() -> None:
    frame = pa.table({"cliente": ["a", "b"], "itens": [[1, 2], [3]], "endereco": [{"uf": "SP"}, {"uf": "RJ"}],
                      "valor": [1.0, 2.0]})
    buf = io.BytesIO()
    pq.write_table(frame, buf)
    error = refused("parquet_nested", buf.getvalue(), name="aninhado.parquet")
    assert "“itens”" in error.message("pt") and "“endereco”" in error.message("en")


def test_a_corrupt_xlsx_says_it_is_not_a_valid_workbook() -> None:
    """Issue 12: text that is no table, sent as .xlsx, said 'no header row'."""
    refused("xlsx_corrupt", b"isto nao e uma planilha\n" * 20, name="relatorio.xlsx")
    assert read_table(SALES_CSV, name="erp.xls").file_format == "csv"  # an ERP's text ".xls" still reads


def test_cpu_wall_and_output_limits_end_the_worker_with_a_message() -> None:
    big = b"Cliente;Data;Valor\n" + b"".join(b"C%07d;05/01/2025;%d,50\n" % (i, i % 997) for i in range(1_500_000))
    refused("read_timeout", big, name="lento.csv", limits=Limits(wall_seconds=0.3))
    # the smallest CPU limit is one second, which the reader now reads 1.5M lines within: three times as many
    refused("read_timeout", big + big[big.index(b"\n") + 1:] * 2, name="lento.csv", limits=Limits(cpu_seconds=1))
    refused("read_output_too_large", SALES_CSV, name="saida.csv", limits=Limits(max_output=200))
    with pytest.raises(InputFileError) as info:  # a MemoryError, or a native allocation abort
        read_table(big, name="memoria.csv", limits=Limits(memory=600 * 1024**2))
    assert info.value.key in ("read_memory", "read_crashed") and "600 MB" in info.value.message("pt")
    assert_still_reads()


def test_reads_queue_and_a_long_queue_is_a_message() -> None:
    taken = [sandbox._SLOTS.acquire(timeout=60) for _ in range(sandbox.MAX_PARALLEL)]
    try:
        assert all(taken)
        with pytest.raises(InputFileError) as info:
            read_table(SALES_CSV, name="fila.csv", limits=Limits(wall_seconds=0.2))
        assert info.value.key == "read_busy"
    finally:
        for _ in taken:
            sandbox._SLOTS.release()
    assert_still_reads()


def test_a_killed_zygote_is_restarted() -> None:
    assert_still_reads()
    zygote.ZYGOTE._proc.kill()
    zygote.ZYGOTE._proc.wait()
    assert_still_reads()


def test_mixed_workbook_cells_come_back_as_the_same_python_objects() -> None:
    values = [17850, "C536379", 2.5, float("nan"), None, True, dt.datetime(2025, 1, 5, 10, 30), dt.date(2025, 1, 6),
              dt.time(8, 15), dt.timedelta(hours=3), decimal.Decimal("1.10"), 2**70, b"\x01", pd.Timestamp("2025-01-07")]
    frame = pd.DataFrame({"Misto": pd.Series(values, dtype=object), "Texto": pd.Series(list("abcdefghijklmn"), dtype="str"),
                          "Inteiro": np.arange(14)})
    frame.index = frame.index + 2  # line numbers
    raw = RawTable(frame=frame, name="m.xlsx", sheet="A", sheets=("A", "B"), header_row=0, blank_rows=1,
                   malformed_rows=0, file_format="xlsx")
    back = ipc.decode(ipc.encode(raw))
    assert back.frame.index.tolist() == frame.index.tolist() and list(back.frame.dtypes) == list(frame.dtypes)
    got = back.frame["Misto"].tolist()
    assert [type(v) for v in got] == [type(v) for v in values]
    assert got[:3] == values[:3] and np.isnan(got[3]) and got[4:] == values[4:]
    assert (back.sheets, back.blank_rows, back.file_format) == (("A", "B"), 1, "xlsx")


# --- fuzzing: a result that adds up, or a typed error ----------------------------------------

_CELLS = st.one_of(
    st.text(max_size=12), st.sampled_from(["", " ", "-", "R$ 1.103,48", "1,234.56", "2.500", "inf", "1e308", "NaN",
                                          "31/12/2999", "15/06/1600", "2025-01-05", "05/01/2025 08:26", "=1+1",
                                          "Total", '"', ";", "\x00", "\x1b", "C17850"]),
    st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True, allow_infinity=True).map(str))


def _check(source: bytes, name: str) -> None:
    try:
        table = read_table(source, name=name)
        report = clean_raw(table).cleaned.report
    except MetriqrError:
        return
    assert report.rows_read == report.rows_used + report.rows_excluded


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from(["Cliente", "Data", "Valor", "Produto", "Qtd", "Pedido", "", "x"]),
                       min_size=1, max_size=6),
       rows=st.lists(st.lists(_CELLS, max_size=7), max_size=25), sep=st.sampled_from([";", ",", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "cp1252", "utf-16", "utf-32"]))
def test_fuzz_csv(header, rows, sep, encoding) -> None:
    text = "\n".join(sep.join(r) for r in [header] + rows)
    _check(text.encode(encoding, errors="replace"), "fuzz.csv")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(st.one_of(_CELLS, st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**15, 10**15),
                                        st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)), st.none()),
                              max_size=6), max_size=20))
def test_fuzz_xlsx(rows) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Cliente", "Data", "Valor"])
    for row in rows:
        sheet.append([v if not isinstance(v, str) else "".join(ch for ch in v if ch >= " ") for v in row])
    out = io.BytesIO()
    book.save(out)
    _check(out.getvalue(), "fuzz.xlsx")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(0, 30), data=st.data())
def test_fuzz_parquet(n, data) -> None:
    columns = {
        "Cliente": data.draw(st.lists(st.one_of(st.text(max_size=8), st.none()), min_size=n, max_size=n)),
        "Data": data.draw(st.lists(st.one_of(st.datetimes(dt.datetime(1700, 1, 1), dt.datetime(2200, 1, 1)), st.none()),
                                   min_size=n, max_size=n)),
        "Valor": data.draw(st.lists(st.floats(), min_size=n, max_size=n)),
    }
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    _check(buf.getvalue(), "fuzz.parquet")


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["x.csv", "x.xlsx", "x.parquet", "x.csv.gz", "x"]))
def test_fuzz_arbitrary_bytes(blob, name) -> None:
    _check(blob, name)


def test_in_process_parse_matches_the_sandboxed_read() -> None:
    """The sandbox changes nothing in what is read (the in-process function is the child's)."""
    for data, name in ((SALES_CSV, "a.csv"),
                       (workbook(_NS + b"<sheetData>" + sales_rows(6) + b"</sheetData></worksheet>"), "b.xlsx")):
        here = parse_table(data, shown=name, sheet=None, limits=Limits())
        there = read_table(data, name=name)
        assert here.frame.equals(there.frame) and list(here.frame.dtypes) == list(there.frame.dtypes)
        assert (here.header_row, here.sheet, here.encoding) == (there.header_row, there.sheet, there.encoding)


def test_every_error_the_reader_raises_has_a_message_with_matching_placeholders():
    """The reading package is outside tests/test_texts.py's scan (one folder deeper): checked here."""
    import ast
    import string
    from pathlib import Path

    from metriqr.texts import CATALOGUE

    found = []
    for path in sorted((Path(__file__).resolve().parents[1] / "metriqr" / "reading").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "InputFileError" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                found.append((path.name, node.args[0].value, {k.arg for k in node.keywords}))
    assert len(found) > 20
    for module, key, params in found:
        entry = CATALOGUE.get(f"error.{key}")
        assert entry is not None, (module, key)
        for lang in ("pt", "en"):
            assert {n for _, n, _, _ in string.Formatter().parse(entry[lang]) if n} == params, (module, key, lang)


def hostile_corpus() -> dict[str, tuple[bytes, int]]:
    """File name → (bytes, 1 when refused with a message / 0 when read): the shapes of issue 9,
    for the command line here and for a browser upload (tests/test_browser_security.py)."""
    hidden = openpyxl.Workbook()
    hidden.active.title = "Antiga"
    hidden.active.append(["x", "y"])
    hidden.active.sheet_state = "hidden"
    sheet = hidden.create_sheet("Vendas")
    for i, row in enumerate([["Cliente", "Data", "Valor"]] + [[f"C{i % 7}", f"0{1 + i % 9}/0{1 + i % 6}/2025",
                                                                10.0 + i] for i in range(60)]):
        sheet.append(row)
    hidden_bytes = io.BytesIO()
    hidden.save(hidden_bytes)
    nested = io.BytesIO()
    pq.write_table(pa.table({"cliente": ["a"], "itens": [[1, 2]]}), nested)
    nul = SALES_CSV + b"".join(b"C%03d;05/02/2025;1,00\n" % i for i in range(5000)) + b"\x00C999;05/02/2025;1,00\n"
    corpus = {
        "canto.xlsx": (workbook(_NS + b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">'
                                + cell("XFD1048576", "x") + b"</row></sheetData></worksheet>"), 1),
        "longe.xlsx": (workbook(_NS + b"<sheetData>" + sales_rows() + b'<row r="1000000">' + cell("CV1000000", "x")
                                + b"</row></sheetData></worksheet>"), 1),
        "larga.csv": ((";".join(f"C{i}" for i in range(20_000)) + "\n" + ";".join("1" * 20_000) + "\n").encode(), 1),
        "aninhado.parquet": (nested.getvalue(), 1),
        "falso.xlsx": (b"isto nao e uma planilha\n" * 20, 1),
        "oculta.xlsx": (hidden_bytes.getvalue(), 0),
        "nulos.csv": (nul, 0),
        "u32.csv": (SALES_CSV.decode().encode("utf-32"), 0),
    }
    return corpus


def test_the_hostile_corpus_through_the_command_line(tmp_path, capsys):
    """The same files through `metriqr segment`: a report, or exit status 1 with a one-line
    message; never "internal error", never a traceback, never a dead process."""
    from metriqr import cli

    for name, (content, expected) in hostile_corpus().items():
        path = tmp_path / name
        path.write_bytes(content)
        status = cli.main(["segment", str(path), "--lang", "en"])
        out, err = capsys.readouterr()
        assert status == (cli.EXIT_BAD_INPUT if expected else 0), (name, status, err)
        assert "internal error" not in err and "Traceback" not in err, (name, err)
        if expected:
            assert name in err and len(err.strip().splitlines()) == 1, (name, err)
    assert_still_reads()
