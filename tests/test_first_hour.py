"""A new user's first hour (issue 12) and downloads under load (issue 9, item 5): what they read."""
from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from metriqr.charts import also_bought_bars, monthly_bars
from metriqr.columns import detect_columns
from metriqr.currency import detect_currency
from metriqr.export import to_xlsx_bytes
from metriqr.migration import migrate, snapshot_dates
from metriqr.pipeline import load_dataset
from metriqr.recommend import build_purchases, buy_again
from metriqr.report import (customers_export, display_preview, localise_customers, migration_readings, product_labels,
                            summary_table, workbook_sheets, xlsx_formats)
from metriqr.segmentation import segment_customers
from metriqr.texts import fmt_money, fmt_short

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SAMPLE = ROOT / "sample_data" / "loja_exemplo.csv"
DATA = Path("/work/shared/data") if Path("/work/shared/data").exists() else ROOT.parent / "shared" / "data"
GROCERIES = DATA / "groceries.csv"
ONLINE_RETAIL = DATA / "online_retail.csv.gz"

# Groceries-like: member, date, item — no money column at all.
ITEMS_CSV = ("Member_number,Date,itemDescription\n" + "\n".join(
    f"{1000 + i % 7},{1 + i % 27:02d}-{1 + i % 12:02d}-2015,{['whole milk', 'rolls/buns', 'soda'][i % 3]}"
    for i in range(120))).encode()

POUNDS_CSV = """Customer,Date,Amount
A,05/01/2025,£ 10.50
A,10/02/2025,£ 20.00
B,12/03/2025,£ 1200.00
C,20/06/2025,£ 5.00
""".encode()

CONTACTS_CSV = """Cliente;Nome;E-mail;WhatsApp;Data;Valor
C1;Ana Souza;ana@exemplo.com;+55 11 91234-5678;05/01/2025;100,00
C1;Ana Souza;ana@exemplo.com;+55 11 91234-5678;05/03/2025;80,00
C2;Bruno Lima;bruno@exemplo.com;+55 21 99876-5432;06/02/2025;45,00
C3;Carla Dias;carla@exemplo.com;+55 31 98888-7777;15/06/2025;300,00
""".encode()


def _app(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_0").set_value((name, data, "text/csv"))
    return at.run()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _listing(at: AppTest) -> pd.DataFrame:
    """The customer list of the first segment that has customers (the drill-down)."""
    for option in at.selectbox(key="seg").options:
        if not option.endswith("(0)"):
            at.selectbox(key="seg").select(option).run()
            break
    return next(df.value for df in at.dataframe if "Cliente" in df.value.columns)


# --- 1. no money column: items, said as items ---------------------------------------------------

def test_a_file_without_money_speaks_of_items_not_revenue():
    at = _ok(_upload(_app(), "itens.csv", ITEMS_CSV))
    at.switch_page("app_pages/segmentacao.py").run()
    _ok(at)
    metrics = _metrics(at)
    assert "Receita líquida" not in metrics
    assert metrics["Itens comprados"] == "120"  # a count: no ",0", no "itens" after it
    table = at.table[0].value
    assert "Itens por cliente" in table.columns and "% dos itens" in table.columns
    assert "Gasto Médio do Segmento" not in table.columns and "% da receita" not in table.columns
    listing = _listing(at)
    assert "Itens comprados" in listing.columns and "Valor líquido" not in listing.columns
    assert not listing["Itens comprados"].str.contains(",0|itens").any()


def test_exports_and_the_command_line_say_items_too():
    ds = load_dataset(io.BytesIO(ITEMS_CSV) if False else ITEMS_CSV, name="itens.csv")
    seg = segment_customers(ds.cleaned.transactions)
    sheets = workbook_sheets(seg, "pt", basis="items")
    summary = sheets["Resumo"]
    assert {"Itens por cliente", "Itens comprados", "% dos itens"} <= set(summary.columns)
    assert "Receita líquida" not in summary.columns
    assert "Itens comprados" in localise_customers(customers_export(seg), "pt", basis="items").columns
    assert "Items per customer" in summary_table(seg, "en", basis="items").columns


@pytest.mark.skipif(not GROCERIES.exists(), reason="real data not present")
def test_groceries_on_the_command_line_counts_items():
    out = subprocess.run([sys.executable, "-m", "metriqr", "segment", str(GROCERIES)], capture_output=True,
                         text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "Itens comprados: 38.765" in out.stdout
    assert "Receita" not in out.stdout and "38.765,0" not in out.stdout and "% dos itens" in out.stdout


# --- 2. no command-line language in the interface -----------------------------------------------

def test_recommendations_without_products_do_not_speak_command_line():
    data = "cliente;data;valor\nA;01/02/2025;10,00\nB;02/03/2025;20,00\n".encode()
    at = _ok(_upload(_app(), "sem_produto.csv", data))
    at.switch_page("app_pages/recomendacoes.py").run()
    warning = at.warning[0].value
    assert "coluna de produto" in warning and "--column" not in warning and "CABEÇALHO" not in warning


# --- 3. Portuguese on the screen ------------------------------------------------------------------

def test_chart_axes_say_mil_and_mi_in_portuguese():
    assert fmt_short(60_000, "pt", "BRL") == "R$ 60 mil"
    assert fmt_short(1_000_000, "pt", "BRL") == "R$ 1 mi"
    assert fmt_short(60_000, "en", "GBP") == "£60k"
    monthly = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"]), "lines": [3, 4],
                            "customers": [2, 3], "revenue": [60_000.0, 1_000_000.0]})
    axis = monthly_bars(monthly, "pt").layout.yaxis
    assert "R$ 1 mi" in axis.ticktext and all("k" not in tick and "M" not in tick for tick in axis.ticktext)
    assert axis.tickformat is None


