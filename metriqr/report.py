"""Tables the user reads and downloads, in their language: the segment table, customer lists, the workbook."""
from __future__ import annotations

import pandas as pd

from metriqr.cleaning import CleaningReport
from metriqr.segmentation import Segmentation, segment_summary
from metriqr.segments import BY_KEY, SEGMENTS, source_label
from metriqr.texts import fmt_date, fmt_int, fmt_money, fmt_num, fmt_pct, t

CUSTOMER_EXPORT_COLUMNS = ("customer", "last_purchase", "recency_days", "frequency", "monetary", "r", "f", "m",
                           "segment")


def money(value: float, lang: str, basis: str = "amount") -> str:
    """Net spend as money, or as a count of items when the data has no money column."""
    return fmt_num(value, lang, 1) + " " + t("unit.items", lang) if basis == "items" else fmt_money(value, lang)


def date_order_lines(report: CleaningReport, lang: str, *, how_to_switch: str = "") -> list[str]:
    """Which day/month order the dates were read in and why, then a warning when it is a guess
    (every value ambiguous, or the column mixes both orders). Empty when dates had no such
    ambiguity (ISO, the workbook's own dates). The examples shown matched the date pattern,
    so they are digits and separators only."""
    if not report.date_order:
        return []
    order = t(f"dates.order.{report.date_order}", lang)
    why = t(f"dates.why.{report.date_order_reason}", lang, examples=", ".join(report.date_evidence[:2]))
    lines = [t("dates.line", lang, order=order, why=why)]
    other = t("dates.order." + ("mdy" if report.date_order == "dmy" else "dmy"), lang)
    if report.date_order_reason == "mixed":
        lines.append(t("dates.warn_mixed", lang, others=", ".join(report.date_other_evidence[:2]),
                       n=fmt_int(report.date_ambiguous, lang), order=order))
    elif report.date_order_warning:
        lines.append(t("dates.warn_ambiguous", lang, n=fmt_int(report.date_ambiguous, lang), other=other))
    if how_to_switch and len(lines) > 1:
        lines[-1] += f" ({how_to_switch})"
    return lines


def summary_table(segmentation: Segmentation, lang: str, *, basis: str = "amount") -> pd.DataFrame:
    """The segment table as displayed: formatted strings, all ten segments in rank order."""
    summary = segment_summary(segmentation)
    rows = []
    for key, row in summary.iterrows():  # ten rows: presentation, not data processing
        rows.append({
            t("col.segment", lang): BY_KEY[key].label(lang),
            t("col.customers", lang): fmt_int(row["customers"], lang),
            t("col.share", lang): fmt_pct(row["share"], lang),
            t("col.avg_monetary", lang): money(row["avg_monetary"], lang, basis) if row["customers"] else "–",
            t("col.avg_recency", lang): fmt_num(row["avg_recency_days"], lang, 0) if row["customers"] else "–",
            t("col.avg_frequency", lang): fmt_num(row["avg_frequency"], lang, 1) if row["customers"] else "–",
            t("col.revenue_share", lang): fmt_pct(row["revenue_share"], lang),
        })
    return pd.DataFrame(rows)


def customers_export(segmentation: Segmentation, *, segment: str | None = None,
                     names: pd.Series | None = None) -> pd.DataFrame:
    """One row per customer with the contract's columns (keys, not labels), best customers first."""
    customers = segmentation.customers
    if segment is not None:
        customers = customers[customers["segment"] == segment]
    return customer_rows(customers, names=names)


def customer_rows(customers: pd.DataFrame, *, names: pd.Series | None = None) -> pd.DataFrame:
    """Any set of segmented customers as a list: contract columns (plus segment_from when present)."""
    columns = (["segment_from"] if "segment_from" in customers else []) + list(CUSTOMER_EXPORT_COLUMNS[1:])
    out = customers.reset_index()[["customer"] + columns].copy()
    for column in ("segment", "segment_from"):
        if column in out:
            out[column] = out[column].astype(str)
    out["last_purchase"] = out["last_purchase"].dt.date
    if names is not None:
        out.insert(1, "customer_name", out["customer"].map(names))
    return out.sort_values(["monetary", "customer"], ascending=[False, True], kind="stable").reset_index(drop=True)


def localise_customers(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Translated headers and segment labels for a downloaded list (values stay numbers)."""
    out = frame.copy()
    for column in ("segment", "segment_from", "previous_segment"):
        if column in out:
            out[column] = out[column].map(lambda k: source_label(k, lang) if k else "")
    return out.rename(columns={c: t(f"cust.{c}", lang) for c in out.columns})


def display_customers(frame: pd.DataFrame, lang: str, *, basis: str = "amount") -> pd.DataFrame:
    """A customer list for the screen: pt-BR numbers and dates as text, user text left as text."""
    out = frame.copy()
    for column in ("last_purchase", "segment_since"):
        if column in out:
            out[column] = out[column].map(lambda d: fmt_date(d, lang))
    out["monetary"] = out["monetary"].map(lambda v: money(v, lang, basis))
    return localise_customers(out, lang)


def workbook_sheets(segmentation: Segmentation, lang: str, *, basis: str = "amount",
                    names: pd.Series | None = None) -> dict[str, pd.DataFrame]:
    """Summary sheet, then one sheet per segment (empty segments included, so the workbook's shape is fixed)."""
    summary = segment_summary(segmentation).reset_index()
    summary.insert(1, "label", summary["key"].map(lambda k: BY_KEY[k].label(lang)))
    summary["action"] = summary["key"].map(lambda k: BY_KEY[k].action(lang))
    summary = summary.rename(columns={c: t(f"sum.{c}", lang) for c in summary.columns})
    sheets = {t("sheet.summary", lang): summary}
    everyone = customers_export(segmentation, names=names)
    for segment in SEGMENTS:
        part = everyone[everyone["segment"] == segment.key]
        sheets[segment.label(lang)] = localise_customers(part, lang)
    return sheets
