"""Customers → R/F/M → scores → segments, on a hand-computed history and on the real datasets."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metriqr.aggregates import customer_summary, default_as_of
from metriqr.cleaning import clean_transactions
from metriqr.errors import OptionError
from metriqr.report import summary_table
from metriqr.segmentation import segment_customers, segment_summary
from metriqr.segments import SEGMENT_KEYS

AS_OF = pd.Timestamp("2024-07-01")

# A shop's history as its export would show it: (customer, date, amount). No order column, so a
# purchase occasion is a distinct purchase day.
HISTORY = [
    # c01: last bought 1 day before 2024-07-01, 6 days, 500 in all (two lines on 30/06 are one occasion)
    ("c01", "30/06/2024", "100,00"), ("c01", "30/06/2024", "50,00"), ("c01", "01/06/2024", "70,00"),
    ("c01", "01/05/2024", "70,00"), ("c01", "01/04/2024", "70,00"), ("c01", "01/03/2024", "70,00"),
    ("c01", "01/02/2024", "70,00"),
    ("c02", "29/06/2024", "15,00"),                                  # 2 days, once, 15
    ("c03", "26/06/2024", "10,00"),                                  # 5 days, once, 10
    # c04: 10 days, 4 occasions, 120 spent minus a 20 return; the later return is not a purchase
    ("c04", "21/06/2024", "30,00"), ("c04", "21/05/2024", "30,00"), ("c04", "21/04/2024", "30,00"),
    ("c04", "21/03/2024", "30,00"), ("c04", "25/06/2024", "-20,00"),
    ("c05", "11/06/2024", "20,00"), ("c05", "11/05/2024", "20,00"), ("c05", "11/04/2024", "20,00"),  # 20 d, 3, 60
    ("c06", "01/06/2024", "20,00"), ("c06", "01/05/2024", "20,00"),                                   # 30 d, 2, 40
    ("c07", "02/05/2024", "60,00"), ("c07", "02/04/2024", "60,00"), ("c07", "02/03/2024", "60,00"),
    ("c07", "02/02/2024", "60,00"), ("c07", "02/01/2024", "60,00"),                                   # 60 d, 5, 300
    ("c08", "02/04/2024", "40,00"), ("c08", "02/03/2024", "20,00"), ("c08", "02/02/2024", "20,00"),   # 90 d, 3, 80
    ("c09", "03/03/2024", "30,00"),                                                                   # 120 d, 1, 30
    ("c09", "01/07/2024", "999,00"), ("c09", "05/07/2024", "999,00"),  # on/after the reference date: ignored
    ("c10", "02/02/2024", "25,00"), ("c10", "15/01/2024", "25,00"),                                   # 150 d, 2, 50
]

# Thresholds (20/40/60/80 % of ten customers = 2nd/4th/6th/8th sorted value):
#   recency   1 2 | 5 10 | 20 30 | 60 90 | 120 150  → edges 2, 10, 30, 90   → R 5,5,4,4,3,3,2,2,1,1
#   frequency 1 1 1 2 2 3 3 4 5 6                    → edges 1, 2, 3, 4     → F = 1 + edges below
#   monetary  10 15 | 30 40 | 50 60 | 80 100 | 300 500 → edges 15, 40, 60, 100
EXPECTED = pd.DataFrame(
    [  # recency, frequency, monetary, r, f, m, fm, segment
        ("c01", 1, 6, 500.0, 5, 5, 5, 5, "champions"),
        ("c02", 2, 1, 15.0, 5, 1, 1, 1, "new"),
        ("c03", 5, 1, 10.0, 4, 1, 1, 1, "promising"),
        ("c04", 10, 4, 100.0, 4, 4, 4, 4, "loyal"),
        ("c05", 20, 3, 60.0, 3, 3, 3, 3, "need_attention"),
        ("c06", 30, 2, 40.0, 3, 2, 2, 2, "about_to_sleep"),
        ("c07", 60, 5, 300.0, 2, 5, 5, 5, "cant_lose"),
        ("c08", 90, 3, 80.0, 2, 3, 4, 4, "at_risk"),      # (3 + 4) / 2 = 3.5 → 4
        ("c09", 120, 1, 30.0, 1, 1, 2, 2, "inactive"),    # (1 + 2) / 2 = 1.5 → 2
        ("c10", 150, 2, 50.0, 1, 2, 3, 3, "at_risk"),     # (2 + 3) / 2 = 2.5 → 3
    ],
    columns=["customer", "recency_days", "frequency", "monetary", "r", "f", "m", "fm", "segment"],
).set_index("customer")


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    frame = pd.DataFrame(HISTORY, columns=["Cliente", "Data", "Valor"], dtype=object)
    cleaned = clean_transactions(frame, {"customer": "Cliente", "date": "Data", "amount": "Valor"})
    assert cleaned.report.rows_used == len(HISTORY)
    return cleaned.transactions


@pytest.fixture(scope="module")
def segmentation(transactions):
    return segment_customers(transactions, as_of=AS_OF)


def test_hand_computed_scores_and_segments(segmentation):
    got = segmentation.customers
    assert got.index.tolist() == EXPECTED.index.tolist()
    for column in ["recency_days", "frequency", "r", "f", "m", "fm"]:
        assert got[column].astype(int).tolist() == EXPECTED[column].tolist(), column
    assert got["monetary"].tolist() == pytest.approx(EXPECTED["monetary"].tolist())
    assert got["segment"].astype(str).tolist() == EXPECTED["segment"].tolist()
    assert got.loc["c04", "last_purchase"] == pd.Timestamp("2024-06-21")  # not the return on 25/06


def test_thresholds_are_the_hand_computed_ones(segmentation):
    edges = segmentation.scorer.edges_
    assert edges["recency_days"].tolist() == [2, 10, 30, 90]
    assert edges["frequency"].tolist() == [1, 2, 3, 4]
    assert edges["monetary"].tolist() == [15, 40, 60, 100]


def test_headline_figures(segmentation):
    assert segmentation.as_of == AS_OF and segmentation.window_days is None
    assert segmentation.occasions == 28
    assert segmentation.revenue == pytest.approx(1185.0)
    assert segmentation.first_date == pd.Timestamp("2024-01-02")
    assert segmentation.last_date == pd.Timestamp("2024-06-30")


def test_data_on_or_after_as_of_is_ignored(transactions):
    assert transactions["date"].max() == pd.Timestamp("2024-07-05")
    before = transactions[transactions["date"] < AS_OF]
    a = segment_customers(transactions, as_of=AS_OF).customers
    b = segment_customers(before, as_of=AS_OF).customers
    pd.testing.assert_frame_equal(a, b)


def test_default_as_of_is_the_day_after_the_last_sale(transactions):
    assert default_as_of(transactions) == pd.Timestamp("2024-07-06")
    seg = segment_customers(transactions)
    assert seg.as_of == pd.Timestamp("2024-07-06")
    assert seg.customers.loc["c09", "recency_days"] == 1  # the 05/07 purchase now counts
    as_text = segment_customers(transactions, as_of="2024-07-01 15:30")
    assert as_text.as_of == AS_OF  # a reference date is a day


def test_window_days(transactions):
    seg = segment_customers(transactions, as_of=AS_OF, window_days=100)  # from 2024-03-23
    customers = seg.customers
    assert customers.index.tolist() == ["c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08"]
    assert customers["frequency"].tolist() == [4, 1, 1, 3, 3, 2, 2, 1]
    assert customers["monetary"].tolist() == pytest.approx([360, 15, 10, 70, 60, 40, 120, 40])
    assert customers["recency_days"].tolist() == EXPECTED["recency_days"].tolist()[:8]
    assert seg.window_days == 100 and seg.first_date == pd.Timestamp("2024-04-01")


def test_window_without_customers_is_an_option_error(transactions):
    with pytest.raises(OptionError) as info:
        customer_summary(transactions[transactions["customer"] == "c10"], as_of=AS_OF, window_days=30)
    assert info.value.key == "no_customers_in_window"


def test_as_of_before_the_data_is_an_option_error(transactions):
    with pytest.raises(OptionError) as info:
        segment_customers(transactions, as_of="2024-01-01")
    error = info.value
    assert error.key == "as_of_before_data"
    pt, en = error.message("pt"), error.message("en")
    assert all(day in pt for day in ("01/01/2024", "02/01/2024", "06/07/2024")), pt  # asked, first, day after last
    assert "02/01/2024" in en or "2024-01-02" in en, en
    with pytest.raises(OptionError):
        segment_customers(transactions, as_of="2024-01-02")  # nothing is before the first day either


def test_segment_summary_has_all_ten_rows_in_rank_order(segmentation):
    table = segment_summary(segmentation)
    assert table.index.tolist() == list(SEGMENT_KEYS)
    assert table["rank"].tolist() == list(range(1, 11))
    assert table["customers"].tolist() == [1, 1, 0, 1, 1, 1, 1, 1, 2, 1]  # no potential loyalist here
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["revenue_share"].sum() == pytest.approx(1.0)
    assert table.loc["at_risk", "share"] == pytest.approx(0.2)
    assert table.loc["at_risk", "avg_monetary"] == pytest.approx(65.0)
    assert table.loc["at_risk", "avg_recency_days"] == pytest.approx(120.0)
    assert table.loc["at_risk", "avg_frequency"] == pytest.approx(2.5)
    assert table.loc["champions", "revenue_share"] == pytest.approx(500 / 1185)
    assert np.isnan(table.loc["potential_loyalist", "avg_monetary"])


def test_summary_table_as_displayed(segmentation):
    pt = summary_table(segmentation, "pt")
    # the share of revenue sits beside the share of customers (readable on a phone without scrolling)
    assert pt.columns.tolist() == ["Segmento", "Clientes", "% dos clientes", "% da receita", "Gasto Médio do Segmento",
                                   "Recência média (dias)", "Frequência média (compras)"]
    assert pt.iloc[0].tolist() == ["Campeões", "1", "10,0%", "42,2%", "R$ 500,00", "1", "6,0"]
    assert pt.iloc[2].tolist() == ["Quase Fidelizados", "0", "0,0%", "0,0%", "–", "–", "–"]
    en = summary_table(segmentation, "en")
    assert en.iloc[8].tolist() == ["At Risk", "2", "20.0%", "11.0%", "R$ 65.00", "120", "2.5"]
    items = summary_table(segmentation, "en", basis="items")
    assert items.columns[4] == "Items per customer" and items.iloc[0, 4] == "500"  # a count: no decimals


def test_fitted_scorer_reused_on_another_snapshot(transactions, segmentation):
    baseline = segmentation.scorer
    edges = {k: v.copy() for k, v in baseline.edges_.items()}
    earlier_as_of = pd.Timestamp("2024-04-15")
    reused = segment_customers(transactions, as_of=earlier_as_of, scorer=baseline)
    assert reused.scorer is baseline
    for measure in edges:
        np.testing.assert_array_equal(baseline.edges_[measure], edges[measure])
    expected = baseline.transform(customer_summary(transactions, as_of=earlier_as_of))
    pd.testing.assert_frame_equal(reused.customers[["r", "f", "m"]], expected)
    refitted = segment_customers(transactions, as_of=earlier_as_of)
    assert not all(np.array_equal(refitted.scorer.edges_[k], edges[k]) for k in edges)  # a real difference


def test_kmeans_method_runs_and_is_deterministic(transactions):
    a = segment_customers(transactions, as_of=AS_OF, method="kmeans")
    b = segment_customers(transactions, as_of=AS_OF, method="kmeans")
    assert a.scorer.method == "kmeans"
    pd.testing.assert_frame_equal(a.customers, b.customers)
    assert set(a.customers["segment"].astype(str)) <= set(SEGMENT_KEYS)


# --- real data ---------------------------------------------------------------------------------

@pytest.mark.realdata
def test_online_retail_segmentation(online_retail_raw, online_retail_cleaned):
    _, cleaned = online_retail_cleaned
    seg = segment_customers(cleaned.transactions)
    assert seg.as_of == pd.Timestamp("2011-12-10")
    customers = seg.customers
    assert len(customers) == 4_338
    assert seg.occasions == 18_532
    # The usual "clean purchases" filter (not cancelled, CustomerID present, Quantity > 0,
    # UnitPrice > 0) also finds 4,338 customers and 18,532 invoices. Our policy agrees because
    # zero-price lines are excluded and returns (the "C" invoices) are never purchase occasions,
    # so a customer whose only lines are returns is not segmented; returns only reduce spend.
    raw = online_retail_raw
    usual = raw[~raw["InvoiceNo"].str.startswith("C") & raw["CustomerID"].notna()
                & (raw["Quantity"].astype(float) > 0) & (raw["UnitPrice"].astype(float) > 0)]
    assert usual["CustomerID"].nunique() == len(customers)
    assert usual["InvoiceNo"].nunique() == seg.occasions
    assert set(usual["CustomerID"]) == set(customers.index)
    table = segment_summary(seg)
    assert (table["customers"] > 0).all()
    assert table["customers"].sum() == 4_338 and table["share"].sum() == pytest.approx(1.0)
    # 12346 bought 74,215 jars and returned them all 16 minutes later: one occasion, nothing spent
    assert customers.loc["12346", "frequency"] == 1
    assert customers.loc["12346", "monetary"] == pytest.approx(0.0, abs=1e-6)
    assert customers.loc["12346", "last_purchase"] == pd.Timestamp("2011-01-18")
    assert customers.loc["12346", "recency_days"] == 326


@pytest.mark.realdata
def test_groceries_segmentation(groceries_raw):
    from metriqr.columns import resolve_mapping

    cleaned = clean_transactions(groceries_raw, resolve_mapping(groceries_raw))
    seg = segment_customers(cleaned.transactions)
    assert seg.as_of == pd.Timestamp("2015-12-31")
    assert len(seg.customers) == 3_898
    assert seg.occasions == 14_963  # baskets = distinct (member, day)
    assert seg.revenue == 38_765  # monetary basis "items": one per row
    assert (seg.first_date, seg.last_date) == (pd.Timestamp(2014, 1, 1), pd.Timestamp(2015, 12, 30))
    assert (segment_summary(seg)["customers"] > 0).all()


def test_order_numbers_count_per_customer_even_when_shared():
    """An order number normally belongs to one customer; when an export reuses it for two
    customers (or a line has none), each customer still counts its own distinct orders."""
    tx = pd.DataFrame({
        "customer": ["a", "a", "a", "b", "b", "c"],
        "order": ["1", "1", "2", "2", "3", None],  # order 2 is a's and b's; c's line has no number
        "date": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-05", "2024-01-05", "2024-01-09", "2024-01-09"]),
        "amount": [10.0, 5.0, 7.0, 3.0, 4.0, 9.0], "is_return": [False] * 6})
    nested = customer_summary(tx.iloc[[0, 1, 2, 4]], as_of=AS_OF)
    assert nested["frequency"].to_dict() == {"a": 2, "b": 1}
    shared = customer_summary(tx, as_of=AS_OF)
    assert shared["frequency"].to_dict() == {"a": 2, "b": 2, "c": 0}
    assert shared["monetary"].to_dict() == {"a": 22.0, "b": 7.0, "c": 9.0}


@pytest.mark.parametrize("reverse", [False, True])
def test_categorical_columns_give_the_same_summary(transactions, reverse):
    """Cleaning hands over categoricals (sorted categories); any other categorical works too."""
    coded = transactions.copy()
    coded["customer"] = pd.Categorical(coded["customer"], categories=sorted(set(coded["customer"]), reverse=reverse)
                                       + ["unused"])
    pd.testing.assert_frame_equal(customer_summary(coded, as_of=AS_OF), customer_summary(transactions, as_of=AS_OF))


def test_monthly_activity_counts_every_month_even_empty_ones():
    from metriqr.aggregates import monthly_activity

    tx = pd.DataFrame({
        "customer": ["a", "a", "b", "a", "c"],
        "date": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-01-31", "2024-03-01", "2024-03-31"]),
        "amount": [10.0, 5.0, 7.0, 3.0, -4.0], "is_return": [False, False, False, False, True]})
    table = monthly_activity(tx.sample(frac=1, random_state=3))  # row order never matters
    assert table["month"].dt.strftime("%Y-%m").tolist() == ["2024-01", "2024-02", "2024-03"]
    assert table["lines"].tolist() == [3, 0, 2] and table["customers"].tolist() == [2, 0, 2]
    assert table["revenue"].tolist() == [22.0, 0.0, -1.0]  # net: the return reduces its month
