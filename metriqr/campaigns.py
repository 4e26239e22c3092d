"""Campaigns: a random control group held out of a target list, and what the campaign did.

A campaign is a list of customers (a segment of a saved run, a migration flow, an uploaded
list) split at random into the **target** (who gets the message) and a **control** group (who
does not). Because chance alone decides who is in which group, the two groups differ, before
the campaign, only by chance; after it, a difference larger than chance is the campaign's doing.

- **The split** is reproducible: the customers are sorted first (the order of a file never
  matters), then a numpy Generator seeded with the campaign's seed picks exactly
  round(share × n) of them for the control group (at least one, and never all when n ≥ 2).
- **Buyers** are the customers with a purchase line on a day from the campaign's date `as_of`
  (the day after the history's last sale when the campaign was made, or the reference date of
  its segmentation if later) through `until` (inclusive; default the history's last day).
  Revenue is their net spend in those days.
- **Progressed** customers are in a better-ranked segment at `until` than at creation, scored
  with the thresholds of the segmentation the campaign came from (as the workspace does when it
  compares runs), so a move means the customer's own behaviour changed.
- **Uplift** is target minus control, with 95 % intervals: Newcombe's hybrid score interval
  (from two Wilson intervals) for the purchase rate, which keeps its coverage with few buyers;
  Welch's t interval for revenue per customer. Attributable revenue is the revenue-per-customer
  difference times the targeted customers, with its interval scaled the same way.
- **Verdict** (the rule, stated): "too_early" when fewer than MIN_DAYS days of sales followed
  the campaign or a group has fewer than MIN_GROUP customers (the interval would be too wide to
  tell anything); otherwise "effect" when the purchase-rate interval excludes zero (the purchase
  rate is the one primary measure, so the chance of a false "effect" stays 5 %), else
  "no_effect_yet".

Everything is a few vectorised passes over the ledger (metriqr.aggregates.Ledger); nothing here
touches the store or the interface.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from metriqr.aggregates import NO_FIRST_DAY, Ledger, _day_number
from metriqr.errors import OptionError
from metriqr.scoring import RFMScorer
from metriqr.segmentation import assign_segments
from metriqr.segments import BY_KEY, SEGMENT_KEYS

CONTROL_SHARE = 0.10
MIN_CONTROL_SHARE, MAX_CONTROL_SHARE = 0.01, 0.90
MIN_GROUP = 30     # customers in each group before a verdict
MIN_DAYS = 14      # days of sales after the campaign date before a verdict
CONFIDENCE = 0.95
Z = 1.959963984540054  # the standard normal's 97.5 % quantile
GROUPS = ("target", "control")
VERDICTS = ("effect", "no_effect_yet", "too_early")
STATUSES = ("waiting", *VERDICTS)
MAX_SEED = 2**63 - 1
_RANK = np.array([BY_KEY[key].rank for key in SEGMENT_KEYS] + [0], dtype=np.int16)


# --- the split ---------------------------------------------------------------------------------

def check_control_share(share: float) -> float:
    """The share held out: from 1 % to 90 % (none would leave nothing to compare with)."""
    try:
        value = float(share)
    except (TypeError, ValueError):
        raise OptionError("camp_bad_control", value=str(share)) from None
    if not (MIN_CONTROL_SHARE <= value <= MAX_CONTROL_SHARE) or math.isnan(value):
        raise OptionError("camp_bad_control", value=str(share))
    return value


def control_size(n: int, share: float) -> int:
    """round(share × n), half up; at least one control and one target when there are two customers."""
    if n < 2:
        return 0
    return int(min(max(math.floor(share * n + 0.5), 1), n - 1))


def split(customers: Any, *, seed: int, control_share: float = CONTROL_SHARE) -> pd.DataFrame:
    """customer (sorted, distinct) and group ("target" / "control"), random but reproducible:
    the same customers and seed give the same split, whatever their order."""
    share = check_control_share(control_share)
    ids = np.unique(pd.Index(customers, dtype=object).astype(str).to_numpy(dtype=object))
    if len(ids) == 0:
        raise OptionError("camp_empty_target")
    rng = np.random.default_rng(int(seed))
    control = np.zeros(len(ids), dtype=bool)
    control[rng.permutation(len(ids))[:control_size(len(ids), share)]] = True
    return pd.DataFrame({"customer": ids, "group": np.where(control, "control", "target").astype(object)})


# --- outcomes per member -------------------------------------------------------------------------

def day_span(ledger: Ledger, as_of: pd.Timestamp, until: pd.Timestamp | None) -> tuple[pd.Timestamp, int]:
    """The last day measured (default: the history's last day) and the number of days measured."""
    as_of = pd.Timestamp(as_of).normalize()
    last = ledger.after_last - pd.Timedelta(days=1)
    end = last if until is None else pd.Timestamp(until).normalize()
    if until is not None and end < as_of:
        raise OptionError("camp_until_before", until=end, as_of=as_of)
    return end, max(int((end - as_of).days) + 1, 0)


def outcomes(ledger: Ledger, members: pd.DataFrame, *, as_of: pd.Timestamp, until: pd.Timestamp,
             scorer: RFMScorer | None = None, window_days: int | None = None) -> pd.DataFrame:
    """Per member (columns customer, group, optional segment at creation): target (bool), buyer
    (bool), occasions, revenue, first_day (days after as_of of the first purchase; −1 none),
    progressed (bool; False without a segment at creation) and has_segment."""
    start, end = _day_number(as_of), _day_number(until)
    lo = int(np.searchsorted(ledger.day, start, side="left"))
    hi = int(np.searchsorted(ledger.day, end, side="right"))
    size = len(ledger.customers)
    code = ledger.code[lo:hi]
    occasions = np.bincount(code, weights=ledger.orders[lo:hi], minlength=size)
    cents = np.bincount(code, weights=ledger.cents[lo:hi], minlength=size)
    first = ledger.purchase_days(lo, hi)[0]
    position = ledger.customers.get_indexer(pd.Index(members["customer"].astype(str).to_numpy(dtype=object)))
    known = position >= 0
    pos = np.where(known, position, 0)
    first_day = np.where(known & (first[pos] != NO_FIRST_DAY), first[pos] - start, -1)
    out = pd.DataFrame({
        "customer": members["customer"].to_numpy(dtype=object),
        "target": (members["group"].to_numpy(dtype=object) == "target"),
        "buyer": first_day >= 0,
        "occasions": np.where(known, occasions[pos], 0).astype(np.int64),
        "revenue": np.where(known, np.round(cents[pos]) / 100, 0.0),
        "first_day": first_day.astype(np.int64),
    })
    before = _ranks(members["segment"]) if "segment" in members else np.zeros(len(members), dtype=np.int16)
    out["has_segment"] = before > 0
    out["progressed"] = False
    if scorer is not None and scorer.edges_ and out["has_segment"].any():
        reference = pd.Timestamp(until).normalize() + pd.Timedelta(days=1)  # sales through `until` count
        summary = ledger.summary(reference, window_days)
        after_segments = assign_segments(summary, scorer)["segment"]
        found = after_segments.index.get_indexer(pd.Index(out["customer"].to_numpy(dtype=object)))
        codes = np.append(after_segments.cat.codes.to_numpy(), -1)[found]  # −1: no purchase in the window
        after = np.where(codes >= 0, _RANK[np.maximum(codes, 0)], len(SEGMENT_KEYS) + 1)
        out["progressed"] = out["has_segment"].to_numpy() & (after < before)
    return out


def _ranks(segments: pd.Series) -> np.ndarray:
    """Segment key → rank (1 best); 0 for a missing or unknown segment."""
    codes = pd.Categorical(segments.astype(object), categories=SEGMENT_KEYS).codes
    return np.where(codes >= 0, _RANK[np.maximum(codes, 0)], 0).astype(np.int16)


# --- statistics ------------------------------------------------------------------------------------

def wilson(successes: float, n: float, z: float = Z) -> tuple[float, float]:
    """Wilson's score interval for a proportion (NaN when n = 0)."""
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def rate_difference(x1: float, n1: float, x2: float, n2: float, z: float = Z) -> dict[str, float]:
    """p1 − p2 with Newcombe's hybrid score interval (his method 10): good coverage even with few
    buyers or rates near 0 or 1, where the plain Wald interval is too narrow."""
    if n1 <= 0 or n2 <= 0:
        return {"diff": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    diff = p1 - p2
    return {"diff": diff, "ci_low": diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            "ci_high": diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)}


def mean_difference(a: np.ndarray, b: np.ndarray, confidence: float = CONFIDENCE) -> dict[str, float]:
    """mean(a) − mean(b) with Welch's t interval (unequal variances)."""
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        nan = math.nan
        return {"diff": float(np.mean(a) - np.mean(b)) if n1 and n2 else nan, "ci_low": nan, "ci_high": nan}
    v1, v2 = float(np.var(a, ddof=1)) / n1, float(np.var(b, ddof=1)) / n2
    diff = float(np.mean(a) - np.mean(b))
    se = math.sqrt(v1 + v2)
    if se == 0:  # both groups alike to the cent (e.g. nobody bought): no spread, no doubt
        return {"diff": diff, "ci_low": diff, "ci_high": diff}
    from scipy.stats import t as student

    df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    half = float(student.ppf(0.5 + confidence / 2, df)) * se
    return {"diff": diff, "ci_low": diff - half, "ci_high": diff + half}


# --- the measurement ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measurement:
    """What a campaign did by `until`: per group figures, uplift with intervals, the verdict,
    attributable revenue and the cumulative purchase rate per day."""

    as_of: pd.Timestamp
    until: pd.Timestamp
    days: int
    groups: dict[str, dict[str, float]]
    uplift: dict[str, dict[str, float]]
    verdict: str
    reason: str | None            # why too early: "days" or "customers"
    attributable: dict[str, float]  # revenue: diff, ci_low, ci_high
    cumulative: pd.DataFrame      # day (timestamp), target, control: share who bought by that day

    @property
    def direction(self) -> str:
        """"up" when the target bought more than the control, else "down"."""
        return "up" if self.uplift["purchase_rate"]["diff"] >= 0 else "down"


def group_figures(frame: pd.DataFrame) -> dict[str, float]:
    """customers, buyers, purchase_rate, revenue, revenue_per_customer, progressed_share of one group."""
    n = len(frame)
    with_segment = int(frame["has_segment"].sum())
    revenue = float(np.round(frame["revenue"].to_numpy().sum() * 100)) / 100
    return {"customers": n, "buyers": int(frame["buyer"].sum()),
            "purchase_rate": frame["buyer"].mean() if n else math.nan,
            "revenue": revenue, "revenue_per_customer": revenue / n if n else math.nan,
            "progressed_share": frame["progressed"].sum() / with_segment if with_segment else math.nan}


def verdict_of(days: int, groups: dict[str, dict[str, float]], rate: dict[str, float]) -> tuple[str, str | None]:
    """The rule of the module docstring: too early, effect (rate interval excludes 0), no effect yet."""
    if days < MIN_DAYS:
        return "too_early", "days"
    if min(groups["target"]["customers"], groups["control"]["customers"]) < MIN_GROUP:
        return "too_early", "customers"
    if rate["ci_low"] > 0 or rate["ci_high"] < 0:
        return "effect", None
    return "no_effect_yet", None


def compare(frame: pd.DataFrame, *, as_of: pd.Timestamp, until: pd.Timestamp, days: int) -> Measurement:
    """The measurement from per-member outcomes (see `outcomes`)."""
    target = frame["target"].to_numpy(dtype=bool)
    groups = {"target": group_figures(frame[target]), "control": group_figures(frame[~target])}
    t, c = groups["target"], groups["control"]
    rate = rate_difference(t["buyers"], t["customers"], c["buyers"], c["customers"])
    revenue = frame["revenue"].to_numpy(dtype=float)
    per_customer = mean_difference(revenue[target], revenue[~target])
    verdict, reason = verdict_of(days, groups, rate)
    attributable = {key: value * t["customers"] for key, value in per_customer.items()}
    return Measurement(as_of=pd.Timestamp(as_of).normalize(), until=pd.Timestamp(until).normalize(), days=days,
                       groups=groups, uplift={"purchase_rate": rate, "revenue_per_customer": per_customer},
                       verdict=verdict, reason=reason, attributable=attributable,
                       cumulative=cumulative_rate(frame, as_of=as_of, days=days))


def cumulative_rate(frame: pd.DataFrame, *, as_of: pd.Timestamp, days: int) -> pd.DataFrame:
    """Per day from `as_of`: the share of each group who had bought by the end of that day."""
    days = max(days, 0)
    columns = {"day": pd.date_range(pd.Timestamp(as_of).normalize(), periods=days, freq="D")}
    first = frame["first_day"].to_numpy(dtype=np.int64)
    target = frame["target"].to_numpy(dtype=bool)
    for name, members in (("target", target), ("control", ~target)):
        chosen = first[members]
        counts = np.bincount(chosen[chosen >= 0], minlength=days)[:days] if days else np.zeros(0, dtype=np.int64)
        n = int(members.sum())
        columns[name] = np.cumsum(counts) / n if n else np.full(days, np.nan)
    return pd.DataFrame(columns)


def measure(ledger: Ledger, members: pd.DataFrame, *, as_of: pd.Timestamp, until: pd.Timestamp | None = None,
            scorer: RFMScorer | None = None, window_days: int | None = None) -> Measurement:
    """Target against control from the campaign date through `until` (default: the history's end)."""
    end, days = day_span(ledger, as_of, until)
    frame = outcomes(ledger, members, as_of=as_of, until=end, scorer=scorer, window_days=window_days)
    return compare(frame, as_of=as_of, until=end, days=days)


# --- in a workspace: choosing the customers, storing, measuring -------------------------------------

@dataclass(frozen=True)
class Selection:
    """The customers a campaign is made of, with what measuring it later needs: their segment at
    the reference date, that date, and the segmentation's method, window and thresholds."""

    segments: pd.Series             # index customer → segment key at as_of
    as_of: pd.Timestamp
    scorer: RFMScorer
    window_days: int | None
    source: dict[str, Any]          # what it was made from (kind: segment | flow | list), for people to read
    ignored: int = 0                # listed customers the history does not know


def from_segment(segmentation: Any, segment: str, *, source: dict[str, Any]) -> Selection:
    """A segment of a segmentation (a saved run, or one computed at a date)."""
    if segment not in SEGMENT_KEYS:
        raise OptionError("camp_unknown_segment", value=str(segment))
    customers = segmentation.customers["segment"].astype(str)
    chosen = customers[customers.to_numpy() == segment]
    return Selection(segments=chosen, as_of=segmentation.as_of, scorer=segmentation.scorer,
                     window_days=segmentation.window_days, source={"kind": "segment", "segment": segment, **source})


def from_flow(migration: Any, source_key: str, target_key: str, *, runs: tuple[int, int]) -> Selection:
    """The customers who moved from one segment to another between two saved runs; measured
    from the later run's date, with its thresholds."""
    from metriqr.migration import SOURCE_KEYS

    for key, allowed in ((source_key, SOURCE_KEYS), (target_key, SEGMENT_KEYS)):
        if key not in allowed:
            raise OptionError("camp_unknown_segment", value=str(key))
    chosen = migration.customers_in(source_key, target_key)["segment"].astype(str)
    after = migration.after
    return Selection(segments=chosen, as_of=after.as_of, scorer=after.scorer, window_days=after.window_days,
                     source={"kind": "flow", "from": source_key, "to": target_key,
                             "from_run": int(runs[0]), "to_run": int(runs[1])})


def from_list(ledger: Ledger, customers: Any, *, name: str) -> Selection:
    """Customers listed by the user, as of the day after the history's end: segmented with
    thresholds learned on the whole base that day; ids the history does not know are left out."""
    from metriqr.segmentation import segment_ledger

    listed = pd.Index(pd.unique(pd.Series(customers, dtype=object).astype(str).str.strip().to_numpy(dtype=object)))
    listed = listed[listed != ""]
    segmentation = segment_ledger(ledger)
    segments = segmentation.customers["segment"].astype(str)
    known = listed[segments.index.get_indexer(listed) >= 0]
    return Selection(segments=segments.loc[known], as_of=segmentation.as_of, scorer=segmentation.scorer,
                     window_days=None, source={"kind": "list", "file": str(name), "listed": int(len(listed))},
                     ignored=int(len(listed) - len(known)))


def listed_customers(frame: pd.DataFrame) -> list[str]:
    """The customer ids of an uploaded list: the column headed `customer` (any case), else the one
    detected as the customer's, else the first column; blanks dropped."""
    from metriqr.columns import detect_columns

    if frame.shape[1] == 0:
        raise OptionError("camp_empty_target")
    by_name = [c for c in frame.columns if str(c).strip().lower() == "customer"]
    column = by_name[0] if by_name else detect_columns(frame).get("customer", frame.columns[0])
    values = frame[column].dropna().astype(str).str.strip()
    return values[values != ""].tolist()


MAX_LIST_BYTES = 50 * 1024**2


def read_customer_list(source: bytes | str | Any, *, name: str, max_bytes: int = MAX_LIST_BYTES) -> list[str]:
    """The ids of an uploaded list of customers: a table (CSV, XLSX…, read like every upload) with a
    customer column, or plain text with one id per line (a header line `customer`/`cliente` is
    skipped), which the table reader refuses for having one column."""
    from metriqr.errors import InputFileError
    from metriqr.reading import read_table
    from metriqr.reading.sniffing import signature

    try:
        return listed_customers(read_table(source, name=name, max_bytes=max_bytes).frame)
    except InputFileError as error:
        if error.key != "no_header":
            raise
    if isinstance(source, bytes):
        data = source
    else:
        with open(source, "rb") as handle:
            data = handle.read(max_bytes + 1)
    if len(data) > max_bytes or signature(data) is not None or b"\x00" in data:  # a workbook or binary
        raise InputFileError("no_header", name=name)
    text = data.decode("utf-8-sig", errors="replace")
    ids = [line.strip().strip('"').strip() for line in text.splitlines()]
    ids = [value for value in ids if value]
    if ids and ids[0].lower() in LIST_HEADERS:
        ids = ids[1:]
    return ids


LIST_HEADERS = ("customer", "cliente", "customer id", "customer_id", "id", "código do cliente", "codigo do cliente")


def new_seed() -> int:
    """A fresh seed when the user gives none; stored with the campaign, so the split is still reproducible."""
    import secrets

    return secrets.randbelow(2**31)


def create(workspace: Any, selection: Selection, *, name: str, control_share: float = CONTROL_SHARE,
           seed: int | None = None, channel: str = "") -> dict[str, Any]:
    """Split the selection at random and store the campaign; returns its stored row.

    The campaign's date (`as_of`, where measuring starts) is the day after the history's last sale
    when it is created, or the segmentation's reference date if that is later: sales already in
    the history happened before anyone got the message."""
    from metriqr import workspace as store

    name = store.campaign_name(name)
    if selection.segments.empty:
        raise OptionError("camp_empty_target")
    last = store.history_info(workspace)["last"]
    as_of = selection.as_of if last is None else max(selection.as_of, last + pd.Timedelta(days=1))
    seed = new_seed() if seed is None else int(seed)
    members = split(selection.segments.index, seed=seed, control_share=control_share)
    members["segment"] = selection.segments.reindex(members["customer"]).to_numpy(dtype=object)
    thresholds = {measure: [float(v) for v in edges] for measure, edges in selection.scorer.edges_.items()}
    return store.create_campaign(workspace, name=name, as_of=as_of, source=selection.source,
                                 control_share=control_share, seed=seed, channel=channel,
                                 method=selection.scorer.method, window_days=selection.window_days,
                                 thresholds=thresholds, members=members)


def stored_scorer(campaign: dict[str, Any]) -> RFMScorer:
    """The thresholds the campaign's customers were segmented with."""
    scorer = RFMScorer(method=campaign["method"])
    scorer.edges_ = {measure: np.asarray(edges, dtype=float) for measure, edges in campaign["thresholds"].items()}
    return scorer


def measure_stored(workspace: Any, name: str, *, until: pd.Timestamp | None = None,
                   ledger: Ledger | None = None) -> tuple[dict[str, Any], Measurement]:
    """A stored campaign measured on the workspace's history (or the `ledger` given, the same history)."""
    from metriqr import workspace as store

    campaign, members = store.load_campaign(workspace, name)
    ledger = store.load_ledger(workspace) if ledger is None else ledger
    return campaign, measure(ledger, members, as_of=campaign["as_of"], until=until,
                             scorer=stored_scorer(campaign), window_days=campaign["window_days"])


def status(measurement: Measurement) -> str:
    """"waiting" while no day after the campaign date is in the history, else the verdict."""
    return "waiting" if measurement.days == 0 else measurement.verdict


def target_customers(members: pd.DataFrame, contacts: pd.DataFrame | None) -> pd.DataFrame:
    """The targeted customers only (never a control customer): column `customer`, then the contact
    columns the history has (name, e-mail, phone: `aggregates.customer_contacts`), for an e-mail
    or WhatsApp tool."""
    listing = pd.DataFrame({"customer": members.loc[members["group"] == "target", "customer"].to_numpy(dtype=object)})
    if contacts is not None:
        found = contacts.reindex(listing["customer"].to_numpy())
        for column in contacts.columns:
            listing[column] = found[column].to_numpy(dtype=object)
    return listing


def target_list(workspace: Any, name: str, *, mask: bool = False) -> pd.DataFrame:
    """`target_customers` of a stored campaign, with the contacts of the workspace's history."""
    from metriqr import workspace as store
    from metriqr.aggregates import customer_contacts

    _, members = store.load_campaign(workspace, name)
    return target_customers(members, customer_contacts(store.load_transactions(workspace, mask=mask)))
