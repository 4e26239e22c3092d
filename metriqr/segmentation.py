"""Customers → RFM scores → the ten segments, and the per-segment report table."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from metriqr.aggregates import Ledger, check_as_of, ledger_of
from metriqr.scoring import RFMScorer
from metriqr.segments import SEGMENT_KEYS, SEGMENTS, fm_score, segment_index


ONE_OCCASION_WARNING = 0.95  # warn when this share of customers or more bought on one occasion only


@dataclass(frozen=True)
class Segmentation:
    customers: pd.DataFrame  # index customer; last_purchase, recency_days, frequency, monetary, r, f, m, fm, segment
    as_of: pd.Timestamp
    window_days: int | None
    scorer: RFMScorer
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    occasions: int
    revenue: float

    @property
    def one_occasion_share(self) -> float:
        """Share of customers with exactly one purchase occasion; ≥ ONE_OCCASION_WARNING is suspicious
        (an id minted per order, as marketplace exports do, makes every purchase a new customer)."""
        frequency = self.customers["frequency"].to_numpy()
        return float((frequency == 1).mean()) if len(frequency) else float("nan")

    @property
    def mostly_one_occasion(self) -> bool:
        return self.one_occasion_share >= ONE_OCCASION_WARNING


def assign_segments(summary: pd.DataFrame, scorer: RFMScorer) -> pd.DataFrame:
    """Scores and segment per customer with an already fitted scorer."""
    scores = scorer.transform(summary)
    fm = fm_score(scores["f"].to_numpy(), scores["m"].to_numpy())
    out = summary.copy()
    for column in scores:  # same index: plain column assignment, no join
        out[column] = scores[column].to_numpy()
    out["fm"] = fm
    out["segment"] = pd.Categorical.from_codes(segment_index(scores["r"].to_numpy(), fm), categories=SEGMENT_KEYS)
    return out


def segment_customers(transactions: pd.DataFrame | Ledger, *, as_of: pd.Timestamp | str | None = None,
                      window_days: int | None = None, method: str = "quantile",
                      scorer: RFMScorer | None = None) -> Segmentation:
    """Segment every customer who bought in the window before `as_of` (default: day after the last sale).

    Accepts cleaned transactions (the ledger is built from them) or a Ledger. Pass a fitted
    `scorer` to reuse another snapshot's thresholds; otherwise thresholds are learned from
    this snapshot with `method`.
    """
    return segment_ledger(ledger_of(transactions), as_of=as_of, window_days=window_days, method=method,
                          scorer=scorer)


def segment_ledger(ledger: Ledger, *, as_of: pd.Timestamp | str | None = None, window_days: int | None = None,
                   method: str = "quantile", scorer: RFMScorer | None = None) -> Segmentation:
    """The segmentation at `as_of` as a view on the ledger: the rows of the window, two cuts."""
    as_of = ledger.after_last if as_of is None else pd.Timestamp(as_of).normalize()
    check_as_of(ledger, as_of)
    summary, _ = ledger.summary_positions(as_of, window_days)
    return segmentation_of(ledger, summary, as_of=as_of, window_days=window_days,
                           scorer=scorer if scorer is not None else RFMScorer(method=method).fit(summary))


def segmentation_of(ledger: Ledger, summary: pd.DataFrame, *, as_of: pd.Timestamp, window_days: int | None,
                    scorer: RFMScorer) -> Segmentation:
    """A Segmentation from a ledger summary and a fitted scorer (shared with migration snapshots)."""
    customers = assign_segments(summary, scorer)
    first, last = ledger.purchase_span(as_of, window_days)
    return Segmentation(customers=customers, as_of=as_of, window_days=window_days, scorer=scorer,
                        first_date=first, last_date=last, occasions=int(customers["frequency"].sum()),
                        revenue=float(np.round(customers["monetary"].to_numpy() * 100).sum()) / 100)


def segment_summary(segmentation: Segmentation) -> pd.DataFrame:
    """All ten segments in rank order, empty ones included, with the report's figures."""
    customers = segmentation.customers
    grouped = customers.groupby("segment", observed=False).agg(
        customers=("monetary", "size"), revenue=("monetary", "sum"), avg_monetary=("monetary", "mean"),
        avg_recency_days=("recency_days", "mean"), avg_frequency=("frequency", "mean"))
    grouped = grouped.reindex(list(SEGMENT_KEYS))
    total_customers = max(len(customers), 1)
    total_revenue = customers["monetary"].sum()
    grouped["customers"] = grouped["customers"].fillna(0).astype(int)
    grouped["revenue"] = grouped["revenue"].fillna(0.0)
    grouped["share"] = grouped["customers"] / total_customers
    grouped["revenue_share"] = grouped["revenue"] / total_revenue if total_revenue else np.nan
    grouped.insert(0, "rank", [s.rank for s in SEGMENTS])
    grouped.index.name = "key"
    return grouped[["rank", "customers", "share", "avg_monetary", "avg_recency_days", "avg_frequency",
                    "revenue", "revenue_share"]]
