"""Tables the user reads and downloads, in their language: the segment table, customer lists, the workbook."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from metriqr.cleaning import CleaningReport
from metriqr.segmentation import Segmentation, segment_summary
from metriqr.segments import BY_KEY, SEGMENTS, source_label
from metriqr.texts import (CATALOGUE, DEFAULT_CURRENCY, MONTHS, currency_symbol, fmt_date, fmt_int, fmt_money, fmt_num,
                           fmt_pct, plural, t)

CUSTOMER_EXPORT_COLUMNS = ("customer", "last_purchase", "recency_days", "frequency", "monetary", "r", "f", "m",
                           "segment")


def money(value: float, lang: str, basis: str = "amount", currency: str | None = DEFAULT_CURRENCY) -> str:
    """Net spend as money, or as a count of items when the data has no money column (the label
    then says items: "Itens comprados 38.765", never "38.765,0 itens")."""
    if basis == "items":
        return fmt_int(value, lang) if float(value) == round(float(value)) else fmt_num(value, lang, 1)
    return fmt_money(value, lang, currency)


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



def label(key: str, lang: str, basis: str = "amount", **params: object) -> str:
    """A label that speaks of money, or of items when the data has no money column (`key` + `.items`)."""
    return t(f"{key}.items" if basis == "items" and f"{key}.items" in CATALOGUE else key, lang, **params)


def summary_table(segmentation: Segmentation, lang: str, *, basis: str = "amount",
                  currency: str | None = DEFAULT_CURRENCY) -> pd.DataFrame:
    """The segment table as displayed: formatted strings, all ten segments in rank order."""
    summary = segment_summary(segmentation)
    rows = []
    for key, row in summary.iterrows():  # ten rows: presentation, not data processing
        rows.append({
            t("col.segment", lang): BY_KEY[key].label(lang),
            t("col.customers", lang): fmt_int(row["customers"], lang),
            t("col.share", lang): fmt_pct(row["share"], lang),
            # the share of revenue next to the share of customers: on a phone the first columns are
            # what is seen without scrolling, and these two are the table's point
            label("col.revenue_share", lang, basis): fmt_pct(row["revenue_share"], lang),
            label("col.avg_monetary", lang, basis): money(row["avg_monetary"], lang, basis, currency)
            if row["customers"] else "–",
            t("col.avg_recency", lang): fmt_num(row["avg_recency_days"], lang, 0) if row["customers"] else "–",
            t("col.avg_frequency", lang): fmt_num(row["avg_frequency"], lang, 1) if row["customers"] else "–",
        })
    return pd.DataFrame(rows)


def customers_export(segmentation: Segmentation, *, segment: str | None = None,
                     names: pd.Series | pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer with the contract's columns (keys, not labels), best customers first."""
    customers = segmentation.customers
    if segment is not None:
        customers = customers[customers["segment"] == segment]
    return customer_rows(customers, names=names)


def customer_rows(customers: pd.DataFrame, *, names: pd.Series | pd.DataFrame | None = None) -> pd.DataFrame:
    """Any set of segmented customers as a list: contract columns (plus segment_from when present).

    `names` is a name per customer, or the contacts table (name, e-mail, phone) of
    metriqr.aggregates.customer_contacts: its columns follow the customer's id."""
    columns = (["segment_from"] if "segment_from" in customers else []) + list(CUSTOMER_EXPORT_COLUMNS[1:])
    out = customers.reset_index()[["customer"] + columns].copy()
    for column in ("segment", "segment_from"):
        if column in out:
            out[column] = out[column].astype(str)
    out["last_purchase"] = out["last_purchase"].dt.date
    if isinstance(names, pd.Series):
        names = names.rename("customer_name").to_frame()
    if names is not None:
        for position, column in enumerate(names.columns, start=1):
            out.insert(position, column, out["customer"].map(names[column]))
    return out.sort_values(["monetary", "customer"], ascending=[False, True], kind="stable").reset_index(drop=True)


def localise_customers(frame: pd.DataFrame, lang: str, *, basis: str = "amount") -> pd.DataFrame:
    """Translated headers and segment labels for a downloaded list (values stay numbers)."""
    out = frame.copy()
    for column in ("segment", "segment_from", "previous_segment"):
        if column in out:
            out[column] = out[column].map(lambda k: source_label(k, lang) if k else "")
    return out.rename(columns={c: label(f"cust.{c}", lang, basis) for c in out.columns})


