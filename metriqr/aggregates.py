"""The one pass over transactions: one row per customer, everything else works on it.

Kept as plain vectorised group-bys so that this step is the one to push down to a
database or a cluster engine when the data outgrows one machine.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from metriqr.errors import OptionError
from metriqr.texts import date_in_every_lang

SUMMARY_COLUMNS = ("last_purchase", "recency_days", "frequency", "monetary")


def default_as_of(transactions: pd.DataFrame) -> pd.Timestamp:
    """The day after the last transaction: every purchase of the last day counts."""
    return transactions["date"].max().normalize() + pd.Timedelta(days=1)


def window_start(as_of: pd.Timestamp, window_days: int | None) -> pd.Timestamp | None:
    return None if not window_days else as_of - pd.Timedelta(days=int(window_days))


def window_mask(transactions: pd.DataFrame, *, as_of: pd.Timestamp, window_days: int | None) -> np.ndarray:
    """Rows dated before `as_of` and, with a look-back window, on or after its start."""
    dates = transactions["date"]
    mask = (dates < as_of).to_numpy()
    start = window_start(as_of, window_days)
    if start is not None:
        mask = mask & (dates >= start).to_numpy()
    return mask


def check_as_of(transactions: pd.DataFrame, as_of: pd.Timestamp) -> None:
    first = transactions["date"].min().normalize()
    if as_of <= first:
        after_last = default_as_of(transactions)
        raise OptionError("as_of_before_data", as_of=date_in_every_lang(as_of), first=date_in_every_lang(first),
                          after_last=date_in_every_lang(after_last))


def customer_summary(transactions: pd.DataFrame, *, as_of: pd.Timestamp,
                     window_days: int | None = None) -> pd.DataFrame:
    """Recency, frequency and net spend per customer, from transactions dated before `as_of`.

    Frequency counts purchase occasions: distinct orders when there is an order column,
    else distinct purchase days; returns are never occasions but reduce the net spend.
    Only customers with at least one purchase in the window are kept.
    """
    in_window = window_mask(transactions, as_of=as_of, window_days=window_days)
    dates = transactions["date"]
    start = window_start(as_of, window_days)
    tx = transactions.loc[in_window]
    purchase = ~tx["is_return"].to_numpy(dtype=bool)
    if not purchase.any():
        raise OptionError("no_customers_in_window", start=date_in_every_lang(start if start is not None else dates.min()),
                          end=date_in_every_lang(as_of - pd.Timedelta(days=1)))
    # Integer codes, customers in sorted order: the result never depends on row order.
    code, customers = pd.factorize(tx["customer"], sort=True)
    n = len(customers)
    day = tx["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    occasion = pd.factorize(tx["order"])[0] if "order" in tx else day
    bought, bought_day, bought_occasion = code[purchase], day[purchase], occasion[purchase]
    # frequency: distinct (customer, occasion) pairs among purchases; a line without an
    # order number (code -1) is not an occasion
    known = bought_occasion >= 0
    width = int(occasion.max()) + 1
    pairs = pd.unique(bought[known].astype(np.int64) * width + bought_occasion[known])  # hashing, no sort
    frequency = np.bincount(pairs // width, minlength=n)
    last = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last, bought, bought_day)
    # Rounded so the float sum does not depend on row order (0.1 + 0.2 + 0.3 ≠ 0.3 + 0.2 + 0.1):
    # equal spends must compare equal under the tie rule.
    monetary = np.round(np.bincount(code, weights=tx["amount"].to_numpy(dtype=float), minlength=n), 6)
    keep = np.bincount(bought, minlength=n) > 0
    per_customer = pd.DataFrame({
        "last_purchase": last[keep].astype("datetime64[D]").astype(tx["date"].to_numpy().dtype),
        "frequency": frequency[keep].astype(np.int64),
        "monetary": monetary[keep],
    }, index=pd.Index(np.asarray(customers, dtype=object)[keep], name="customer"))
    per_customer["recency_days"] = (as_of.normalize() - per_customer["last_purchase"]).dt.days.astype("int64")
    return per_customer[list(SUMMARY_COLUMNS)]


def customer_names(transactions: pd.DataFrame) -> pd.Series | None:
    """Each customer's most recent name, when the data has a name column (for campaign lists)."""
    if "customer_name" not in transactions:
        return None
    latest = transactions.sort_values("date", kind="stable").drop_duplicates("customer", keep="last")
    return latest.set_index("customer")["customer_name"]
