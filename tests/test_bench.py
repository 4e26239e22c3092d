"""The benchmark cannot rot: its generator makes realistic data and each stage runs at a tiny size.

No timing is asserted here: bench/README.md holds the figures, `python -m bench` measures them.
Anchor stages are skipped where their library is not installed (the app's .venv has none of them).
"""
from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from bench import run as bench_run
from bench.generate import (COLUMNS, EXCEL_MAX_ROWS, describe, ensure_inputs, generate, generate_table,
                            parse_size, product_count, size_label)
from metriqr.pipeline import clean_raw
from metriqr.reading import read_table

N = 2_000


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return generate(N, seed=0)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict:
    return ensure_inputs(N, 0, ("csv", "parquet", "xlsx"), tmp_path_factory.mktemp("bench-data"))


@pytest.fixture(scope="module")
def tx(inputs) -> pd.DataFrame:
    return clean_raw(read_table(inputs["csv"])).cleaned.transactions


def run_stage(key: str, data) -> dict:
    clock = bench_run.Clock()
    info = bench_run.STAGES[key].run(data, clock)
    clock.stop()
    assert clock.end >= clock.start
    return info


# --- the generator ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, lines", [("100k", 100_000), ("1m", 1_000_000), ("10M", 10_000_000),
                                         ("2000", 2_000), ("1_048_575", EXCEL_MAX_ROWS), ("2.5k", 2_500)])
def test_sizes_are_read_as_people_write_them(text, lines):
    assert parse_size(text) == lines


@pytest.mark.parametrize("bad", ["", "1x", "-5", "0", "1.5"])
def test_a_bad_size_is_refused(bad):
    with pytest.raises(ValueError):
        parse_size(bad)


def test_size_labels_round_trip():
    for n in (2_000, 100_000, 1_000_000, 10_000_000, EXCEL_MAX_ROWS):
        assert parse_size(size_label(n)) == n


def test_the_generator_is_seeded():
    assert generate(500, seed=1).equals(generate(500, seed=1))
    assert not generate(500, seed=1).equals(generate(500, seed=2))


def test_exactly_the_lines_asked_for_with_an_order_column(frame):
    assert len(frame) == N
    assert tuple(frame.columns) == COLUMNS
    lines_per_order = frame.groupby("InvoiceNo").size()
    assert 2.5 < lines_per_order.mean() < 6  # baskets, not one line per order
    # one invoice is one customer at one moment
    per_invoice = frame.groupby("InvoiceNo").agg(customers=("CustomerID", "nunique"), dates=("InvoiceDate", "nunique"))
    assert (per_invoice["customers"] <= 1).all() and (per_invoice["dates"] == 1).all()


def test_two_to_three_years_of_dates(frame):
    span = frame["InvoiceDate"].max() - frame["InvoiceDate"].min()
    assert pd.Timedelta(days=2 * 365) <= span <= pd.Timedelta(days=3 * 365 + 2)


def test_returns_and_guests_like_a_real_export(frame):
    returns = frame["InvoiceNo"].str.startswith("C")
    assert returns.any() and (frame.loc[returns, "Quantity"] < 0).all() and (frame.loc[~returns, "Quantity"] > 0).all()
    assert 0 < frame["CustomerID"].isna().mean() < 0.1
    assert (frame["UnitPrice"] > 0).all()


def test_customer_activity_is_heavy_tailed_and_products_follow_zipf():
    figures = describe(generate_table(20_000, seed=0))
    assert figures["one_order_share"] > 0.5  # most customers buy once
    mean_orders = figures["orders"] / figures["customers"]
    assert figures["max_orders_per_customer"] > 5 * mean_orders  # a few buy very often
    assert figures["top_product_lines"] >= 10 * figures["median_product_lines"]
    assert figures["products"] == product_count(20_000)


