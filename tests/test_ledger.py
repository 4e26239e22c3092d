"""One ledger (one row per customer and day) from which `segment` and `migrate` both derive (issue 10, item 1)."""
from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metriqr import cli
from metriqr.aggregates import LEDGER_COLUMNS, Ledger, build_ledger, customer_summary, monthly_activity
from metriqr.migration import migrate
from metriqr.segmentation import segment_customers, segment_ledger

TINY = """customer,date,amount
A,2024-01-10,9.99
A,2024-01-10,43.13
B,2024-01-10,53.12
C,2024-01-10,53.12
G,2024-01-10,10.00
D,2024-01-10,60.00
E,2024-01-10,70.00
F,2024-01-10,80.00
H,2024-01-10,90.00
I,2024-01-10,100.00
J,2024-01-10,110.00
K,2024-02-05,5.00
"""


def _run(*args: object) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli.main([str(a) for a in args])
    return status, out.getvalue()


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return {row["customer"]: row for row in csv.DictReader(stream)}


@pytest.mark.parametrize("thresholds", ["first", "last", "each"])
def test_tiny_file_segment_and_migrate_agree(tmp_path, thresholds):
    """The issue's reproduction: A (9.99 + 43.13) and B (53.12) spent the same, so they are in one
    segment both in `segment --as-of` and in `migrate --from` of the same date."""
    data = tmp_path / "tiny.csv"
    data.write_text(TINY, encoding="utf-8")
    seg_out, flows_out = tmp_path / "customers.csv", tmp_path / "flows.csv"
    assert _run("segment", data, "--as-of", "2024-02-01", "--customers-out", seg_out)[0] == 0
    segmented = _rows(seg_out)
    assert segmented["A"]["monetary"] == segmented["B"]["monetary"] == "53.12"
    assert segmented["A"]["segment"] == segmented["B"]["segment"] == segmented["C"]["segment"]
    assert _run("migrate", data, "--from", "2024-02-01", "--to", "2024-02-06", "--thresholds", thresholds,
                "--flows-out", flows_out)[0] == 0
    flows = _rows(flows_out)
    assert flows["A"]["segment_from"] == flows["B"]["segment_from"]
    if thresholds != "last":  # with the last date's thresholds A's segment at 01/02 differs from segment's
        assert {c: flows[c]["segment_from"] for c in segmented} == {c: segmented[c]["segment"] for c in segmented}
    assert flows["K"]["segment_from"] == ""  # K's first purchase is after 01/02


# --- property: every snapshot of migrate is segment --as-of ---------------------------------------

START = pd.Timestamp("2024-01-01")
DATE_FROM, DATE_TO = pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01")
line = st.tuples(st.sampled_from([f"c{i}" for i in range(8)]), st.integers(0, 70), st.integers(0, 86_399),
                 st.integers(-2_000, 20_000), st.integers(0, 9))


def _transactions(lines, *, with_order: bool) -> pd.DataFrame:
    """Amounts in cents (x.yz): their float sums depend on the order of addition."""
    records = [("c0", START, 12.34, 0), ("c0", DATE_TO - pd.Timedelta(hours=1), 5.01, 1)] + [
        (c, START + pd.Timedelta(days=d, seconds=s), (cents or 1) / 100, o) for c, d, s, cents, o in lines]
    frame = pd.DataFrame(records, columns=["customer", "date", "amount", "order"])
    frame["is_return"] = frame["amount"] < 0
    frame["order"] = "o" + frame["order"].astype(str)
    return frame if with_order else frame.drop(columns="order")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line, max_size=40), st.booleans(), st.sampled_from(["first", "last", "each"]),
       st.randoms(use_true_random=False))
def test_every_migrate_snapshot_is_segment_as_of(lines, with_order, thresholds, random):
    tx = _transactions(lines, with_order=with_order)
    order = list(range(len(tx)))
    random.shuffle(order)
    shuffled = tx.iloc[order].reset_index(drop=True)  # segment reads the lines in another order
    moved = migrate(tx, date_from=DATE_FROM, date_to=DATE_TO, refit=thresholds == "each",
                    baseline=DATE_TO if thresholds == "last" else None)
    base = {"first": DATE_FROM, "last": DATE_TO, "each": None}[thresholds]
    scorer = None if base is None else segment_customers(shuffled, as_of=base).scorer
    for snapshot, date in ((moved.before, DATE_FROM), (moved.after, DATE_TO)):
        reference = segment_customers(shuffled, as_of=date, scorer=scorer)
        pd.testing.assert_frame_equal(snapshot.customers, reference.customers, check_exact=True)
        assert snapshot.revenue == reference.revenue and snapshot.occasions == reference.occasions
    source = moved.transitions.set_index("customer")["segment_from"].astype(str)
    before = segment_customers(shuffled, as_of=DATE_FROM, scorer=scorer).customers["segment"].astype(str)
    assert source.reindex(before.index).tolist() == before.tolist()


# --- the ledger itself ------------------------------------------------------------------------------

def _frame(rows, columns=("customer", "date", "amount", "order")) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns)[:len(rows[0])])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["is_return"] = frame["amount"] < 0
    return frame


