"""End-to-end in a real headless Chromium against a real server, as a user would use the app."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.app import Server, settle

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.browser
# Every wait is for something the user would see, never a fixed sleep, and generous: on a loaded CI
# machine (2 cores, the rest of the suite running) a first run can take tens of seconds; a real failure
# still fails, only later.
WAIT_MS = 180_000

UPLOAD = """Relatório de vendas
Nº do Pedido;Data da Compra;Código do Cliente;Valor Total
1001;05/01/2025;C01;R$ 1.103,48
1002;10/02/2025;C01;R$ 250,00
1003;12/03/2025;C02;R$ 45,00
1004;20/06/2025;C03;R$ 99,90
1005;21/06/2025;C03;R$ 120,00
TOTAL GERAL;;;R$ 1.618,38
""".encode("cp1252")





def _settle(page) -> None:
    settle(page, timeout_ms=WAIT_MS)


def _page(browser, height: int):
    """A page whose every action and wait (clicks included) has the generous time-out."""
    page = browser.new_page(viewport={"width": 1400, "height": height})
    page.set_default_timeout(WAIT_MS)
    return page


def _upload_then_open(page, server: str, upload: Path, wait_for: str, link: str, title: str) -> None:
    """Upload a file on Dados, wait until it is read, then follow the sidebar link to a page."""
    page.goto(f"{server}/dados")
    _settle(page)
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_text(wait_for).wait_for(timeout=WAIT_MS)
    _settle(page)
    page.get_by_role("link", name=link).first.click()
    page.get_by_text(title).wait_for(timeout=WAIT_MS)
    _settle(page)


def test_upload_then_segmentation_table(server, browser, tmp_path):
    page = _page(browser, 2400)
    page.goto(f"{server}/dados")
    _settle(page)
    assert page.get_by_text("dados de demonstração").first.is_visible()
    upload = tmp_path / "vendas.csv"
    upload.write_bytes(UPLOAD)
    _upload_then_open(page, server, upload, "Sua planilha: vendas.csv", "Segmentação",
                      "Segmentação de clientes (RFM)")
    table = page.locator("[data-testid='stTable']").first
    table.wait_for(timeout=WAIT_MS)
    text = table.inner_text()
    for label in ("Campeões", "Fidelizados", "Em Risco", "Inativos"):
        assert label in text
    assert "R$ 1.353,48" in text or "R$" in text  # amounts in pt-BR money format
    metric = page.locator("[data-testid='stMetric']").first.inner_text()
    assert "Clientes identificados" in metric and "3" in metric
    page.screenshot(path=str(tmp_path / "segmentacao.png"))
    page.close()


def test_deep_link_in_english_opens_the_report(server, browser):
    page = _page(browser, 2000)
    page.goto(f"{server}/segmentacao?lang=en&seg=at_risk")
    page.get_by_text("Customer segmentation (RFM)").wait_for(timeout=WAIT_MS)
    _settle(page)
    assert page.locator("[data-testid='stTable']").first.inner_text().count("Champions") == 1
    # the treemap is drawn: plotly's bundle loads on the page's first chart, after the script has finished
    page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT_MS)
    assert "at_risk" in page.url and "lang=en" in page.url
    page.close()


def test_migration_page_draws_the_sankey_on_uploaded_data(server, browser, tmp_path):
    page = _page(browser, 2400)
    upload = tmp_path / "minhas_vendas.csv"
    upload.write_bytes((ROOT / "sample_data" / "loja_exemplo.csv").read_bytes())
    _upload_then_open(page, server, upload, "Sua planilha: minhas_vendas.csv", "Migração", "Migração entre segmentos")
    links = page.locator("g.sankey path.sankey-link")
    links.first.wait_for(timeout=WAIT_MS)
    assert links.count() > 20
    nodes = page.locator("g.sankey .sankey-node").all_text_contents()
    assert any("Campeões" in n for n in nodes) and any("Novos no período" in n for n in nodes)
    page.close()


def test_product_lookup_shows_what_is_bought_with_it(server, browser):
    page = _page(browser, 1800)
    page.goto(f"{server}/recomendacoes")
    page.get_by_text("Quem comprou este produto também comprou").wait_for(timeout=WAIT_MS)
    _settle(page)
    picker = page.get_by_role("combobox", name="Produto (digite para buscar)")
    picker.click()
    page.keyboard.type("Vinho Tinto")
    page.get_by_role("option", name="Vinho Tinto Malbec 750 ml (50107)").click()
    page.wait_for_url("**product=50107**")
    _settle(page)
    # the table is drawn on a canvas; the chart's bars name the co-purchases as SVG text
    page.locator(".js-plotly-plot .ytick text", has_text="Queijo Brie 125 g").first.wait_for()
    bars = page.locator(".js-plotly-plot .ytick text").all_text_contents()
    assert len(bars) == 5 and "Queijo Brie 125 g" in bars
    page.close()


def test_user_text_in_the_cleaning_report_is_never_rendered_as_markup(server, browser, tmp_path):
    hostile = ("Pedido;Data;Cliente;Valor\n"
               "1;![x](http://evil.example/d.png);C1;10,00\n"
               "2;<img src=http://evil.example/i.png>;C2;20,00\n"
               "3;01/02/2025;C3;30,00\n4;02/02/2025;C4;40,00\n5;03/02/2025;C5;50,00\n").encode()
    upload = tmp_path / "<b>![y](evil.example).csv"  # a file name is user text too
    upload.write_bytes(hostile)
    page = _page(browser, 2000)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server}/dados")
    _settle(page)
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_text("Sua planilha:").wait_for(timeout=WAIT_MS)
    _settle(page)
    metrics = page.locator("[data-testid='stMetric']").all_inner_texts()
    assert any("Linhas excluídas" in m and m.strip().endswith("2") for m in metrics)  # the two bad dates
    page.wait_for_timeout(1000)
    assert page.locator("img[src*='evil.example']").count() == 0
    assert not [url for url in requested if "evil.example" in url]
    page.close()


def test_deep_link_is_the_first_request_to_a_fresh_server(browser):
    """No page folder named `pages/`: a deep link runs through app.py even before any other visit."""
    with Server() as fresh:
        page = _page(browser, 2000)
        page.goto(f"{fresh}/migracao?lang=en")
        page.get_by_text("Migration between segments").first.wait_for(timeout=WAIT_MS)
        _settle(page)
        # app.py ran: the language switch and the page list are in the sidebar
        assert page.get_by_text("Idioma / Language").first.is_visible()
        assert page.get_by_role("link", name="Segmentation").first.is_visible()
        page.close()


def test_kmeans_on_segmentation_carries_to_a_customers_recommendations(server, browser):
    """Choose k-means on Segmentação, follow the link to a customer's recommendations: that page
    opens on the customer's tab, names the k-means segment, and its URL keeps tab and method."""
    from metriqr.pipeline import load_dataset
    from metriqr.segmentation import segment_customers
    from metriqr.segments import BY_KEY

    kmeans = segment_customers(load_dataset(ROOT / "sample_data" / "loja_exemplo.csv").cleaned.transactions,
                               method="kmeans").customers["segment"]
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    page.goto(f"{server}/segmentacao")
    _settle(page)
    page.get_by_text("Aprendizado de máquina (k-means)").click()
    _settle(page)
    assert "method=kmeans" in page.url
    page.get_by_role("link", name="Recomendações para este cliente").click()
    page.get_by_text("Produtos para oferecer").first.wait_for(timeout=60_000)
    _settle(page)
    assert "tab=customer" in page.url and "method=kmeans" in page.url
    chosen = page.url.split("customer=")[1].split("&")[0]
    label = BY_KEY[str(kmeans[chosen])].label("pt")
    assert page.get_by_text(f"Segmento: {label}.").first.is_visible()
    page.close()