def test_some_products_are_bought_together():
    frame = generate(20_000, seed=0)
    baskets = frame.loc[frame["Quantity"] > 0, ["InvoiceNo", "StockCode"]].drop_duplicates()
    n_orders = baskets["InvoiceNo"].nunique()
    pairs = baskets.merge(baskets, on="InvoiceNo")
    pairs = pairs.loc[pairs["StockCode_x"] < pairs["StockCode_y"]]
    together = pairs.groupby(["StockCode_x", "StockCode_y"]).size()
    counts = baskets["StockCode"].value_counts()
    expected = counts.reindex(together.index.get_level_values(0)).to_numpy() * \
        counts.reindex(together.index.get_level_values(1)).to_numpy() / n_orders
    lift = together.to_numpy() / expected
    strong = together.to_numpy() >= 3
    assert (lift[strong] > 5).sum() >= 20  # clusters: far more often together than chance


def test_inputs_are_written_once_and_read_back_in_every_format(inputs):
    for fmt, path in inputs.items():
        assert path.exists() and path.stat().st_size > 0, fmt
    before = {fmt: path.stat().st_mtime_ns for fmt, path in inputs.items()}
    again = ensure_inputs(N, 0, tuple(inputs), inputs["csv"].parent)
    assert {fmt: path.stat().st_mtime_ns for fmt, path in again.items()} == before  # cached
    assert read_table(inputs["csv"]).frame.shape == (N, len(COLUMNS))


# --- our stages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_read_stage(inputs, fmt):
    info = run_stage(f"read_{fmt}", str(inputs[fmt]))
    assert info["rows"] == N
    assert info["columns"] == list(COLUMNS)


def test_clean_stage(inputs):
    info = run_stage("clean", read_table(inputs["csv"]))
    assert 0.85 * N < info["rows_used"] < N
    assert info["mapping"]["order"] == "InvoiceNo" and info["mapping"]["customer"] == "CustomerID"
    assert info["mapping"]["product"] == "StockCode"
    assert info["excluded"]["no_customer"] > 0  # guest checkouts


def test_segment_stage(tx):
    info = run_stage("segment", tx)
    assert info["customers"] == tx["customer"].nunique()
    assert info["segments"] >= 5
    assert info["one_order_share"] > 0.5


def test_migration_stage(tx):
    info = run_stage("migration", tx)
    assert info["snapshots"] == 13 and info["transitions"] == 12
    assert 0 < info["customers_last"] <= tx["customer"].nunique()


def test_also_bought_stage(tx):
    info = run_stage("also_bought", tx)
    assert info["products"] == tx.loc[~tx["is_return"], "product"].nunique()
    assert info["pairs_min_together"] > 0 and info["products_with_list"] > 0


def test_recommend_stage(tx):
    info = run_stage("recommend", tx)
    assert info["customers_with_recs"] == info["customers"] == tx.loc[~tx["is_return"], "customer"].nunique()
    assert info["rows"] >= info["customers"]


def test_plain_pandas_anchor(tx):
    info = run_stage("pandas_rfm", tx)
    assert info["customers"] == tx["customer"].nunique() and info["cells"] > 10


@pytest.mark.parametrize("key, module", [("lifetimes", "lifetimes"), ("pymc_marketing", "pymc_marketing")])
def test_summary_anchors(tx, key, module):
    pytest.importorskip(module)
    assert run_stage(key, tx)["customers"] == tx["customer"].nunique()


def test_mlxtend_finds_the_same_pairs_as_ours(tx):
    pytest.importorskip("mlxtend")
    theirs, ours = run_stage("mlxtend", tx), run_stage("also_bought", tx)
    assert theirs["pairs_min_together"] == ours["pairs_min_together"]  # same work, same evidence
    assert theirs["rules"] == 2 * theirs["pairs_min_together"]


# --- the harness ---------------------------------------------------------------------------------

