"""The demo store is reproducible and shows every segment, migrations and co-purchases."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from metriqr.pipeline import load_dataset
from metriqr.segmentation import segment_customers, segment_summary
from metriqr.segments import SEGMENT_KEYS

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLE = SAMPLE_DIR / "loja_exemplo.csv"


@pytest.fixture(scope="module")
def demo():
    return load_dataset(SAMPLE)


def test_generator_reproduces_the_committed_file_byte_for_byte():
    spec = importlib.util.spec_from_file_location("sample_data_generate", SAMPLE_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["sample_data_generate"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    data, _ = module.generate()
    assert data == SAMPLE.read_bytes()


def test_demo_file_is_small_and_reads_as_a_brazilian_export(demo):
    assert SAMPLE.stat().st_size < 3 * 1024**2
    assert demo.raw.separator == ";" and demo.cleaned.report.date_format == "dd/mm/aaaa"
    assert set(demo.mapping) >= {"customer", "date", "amount", "order", "product", "product_name", "customer_name"}
    report = demo.cleaned.report
    assert report.rows_read == report.rows_used + report.rows_excluded
    span = report.last_date - report.first_date
    assert pd.Timedelta(days=700) < span < pd.Timedelta(days=760)  # about two years


def test_every_segment_is_present_at_the_default_reference_date(demo):
    summary = segment_summary(segment_customers(demo.cleaned.transactions))
    assert list(summary.index) == list(SEGMENT_KEYS)
    assert (summary["share"] >= 0.02).all(), summary["share"]
    assert summary["share"].max() < 0.35


def test_customers_move_between_segments_over_time(demo):
    tx = demo.cleaned.transactions
    before = segment_customers(tx, as_of="2026-05-01")
    after = segment_customers(tx, as_of="2026-11-01", scorer=before.scorer)
    both = before.customers[["segment"]].join(after.customers[["segment"]].add_suffix("_after"), how="inner")
    fell = both[both["segment"].isin(["champions", "loyal"]) & both["segment_after"].isin(["at_risk", "cant_lose"])]
    assert len(fell) >= 50  # regulars who stopped buying


def test_planted_pairs_are_bought_together(demo):
    tx = demo.cleaned.transactions
    purchases = tx[~tx["is_return"]]
    orders = purchases.groupby("order")["product_name"].agg(set)
    wine = orders.map(lambda items: "Vinho Tinto Malbec 750 ml" in items)
    both = orders[wine].map(lambda items: "Queijo Brie 125 g" in items)
    assert wine.sum() > 50 and both.mean() > 0.6
