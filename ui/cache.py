"""Cached analysis calls, keyed by the data's content digest and the options.

The bytes argument starts with an underscore so Streamlit does not hash megabytes on
every rerun: the digest stands for them. Each cache is bounded. Small results are cached
on their own so that an interaction that changes nothing reruns without copying the
big transaction table out of the cache.
"""
from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import streamlit as st

from metriqr.aggregates import customer_names, monthly_activity
from metriqr.cleaning import CleaningReport
from metriqr.columns import detect_columns
from metriqr.migration import History, Migration, build_history, migration_chain
from metriqr.recommend import (Purchases, also_bought, build_purchases, buy_again, catalogue,
                               recommend_for_customer, segment_products, segment_recommendations, with_reason_names)
from metriqr.recommend_eval import evaluate
from metriqr.pipeline import Dataset, clean_raw
from metriqr.reading import RawTable, read_table
from metriqr.segmentation import Segmentation, segment_customers
from ui.state import DATE_ORDER, Source, overrides, sheet

Overrides = tuple[tuple[str, str], ...]


# The file as read and the cleaned dataset are the two large objects: kept as they are
# (cache_resource) rather than pickled on every store and hit as cache_data does (~0.4 s on a
# 50 MB file, 0.1 s per rerun). Everything downstream is a pure function that never mutates
# them (tests/test_app.py checks it).
@st.cache_resource(max_entries=4, show_spinner=False)
def _raw(digest: str, name: str, sheet_name: str | None, _data: bytes) -> RawTable:
    return read_table(_data, name=name, sheet=sheet_name)


@st.cache_data(max_entries=4, show_spinner=False)
def _detected(digest: str, name: str, sheet_name: str | None, _data: bytes) -> dict[str, str]:
    return detect_columns(_raw(digest, name, sheet_name, _data).frame)


def detected_mapping(source: Source) -> dict[str, str]:
    return _detected(source.digest, source.name, sheet(), source.data)


@st.cache_resource(max_entries=4, show_spinner=False)
def _dataset(digest: str, name: str, sheet_name: str | None, fixes: Overrides, _data: bytes) -> Dataset:
    columns = dict(fixes)
    order = columns.pop(DATE_ORDER, None)
    return clean_raw(_raw(digest, name, sheet_name, _data), columns, date_order=order)


def raw_table(source: Source) -> RawTable:
    return _raw(source.digest, source.name, sheet(), source.data)


def dataset(source: Source) -> Dataset:
    return _dataset(source.digest, source.name, sheet(), overrides(), source.data)


class DataView(NamedTuple):
    mapping: dict[str, str]
    report: CleaningReport
    preview: pd.DataFrame     # the file's first rows as read
    first: pd.Timestamp       # first and last sale used
    last: pd.Timestamp
    monthly: pd.DataFrame     # metriqr.aggregates.monthly_activity


@st.cache_data(max_entries=8, show_spinner=False)
def _data_view(digest: str, name: str, sheet_name: str | None, fixes: Overrides, _data: bytes):
    """What the Dados page shows: small, so reruns are instant."""
    ds = _dataset(digest, name, sheet_name, fixes, _data)
    tx = ds.cleaned.transactions
    return DataView(ds.mapping, ds.cleaned.report, ds.raw.frame.head(20), tx["date"].min(), tx["date"].max(),
                    monthly_activity(tx))


def data_view(source: Source) -> DataView:
    return _data_view(source.digest, source.name, sheet(), overrides(), source.data)


@st.cache_data(max_entries=16, show_spinner=False)
def _segmentation(digest: str, name: str, sheet_name: str | None, fixes: Overrides, as_of: str | None,
                  window_days: int | None, method: str, _data: bytes) -> tuple[Segmentation, pd.Series | None, str]:
    """The segmentation, customer names (if any) and the monetary basis, for the Segmentação page."""
    ds = _dataset(digest, name, sheet_name, fixes, _data)
    tx = ds.cleaned.transactions
    seg = segment_customers(tx, as_of=as_of, window_days=window_days, method=method)
    names = customer_names(tx)
    return seg, names, ds.cleaned.report.monetary_basis


