"""Campaigns: the seeded split, the measurement against a control group, storage and the command line.

The measurement is checked by simulation on the demo store's real two-year history: a campaign at
2026-07-01, the real sales after it as the "new sales", and planted extra purchases for a known
share of the targeted customers.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from metriqr import campaigns as cp
from metriqr import workspace as store
from metriqr.aggregates import build_ledger
from metriqr.errors import MetriqrError
from metriqr.pipeline import load_dataset
from metriqr.segmentation import segment_ledger
from tests.test_cli_workspace import run, run_json

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "loja_exemplo.csv"
AS_OF = pd.Timestamp("2026-07-01")
UNTIL = pd.Timestamp("2026-08-31")
PLANTED_DAY = pd.Timestamp("2026-07-20")
PLANTED_AMOUNT = 60.0


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(store.DATA_DIR_ENV, str(tmp_path / "data"))


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    """The demo store's cleaned lines (2024-11-01 to 2026-10-31, 2,700 customers)."""
    return load_dataset(SAMPLE, name=SAMPLE.name).cleaned.transactions


@pytest.fixture(scope="module")
def base(history):
    """The ledger up to UNTIL, the segmentation at AS_OF and every customer segmented then."""
    ledger = build_ledger(history[history["date"] <= UNTIL + pd.Timedelta(hours=23)])
    segmentation = segment_ledger(ledger, as_of=AS_OF)
    return ledger, segmentation


def _members(segmentation, seed: int, share: float = cp.CONTROL_SHARE) -> pd.DataFrame:
    members = cp.split(segmentation.customers.index, seed=seed, control_share=share)
    members["segment"] = segmentation.customers["segment"].astype(str).reindex(members["customer"]).to_numpy()
    return members


def _planted(history: pd.DataFrame, customers) -> pd.DataFrame:
    """The history with one extra purchase of PLANTED_AMOUNT on PLANTED_DAY for each customer given."""
    extra = pd.DataFrame({"customer": list(customers), "date": PLANTED_DAY, "amount": PLANTED_AMOUNT,
                          "is_return": False, "order": [f"PLANT{i}" for i in range(len(customers))]})
    frame = history[history["date"] <= UNTIL + pd.Timedelta(hours=23)][["customer", "date", "amount", "is_return",
                                                                       "order"]]
    frame = frame.astype({"customer": object, "order": object})
    return pd.concat([frame, extra], ignore_index=True)


# --- the split ---------------------------------------------------------------------------------

def test_same_seed_same_split_whatever_the_order_of_the_customers():
    customers = [f"C{i:05d}" for i in range(1000)]
    first = cp.split(customers, seed=123)
    shuffled = cp.split(list(np.random.default_rng(9).permutation(customers)), seed=123)
    pd.testing.assert_frame_equal(first, shuffled)
    assert (first["group"] == "control").sum() == 100  # round(10 % of 1,000)
    other = cp.split(customers, seed=124)
    assert not first["group"].equals(other["group"])
    assert (cp.split(customers[:7], seed=1, control_share=0.5)["group"] == "control").sum() == 4  # 3.5 → 4
    assert (cp.split(customers[:3], seed=1)["group"] == "control").sum() == 1  # never an empty control
    assert (cp.split(customers[:2], seed=1, control_share=0.9)["group"] == "target").sum() == 1  # never all


@pytest.mark.parametrize("share", [0, 0.0, 0.95, -0.1, float("nan"), "abc"])
def test_a_control_share_outside_one_to_ninety_percent_is_refused(share):
    with pytest.raises(MetriqrError) as caught:
        cp.split(["a", "b"], seed=1, control_share=share)
    assert caught.value.key == "camp_bad_control"


# --- the measurement, by simulation on a real history ----------------------------------------------

