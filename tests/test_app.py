"""AppTest tests of each page: what the user reads after each action."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metriqr.migration import migrate
from metriqr.pipeline import load_dataset
from metriqr.segmentation import segment_customers, segment_summary
from metriqr.segments import SEGMENTS, source_label
from metriqr.texts import fmt_int, fmt_pct
from ui import warm

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SAMPLE = ROOT / "sample_data" / "loja_exemplo.csv"

# A small Brazilian export: title and filter lines above the header, `;`, decimal comma,
# R$ amounts, day-first dates, a walk-in sale and a totals line at the bottom.
BRAZILIAN_CSV = """Relatório de Vendas - Loja Centro
Período: 01/01/2025 a 30/06/2025

Nº do Pedido;Data da Compra;Código do Cliente;Nome;Valor Total
1001;05/01/2025;C01;Ana Souza;R$ 1.103,48
1002;10/02/2025;C01;Ana Souza;R$ 250,00
1003;12/03/2025;C01;Ana Souza;R$ 310,50
1004;20/06/2025;C01;Ana Souza;R$ 99,90
1005;06/01/2025;C02;Bruno Lima;R$ 45,00
1006;15/06/2025;C03;Carla Dias;R$ 80,00
1007;16/06/2025;C03;Carla Dias;R$ 60,00
1008;02/02/2025;C04;Davi Rocha;R$ 20,00
1009;11/05/2025;C05;Elisa Melo;R$ 700,00
1010;29/06/2025;;Consumidor Final;R$ 15,00
1011;28/06/2025;C06;Fábio Reis;R$ 35,00
TOTAL GERAL;;;;R$ 2.718,88
""".encode("cp1252")


def _app(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def _upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader(key="upload_0").set_value((name, data, mime))
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture(scope="module")
def sample_segments() -> pd.DataFrame:
    ds = load_dataset(SAMPLE)
    return segment_summary(segment_customers(ds.cleaned.transactions))


def test_opening_the_app_shows_the_demo_data_and_its_cleaning_report():
    at = _app()
    _no_exception(at)
    assert at.title[0].value == "Dados"
    assert any("dados de demonstração" in i.value for i in at.info)
    metrics = _metrics(at)
    read, used, excluded = (int(metrics[k].replace(".", "")) for k in ("Linhas lidas", "Linhas usadas",
                                                                        "Linhas excluídas"))
    assert read == used + excluded and read > 30_000
    reasons = at.dataframe[0].value
    assert "sem cliente identificado" in reasons["Motivo da exclusão"].tolist()
    # the column mapping is shown and matches the demo file's headers
    assert at.selectbox(key=next(k for k in _keys(at) if k.startswith("map_customer_"))).value == "Código do Cliente"


def _keys(at: AppTest) -> list[str]:
    return [s.key for s in at.selectbox if s.key]


def test_segmentation_page_shows_the_report_of_the_demo_data(sample_segments):
    at = _app()
    at.switch_page("app_pages/segmentacao.py").run()
    _no_exception(at)
    metrics = _metrics(at)
    assert metrics["Clientes identificados"] == fmt_int(sample_segments["customers"].sum(), "pt")
    table = at.table[0].value
    assert table.index.tolist() == [s.label("pt") for s in SEGMENTS]
    assert table["Clientes"].tolist() == [fmt_int(n, "pt") for n in sample_segments["customers"]]
    assert table["Gasto Médio do Segmento"].str.startswith("R$ ").all()
    assert all("," in v for v in table["% dos clientes"])  # pt-BR decimal comma
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["data"][0]["type"] == "treemap"
    assert chart["data"][0]["marker"]["colors"][0] == SEGMENTS[0].colour
    # every segment's action card is shown
    text = " ".join(m.value for m in at.markdown)
    assert all(s.label("pt") in text for s in SEGMENTS)


def test_english_on_request(sample_segments):
    at = _app("en")
    at.switch_page("app_pages/segmentacao.py").run()
    _no_exception(at)
    assert at.title[0].value == "Customer segmentation (RFM)"
    table = at.table[0].value
    assert table.index.tolist() == [s.label("en") for s in SEGMENTS]
    assert _metrics(at)["Customers identified"] == fmt_int(sample_segments["customers"].sum(), "en")


def test_language_switch_in_the_sidebar_changes_the_page_and_the_url():
    at = _app()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Data"
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"


def test_uploaded_brazilian_csv_is_segmented():
    at = _upload(_app(), "vendas.csv", BRAZILIAN_CSV)
    _no_exception(at)
    assert not at.error, [e.value for e in at.error]
    metrics = _metrics(at)
    # 11 data rows + 1 totals line + 1 blank line above the header is not a data row
    assert metrics["Linhas lidas"] == "12"
    assert metrics["Linhas excluídas"] == "2"
    reasons = at.dataframe[0].value["Motivo da exclusão"].tolist()
    assert "linha de total (não é venda)" in reasons and "sem cliente identificado" in reasons
    at.switch_page("app_pages/segmentacao.py").run()
    _no_exception(at)
    assert _metrics(at)["Clientes identificados"] == "6"
    assert "Ana Souza" not in " ".join(m.value for m in at.markdown)  # names only appear inside tables


def test_drill_down_lists_the_customers_of_the_chosen_segment(sample_segments):
    at = _app()
    at.switch_page("app_pages/segmentacao.py").run()
    at.selectbox(key="seg").set_value("at_risk").run()
    _no_exception(at)
    listing = at.dataframe[-1].value
    expected = int(sample_segments.loc["at_risk", "customers"])
    assert len(listing) == min(expected, 500)
    assert set(listing["Segmento"]) == {"Em Risco"}
    assert at.query_params["seg"] in (["at_risk"], "at_risk")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Baixar lista (CSV)" in labels and "Baixar lista (XLSX)" in labels
    assert any("relatório completo" in label for label in labels)


def test_segment_in_the_url_opens_that_segment_and_bad_values_are_ignored():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["seg"] = "cant_lose"
    at.run().switch_page("app_pages/segmentacao.py")
    at.query_params["seg"] = "cant_lose"
    at.run()
    assert at.selectbox(key="seg").value == "cant_lose"
    at.query_params["seg"] = "<script>"
    at.query_params["method"] = "drop table"
    at.run()
    _no_exception(at)
    assert at.selectbox(key="seg").value == "cant_lose"  # the widget keeps the last valid choice
    assert at.radio(key="method").value == "quantile"


def test_kmeans_method_states_its_rule():
    at = _app()
    at.switch_page("app_pages/segmentacao.py").run()
    at.radio(key="method").set_value("kmeans").run()
    _no_exception(at)
    captions = " ".join(c.value for c in at.caption)
    assert "k-means" in captions and "pontos médios" in captions


@pytest.mark.parametrize("name, data, expected", [
    ("foto.csv", b"\x89PNG\r\n\x1a\n" + bytes(200), "foto.csv"),
    ("vazio.csv", b"", "vazio.csv"),
    ("planilha.xlsx", b"isto nao e um zip" * 20, "planilha.xlsx"),
])
def test_bad_files_get_a_clear_message_and_no_traceback(name, data, expected):
    at = _upload(_app(), name, data)
    _no_exception(at)
    assert at.error, "a bad file must produce a message"
    assert expected in at.error[0].value.replace("\\", "")  # shown as plain text: punctuation escaped


def test_missing_columns_are_named_and_can_be_fixed_in_the_mapping():
    data = "Quem;Quando;Quanto\nC1;01/02/2025;10,00\nC2;03/02/2025;20,00\nC1;05/03/2025;30,00\n".encode()
    at = _upload(_app(), "estranho.csv", data)
    _no_exception(at)
    assert at.error and "Faltam colunas obrigatórias" in at.error[0].value
    assert "Quem" in at.error[0].value  # names the columns it found
    customer_key = next(k for k in _keys(at) if k.startswith("map_customer_"))
    at.selectbox(key=customer_key).set_value("Quem").run()
    at.selectbox(key=next(k for k in _keys(at) if k.startswith("map_date_"))).set_value("Quando").run()
    at.selectbox(key=next(k for k in _keys(at) if k.startswith("map_amount_"))).set_value("Quanto").run()
    _no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert _metrics(at)["Linhas usadas"] == "3"
    at.switch_page("app_pages/segmentacao.py").run()
    assert _metrics(at)["Clientes identificados"] == "2"


def test_user_text_is_never_rendered_as_markdown():
    hostile = ("Pedido;Data;Cliente;Valor\n"
               "1;01/02/2025;![x](http://evil.example/t.png);10,00\n"
               "2;03/02/2025;<img src=x onerror=alert(1)>;20,00\n").encode()
    at = _upload(_app(), "![x](http://evil.example/f.png).csv", hostile)
    at.switch_page("app_pages/segmentacao.py").run()
    _no_exception(at)
    rendered = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "evil.example" not in rendered and "<img" not in rendered


def test_back_to_demo_forgets_the_upload():
    at = _upload(_app(), "vendas.csv", BRAZILIAN_CSV)
    assert "Sua planilha: vendas.csv" in [x.value for x in at.sidebar.text]
    at.button[0].click().run()
    _no_exception(at)
    assert "Dados de demonstração: loja_exemplo.csv" in [x.value for x in at.sidebar.text]
    assert any("dados de demonstração" in i.value for i in at.info)
    assert int(_metrics(at)["Linhas lidas"].replace(".", "")) > 30_000


# --- Migração ------------------------------------------------------------------------------

def _page(path: str, **params: str) -> AppTest:
    """Open a page with query parameters, as a shared link would, and check it rendered cleanly."""
    at = _app()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(path).run()
    _no_exception(at)
    assert not at.error, [e.value for e in at.error]
    return at


def _migration_page(**params: str) -> AppTest:
    return _page("app_pages/migracao.py", **params)


def _sankey(at: AppTest) -> dict:
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(c["data"][0] for c in charts if c["data"][0]["type"] == "sankey")


def test_migration_page_draws_the_flows_between_two_dates():
    at = _migration_page(**{"from": "2026-05-01", "to": "2026-11-01"})
    expected = migrate(load_dataset(SAMPLE).cleaned.transactions, date_from="2026-05-01", date_to="2026-11-01")
    sankey = _sankey(at)
    assert sum(sankey["link"]["value"]) == len(expected.transitions)  # every customer at the second date
    flows = expected.flows()
    assert sorted(sankey["link"]["value"]) == sorted(flows["customers"].tolist())
    labels = sankey["node"]["label"]
    assert labels[0].startswith("Campeões") and any(label.startswith("Novos no período") for label in labels)
    # colours: each segment node in its segment's colour
    assert sankey["node"]["color"][0] == SEGMENTS[0].colour
    totals = expected.totals()
    assert _metrics(at)["Novos no período"] == fmt_int(totals["entered"], "pt")
    top = at.table[0].value
    first = expected.top_flows(1).iloc[0]
    assert top.index[0] == source_label(first["source"], "pt")
    assert top.iloc[0]["Clientes"] == fmt_int(first["customers"], "pt")
    # the planted departures of regulars are read out in plain words
    texts = " ".join(w.value for w in at.warning) + " ".join(i.value for i in at.info)
    assert "Reconquistar" in texts or "Em Risco" in texts


def test_chosen_flow_lists_its_customers_and_lives_in_the_url():
    at = _migration_page(**{"from": "2026-05-01", "to": "2026-11-01", "src": "loyal", "dst": "cant_lose"})
    expected = migrate(load_dataset(SAMPLE).cleaned.transactions, date_from="2026-05-01", date_to="2026-11-01")
    who = expected.customers_in("loyal", "cant_lose")
    listing = at.dataframe[-1].value
    assert len(listing) == len(who) > 0
    assert set(listing["Cliente"]) == set(who.index)
    assert set(listing["Segmento anterior"]) == {"Fidelizados"} and set(listing["Segmento"]) == {"Reconquistar"}
    assert at.query_params["src"] in (["loyal"], "loyal") and at.query_params["dst"] in (["cant_lose"], "cant_lose")


def test_multi_period_sankey_has_one_column_per_date():
    at = _migration_page(mode="cadence", cadence="quarterly", periods="3")
    sankey = _sankey(at)
    assert len(set(sankey["node"]["x"])) == 4  # four dates, three transitions
    assert at.selectbox(key="mig_step").value == 2  # details of the last period by default


def test_migration_in_english():
    at = _app("en")
    at.switch_page("app_pages/migracao.py").run()
    _no_exception(at)
    assert at.title[0].value == "Migration between segments"
    assert "New in the period" in _metrics(at)


def test_too_little_history_for_migration_says_what_is_needed():
    data = "cliente;data;valor\nA;01/02/2025;10,00\nB;02/02/2025;20,00\nA;03/02/2025;5,00\n".encode()
    at = _upload(_app(), "curto.csv", data)
    at.switch_page("app_pages/migracao.py")
    at.query_params["mode"] = "cadence"
    at.query_params["cadence"] = "monthly"
    at.run()
    _no_exception(at)
    assert at.error and "Histórico curto demais" in at.error[0].value


def test_rerun_without_changes_does_not_recompute(monkeypatch):
    import ui.cache

    at = _app()
    at.switch_page("app_pages/segmentacao.py").run()
    warm.done.wait(120)  # the server's warm-up thread has finished its own segmentations
    calls = []
    original = ui.cache.segment_ledger  # the page segments the cached ledger
    monkeypatch.setattr(ui.cache, "segment_ledger", lambda *a, **k: calls.append(k) or original(*a, **k))
    at.run()
    assert calls == []  # same data, same options: served from the cache
    at.selectbox(key="window").set_value("12").run()
    assert [c["window_days"] for c in calls] == [365]  # a new option is computed once


# --- Recomendações ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_purchases():
    from metriqr.recommend import build_purchases

    return build_purchases(load_dataset(SAMPLE).cleaned.transactions)


def _recommendation_page(**params: str) -> AppTest:
    return _page("app_pages/recomendacoes.py", **params)


def test_also_bought_for_the_product_in_the_url(demo_purchases):
    from metriqr.recommend import also_bought

    at = _recommendation_page(product="50107")  # Vinho Tinto Malbec 750 ml
    assert at.selectbox(key="rec_product").value == "50107"
    shown = at.dataframe[0].value
    expected = also_bought(demo_purchases, "50107")
    assert shown["Produto"].tolist() == expected["name"].tolist()
    assert shown["Produto"].iloc[0] == "Queijo Brie 125 g"  # the planted pair comes first
    assert shown["Juntos"].tolist() == [fmt_int(n, "pt") for n in expected["together"]]
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart"))
    assert chart["data"][0]["type"] == "bar" and chart["data"][0]["y"][0] == "Queijo Brie 125 g"


def test_raising_the_evidence_threshold_hides_rare_pairs():
    at = _recommendation_page(product="50107")
    at.number_input(key="rec_min").set_value(1000).run()  # the wine sold in fewer than 1,000 orders
    _no_exception(at)
    assert any("Nenhum produto foi comprado junto" in i.value for i in at.info)


def test_customer_recommendations_exclude_what_they_bought(demo_purchases):
    customer = "C00159"
    at = _recommendation_page(customer=customer)
    assert at.selectbox(key="rec_customer").value == customer
    offers = at.dataframe[0].value  # the link opens on the customer's tab, the only one computed
    bought = set(demo_purchases.products[demo_purchases.history[demo_purchases.customer_index(customer)].indices])
    assert len(offers) == 10 and not (set(offers["Código"]) & bought)
    names = set(demo_purchases.names[demo_purchases.history[demo_purchases.customer_index(customer)].indices])
    reasons = {r.strip() for cell in offers["Porque comprou"] for r in cell.split(",")}
    assert reasons and reasons <= names | {"popular no segmento"}


def test_segment_tab_and_campaign_downloads():
    at = _recommendation_page(segment="loyal")
    assert at.selectbox(key="rec_segment").value == "loyal"
    assert any("O que fazer com Fidelizados" in i.value for i in at.info)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Baixar recomendações do segmento (CSV)" in labels and "Baixar recomendações do segmento (XLSX)" in labels


def test_quality_panel_reports_the_holdout_honestly():
    from metriqr.recommend_eval import evaluate

    expected = evaluate(load_dataset(SAMPLE).cleaned.transactions)
    at = _recommendation_page(tab="quality")
    text = " ".join(m.value for m in at.markdown)
    assert f"Em {fmt_pct(expected['hit_rate'], 'pt')} dos {fmt_int(expected['customers_evaluated'], 'pt')} clientes" in text
    assert fmt_pct(expected["popularity"]["hit_rate"], "pt") in text
    quality = at.table[0].value
    assert quality.loc["Acerto@10 (clientes com ≥ 1 acerto)", "Nossas recomendações"] == fmt_pct(expected["hit_rate"], "pt")


def test_without_a_product_column_the_page_says_what_is_needed():
    data = "cliente;data;valor\nA;01/02/2025;10,00\nB;02/03/2025;20,00\n".encode()
    at = _upload(_app(), "sem_produto.csv", data)
    at.switch_page("app_pages/recomendacoes.py").run()
    _no_exception(at)
    assert at.warning and "coluna de produto" in at.warning[0].value


def test_segmentation_links_a_customer_to_their_recommendations():
    at = _app()
    at.switch_page("app_pages/segmentacao.py").run()
    link = next(p for p in at.get("page_link") if p.proto.page == "recomendacoes")
    chosen = at.selectbox(key="seg_customer_champions").value
    assert f"customer={chosen}" in link.proto.query_string


def test_too_little_history_for_the_holdout_is_said_in_the_quality_tab():
    rows = ["Pedido;Data;Cliente;Produto;Valor"] + [
        f"{i};{1 + i % 28:02d}/0{1 + i % 3}/2025;C{i % 9};P{i % 4};{10 + i},00" for i in range(60)]
    at = _upload(_app(), "pequena.csv", "\n".join(rows).encode())
    at.query_params["tab"] = "quality"
    at.switch_page("app_pages/recomendacoes.py").run()
    _no_exception(at)
    assert not at.error
    assert any("Dados insuficientes para medir a qualidade" in i.value for i in at.info)
    at.session_state["rec_tab_pt"] = "Por cliente"  # the user opens another tab: it shows its tables
    at.run()
    _no_exception(at)
    assert at.dataframe and at.query_params["tab"] in ("customer", ["customer"])


def test_pages_never_modify_the_shared_cached_data(monkeypatch):
    """The file as read and the cleaned dataset are cached as shared objects, not copies: after
    every page has run on them they must still equal a fresh read."""
    at = _app()
    for page in ("app_pages/segmentacao.py", "app_pages/migracao.py", "app_pages/recomendacoes.py", "app_pages/dados.py"):
        at.switch_page(page).run()
        _no_exception(at)
    from ui import cache
    from ui.state import sample_source

    def not_again(*args, **kwargs):
        raise AssertionError("the pages' cached dataset was not found")

    monkeypatch.setattr(cache, "clean_raw", not_again)
    from ui.state import DataKey

    cached = cache.dataset(DataKey(sample_source()))
    fresh = load_dataset(SAMPLE)
    pd.testing.assert_frame_equal(cached.raw.frame, fresh.raw.frame)
    pd.testing.assert_frame_equal(cached.cleaned.transactions, fresh.cleaned.transactions)


def test_a_users_segmentation_stays_cached_while_others_upload(monkeypatch):
    """Issue 9: other users' uploads push the large objects (the table, the cleaned dataset, the ledger) out of
    their small caches; a user's Segmentação, asked again, is still served from the views' caches: nothing is
    read, cleaned or segmented again (under load, that took the page past 5 s)."""
    from ui import cache
    from ui.state import DataKey, bytes_source

    at = _app()
    at.switch_page("app_pages/segmentacao.py").run()
    _no_exception(at)
    table = [t.value.to_dict() for t in at.table]
    others = [DataKey(bytes_source("upload", f"loja_{i}.csv", BRAZILIAN_CSV + f"\n;;;;R$ {i},00".encode()))
              for i in range(6)]  # six other uploads: more than the large objects' caches keep
    for other in others:
        cache.data_view(other)

    def not_again(*args, **kwargs):
        raise AssertionError("computed again: the page's view was pushed out by other uploads")

    for name in ("clean_raw", "segment_ledger", "build_ledger"):
        monkeypatch.setattr(cache, name, not_again)
    monkeypatch.setattr(cache, "_raw", not_again)
    at.run()
    _no_exception(at)
    assert table and [t.value.to_dict() for t in at.table] == table


def test_dados_shows_sales_per_month_to_check_the_dates():
    at = _app()
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    months = chart["data"][0]["x"]
    assert months[0] == "nov/2024" and months[-1] == "out/2026" and len(months) == 24  # the demo's two years
    assert any("Vendas por mês" in m.value for m in at.markdown)


# --- shared options, links and the URL (issues 12.8, 13.3, 9.15) -----------------------------

def _query(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_recommendations_show_the_segments_chosen_on_segmentation_with_kmeans():
    tx = load_dataset(SAMPLE).cleaned.transactions
    quantile = segment_customers(tx).customers["segment"]
    kmeans = segment_customers(tx, method="kmeans").customers["segment"]
    customer = (quantile != kmeans).idxmax()  # a customer the two methods put in different segments
    expected = next(s for s in SEGMENTS if s.key == kmeans[customer])
    at = _app()
    at.switch_page("app_pages/segmentacao.py").run()
    at.radio(key="method").set_value("kmeans").run()
    # follow the sidebar to Recomendações: the sidebar link carries no query parameters
    for name in ("method", "window", "as_of", "seg"):
        at.query_params.pop(name, None)
    at.query_params["customer"] = customer
    at.switch_page("app_pages/recomendacoes.py").run()
    _no_exception(at)
    said = " ".join(i.value for i in at.info)
    assert f"Segmento: {expected.label('pt')}." in said
    assert _query(at, "method") == "kmeans"  # and a link made from here keeps the method
    # the segment tab lists the k-means segments too
    at.session_state["rec_tab_pt"] = "Por segmento"
    at.run()
    _no_exception(at)
    chosen = at.selectbox(key="rec_segment")
    assert chosen.options == [s.label("pt") for s in SEGMENTS if (kmeans == s.key).any()]
    # and Migração opens with the same method
    at.switch_page("app_pages/migracao.py").run()
    assert at.radio(key="mig_method").value == "kmeans"


def test_segmentation_reference_date_and_window_live_in_the_url():
    tx = load_dataset(SAMPLE).cleaned.transactions
    expected = segment_customers(tx, as_of="2026-06-01", window_days=365)
    at = _page("app_pages/segmentacao.py", as_of="2026-06-01", window="12")
    assert str(at.date_input[0].value) == "2026-06-01"
    assert _metrics(at)["Clientes identificados"] == fmt_int(len(expected.customers), "pt")
    assert _query(at, "as_of") == "2026-06-01" and _query(at, "window") == "12"
    at.date_input[0].set_value(pd.Timestamp("2026-03-01").date()).run()
    assert _query(at, "as_of") == "2026-03-01"
    # the link to a customer's recommendations carries the options and the tab
    link = next(p for p in at.get("page_link") if p.proto.page == "recomendacoes")
    assert "tab=customer" in link.proto.query_string and "as_of=2026-03-01" in link.proto.query_string


def test_a_link_to_a_customer_opens_on_the_customer_tab():
    at = _recommendation_page(customer="C00159")
    assert at.selectbox(key="rec_customer").value == "C00159"
    assert "rec_product" not in _keys(at)  # the product tab was not computed
    assert _query(at, "tab") == "customer"
    at = _recommendation_page(tab="segment", segment="loyal")
    assert at.selectbox(key="rec_segment").value == "loyal"
    assert _query(at, "tab") == "segment"


@pytest.mark.parametrize("page, params, says", [
    ("app_pages/segmentacao.py", {"as_of": "2031-01-01"}, "A data de referência do link (01/01/2031)"),
    ("app_pages/migracao.py", {"from": "2019-01-01", "to": "2026-11-01"}, "A data 01/01/2019 do link"),
    ("app_pages/recomendacoes.py", {"product": "SKU-NOT-SOLD"}, "não vendem o produto do link"),
    ("app_pages/recomendacoes.py", {"customer": "Z99999"}, "O cliente do link"),
])
def test_a_link_made_on_other_data_says_so_and_what_is_shown(page, params, says):
    at = _page(page, **params)
    notes = " ".join(w.value for w in at.warning)
    assert "Este link foi feito com outros dados." in notes and says in notes
    asked = [x.value for x in at.text]
    if "product" in params or "customer" in params:  # what the link asked is user text: shown as text
        assert f"Pedido pelo link: {next(iter(params.values()))}" in asked


def test_a_link_that_fits_the_data_has_no_note():
    at = _page("app_pages/segmentacao.py", as_of="2026-06-01")
    assert not [w for w in at.warning if "outros dados" in w.value]
    at = _recommendation_page(product="50107")
    assert not [w for w in at.warning if "outros dados" in w.value]


@pytest.mark.parametrize("page, params", [
    ("app_pages/migracao.py", {"mode": "cadence", "periods": "²"}),
    ("app_pages/migracao.py", {"mode": "cadence", "periods": "99999999999999999999"}),
    ("app_pages/migracao.py", {"from": "2026-02-30", "to": "２０２６-01-01"}),
    ("app_pages/segmentacao.py", {"as_of": "9999-12-31", "window": "-1", "method": "x"}),
    ("app_pages/segmentacao.py", {"as_of": "0001-01-01"}),
    ("app_pages/recomendacoes.py", {"tab": "<script>", "basis": "1", "product": "\x00" * 5}),
    ("app_pages/recomendacoes.py", {"customer": "C" * 5000, "segment": "nope"}),
])
def test_bad_query_parameters_fall_back_to_defaults(page, params):
    at = _page(page, **params)  # no exception, no error
    if params.get("periods"):
        assert at.slider(key="mig_periods").value == 3
    if page.endswith("recomendacoes.py") and "tab" in params:
        assert _query(at, "tab") == "product"


def test_query_parameter_table_matches_the_analysis_vocabulary():
    from metriqr.recommend import BASES
    from ui.state import PARAMS, WINDOWS

    from ui.state import BASES as URL_BASES

    assert URL_BASES == BASES
    assert set(WINDOWS) == {"all", "3", "6", "12", "24"}
    for name, text in (("periods", "²"), ("periods", "0"), ("as_of", "2026-02-30"), ("as_of", "2026-1-1"),
                       ("customer", "a\x00b"), ("product", ""), ("tab", "Por cliente")):
        with pytest.raises(ValueError):
            PARAMS[name].parse(text)
    assert PARAMS["periods"].parse("12") == 12
    assert PARAMS["as_of"].write(PARAMS["as_of"].parse("2026-06-01")) == "2026-06-01"


def test_the_server_warms_the_demo_once_in_the_background(monkeypatch):
    """The first visitor after a restart must not pay for every page: app.py starts one warm-up
    thread per process, which leaves the demo's results in the shared caches."""
    _app()
    assert warm.done.wait(120)
    assert set(warm.timings) >= {"data_view", "segmentation", "catalogue", "history", "model"}
    from ui import cache
    from ui.state import DataKey, Options, sample_source

    def not_again(*args, **kwargs):
        raise AssertionError("computed again: the warm-up's result was not in the cache")

    for name in ("clean_raw", "segment_ledger", "build_ledger"):
        monkeypatch.setattr(cache, name, not_again)
    import metriqr.recommend

    monkeypatch.setattr(metriqr.recommend, "build_purchases", not_again)
    demo = DataKey(sample_source())
    cache.data_view(demo), cache.segmentation(demo, Options()), cache.catalogue(demo), cache.history(demo)
    assert cache.purchases(demo).__dict__.get("weights") is not None  # the model is fitted already