def segmentation(source: Source, *, as_of: str | None, window_days: int | None, method: str):
    return _segmentation(source.digest, source.name, sheet(), overrides(), as_of, window_days, method, source.data)


@st.cache_data(max_entries=4, show_spinner=False)
def _history(digest: str, name: str, sheet_name: str | None, fixes: Overrides, _data: bytes) -> History:
    """One pass over the transactions; every snapshot of the Migração page derives from it."""
    return build_history(_dataset(digest, name, sheet_name, fixes, _data).cleaned.transactions)


def history(source: Source) -> History:
    return _history(source.digest, source.name, sheet(), overrides(), source.data)


@st.cache_data(max_entries=16, show_spinner=False)
def _chain(digest: str, name: str, sheet_name: str | None, fixes: Overrides, dates: tuple[str, ...], method: str,
           thresholds: str, _data: bytes) -> tuple[list[Migration], pd.Series | None]:
    ds = _dataset(digest, name, sheet_name, fixes, _data)
    chain = migration_chain(_history(digest, name, sheet_name, fixes, _data), list(dates), method=method,
                            refit=thresholds == "each", baseline=dates[-1] if thresholds == "last" else None)
    return chain, customer_names(ds.cleaned.transactions)


def migration(source: Source, dates: list, *, method: str, thresholds: str) -> tuple[list[Migration], pd.Series | None]:
    """Transitions between consecutive dates (thresholds from the first date, the last, or each),
    and customer names for the lists."""
    stamps = tuple(pd.Timestamp(d).strftime("%Y-%m-%d") for d in dates)
    return _chain(source.digest, source.name, sheet(), overrides(), stamps, method, thresholds, source.data)


@st.cache_data(max_entries=2, show_spinner=False)
def _purchases(digest: str, name: str, sheet_name: str | None, fixes: Overrides, with_model: bool,
               _data: bytes) -> Purchases:
    """Sparse purchase matrices, built once per dataset; `with_model` also fits the item-to-item
    model before caching, so per-customer questions never refit it (also-bought lists skip it)."""
    purchases = build_purchases(_dataset(digest, name, sheet_name, fixes, _data).cleaned.transactions)
    if with_model:
        purchases.model  # noqa: B018 — fitted now, stored with the cached object
    return purchases


@st.cache_data(max_entries=64, show_spinner=False)
def _recommendation(digest: str, name: str, sheet_name: str | None, fixes: Overrides, what: str, args: tuple,
                    _data: bytes):
    """Small recommendation results, each cached by data, question and options (reruns stay instant)."""
    if what == "evaluate":  # its own train/test split: never the full-data matrices
        return evaluate(_dataset(digest, name, sheet_name, fixes, _data).cleaned.transactions)
    purchases = _purchases(digest, name, sheet_name, fixes, what in ("customer", "segment", "segment_export"), _data)
    if what == "catalogue":
        return catalogue(purchases)
    if what == "also_bought":
        product, basis, min_together, top = args
        return also_bought(purchases, product, basis=basis, min_together=min_together, top=top)
    segments = _segmentation(digest, name, sheet_name, fixes, None, None, "quantile", _data)[0].customers["segment"]
    segments = segments.astype(str)
    if what == "customer":
        (customer,) = args
        recs = recommend_for_customer(purchases, customer, top=10, segments=segments)
        return with_reason_names(purchases, recs), buy_again(purchases, customer), segments.get(customer)
    if what == "segment":
        (segment,) = args
        return segment_products(purchases, segments, segment)
    if what == "segment_export":
        (segment,) = args
        return segment_recommendations(purchases, segments, segment)
    raise ValueError(what)


def recommendation(source: Source, what: str, *args: object):
    return _recommendation(source.digest, source.name, sheet(), overrides(), what, args, source.data)
