"""Cached analysis calls: one cached function per question, keyed by the data and the options.

Every function takes a `DataKey` (source, sheet, column corrections), hashed by its token —
kind, digest, name, sheet, corrections — so no rerun hashes or copies the file's bytes.
Large objects that pages only read (the table as read, the cleaned dataset, the migration
history, the purchase matrices with their fitted model) live in `st.cache_resource`: shared,
never pickled, so a hit costs nothing. Small results live in `st.cache_data` (a copy per caller).
Recommendations that depend on segments take the same `Options` as Segmentação, so every page
shows the segments the user chose. Each cache is bounded.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import pandas as pd
import streamlit as st

from metriqr.aggregates import Ledger, build_ledger, customer_contacts
from metriqr.cleaning import CleaningReport
from metriqr.columns import customer_column_note, detect_columns
from metriqr.migration import Migration, migration_chain
from metriqr.pipeline import Dataset, clean_raw
from metriqr.reading import RawTable
from metriqr.segmentation import Segmentation, segment_ledger
from ui.state import DATE_ORDER, DataKey, Options, Source

if TYPE_CHECKING:
    from metriqr.recommend import Purchases

HASH = {DataKey: DataKey.token, Source: lambda source: source.key}


# --- the data -----------------------------------------------------------------------------

@st.cache_resource(max_entries=4, show_spinner=False, hash_funcs=HASH)
def _raw(source: Source, sheet: str | None) -> RawTable:
    return source.read(sheet)


def raw_table(data: DataKey) -> RawTable:
    """The file as read (independent of the column corrections)."""
    return _raw(data.source, data.sheet)


@st.cache_data(max_entries=4, show_spinner=False, hash_funcs=HASH)
def _detected(source: Source, sheet: str | None) -> dict[str, str]:
    return detect_columns(_raw(source, sheet).frame)


def detected_mapping(data: DataKey) -> dict[str, str]:
    return _detected(data.source, data.sheet)


@st.cache_resource(max_entries=4, show_spinner=False, hash_funcs=HASH)
def dataset(data: DataKey) -> Dataset:
    """The cleaned dataset, shared by every page (pages never modify it: tests/test_app.py checks)."""
    if data.source.stored is not None:  # a workspace: its stored history, already cleaned
        return data.source.stored()
    columns = dict(data.fixes)
    order = columns.pop(DATE_ORDER, None)  # the day/month order chosen on Dados travels with the corrections
    return clean_raw(raw_table(data), columns, date_order=order)


@st.cache_resource(max_entries=4, show_spinner=False, hash_funcs=HASH)
def ledger(data: DataKey) -> Ledger:
    """The one reduction per customer and day (metriqr.aggregates.Ledger), shared: the segmentation,
    every migration snapshot and the monthly chart are views on it."""
    return build_ledger(dataset(data).cleaned.transactions)


class DataView(NamedTuple):
    mapping: dict[str, str]
    report: CleaningReport
    preview: pd.DataFrame     # the file's first rows as read
    first: pd.Timestamp       # first and last sale used
    last: pd.Timestamp
    monthly: pd.DataFrame     # metriqr.aggregates.Ledger.monthly
    customer_note: tuple[str, str] | None  # metriqr.columns.customer_column_note: (passed-over header, why)


# The views pages open with (this one, the segmentation, names, the catalogue, the quality figure) are
# small and kept for many data sources (32), so one user's pages stay cached while others upload; the
# large objects behind them (table, dataset, ledger, matrices) are kept for 4 or fewer.
@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=HASH)
def data_view(data: DataKey) -> DataView:
    """What the Dados page shows, and the period every page needs: small, so reruns are instant."""
    ds = dataset(data)
    tx = ds.cleaned.transactions
    preview = ds.raw.frame.head(20) if ds.raw is not None else tx.head(20)
    note = customer_column_note(ds.raw.frame, ds.mapping) if ds.raw is not None else None
    return DataView(ds.mapping, ds.cleaned.report, preview, tx["date"].min(), tx["date"].max(), ledger(data).monthly(),
                    note)


# --- segments -----------------------------------------------------------------------------

class SegmentationView(NamedTuple):
    segmentation: Segmentation
    names: pd.DataFrame | None  # customer name, e-mail, phone (the ones the file has)
    basis: str                # the monetary basis (money, quantity × price, items)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=HASH)
def segmentation(data: DataKey, options: Options) -> SegmentationView:
    tx = dataset(data).cleaned.transactions
    seg = segment_ledger(ledger(data), as_of=options.as_of, window_days=options.window_days, method=options.method)
    # name, e-mail and phone: they travel into every customer list
    return SegmentationView(seg, customer_contacts(tx), dataset(data).cleaned.report.monetary_basis)


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=HASH)
def segments(data: DataKey, options: Options) -> pd.Series:
    """Each customer's segment key under the user's options (what recommendations by segment use)."""
    return segmentation(data, options).segmentation.customers["segment"].astype(str)


# --- migration ----------------------------------------------------------------------------

def history(data: DataKey) -> Ledger:
    """Every snapshot of the Migração page is a view on the dataset's one ledger."""
    return ledger(data)


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=HASH)
def _chain(data: DataKey, dates: tuple[str, ...], method: str, thresholds: str) -> list[Migration]:
    return migration_chain(history(data), list(dates), method=method, refit=thresholds == "each",
                           baseline=dates[-1] if thresholds == "last" else None)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=HASH)
