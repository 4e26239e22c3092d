"""An honest quality figure for the recommendations: a time hold-out against popularity.

Train on everything before the cut-off, test on the weeks after it, with the very code the
product uses (`metriqr.recommend`). Protocols (docs/recommendations.md):

- per customer: customers with purchases before the cut-off who, in the test window, buy at
  least one product they had not bought before and that existed before the cut-off. Their
  top-k not-yet-bought recommendations are compared with that set: hit rate (at least one
  bought), precision (share of the k bought), recall (share of the set recommended).
  Baselines on the same customers: the k products bought by most customers before the
  cut-off (all history, and the last 30 days), minus what each customer already had;
- per product: every test basket with at least two known products; for each product A in it
  seen in at least `min_together` training baskets, a hit when one of A's top-5 also-bought
  products is in the same basket. A list shorter than 5 (too few pairs pass the evidence
  threshold) is completed with the best-sellers, as the reference figures were; the unpadded
  figure is reported too. Baseline: the 5 best-sellers other than A.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from metriqr.errors import ColumnError, OptionError
from metriqr.recommend import (MIN_TOGETHER, Purchases, also_bought_all, build_purchases, recent_popularity,
                               recommend_for_customers)
from metriqr.recommend_kernels import binary

MIN_EVAL_CUSTOMERS = 20   # fewer customers to test on → no figure rather than a noisy one
RECENT_BASELINE_DAYS = 30
ALSO_K = 5


def default_cutoff(transactions: pd.DataFrame) -> pd.Timestamp:
    """About three months before the last sale, but never before the middle of the history."""
    first, last = transactions["date"].min().normalize(), transactions["date"].max().normalize()
    return max(last - pd.Timedelta(days=91), first + (last - first) / 2).normalize()


def _rates(hits: np.ndarray, k: int, wanted: np.ndarray) -> dict[str, float]:
    return {"hit_rate": float(np.mean(hits > 0)), "precision": float(np.mean(hits / k)),
            "recall": float(np.mean(hits / wanted))}


def _hits(new: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray, n_rows: int) -> np.ndarray:
    """Per evaluated customer (0..n_rows-1), how many of its recommended columns it bought."""
    got = np.asarray(new[rows, cols]).ravel() > 0 if len(rows) else np.zeros(0, dtype=bool)
    return np.bincount(rows[got], minlength=n_rows).astype(np.float64)


def _popular_top(bought_before: sparse.csr_matrix, counts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k by `counts` per customer row, skipping what the row already bought."""
    order = np.argsort(-counts, kind="stable")
    # Vectorised over customers: the head long enough for anyone, minus bought, first k.
    head = order[:k + int(np.diff(bought_before.indptr).max(initial=0))]
    taken = bought_before[:, head].toarray() > 0
    keep = ~taken & (np.cumsum(~taken, axis=1) <= k)
    r, j = np.nonzero(keep)
    return r, head[j]


def evaluate(transactions: pd.DataFrame, *, cutoff: pd.Timestamp | str | None = None, k: int = 10,
             test_days: int | None = None, min_together: int = MIN_TOGETHER) -> dict:
    """Hold-out quality of per-customer and per-product recommendations vs popularity (dict for the CLI)."""
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise OptionError("bad_top", value=str(k))
    if "product" not in transactions.columns:
        raise ColumnError("no_product_column")
    dates = transactions["date"]
    first, last = dates.min().normalize(), dates.max().normalize()
    if first == last:  # no date splits one day: say that, not "choose a date between D+1 and D"
        raise OptionError("holdout_one_day", day=first)
    cut = default_cutoff(transactions) if cutoff is None else pd.Timestamp(cutoff).normalize()
    if not first < cut <= last:
        raise OptionError("holdout_cutoff_out_of_range", cutoff=cut, first=first + pd.Timedelta(days=1),
                          last=last)
    end = last + pd.Timedelta(days=1) if not test_days else cut + pd.Timedelta(days=int(test_days))
    before = (dates < cut).to_numpy()
    after = ((dates >= cut) & (dates < end)).to_numpy() & ~transactions["is_return"].to_numpy(dtype=bool)
    purchases = build_purchases(transactions.loc[before])
    test = transactions.loc[after]
    test = test.loc[test["product"].notna().to_numpy()]
    p = pd.Index(purchases.products).get_indexer(test["product"].to_numpy(dtype=object))
    c = pd.Index(purchases.customers).get_indexer(test["customer"].to_numpy(dtype=object))
    known = p >= 0
    bought = binary(purchases.history)
    # Per customer: the not-yet-bought products each known customer bought in the test window.
    ok = known & (c >= 0)
    shape = bought.shape
    later = sparse.csr_matrix((np.ones(int(ok.sum()), np.float32), (c[ok], p[ok])), shape=shape)
    later.data[:] = 1
    new = (later - later.multiply(bought)).tocsr()
    new.eliminate_zeros()
    wanted_all = np.diff(new.indptr)
    evaluated = np.flatnonzero(wanted_all > 0)
    if len(evaluated) < MIN_EVAL_CUSTOMERS:
        raise OptionError("holdout_too_little", cutoff=cut, customers=len(evaluated),
                          minimum=MIN_EVAL_CUSTOMERS)
    new_e, wanted = new[evaluated], wanted_all[evaluated].astype(np.float64)
    recs = recommend_for_customers(purchases, purchases.customers[evaluated], top=k, explain=False)
    position = pd.Index(purchases.customers[evaluated]).get_indexer(recs["customer"].to_numpy(dtype=object))
    cols = pd.Index(purchases.products).get_indexer(recs["product"].to_numpy(dtype=object))
    result = {"cutoff": cut.date().isoformat(), "test_end": (end - pd.Timedelta(days=1)).date().isoformat(), "k": int(k),
              "customers_evaluated": int(len(evaluated)),
              **_rates(_hits(new_e, position, cols, len(evaluated)), k, wanted)}
    bought_e = bought[evaluated]
    alltime = np.asarray(bought.sum(axis=0)).ravel()
    r, j = _popular_top(bought_e, alltime, k)
    result["popularity"] = _rates(_hits(new_e, r, j, len(evaluated)), k, wanted)
    recent = recent_popularity(purchases, days=RECENT_BASELINE_DAYS)
    r, j = _popular_top(bought_e, recent + alltime * 1e-6, k)
    result["recent_popularity"] = {"days": RECENT_BASELINE_DAYS, **_rates(_hits(new_e, r, j, len(evaluated)), k, wanted)}
    result["also_bought"] = _also_bought_rates(purchases, test, p, min_together=min_together)
    return result


