"""Migration between segments: who moved where between two or more snapshots.

A snapshot at reference date D segments every customer from their transactions dated
before D (as `segment_customers` does, full history, no look-back window), so adding
transactions dated on or after the last snapshot changes nothing.

Comparable scores: by default (`refit=False`) the RFM thresholds are learned once, at the
earliest (baseline) snapshot, and applied unchanged to every later one. A customer then
moves only because their own recency, frequency or spend changed, not because the rest of
the base did. `refit=True` re-learns thresholds at each snapshot (a customer's position
relative to the base of that day). In a chain one baseline scores every snapshot, so a
snapshot has the same segments as the end of one step and the start of the next.

Choose a baseline with enough history behind it: thresholds learned when the data spans a
few days (the first monthly snapshot of a one-year file) call "recent" only the last few
days, so at later snapshots almost everyone looks lapsed. `baseline=` scores every
snapshot with another date's thresholds instead (e.g. the latest, whose segments are then
those of the segmentation page at that date).

A customer with no purchase before the earlier date enters from the source `new_in_period`.
Every customer segmented at A is segmented at B (history only grows), so nobody leaves.

Cost: the snapshots are views on the one ledger of `metriqr.aggregates` (one row per
customer × day, sorted by day), the same one `segment_customers` uses, so a snapshot and
`segment --as-of` of the same date are the same numbers. A snapshot is a prefix of the
ledger reduced per customer with `bincount`: twelve monthly snapshots cost twelve cheap
reductions, not twelve re-reads.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metriqr.aggregates import Ledger, build_ledger, default_as_of, ledger_of
from metriqr.errors import OptionError
from metriqr.scoring import RFMScorer
from metriqr.segmentation import Segmentation, segmentation_of
from metriqr.segments import BY_KEY, NEW_IN_PERIOD, SEGMENT_KEYS, source_label
from metriqr.texts import DEFAULT_LANG, LANGS, date_in_every_lang, fmt_int, fmt_pct, t

CADENCES = ("weekly", "fortnightly", "monthly", "quarterly")
NEW = NEW_IN_PERIOD
SOURCE_KEYS: tuple[str, ...] = (*SEGMENT_KEYS, NEW)  # matrix rows: the ten segments, then the newcomers
KINDS = ("progressed", "regressed", "stayed", "entered")
MAX_SNAPSHOTS = 60  # a cadence without `periods` goes back at most this many dates
_STEPS = {"weekly": pd.DateOffset(weeks=1), "fortnightly": pd.DateOffset(weeks=2),
          "monthly": pd.DateOffset(months=1), "quarterly": pd.DateOffset(months=3)}
_RANK = np.array([BY_KEY[key].rank for key in SEGMENT_KEYS] + [0], dtype=np.int16)  # NEW has no rank

# Notable flows: (rule, sources, targets, priority: 1 = act first).
READING_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], int], ...] = (
    ("top_to_risk", ("champions", "loyal"), ("at_risk",), 1),
    ("top_to_cant_lose", ("champions", "loyal"), ("cant_lose",), 1),
    ("new_to_sleep", ("new", "promising", NEW), ("about_to_sleep", "inactive"), 2),
    ("cooling", ("potential_loyalist", "need_attention"), ("at_risk", "about_to_sleep", "inactive"), 2),
    ("fading", ("at_risk", "cant_lose", "about_to_sleep"), ("inactive",), 3),
    ("climb", ("potential_loyalist", "promising", "need_attention", "new"), ("champions", "loyal"), 4),
    ("new_to_top", (NEW,), ("champions", "loyal"), 4),
    ("win_back", ("at_risk", "cant_lose", "about_to_sleep", "inactive"),
     ("champions", "loyal", "potential_loyalist"), 4),
)


# --- the one pass: the ledger ------------------------------------------------------------

# Migration reads the ledger of metriqr.aggregates; the old names stay for callers.
History = Ledger
build_history = build_ledger


def _history(data: pd.DataFrame | Ledger) -> Ledger:
    return ledger_of(data)


# --- dates ---------------------------------------------------------------------------------

def _timestamp(value: object) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if stamp is pd.NaT or pd.isna(stamp):
        raise OptionError("bad_date", value=str(value))
    return stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize()


def _check_in_data(history: Ledger, value: pd.Timestamp) -> None:
    """A snapshot needs a purchase before it and no date past the data (recency would drift)."""
    earliest = history.first_purchase_day + pd.Timedelta(days=1)
    if not earliest <= value <= history.after_last:
        raise OptionError("migration_date_outside", value=date_in_every_lang(value),
                          earliest=date_in_every_lang(earliest), latest=date_in_every_lang(history.after_last))


def _bounds(data: pd.DataFrame | Ledger) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first purchase day, day after the last transaction) without building a history."""
    if isinstance(data, Ledger):
        return data.first_purchase_day, data.after_last
    purchases = data["date"].to_numpy()[~data["is_return"].to_numpy(dtype=bool)]
    if len(purchases) == 0:
        raise OptionError("no_customers_in_window", start=date_in_every_lang(data["date"].min()),
                          end=date_in_every_lang(data["date"].max()))
    return pd.Timestamp(purchases.min()).normalize(), default_as_of(data)


