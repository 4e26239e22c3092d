"""Workspaces end to end in headless Chromium: save and reload, bad links, many sessions at once."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.app import settle
from metriqr import workspace as store
from tests.test_browser import WAIT_MS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "loja_exemplo.csv"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server_env(workspace_data_dir) -> Iterator[None]:
    yield




def _workspace(customers: int, prefix: str) -> store.Workspace:
    """A small workspace whose customers are `prefix-0001`… (so each is recognisable)."""
    rng = np.random.default_rng(customers)
    n = customers * 3
    frame = pd.DataFrame({
        "customer": pd.Categorical([f"{prefix}-{i % customers:04d}" for i in range(n)]),
        "date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        "amount": rng.integers(1_000, 50_000, n) / 100, "is_return": np.zeros(n, dtype=bool)})
    workspace = store.create_workspace()
    store.ingest(workspace, frame, name=f"{prefix}.csv", rows={})
    return workspace


def _customers_metric(page) -> str:
    page.get_by_text("Clientes identificados").first.wait_for(timeout=WAIT_MS)
    return page.locator("[data-testid='stMetric']").first.inner_text()


def test_a_saved_workspace_survives_a_reload_and_a_new_session(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    page.goto(f"{server}/dados")
    settle(page, WAIT_MS)
    upload = tmp_path / "minhas_vendas.csv"
    upload.write_bytes(SAMPLE.read_bytes())
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_text("Sua planilha: minhas_vendas.csv").first.wait_for(timeout=WAIT_MS)
    settle(page, WAIT_MS)
    page.get_by_role("button", name="Salvar em um espaço de trabalho").click()
    page.get_by_text("Espaço de trabalho criado").first.wait_for(timeout=WAIT_MS)
    settle(page, WAIT_MS)
    assert "ws=" in page.url
    assert page.get_by_text("Estes dados estão gravados neste servidor").first.is_visible()
    page.screenshot(path=str(tmp_path / "workspace_dados.png"))
    link = page.url
    page.reload()
    settle(page, WAIT_MS)
    page.get_by_text("Linhas guardadas").first.wait_for(timeout=WAIT_MS)
    page.get_by_role("link", name="Segmentação").first.click()
    assert "2.700" in _customers_metric(page)
    settle(page, WAIT_MS)
    assert "ws=" in page.url  # page switches keep the link, so a reload here keeps the workspace too
    page.reload()
    assert "2.700" in _customers_metric(page)
    page.close()
    other = browser.new_context().new_page()  # another browser session with the owner link
    other.goto(link)
    settle(other, WAIT_MS)
    other.get_by_text("Linhas guardadas").first.wait_for(timeout=WAIT_MS)
    other.close()


def test_wrong_expired_and_revoked_links_show_nothing(server, browser, workspace_data_dir):
    workspace = _workspace(7, "SIGILO")
    good = store.issue_token(workspace)
    expired = store.issue_token(workspace, expires_days=1)
    revoked = store.issue_token(workspace)
    store.revoke_token(workspace, revoked)
    with store.Workspace._session(workspace, write=True) as con:
        con.execute("UPDATE tokens SET expires_at = TIMESTAMP '2000-01-01' WHERE expires_at IS NOT NULL")
    wrong = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    for token in (wrong, expired, revoked, "0" * 32 + "." + good.split(".")[1]):
        page.goto(f"{server}/segmentacao?ws={token}")
        settle(page, WAIT_MS)
        page.get_by_text("Espaço de trabalho não encontrado").first.wait_for(timeout=WAIT_MS)
        body = page.locator("[data-testid='stApp']").inner_text()
        assert "SIGILO" not in body and "Clientes identificados" not in body
        assert page.locator("[data-testid='stMetric']").count() == 0
    page.goto(f"{server}/segmentacao?ws={good}")
    assert "7" in _customers_metric(page)
    page.close()


def test_twenty_sessions_on_twenty_workspaces_see_only_their_own(server, browser, workspace_data_dir):
    counts = [11 + i for i in range(20)]
    tokens = [store.issue_token(_workspace(n, f"LOJA{i:02d}")) for i, n in enumerate(counts)]
    pages = []
    for token in tokens:  # every session is opened before any is read: all twenty live at once
        page = browser.new_context().new_page()
        page.goto(f"{server}/dados?ws={token}", wait_until="commit")
        pages.append(page)
    for n, page in zip(counts, pages):
        page.get_by_text("Linhas guardadas").first.wait_for(timeout=WAIT_MS)
        settle(page, WAIT_MS)
        metrics = page.locator("[data-testid='stMetric']").all_inner_texts()
        assert metrics[0].split()[-1] == str(3 * n) and metrics[1].split()[-1] == str(n), metrics
    for page in pages:
        page.context.close()
