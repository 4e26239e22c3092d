"""JSON-ready records of every result: the one place that decides what `--json` prints.

A record holds plain numbers, keys and YYYY-MM-DD dates: no NaN (an empty segment's average is null),
no -0.0, no numpy scalars, floats rounded here and nowhere else in the record's path. The text reports of
the command line are rendered from these same records, so the two outputs cannot disagree. Segment keys
are stable; the only words are segment labels, in the language asked.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from metriqr.segmentation import Segmentation, segment_summary
from metriqr.segments import BY_KEY, SEGMENT_KEYS

if TYPE_CHECKING:  # types only: `segment` must not pay for importing the recommender (scipy)
    from metriqr.cleaning import CleaningReport
    from metriqr.migration import Migration
    from metriqr.predict import Prediction
    from metriqr.recommend import Purchases


def number(value: object, digits: int) -> float | None:
    """JSON-safe rounded float: NaN (an empty segment's average) becomes null, -0.0 becomes 0.0."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return round(float(value), digits) + 0.0


def plain(value: Any) -> Any:
    """NaN (a figure with no case to measure) → null, numpy scalars → plain numbers, recursively."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    return value


def segmentation_record(segmentation: Segmentation, report: CleaningReport, *, lang: str) -> dict[str, Any]:
    """`segment --json`: all ten segments in rank order, the rows accounted for, the learned thresholds."""
    summary = segment_summary(segmentation)
    segments = [{"key": key, "label": BY_KEY[key].label(lang), "customers": int(row["customers"]),
                 "share": number(row["share"], 4), "avg_monetary": number(row["avg_monetary"], 2),
                 "avg_recency_days": number(row["avg_recency_days"], 1),
                 "avg_frequency": number(row["avg_frequency"], 2),
                 "revenue_share": number(row["revenue_share"], 4)}
                for key, row in summary.iterrows()]  # ten rows
    thresholds = {measure: [number(v, 2) for v in edges] for measure, edges in segmentation.scorer.edges_.items()}
    return {"as_of": segmentation.as_of.strftime("%Y-%m-%d"), "window_days": segmentation.window_days,
            "method": segmentation.scorer.method, "monetary_basis": report.monetary_basis,
            "rows": report.as_dict(), "dates": report.dates_dict(), "customers": int(len(segmentation.customers)),
            "customers_only_in_excluded_lines": dict(report.lost_customers),
            "one_occasion_share": number(segmentation.one_occasion_share, 4),
            "warnings": ["one_occasion"] if segmentation.mostly_one_occasion else [],
            "thresholds": thresholds, "segments": segments}


def migration_record(migration: Migration) -> dict[str, Any]:
    """`migrate --json`: the flows between segments, the totals and each segment's gains and losses."""
    flows = migration.flows()
    changes = migration.segment_changes()
    return {
        "from": migration.date_from.strftime("%Y-%m-%d"),
        "to": migration.date_to.strftime("%Y-%m-%d"),
        "flows": [{"source": str(s), "target": str(t), "customers": int(c)}
                  for s, t, c in zip(flows["source"], flows["target"], flows["customers"])],
        "totals": migration.totals(),
        "segments": {key: {column: int(changes.at[key, column]) for column in changes.columns}
                     for key in SEGMENT_KEYS},
    }


def also_bought_record(purchases: Purchases, product: str, table: pd.DataFrame) -> dict[str, Any]:
    """One product's also-bought list (`recommend.also_bought`'s table): confidence 4 decimals, lift 3."""
    i = purchases.product_index(product)
    items = [{"product": str(row.product), "name": str(row.name), "together": int(row.together),
              "confidence": number(row.confidence, 4), "lift": number(row.lift, 3),
              "above_chance": bool(row.above_chance)}
             for row in table.itertuples(index=False)]  # top N rows
    return {"product": str(purchases.products[i]), "name": str(purchases.names[i]), "also_bought": items}


def customer_records(customers: Sequence[str], table: pd.DataFrame, *, segments: pd.Series,
                     without_products: Collection[str] = ()) -> list[dict[str, Any]]:
    """Each customer's not-yet-bought products (`recommend.recommend_for_customers`'s table) with reasons;
    `fallback` says why a customer's list is their segment's (`without_products`: no product bought)."""
    lists: dict[str, list[dict[str, Any]]] = {str(c): [] for c in customers}
    for row in table.itertuples(index=False):  # top N rows for each customer asked
        lists[str(row.customer)].append({"product": str(row.product), "name": str(row.name),
                                         "score": number(row.score, 4),
                                         "because": [str(code) for code in row.because],
                                         "source": str(row.source)})
    records = []
    for customer in customers:
        segment = segments.get(str(customer))
        records.append({"customer": str(customer), "segment": None if pd.isna(segment) else str(segment),
                        "fallback": "no_product_purchases" if str(customer) in without_products else None,
                        "recommendations": lists[str(customer)]})
    return records


def evaluation_record(result: dict[str, Any]) -> dict[str, Any]:
    """`evaluate --json`: `recommend_eval.evaluate`'s figures as plain numbers, shares rounded to 4 decimals
    here (the analysis keeps them exact), null where nothing was measured."""
    def rounded(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: rounded(item) for key, item in value.items()}
        if isinstance(value, float):
            return round(value, 4)
        return value

    return rounded(plain(result))


def prediction_record(prediction: Prediction, values: pd.DataFrame) -> dict[str, Any]:
    """`predict --json`: the fitted parameters (α and γ as fitted, α in the chosen time unit), the totals
    over the horizon and the ten segments in rank order (`metriqr.predict.segment_values`'s table)."""
    bg, gg = prediction.bgnbd, prediction.gamma_gamma
    segments = [{"key": key, "customers": int(row["customers"]), "p_alive": number(row["p_alive"], 4),
                 "expected_purchases": number(row["expected_purchases"], 2),
                 "predicted_revenue": number(row["predicted_revenue"], 2)}
                for key, row in values.iterrows()]  # ten rows
    return {"as_of": prediction.as_of.strftime("%Y-%m-%d"), "time_unit": prediction.time_unit,
            "horizon_days": int(prediction.horizon_days),
            "model": {"bgnbd": {"r": number(bg.r, 4), "alpha": number(bg.alpha, 4), "a": number(bg.a, 4),
                                "b": number(bg.b, 4)},
                      "gamma_gamma": {"p": number(gg.p, 4), "q": number(gg.q, 4), "gamma": number(gg.gamma, 4),
                                      **({"fixed_spend": number(gg.fixed_spend, 2)} if gg.fixed_spend is not None
                                         else {})}},
            "customers": int(len(prediction.customers)),
            "expected_purchases": number(prediction.expected_purchases, 2),
            "predicted_revenue": number(prediction.predicted_revenue, 2), "segments": segments}


# --- campaigns (issue 15) ---

def _day(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def campaign_record(campaign: dict[str, Any], *, ignored: int = 0) -> dict[str, Any]:
    """`campaign create --json` (and each entry of `campaign list`): what was stored."""
    return {"campaign": campaign["name"], "as_of": _day(campaign["as_of"]), "targeted": int(campaign["targeted"]),
            "control": int(campaign["control"]), "control_share": number(campaign["control_share"], 4),
            "seed": int(campaign["seed"]), "source": plain(campaign["source"]), "channel": campaign["channel"],
            "created": pd.Timestamp(campaign["created"]).isoformat(timespec="seconds"),
            **({"ignored": int(ignored)} if ignored else {})}


def measurement_record(campaign: dict[str, Any], measurement: Any) -> dict[str, Any]:
    """`campaign measure --json`: per group figures, uplift with 95 % intervals, the verdict and the
    attributable revenue; rates and shares to 4 decimals, money to the cent, null where not measurable."""
    digits = {"purchase_rate": 4, "revenue": 2, "revenue_per_customer": 2, "progressed_share": 4}

    def interval(values: dict[str, float], places: int) -> dict[str, float | None]:
        return {key: number(values[key], places) for key in ("diff", "ci_low", "ci_high")}

    groups = {name: {"customers": int(figures["customers"]), "buyers": int(figures["buyers"]),
                     **{key: number(figures[key], places) for key, places in digits.items()}}
              for name, figures in measurement.groups.items()}
    return {"campaign": campaign["name"], "as_of": _day(measurement.as_of), "until": _day(measurement.until),
            "days": int(measurement.days), "groups": groups,
            "uplift": {"purchase_rate": interval(measurement.uplift["purchase_rate"], 4),
                       "revenue_per_customer": interval(measurement.uplift["revenue_per_customer"], 2)},
            "verdict": measurement.verdict, "reason": measurement.reason,
            "attributable_revenue": interval(measurement.attributable, 2)}
