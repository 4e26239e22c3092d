"""Strings in both languages and pt-BR / English number formatting (metriqr.texts)."""
from __future__ import annotations

import ast
import math
import re
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
from metriqr.segments import SEGMENT_KEYS
from metriqr.texts import (CATALOGUE, LANGS, fmt_date, fmt_int, fmt_money, fmt_num, fmt_pct, normalise_lang,
                           Reasons, Term, UnknownTextKey, plural,
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


def test_unknown_key_raises_under_test_and_falls_back_otherwise(monkeypatch):
    with pytest.raises(UnknownTextKey):
        t("no.such.key", "en")
    monkeypatch.delenv("METRIQR_STRICT_TEXTS")
    assert t("no.such.key", "en") == "no.such.key"


def test_plural_and_terms():
    assert plural(1, "mig.customers_one", "mig.customers_many", "pt") == "1 cliente"
    assert plural(1234, "mig.customers_one", "mig.customers_many", "pt") == "1.234 clientes"
    assert plural(0, "mig.customers_one", "mig.customers_many", "en") == "0 customers"
    error = OptionError("migration_dates_order", date_from=pd.Timestamp("2024-03-01"), date_to=pd.Timestamp("2024-01-31"))
    assert "01/03/2024" in error.message("pt") and "2024-03-01" in error.message("en")
    assert Term("seg.method_quantile").render("en") == "Quintiles (default)"


def test_reason_summary():
    assert reason_summary({"no_customer": 1234, "bad_date": 3}) == "sem cliente identificado: 1.234; data ilegível: 3"
    assert reason_summary({"no_customer": 1234}, "en") == "no identified customer: 1,234"
    assert reason_summary({}, "en") == "no data rows"


def test_error_messages_in_both_languages():
    error = ColumnError("unknown_role", role="colour", roles="customer, date")
    assert error.message("pt") == "Papel de coluna desconhecido: “colour”. Papéis aceitos: customer, date."
    assert str(error) == error.message("en") == "Unknown column role: “colour”. Accepted roles: customer, date."
    reasons = ColumnError("no_usable_rows", reasons=Reasons({"bad_date": 1234}))
    assert "data ilegível: 1.234" in reasons.message("pt") and "unreadable date: 1,234" in reasons.message("en")
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


# --- one catalogue: every key used exists, every key is used ----------------------------------

ROOT = PACKAGE.parent
SOURCES = sorted([ROOT / "app.py", *(ROOT / "app_pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py"),
                  *PACKAGE.rglob("*.py")])
# Helpers that take a catalogue key as their first argument, and the prefix they put before it
# (`label` is also `segments.label(segment_key, lang)`; `text` is the command line's helper).
KEY_HELPERS = {"t": "", "plural": "", "Term": "", "label": "", "text": "cli."}
# Keys built at run time (f"reason.{reason}") are found as f-string patterns in the sources; error
# messages are `error.<key>` for a key given to a MetriqrError, command-line texts `cli.<key>`.


def _sources() -> list[tuple[str, ast.AST]]:
    return [(str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))) for path in SOURCES]


def _helper_name(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _pattern(node: ast.JoinedStr) -> str | None:
    """f"mig.kind.{kind}" → r"mig\\.kind\\.[^.]+": the keys a computed key can be. None for the
    helpers that only forward a key they were given (f"cli.{key}", f"error.{self.key}", f"{key}.items")."""
    parts = node.values
    forwarded = [p for p in parts if isinstance(p, ast.FormattedValue)
                 and ((isinstance(p.value, ast.Name) and p.value.id == "key")
                      or (isinstance(p.value, ast.Attribute) and p.value.attr == "key"))]
    if forwarded and len(parts) == 2:
        return None
    return "".join(re.escape(p.value) if isinstance(p, ast.Constant) else "[^.]+" for p in parts)


def _keys_in_sources() -> tuple[list[tuple[str, str]], set[str], set[str]]:
    """(literal keys given to a text helper, every string constant, patterns of computed keys)."""
    literal, constants, patterns = [], set(), set()
    for name, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant) \
                    and "." in node.values[0].value and (pattern := _pattern(node)) is not None:
                patterns.add(pattern)
            if isinstance(node, ast.Call) and _helper_name(node) in KEY_HELPERS and node.args \
                    and (_helper_name(node) != "text" or name.startswith("metriqr/cli/")):
                first, prefix = node.args[0], KEY_HELPERS[_helper_name(node)]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    literal.append((name, prefix + first.value))
                elif isinstance(first, ast.JoinedStr) and (pattern := _pattern(first)) is not None:
                    patterns.add(re.escape(prefix) + pattern)
                for arg in node.args[1:3]:  # plural(n, key_one, key_many, lang)
                    if _helper_name(node) == "plural" and isinstance(arg, ast.Constant):
                        literal.append((name, arg.value))
    return literal, constants, patterns


def test_every_key_used_anywhere_exists_in_both_languages():
    literal, _, patterns = _keys_in_sources()
    assert len(literal) > 300
    missing = sorted({(name, key) for name, key in literal if key not in CATALOGUE and key not in SEGMENT_KEYS})
    assert missing == []
    heads = {key.split(".")[0] for key in CATALOGUE}
    for pattern in patterns:  # every computed key has at least one entry to land on
        if pattern.split("\\.")[0] in heads:
            assert any(re.fullmatch(pattern, key) for key in CATALOGUE), pattern


def test_no_catalogue_key_is_unused():
    _, constants, patterns = _keys_in_sources()
    used = constants | {f"{prefix}{c}" for c in constants for prefix in ("cli.", "error.")} \
        | {f"{c}.items" for c in constants}
    computed = re.compile("|".join(f"(?:{p})" for p in patterns))
    unused = sorted(key for key in CATALOGUE if key not in used and not computed.fullmatch(key))
    assert unused == []


def test_no_text_is_written_per_language_outside_the_catalogue():
    """Computing modules give keys and typed values; only the catalogue holds words per language."""
    found = []
    for name, tree in _sources():
        if name == "metriqr/texts.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and {k.value for k in node.keys if isinstance(k, ast.Constant)} >= {"pt", "en"}:
                found.append((name, node.lineno))
            if isinstance(node, ast.DictComp) and any(isinstance(g.iter, ast.Name) and g.iter.id == "LANGS"
                                                      for g in node.generators):
                found.append((name, node.lineno))
    assert found == []
