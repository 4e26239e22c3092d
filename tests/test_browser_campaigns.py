"""A campaign end to end in headless Chromium: create it, download the target list, add the next sales
to the workspace on Dados, and read the measurement."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.app import settle
from metriqr import workspace as store
from metriqr.segmentation import segment_ledger
from tests.test_browser import WAIT_MS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "loja_exemplo.csv"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server_env(workspace_data_dir) -> Iterator[None]:
    yield


def _day(row: list[str]) -> str:
    return f"{row[1][6:10]}-{row[1][3:5]}-{row[1][:2]}"


def test_create_download_add_sales_measure(server, browser, workspace_data_dir, tmp_path):
    with open(SAMPLE, encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle, delimiter=";"))
    before = tmp_path / "ate_junho.csv"
    with open(before, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([header, *(r for r in rows if _day(r) < "2026-07-01")])
    workspace = store.create_workspace()
    store.ingest_file(workspace, before)
    store.save_run(workspace, segment_ledger(store.load_ledger(workspace)))
    token = store.issue_token(workspace, role="owner")

    page = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 2600}).new_page()
    page.goto(f"{server}/campanhas?ws={token}")
    settle(page, WAIT_MS)
    page.get_by_text("Por que deixar clientes de fora?").first.wait_for(timeout=WAIT_MS)
    page.get_by_role("combobox", name="Segmento").click()
    page.get_by_role("option", name="Inativos").first.click()
    settle(page, WAIT_MS)
    name = page.get_by_label("Nome da campanha")
    name.fill("Reativar inativos")
    name.press("Enter")
    settle(page, WAIT_MS)
    page.get_by_role("button", name="Criar campanha").click()
    page.get_by_text("Campanha criada").first.wait_for(timeout=WAIT_MS)
    settle(page, WAIT_MS)
    assert page.get_by_text("Ainda não há vendas a partir de 01/07/2026").first.is_visible()

    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Baixar a lista do alvo (CSV)").click()
    listing = pd.read_csv(info.value.path(), sep=";", encoding="utf-8-sig", dtype=str)
    _, members = store.load_campaign(workspace, "Reativar inativos")
    targeted = set(members.loc[members["group"] == "target", "customer"])
    assert list(listing.columns) == ["Cliente", "Nome"] and set(listing["Cliente"]) == targeted
    assert not set(listing["Cliente"]) & set(members.loc[members["group"] == "control", "customer"])

    # the next export: July and August, and one extra purchase for half of the downloaded list
    chosen = np.random.default_rng(2).choice(sorted(targeted), size=len(targeted) // 2, replace=False)
    names = dict(zip(listing["Cliente"], listing["Nome"]))
    later = [r for r in rows if "2026-07-01" <= _day(r) <= "2026-08-31"]
    later += [[f"X{i:05d}", "10/07/2026", c, names[c], "10163", "Suco de Laranja Natural 400 ml", "1", "70,00",
               "70,00"] for i, c in enumerate(chosen)]
    upload = tmp_path / "jul_ago.csv"
    with open(upload, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([header, *later])
    page.get_by_role("link", name="Dados").first.click()
    page.get_by_text("Adicionar vendas").first.wait_for(timeout=WAIT_MS)
    settle(page, WAIT_MS)
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Adicionar ao histórico").click()
    page.get_by_text("linhas adicionadas").first.wait_for(timeout=WAIT_MS)
    settle(page, WAIT_MS)

    page.get_by_role("link", name="Campanhas").first.click()
    page.get_by_text("Efeito: a diferença na taxa de compra").first.wait_for(timeout=WAIT_MS)
    settle(page, WAIT_MS)
    page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT_MS)
    body = page.locator("[data-testid='stApp']").inner_text()
    assert "O alvo comprou mais" in body and "Vendas de 01/07/2026 a 31/08/2026 (62 dias)." in body
    assert "Receita atribuível à campanha" in body and "Intervalo de 95%" in body
    page.screenshot(path=str(tmp_path / "campanhas.png"))
    page.close()
