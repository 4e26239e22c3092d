"""Valor previsto in headless Chromium: the demo's forecast, the hold-out chart drawn, a new horizon on click."""
from __future__ import annotations

import pytest

from bench.app import settle
from tests.test_browser import WAIT_MS

pytestmark = pytest.mark.browser


def test_the_page_draws_the_forecast_and_answers_a_new_horizon(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2600}, locale="pt-BR")
    try:
        page.goto(f"{server}/valor?lang=pt")
        settle(page, WAIT_MS)
        page.get_by_text("Quanto confiar: teste com o passado").wait_for(timeout=WAIT_MS)
        page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(timeout=WAIT_MS)
        assert page.get_by_text("Compras previstas em 90 dias").count() == 1
        assert page.locator("[data-testid='stTable']").first.get_by_text("Em Risco").count() == 1
        page.locator("[data-testid='stButtonGroup'] button", has_text="30 dias").click()
        page.get_by_text("Compras previstas em 30 dias").wait_for(timeout=WAIT_MS)
        settle(page, WAIT_MS)
        assert "horizon=30" in page.url
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.close()
