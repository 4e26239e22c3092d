"""Which currency the amounts are in, read from the file where it says so.

The file says it in three ways, trusted in this order: a symbol or code in the values
(`£ 3,50`, `US$ 10.00`), a column title (`Valor (R$)`, `Price (GBP)`), or the customers'
country when one country dominates (Online Retail: United Kingdom → pounds). Nothing is
converted: the currency only decides how money is written. The user can always choose
another one on the Dados page.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from metriqr.columns import normalise_header
from metriqr.texts import CURRENCIES

# Longest symbols first: "US$" and "R$" must win over "$".
_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("R$", "BRL"), ("US$", "USD"), ("U$", "USD"), ("AR$", "ARS"), ("MX$", "MXN"), ("CA$", "CAD"),
    ("A$", "AUD"), ("£", "GBP"), ("€", "EUR"), ("¥", "JPY"), ("$", "USD"))
_CODES = {code for code in CURRENCIES} | {"REAIS", "REAL", "EURO", "EUROS", "DOLLAR", "DOLLARS", "POUNDS", "DOLAR"}
_WORDS = {"REAIS": "BRL", "REAL": "BRL", "EURO": "EUR", "EUROS": "EUR", "DOLLAR": "USD", "DOLLARS": "USD",
          "DOLAR": "USD", "POUNDS": "GBP"}
_COUNTRY = {"united kingdom": "GBP", "uk": "GBP", "england": "GBP", "brasil": "BRL", "brazil": "BRL",
            "united states": "USD", "usa": "USD", "eua": "USD", "estados unidos": "USD", "germany": "EUR",
            "france": "EUR", "spain": "EUR", "portugal": "EUR", "italy": "EUR", "netherlands": "EUR",
            "ireland": "EUR", "eire": "EUR", "argentina": "ARS", "mexico": "MXN", "chile": "CLP",
            "canada": "CAD", "australia": "AUD", "japan": "JPY", "switzerland": "CHF"}
_MONEY_ROLES = ("amount", "unit_price")
SAMPLE = 500


@dataclass(frozen=True)
class Detected:
    """A currency code and how it was found: how ∈ symbol | header | country; `example` is what said it."""

    currency: str
    how: str
    example: str


def _symbol_in(text: str) -> str | None:
    for symbol, code in _SYMBOLS:
        if symbol in text:
            return code
    return None


def _code_in_header(header: str) -> str | None:
    symbol = _symbol_in(header)
    if symbol:
        return symbol
    for word in re.findall(r"[A-Za-z]+", header):
        if word.upper() in _CODES and (word.isupper() or word.upper() in _WORDS):
            return _WORDS.get(word.upper(), word.upper())
    return None


def detect_currency(frame: pd.DataFrame, mapping: Mapping[str, str]) -> Detected | None:
    """The currency the file states, or None when it does not say (the caller keeps its default)."""
    money_headers = [mapping[r] for r in _MONEY_ROLES if r in mapping and mapping[r] in frame.columns]
    for header in money_headers:
        values = frame[header].dropna().head(SAMPLE)
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        text = values.astype(str)
        for symbol, code in _SYMBOLS:
            hits = text[text.str.contains(symbol, regex=False)]
            if len(hits) >= max(1, len(text) // 2):
                return Detected(code, "symbol", str(hits.iloc[0])[:40])
    for header in money_headers + [h for h in frame.columns if h not in money_headers]:
        code = _code_in_header(str(header))
        if code and (header in money_headers or re.search(r"(?i)valor|pre[cç]o|price|amount|total|moeda|currency",
                                                          str(header))):
            if header not in money_headers and normalise_header(header) in ("moeda", "currency"):
                continue
            return Detected(code, "header", str(header)[:40])
    for header in frame.columns:
        if normalise_header(header) in ("moeda", "currency", "currency code"):
            values = frame[header].dropna().astype(str).str.strip().str.upper().head(SAMPLE)
            top = values.value_counts()
            if len(top) and top.index[0] in CURRENCIES and top.iloc[0] >= len(values) / 2:
                return Detected(top.index[0], "header", str(header)[:40])
        if normalise_header(header) in ("country", "pais", "country name", "pais do cliente"):
            values = frame[header].dropna().astype(str).str.strip().str.lower().head(20 * SAMPLE)
            top = values.value_counts()
            if len(top) and top.index[0] in _COUNTRY and top.iloc[0] >= 0.6 * len(values):
                return Detected(_COUNTRY[top.index[0]], "country", str(frame[header].dropna().iloc[0])[:40])
    return None
