"""Recommendations (issue 10, items 3 and 4): every segmented customer gets a list, and also-bought
lists never put a below-chance pair above an attraction."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metriqr import cli
from metriqr.errors import OptionError
from metriqr.pipeline import load_dataset
from metriqr.recommend import also_bought, also_bought_all, build_purchases, recommend_for_customers
from metriqr.segmentation import segment_customers

ROOT = Path(__file__).resolve().parents[1]
DEMO_CSV = ROOT / "sample_data" / "loja_exemplo.csv"


def _run(*args: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = cli.main([str(a) for a in args])
    return status, out.getvalue(), err.getvalue()


def _shop() -> pd.DataFrame:
    """a, b, c buy coffee, bread and cheese; z's only line is postage (not a product)."""
    rows = []
    for day, customer, products in [(1, "a", "cafe pao"), (2, "b", "cafe queijo"), (3, "c", "pao queijo"),
                                    (4, "a", "queijo"), (5, "b", "pao suco"), (6, "c", "cafe suco"), (7, "a", "cafe pao")]:
        for product in products.split():
            rows.append((customer, f"2024-03-{day:02d}", f"o{day}", product, 10.0))
    rows.append(("z", "2024-03-05", "o99", "POST", 15.0))
    frame = pd.DataFrame(rows, columns=["customer", "date", "order", "product", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["is_return"] = False
    return frame


def test_segmented_customer_without_product_lines_gets_the_segment_list():
    tx = _shop()
    segments = segment_customers(tx).customers["segment"].astype(str)
    assert "z" in segments.index  # z is segmented (the postage line is a purchase) …
    purchases = build_purchases(tx)
    assert "z" not in set(purchases.customers)  # … but bought no product
    recs = recommend_for_customers(purchases, ["z", "a"], top=3, segments=segments)
    z = recs[recs["customer"] == "z"]
    assert len(z) == 3 and (z["source"] == "popular").all() and z["rank"].tolist() == [1, 2, 3]
    assert recs["customer"].tolist()[:3] == ["z"] * 3  # in the order asked for
    assert set(recs["customer"]) == {"z", "a"}
    with pytest.raises(OptionError) as info:
        recommend_for_customers(purchases, ["nobody"], segments=segments)
    assert info.value.key == "unknown_customer"


def test_cli_batch_reports_absent_ids_without_failing_the_others(tmp_path):
    path = tmp_path / "shop.csv"
    _shop().to_csv(path, index=False)
    status, out, err = _run("recommend", path, "--customer", "z", "--customer", "nobody", "--customer", "a", "--json")
    assert status == 0
    record = json.loads(out)
    by_id = {c["customer"]: c for c in record["customers"]}
    assert set(by_id) == {"z", "a"}
    assert by_id["z"]["fallback"] == "no_product_purchases" and len(by_id["z"]["recommendations"]) == 4
    assert by_id["a"]["fallback"] is None
    assert [e["customer"] for e in record["errors"]] == ["nobody"] and "nobody" in err
    status, out, _ = _run("recommend", path, "--customer", "z", "--lang", "en")
    assert status == 0 and "No product purchase before the reference date" in out
    status, out, err = _run("recommend", path, "--customer", "nobody")
    assert status == 2 and "nobody" in err


@pytest.mark.realdata
def test_online_retail_customer_with_only_a_manual_line_gets_recommendations(online_retail_cleaned):
    """Issue reproduction: before 2011-09-01 customer 15885's only line is StockCode M (Manual)."""
    tx = online_retail_cleaned[1].transactions
    before = tx.loc[(tx["date"] < pd.Timestamp("2011-09-01")).to_numpy()]
    segments = segment_customers(before).customers["segment"].astype(str)
    assert "15885" in segments.index
    purchases = build_purchases(before)
    recs = recommend_for_customers(purchases, ["15885", "17850"], top=10, segments=segments)
    mine = recs[recs["customer"] == "15885"]
    assert len(mine) == 10 and (mine["source"] == "popular").all()
    assert (recs["customer"] == "17850").sum() == 10


# --- also bought ---------------------------------------------------------------------------------

def _baskets() -> pd.DataFrame:
    """X is in nearly every basket (a best-seller: with A no more than chance); Y is rare but goes with A."""
    rows, order = [], 0
    for i in range(40):  # A with X in 20 baskets, X alone in 16, A with Y in 4, Y alone in 0
        order += 1
        items = ["A", "X"] if i < 20 else (["X"] if i < 36 else ["A", "Y"])
        rows += [(f"c{i % 9}", f"o{order}", p) for p in items]
    for i in range(8):  # more best-seller baskets, with A
        order += 1
        rows += [(f"c{i}", f"o{order}", p) for p in ("A", "X")]
    frame = pd.DataFrame(rows, columns=["customer", "order", "product"])
    frame["date"] = pd.Timestamp("2024-01-01")
    frame["amount"], frame["is_return"] = 1.0, False
    return frame


def test_below_chance_pair_never_ranks_above_an_attraction():
    purchases = build_purchases(_baskets())
    table = also_bought(purchases, "A", min_together=3)
    assert table["product"].tolist() == ["Y", "X"]  # Y: lift > 1 though fewer together; X: lift < 1
    assert table["above_chance"].tolist() == [True, False]
    assert table["lift"].iloc[0] > 1 > table["lift"].iloc[1] and table["together"].iloc[1] > table["together"].iloc[0]


def test_demo_lists_put_every_attraction_first():
    purchases = build_purchases(load_dataset(DEMO_CSV).cleaned.transactions)
    table = also_bought_all(purchases, top=5)
    assert (table["above_chance"] == (table["lift"] > 1)).all()
    # within each product's list, once a pair is at or below chance, no attraction follows
    later_attraction = table.groupby("for_product")["above_chance"].apply(
        lambda s: bool((np.diff(s.to_numpy().astype(int)) > 0).any()))
    assert not later_attraction.any()
    first = also_bought(purchases, "10107")  # the example: lifts 0.84… listed as attraction
    assert first["lift"].iloc[0] > 1 and first["above_chance"].iloc[0]


def test_cli_shows_the_order_the_list_follows(tmp_path):
    path = tmp_path / "baskets.csv"
    _baskets().to_csv(path, index=False)
    status, out, _ = _run("recommend", path, "--product", "A", "--lang", "en")
    assert status == 0 and "List order: first the products bought together more often than chance" in out
    assert "Above chance" in out
    record = json.loads(_run("recommend", path, "--product", "A", "--json")[1])
    assert [i["above_chance"] for i in record["products"][0]["also_bought"]] == [True, False]
