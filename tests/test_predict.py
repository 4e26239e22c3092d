"""Predicted value (issue 16): the papers' published figures, small tables, refusals, a real hold-out, the CLI.

The paper check fits both models on the CDNOW 1/10 sample (tests/fixtures/README.md says where it comes
from) and compares with Fader, Hardie & Lee (2005): BG/NBD r = 0.243, α = 4.414, a = 0.793, b = 2.426
(weeks, calibration 1997-01-01 to 1997-09-30), log-likelihood −9582.4; Gamma-Gamma on the repeat
customers p = 6.25, q = 3.74, γ = 15.44; and the paper's worked example E[Y(39) | x=2, t_x=30.43,
T=38.86] = 1.226.
"""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metriqr import cli
from metriqr import predict as P
from metriqr.aggregates import build_ledger
from metriqr.cli import predict as cli_predict
from metriqr.errors import ModelRefused
from metriqr.segments import SEGMENT_KEYS

FIXTURE = Path(__file__).parent / "fixtures" / "cdnow_sample.csv.gz"
DEMO = Path(__file__).resolve().parents[1] / "sample_data" / "loja_exemplo.csv"
CALIBRATION_END = pd.Timestamp("1997-10-01")  # as_of: the last calibration day is 1997-09-30


def transactions(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["is_return"] = frame["amount"] < 0
    return frame


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    frame = pd.read_csv(FIXTURE, dtype={"customer": str})
    frame["date"] = pd.to_datetime(frame["date"])
    frame["is_return"] = False
    return frame


@pytest.fixture(scope="module")
def cdnow_ledger(cdnow):
    return build_ledger(cdnow)


@pytest.fixture(scope="module")
def cdnow_table(cdnow_ledger) -> pd.DataFrame:
    return P.rfm_table(cdnow_ledger, as_of=CALIBRATION_END, time_unit="week")


# --- the papers ---------------------------------------------------------------------------------

def test_rfm_table_reproduces_the_papers_summary(cdnow_table):
    """Customer 1 of the papers' summary file: x = 2, t_x = 30.43, T = 38.86 weeks, z̄ = 22.35 dollars;
    2,357 customers, 946 with a repeat purchase in the calibration period."""
    assert len(cdnow_table) == 2357
    assert int((cdnow_table["frequency"] > 0).sum()) == 946
    first = cdnow_table.loc["1"]
    assert first["frequency"] == 2
    assert first["recency"] == pytest.approx(30.43, abs=0.005)
    assert first["T"] == pytest.approx(38.86, abs=0.005)
    assert first["monetary"] == pytest.approx((29.73 + 14.96) / 2)  # the summary's 22.35, unrounded
    assert cdnow_table["T"].min() == pytest.approx(27.0)  # last first purchase 1997-03-25


def test_bgnbd_matches_the_published_estimates(cdnow_table):
    bg = P.fit_bgnbd(cdnow_table["frequency"], cdnow_table["recency"], cdnow_table["T"])
    for got, published in ((bg.r, 0.243), (bg.alpha, 4.414), (bg.a, 0.793), (bg.b, 2.426)):
        assert got == pytest.approx(published, rel=0.01)
    assert bg.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_gamma_gamma_matches_the_published_estimates(cdnow_table):
    repeat = cdnow_table[cdnow_table["frequency"] > 0]
    gg = P.fit_gamma_gamma(repeat["frequency"], repeat["monetary"])
    for got, published in ((gg.p, 6.25), (gg.q, 3.74), (gg.gamma, 15.44)):
        assert got == pytest.approx(published, rel=0.01)


def test_conditional_expectation_matches_the_papers_example():
    bg = P.BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
    assert bg.expected_purchases(39, [2], [30.43], [38.86])[0] == pytest.approx(1.226, abs=0.0005)
    gg = P.GammaGamma(p=6.25, q=3.74, gamma=15.44)
    assert gg.mean_spend == pytest.approx(6.25 * 15.44 / 2.74)  # a newcomer is expected to spend the mean
    assert gg.expected_spend([0], [0.0])[0] == pytest.approx(gg.mean_spend)


def test_the_time_unit_changes_alpha_not_the_predictions(cdnow_ledger):
    weeks = P.predict(cdnow_ledger, as_of=CALIBRATION_END, time_unit="week")
    days = P.predict(cdnow_ledger, as_of=CALIBRATION_END, time_unit="day")
    assert days.bgnbd.alpha == pytest.approx(7 * weeks.bgnbd.alpha, rel=1e-4)
    assert days.bgnbd.r == pytest.approx(weeks.bgnbd.r, rel=1e-4)
    assert np.allclose(days.customers["predicted_revenue"], weeks.customers["predicted_revenue"], rtol=1e-4)


def test_holdout_calibration_on_cdnow(cdnow_ledger):
    """Weeks 40–78 after the paper's calibration: expected and actual repeat purchase days by past
    purchases; the total within 15 % (the BG/NBD paper reports a close aggregate fit on this period)."""
    calibration = P.calibrate(cdnow_ledger, cutoff=CALIBRATION_END, end="1998-07-01")
    groups = calibration.groups
    assert list(groups.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert groups["customers"].sum() == calibration.customers == 2357
    assert calibration.actual == 1882  # purchase days of these customers from 1997-10-01 to 1998-06-30
    assert calibration.expected == pytest.approx(calibration.actual, rel=0.15)
    per_customer = groups["expected"] / groups["customers"]
    assert (np.diff(per_customer.to_numpy()) > 0).all()  # more past purchases, more expected


def simulate_bgnbd(n: int, r: float, alpha: float, a: float, b: float, *, calibration: float, holdout: float,
                   seed: int = 1, most: int = 200) -> tuple[np.ndarray, ...]:
    """Customers drawn from the BG/NBD story itself (vectorised): rate λ ~ Gamma(r, α), dropout p ~ Beta(a, b),
    first purchase in the first half of the calibration period, Poisson repeat purchases, the D-th repeat
    purchase the last with D ~ Geometric(p). Returns x, t_x, T and the repeat purchases in the hold-out."""
    rng = np.random.default_rng(seed)
    rate, dropout = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    age = calibration - rng.uniform(0, calibration / 2, n)
    times = np.cumsum(rng.exponential(1 / rate[:, None], (n, most)), axis=1)
    alive = np.arange(1, most + 1)[None, :] <= rng.geometric(dropout)[:, None]
    before = alive & (times <= age[:, None])
    after = alive & (times > age[:, None]) & (times <= age[:, None] + holdout)
    x = before.sum(axis=1)
    return x, np.where(before, times, 0).max(axis=1), age, after.sum(axis=1)


def test_simulated_customers_give_back_their_parameters_and_their_future():
    """The fit recovers the parameters that generated the data, and the conditional expectation matches
    the purchases each group then made: the formulas and the hold-out bookkeeping are right."""
    x, t_x, T, future = simulate_bgnbd(20_000, 0.5, 8.0, 0.7, 2.5, calibration=52, holdout=26)
    bg = P.fit_bgnbd(x, t_x, T)
    for got, true in ((bg.r, 0.5), (bg.alpha, 8.0), (bg.a, 0.7), (bg.b, 2.5)):
        assert got == pytest.approx(true, rel=0.1)
    expected = bg.expected_purchases(26, x, t_x, T)
    assert expected.sum() == pytest.approx(future.sum(), rel=0.03)
    group = np.minimum(x, 7)
    for k in range(8):
        assert expected[group == k].mean() == pytest.approx(future[group == k].mean(), rel=0.1), k


# --- small tables -------------------------------------------------------------------------------

def test_p_alive_properties():
    bg = P.BGNBD(r=0.5, alpha=10.0, a=0.8, b=2.5)
    # nobody who never came back can have dropped out after a repeat purchase: P(alive) = 1
    assert bg.p_alive([0, 0], [0, 0], [5, 50]).tolist() == [1.0, 1.0]
    # same purchases, the longer the silence since the last one, the lower the chance
    recent, silent = bg.p_alive([3, 3], [40, 10], [50, 50])
    assert 0 < silent < recent < 1
    # a longer horizon never means fewer expected purchases
    short, long_ = (bg.expected_purchases(t, [3], [40], [50])[0] for t in (4, 52))
    assert 0 < short < long_


def test_rfm_table_counts_days_and_nets_returns():
    tx = transactions([
        ("A", "2024-01-01", 10.0), ("A", "2024-01-01", 5.0),   # two lines, one purchase day
        ("A", "2024-01-15", 30.0), ("A", "2024-01-20", -10.0),  # a return on a day without purchase
        ("A", "2024-02-01", 20.0),
        ("B", "2024-01-10", 8.0),
        ("C", "2024-02-10", 40.0),  # bought on the as_of day: not counted
    ])
    table = P.rfm_table(build_ledger(tx), as_of=pd.Timestamp("2024-02-10"), time_unit="day")
    assert list(table.index) == ["A", "B"]
    a = table.loc["A"]
    assert (a["frequency"], a["recency"], a["T"]) == (2, 31, 39)
    assert a["monetary"] == pytest.approx((30 - 10 + 20) / 2)
    b = table.loc["B"]
    assert (b["frequency"], b["recency"], b["T"], b["monetary"]) == (0, 0, 30, 0)


def test_row_order_changes_nothing(cdnow):
    shuffled = cdnow.sample(frac=1.0, random_state=7)
    one = P.predict(build_ledger(cdnow), as_of=CALIBRATION_END)
    two = P.predict(build_ledger(shuffled), as_of=CALIBRATION_END)
    pd.testing.assert_frame_equal(one.customers, two.customers.loc[one.customers.index])


def test_segment_values_in_rank_order(cdnow_ledger):
    prediction = P.predict(cdnow_ledger, as_of=CALIBRATION_END)
    segments = pd.Series(np.where(prediction.customers["frequency"] > 0, "loyal", "new"),
                         index=prediction.customers.index)
    values = P.segment_values(prediction, segments)
    assert list(values.index) == list(SEGMENT_KEYS)
    assert values["customers"].sum() == len(prediction.customers)
    assert values.loc["champions", "customers"] == 0 and np.isnan(values.loc["champions", "p_alive"])
    assert values["predicted_revenue"].sum() == pytest.approx(prediction.predicted_revenue)
    assert values.loc["new", "p_alive"] == pytest.approx(1.0)
    listed = P.with_segments(prediction, segments)
    assert listed["predicted_revenue"].is_monotonic_decreasing


# --- honest refusal -----------------------------------------------------------------------------

def test_too_few_repeat_customers_is_refused():
    rows = [(f"c{i}", "2024-01-01", 10.0) for i in range(200)]
    rows += [(f"c{i}", "2024-03-01", 12.0) for i in range(P.MIN_REPEAT_CUSTOMERS - 1)]
    with pytest.raises(ModelRefused) as refused:
        P.predict(build_ledger(transactions(rows)), as_of="2024-06-01")
    assert refused.value.key == "model_few_repeat"
    assert "49" in refused.value.message("pt") and "50" in refused.value.message("pt")


def test_too_short_a_history_is_refused():
    rows = [(f"c{i}", "2024-01-01", 10.0) for i in range(100)] + [(f"c{i}", "2024-02-01", 10.0) for i in range(100)]
    with pytest.raises(ModelRefused) as refused:
        P.predict(build_ledger(transactions(rows)), as_of="2024-02-15")
    assert refused.value.key == "model_short_history"
    assert "45 days between the first purchase and the reference date" in refused.value.message("en")


def test_cli_time_units_are_the_models():
    assert cli_predict.TIME_UNITS == tuple(P.TIME_UNITS)
    assert cli_predict.DEFAULT_TIME_UNIT == P.DEFAULT_TIME_UNIT and cli_predict.DEFAULT_HORIZON == P.DEFAULT_HORIZON


# --- real data: a hold-out on Online Retail -----------------------------------------------------

CUSTOMERS_BEFORE_JUNE = 2_718  # first purchase before 2011-06-01


@pytest.mark.realdata
def test_holdout_calibration_on_online_retail(online_retail_cleaned):
    """Fit on 2010-12-01 – 2011-05-31, compare with June–November 2011 (shown in the README). The
    wholesalers show no measurable dropout (a → 0): P(alive) stays near 1, the expected purchases carry
    the signal; the total comes within 15 % of what happened."""
    _, cleaned = online_retail_cleaned
    ledger = build_ledger(cleaned.transactions)
    calibration = P.calibrate(ledger, cutoff="2011-06-01", end="2011-12-01")
    assert calibration.customers == CUSTOMERS_BEFORE_JUNE
    assert calibration.bgnbd.no_dropout
    assert calibration.expected == pytest.approx(calibration.actual, rel=0.15)
    per_customer = calibration.groups["expected"] / calibration.groups["customers"]
    actual = calibration.groups["actual"] / calibration.groups["customers"]
    assert (np.diff(per_customer.to_numpy()) > 0).all() and (np.diff(actual.to_numpy()) > 0).all()


# --- the command line, in process -------------------------------------------------------------

def run(*args: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main([str(a) for a in args])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("predict") / "valor.csv"
    status, stdout, stderr = run("predict", DEMO, "--json", "--customers-out", out, "--horizon-days", "180")
    assert status == 0, stderr
    return {"record": json.loads(stdout), "customers": pd.read_csv(out, dtype={"customer": str})}


def test_cli_json_keys_are_the_contract(demo_run):
    record = demo_run["record"]
    assert list(record) == ["as_of", "time_unit", "horizon_days", "model", "customers", "expected_purchases",
                            "predicted_revenue", "segments"]
    assert (record["as_of"], record["time_unit"], record["horizon_days"]) == ("2026-11-01", "week", 180)
    assert list(record["model"]["bgnbd"]) == ["r", "alpha", "a", "b"]
    assert list(record["model"]["gamma_gamma"]) == ["p", "q", "gamma"]
    assert [s["key"] for s in record["segments"]] == list(SEGMENT_KEYS)
    assert list(record["segments"][0]) == ["key", "customers", "p_alive", "expected_purchases", "predicted_revenue"]
    assert sum(s["customers"] for s in record["segments"]) == record["customers"] == 2700
    assert sum(s["predicted_revenue"] for s in record["segments"]) == pytest.approx(record["predicted_revenue"],
                                                                                    abs=0.1)


def test_cli_customers_out(demo_run):
    customers = demo_run["customers"]
    assert list(customers.columns) == ["customer", "segment", "p_alive", "expected_purchases", "predicted_revenue"]
    assert len(customers) == 2700 and customers["predicted_revenue"].is_monotonic_decreasing
    assert customers["p_alive"].between(0, 1).all() and set(customers["segment"]) <= set(SEGMENT_KEYS)
    total = demo_run["record"]["predicted_revenue"]
    assert customers["predicted_revenue"].sum() == pytest.approx(total, rel=1e-4)


def test_cli_text_report_and_bad_options():
    status, stdout, _ = run("predict", DEMO, "--lang", "en", "--time-unit", "day", "--horizon-days", "30")
    assert status == 0
    assert "Horizon: 30 days" in stdout and "Model time unit: days" in stdout and "At Risk" in stdout
    status, _, stderr = run("predict", DEMO, "--horizon-days", "0")
    assert status == 2 and "Horizonte inválido" in stderr
    status, _, stderr = run("predict", DEMO, "--time-unit", "month", "--lang", "en")
    assert status == 2 and "Unknown time unit" in stderr


def test_a_fixed_price_subscription_gets_its_predicted_value(tmp_path):
    """Every customer pays the same per month (a subscription box): Gamma-Gamma has no spread to fit, so that
    price is every purchase's expected spend, instead of no prediction at all."""
    rng = np.random.default_rng(3)
    start = pd.Timestamp("2023-01-01")
    rows = []
    for i, (joined, months) in enumerate(zip(rng.integers(0, 12, 400), rng.geometric(0.15, 400))):
        for m in range(int(joined), min(int(joined) + int(months), 24)):
            rows.append((f"S{i:03d}", (start + pd.DateOffset(months=m)).strftime("%Y-%m-%d"), 49.9))
    prediction = P.predict(build_ledger(transactions(rows)), horizon_days=90)
    assert prediction.gamma_gamma.fixed_spend == pytest.approx(49.9)
    customers = prediction.customers
    assert customers["expected_spend"].to_numpy() == pytest.approx(49.9)
    assert customers["predicted_revenue"].to_numpy() == pytest.approx(49.9 * customers["expected_purchases"].to_numpy())
    assert prediction.predicted_revenue > 0
    path = tmp_path / "assinaturas.csv"
    pd.DataFrame(rows, columns=["cliente", "data", "valor"]).to_csv(path, index=False)
    status, stdout, _ = run("predict", path, "--json")
    assert status == 0 and json.loads(stdout)["model"]["gamma_gamma"]["fixed_spend"] == 49.9
    status, stdout, _ = run("predict", path, "--lang", "en")
    assert status == 0 and "returning customers spend the same per purchase, R$ 49.90" in stdout


def test_cli_refuses_honestly_on_a_tiny_file(tmp_path):
    path = tmp_path / "pouco.csv"
    path.write_text("cliente;data;valor\nA;01/01/2024;10,00\nA;01/06/2024;12,00\nB;02/01/2024;5,00\n",
                    encoding="utf-8")
    status, stdout, stderr = run("predict", path, "--json")
    assert status == 2 and stdout == ""
    assert "Poucos clientes voltaram a comprar: só 1 com compras em mais de um dia" in stderr


def test_cli_on_a_workspace_equals_the_file(demo_run, tmp_path, monkeypatch):
    from metriqr import workspace as store

    monkeypatch.setenv(store.DATA_DIR_ENV, str(tmp_path / "data"))
    workspace = str(tmp_path / "loja")
    assert run("ingest", DEMO, "--workspace", workspace)[0] == 0
    status, stdout, stderr = run("predict", "--workspace", workspace, "--json", "--horizon-days", "180")
    assert status == 0, stderr
    assert json.loads(stdout) == demo_run["record"]
