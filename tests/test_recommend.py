"""Recommendations (metriqr.recommend, metriqr.recommend_eval): counts by hand, properties, planted pairs, real data."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metriqr.errors import ColumnError, OptionError
from metriqr.recommend import (NON_PRODUCT_RULE, also_bought, also_bought_all, build_purchases, buy_again,
                               is_non_product, recommend_for_customer, recommend_for_customers, segment_products)
from metriqr.recommend_eval import default_cutoff, evaluate


def transactions(baskets: list[tuple[str, str, str, list[str]]], *, with_order: bool = True) -> pd.DataFrame:
    """(customer, order, date, products) → cleaned-transactions shape."""
    rows = [{"customer": c, "order": o, "date": pd.Timestamp(d), "product": p, "product_name": f"name {p}",
             "amount": 10.0, "is_return": False, "quantity": 1.0}
            for c, o, d, products in baskets for p in products]
    frame = pd.DataFrame(rows)
    return frame if with_order else frame.drop(columns="order")


# Five orders, hand-counted: A in 4 (o1 o2 o3 o5), B in 3 (o1 o2 o5), C in 2 (o3 o4), D in 1 (o4).
TINY = [("c1", "o1", "2024-01-01", ["A1", "B1"]),
        ("c1", "o2", "2024-01-05", ["A1", "B1", "A1"]),  # a repeated line is still one basket
        ("c2", "o3", "2024-01-02", ["A1", "C1"]),
        ("c3", "o4", "2024-01-03", ["C1", "D1"]),
        ("c2", "o5", "2024-01-07", ["A1", "B1"])]


def test_hand_counted_confidence_and_lift():
    purchases = build_purchases(transactions(TINY))
    table = also_bought(purchases, "A1", min_together=1)
    assert table["product"].tolist() == ["B1", "C1"]
    b = table.iloc[0]
    assert b["together"] == 3 and b["confidence"] == pytest.approx(3 / 4) and b["lift"] == pytest.approx(3 * 5 / (4 * 3))
    c = table.iloc[1]
    assert c["together"] == 1 and c["confidence"] == pytest.approx(1 / 4) and c["lift"] == pytest.approx(1 * 5 / (4 * 2))
    assert b["name"] == "name B1"
    # the evidence threshold: one or two orders in common never show by default
    assert also_bought(purchases, "C1")["product"].tolist() == []
    assert also_bought(purchases, "A1")["product"].tolist() == ["B1"]


def test_customer_basis_counts_customers():
    purchases = build_purchases(transactions(TINY))
    table = also_bought(purchases, "A1", basis="customer", min_together=1)
    # A: c1 c2; B: c1 c2; C: c2 c3 — over 3 customers
    assert dict(zip(table["product"], table["together"])) == {"B1": 2, "C1": 1}
    b = table.set_index("product").loc["B1"]
    assert b["confidence"] == pytest.approx(1.0) and b["lift"] == pytest.approx(2 * 3 / (2 * 2))


def test_baskets_are_customer_days_without_an_order_column():
    tx = transactions([("c1", "x", "2024-01-01", ["A1"]), ("c1", "y", "2024-01-01", ["B1"]),
                       ("c1", "z", "2024-01-02", ["A1", "C1"])], with_order=False)
    purchases = build_purchases(tx)
    assert purchases.n_baskets == 2 and not purchases.has_orders
    assert dict(zip(also_bought(purchases, "A1", min_together=1)["product"],
                    also_bought(purchases, "A1", min_together=1)["together"])) == {"B1": 1, "C1": 1}


def test_returns_are_not_purchases_and_codes_take_their_most_frequent_name():
    tx = transactions(TINY)
    tx.loc[len(tx)] = {"customer": "c3", "order": "o9", "date": pd.Timestamp("2024-01-09"), "product": "B1",
                       "product_name": "name B1", "amount": -10.0, "is_return": True, "quantity": -1.0}
    tx.loc[0, "product_name"] = "old name A1"
    purchases = build_purchases(tx)
    history = purchases.history[purchases.customer_index("c3")]
    assert purchases.products[history.indices].tolist() == ["C1", "D1"]
    assert purchases.names[purchases.product_index("A1")] == "name A1"


@pytest.mark.parametrize("code, name", [("POST", "POSTAGE"), ("M", "Manual"), ("m", "manual"), ("BANK CHARGES", "Bank Charges"),
                                        ("DOT", "DOTCOM POSTAGE"), ("C2", "CARRIAGE"), ("D1", "Discount"), ("S", "SAMPLES"),
                                        ("PADS", "PADS TO MATCH ALL CUSHIONS"), ("B", "Adjust bad debt"),
                                        ("AMAZONFEE", "AMAZON FEE"), ("CRUK", "CRUK Commission"),
                                        ("DCGS0076", "SUNJAR LED NIGHT NIGHT LIGHT"), ("gift_0001_20", "Dotcomgiftshop Gift Voucher £20.00"),
                                        ("9001", "Frete"), ("9002", "Taxa de entrega"), ("9003", "Embalagem para presente"),
                                        ("9004", "Desconto fidelidade"), ("9005", "Ajuste de caixa"), ("Frete", "Frete")])
def test_non_products_are_recognised(code, name):
    assert is_non_product([code], [name]).tolist() == [True]


@pytest.mark.parametrize("code, name", [("85123A", "WHITE HANGING HEART T-LIGHT HOLDER"), ("22423", "REGENCY CAKESTAND 3 TIER"),
                                        ("1001", "Café Expresso"), ("2040", "Queijo Brie 125 g"), ("DOTS", "Polka dots mug"),
                                        ("3001", "Pão de Queijo (unidade)"), ("7001", "Caixa Presente Natal")])
def test_products_are_not_taken_for_fees(code, name):
    assert is_non_product([code], [name]).tolist() == [False]


def test_non_products_never_appear_and_say_why():
    tx = transactions([(f"c{i}", f"o{i}", "2024-01-01", ["A1", "B1", "POST"]) for i in range(6)])
    purchases = build_purchases(tx)
    assert "POST" not in purchases.products and purchases.excluded_products == ("POST",)
    with pytest.raises(OptionError) as error:
        also_bought(purchases, "POST")
    assert error.value.key == "not_a_product" and error.value.params["rule"] is NON_PRODUCT_RULE
    assert set(NON_PRODUCT_RULE) == {"pt", "en"} and "Frete" in NON_PRODUCT_RULE["pt"]


def test_errors():
    purchases = build_purchases(transactions(TINY))
    for call, key in [(lambda: also_bought(purchases, "Z1"), "unknown_product"),
                      (lambda: recommend_for_customer(purchases, "nobody"), "unknown_customer"),
                      (lambda: also_bought(purchases, "A1", basis="store"), "bad_basis"),
                      (lambda: also_bought(purchases, "A1", min_together=0), "bad_min_together"),
                      (lambda: also_bought(purchases, "A1", top=0), "bad_top"),
                      (lambda: segment_products(purchases, pd.Series({"c1": "loyal"}), "champions"), "unknown_segment")]:
        with pytest.raises(OptionError) as error:
            call()
        assert error.value.key == key
    with pytest.raises(ColumnError) as error:
        build_purchases(transactions(TINY).drop(columns=["product", "product_name"]))
    assert error.value.key == "no_product_column"
    with pytest.raises(OptionError) as error:
        build_purchases(transactions([("c1", "o1", "2024-01-01", ["POST"])]))
    assert error.value.key == "no_products"


# --- generated data: properties and planted pairs ------------------------------------------------

@st.composite
def baskets(draw) -> pd.DataFrame:
    n = draw(st.integers(3, 30))
    rows = []
    for i in range(n):
        items = draw(st.lists(st.sampled_from(["A1", "B1", "C1", "D1", "E1", "F1", "G1", "H1"]), min_size=1, max_size=5))
        rows.append((f"c{draw(st.integers(0, 6))}", f"o{i}", f"2024-01-{1 + i % 28:02d}", items))
    return transactions(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baskets(), st.sampled_from(["order", "customer"]))
def test_pair_properties(tx, basis):
    purchases = build_purchases(tx)
    table = also_bought_all(purchases, basis=basis, min_together=1, top=10)
    assert ((table["confidence"] > 0) & (table["confidence"] <= 1)).all()
    assert (table["for_product"] != table["product"]).all()
    lift = {(a, b): value for a, b, value in zip(table["for_product"], table["product"], table["lift"])}
    for (a, b), value in lift.items():
        assert value == pytest.approx(lift[(b, a)])  # every pair is listed both ways with top=10 ≥ 7 others
    together = {(a, b): value for a, b, value in zip(table["for_product"], table["product"], table["together"])}
    assert all(together[(b, a)] == value for (a, b), value in together.items())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baskets(), st.integers(0, 2**32 - 1))
def test_shuffling_rows_changes_nothing_and_bought_is_never_recommended(tx, seed):
    purchases = build_purchases(tx)
    shuffled = build_purchases(tx.sample(frac=1, random_state=seed % 2**31).reset_index(drop=True))
    pd.testing.assert_frame_equal(also_bought_all(purchases, min_together=1), also_bought_all(shuffled, min_together=1))
    recs = recommend_for_customers(purchases, top=5)
    pd.testing.assert_frame_equal(recs, recommend_for_customers(shuffled, top=5))
    for customer, group in recs.groupby("customer"):
        had = set(purchases.products[purchases.history[purchases.customer_index(customer)].indices])
        assert not had & set(group["product"])
        assert all(set(because) <= had for because in group["because"])
        assert group["rank"].tolist() == list(range(1, len(group) + 1))



@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(baskets(), st.sampled_from(["order", "customer"]), st.integers(1, 3), st.integers(1, 4))
def test_sparse_and_dense_pair_ranking_agree(monkeypatch, tx, basis, min_together, top):
    """Few qualifying pairs are sorted, many go through dense rows: the lists must be the same."""
    import metriqr.recommend_kernels as recommend  # where the pair ranking lives

    purchases = build_purchases(tx)
    tables = []
    for threshold in (10**9, -1):  # always sorted pairs; always dense rows
        monkeypatch.setattr(recommend, "DENSE_PAIRS", threshold)
        tables.append(also_bought_all(purchases, basis=basis, min_together=min_together, top=top))
    pd.testing.assert_frame_equal(*tables)

def planted(seed: int = 7, *, n_products: int = 60, n_orders: int = 3000,
            pairs: tuple[tuple[int, int], ...] = ((3, 40), (11, 27), (50, 5))) -> pd.DataFrame:
    """Zipf-like random baskets in which each planted pair's second product follows the first with p = 0.6."""
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, n_products + 1)
    weights /= weights.sum()
    rows = []
    for i in range(n_orders):
        items = set(rng.choice(n_products, size=rng.integers(1, 5), p=weights).tolist())
        for a, b in pairs:
            if a in items and rng.random() < 0.6:
                items.add(b)
        rows.append((f"c{rng.integers(0, 400)}", f"o{i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                     [f"P{x:02d}" for x in sorted(items)]))
    return transactions(rows)


def test_planted_pairs_are_recovered():
    purchases = build_purchases(planted())
    for a, b in ((3, 40), (11, 27), (50, 5)):
        assert f"P{b:02d}" in also_bought(purchases, f"P{a:02d}")["product"].tolist()
    # backwards too, where the follower is the rarer product (P05 is a best-seller: P50 is a small share of its baskets)
    for a, b in ((3, 40), (11, 27)):
        assert f"P{a:02d}" in also_bought(purchases, f"P{b:02d}")["product"].tolist()


def test_customer_recommendations_explain_themselves_and_fall_back():
    tx = planted()
    purchases = build_purchases(tx)
    # a customer who bought P11 only is recommended P27 because of P11
    tx = pd.concat([tx, transactions([("new", "oN", "2024-06-01", ["P11"])])], ignore_index=True)
    purchases = build_purchases(tx)
    recs = recommend_for_customer(purchases, "new", top=5)
    first = recs.set_index("product").loc["P27"]
    assert first["because"] == ["P11"] and first["source"] == "history"
    assert "P11" not in recs["product"].tolist()
    # the segment fallback completes short lists with the segment's popular products
    segments = pd.Series({c: "champions" if i % 2 else "new" for i, c in enumerate(purchases.customers)})
    full = recommend_for_customer(purchases, "new", top=len(purchases.products) - 1, segments=segments)
    assert (full["source"] == "popular").any() and (full.loc[full["source"] == "popular", "because"].map(len) == 0).all()
    assert full["source"].tolist() == sorted(full["source"].tolist())  # history first, then popular


def test_ties_at_the_end_of_a_list_go_to_the_lower_code():
    # A is bought with each of F1 … B1 (listed in reverse) in three orders: all tie
    rows = [(f"c{i}", f"o{p}{i}", "2024-01-01", ["A1", p]) for p in ["F1", "E1", "D1", "C1", "B1"] for i in range(3)]
    purchases = build_purchases(transactions(rows))
    assert also_bought(purchases, "A1", top=2)["product"].tolist() == ["B1", "C1"]
    assert also_bought_all(purchases, top=3).query("for_product == 'A1'")["product"].tolist() == ["B1", "C1", "D1"]


def test_categorical_input_gives_the_same_purchases_as_text():
    """Cleaning hands over categoricals (with categories no kept line uses): same matrices as plain text."""
    tx = planted()
    tx = pd.concat([tx, transactions([("only-fees", "oF", "2024-03-01", ["POST"])])], ignore_index=True)
    tx.loc[tx.index[:40], "is_return"] = True
    as_categories = tx.astype({"customer": "category", "order": "category", "product": "category",
                               "product_name": "category"})
    plain, coded = build_purchases(tx), build_purchases(as_categories)
    assert "only-fees" not in set(coded.customers) and coded.excluded_products == ("POST",)
    for field in ("products", "names", "customers", "basket_customer", "basket_day"):
        assert np.array_equal(getattr(plain, field), getattr(coded, field))
    for field in ("baskets", "history", "first_day", "last_day", "together_order"):
        assert (getattr(plain, field) != getattr(coded, field)).nnz == 0
    pd.testing.assert_frame_equal(recommend_for_customers(plain), recommend_for_customers(coded))


def test_products_outside_the_model_only_come_from_popularity():
    purchases = build_purchases(planted(), max_model_products=20)
    modelled = set(purchases.products[purchases.model_products])
    assert len(modelled) == 20 and purchases.weights.shape == (20, 20)
    recs = recommend_for_customers(purchases, top=30)
    assert set(recs.loc[recs["source"] == "history", "product"]) <= modelled
    assert set(recs.loc[recs["source"] == "popular", "product"]) - modelled  # the others still reachable
    assert recs.groupby("customer").size().max() == 30
    for customer, group in recs.groupby("customer"):
        had = set(purchases.products[purchases.history[purchases.customer_index(customer)].indices])
        assert not had & set(group["product"]) and group["rank"].tolist() == list(range(1, len(group) + 1))
        assert all(set(because) <= had & modelled for because in group["because"])


def test_buy_again_lists_repeated_products_most_due_first():
    tx = transactions([("c1", f"o{i}", d, ["A1"]) for i, d in enumerate(["2024-01-01", "2024-01-11", "2024-01-21"])] +
                      [("c1", "o8", "2024-01-01", ["B1"]), ("c1", "o9", "2024-01-29", ["B1"]),
                       ("c1", "o7", "2024-01-29", ["C1"])])
    purchases = build_purchases(tx)
    table = buy_again(purchases, "c1", as_of="2024-02-01")
    assert table["product"].tolist() == ["A1", "B1"]  # C1 once only; A (every 10 days, 11 since) is due, B (28, 3) not
    a = table.iloc[0]
    assert a["times"] == 3 and a["every_days"] == 10 and a["days_since"] == 11 and a["due_in_days"] == -1


def test_segment_products():
    tx = planted()
    purchases = build_purchases(tx)
    segments = pd.Series({c: "loyal" if i % 3 else "at_risk" for i, c in enumerate(purchases.customers)})
    bought, push = segment_products(purchases, segments, "loyal", top=5)
    assert len(bought) == 5 and bought["customers"].is_monotonic_decreasing
    assert bought.iloc[0]["product"] == "P00"  # the Zipf head
    assert (bought["share"] <= 1).all() and len(push) > 0
    assert push["recommended_to"].is_monotonic_decreasing and (push["share_bought"] < 1).all()
    assert {"product", "name", "recommended_to", "share_bought", "score"} <= set(push.columns)


def test_holdout_on_generated_data_and_its_errors():
    tx = planted(n_orders=4000, pairs=tuple((i, 59 - i) for i in range(30)))
    result = evaluate(tx, k=5)
    assert result["cutoff"] == default_cutoff(tx).date().isoformat()
    assert {"cutoff", "k", "customers_evaluated", "hit_rate", "precision", "recall", "popularity",
            "recent_popularity", "also_bought"} <= set(result)
    assert set(result["popularity"]) == {"hit_rate", "precision", "recall"}
    assert 0 <= result["precision"] <= result["hit_rate"] <= 1
    # planted pairs make also-bought beat best-sellers on the following months' baskets
    assert result["also_bought"]["hit_rate"] > result["also_bought"]["popularity_hit_rate"]
    with pytest.raises(OptionError) as error:
        evaluate(tx, cutoff="2030-01-01")
    assert error.value.key == "holdout_cutoff_out_of_range"
    with pytest.raises(OptionError) as error:
        evaluate(transactions(TINY), cutoff="2024-01-04")
    assert error.value.key == "holdout_too_little"


# --- real data ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def online_retail(online_retail_cleaned):
    _, cleaned = online_retail_cleaned
    return cleaned.transactions


@pytest.fixture(scope="module")
def online_retail_purchases(online_retail):
    return build_purchases(online_retail)


def _code(purchases, name: str) -> str:
    return purchases.products[np.flatnonzero(purchases.names == name)[0]]


@pytest.mark.realdata
def test_online_retail_known_co_purchases(online_retail_purchases):
    p = online_retail_purchases
    jumbo = also_bought(p, _code(p, "JUMBO BAG RED RETROSPOT"))
    assert sum(name.startswith("JUMBO") for name in jumbo["name"]) >= 3
    teacup = also_bought(p, _code(p, "GREEN REGENCY TEACUP AND SAUCER"))
    assert teacup.iloc[0]["name"] == "ROSES REGENCY TEACUP AND SAUCER" and teacup.iloc[0]["lift"] > 10
    for basis in ("order", "customer"):
        table = also_bought_all(p, basis=basis)
        assert not set(table["product"]) & {"POST", "M", "DOT", "C2", "BANK CHARGES", "PADS"}
    assert {"POST", "M", "DOT", "C2", "BANK CHARGES"} <= set(p.excluded_products)


@pytest.mark.realdata
def test_online_retail_recommendations_for_everyone(online_retail, online_retail_purchases):
    recs = recommend_for_customers(online_retail_purchases, top=10)
    assert recs["customer"].nunique() == len(online_retail_purchases.customers)
    assert not set(recs["product"]) & set(online_retail_purchases.excluded_products)
    assert (recs.loc[recs["source"] == "history", "because"].map(len) > 0).all()


@pytest.mark.realdata
def test_online_retail_holdout_beats_the_reference_baselines(online_retail):
    result = evaluate(online_retail, cutoff="2011-09-01", k=10)
    assert result["test_end"] == "2011-12-09" and result["customers_evaluated"] > 1500
    # references: per-customer best 0.49 (implicit ALS); also-bought best 0.63 (confidence ≥ 5 orders)
    assert result["hit_rate"] >= 0.53 and result["hit_rate"] > result["popularity"]["hit_rate"] + 0.15
    assert result["hit_rate"] > result["recent_popularity"]["hit_rate"]
    assert result["also_bought"]["hit_rate"] >= 0.66 > 0.45 > result["also_bought"]["popularity_hit_rate"]


@pytest.mark.realdata
def test_groceries_customer_days(groceries_raw):
    from metriqr.cleaning import clean_transactions
    from metriqr.columns import resolve_mapping

    tx = clean_transactions(groceries_raw, resolve_mapping(groceries_raw)).transactions
    purchases = build_purchases(tx)
    assert not purchases.has_orders and purchases.n_baskets == 14963
    table = also_bought(purchases, "whole milk")
    assert len(table) == 5 and (table["together"] >= 3).all()
    result = evaluate(tx)
    # grocery baskets carry little personal signal: the model must at least match popularity
    assert result["hit_rate"] >= result["popularity"]["hit_rate"] - 0.03


def test_evaluate_with_single_product_orders_reports_no_also_bought_figure():
    """Small shops whose orders hold one product each: the hold-out still runs, with no also-bought rate."""
    rng = np.random.default_rng(3)
    n = 1500
    tx = pd.DataFrame({
        "customer": [f"C{c}" for c in rng.integers(0, 150, n)],
        "date": pd.to_datetime("2025-01-01") + pd.to_timedelta(rng.integers(0, 360, n), unit="D"),
        "amount": rng.integers(5, 90, n).astype(float),
        "is_return": False,
        "order": [f"O{i}" for i in range(n)],
        "product": [f"P{p}" for p in rng.integers(0, 30, n)],
    })
    tx["product_name"] = tx["product"]
    result = evaluate(tx)
    assert result["customers_evaluated"] > 0 and 0 <= result["hit_rate"] <= 1
    assert result["also_bought"]["products_in_baskets"] == 0
    assert np.isnan(result["also_bought"]["hit_rate"])


@pytest.mark.parametrize("seed, n, k", [(0, 3000, 10), (1, 5000, 5), (2, 2600, 10), (3, 700, 3), (4, 64 * 40 + 17, 10)])
def test_top_k_is_an_exact_ranking_with_ties_by_column(seed, n, k):
    """Wide rows take the block-maxima shortcut: the same as a full stable sort, ties included
    (where fewer than k scores are finite, which −inf columns fill the list does not matter)."""
    from metriqr.recommend_kernels import top_k as _top_k

    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 40, size=(60, n)).astype(np.float32)  # many ties at every value
    scores[rng.random(scores.shape) < 0.3] = -np.inf
    scores[5] = -np.inf  # a row with nothing: any k columns, lowest first
    scores[6, :] = 7.0   # a row of ties
    scores[7] = rng.random(n).astype(np.float32)  # all distinct
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    got = _top_k(scores, k)
    finite = np.isfinite(np.take_along_axis(scores, expected, axis=1))
    assert np.array_equal(np.where(finite, got, -1), np.where(finite, expected, -1))
    assert np.isneginf(np.take_along_axis(scores, got, axis=1)[~finite]).all()
    assert all(len(set(row)) == k for row in got.tolist())