def test_python_m_bench_end_to_end(tmp_path, capsys):
    """Fresh child processes, medians, ratios, targets and the JSON file, at a tiny size."""
    out = tmp_path / "results.json"
    code = bench_run.main(["--sizes", "2000", "--runs", "1", "--stages", "read_parquet,segment,cli_segment_csv,pandas_rfm",
                           "--data-dir", str(tmp_path / "data"), "--json-out", str(out), "--python", sys.executable,
                           "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "== 2k" in printed and "== targets" in printed
    results = json.loads(out.read_text())
    stages = results["sizes"]["2k"]["stages"]
    assert set(stages) == {"read_parquet", "segment", "cli_segment_csv", "pandas_rfm"}
    for key, record in stages.items():
        assert record["median_s"] > 0 and record["peak_rss"] > 0, key
        assert "error" not in record, record.get("error")
    assert stages["read_parquet"]["info"]["rows"] == N
    assert "customers" in stages["cli_segment_csv"]["info"]["keys"]
    ratio = results["sizes"]["2k"]["ratios"]["pandas_rfm"]
    assert ratio["versus"] == "segment" and ratio["time"] > 0
    assert results["machine"]["python"] and results["machine"]["versions"]["pandas"] == pd.__version__
    assert results["sizes"]["2k"]["dataset"]["lines"] == N


def test_a_failing_child_is_reported_not_raised(tmp_path):
    wall, code, peak, tail, stopped = bench_run.spawn(
        [sys.executable, "-c", "import sys; sys.exit('boom')"], env={}, timeout=60, mem_limit=10**12)
    assert code == 1 and "boom" in tail and not stopped
    wall, code, peak, tail, stopped = bench_run.spawn(
        [sys.executable, "-c", "import time; time.sleep(30)"], env={}, timeout=0.5, mem_limit=10**12)
    assert stopped.startswith("timeout") and wall < 20
    wall, code, peak, tail, stopped = bench_run.spawn(
        [sys.executable, "-c", "import time; x = bytearray(300 * 10**6); time.sleep(30)"], env={}, timeout=60,
        mem_limit=100 * 10**6)
    assert stopped.startswith("memory") and peak > 100 * 10**6


def _results(**stages_1m) -> dict:
    def record(seconds, peak=None):
        return {"median_s": seconds, "peak_rss": peak}
    stages = {k: record(*v) if isinstance(v, tuple) else record(v) for k, v in stages_1m.items()}
    return {"sizes": {"1m": {"stages": stages, "ratios": bench_run.ratios(stages)}}}


def test_targets_pass_and_miss():
    results = _results(read_csv=1.5, clean=0.6, segment=0.6, migration=2.0, also_bought=(1.0, 1.6e9),
                       recommend=6.0, cli_segment_csv=(4.0, 0.8e9), mlxtend=20.0, lifetimes=1.2)
    verdicts = {t["target"]: t["verdict"] for t in bench_run.evaluate_targets(results)}
    assert verdicts["1m: read CSV"] == "PASS"
    assert verdicts["1m: clean + segment"] == "MISS"  # 1.2 s > 1 s
    assert verdicts["1m: recommendations, all customers"] == "MISS"
    assert verdicts["1m: peak memory (largest of our stages)"] == "MISS"  # 1.6 GB
    assert verdicts["1m: also-bought vs mlxtend (x faster)"] == "PASS"  # 20×
    assert verdicts["1m: per-customer summary vs lifetimes (x faster)"] == "MISS"  # 2×
    assert verdicts["1m: also-bought vs mlxtend (x less memory, stage)"] == "n/a"


def test_anchor_ratios_are_theirs_over_ours():
    stages = {"segment": {"median_s": 0.5, "peak_rss": 400, "stage_delta": 100},
              "lifetimes": {"median_s": 2.0, "peak_rss": 800, "stage_delta": 50}}
    ratio = bench_run.ratios(stages)["lifetimes"]
    assert ratio == {"versus": "segment", "time": 4.0, "peak": 2.0, "delta": 0.5}
    assert np.isfinite(ratio["time"])


@pytest.mark.browser
def test_app_timings_run_end_to_end(tmp_path, capsys):
    """`python -m bench.app` on the demo store: one browser upload run and the timed reruns (the cold-link
    and marketplace cases start more servers and a 50k-line upload: the benchmark's, not the suite's)."""
    import shutil

    from bench import app as bench_app

    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed")
    out = tmp_path / "app.json"
    sample = bench_app.ROOT / "sample_data" / "loja_exemplo.csv"
    assert bench_app.main(["--data", str(sample), "--runs", "1", "--cases", "upload,reruns", "--json-out", str(out)]) == 0
    result = json.loads(out.read_text())
    run = result["browser_runs"][0]
    assert run["total"] == pytest.approx(run["upload_to_dados"] + run["to_segmentacao"])
    assert {"Segmentação, pick another segment", "Segmentação, in English", "Dados, back to the page"} <= set(result["reruns"])
    assert all(seconds > 0 for seconds in result["reruns"].values())
    assert "upload → Segmentação report" in capsys.readouterr().out


def test_marketplace_export_is_shaped_like_olist(tmp_path):
    """Hash ids, timestamps to the second, one category name shared by many products, mostly
    one-order customers; the app reads it with the product id as product and the category as name."""
    from bench.generate import ensure_marketplace

    path = ensure_marketplace(3_000, data_dir=tmp_path)
    frame = pd.read_csv(path, dtype=str)
    assert len(frame) == 3_000
    assert frame["order_id"].str.fullmatch(r"[0-9a-f]{32}").all()
    assert frame["order_purchase_timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    per_name = frame.groupby("product_category_name")["product_id"].nunique()
    assert per_name.max() >= 50  # a category name covers many products
    orders = frame.groupby("customer_unique_id")["order_id"].nunique()
    assert (orders == 1).mean() > 0.85
    ds = clean_raw(read_table(path))
    assert ds.mapping["product"] == "product_id" and ds.mapping["product_name"] == "product_category_name"
    assert ds.cleaned.report.rows_used == 3_000


# --- issue 11: the timestamped export --------------------------------------------------------------

def test_timestamped_exports_read_back_the_same_moments(tmp_path):
    """`03/01/2022 07:02` and `03/01/2022` carry the ISO file's moments and days, read day-first."""
    from metriqr.pipeline import load_dataset

    paths = ensure_inputs(2_000, 0, ("csv", "dmy-time.csv", "dmy.csv"), tmp_path)
    iso = load_dataset(paths["csv"]).cleaned
    timed = load_dataset(paths["dmy-time.csv"]).cleaned
    dated = load_dataset(paths["dmy.csv"]).cleaned
    assert timed.transactions["date"].tolist() == iso.transactions["date"].tolist()
    assert dated.transactions["date"].tolist() == iso.transactions["date"].dt.normalize().tolist()
    assert (timed.report.date_format, timed.report.date_order, timed.report.date_order_reason) == \
        ("dd/mm/aaaa hh:mm", "dmy", "evidence")
    assert dated.report.date_format == "dd/mm/aaaa"


def test_timestamps_harness_runs_both_commands_on_both_layouts(tmp_path):
    from bench import timestamps

    runner = bench_run.Runner(bench_run.parse_args(["--runs", "1", "--data-dir", str(tmp_path), "--quiet"]))
    block = timestamps.measure(runner, 2_000, 0, 1, tmp_path)
    for name in ("recommend", "segment"):
        for fmt in timestamps.FORMATS:
            assert block["commands"][name][fmt]["error"] is None and block["commands"][name][fmt]["median_s"] > 0
        assert block["commands"][name]["ratio"] > 0
    assert [t[0] for t in timestamps.targets(block)] == [
        "2k timestamped: whole `recommend --product` command", "2k: `recommend` timestamped / date-only",
        "2k: `segment` timestamped / date-only"]
    assert "recommend --product" in timestamps.lines(block)[0]


def test_engines_benchmark_runs_and_the_engines_answer_alike(tmp_path, monkeypatch, capsys):
    """`python -m bench.engines` at 3,000 warehouse-style lines (hash ids, timestamps, returns, repeated
    lines): the harness runs each engine as its own process, and their `recommend` JSON is the same."""
    from bench import engines as bench_engines

    monkeypatch.setattr(bench_engines, "DATA_DIR", tmp_path)
    out = tmp_path / "engines.json"
    assert bench_engines.main(["--sizes", "3k", "--engines", "duckdb,memory", "--command", "recommend",
                               "--json-out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert [r["engine"] for r in results] == ["duckdb", "memory"] and all(r["status"] == 0 for r in results)
    assert results[0]["json_sha256"] == results[1]["json_sha256"] and results[0]["peak_gb"] > 0