def test_reference_date_lives_in_the_url_and_a_link_from_other_data_says_so(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(f"{server}/segmentacao?as_of=2026-06-01&window=12")
    page.get_by_text("Segmentação de clientes (RFM)").wait_for(timeout=60_000)
    _settle(page)
    assert "as_of=2026-06-01" in page.url and "window=12" in page.url
    assert page.get_by_text("Este link foi feito com outros dados").count() == 0
    page.goto(f"{server}/segmentacao?as_of=2031-01-01")
    page.get_by_text("Este link foi feito com outros dados").first.wait_for(timeout=60_000)
    _settle(page)
    assert page.get_by_text("A data de referência do link (01/01/2031)").first.is_visible()
    page.goto(f"{server}/recomendacoes?product=NAO-VENDIDO")
    page.get_by_text("Este link foi feito com outros dados").first.wait_for(timeout=60_000)
    _settle(page)
    assert page.get_by_text("Pedido pelo link: NAO-VENDIDO").first.is_visible()
    page.close()


def test_a_bad_query_parameter_does_not_break_the_page(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(f"{server}/migracao?mode=cadence&periods=%C2%B2&from=2026-02-30")
    page.get_by_text("Migração entre segmentos").first.wait_for(timeout=60_000)
    _settle(page)
    page.locator("g.sankey path.sankey-link").first.wait_for(timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Algo deu errado").count() == 0
    assert "periods=3" in page.url
    page.close()
