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
    start = window_start(as_of, window_days)
    everything = bool(in_window.all())  # the default: no copy of the columns
    is_return = transactions["is_return"].to_numpy(dtype=bool)
    purchase = ~is_return if everything else ~is_return[in_window]
    if not purchase.any() and start is None:  # no window was chosen: do not speak of one
        raise OptionError("no_purchases_before", end=date_in_every_lang(as_of - pd.Timedelta(days=1)))
    if not purchase.any():
        raise OptionError("no_customers_in_window",
                          start=date_in_every_lang(start if start is not None else transactions["date"].min()),
                          end=date_in_every_lang(as_of - pd.Timedelta(days=1)))

    def column(values: np.ndarray) -> np.ndarray:
        return values if everything else values[in_window]

    # Integer codes, customers in sorted order: the result never depends on row order.
    code, customers = sorted_codes(transactions["customer"])
    code = column(code)
    n = len(customers)
    dates = column(transactions["date"].to_numpy())
    day = dates.astype("datetime64[D]").astype(np.int64)
    bought, bought_day = code[purchase], day[purchase]
    if "order" in transactions:
        frequency = _distinct_per_customer(bought, column(sorted_codes(transactions["order"])[0])[purchase], n)
    else:
        frequency = _distinct_per_customer(bought, bought_day - bought_day.min(), n)
    last = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last, bought, bought_day)
    # Rounded so the float sum does not depend on row order (0.1 + 0.2 + 0.3 ≠ 0.3 + 0.2 + 0.1):
    # equal spends must compare equal under the tie rule.
    amount = column(transactions["amount"].to_numpy(dtype=float))
    monetary = np.round(np.bincount(code, weights=amount, minlength=n), 6)
    keep = np.bincount(bought, minlength=n) > 0
    last_purchase = last[keep].astype("datetime64[D]")
    return pd.DataFrame({
        "last_purchase": last_purchase.astype(dates.dtype),
        "recency_days": (np.datetime64(as_of.normalize().date(), "D") - last_purchase).astype(np.int64),
        "frequency": frequency[keep].astype(np.int64),
        "monetary": monetary[keep],
    }, index=pd.Index(np.asarray(customers, dtype=object)[keep], name="customer"))


def sorted_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row, distinct values sorted); a missing value is code −1. Cleaning hands
    over categoricals with sorted categories, whose codes are used as they are."""
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.is_monotonic_increasing:
        return values.cat.codes.to_numpy().astype(np.int64), np.asarray(values.cat.categories, dtype=object)
    if isinstance(values.dtype, pd.CategoricalDtype):  # factorize would sort by category order
        values = values.astype(object)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _distinct_per_customer(customer: np.ndarray, occasion: np.ndarray, n: int) -> np.ndarray:
    """Distinct occasions (codes ≥ 0; −1 is not an occasion) per customer.

    An order number normally belongs to one customer: then this is a count of orders by
    their customer, O(rows). Otherwise (shared numbers, or days) distinct pairs are hashed.
    """
    known = occasion >= 0
    customer, occasion = customer[known], occasion[known]
    if not len(occasion):
        return np.zeros(n, dtype=np.int64)
    owner = np.full(int(occasion.max()) + 1, -1, dtype=np.int64)
    owner[occasion] = customer
    if np.array_equal(owner[occasion], customer):
        return np.bincount(owner[owner >= 0], minlength=n)
    width = int(occasion.max()) + 1
    pairs = pd.unique(customer * width + occasion)
    return np.bincount(pairs // width, minlength=n)


def monthly_activity(transactions: pd.DataFrame) -> pd.DataFrame:
    """Per calendar month, empty months included: lines, distinct customers and net revenue.

    Shown on the data page as a sanity check: a gap or a spike is how wrongly read dates show.
    """
    month = transactions["date"].to_numpy().astype("datetime64[M]")
    first, last = month.min(), month.max()
    index = (month - first).astype(np.int64)
    n = int((last - first).astype(np.int64)) + 1
    customer = pd.factorize(transactions["customer"])[0].astype(np.int64)
    width = int(customer.max()) + 1
    seen = pd.unique(index * width + customer)  # distinct (month, customer)
    return pd.DataFrame({
        "month": np.arange(first, last + 1).astype("datetime64[ns]"),
        "lines": np.bincount(index, minlength=n),
        "customers": np.bincount(seen // width, minlength=n),
        "revenue": np.bincount(index, weights=transactions["amount"].to_numpy(dtype=float), minlength=n),
    })


def customer_names(transactions: pd.DataFrame) -> pd.Series | None:
    """Each customer's most recent name, when the data has a name column (for campaign lists)."""
    if "customer_name" not in transactions:
        return None
    latest = transactions.sort_values("date", kind="stable").drop_duplicates("customer", keep="last")
    return latest.set_index("customer")["customer_name"]
