"""A hostile upload in one browser session leaves the server, and a second concurrent session,
working (issue 9): the 1.6 KB workbook that used to end every session, a header written as
Markdown that used to make the browser fetch a URL, and then the whole hostile corpus the
command line is tested with."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.app import Server, settle
from tests.test_reading_security import _NS, cell, hostile_corpus, workbook

pytestmark = pytest.mark.browser

CORNER = workbook(_NS + b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">'
                  + cell("XFD1048576", "x") + b"</row></sheetData></worksheet>")
LEAK = "![x](http://127.0.0.1:9/leak)"


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[Server, str]]:
    server = Server()
    try:
        url = server.__enter__()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield server, url
    finally:
        server.__exit__()



def test_hostile_upload_leaves_a_concurrent_session_working(running, browser, tmp_path):
    server, url = running
    other = browser.new_context().new_page()  # another user: its own session
    other.goto(f"{url}/segmentacao")
    other.get_by_text("Segmentação de clientes (RFM)").wait_for(timeout=90_000)
    settle(other)

    attacker = browser.new_context().new_page()
    requested: list[str] = []
    attacker.on("request", lambda request: requested.append(request.url))
    attacker.goto(f"{url}/dados")
    settle(attacker)
    corner = tmp_path / "canto.xlsx"
    corner.write_bytes(CORNER)
    attacker.locator("input[type=file]").set_input_files(str(corner))
    # While the attacker's file is read, the other user moves on.
    other.get_by_role("link", name="Migração").first.click()
    other.get_by_text("Migração entre segmentos").wait_for(timeout=90_000)
    settle(other)
    alert = attacker.locator("[data-testid='stAlert']").filter(has_text="canto.xlsx").first
    alert.wait_for(timeout=90_000)
    assert "canto.xlsx" in alert.inner_text() and "16.384 colunas" in alert.inner_text()

    markdown = tmp_path / "cabecalho.csv"
    markdown.write_bytes(f"{LEAK};**x**;$y^2$\nC1;01/02/2025;10,00\nC2;03/02/2025;20,00\n".encode())
    attacker.locator("input[type=file]").set_input_files(str(markdown))
    attacker.get_by_text("Faltam colunas obrigatórias").first.wait_for(timeout=90_000)
    settle(attacker)
    error = attacker.locator("[data-testid='stAlert']").filter(has_text="Faltam colunas obrigatórias").first
    text = error.inner_text()
    assert LEAK in text and "**x**" in text and "$y^2$" in text  # shown as written
    assert error.locator("img, strong, .katex").count() == 0
    attacker.wait_for_timeout(1000)
    assert not [u for u in requested if "127.0.0.1:9" in u]

    # The rest of the corpus, one file after another: each ends in a message naming the file or in
    # its cleaning report, never in an exception on the page.
    for name, (content, refused) in hostile_corpus().items():
        path = tmp_path / name
        path.write_bytes(content)
        attacker.locator("input[type=file]").set_input_files(str(path))
        if refused:
            attacker.locator("[data-testid='stAlert']").filter(has_text=name).first.wait_for(timeout=90_000)
        else:
            attacker.get_by_text(f"Sua planilha: {name}").first.wait_for(timeout=90_000)
        settle(attacker)
        assert attacker.locator("[data-testid='stException']").count() == 0, name

    assert server.process.poll() is None  # the server is alive
    other.get_by_role("link", name="Segmentação").first.click()
    other.get_by_text("Segmentação de clientes (RFM)").wait_for(timeout=90_000)
    settle(other)
    assert other.locator("[data-testid='stTable']").first.inner_text().count("Campeões") == 1