def test_a_planted_extra_purchase_is_found_and_its_size_is_in_the_interval(history, base):
    unplanted, segmentation = base
    members = _members(segmentation, seed=2026)
    targeted = members.loc[members["group"] == "target", "customer"].to_numpy()
    planted = np.random.default_rng(5).choice(targeted, size=int(0.3 * len(targeted)), replace=False)
    ledger = build_ledger(_planted(history, planted))
    before = cp.outcomes(unplanted, members.assign(segment=None), as_of=AS_OF, until=UNTIL)
    already = set(before.loc[before["buyer"], "customer"])
    true_rate = sum(c not in already for c in planted) / len(targeted)  # new buyers made by the plant
    true_revenue = PLANTED_AMOUNT * len(planted) / len(targeted)

    result = cp.measure(ledger, members, as_of=AS_OF, until=UNTIL, scorer=segmentation.scorer)
    rate, revenue = result.uplift["purchase_rate"], result.uplift["revenue_per_customer"]
    assert rate["ci_low"] <= true_rate <= rate["ci_high"] and rate["ci_low"] > 0
    assert revenue["ci_low"] <= true_revenue <= revenue["ci_high"] and revenue["ci_low"] > 0
    assert result.verdict == "effect" and result.direction == "up"
    attributable = result.attributable
    assert attributable["diff"] == pytest.approx(revenue["diff"] * len(targeted))
    assert attributable["ci_low"] <= PLANTED_AMOUNT * len(planted) <= attributable["ci_high"]
    # the chart: the target's cumulative purchase rate jumps on the planted day, the control's does not
    curve = result.cumulative.set_index("day")
    jump = curve.loc[PLANTED_DAY] - curve.loc[PLANTED_DAY - pd.Timedelta(days=1)]
    assert jump["target"] > 0.15 and jump["control"] < 0.05
    assert curve.index[0] == AS_OF and curve.index[-1] == UNTIL and result.days == 62
    assert curve["target"].iloc[-1] == pytest.approx(result.groups["target"]["purchase_rate"])
    # buying again lifts customers to better segments: more of the target progressed
    assert result.groups["target"]["progressed_share"] > result.groups["control"]["progressed_share"] + 0.1


def test_nothing_planted_reports_no_effect(base):
    ledger, segmentation = base
    result = cp.measure(ledger, _members(segmentation, seed=2026), as_of=AS_OF, until=UNTIL,
                        scorer=segmentation.scorer)
    rate = result.uplift["purchase_rate"]
    assert rate["ci_low"] < 0 < rate["ci_high"]
    assert result.verdict == "no_effect_yet"
    groups = result.groups
    assert groups["target"]["customers"] + groups["control"]["customers"] == len(segmentation.customers)
    assert groups["control"]["customers"] == round(0.1 * len(segmentation.customers))


def test_only_buyers_progress_to_a_better_segment(base):
    """Without a purchase a customer's recency only ages: nobody moves up by doing nothing."""
    ledger, segmentation = base
    members = _members(segmentation, seed=1)
    frame = cp.outcomes(ledger, members, as_of=AS_OF, until=UNTIL, scorer=segmentation.scorer)
    assert frame["progressed"].any()
    assert not (frame["progressed"] & ~frame["buyer"]).any()


def test_intervals_cover_the_planted_effect_about_95_percent_of_the_time(base):
    """200 seeded campaigns on the same real history, each with its own split and plant."""
    ledger, segmentation = base
    members = _members(segmentation, seed=0)
    frame = cp.outcomes(ledger, members, as_of=AS_OF, until=UNTIL)
    n = len(frame)
    buyer0, revenue0, first0 = frame["buyer"].to_numpy(), frame["revenue"].to_numpy(), frame["first_day"].to_numpy()
    covered = {"rate": 0, "revenue": 0, "null_rate": 0}
    runs = 200
    for seed in range(runs):
        rng = np.random.default_rng(seed)
        target = np.ones(n, dtype=bool)
        target[rng.permutation(n)[:cp.control_size(n, 0.2)]] = False
        plant = target & (rng.random(n) < 0.1)
        trial = frame.assign(target=target, buyer=buyer0 | plant, revenue=revenue0 + PLANTED_AMOUNT * plant,
                             first_day=np.where(plant & ~buyer0, 19, first0))
        result = cp.compare(trial, as_of=AS_OF, until=UNTIL, days=62)
        rate, revenue = result.uplift["purchase_rate"], result.uplift["revenue_per_customer"]
        true_rate = (plant & ~buyer0).sum() / target.sum()
        true_revenue = PLANTED_AMOUNT * plant.sum() / target.sum()
        covered["rate"] += rate["ci_low"] <= true_rate <= rate["ci_high"]
        covered["revenue"] += revenue["ci_low"] <= true_revenue <= revenue["ci_high"]
        null = cp.compare(frame.assign(target=target), as_of=AS_OF, until=UNTIL, days=62)
        covered["null_rate"] += null.verdict == "no_effect_yet"
    shares = {key: value / runs for key, value in covered.items()}
    for key, share in shares.items():
        assert 0.91 <= share <= 0.99, shares


