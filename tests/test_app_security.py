"""The app under hostile input (issue 9): messages show user text as plain text, and a file that
crashes the reader ends in a message while the server goes on."""
from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.state import plain

APP = str(Path(__file__).resolve().parents[1] / "app.py")
HOSTILE_HEADER = "![x](http://127.0.0.1:9/leak)"


def _upload(name: str, data: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.file_uploader(key="upload_0").set_value((name, data, "text/csv"))
    return at.run()


def _unescaped_punctuation(markdown: str) -> list[str]:
    """ASCII punctuation not preceded by a backslash: what Markdown could act on."""
    return re.findall(r"(?<!\\)[!-/:-@\[-`{-~]", re.sub(r"\\[!-/:-@\[-`{-~]", "", markdown))


def test_plain_escapes_everything_markdown_acts_on():
    for text in (HOSTILE_HEADER, "**negrito**", "$y^2$", ":red[x]", "<img src=x>", "a_b_c", "http://evil.example/x",
                 "Linha 1\nLinha 2", "\\!"):
        escaped = plain(text)
        assert not _unescaped_punctuation(escaped), (text, escaped)
        assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped).replace("  \n", "\n") == text


def test_headers_and_file_name_in_an_error_are_plain_text():
    """A header `![x](http://…/leak)` made every viewer's browser fetch that URL; `**x**` was bold
    and `$y^2$` math (issue 9, item 13)."""
    data = f"{HOSTILE_HEADER};**x**;$y^2$\nC1;01/02/2025;10,00\nC2;03/02/2025;20,00\n".encode()
    for name, content, texts in (("vendas.csv", data, (HOSTILE_HEADER, "**x**", "$y^2$")),
                                 (f"**vendas** $z$ {HOSTILE_HEADER}.csv", b"", ("**vendas** $z$", HOSTILE_HEADER))):
        at = _upload(name, content)
        assert not at.exception
        assert at.error, "a message was expected"
        body = at.error[0].value
        assert not _unescaped_punctuation(body), body
        shown = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", body)
        for text in texts:
            assert text in shown


def test_a_workbook_that_kills_the_reader_is_a_message_and_the_app_goes_on():
    from tests.test_reading_security import _NS, cell, workbook

    corner = workbook(_NS + b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">'
                      + cell("XFD1048576", "x") + b"</row></sheetData></worksheet>")
    at = _upload("canto.xlsx", corner)
    assert not at.exception
    shown = at.error[0].value.replace("\\", "") if at.error else ""
    assert "canto.xlsx" in shown and "16.384" in shown
    at.switch_page("app_pages/segmentacao.py").run()  # the session still works
    assert not at.exception