def _also_bought_rates(purchases: Purchases, test: pd.DataFrame, p: np.ndarray, *, min_together: int) -> dict:
    """Hit rate of the top-5 also-bought lists on the test baskets (see the module docstring)."""
    known = p >= 0
    if "order" in test.columns and test["order"].notna().any():
        within = pd.factorize(test["order"])[0] + 1  # 0: lines without an order number
    else:
        within = test["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    key = pd.factorize(test["customer"])[0].astype(np.int64) * (int(within.max()) - int(within.min()) + 1) \
        + (within - within.min())
    basket, _ = pd.factorize(key[known])
    n_p = len(purchases.products)
    test_baskets = sparse.csr_matrix((np.ones(int(known.sum()), np.float32), (basket, p[known])),
                                     shape=(int(basket.max(initial=-1)) + 1, n_p))
    test_baskets.data[:] = 1
    size = np.diff(test_baskets.indptr)
    row = np.repeat(np.arange(test_baskets.shape[0]), size)
    a = test_baskets.indices
    n_a = purchases.together_order.diagonal()
    keep = (size[row] >= 2) & (n_a[a] >= min_together)
    row, a = row[keep], a[keep]
    table = also_bought_all(purchases, top=ALSO_K, min_together=min_together)
    lists = -np.ones((n_p, ALSO_K), dtype=np.int64)
    index = pd.Index(purchases.products)
    lists[index.get_indexer(table["for_product"]), table["rank"].to_numpy() - 1] = \
        index.get_indexer(table["product"])
    bestsellers = np.argsort(-n_a, kind="stable")
    padded = _pad(lists, bestsellers)
    popular = _pad(-np.ones_like(lists), bestsellers)

    # (basket, product) pairs present in the test, as one sorted integer key each
    present = np.repeat(np.arange(test_baskets.shape[0], dtype=np.int64), size) * n_p + test_baskets.indices

    def rate(tops: np.ndarray) -> float:
        hit = np.zeros(len(a), dtype=bool)
        for j in range(ALSO_K):
            cand = tops[a, j]
            hit |= (cand >= 0) & np.isin(row.astype(np.int64) * n_p + cand, present)
        return float(hit.mean()) if len(hit) else float("nan")

    return {"k": ALSO_K, "basis": "order", "min_together": int(min_together), "products_in_baskets": int(len(a)),
            "hit_rate": rate(padded), "hit_rate_unpadded": rate(lists), "popularity_hit_rate": rate(popular)}


def _pad(lists: np.ndarray, bestsellers: np.ndarray) -> np.ndarray:
    """Complete each row's empty slots (-1) with the best-sellers not already in it nor the row's product."""
    n_p, k = lists.shape
    head = bestsellers[:2 * k + 1]
    out = lists.copy()
    taken = (lists[:, :, None] == head[None, None, :]).any(axis=1) | (np.arange(n_p)[:, None] == head[None, :])
    free = np.where(~taken, head[None, :], -1)
    for row in np.flatnonzero((out < 0).any(axis=1)):  # per product, never per pair
        fill = free[row][free[row] >= 0]
        slots = np.flatnonzero(out[row] < 0)
        out[row, slots] = fill[:len(slots)]
    return out