def test_too_early_rule_days_then_customers(base):
    ledger, segmentation = base
    members = _members(segmentation, seed=3)
    early = cp.measure(ledger, members, as_of=AS_OF, until=AS_OF + pd.Timedelta(days=cp.MIN_DAYS - 2))
    assert (early.verdict, early.reason, early.days) == ("too_early", "days", cp.MIN_DAYS - 1)
    few = members.groupby("group").head(cp.MIN_GROUP - 1)
    small = cp.measure(ledger, few, as_of=AS_OF, until=UNTIL)
    assert (small.verdict, small.reason) == ("too_early", "customers")
    with pytest.raises(MetriqrError) as caught:
        cp.measure(ledger, members, as_of=AS_OF, until=AS_OF - pd.Timedelta(days=1))
    assert caught.value.key == "camp_until_before"


def test_interval_formulas_against_hand_computed_values():
    # Newcombe (1998), Table II, example (a): 56/70 against 48/80 → 0.2000, 95 % CI 0.0524 to 0.3339
    rate = cp.rate_difference(56, 70, 48, 80)
    assert rate["diff"] == pytest.approx(0.2)
    assert (round(rate["ci_low"], 4), round(rate["ci_high"], 4)) == (0.0524, 0.3339)
    a, b = np.array([1.0, 2, 3, 4, 5]), np.array([2.0, 4, 6])
    welch = cp.mean_difference(a, b)  # scipy's Welch test: df 3.53, interval −4.9637 to 2.9637
    reference = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert welch["diff"] == pytest.approx(-1.0)
    assert (welch["ci_low"], welch["ci_high"]) == pytest.approx((reference.low, reference.high))
    assert (round(welch["ci_low"], 4), round(welch["ci_high"], 4)) == (-4.9637, 2.9637)
    nobody = cp.mean_difference(np.zeros(40), np.zeros(10))  # nobody bought: no spread, no doubt
    assert (nobody["diff"], nobody["ci_low"], nobody["ci_high"]) == (0.0, 0.0, 0.0)


# --- storage ------------------------------------------------------------------------------------

@pytest.fixture
def workspace(tmp_path, history):
    ws = store.create_workspace(tmp_path / "loja")
    store.ingest(ws, history[history["date"] < AS_OF], name="ate_junho.csv", rows={})
    return ws


def test_a_stored_campaign_never_changes_and_its_target_list_holds_no_control(workspace):
    assert store.list_campaigns(workspace) == []  # a workspace saved before campaigns: no table, no error
    segmentation = segment_ledger(store.load_ledger(workspace))
    run = store.save_run(workspace, segmentation)
    selection = cp.from_segment(store.saved_segmentation(workspace, run), "at_risk", source={"run": run})
    created = cp.create(workspace, selection, name="Volta", control_share=0.25, seed=7, channel="WhatsApp")
    stored, members = store.load_campaign(workspace, "Volta")
    assert stored["seed"] == 7 and stored["channel"] == "WhatsApp" and stored["source"]["run"] == run
    assert (created["targeted"], created["control"]) == ((members["group"] == "target").sum(),
                                                         (members["group"] == "control").sum())
    assert set(members["segment"]) == {"at_risk"}
    listing = cp.target_list(workspace, "Volta")
    assert list(listing.columns) == ["customer", "customer_name"] and listing["customer_name"].notna().all()
    control = set(members.loc[members["group"] == "control", "customer"])
    assert control and not control & set(listing["customer"])
    with pytest.raises(MetriqrError) as caught:
        cp.create(workspace, selection, name=" Volta ", seed=8)
    assert caught.value.key == "camp_duplicate"
    assert store.load_campaign(workspace, "Volta")[1].equals(members)  # the refused second one changed nothing
    # the same selection and seed give the same split in another campaign
    cp.create(workspace, selection, name="Volta 2", control_share=0.25, seed=7)
    pd.testing.assert_frame_equal(store.load_campaign(workspace, "Volta 2")[1], members)


def test_forgetting_a_customer_removes_them_from_campaigns(workspace):
    selection = cp.from_list(store.load_ledger(workspace), ["C00037", "C00074", "C00021", "nobody"], name="l.csv")
    assert selection.ignored == 1 and len(selection.segments) == 3
    cp.create(workspace, selection, name="Lista", seed=1)
    found, _ = store.forget_customers(workspace, ["C00037"])
    assert found == 1
    _, members = store.load_campaign(workspace, "Lista")
    assert "C00037" not in set(members["customer"]) and len(members) == 2
    assert store.list_campaigns(workspace)[0]["targeted"] + store.list_campaigns(workspace)[0]["control"] == 2