def names(data: DataKey) -> pd.Series | None:
    return customer_contacts(dataset(data).cleaned.transactions)


def migration(data: DataKey, dates: list, *, method: str, thresholds: str) -> tuple[list[Migration], pd.Series | None]:
    """Transitions between consecutive dates (thresholds from the first date, the last, or each),
    and customer names for the lists."""
    stamps = tuple(pd.Timestamp(d).strftime("%Y-%m-%d") for d in dates)
    return _chain(data, stamps, method, thresholds), names(data)


# --- recommendations ----------------------------------------------------------------------
# metriqr.recommend (and scipy with it, ~0.4 s) is imported when a recommendation is first asked
# for, not when a page imports this module: a cold link to Segmentação does not wait for it.

def _rec():
    from metriqr import recommend

    return recommend


@st.cache_resource(max_entries=2, show_spinner=False, hash_funcs=HASH)
def purchases(data: DataKey) -> Purchases:
    """Sparse purchase matrices, built once per dataset and shared. The item-to-item model is a
    lazy attribute of this one object: fitted on the first per-customer question, then kept."""
    return _rec().build_purchases(dataset(data).cleaned.transactions)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=HASH)
def catalogue(data: DataKey) -> pd.DataFrame:
    return _rec().catalogue(purchases(data))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=HASH)
def also_bought(data: DataKey, product: str, basis: str, min_together: int, top: int = 5) -> pd.DataFrame:
    return _rec().also_bought(purchases(data), product, basis=basis, min_together=min_together, top=top)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=HASH)
def customer_offers(data: DataKey, options: Options, customer: str) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    """What to offer one customer, what they may buy again, and their segment under `options`."""
    rec, bought, seg = _rec(), purchases(data), segments(data, options)
    offers = rec.recommend_for_customer(bought, customer, top=10, segments=seg)
    if not rec.has_history(bought, customer):  # segmented, but no product line: the segment's list only
        return rec.with_reason_names(bought, offers), rec.buy_again(bought, bought.customers[0]).head(0), \
            seg.get(customer)
    return rec.with_reason_names(bought, offers), rec.buy_again(bought, customer), seg.get(customer)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=HASH)
def segment_products(data: DataKey, options: Options, segment: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _rec().segment_products(purchases(data), segments(data, options), segment)


@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=HASH)
def segment_campaign(data: DataKey, options: Options, segment: str) -> pd.DataFrame:
    """Every customer of the segment with their recommendations (the campaign download)."""
    return _rec().segment_recommendations(purchases(data), segments(data, options), segment)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=HASH)