def test_the_data_preview_writes_dates_and_decimals_the_portuguese_way():
    frame = pd.DataFrame({"InvoiceDate": pd.to_datetime(["2010-12-01 08:26:00"]), "UnitPrice": [2.55],
                          "Quantity": [6.0], "Description": ["WHITE HANGING HEART"]})
    shown = display_preview(frame, "pt").iloc[0]
    assert shown["InvoiceDate"] == "01/12/2010 08:26" and shown["UnitPrice"] == "2,55" and shown["Quantity"] == "6"
    assert shown["Description"] == "WHITE HANGING HEART"


def test_the_uploader_is_given_words_in_the_page_language():
    styles = " ".join(h.proto.body for h in _app().get("html"))
    assert "Arraste e solte a planilha aqui" in styles and "Até 200 MB por arquivo" in styles
    assert "Escolher arquivo" in styles
    styles = " ".join(h.proto.body for h in _app("en").get("html"))
    assert "Browse files" in styles and "Up to 200 MB per file" in styles


# --- 4. currency ----------------------------------------------------------------------------------

def test_currency_is_read_from_symbols_headers_or_country():
    assert detect_currency(pd.DataFrame({"Cliente": ["a"], "Data": ["01/01/2025"], "Valor": ["€ 3,50"]}),
                           {"customer": "Cliente", "date": "Data", "amount": "Valor"}).currency == "EUR"
    found = detect_currency(pd.DataFrame({"Customer": ["a"], "Date": ["2025-01-01"], "Price (GBP)": ["3.5"]}),
                            {"customer": "Customer", "date": "Date", "unit_price": "Price (GBP)"})
    assert (found.currency, found.how) == ("GBP", "header")
    found = detect_currency(pd.DataFrame({"Cliente": ["a"], "Valor (R$)": ["3,50"]}), {"amount": "Valor (R$)"})
    assert found.currency == "BRL"
    assert detect_currency(pd.DataFrame({"Valor": ["3,50"]}), {"amount": "Valor"}) is None
    assert fmt_money(1234.5, "pt", "USD") == "US$ 1.234,50" and fmt_money(1234.5, "en", "GBP") == "£1,234.50"


@pytest.mark.skipif(not ONLINE_RETAIL.exists(), reason="real data not present")
def test_online_retail_is_in_pounds():
    from metriqr.reading import read_table

    raw = read_table(ONLINE_RETAIL)
    found = detect_currency(raw.frame, detect_columns(raw.frame))
    assert found is not None and found.currency == "GBP" and found.how == "country"