def snapshot_dates(transactions: pd.DataFrame | Ledger, *, cadence: str, periods: int | None = None,
                   end: pd.Timestamp | str | None = None) -> list[pd.Timestamp]:
    """Reference dates stepping back from `end` by the cadence, oldest first.

    `end` defaults to the day after the last sale, so the last snapshot sees all the data.
    Monthly and quarterly steps are calendar months (31/10 → 30/09 → 31/08). At most
    `periods` + 1 dates (1 ≤ periods < MAX_SNAPSHOTS; default: as many as the data holds,
    the MAX_SNAPSHOTS most recent at most), only dates after the first purchase day.
    Fewer than two → `migration_too_little_history`.
    """
    if cadence not in CADENCES:
        raise OptionError("bad_cadence", value=str(cadence), cadences=", ".join(CADENCES))
    if periods is not None and (isinstance(periods, bool) or not isinstance(periods, (int, np.integer))
                                or not 1 <= periods < MAX_SNAPSHOTS):
        raise OptionError("bad_periods", value=str(periods), max=MAX_SNAPSHOTS - 1)
    first, after_last = _bounds(transactions)
    end = after_last if end is None else _timestamp(end)
    if not first < end <= after_last:
        raise OptionError("migration_date_outside", value=date_in_every_lang(end),
                          earliest=date_in_every_lang(first + pd.Timedelta(days=1)), latest=date_in_every_lang(after_last))
    count = MAX_SNAPSHOTS if periods is None else int(periods) + 1
    dates = []
    for k in range(count):  # at most MAX_SNAPSHOTS steps; each from `end` so month ends do not drift
        date = (end - _STEPS[cadence] * k).normalize()
        if date <= first:
            break
        dates.append(date)
    if len(dates) < 2:
        raise OptionError("migration_too_little_history",
                          cadence={lang: t(f"mig.cadence.{cadence}", lang) for lang in LANGS},
                          first=date_in_every_lang(first), end=date_in_every_lang(end))
    return dates[::-1]


# --- snapshots -------------------------------------------------------------------------------

def _snapshots(history: Ledger, stamps: list[pd.Timestamp], *, method: str, refit: bool,
               baseline: pd.Timestamp | None) -> list[tuple[Segmentation, np.ndarray]]:
    """Each snapshot's Segmentation (as `segment_customers` builds it) and its customers' positions."""
    for stamp in [*stamps, *([baseline] if baseline is not None else [])]:
        _check_in_data(history, stamp)
    scorer = None
    if not refit:
        scorer = RFMScorer(method=method).fit(history.summary(baseline if baseline is not None else stamps[0]))
    snapshots = []
    for stamp in stamps:  # one loop step per snapshot (≤ MAX_SNAPSHOTS), never per customer
        summary, positions = history.summary_positions(stamp)
        own = RFMScorer(method=method).fit(summary) if refit else scorer
        snapshots.append((segmentation_of(history, summary, as_of=stamp, window_days=None, scorer=own), positions))
    return snapshots


