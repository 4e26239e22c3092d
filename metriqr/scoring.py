"""RFM scores 1–5 with learned thresholds (fit) applied to any snapshot (transform).

Tie rule, for both methods: a customer's F or M score is 1 + the number of thresholds
strictly below their value, and their R score is 5 minus the number of thresholds
strictly below their recency in days. Identical values therefore always get identical
scores, and the scores depend only on the multiset of values, never on row order.

Quantile method (balanced under ties): the four thresholds are chosen among the distinct
observed values, strictly increasing, so that the shares of customers at or below each
threshold come as close as possible to 20, 40, 60 and 80 % (least squares over the
candidate cut points, solved exactly by dynamic programming). When every value is distinct
these are the usual quintiles; when most customers share a value (most buy once) the
other scores still split the rest, so all five scores are used whenever a measure has at
least five distinct values. With fewer distinct values, each value gets its own score and
thresholds repeat (some scores stay empty). The thresholds are shown to the user.

Thresholds learned at one snapshot can be applied to another (migration keeps the
baseline's thresholds so that a move reflects the customer's behaviour).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metriqr.errors import OptionError

MEASURES = ("recency_days", "frequency", "monetary")
SCORE_COLUMNS = {"recency_days": "r", "frequency": "f", "monetary": "m"}
METHODS = ("quantile", "kmeans")
QUANTILES = (0.2, 0.4, 0.6, 0.8)
MAX_FIT_POINTS = 20_000


def _score(values: np.ndarray, edges: np.ndarray, *, reverse: bool) -> np.ndarray:
    below = np.searchsorted(edges, values, side="left")
    return (5 - below if reverse else 1 + below).astype(np.int8)


@dataclass
class RFMScorer:
    """Fit thresholds per measure; `method` is `quantile` (default) or `kmeans`."""

    method: str = "quantile"
    edges_: dict[str, np.ndarray] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise OptionError("bad_method", value=self.method)

    def fit(self, summary: pd.DataFrame) -> "RFMScorer":
        fit_edges = _quantile_edges if self.method == "quantile" else _kmeans_edges
        self.edges_ = {measure: fit_edges(summary[measure].to_numpy(dtype=float)) for measure in MEASURES}
        return self

    def transform(self, summary: pd.DataFrame) -> pd.DataFrame:
        if not self.edges_:
            raise RuntimeError("RFMScorer.transform called before fit")
        return pd.DataFrame({SCORE_COLUMNS[measure]: _score(summary[measure].to_numpy(dtype=float),
                                                             self.edges_[measure],
                                                             reverse=measure == "recency_days")
                             for measure in MEASURES}, index=summary.index)

    def fit_transform(self, summary: pd.DataFrame) -> pd.DataFrame:
        return self.fit(summary).transform(summary)

    def thresholds(self) -> pd.DataFrame:
        """One row per measure: its thresholds, for the user to read."""
        return pd.DataFrame({measure: list(self.edges_[measure]) + [np.nan] * (4 - len(self.edges_[measure]))
                             for measure in MEASURES}, index=[1, 2, 3, 4]).T


def _quantile_edges(values: np.ndarray) -> np.ndarray:
    """Balanced tie-aware quintile thresholds (see the module docstring).

    Candidates are the distinct values but the largest (a threshold there would leave score
    5 empty); the cumulative share at candidate j is the share of customers with a value
    ≤ distinct[j]. Threshold i (of 4) at candidate j costs (share_j − QUANTILES[i])²; the
    minimum total over strictly increasing candidates (non-decreasing when there are fewer
    than four) is found exactly by dynamic programming with running minima: O(4 × distinct).
    Equal costs go to the lower candidate, so the result is deterministic.
    """
    distinct, counts = np.unique(values[~np.isnan(values)], return_counts=True)
    if len(distinct) < 2:
        return np.array([], dtype=float)
    share = np.cumsum(counts)[:-1] / counts.sum()  # candidates: every distinct value but the last
    m = len(share)
    strict = m >= len(QUANTILES)
    positions = np.arange(m)
    total = (share - QUANTILES[0]) ** 2
    came_from = []
    for q in QUANTILES[1:]:
        running = np.minimum.accumulate(total)
        fresh = np.r_[True, total[1:] < running[:-1]]
        where = np.maximum.accumulate(np.where(fresh, positions, 0))  # first position of each running minimum
        if strict:  # the previous threshold must be at a lower candidate
            running, where = np.r_[np.inf, running[:-1]], np.r_[-1, where[:-1]]
        total = (share - q) ** 2 + running
        came_from.append(where)
    cut = [int(np.argmin(total))]
    for where in reversed(came_from):
        cut.append(int(where[cut[-1]]))
    return distinct[np.array(cut[::-1])].astype(float)


def _kmeans_edges(values: np.ndarray) -> np.ndarray:
    """Midpoints between sorted 1-D k-means centres (k = 5, fewer if fewer distinct values).

    Heavy-tailed measures are clustered on a signed log scale so a handful of very large
    customers do not take four of the five clusters. The fit uses evenly spaced quantiles
    of the values when there are many, so it is deterministic and independent of row order.
    """
    from sklearn.cluster import KMeans

    sample = np.sort(values) if len(values) <= MAX_FIT_POINTS else \
        np.quantile(values, np.linspace(0, 1, MAX_FIT_POINTS), method="inverted_cdf")
    k = min(5, len(np.unique(sample)))
    if k < 2:
        return np.array([], dtype=float)
    scaled = np.sign(sample) * np.log1p(np.abs(sample))
    model = KMeans(n_clusters=k, n_init=4, random_state=0).fit(scaled.reshape(-1, 1))
    centres = np.sort(model.cluster_centers_.ravel())
    mid = (centres[:-1] + centres[1:]) / 2
    return np.sign(mid) * np.expm1(np.abs(mid))