def test_a_file_in_pounds_is_shown_in_pounds_and_the_user_can_change_it():
    at = _ok(_upload(_app(), "pounds.csv", POUNDS_CSV))
    captions = " ".join(c.value for c in at.caption)
    assert "Moeda em uso: £ (libra esterlina)" in captions
    at.switch_page("app_pages/segmentacao.py").run()
    _ok(at)
    assert _metrics(at)["Receita líquida"].startswith("£ ")
    assert at.table[0].value["Gasto Médio do Segmento"].str.startswith("£ ").any()
    assert "Moeda: £ (libra esterlina)" in " ".join(c.value for c in at.sidebar.caption)
    at.switch_page("app_pages/dados.py").run()
    key = next(s.key for s in at.selectbox if s.key and s.key.startswith("currency_"))
    at.selectbox(key=key).set_value("USD").run()
    assert "escolhida por você" in " ".join(c.value for c in at.caption)
    at.switch_page("app_pages/segmentacao.py").run()
    assert _metrics(at)["Receita líquida"].startswith("US$ ")


# --- 5. exports ready for a campaign, with contacts -----------------------------------------------

def test_contact_roles_are_detected_and_travel_into_every_list():
    frame = pd.read_csv(io.BytesIO(CONTACTS_CSV), sep=";", dtype=str)
    mapping = detect_columns(frame)
    assert (mapping["email"], mapping["phone"], mapping["customer_name"]) == ("E-mail", "WhatsApp", "Nome")
    at = _ok(_upload(_app(), "contatos.csv", CONTACTS_CSV))
    at.switch_page("app_pages/segmentacao.py").run()
    _ok(at)
    listing = _listing(at)
    assert {"Nome", "E-mail", "Telefone / WhatsApp"} <= set(listing.columns)
    assert listing["E-mail"].str.endswith("@exemplo.com").all()


def test_xlsx_lists_have_number_formats_and_real_dates():
    ds = load_dataset(CONTACTS_CSV, name="contatos.csv")
    seg = segment_customers(ds.cleaned.transactions)
    from metriqr.aggregates import customer_contacts

    sheets = workbook_sheets(seg, "pt", names=customer_contacts(ds.cleaned.transactions))
    book = load_workbook(io.BytesIO(to_xlsx_bytes(sheets, xlsx_formats("pt", currency="BRL"))))
    summary = book["Resumo"]
    headers = [c.value for c in summary[1]]
    assert "Chave" not in headers  # no internal key column
    row = next(r for r in range(2, summary.max_row + 1)
               if summary.cell(row=r, column=headers.index("Clientes") + 1).value)
    share = summary.cell(row=row, column=headers.index("Participação nos clientes") + 1)
    assert share.number_format == "0.0%"
    money = summary.cell(row=row, column=headers.index("Gasto Médio do Segmento") + 1)
    assert "R$" in money.number_format
    listing = next(book[name] for name in book.sheetnames[1:] if book[name].max_row > 1)
    headers = [c.value for c in listing[1]]
    assert {"Nome", "E-mail", "Telefone / WhatsApp"} <= set(headers)
    last = listing.cell(row=2, column=headers.index("Última compra") + 1)
    assert isinstance(last.value, datetime) and last.number_format == "dd/mm/yyyy"
    assert listing.cell(row=2, column=headers.index("Recência (dias)") + 1).number_format == "0"
    assert "R$" in listing.cell(row=2, column=headers.index("Valor líquido") + 1).number_format


# --- 6. migration readings: the biggest story and the money --------------------------------------

@pytest.fixture(scope="module")
def demo_migration():
    tx = load_dataset(SAMPLE).cleaned.transactions
    end = tx["date"].max().normalize() + pd.Timedelta(days=1)
    start = snapshot_dates(tx, cadence="monthly", periods=1, end=end)[0]
    return migrate(tx, date_from=start, date_to=end)


def test_readings_start_with_the_largest_backward_move_and_say_the_money(demo_migration):
    notes = migration_readings(demo_migration, "pt", currency="BRL")
    first = notes[0]
    flows = demo_migration.flows()
    backward = flows[flows["kind"] == "regressed"].sort_values("customers", ascending=False).iloc[0]
    assert (backward["source"], backward["target"]) == ("champions", "loyal")  # the demo's biggest backward move
    assert (first["source"], first["target"], first["customers"]) == ("champions", "loyal", backward["customers"])
    assert f"Campeões → Fidelizados: {backward['customers']} clientes" in first["text"] and "R$ " in first["text"]
    assert first["spend"] > 0
    weights = [n["customers"] for n in notes]
    assert weights[0] == max(weights)
    assert "£" in migration_readings(demo_migration, "en", currency="GBP")[0]["text"]


def test_comparing_two_dates_hides_the_cadence():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/migracao.py").run()
    _ok(at)
    assert "Periodicidade" not in [s.label for s in at.selectbox]
    at.radio(key="mig_mode").set_value("cadence").run()
    assert "Periodicidade" in [s.label for s in at.selectbox]
    assert any("Campeões → Fidelizados" in w.value for w in at.warning)