def _dates_and_baseline(dates: Sequence[pd.Timestamp | str], *, method: str, refit: bool,
                        baseline: pd.Timestamp | str | None) -> tuple[list[pd.Timestamp], pd.Timestamp | None]:
    RFMScorer(method=method)  # validate the method before any work
    if refit and baseline is not None:
        raise ValueError("baseline applies only with refit=False")
    stamps = sorted({_timestamp(value) for value in dates})
    base = None if refit or not stamps else (stamps[0] if baseline is None else _timestamp(baseline))
    return stamps, base


def segment_snapshots(transactions: pd.DataFrame | Ledger, dates: Sequence[pd.Timestamp | str], *,
                      method: str = "quantile", refit: bool = False,
                      baseline: pd.Timestamp | str | None = None) -> list[Segmentation]:
    """One Segmentation per date (sorted, duplicates dropped), all from one pass over the data.

    With `refit=False` the thresholds are learned once, at `baseline` (default: the earliest
    date), and reused, so scores are comparable across snapshots: each snapshot equals
    `segment_customers(as_of=date, scorer=<baseline scorer>)`. With `refit=True` each equals
    `segment_customers(as_of=date)`.
    """
    stamps, base = _dates_and_baseline(dates, method=method, refit=refit, baseline=baseline)
    if not stamps:
        raise OptionError("migration_two_dates")
    history = _history(transactions)
    return [segmentation for segmentation, _ in _snapshots(history, stamps, method=method, refit=refit,
                                                           baseline=base)]


# --- one transition -----------------------------------------------------------------------

