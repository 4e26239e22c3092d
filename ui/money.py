"""The currency in use: what the file says, unless the user chose another one on the Dados page.

One setting (a currency code such as "GBP") per data source, kept in the session and passed
down to every formatter, chart and export; nothing else decides how money is written.
"""
from __future__ import annotations

import streamlit as st

from metriqr.currency import Detected, detect_currency
from metriqr.texts import CURRENCIES, DEFAULT_CURRENCY, currency_symbol, t
from ui import cache
from ui.state import Source, overrides, sheet

CHOICE_KEY = "currency_choice"  # {data digest: currency code}


@st.cache_data(max_entries=16, show_spinner=False)
def _detected(digest: str, sheet_name: str | None, fixes: tuple, _source: Source) -> Detected | None:
    return detect_currency(cache.raw_table(_source).frame, cache.data_view(_source).mapping)


def detected(source: Source) -> Detected | None:
    return _detected(source.digest, sheet(), overrides(), source)


def chosen(source: Source) -> str | None:
    return (st.session_state.get(CHOICE_KEY) or {}).get(source.digest)


def choose(source: Source, code: str) -> None:
    if code in CURRENCIES:
        st.session_state[CHOICE_KEY] = {**(st.session_state.get(CHOICE_KEY) or {}), source.digest: code}


def currency(source: Source) -> str:
    """The currency code every money figure of this source is written in."""
    found = detected(source)
    return chosen(source) or (found.currency if found else DEFAULT_CURRENCY)


def sentence(source: Source, lang: str) -> str:
    """Which currency is in use and why (chosen, detected and how, or the default)."""
    code = currency(source)
    params = {"symbol": currency_symbol(code), "name": t(f"currency.{code}", lang)}
    if chosen(source):
        return t("data.currency_chosen", lang, **params)
    found = detected(source)
    if found:
        return t("data.currency_found", lang, how=t(f"currency.how.{found.how}", lang, example=found.example),
                 **params)
    return t("data.currency_default", lang, **params)


def sidebar_note(source: Source, lang: str, basis: str) -> None:
    """The currency in use, said in the sidebar of every page (or that the measures are items)."""
    code = currency(source)
    st.sidebar.caption(t("data.currency_items", lang) if basis == "items" else
                       t("app.currency", lang, symbol=currency_symbol(code), name=t(f"currency.{code}", lang)))