# --- 9. repeated product names ------------------------------------------------------------------

def test_products_sharing_a_name_are_told_apart_by_their_code():
    labels = product_labels(pd.Series(["A1", "A2", "B1"]), pd.Series(["Bolo", "Bolo", "Pão"]))
    assert labels == {"A1": "Bolo (A1)", "A2": "Bolo (A2)", "B1": "Pão"}
    table = pd.DataFrame({"product": ["A1", "A2"], "name": [labels["A1"], labels["A2"]], "together": [5, 4],
                          "confidence": [0.5, 0.4], "lift": [2.0, 1.5]})
    bars = also_bought_bars(table, "pt").data[0]
    assert len(set(bars.y)) == 2  # two bars, not one smeared bar


# --- 12. buy again by rhythm and season; names in the pickers ----------------------------------

def _tx(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer", "date", "product"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["order"] = [f"o{i}" for i in range(len(frame))]
    frame["product_name"] = frame["product"].map({"XMAS": "Cesta de Natal", "CAFE": "Café"})
    return frame.assign(amount=10.0, is_return=False, quantity=1.0)


def _seasonal_shop() -> pd.DataFrame:
    rows = [("c1", "2023-12-05", "XMAS"), ("c1", "2023-12-20", "XMAS"), ("c1", "2024-01-10", "CAFE"),
            ("c1", "2024-02-10", "CAFE"), ("c1", "2024-03-10", "CAFE"), ("c1", "2024-04-08", "CAFE")]
    for i in range(30):  # everyone buys the basket in November or December only
        rows.append((f"x{i}", f"202{3 + i % 2}-{11 + i % 2}-{1 + i % 25:02d}", "XMAS"))
        rows.append((f"x{i}", f"2024-{1 + i % 12:02d}-15", "CAFE"))
    return _tx(rows)


def test_a_seasonal_basket_is_not_overdue_in_july_but_offered_in_november():
    purchases = build_purchases(_seasonal_shop())
    july = buy_again(purchases, "c1", as_of="2024-07-01")
    assert "XMAS" not in july["product"].tolist()  # never "overdue 204 days"
    november = buy_again(purchases, "c1", as_of="2024-11-10")
    row = november.set_index("product").loc["XMAS"]
    assert row["when"] == "season" and 12 in row["season"]


def test_a_product_given_up_long_ago_is_not_due():
    purchases = build_purchases(_seasonal_shop())
    assert "CAFE" in buy_again(purchases, "c1", as_of="2024-05-15")["product"].tolist()
    assert "CAFE" not in buy_again(purchases, "c1", as_of="2024-10-30")["product"].tolist()


def test_pickers_list_customer_names_not_bare_codes():
    at = _ok(_upload(_app(), "contatos.csv", CONTACTS_CSV))
    at.switch_page("app_pages/segmentacao.py").run()
    _listing(at)
    picker = next(s for s in at.selectbox if s.key and s.key.startswith("seg_customer_"))
    assert all(any(name in shown for name in ("Ana Souza", "Bruno Lima", "Carla Dias")) for shown in picker.options)
    at.switch_page("app_pages/recomendacoes.py").run()
    assert not at.exception
    if at.get("tab"):  # the file has no product column: the page says so instead of the tabs
        assert all("(" in shown for shown in at.selectbox(key="rec_customer").options)


# --- 9.5. downloads under load --------------------------------------------------------------------

def test_download_buttons_hold_their_file_before_the_click_and_never_rerun():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/segmentacao.py").run()
    _ok(at)
    buttons = at.get("download_button")
    assert len(buttons) >= 3
    for button in buttons:
        proto = button.proto
        assert not proto.HasField("deferred_file_id"), proto.label  # built before rendering
        assert "/media/" in proto.url, proto.label
        assert proto.ignore_rerun, proto.label  # a click does not rerun the page
    first = {b.proto.label: b.proto.url for b in buttons}
    at.run()  # a rerun: the same bytes keep the same address, so a click during it still finds them
    assert {b.proto.label: b.proto.url for b in at.get("download_button")} == first


# --- 11. the README -----------------------------------------------------------------------------

def test_the_readme_says_python_address_and_test_time():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "3.11" in readme and "http://localhost:8501" in readme
    assert "headless" in readme and "minutes" in readme.lower()
