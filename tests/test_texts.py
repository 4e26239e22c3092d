"""Strings in both languages and pt-BR / English number formatting (metriqr.texts)."""
from __future__ import annotations

import ast
import math
import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metriqr import errors
from metriqr.cleaning import REASONS
from metriqr.errors import ColumnError, InputFileError, MetriqrError, OptionError
from metriqr.report import CUSTOMER_EXPORT_COLUMNS
from metriqr.texts import (CATALOGUE, LANGS, fmt_date, fmt_int, fmt_money, fmt_num, fmt_pct, normalise_lang,
                           reason_summary, t)

PACKAGE = Path(__file__).resolve().parents[1] / "metriqr"
# Modules owned and tested elsewhere; their keys are checked by their own tests.
NOT_HERE = {"reading.py"}


@pytest.mark.parametrize("call, expected", [
    (lambda: fmt_money(1103.48), "R$ 1.103,48"),
    (lambda: fmt_money(1103.48, "en"), "R$ 1,103.48"),
    (lambda: fmt_money(-2.5), "-R$ 2,50"),
    (lambda: fmt_money(0), "R$ 0,00"),
    (lambda: fmt_money(1234567.891), "R$ 1.234.567,89"),
    (lambda: fmt_int(23570), "23.570"),
    (lambda: fmt_int(23570, "en"), "23,570"),
    (lambda: fmt_int(4338.6), "4.339"),
    (lambda: fmt_int(999), "999"),
    (lambda: fmt_num(1234.56, "pt", 1), "1.234,6"),
    (lambda: fmt_num(1234.56, "en", 2), "1,234.56"),
    (lambda: fmt_pct(0.125), "12,5%"),
    (lambda: fmt_pct(0.125, "en"), "12.5%"),
    (lambda: fmt_pct(1.0, "pt", 0), "100%"),
    (lambda: fmt_date(pd.Timestamp("2024-01-05 10:30")), "05/01/2024"),
    (lambda: fmt_date(pd.Timestamp("2024-01-05"), "en"), "2024-01-05"),
])
def test_formatting(call, expected):
    assert call() == expected


@pytest.mark.parametrize("formatter", [fmt_money, fmt_int, fmt_num, fmt_pct, fmt_date])
@pytest.mark.parametrize("missing", [None, float("nan")])
def test_missing_values_show_a_dash(formatter, missing):
    assert formatter(missing) == "–"


def test_fmt_date_missing_timestamp():
    assert fmt_date(pd.NaT) == "–"


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_pt_and_en_money_differ_only_in_separators(cents):
    value = cents / 100
    pt, en = fmt_money(value, "pt"), fmt_money(value, "en")
    assert pt.translate(str.maketrans(".,", ",.")) == en
    digits = pt.replace("R$ ", "").replace("-", "").replace(".", "").replace(",", ".")
    assert math.isclose(float(digits), abs(value), abs_tol=0.005)


@pytest.mark.parametrize("value, expected", [("en", "en"), ("EN-us", "en"), ("english", "en"), ("pt", "pt"),
                                             ("pt-BR", "pt"), ("", "pt"), (None, "pt"), ("fr", "pt"),
                                             ("<script>", "pt")])
def test_normalise_lang(value, expected):
    assert normalise_lang(value) == expected


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_entry_in_both_languages_with_the_same_placeholders():
    assert LANGS == ("pt", "en")
    for key, entry in CATALOGUE.items():
        assert set(entry) == set(LANGS), key
        assert entry["pt"].strip() and entry["en"].strip(), key
        assert placeholders(entry["pt"]) == placeholders(entry["en"]), key


def test_t_fills_placeholders_and_falls_back():
    assert t("error.file_not_found", "en", name="x.csv") == "File not found: x.csv."
    assert t("error.file_not_found", "pt", name="x.csv") == "Arquivo não encontrado: x.csv."
    assert t("col.segment", "es") == "Segmento"  # unknown language → pt
    assert t("no.such.key", "en") == "no.such.key"


def test_reason_summary():
    assert reason_summary({"no_customer": 1234, "bad_date": 3}) == "sem cliente identificado: 1.234; data ilegível: 3"
    assert reason_summary({"no_customer": 1234}, "en") == "no identified customer: 1,234"
    assert reason_summary({}, "en") == "no data rows"


def test_error_messages_in_both_languages():
    error = ColumnError("unknown_role", role="colour", roles="customer, date")
    assert error.message("pt") == "Papel de coluna desconhecido: “colour”. Papéis aceitos: customer, date."
    assert str(error) == error.message("en") == "Unknown column role: “colour”. Accepted roles: customer, date."
    per_language = ColumnError("no_usable_rows", reasons={"pt": "data ilegível: 1", "en": "unreadable date: 1"})
    assert "data ilegível: 1" in per_language.message("pt") and "unreadable date: 1" in per_language.message("en")
    assert issubclass(InputFileError, MetriqrError) and issubclass(OptionError, MetriqrError)


def _error_keys_and_params() -> list[tuple[str, str, set[str]]]:
    """Every `SomeError("key", name=...)` raised in the analysis modules."""
    error_classes = {name for name, obj in vars(errors).items()
                     if isinstance(obj, type) and issubclass(obj, MetriqrError)}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in NOT_HERE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in error_classes \
                    and node.args and isinstance(node.args[0], ast.Constant):
                found.append((path.name, node.args[0].value, {k.arg for k in node.keywords}))
    return found


def test_every_raised_error_has_a_message_with_matching_placeholders():
    found = _error_keys_and_params()
    assert len(found) >= 8
    for module, key, params in found:
        entry = CATALOGUE.get(f"error.{key}")
        assert entry is not None, f"{module}: error.{key} missing from the catalogue"
        assert placeholders(entry["pt"]) == params, (module, key)


def _literal_t_keys() -> list[tuple[str, str]]:
    keys = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in NOT_HERE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                keys.append((path.name, node.args[0].value))
    return keys


def test_every_literal_key_used_exists():
    keys = _literal_t_keys()
    assert keys
    for module, key in keys:
        assert key in CATALOGUE, f"{module}: {key}"


def test_computed_keys_exist():
    for reason in REASONS:
        assert f"reason.{reason}" in CATALOGUE
    for column in (*CUSTOMER_EXPORT_COLUMNS, "customer_name"):
        assert f"cust.{column}" in CATALOGUE
    for column in ("key", "label", "rank", "customers", "share", "avg_monetary", "avg_recency_days",
                   "avg_frequency", "revenue", "revenue_share", "action"):
        assert f"sum.{column}" in CATALOGUE