@dataclass(frozen=True)
class Migration:
    """Who was where at `date_from` and where they are at `date_to`.

    `transitions`: one row per customer segmented at `date_to` (sorted by customer) with
    `segment_from` (a segment key, or NEW for a customer with no purchase before `date_from`)
    and `segment_to`, both categoricals in rank order.
    """

    date_from: pd.Timestamp
    date_to: pd.Timestamp
    transitions: pd.DataFrame
    before: Segmentation
    after: Segmentation
    baseline: pd.Timestamp | None  # the date whose thresholds score both snapshots; None when refitted

    def _codes(self) -> tuple[np.ndarray, np.ndarray]:
        return (self.transitions["segment_from"].cat.codes.to_numpy(),
                self.transitions["segment_to"].cat.codes.to_numpy())

    def matrix(self) -> pd.DataFrame:
        """Counts: rows are the sources (ten segments, then NEW), columns the ten segments."""
        source, target = self._codes()
        counts = np.bincount(source.astype(np.int64) * len(SEGMENT_KEYS) + target,
                             minlength=len(SOURCE_KEYS) * len(SEGMENT_KEYS))
        frame = pd.DataFrame(counts.reshape(len(SOURCE_KEYS), len(SEGMENT_KEYS)),
                             index=pd.Index(SOURCE_KEYS, name="segment_from"),
                             columns=pd.Index(SEGMENT_KEYS, name="segment_to"))
        return frame.astype(np.int64)

    def row_shares(self) -> pd.DataFrame:
        """Each row of the matrix as shares of its source (0–1; empty sources are NaN)."""
        counts = self.matrix()
        totals = counts.sum(axis=1).to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = counts.to_numpy(dtype=float) / totals[:, None]
        return pd.DataFrame(shares, index=counts.index, columns=counts.columns)

    def flows(self) -> pd.DataFrame:
        """Non-empty flows: source, target, customers, share (of the source), kind; sources in rank order."""
        counts = self.matrix()
        totals = counts.sum(axis=1)
        stacked = counts.stack()
        stacked = stacked[stacked > 0]
        source = stacked.index.get_level_values(0).to_numpy(dtype=object)
        target = stacked.index.get_level_values(1).to_numpy(dtype=object)
        customers = stacked.to_numpy(dtype=np.int64)
        return pd.DataFrame({"source": source, "target": target, "customers": customers,
                             "share": customers / totals.reindex(source).to_numpy(dtype=float),
                             "kind": _kinds(source, target)})

    def segment_changes(self) -> pd.DataFrame:
        """Per segment (rank order): customers at A and at B, gained, lost and net."""
        counts = self.matrix()
        stays = np.diag(counts.loc[list(SEGMENT_KEYS)].to_numpy())
        at_from = counts.loc[list(SEGMENT_KEYS)].sum(axis=1).to_numpy()
        at_to = counts.sum(axis=0).to_numpy()
        frame = pd.DataFrame({"at_from": at_from, "at_to": at_to, "gained": at_to - stays,
                              "lost": at_from - stays, "net": at_to - at_from},
                             index=pd.Index(SEGMENT_KEYS, name="segment"))
        return frame.astype(np.int64)

    def totals(self) -> dict[str, int]:
        """Customers who progressed (to a better rank), regressed, stayed, or entered (new in the period)."""
        source, target = self._codes()
        from_rank, to_rank = _RANK[source], _RANK[target]
        new = source == len(SEGMENT_KEYS)
        return {"progressed": int(((to_rank < from_rank) & ~new).sum()),
                "regressed": int(((to_rank > from_rank) & ~new).sum()),
                "stayed": int(((to_rank == from_rank) & ~new).sum()),
                "entered": int(new.sum())}

    def shares(self) -> dict[str, float]:
        """Progressed / regressed / stayed as shares of the customers at the earlier date."""
        totals = self.totals()
        base = totals["progressed"] + totals["regressed"] + totals["stayed"]
        return {kind: (totals[kind] / base if base else float("nan")) for kind in KINDS[:3]}

    def top_flows(self, n: int = 10) -> pd.DataFrame:
        """The largest moves (stays excluded), by customers, then share of the source."""
        flows = self.flows()
        moves = flows[flows["kind"] != "stayed"]
        order = np.lexsort((moves["share"].to_numpy() * -1, moves["customers"].to_numpy() * -1))
        return moves.iloc[order].head(n).reset_index(drop=True)

    def customers_in(self, source: str, target: str) -> pd.DataFrame:
        """The customers of one flow, with their figures at the later date (e.g. who to call today)."""
        if source not in SOURCE_KEYS or target not in SEGMENT_KEYS:
            raise OptionError("unknown_flow", source=str(source), target=str(target))
        mask = ((self.transitions["segment_from"] == source) & (self.transitions["segment_to"] == target)).to_numpy()
        chosen = self.transitions.loc[mask, "customer"].to_numpy()
        out = self.after.customers.loc[chosen].copy()
        out.insert(0, "segment_from", pd.Categorical([source] * len(out), categories=SOURCE_KEYS))
        return out

    def customer_flows(self) -> pd.DataFrame:
        """One row per customer as strings (the --flows-out file): segment_from empty for newcomers."""
        source = self.transitions["segment_from"].astype(str).to_numpy(dtype=object)
        source[source == NEW] = ""
        return pd.DataFrame({"customer": self.transitions["customer"].to_numpy(dtype=object),
                             "segment_from": source,
                             "segment_to": self.transitions["segment_to"].astype(str).to_numpy(dtype=object)})