# --- command line -------------------------------------------------------------------------------

def _sample_rows() -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _day(row: list[str]) -> pd.Timestamp:
    return pd.Timestamp(f"{row[1][6:10]}-{row[1][3:5]}-{row[1][:2]}")


def test_cli_create_then_new_sales_then_measure_finds_the_planted_effect(capsys, tmp_path):
    """The issue's simulation through the command line: a history to June, a campaign on every
    customer, July–August sales in which 40 % of the targeted customers got one more purchase."""
    header, rows = _sample_rows()
    ws = str(tmp_path / "loja")
    before = _write(tmp_path / "ate_junho.csv", header, [r for r in rows if _day(r) < AS_OF])
    run_json(capsys, "ingest", str(before), "--workspace", ws)
    everyone = _write(tmp_path / "todos.csv", ["customer"], [[c] for c in sorted({r[2] for r in rows})])
    out = tmp_path / "alvo.csv"
    created = run_json(capsys, "campaign", "create", "--workspace", ws, "--name", "Todos", "--customers",
                       str(everyone), "--seed", "11", "--channel", "e-mail", "--out", str(out))
    assert set(created) >= {"campaign", "as_of", "targeted", "control"}
    assert created["as_of"] == "2026-07-01" and created["campaign"] == "Todos" and created["seed"] == 11
    assert created["control"] == round(0.1 * (created["targeted"] + created["control"]))
    target = pd.read_csv(out, dtype=str)
    assert list(target.columns) == ["customer", "customer_name"] and len(target) == created["targeted"]
    members = store.load_campaign(store.open_workspace(ws), "Todos")[1]
    assert not set(target["customer"]) & set(members.loc[members["group"] == "control", "customer"])

    waiting = run_json(capsys, "campaign", "list", "--workspace", ws)["campaigns"]
    assert [(c["campaign"], c["status"]) for c in waiting] == [("Todos", "waiting")]

    names = dict(zip(target["customer"], target["customer_name"]))
    planted = sorted(np.random.default_rng(3).choice(sorted(names), size=int(0.4 * len(names)), replace=False))
    later = [r for r in rows if AS_OF <= _day(r) <= UNTIL]
    later += [[f"X{i:05d}", "15/07/2026", c, names[c], "10163", "Suco de Laranja Natural 400 ml", "1", "60,00",
               "60,00"] for i, c in enumerate(planted)]
    run_json(capsys, "ingest", str(_write(tmp_path / "jul_ago.csv", header, later)), "--workspace", ws)

    measured = run_json(capsys, "campaign", "measure", "--workspace", ws, "--name", "Todos")
    assert set(measured) >= {"campaign", "as_of", "until", "groups", "uplift", "verdict"}
    assert (measured["as_of"], measured["until"], measured["verdict"]) == ("2026-07-01", "2026-08-31", "effect")
    for group in ("target", "control"):
        assert set(measured["groups"][group]) == {"customers", "buyers", "purchase_rate", "revenue",
                                                  "revenue_per_customer", "progressed_share"}
    uplift = measured["uplift"]
    assert set(uplift) == {"purchase_rate", "revenue_per_customer"}
    assert uplift["revenue_per_customer"]["ci_low"] <= 60 * 0.4 <= uplift["revenue_per_customer"]["ci_high"]
    assert uplift["purchase_rate"]["ci_low"] > 0
    early = run_json(capsys, "campaign", "measure", "--workspace", ws, "--name", "Todos", "--until", "2026-07-05")
    assert early["verdict"] == "too_early" and early["days"] == 5 and early["reason"] == "days"
    status, text, _ = run(capsys, "campaign", "measure", "--workspace", ws, "--name", "Todos", "--until",
                          "2026-07-05", "--lang", "en")
    assert status == 0 and "Too early" in text and "There are 5 day(s) of sales since the campaign; 14" in text
    status, text, _ = run(capsys, "campaign", "measure", "--workspace", ws, "--name", "Todos")
    assert status == 0 and "Efeito:" in text and "IC 95%" in text
    listed = run_json(capsys, "campaign", "list", "--workspace", ws)["campaigns"]
    assert listed[0]["status"] == "effect" and listed[0]["channel"] == "e-mail"


