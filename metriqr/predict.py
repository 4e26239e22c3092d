"""Predicted value and churn risk: BG/NBD for purchase occasions, Gamma-Gamma for spend per occasion.

Models, as published:
- BG/NBD — Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
  Pareto/NBD model", Marketing Science 24(2). While alive a customer buys at rate λ ~ Gamma(r, α); after
  each purchase they drop out with probability p ~ Beta(a, b).
- Gamma-Gamma — Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
  analysis", JMR 42(4). The spend per occasion varies around each customer's mean, Gamma(p, ν) with
  ν ~ Gamma(q, γ); it is fitted on repeat customers only, as in the paper.

Both are written here (closed-form, vectorised log-likelihoods with `gammaln`/`betaln`, analytic
gradients, `scipy.optimize.minimize` BFGS on the log-parameters) rather than imported: `lifetimes`
is unmaintained and `pymc-marketing` pulls in PyMC and PyTensor (seconds to import, a compiler at run
time) for a fit that needs four parameters. tests/test_predict.py checks the fit against the papers'
published CDNOW estimates.

Inputs per customer, from the ledger at `as_of` (only purchase days before it count), in the chosen
time unit (day or week — the models are invariant to it: only α and γ's time scale change, and every
prediction stays the same):
- frequency x = repeat purchase days (distinct purchase days − 1);
- recency t_x = last − first purchase day; age T = last observed day (as_of − 1) − first purchase day,
  as in the papers' CDNOW data (a purchase on the last observed day has t_x = T);
- monetary z̄ = net spend after the first purchase day (returns on any later day subtracted) divided by
  x: the mean spend per repeat occasion. Customers with z̄ ≤ 0 are left out of the Gamma-Gamma fit.

Honest refusal (`ModelRefused`): fewer than MIN_REPEAT_CUSTOMERS customers with a repeat purchase (or
with a positive repeat spend, for Gamma-Gamma), a history shorter than MIN_HISTORY_DAYS, an optimiser
that does not converge, or a Gamma-Gamma fit with q ≤ 1 (the mean spend would be infinite).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from metriqr.aggregates import Ledger, _day_number, check_as_of  # _day_number: the ledger's own day count
from metriqr.errors import ModelRefused, OptionError
from metriqr.segments import SEGMENT_KEYS

TIME_UNITS: dict[str, int] = {"day": 1, "week": 7}  # days per unit
DEFAULT_TIME_UNIT = "week"
HORIZONS: tuple[int, ...] = (30, 90, 180, 365)
DEFAULT_HORIZON = 90
MIN_REPEAT_CUSTOMERS = 50   # customers with a repeat purchase day: below this the four parameters are noise
MIN_HISTORY_DAYS = 90       # days from the first purchase to as_of: shorter says nothing about dropout
NO_DROPOUT = 0.001         # mean dropout chance per purchase below which the data show no dropout
CALIBRATION_GROUPS = 8      # past repeat purchases 0..6 and 7+
_LOG_BOUNDS = (np.log(1e-6), np.log(1e6))  # r, α (and p, q, γ) outside [1e-6, 1e6]: no fit
_LOG_LIMITS = (np.log(1e-8), np.log(1e8))  # where the search stops (a → 0 is allowed: no dropout)


# --- the RFM-T table ------------------------------------------------------------------------------

def rfm_table(ledger: Ledger, *, as_of: pd.Timestamp, time_unit: str = DEFAULT_TIME_UNIT) -> pd.DataFrame:
    """Per customer with a purchase day before `as_of`: frequency, recency, T (time unit) and monetary.

    A view on the ledger (sorted by day, then customer): first and last purchase day per customer are
    the first and last occurrence of their code among the purchase rows; no loop per customer.
    """
    unit = _unit(time_unit)
    end = _day_number(as_of)
    hi = int(np.searchsorted(ledger.day, end, side="left"))
    size = len(ledger.customers)
    code, day, cents = ledger.code[:hi], ledger.day[:hi], ledger.cents[:hi]
    bought = ledger.lines[:hi] > 0
    if not bought.any():
        raise OptionError("no_purchases_before", end=as_of - pd.Timedelta(days=1))
    days = np.bincount(code[bought], minlength=size)
    first, last = ledger.purchase_days(0, hi)
    later = day > first[code]  # every row after the customer's first purchase day (returns included)
    repeat_cents = np.bincount(code[later], weights=cents[later], minlength=size)
    customers = np.flatnonzero(days > 0)
    x = days[customers] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(x > 0, repeat_cents[customers] / 100 / np.maximum(x, 1), 0.0)
    return pd.DataFrame({
        "frequency": x.astype(np.int64),
        "recency": (last[customers] - first[customers]) / unit,
        "T": (end - 1 - first[customers]) / unit,  # to the last observed day, as in the papers' data
        "monetary": monetary,
    }, index=ledger.customers[customers])


def _unit(time_unit: str) -> int:
    if time_unit not in TIME_UNITS:
        raise OptionError("bad_time_unit", value=time_unit)
    return TIME_UNITS[time_unit]


# --- BG/NBD --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BGNBD:
    """Fitted BG/NBD parameters (α in the time unit of the data it was fitted on)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")

    def p_alive(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        """P(still active | x, t_x, T) = 1 / (1 + δ(x>0) a/(b+x−1) ((α+T)/(α+t_x))^(r+x)) (FHL 2005)."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        repeat = x > 0
        log_odds = np.full(x.shape, -np.inf)
        xr = x[repeat]
        log_odds[repeat] = (np.log(self.a) - np.log(self.b + xr - 1)
                            + (self.r + xr) * (np.log(self.alpha + T[repeat]) - np.log(self.alpha + t_x[repeat])))
        return special.expit(-log_odds)

    def expected_purchases(self, t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchase occasions in the next `t` units (FHL 2005).

        = P(alive) × (a+b+x−1)/(a−1) × [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))].
        ₂F₁ depends on (x, T) only: it is evaluated once per distinct pair.
        """
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        first, inverse, _ = _distinct_rows(x, T)
        px, pT = x[first], T[first]
        hyp = special.hyp2f1(self.r + px, self.b + px, self.a + self.b + px - 1, t / (self.alpha + pT + t))
        bracket = 1 - np.exp((self.r + px) * (np.log(self.alpha + pT) - np.log(self.alpha + pT + t))) * hyp
        ratio = (self.a + self.b + px - 1) / (self.a - 1)
        expected = (ratio * bracket)[inverse.ravel()] * self.p_alive(x, t_x, T)
        return np.maximum(expected, 0.0)

    @property
    def dropout_per_purchase(self) -> float:
        """Mean chance of dropping out after a purchase, a/(a+b)."""
        return self.a / (self.a + self.b)

    @property
    def no_dropout(self) -> bool:
        """True when the data show no measurable dropout (below NO_DROPOUT per purchase): then P(alive) is
        close to 1 for everyone, and the churn risk has to be read from the expected purchases instead."""
        return self.dropout_per_purchase < NO_DROPOUT


def _distinct_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(position of one row per distinct combination, each row's combination, rows per combination):
    each column is coded by a 1-D sort and the codes combined into one integer key, several times faster
    than np.unique(..., axis=1)'s lexicographic sort of the stacked rows."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        values, code = np.unique(column, return_inverse=True)
        key = key * len(values) + code.ravel()  # < 2**63: x, t_x and T each take at most ~days-of-history values
    _, first, inverse, count = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    return first, inverse.ravel(), count


def _bgnbd_nll(theta: np.ndarray, xs: np.ndarray, x_of: np.ndarray, x: np.ndarray, t_x: np.ndarray,
               T: np.ndarray, weight: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood and its gradient in the log-parameters.

    LL = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
         + ln[(α+T)^−(r+x) + δ(x>0) a/(b+x−1) (α+t_x)^−(r+x)].
    The Γ and B terms depend on x only: computed on the distinct values `xs` (x = xs[x_of]).
    """
    r, alpha, a, b = np.exp(theta)
    n = weight.sum()
    # terms in x only
    g_x = (special.gammaln(r + xs) - special.gammaln(r) + r * np.log(alpha)
           + special.betaln(a, b + xs) - special.betaln(a, b))
    d_r_x = special.digamma(r + xs) - special.digamma(r) + np.log(alpha)
    d_a_x = special.digamma(a + b) - special.digamma(a + b + xs)
    d_b_x = special.digamma(b + xs) - special.digamma(a + b + xs) - special.digamma(b) + special.digamma(a + b)
    # the mixture term per customer
    repeat = x > 0
    rx = r + x
    log_T, log_t = np.log(alpha + T), np.log(alpha + t_x)
    a3 = -rx * log_T
    bx1 = np.where(repeat, b + x - 1, 1.0)
    a4 = np.where(repeat, np.log(a) - np.log(bx1) - rx * log_t, -np.inf)
    mix = np.logaddexp(a3, a4)
    w = np.exp(a4 - mix)  # share of the "dropped out after the last purchase" branch
    ll = (g_x * np.bincount(x_of, weights=weight, minlength=len(xs))).sum() + (weight * mix).sum()
    d_r = (np.bincount(x_of, weights=weight, minlength=len(xs)) * d_r_x).sum() \
        - (weight * ((1 - w) * log_T + w * log_t)).sum()
    d_alpha = r / alpha * n - (weight * rx * ((1 - w) / (alpha + T) + w / (alpha + t_x))).sum()
    counts = np.bincount(x_of, weights=weight, minlength=len(xs))
    d_a = (counts * d_a_x).sum() + (weight * w).sum() / a
    d_b = (counts * d_b_x).sum() - (weight * w / bx1).sum()
    grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
    return -ll / n, -grad / n


def fit_bgnbd(frequency: np.ndarray, recency: np.ndarray, T: np.ndarray) -> BGNBD:
    """Maximum likelihood BG/NBD. Start: r = a = b = 1, α = mean T (so the start does not depend on the
    time unit); r and α must end in [1e-6, 1e6]. Customers sharing (x, t_x, T) are one weighted row."""
    x = np.asarray(frequency, dtype=float)
    t_x, T = np.asarray(recency, dtype=float), np.asarray(T, dtype=float)
    first, _, weight = _distinct_rows(x, t_x, T)
    ux, ut, uT = x[first], t_x[first], T[first]
    xs, x_of = np.unique(ux, return_inverse=True)
    start = np.log([1.0, max(float(T.mean()), 1e-3), 1.0, 1.0])
    result = _minimize(_bgnbd_nll, start, (xs, x_of.ravel(), ux, ut, uT, weight.astype(float)))
    _check_fit(result, "bgnbd")
    r, alpha, a, b = np.exp(np.clip(result.x, *_LOG_LIMITS))
    return BGNBD(float(r), float(alpha), float(a), float(b), float(-result.fun * len(x)))


# --- Gamma-Gamma ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma parameters for the mean spend per repeat occasion."""

    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")
    # Every repeat customer spends the same per occasion (a fixed price, a subscription): Gamma-Gamma has no
    # spread to fit (its p and q run off to infinity, NaN here), and that price is everyone's expected spend.
    fixed_spend: float | None = None

    @property
    def mean_spend(self) -> float:
        """The population's mean spend per occasion, γp/(q−1): what a customer without repeats should spend."""
        return self.fixed_spend if self.fixed_spend is not None else self.gamma * self.p / (self.q - 1)

    def expected_spend(self, x: np.ndarray, monetary: np.ndarray) -> np.ndarray:
        """E[spend per occasion | x, z̄] = p(γ + x z̄)/(px + q − 1) (FHL 2005, "RFM and CLV"):
        a weighted mean of the population mean and the customer's own z̄. x = 0 gives the population mean;
        a non-positive z̄ (returns) counts as 0, pulling the customer's figure down, never below 0."""
        if self.fixed_spend is not None:
            return np.full(np.shape(x), self.fixed_spend, dtype=float)
        x = np.asarray(x, dtype=float)
        z = np.maximum(np.asarray(monetary, dtype=float), 0.0)
        return self.p * (self.gamma + x * z) / (self.p * x + self.q - 1)


@dataclass(frozen=True)
class _SpendData:
    """What the Gamma-Gamma likelihood needs, prepared once: the distinct x with their counts, and the sums
    that do not depend on the parameters. Only ln(γ + x z̄) is left per customer and evaluation."""

    x: np.ndarray
    xz: np.ndarray
    xs: np.ndarray       # distinct x
    count: np.ndarray    # customers per distinct x
    sum_x_log_xz: float  # Σ x (ln z̄ + ln x)
    sum_log_z: float     # Σ ln z̄

    @classmethod
    def of(cls, x: np.ndarray, z: np.ndarray) -> "_SpendData":
        xs, count = np.unique(x, return_counts=True)
        log_z = np.log(z)
        return cls(x, x * z, xs, count.astype(float), float((x * (log_z + np.log(x))).sum()), float(log_z.sum()))


def _gg_nll(theta: np.ndarray, data: _SpendData) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood of z̄ given x, and its gradient in the log-parameters:
    LL = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln z̄ + px ln x − (px+q) ln(γ + x z̄).
    The Γ terms are computed per distinct x; the ln z̄ and ln x sums once (`_SpendData`)."""
    p, q, gamma = np.exp(theta)
    n = float(data.count.sum())
    pxs = p * data.xs
    log_gz = np.log(gamma + data.xz)
    weighted = float((data.x * log_gz).sum())  # Σ x ln(γ + x z̄)
    plain = float(log_gz.sum())                # Σ ln(γ + x z̄)
    ll = ((data.count * (special.gammaln(pxs + q) - special.gammaln(pxs))).sum() - n * special.gammaln(q)
          + n * q * np.log(gamma) + p * data.sum_x_log_xz - data.sum_log_z - p * weighted - q * plain)
    dig = special.digamma(pxs + q)
    d_p = (data.count * data.xs * (dig - special.digamma(pxs))).sum() + data.sum_x_log_xz - weighted
    d_q = (data.count * dig).sum() - n * special.digamma(q) + n * np.log(gamma) - plain
    inverse = 1.0 / (gamma + data.xz)
    d_g = n * q / gamma - p * float((data.x * inverse).sum()) - q * float(inverse.sum())
    return -ll / n, -np.array([d_p * p, d_q * q, d_g * gamma]) / n


FIXED_SPREAD = 1e-9     # z̄ this close together (relative to the mean) is one price
FIXED_SPREAD_CV = 0.01  # a Gamma-Gamma that fails on spends within 1 % of each other: one price too


def fit_gamma_gamma(frequency: np.ndarray, monetary: np.ndarray) -> GammaGamma:
    """Maximum likelihood Gamma-Gamma on customers with x > 0 and z̄ > 0 (the caller selects them).
    Start: p = 1, q = 2, γ = mean z̄; each must end in [1e-6, 1e6]."""
    x, z = np.asarray(frequency, dtype=float), np.asarray(monetary, dtype=float)
    fixed = GammaGamma(float("nan"), float("nan"), float("nan"), fixed_spend=float(z.mean()))
    if np.ptp(z) <= FIXED_SPREAD * z.mean():  # one price for everyone: nothing to fit
        return fixed
    start = np.log([1.0, 2.0, max(float(z.mean()), 1e-3)])
    result = _minimize(_gg_nll, start, (_SpendData.of(x, z),))
    p, q, gamma = np.exp(np.clip(result.x, *_LOG_LIMITS))
    try:
        _check_fit(result, "gamma_gamma")
        if q <= 1:  # the mean spend γp/(q−1) would not exist
            raise ModelRefused("model_no_fit", model="Gamma-Gamma")
    except ModelRefused:
        if z.std() <= FIXED_SPREAD_CV * z.mean():  # prices that barely differ (rounding): as one price
            return fixed
        raise
    return GammaGamma(float(p), float(q), float(gamma), float(-result.fun * len(x)))


def _minimize(nll, start: np.ndarray, args: tuple) -> optimize.OptimizeResult:
    """BFGS with the analytic gradient on the log-parameters, kept within [1e-8, 1e8] so every term stays
    finite (scipy's L-BFGS-B costs ~10 ms per iteration in its driver alone: ten times this whole fit)."""
    def bounded(theta: np.ndarray, *rest) -> tuple[float, np.ndarray]:
        value, grad = nll(np.clip(theta, *_LOG_LIMITS), *rest)
        return value, np.where((theta < _LOG_LIMITS[0]) | (theta > _LOG_LIMITS[1]), 0.0, grad)

    return optimize.minimize(bounded, start, args=args, jac=True, method="BFGS",
                             options={"maxiter": 1000, "gtol": 1e-9})


def _check_fit(result: optimize.OptimizeResult, name: str) -> None:
    """Refuse a fit that failed, or whose essential parameters sit on a bound. BG/NBD's a and b are not
    checked: a → 0 is the data saying "no measurable dropout" (the model becomes the NBD, b then has no
    influence), a real answer that `BGNBD.no_dropout` reports."""
    essential = result.x[:2] if name == "bgnbd" else result.x
    at_bound = np.any((essential <= _LOG_BOUNDS[0]) | (essential >= _LOG_BOUNDS[1]))
    if not np.all(np.isfinite(result.x)) or not np.isfinite(result.fun) or at_bound \
            or np.abs(result.jac).max() > 1e-4:  # not at a maximum (BFGS's "precision loss" near one is fine)
        raise ModelRefused("model_no_fit", model="BG/NBD" if name == "bgnbd" else "Gamma-Gamma")


# --- the whole prediction ------------------------------------------------------------------------

@dataclass(frozen=True)
class Prediction:
    """Fitted models and per-customer predictions at `as_of` over `horizon_days`."""

    as_of: pd.Timestamp
    time_unit: str
    horizon_days: int
    bgnbd: BGNBD         # α in `time_unit`
    gamma_gamma: GammaGamma
    customers: pd.DataFrame  # index customer: frequency, recency, T, monetary, p_alive, expected_purchases,
    #                          expected_spend, predicted_revenue, revenue_if_active

    @property
    def expected_purchases(self) -> float:
        return float(self.customers["expected_purchases"].sum())

    @property
    def predicted_revenue(self) -> float:
        return float(self.customers["predicted_revenue"].sum())


def check_history(table: pd.DataFrame, *, time_unit: str) -> None:
    """Refuse before fitting when the data cannot say anything about repeat buying."""
    # T runs to the last observed day: the days from the first purchase to the reference date are T + 1
    history_days = float(table["T"].max()) * TIME_UNITS[time_unit] + 1 if len(table) else 0.0
    if history_days < MIN_HISTORY_DAYS:
        raise ModelRefused("model_short_history", days=int(round(history_days)), minimum=MIN_HISTORY_DAYS)
    repeat = int((table["frequency"] > 0).sum())
    if repeat < MIN_REPEAT_CUSTOMERS:
        raise ModelRefused("model_few_repeat", n=repeat, minimum=MIN_REPEAT_CUSTOMERS)
    spenders = int(((table["frequency"] > 0) & (table["monetary"] > 0)).sum())
    if spenders < MIN_REPEAT_CUSTOMERS:
        raise ModelRefused("model_few_spenders", n=spenders, minimum=MIN_REPEAT_CUSTOMERS)


def fit_models(table: pd.DataFrame, *, time_unit: str = DEFAULT_TIME_UNIT) -> tuple[BGNBD, GammaGamma]:
    """Both models on an RFM-T table (after `check_history`)."""
    check_history(table, time_unit=time_unit)
    bgnbd = fit_bgnbd(table["frequency"].to_numpy(), table["recency"].to_numpy(), table["T"].to_numpy())
    spenders = (table["frequency"] > 0) & (table["monetary"] > 0)
    gg = fit_gamma_gamma(table.loc[spenders, "frequency"].to_numpy(), table.loc[spenders, "monetary"].to_numpy())
    return bgnbd, gg


def predict(ledger: Ledger, *, as_of: pd.Timestamp | str | None = None, horizon_days: int = DEFAULT_HORIZON,
            time_unit: str = DEFAULT_TIME_UNIT) -> Prediction:
    """Fit both models on the ledger before `as_of` (default: the day after the last sale) and predict,
    per customer, P(alive), expected purchase occasions and revenue over the next `horizon_days`."""
    unit = _unit(time_unit)
    if int(horizon_days) < 1:
        raise OptionError("bad_horizon", value=str(horizon_days))
    as_of = ledger.after_last if as_of is None else pd.Timestamp(as_of).normalize()
    check_as_of(ledger, as_of)
    table = rfm_table(ledger, as_of=as_of, time_unit=time_unit)
    bgnbd, gg = fit_models(table, time_unit=time_unit)
    x, t_x, T = (table[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    out = table.copy()
    out["p_alive"] = bgnbd.p_alive(x, t_x, T)
    out["expected_purchases"] = bgnbd.expected_purchases(horizon_days / unit, x, t_x, T)
    out["expected_spend"] = gg.expected_spend(x, table["monetary"].to_numpy())
    out["predicted_revenue"] = out["expected_purchases"] * out["expected_spend"]
    # what the customer would bring were they certainly still active: the revenue their dropout risk puts at stake
    with np.errstate(divide="ignore", invalid="ignore"):
        out["revenue_if_active"] = np.where(out["p_alive"] > 0, out["predicted_revenue"] / out["p_alive"], 0.0)
    if not np.isfinite(out[["p_alive", "expected_purchases", "predicted_revenue"]].to_numpy()).all():
        raise ModelRefused("model_no_fit", model="BG/NBD")  # ₂F₁ out of its range: no figure beats a wrong one
    return Prediction(as_of=as_of, time_unit=time_unit, horizon_days=int(horizon_days), bgnbd=bgnbd,
                      gamma_gamma=gg, customers=out)


# --- beside the segments -------------------------------------------------------------------------

PREDICTION_COLUMNS = ("p_alive", "expected_purchases", "predicted_revenue")
AT_RISK_SEGMENTS = ("cant_lose", "at_risk", "about_to_sleep")  # where the revenue at stake is worth a line


def with_segments(prediction: Prediction, segments: pd.Series) -> pd.DataFrame:
    """Each predicted customer with their segment key (None when outside the segmentation's window),
    best predicted value first (ties by customer id)."""
    out = prediction.customers.copy()
    out.insert(0, "segment", segments.reindex(out.index).astype(object).to_numpy())
    out.index.name = "customer"
    return out.reset_index().sort_values(["predicted_revenue", "customer"], ascending=[False, True],
                                         kind="stable").reset_index(drop=True)


def segment_values(prediction: Prediction, segments: pd.Series) -> pd.DataFrame:
    """All ten segments in rank order: customers, mean P(alive), expected purchases and predicted revenue
    (totals over the horizon), the revenue were they all still active and the difference, `at_stake`:
    what their dropout risk costs. Customers outside the segmentation are not in any row."""
    frame = prediction.customers[[*PREDICTION_COLUMNS, "revenue_if_active"]].copy()
    frame["segment"] = pd.Categorical(segments.reindex(frame.index).astype(object), categories=SEGMENT_KEYS)
    grouped = frame.groupby("segment", observed=False).agg(
        customers=("p_alive", "size"), p_alive=("p_alive", "mean"),
        expected_purchases=("expected_purchases", "sum"), predicted_revenue=("predicted_revenue", "sum"),
        revenue_if_active=("revenue_if_active", "sum"))
    grouped = grouped.reindex(list(SEGMENT_KEYS))
    grouped["customers"] = grouped["customers"].fillna(0).astype(int)
    grouped["at_stake"] = (grouped["revenue_if_active"] - grouped["predicted_revenue"]).clip(lower=0)
    grouped.index.name = "key"
    return grouped


# --- hold-out calibration ------------------------------------------------------------------------

@dataclass(frozen=True)
class Calibration:
    """Expected vs actual repeat purchase occasions after `cutoff`, for customers first seen before it."""

    cutoff: pd.Timestamp
    end: pd.Timestamp
    bgnbd: BGNBD
    groups: pd.DataFrame  # index past repeat purchases "0".."6", "7+": customers, expected, actual
    customers: int

    @property
    def expected(self) -> float:
        return float(self.groups["expected"].sum())

    @property
    def actual(self) -> float:
        return float(self.groups["actual"].sum())


def calibrate(ledger: Ledger, *, cutoff: pd.Timestamp | str, end: pd.Timestamp | str | None = None,
              time_unit: str = DEFAULT_TIME_UNIT) -> Calibration:
    """Fit BG/NBD on the purchase days before `cutoff`, predict each customer's purchase days in
    [cutoff, end) and compare with what they did, by number of past repeat purchases (0..6, 7+) and in total.
    The hold-out's customers are those who first bought before `cutoff` (the model says nothing of newcomers)."""
    unit = _unit(time_unit)
    cutoff = pd.Timestamp(cutoff).normalize()
    end = ledger.after_last if end is None else pd.Timestamp(end).normalize()
    if end <= cutoff:
        raise OptionError("bad_holdout", cutoff=cutoff, end=end)
    check_as_of(ledger, cutoff)
    table = rfm_table(ledger, as_of=cutoff, time_unit=time_unit)
    check_history(table, time_unit=time_unit)
    bgnbd = fit_bgnbd(table["frequency"].to_numpy(), table["recency"].to_numpy(), table["T"].to_numpy())
    x, t_x, T = (table[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    expected = bgnbd.expected_purchases((end - cutoff).days / unit, x, t_x, T)
    # actual: purchase days in [cutoff, end) of the calibration customers
    lo, hi = (int(np.searchsorted(ledger.day, _day_number(d), side="left")) for d in (cutoff, end))
    bought = ledger.lines[lo:hi] > 0
    days = np.bincount(ledger.code[lo:hi][bought], minlength=len(ledger.customers))
    actual = days[ledger.customers.get_indexer(table.index)]
    group = np.minimum(x.astype(np.int64), CALIBRATION_GROUPS - 1)
    labels = [str(k) for k in range(CALIBRATION_GROUPS - 1)] + [f"{CALIBRATION_GROUPS - 1}+"]
    groups = pd.DataFrame({
        "customers": np.bincount(group, minlength=CALIBRATION_GROUPS),
        "expected": np.bincount(group, weights=expected, minlength=CALIBRATION_GROUPS),
        "actual": np.bincount(group, weights=actual, minlength=CALIBRATION_GROUPS).astype(float),
    }, index=pd.Index(labels, name="past_purchases"))
    return Calibration(cutoff=cutoff, end=end, bgnbd=bgnbd, groups=groups, customers=len(table))


def holdout_cutoff(ledger: Ledger, *, as_of: pd.Timestamp | None = None,
                   holdout_days: int = DEFAULT_HORIZON) -> pd.Timestamp:
    """The past cut-off for the calibration: `holdout_days` before `as_of`, so the check covers a period
    as long as the horizon the user asks about."""
    as_of = ledger.after_last if as_of is None else pd.Timestamp(as_of).normalize()
    return as_of - pd.Timedelta(days=int(holdout_days))