def _kinds(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    rank = {key: BY_KEY[key].rank for key in SEGMENT_KEYS}
    src = np.array([rank.get(key, 0) for key in source], dtype=np.int16)  # ≤ 110 flows
    dst = np.array([rank[key] for key in target], dtype=np.int16)
    kinds = np.where(dst < src, "progressed", np.where(dst > src, "regressed", "stayed")).astype(object)
    kinds[np.asarray(source, dtype=object) == NEW] = "entered"
    return kinds


def _transition(before: tuple[Segmentation, np.ndarray], after: tuple[Segmentation, np.ndarray], size: int,
                baseline: pd.Timestamp | None) -> Migration:
    """Join two snapshots on customer positions (integers), never on customer strings."""
    (seg_a, at_a), (seg_b, at_b) = before, after
    source = np.full(size, len(SEGMENT_KEYS), dtype=np.int8)  # NEW unless segmented at A
    source[at_a] = seg_a.customers["segment"].cat.codes.to_numpy()
    transitions = pd.DataFrame({
        "customer": seg_b.customers.index.array,
        "segment_from": pd.Categorical.from_codes(source[at_b], categories=SOURCE_KEYS),
        "segment_to": seg_b.customers["segment"].array,
    })
    return Migration(date_from=seg_a.as_of, date_to=seg_b.as_of, transitions=transitions,
                     before=seg_a, after=seg_b, baseline=baseline)


def migration_chain(transactions: pd.DataFrame | Ledger, dates: Sequence[pd.Timestamp | str], *,
                    method: str = "quantile", refit: bool = False,
                    baseline: pd.Timestamp | str | None = None) -> list[Migration]:
    """Consecutive transitions over two or more dates.

    One set of thresholds (learned at `baseline`, default the first date) scores every
    snapshot, so a snapshot has the same segments as the end of one step and the start of
    the next and a multi-step Sankey balances; `refit=True` re-learns them at each date.
    """
    stamps, base = _dates_and_baseline(dates, method=method, refit=refit, baseline=baseline)
    if len(stamps) < 2:
        raise OptionError("migration_two_dates")
    history = _history(transactions)
    snapshots = _snapshots(history, stamps, method=method, refit=refit, baseline=base)
    size = len(history.customers)
    return [_transition(a, b, size, base) for a, b in zip(snapshots[:-1], snapshots[1:])]


def migrate(transactions: pd.DataFrame | Ledger, *, date_from: pd.Timestamp | str,
            date_to: pd.Timestamp | str, method: str = "quantile", refit: bool = False,
            baseline: pd.Timestamp | str | None = None) -> Migration:
    """Segments at `date_from` → segments at `date_to`, thresholds of `date_from` unless `baseline` or `refit`."""
    start, end = _timestamp(date_from), _timestamp(date_to)
    if not start < end:
        raise OptionError("migration_dates_order", date_from=date_in_every_lang(start), date_to=date_in_every_lang(end))
    return migration_chain(transactions, [start, end], method=method, refit=refit, baseline=baseline)[0]


# --- readings --------------------------------------------------------------------------------

def _count(n: int, lang: str) -> str:
    return t("mig.customers_one" if n == 1 else "mig.customers_many", lang, n=fmt_int(n, lang))


# Readings beyond READING_RULES (kept here, next to `readings`): the best customers slipping one
# step down is the biggest backward story of a typical shop, and must be told.
_MORE_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], int], ...] = (
    ("top_slipping", ("champions",), ("loyal", "potential_loyalist", "need_attention"), 2),
)
WARNING_RULES = ("top_to_risk", "top_to_cant_lose", "new_to_sleep", "top_slipping")


def flow_spend(migration: Migration) -> pd.DataFrame:
    """Per flow (source, target): the money at stake — what its customers spent up to the earlier
    date (for newcomers, what they spent in the period) — and that as a share of the source's spend."""
    tr = migration.transitions
    customers = tr["customer"].to_numpy()
    before = migration.before.customers["monetary"].reindex(customers).to_numpy(dtype=float)
    after = migration.after.customers["monetary"].reindex(customers).to_numpy(dtype=float)
    source = tr["segment_from"].astype(str).to_numpy()
    spend = np.nan_to_num(np.where(source == NEW, after, before))
    frame = pd.DataFrame({"source": source, "target": tr["segment_to"].astype(str).to_numpy(), "spend": spend})
    per_flow = frame.groupby(["source", "target"], sort=False)["spend"].sum()
    per_source = frame.groupby("source", sort=False)["spend"].sum()
    out = per_flow.reset_index()
    total = per_source.reindex(out["source"]).to_numpy()
    out["spend_share"] = np.divide(out["spend"].to_numpy(), total, out=np.zeros(len(out)), where=total > 0)
    return out