def display_customers(frame: pd.DataFrame, lang: str, *, basis: str = "amount",
                      currency: str | None = DEFAULT_CURRENCY) -> pd.DataFrame:
    """A customer list for the screen: pt-BR numbers and dates as text, user text left as text."""
    out = frame.copy()
    for column in ("last_purchase", "segment_since"):
        if column in out:
            out[column] = out[column].map(lambda d: fmt_date(d, lang))
    out["monetary"] = out["monetary"].map(lambda v: money(v, lang, basis, currency))
    return localise_customers(out, lang, basis=basis)


def xlsx_formats(lang: str, *, basis: str = "amount", currency: str | None = DEFAULT_CURRENCY) -> dict[str, str]:
    """Excel number formats by translated header, for every list and the summary sheet: shares as
    percentages, counts and days as integers, money in the currency in use, dates as dates."""
    symbol = currency_symbol(currency).replace('"', "")
    money_format = "#,##0" if basis == "items" else f'"{symbol} "#,##0.00'
    day = "dd/mm/yyyy" if lang == "pt" else "yyyy-mm-dd"
    formats = {"last_purchase": day, "segment_since": day, "recency_days": "0",
               "frequency": "0", "monetary": money_format, "r": "0", "f": "0", "m": "0"}
    out = {label(f"cust.{c}", lang, basis): f for c, f in formats.items()}
    out.update({label(f"sum.{c}", lang, basis): f for c, f in (
        ("customers", "#,##0"), ("share", "0.0%"), ("avg_monetary", money_format), ("avg_recency_days", "0"),
        ("avg_frequency", "0.0"), ("revenue", money_format), ("revenue_share", "0.0%"), ("rank", "0"))})
    return out