def test_recommendations_say_when_the_links_reference_date_does_not_fit():
    at = _recommendation_page(as_of="2031-01-01", tab="segment")
    notes = " ".join(w.value for w in at.warning)
    assert "Este link foi feito com outros dados." in notes and "(01/01/2031)" in notes
    assert _query(at, "as_of") == "2026-11-01"  # the demo's last sale is on 31/10/2026


def test_heavy_results_are_shared_objects_not_copies():
    """Purchase matrices (with the fitted model) and the migration history are handed out as they
    are: a hit costs no unpickling of a 5,000² model."""
    from ui import cache
    from ui.state import DataKey, sample_source

    demo = DataKey(sample_source())
    assert cache.purchases(demo) is cache.purchases(DataKey(sample_source()))
    assert cache.history(demo) is cache.history(demo)
    assert cache.dataset(demo) is cache.dataset(demo)


def test_dados_says_the_date_order_warns_when_it_is_a_guess_and_lets_the_user_switch():
    """Issue 9 item 8: every day ≤ 12 — read day-first with a visible warning, and switchable."""
    data = "Cliente;Data;Valor\nA;01/02/2024;10,00\nB;03/04/2024;20,00\nA;05/06/2024;5,00\n".encode()
    at = _upload(_app(), "datas.csv", data)
    _no_exception(at)
    assert any("Ordem das datas: dia/mês (dd/mm)" in c.value for c in at.caption)
    assert any("Confira a ordem das datas: 3 linhas" in w.value for w in at.warning)
    assert any("Formato dos valores: vírgula decimal (1.234,56)" in c.value for c in at.caption)
    assert any("01/02/2024 a 05/06/2024" in c.value for c in at.caption)
    at.radio(key="date_order_choice").set_value("mdy")
    at.run()
    _no_exception(at)
    assert any("02/01/2024 a 06/05/2024" in c.value for c in at.caption)
    assert any("mês/dia (mm/dd) — escolhida por você" in c.value for c in at.caption)
    assert not any("Confira a ordem" in w.value for w in at.warning)
