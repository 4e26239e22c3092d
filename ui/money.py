"""The currency in use: what the file says, unless the user chose another one on the Dados page.

One setting (a currency code such as "GBP") per data source, kept in the session and passed
down to every formatter, chart and export; nothing else decides how money is written. A
workspace can store the code and hand it back with `choose`.
"""
from __future__ import annotations

import streamlit as st

from metriqr.currency import Detected, detect_currency
from metriqr.texts import CURRENCIES, DEFAULT_CURRENCY, currency_symbol, t
from ui import cache
from ui.state import DataKey

CHOICE_KEY = "currency_choice"  # {source digest: currency code}


# Both answers are tiny and every page asks them (the sidebar): kept for many data sources, so a page
# never needs the whole dataset again after other users' uploads pushed it out of its cache (issue 9).
@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=cache.HASH)
def detected(data: DataKey) -> Detected | None:
    """What the file says (symbols, headers, country); None without a file behind the data."""
    ds = cache.dataset(data)
    return detect_currency(ds.raw.frame, ds.mapping) if ds.raw is not None else None


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=cache.HASH)
def decided(data: DataKey) -> str | None:
    """A currency the data's source already decided (a workspace's stored setting), else None."""
    return cache.dataset(data).currency


def chosen(data: DataKey) -> str | None:
    return (st.session_state.get(CHOICE_KEY) or {}).get(data.source.digest)


def choose(data: DataKey, code: str) -> None:
    if code in CURRENCIES:
        st.session_state[CHOICE_KEY] = {**(st.session_state.get(CHOICE_KEY) or {}), data.source.digest: code}


def currency(data: DataKey) -> str:
    """The currency code every money figure of this data is written in."""
    found = detected(data)
    return chosen(data) or decided(data) or (found.currency if found else DEFAULT_CURRENCY)


def sentence(data: DataKey, lang: str) -> str:
    """Which currency is in use and why (chosen, detected and how, or the default)."""
    code = currency(data)
    params = {"symbol": currency_symbol(code), "name": t(f"currency.{code}", lang)}
    if chosen(data):
        return t("data.currency_chosen", lang, **params)
    found = detected(data)
    if found:
        return t("data.currency_found", lang, how=t(f"currency.how.{found.how}", lang, example=found.example),
                 **params)
    return t("data.currency_default", lang, **params)


def sidebar_note(data: DataKey, lang: str, basis: str) -> None:
    """The currency in use, said in the sidebar of every page (or that the measures are items)."""
    code = currency(data)
    st.sidebar.caption(t("data.currency_items", lang) if basis == "items" else
                       t("app.currency", lang, symbol=currency_symbol(code), name=t(f"currency.{code}", lang)))