def test_cli_segment_and_flow_campaigns_and_their_errors(capsys, tmp_path):
    ws = str(tmp_path / "loja")
    run_json(capsys, "ingest", str(SAMPLE), "--workspace", ws)
    run_json(capsys, "segment", "--workspace", ws, "--as-of", "2026-05-01", "--save")
    run_json(capsys, "segment", "--workspace", ws, "--save")
    xlsx = tmp_path / "alvo.xlsx"
    made = run_json(capsys, "campaign", "create", "--workspace", ws, "--name", "Em risco", "--segment", "at_risk",
                    "--run", "2", "--control", "20%", "--seed", "5", "--out", str(xlsx))
    assert made["as_of"] == "2026-11-01" and made["source"] == {"kind": "segment", "segment": "at_risk", "run": 2}
    sheet = pd.read_excel(xlsx, dtype=str, engine="openpyxl")
    assert list(sheet.columns) == ["customer", "customer_name"] and len(sheet) == made["targeted"]
    earlier = run_json(capsys, "campaign", "create", "--workspace", ws, "--name", "Antiga", "--segment", "loyal",
                       "--run", "1")
    assert earlier["as_of"] == "2026-11-01"  # run 1 is of 2026-05-01, but the sales to October came before
    flow = run_json(capsys, "campaign", "create", "--workspace", ws, "--name", "Caiu", "--flow", "loyal:at_risk",
                    "--from-run", "1", "--to-run", "2")
    assert flow["source"]["kind"] == "flow" and flow["targeted"] > 0
    errors = {
        "camp_duplicate": ["--name", "Em risco", "--segment", "loyal"],
        "camp_unknown_segment": ["--name", "N", "--segment", "vip"],
        "run_missing": ["--name", "N", "--segment", "loyal", "--run", "9"],
        "camp_bad_flow": ["--name", "N", "--flow", "loyal", "--from-run", "1", "--to-run", "2"],
        "camp_bad_control": ["--name", "N", "--segment", "loyal", "--control", "0"],
    }
    for key, argv in errors.items():
        status, out, err = run(capsys, "campaign", "create", "--workspace", ws, *argv)
        assert status == 2 and not out and err.startswith("metriqr: "), (key, err)
        assert "Traceback" not in err
    nobody = _write(tmp_path / "ninguem.csv", ["customer"], [["Z1"], ["Z2"]])
    status, _, err = run(capsys, "campaign", "create", "--workspace", ws, "--name", "N", "--customers", str(nobody))
    assert status == 2 and "seleção está vazia" in err
    status, _, err = run(capsys, "campaign", "measure", "--workspace", ws, "--name", "Nada", "--lang", "en")
    assert status == 2 and "There is no campaign called “Nada”" in err
    status, _, err = run(capsys, "campaign", "create", "--workspace", ws, "--name", "N", "--segment", "loyal",
                         "--flow", "a:b")
    assert status == 2 and "exatamente uma opção" in err
    # one real process: the entry point users schedule
    done = subprocess.run([sys.executable, "-m", "metriqr", "campaign", "list", "--workspace", ws, "--json"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert {c["campaign"] for c in json.loads(done.stdout)["campaigns"]} == {"Em risco", "Antiga", "Caiu"}


def test_cli_default_control_share_is_the_library_default():
    from metriqr.cli.campaign import DEFAULT_CONTROL

    assert float(DEFAULT_CONTROL) == cp.CONTROL_SHARE


def test_the_chart_draws_target_and_control_from_the_cumulative_rates(base):
    from metriqr.charts import campaign_curve

    ledger, segmentation = base
    result = cp.measure(ledger, _members(segmentation, seed=2), as_of=AS_OF, until=UNTIL)
    figure = campaign_curve(result.cumulative, "en")
    target, control = figure.data
    assert (target.name, control.name) == ("Target", "Control") and control.line.dash == "dash"
    assert list(target.y) == list(result.cumulative["target"]) and len(target.x) == result.days == 62
    assert figure.layout.yaxis.tickformat == ".0%" and target.customdata[-1][1].endswith("%")


def test_a_one_column_workbook_is_a_list_of_customers():
    """A list exported from a spreadsheet is often one column under its heading."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Cliente"])
    for customer in (17850, 13047, 12583):
        book.active.append([customer])
    data = io.BytesIO()
    book.save(data)
    assert cp.read_customer_list(data.getvalue(), name="lista.xlsx") == ["17850", "13047", "12583"]
