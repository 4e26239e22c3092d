"""RFM scores 1–5 with learned thresholds and a stated tie rule (metriqr.scoring)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metriqr.errors import OptionError
from metriqr.scoring import QUANTILES, RFMScorer, _quantile_edges
from metriqr.segmentation import segment_customers


def summary(recency, frequency, monetary, index=None) -> pd.DataFrame:
    n = len(recency)
    return pd.DataFrame({"recency_days": recency, "frequency": frequency, "monetary": monetary},
                        index=index or [f"c{i:02d}" for i in range(1, n + 1)])


TEN = summary(recency=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], frequency=[1, 1, 1, 1, 1, 1, 2, 2, 3, 10],
              monetary=[10.0, 20, 30, 40, 50, 60, 70, 80, 90, 100])


def test_quantile_thresholds_are_observed_values():
    # 20/40/60/80 % of ten sorted values: the 2nd, 4th, 6th and 8th value, no interpolation
    scorer = RFMScorer().fit(TEN)
    assert scorer.edges_["recency_days"].tolist() == [2, 4, 6, 8]
    assert scorer.edges_["monetary"].tolist() == [20, 40, 60, 80]
    assert scorer.edges_["frequency"].tolist() == [1, 1, 1, 2]


def test_scores_on_a_literal_table():
    scores = RFMScorer().fit_transform(TEN)
    assert scores.columns.tolist() == ["r", "f", "m"]
    assert scores.index.tolist() == TEN.index.tolist()
    assert scores["r"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]  # recency reversed: fewest days = 5
    assert scores["m"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # six customers bought once: all of them score 1, none is pushed up to fill the empty scores
    assert scores["f"].tolist() == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]


def test_heavy_ties_are_not_split():
    data = summary(recency=[30] * 8 + [1, 200], frequency=[1] * 9 + [7], monetary=[50.0] * 10)
    scores = RFMScorer().fit_transform(data)
    assert scores["f"].tolist() == [1] * 9 + [5]
    assert scores["m"].nunique() == 1
    # recency: three distinct values, each its own score (thresholds 1, 1, 30, 30 days): the one who
    # bought yesterday scores 5, the eight tied at 30 days share R 3, and 200 days scores 1
    assert RFMScorer().fit(data).edges_["recency_days"].tolist() == [1, 1, 30, 30]
    assert scores["r"].tolist() == [3] * 8 + [5, 1]


def test_thresholds_table_for_the_user():
    table = RFMScorer().fit(TEN).thresholds()
    assert table.index.tolist() == ["recency_days", "frequency", "monetary"]
    assert table.columns.tolist() == [1, 2, 3, 4]
    assert table.loc["monetary"].tolist() == [20, 40, 60, 80]


def test_kmeans_with_few_distinct_values_pads_the_thresholds():
    data = summary(recency=[1, 1, 50, 50], frequency=[1, 1, 1, 1], monetary=[10.0, 10.0, 1000.0, 1000.0])
    scorer = RFMScorer("kmeans").fit(data)
    assert scorer.edges_["frequency"].size == 0  # one distinct value: nothing to split
    assert len(scorer.edges_["monetary"]) == 1 and 10 < scorer.edges_["monetary"][0] < 1000
    table = scorer.thresholds()
    assert table.loc["frequency"].isna().all() and table.loc["monetary"].notna().sum() == 1
    scores = scorer.transform(data)
    assert scores["f"].tolist() == [1, 1, 1, 1]
    assert scores["m"].tolist() == [1, 1, 2, 2]
    assert scores["r"].tolist() == [5, 5, 4, 4]


def test_kmeans_is_deterministic_and_separates_clear_groups():
    data = summary(recency=[1, 2, 3, 100, 110, 120, 300, 310, 320, 330],
                   frequency=[20, 21, 22, 5, 5, 6, 1, 1, 1, 2],
                   monetary=[5000.0, 5100, 5200, 300, 310, 320, 10, 11, 12, 13])
    first = RFMScorer("kmeans").fit(data)
    second = RFMScorer("kmeans").fit(data.sample(frac=1, random_state=3))
    for measure in first.edges_:
        np.testing.assert_array_equal(first.edges_[measure], second.edges_[measure])
    scores = first.transform(data)
    assert (scores["r"].iloc[:3] > scores["r"].iloc[3]).all()
    assert (scores["m"].iloc[:3] > scores["m"].iloc[3:].max()).all()


def test_unknown_method_and_unfitted_scorer():
    with pytest.raises(OptionError) as info:
        RFMScorer("median")
    assert info.value.key == "bad_method" and "median" in info.value.message("en")
    with pytest.raises(RuntimeError):
        RFMScorer().transform(TEN)


def test_fitted_thresholds_apply_to_another_snapshot():
    baseline = RFMScorer().fit(TEN)
    edges = {k: v.copy() for k, v in baseline.edges_.items()}
    later = summary(recency=[1, 9, 400], frequency=[2, 1, 50], monetary=[25.0, 85.0, 10_000.0], index=["x", "y", "z"])
    scores = baseline.transform(later)
    for measure, values in edges.items():
        np.testing.assert_array_equal(baseline.edges_[measure], values)  # transform learns nothing
    assert scores.loc["x"].tolist() == [5, 4, 2]
    assert scores.loc["y"].tolist() == [1, 1, 5]
    assert scores.loc["z"].tolist() == [1, 5, 5]


# --- properties ------------------------------------------------------------------------------

summaries = st.lists(
    st.tuples(st.integers(0, 400), st.integers(1, 12), st.integers(-50, 5000).map(float)),
    min_size=1, max_size=60,
).map(lambda rows: summary([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summaries, st.sampled_from(["quantile", "kmeans"]))
def test_tie_rule_and_direction(data, method):
    """Identical values get identical scores; more is better, except recency where fewer days is better."""
    scores = RFMScorer(method).fit_transform(data)
    for measure, column in (("recency_days", "r"), ("frequency", "f"), ("monetary", "m")):
        values = data[measure].to_numpy()
        score = scores[column].to_numpy()
        assert ((score >= 1) & (score <= 5)).all()
        assert (pd.Series(score).groupby(values).nunique() == 1).all()
        order = np.argsort(values, kind="stable")
        steps = np.diff(score[order].astype(int))
        assert (steps <= 0).all() if column == "r" else (steps >= 0).all()


# --- shuffling the transactions changes nothing --------------------------------------------------

@st.composite
def transaction_tables(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    customers = draw(st.lists(st.sampled_from([f"k{i}" for i in range(12)]), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 365), min_size=n, max_size=n))
    hours = draw(st.lists(st.integers(0, 23), min_size=n, max_size=n))
    amounts = draw(st.lists(st.integers(1, 100_000).map(lambda c: c / 100), min_size=n, max_size=n))
    returns = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    returns[0] = False  # at least one purchase
    tx = pd.DataFrame({
        "customer": customers,
        "date": [pd.Timestamp("2024-01-01") + pd.Timedelta(days=d, hours=h) for d, h in zip(days, hours)],
        "amount": [-a if r else a for a, r in zip(amounts, returns)],
        "is_return": returns,
    })
    if draw(st.booleans()):
        tx["order"] = draw(st.lists(st.sampled_from([f"o{i}" for i in range(15)]), min_size=n, max_size=n))
    seed = draw(st.integers(0, 2**31 - 1))
    return tx, seed


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transaction_tables(), st.sampled_from(["quantile", "kmeans"]))
def test_shuffling_rows_changes_no_score_or_segment(table, method):
    tx, seed = table
    as_of = pd.Timestamp("2025-01-10")
    shuffled = tx.sample(frac=1, random_state=seed).reset_index(drop=True)
    a = segment_customers(tx, as_of=as_of, method=method).customers
    b = segment_customers(shuffled, as_of=as_of, method=method).customers
    columns = ["recency_days", "frequency", "r", "f", "m", "fm", "segment"]
    pd.testing.assert_frame_equal(a[columns].sort_index(), b[columns].sort_index())
    np.testing.assert_allclose(a["monetary"].sort_index(), b["monetary"].sort_index(), rtol=1e-9, atol=1e-6)


# --- the balanced tie-aware quantile rule (issue 10, item 2) --------------------------------------

def test_most_buy_once_yet_every_frequency_score_is_used():
    """Like the issue's real log: plain quintiles give F thresholds 1/1/2/4, so nobody gets F = 2.
    Plain quintiles here give 1/1/2/3; the balanced rule puts the cuts at 1/2/3/4: every score is used, equal values stay together."""
    frequency = [1] * 550 + [2] * 170 + [3] * 80 + [4] * 60 + [5] * 50 + [6] * 40 + [9] * 50
    data = summary(recency=list(range(1000)), frequency=frequency, monetary=[1.0] * 1000)
    assert np.quantile(frequency, QUANTILES, method="inverted_cdf").tolist() == [1, 1, 2, 3]  # plain quintiles: no F = 2
    scorer = RFMScorer().fit(data)
    assert scorer.edges_["frequency"].tolist() == [1, 2, 3, 4]
    f = scorer.transform(data)["f"]
    assert f.value_counts().sort_index().tolist() == [550, 170, 80, 60, 140]


def _cost(values: np.ndarray, edges: np.ndarray) -> float:
    share = np.array([(values <= e).mean() for e in edges])
    return float(((share - np.array(QUANTILES)) ** 2).sum())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=80))
def test_balanced_thresholds_are_the_exact_least_squares_choice(values):
    """The dynamic programme finds the best strictly increasing cut points (checked by brute force)."""
    import itertools

    values = np.array(values, dtype=float)
    edges = _quantile_edges(values)
    distinct = np.unique(values)
    if len(distinct) < 2:
        assert edges.size == 0
        return
    candidates = distinct[:-1]
    if len(candidates) >= 4:
        assert (np.diff(edges) > 0).all() and set(edges) <= set(candidates)
        best = min(_cost(values, np.array(c)) for c in itertools.combinations(candidates, 4))
    else:
        assert (np.diff(edges) >= 0).all()
        best = min(_cost(values, np.array(c)) for c in itertools.combinations_with_replacement(candidates, 4))
    assert _cost(values, edges) == pytest.approx(best, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=5, max_size=120), st.randoms(use_true_random=False))
def test_five_distinct_values_use_all_five_scores_in_any_row_order(values, random):
    if len(set(values)) < 5:
        values = values + [31, 32, 33, 34, 35]
    data = summary(recency=values, frequency=values, monetary=[float(v) for v in values])
    scores = RFMScorer().fit_transform(data)
    for column in ("r", "f", "m"):
        assert sorted(scores[column].unique()) == [1, 2, 3, 4, 5]
    shuffled = data.sample(frac=1, random_state=random.randint(0, 2**31 - 1))
    again = RFMScorer().fit_transform(shuffled).loc[data.index]
    pd.testing.assert_frame_equal(again, scores)