def workbook_sheets(segmentation: Segmentation, lang: str, *, basis: str = "amount",
                    names: pd.Series | pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Summary sheet, then one sheet per segment (empty segments included, so the workbook's shape is fixed).

    The summary shows segment names, not the internal keys (the keys are the contract of the
    command line's JSON, not something a shop owner reads)."""
    summary = segment_summary(segmentation).reset_index()
    summary.insert(1, "label", summary["key"].map(lambda k: BY_KEY[k].label(lang)))
    summary["action"] = summary["key"].map(lambda k: BY_KEY[k].action(lang))
    summary = summary.drop(columns="key")
    summary = summary.rename(columns={c: label(f"sum.{c}", lang, basis) for c in summary.columns})
    sheets = {t("sheet.summary", lang): summary}
    everyone = customers_export(segmentation, names=names)
    for segment in SEGMENTS:
        part = everyone[everyone["segment"] == segment.key]
        sheets[segment.label(lang)] = localise_customers(part, lang, basis=basis)
    return sheets


def display_preview(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The file's first rows as the user writes them: dates as 01/12/2010 08:26 and decimals
    with a comma in Portuguese, instead of 2010-12-01 08:26:00 and 2.55. Text stays as read."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            has_time = (values.dropna().dt.normalize() != values.dropna()).any()
            pattern = ("%d/%m/%Y" if lang == "pt" else "%Y-%m-%d") + (" %H:%M" if has_time else "")
            out[column] = values.dt.strftime(pattern).astype(object).where(values.notna(), "")
        elif pd.api.types.is_float_dtype(values):
            whole = values.dropna()
            whole = bool(len(whole)) and bool((whole == whole.round()).all())
            out[column] = values.map(lambda v: "" if v != v else fmt_int(v, lang) if whole else
                                     fmt_num(v, lang, 2).rstrip("0").rstrip(",." if lang == "pt" else "."))
        elif values.dtype == object and values.map(lambda v: isinstance(v, (float, pd.Timestamp))).any():
            out[column] = values.map(lambda v: fmt_date(v, lang) if isinstance(v, pd.Timestamp) else
                                     fmt_num(v, lang, 2).rstrip("0").rstrip(",.") if isinstance(v, float) and v == v
                                     else v)
    return out


def product_labels(codes: pd.Series, names: pd.Series) -> dict[str, str]:
    """Code → the name people read; where several codes share a name (a category used as the
    name), the code is added so that each stays its own row and its own bar: "Bolo (B17)"."""
    frame = pd.DataFrame({"code": codes.to_numpy(dtype=object), "name": names.to_numpy(dtype=object)})
    clash = frame["name"].duplicated(keep=False).to_numpy() | (frame["name"] == "").to_numpy()
    labels = np.where(clash, frame["name"] + " (" + frame["code"] + ")", frame["name"])
    return dict(zip(frame["code"], labels))


def month_names(months: Sequence[int], lang: str) -> str:
    """Calendar months 1–12 as words: "nov, dez" / "Nov, Dec"."""
    return ", ".join(MONTHS["en" if lang == "en" else "pt"][int(m) - 1] for m in months)


def reading_text(note: dict, lang: str, *, currency: str | None = None, basis: str = "amount") -> str:
    """One reading of `metriqr.migration.readings` as a sentence: who moved where, how many and
    what share, the money at stake and what it means (“Champions → Loyal: 40 customers (…)”)."""
    from metriqr.migration import NEW

    source, target = note["source"], note["target"]
    share = fmt_pct(note["share"], lang)
    share_text = t("mig.share_of_new", lang, share=share) if source == NEW else \
        t("mig.share_of_segment", lang, share=share, source=source_label(source, lang))
    head = t("mig.flow_head", lang, source=source_label(source, lang), target=source_label(target, lang),
             count=plural(note["customers"], "mig.customers_one", "mig.customers_many", lang), share=share_text)
    amount = fmt_int(note["spend"], lang) + " " + t("unit.items", lang) if basis == "items" else \
        fmt_money(note["spend"], lang, currency or DEFAULT_CURRENCY)
    stake = t("mig.at_stake_new", lang, money=amount) if source == NEW else \
        t("mig.at_stake", lang, money=amount, share=fmt_pct(note["spend_share"], lang))
    meaning = t(f"mig.read.{note['rule']}", lang)
    return f"{head} {stake} {meaning}"


def migration_readings(migration, lang: str, *, currency: str | None = None, basis: str = "amount",
                       **thresholds: float) -> list[dict]:
    """The notable flows of `migration`, each with its sentence in `lang` under "text"."""
    from metriqr.migration import readings

    return [{**note, "text": reading_text(note, lang, currency=currency, basis=basis)}
            for note in readings(migration, **thresholds)]


# --- predicted value (issue 16) ---

def prediction_table(values: pd.DataFrame, lang: str, *, basis: str = "amount",
                     currency: str | None = DEFAULT_CURRENCY, at_stake: bool = True) -> pd.DataFrame:
    """The per-segment forecast as displayed (`metriqr.predict.segment_values`'s table): segments with
    customers, in rank order; formatted strings; the "at stake" column only when the data show dropout."""
    shown = values[values["customers"] > 0]
    table = pd.DataFrame({
        t("pred.col_segment", lang): [BY_KEY[k].label(lang) for k in shown.index],
        t("pred.col_customers", lang): [fmt_int(n, lang) for n in shown["customers"]],
        t("pred.col_p_alive_avg", lang): [fmt_pct(p, lang, 0) for p in shown["p_alive"]],
        t("pred.col_expected_purchases", lang): [fmt_num(n, lang, 0) for n in shown["expected_purchases"]],
        t("pred.col_predicted_revenue", lang): [money(v, lang, basis, currency) for v in shown["predicted_revenue"]],
        t("pred.col_at_stake", lang): [money(v, lang, basis, currency) for v in shown["at_stake"]],
    }).set_index(t("pred.col_segment", lang))
    return table if at_stake else table.drop(columns=t("pred.col_at_stake", lang))


def prediction_headers(lang: str, *, basis: str = "amount", currency: str | None = DEFAULT_CURRENCY) -> dict[str, str]:
    """Column → header of a predicted-value customer list (revenue headed with its currency symbol, since
    the cells stay numbers)."""
    revenue = t("pred.col_predicted_revenue", lang) if basis == "items" else \
        t("pred.col_revenue_in", lang, symbol=currency_symbol(currency))
    return {"customer": t("pred.col_customer", lang), "customer_name": t("cust.customer_name", lang),
            "segment": t("pred.col_segment", lang), "p_alive": t("pred.col_p_alive", lang),
            "expected_purchases": t("pred.col_expected_purchases", lang), "predicted_revenue": revenue}


def prediction_customers(listing: pd.DataFrame, lang: str, *, names: pd.DataFrame | None = None,
                         basis: str = "amount", currency: str | None = DEFAULT_CURRENCY) -> pd.DataFrame:
    """Customers with their forecast (`metriqr.predict.with_segments`'s rows, in their order) for the screen and
    the download: translated headers and segment labels ("–" outside the segmentation), the name when the data
    has one; numbers stay numbers (P(alive) to 3 decimals, purchases and revenue to 2) so they sort."""
    out = listing[["customer"]].copy()
    if names is not None and "customer_name" in names:
        out["customer_name"] = listing["customer"].map(names["customer_name"]).to_numpy()
    out["segment"] = [BY_KEY[k].label(lang) if isinstance(k, str) else "–" for k in listing["segment"]]
    out["p_alive"] = listing["p_alive"].round(3).to_numpy()
    out["expected_purchases"] = listing["expected_purchases"].round(2).to_numpy()
    out["predicted_revenue"] = listing["predicted_revenue"].round(2).to_numpy()
    return out.rename(columns=prediction_headers(lang, basis=basis, currency=currency))