def quality(data: DataKey) -> dict:
    """The hold-out evaluation: its own train/test split, never the full-data matrices."""
    from metriqr.recommend_eval import evaluate

    return evaluate(dataset(data).cleaned.transactions)


# --- predicted value (issue 16) -----------------------------------------------------------
# metriqr.predict (scipy.optimize, scipy.special) is imported when a prediction is first asked for.

class PredictionView(NamedTuple):
    """What Valor previsto shows for one data set, options and horizon; `refused` is the refusal's
    (message key, values) when the model cannot be fitted honestly (then the other fields are None)."""
    prediction: object | None       # metriqr.predict.Prediction
    values: pd.DataFrame | None     # metriqr.predict.segment_values
    customers: pd.DataFrame | None  # metriqr.predict.with_segments, best predicted value first
    refused: tuple[str, dict] | None


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=HASH)
def _predicted(data: DataKey, as_of: str, horizon_days: int) -> tuple[object | None, tuple[str, dict] | None]:
    """The fit depends on the data and the reference date only (not on the window or the scoring method):
    shared, read-only, so another window or method reuses it."""
    from metriqr.errors import ModelRefused
    from metriqr.predict import predict

    try:
        return predict(ledger(data), as_of=pd.Timestamp(as_of), horizon_days=horizon_days), None
    except ModelRefused as refusal:
        return None, (refusal.key, dict(refusal.params))


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=HASH)
def prediction(data: DataKey, options: Options, horizon_days: int) -> PredictionView:
    """Both models fitted on the history before the reference date, predictions over the horizon, beside
    the segments chosen on Segmentação (same date, window and method)."""
    from metriqr.predict import segment_values, with_segments

    as_of = segmentation(data, options).segmentation.as_of
    result, refused = _predicted(data, as_of.strftime("%Y-%m-%d"), horizon_days)
    if result is None:
        return PredictionView(None, None, None, refused)
    segs = segments(data, options)
    return PredictionView(result, segment_values(result, segs), with_segments(result, segs), None)


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=HASH)
def calibration(data: DataKey, as_of: str, holdout_days: int) -> tuple[object | None, tuple[str, dict] | None]:
    """The hold-out check: BG/NBD fitted before `as_of` − `holdout_days`, compared with what happened until
    `as_of` (metriqr.predict.Calibration), or the refusal's (key, values)."""
    from metriqr.errors import MetriqrError
    from metriqr.predict import calibrate, holdout_cutoff

    book = ledger(data)
    end = pd.Timestamp(as_of)
    try:
        return calibrate(book, cutoff=holdout_cutoff(book, as_of=end, holdout_days=holdout_days), end=end), None
    except MetriqrError as refusal:
        return None, (refusal.key, dict(refusal.params))


# --- campaigns (a workspace's saved runs, uploaded lists) -----------------------------------------

@st.cache_resource(max_entries=8, show_spinner=False)
def _saved_run(digest: str, run: int, _workspace) -> Segmentation:
    from metriqr.workspace import saved_segmentation

    return saved_segmentation(_workspace, run)


def saved_run(data: DataKey, workspace, run: int) -> Segmentation:
    """A saved run as saved, read once per workspace version (the source's digest changes with every write)."""
    return _saved_run(data.source.digest, int(run), workspace)


@st.cache_data(max_entries=4, show_spinner=False)
def _customer_list(digest: str, name: str, _content: bytes) -> list[str]:
    from metriqr.campaigns import read_customer_list

    return read_customer_list(_content, name=name)


def customer_list(content: bytes, name: str) -> list[str]:
    """The ids of an uploaded list of customers, read once per file (not on every rerun)."""
    import hashlib

    return _customer_list(hashlib.sha256(content).hexdigest(), name, content)