def readings(migration: Migration, lang: str = DEFAULT_LANG, *, min_customers: int = 5,
             min_share: float = 0.05, currency: str | None = None, basis: str = "amount") -> list[dict]:
    """Plain-language readings of the notable flows, the biggest stories first.

    A flow is notable when it matches a rule of READING_RULES, holds at least
    `min_customers` customers and at least `min_share` of its source (so one customer out
    of three is not news, nor are 40 out of 5,000). Readings are ranked by weight: the
    flow's share of all customers in notable flows plus its share of their money at stake
    (the flow's spend in the earlier period), so a 110-customer move of top spenders comes
    before a 14-customer one; the text says the money.
    Returns [{source, target, customers, share, spend, rule, text}].
    """
    from metriqr.texts import DEFAULT_CURRENCY, fmt_money

    flows = migration.flows()
    if hasattr(migration, "transitions"):  # anything with flows() reads; the money needs the customers
        flows = flows.merge(flow_spend(migration), on=["source", "target"], how="left")
    else:
        flows = flows.assign(spend=0.0, spend_share=0.0)
    rule_of = {(source, target): (rule, priority) for rule, sources, targets, priority
               in READING_RULES + _MORE_RULES for source in sources for target in targets}
    found = []
    for source, target, customers, share, spend, spend_share in zip(
            flows["source"], flows["target"], flows["customers"], flows["share"], flows["spend"],
            flows["spend_share"]):  # ≤ 110 flows
        match = rule_of.get((source, target))
        if match is None or customers < min_customers or share < min_share:
            continue
        rule, priority = match
        share_text = t("mig.share_of_new", lang, share=fmt_pct(share, lang)) if source == NEW else \
            t("mig.share_of_segment", lang, share=fmt_pct(share, lang), source=source_label(source, lang))
        head = t("mig.flow_head", lang, source=source_label(source, lang), target=source_label(target, lang),
                  count=_count(int(customers), lang), share=share_text)
        amount = fmt_int(spend, lang) + " " + t("unit.items", lang) if basis == "items" else \
            fmt_money(spend, lang, currency or DEFAULT_CURRENCY)
        stake = t("mig.at_stake_new", lang, money=amount) if source == NEW else \
            t("mig.at_stake", lang, money=amount, share=fmt_pct(spend_share, lang))
        found.append((priority, int(customers), float(spend), {
            "source": str(source), "target": str(target), "customers": int(customers), "share": float(share),
            "spend": float(spend), "rule": rule, "text": f"{head} {stake} {t(f'mig.read.{rule}', lang)}"}))
    total_customers = sum(item[1] for item in found) or 1
    total_spend = sum(max(item[2], 0.0) for item in found) or 1.0
    found.sort(key=lambda item: (-(item[1] / total_customers + max(item[2], 0.0) / total_spend), item[0],
                                 SOURCE_KEYS.index(item[3]["source"]), SEGMENT_KEYS.index(item[3]["target"])))
    return [item[3] for item in found]


def compare_segmentations(before: Segmentation, after: Segmentation) -> Migration:
    """The migration between two segmentations as they are (e.g. two saved runs, each with its own
    thresholds): every customer of `after`, coming from their segment in `before` or, if absent
    there, from NEW. Joined on customer ids, since saved runs share no positions."""
    if not before.as_of < after.as_of:
        raise OptionError("migration_dates_order", date_from=date_in_every_lang(before.as_of),
                          date_to=date_in_every_lang(after.as_of))
    position = before.customers.index.get_indexer(after.customers.index)  # −1 (absent) picks NEW below
    codes = np.append(before.customers["segment"].cat.codes.to_numpy(), len(SEGMENT_KEYS)).astype(np.int8)
    transitions = pd.DataFrame({
        "customer": after.customers.index.array,
        "segment_from": pd.Categorical.from_codes(codes[position], categories=SOURCE_KEYS),
        "segment_to": after.customers["segment"].array,
    })
    return Migration(date_from=before.as_of, date_to=after.as_of, transitions=transitions, before=before,
                     after=after, baseline=None)