def test_ledger_rows_hand_checked():
    tx = _frame([("b", "2024-01-02 10:00", 9.99, "1"), ("b", "2024-01-02 11:00", 43.13, "1"),
                 ("a", "2024-01-02 09:00", 5.0, "2"), ("b", "2024-01-03 08:00", 1.005, "1"),
                 ("b", "2024-01-05 12:00", -2.5, "3"), ("a", "2024-01-05 13:00", 0.1, "4")])
    ledger = build_ledger(tx.iloc[::-1])
    table = ledger.to_frame()
    assert list(table.columns) == list(LEDGER_COLUMNS)
    assert table[["customer", "orders", "orders_closed", "cents", "lines", "returns"]].values.tolist() == [
        ["a", 1, 1, 500, 1, 0], ["b", 1, 0, 5312, 2, 0],  # 2024-01-02: order 1 opens
        ["b", 0, 1, 101, 1, 0],                           # 2024-01-03: order 1's last line (1.005 → 1.01)
        ["a", 1, 1, 10, 1, 0], ["b", 0, 0, -250, 0, 1]]    # 2024-01-05: a return is no occasion
    assert table["day"].dt.strftime("%d").tolist() == ["02", "02", "03", "05", "05"]
    assert ledger.cents.dtype == np.int64
    assert pd.isna(table["first_time"].iloc[4]) and table["last_time"].iloc[1] == pd.Timestamp("2024-01-02 11:00")
    summary = ledger.summary(pd.Timestamp("2024-01-06"))
    assert summary["monetary"].to_dict() == {"a": 5.1, "b": 51.63}
    assert summary["frequency"].to_dict() == {"a": 2, "b": 1}


def test_order_across_a_window_start_counts_once_with_only_its_lines_in_the_window():
    """The documented rule: an order open during the window (first line before the reference date,
    last line on or after the window start) is one occasion; only the lines inside count as spend."""
    tx = _frame([("x", "2024-01-01", 10.0, "o1"), ("x", "2024-01-10", 4.0, "o1"),
                 ("x", "2024-01-12", 7.0, "o2"), ("y", "2024-01-02", 3.0, "o3"), ("y", "2024-01-11", 2.0, None)])
    as_of = pd.Timestamp("2024-01-15")
    window = customer_summary(tx, as_of=as_of, window_days=10)  # from 2024-01-05
    assert window.loc["x", "frequency"] == 2 and window.loc["x", "monetary"] == 11.0
    assert window.index.tolist() == ["x", "y"] and window.loc["y", "frequency"] == 0  # no order number: no occasion
    assert customer_summary(tx, as_of=as_of).loc["x", "monetary"] == 21.0
    early = customer_summary(tx, as_of=pd.Timestamp("2024-01-05"))  # o1 began before, its later line is future
    assert early.loc["x", "frequency"] == 1 and early.loc["x", "monetary"] == 10.0


def test_ledger_from_its_frame_is_the_same_ledger_in_any_row_order(tmp_path):
    tx = _frame([("b", "2024-01-02", 9.99, "1"), ("a", "2024-01-02", 5.0, "2"), ("b", "2024-01-03", 1.0, "1"),
                 ("c", "2024-01-09", -2.5, "3"), ("c", "2024-01-04", 3.0, "5")])
    ledger = build_ledger(tx)
    table = ledger.to_frame()
    path = tmp_path / "ledger.parquet"
    table.sample(frac=1, random_state=1).to_parquet(path)  # e.g. stored by a workspace, read back
    again = Ledger.from_frame(pd.read_parquet(path))
    pd.testing.assert_frame_equal(again.to_frame(), table)
    as_of = pd.Timestamp("2024-01-10")
    pd.testing.assert_frame_equal(segment_ledger(again, as_of=as_of).customers,
                                  segment_customers(tx, as_of=as_of).customers)
    with pytest.raises(ValueError, match="lacks columns"):
        Ledger.from_frame(table.drop(columns="cents"))
    with pytest.raises(ValueError, match="more than one row"):
        Ledger.from_frame(pd.concat([table, table.head(1)]))


def test_monthly_activity_is_a_view_on_the_ledger():
    tx = _frame([("a", "2024-01-03", 0.1), ("a", "2024-01-20", 0.2), ("b", "2024-01-31", 0.3), ("c", "2024-03-31", -4.0)],
                columns=("customer", "date", "amount"))
    ledger = build_ledger(tx)
    table = monthly_activity(ledger)
    pd.testing.assert_frame_equal(table, monthly_activity(tx))
    assert table["revenue"].tolist() == [0.6, 0.0, -4.0]  # exactly 0.6, not 0.6000000000000001
    assert table["lines"].tolist() == [3, 0, 1] and table["customers"].tolist() == [2, 0, 1]


def test_segment_json_revenue_is_exact_cents(tmp_path):
    data = tmp_path / "tiny.csv"
    data.write_text(TINY, encoding="utf-8")
    status, out = _run("segment", data, "--json")
    assert status == 0
    record = json.loads(out)
    assert record["customers"] == 11
