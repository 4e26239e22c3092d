"""`metriqr segment DATA`: the ten RFM segments, as a text report or JSON, with optional customer list and workbook.

pandas and the analysis are imported inside the functions (see metriqr.cli.common).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from metriqr.cli.common import (CUSTOMER_FORMATS, REPORT_FORMATS, add_json, add_method, check_data, count_option,
                                data_parent, date_option, engine_option, lang_parent, load_data, method_option,
                                output_option, print_json, table_file, text, write_output, xlsx_bytes)
from metriqr.errors import OptionError

if TYPE_CHECKING:
    import pandas as pd

    from metriqr.aggregates import Ledger
    from metriqr.pipeline import Dataset
    from metriqr.segmentation import Segmentation

NAME = "segment"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME, parents=[data_parent(), lang_parent()], help="segment customers into the 10 RFM segments",
        description="Segment every identified customer into the 10 RFM segments and report the result.")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="reference date; purchases on or after it are ignored (default: day after the last sale)")
    parser.add_argument("--window-days", metavar="N",
                        help="look back only N days before the reference date (default: all history)")
    add_method(parser)
    add_json(parser)
    parser.add_argument("--customers-out", metavar="FILE", type=Path,
                        help="write one row per customer (.csv: comma, point decimal, UTF-8; or .xlsx)")
    parser.add_argument("--report-out", metavar="FILE.xlsx", type=Path,
                        help="write the workbook: a summary sheet and one sheet per segment")
    parser.add_argument("--save", action="store_true",
                        help="with --workspace: store this segmentation as a run (see `runs`, `migrate --from-run`)")
    parser.set_defaults(check=lambda args: check_data(parser, args))
    return parser


def run(args: argparse.Namespace) -> int:
    """Check every option, read, segment, then write the outputs and print."""
    from metriqr.aggregates import customer_contacts
    from metriqr.records import segmentation_record
    from metriqr.report import workbook_sheets, xlsx_formats
    from metriqr.aggregates import build_ledger
    from metriqr.segmentation import segment_ledger

    lang = args.lang
    as_of = date_option(args.as_of)
    window_days = count_option(args.window_days, default=None, key="bad_window")
    method = method_option(args.method)
    customers_out = output_option(args.customers_out, suffixes=CUSTOMER_FORMATS, data=args.data)
    report_out = output_option(args.report_out, suffixes=REPORT_FORMATS, data=args.data)
    if customers_out is not None and report_out is not None and customers_out.resolve() == report_out.resolve():
        raise OptionError("output_same", name=str(report_out))

    if args.save and args.workspace is None:
        raise OptionError("save_needs_workspace")

    dataset = load_data(args.data, sheet=args.sheet, columns=args.column, workspace=args.workspace,
                        date_order=args.date_order, engine=engine_option(args), spark_master=args.spark_master)
    transactions = dataset.cleaned.transactions  # None when an engine built the ledger where the lines lie
    ledger = dataset.ledger if dataset.ledger is not None else build_ledger(transactions)
    segmentation = segment_ledger(ledger, as_of=as_of, window_days=window_days, method=method)
    basis = dataset.cleaned.report.monetary_basis
    tenure = None
    if args.workspace is not None:  # each customer's previous segment and since when, across saved runs
        from metriqr import workspace as store

        workspace = store.open_workspace(args.workspace)
        tenure = store.tenure(workspace, segmentation)
    outputs: list[tuple[Path, bytes]] = []  # all built before any is written: no half-updated set
    if customers_out is not None:
        predicted = predicted_columns(ledger, segmentation, lang=lang)
        outputs.append((customers_out, customers_file(segmentation, path=customers_out, tenure=tenure, lang=lang,
                                                      predicted=predicted)))
    if report_out is not None:
        # as the app's download: name, e-mail, phone help campaigns (the lines only the memory engine keeps)
        names = customer_contacts(transactions) if transactions is not None else None
        formats = xlsx_formats(lang, basis=basis, currency=data_currency(dataset))
        outputs.append((report_out, xlsx_bytes(workbook_sheets(segmentation, lang, basis=basis, names=names), lang,
                                               formats)))
    for path, content in outputs:
        write_output(path, content)
    run_id = store.save_run(workspace, segmentation) if args.save else None

    if args.json:
        record = segmentation_record(segmentation, dataset.cleaned.report, lang=lang)
        print_json(record if run_id is None else {**record, "run": run_id})
    else:
        print(segmentation_text(segmentation, dataset, lang=lang))
    return 0


def customers_file(segmentation: Segmentation, *, path: Path, tenure: pd.DataFrame | None = None,
                   lang: str = "pt", predicted: pd.DataFrame | None = None) -> bytes:
    """The per-customer list for other programs: contract columns, money to the cent, CSV or XLSX by suffix;
    from a workspace also `previous_segment` and `segment_since` (YYYY-MM-DD); with `predicted` (when the
    model fits) also `p_alive`, `expected_purchases` and `predicted_revenue` over the default 90 days."""
    from metriqr.report import customers_export

    frame = customers_export(segmentation)
    frame["monetary"] = frame["monetary"].round(2) + 0.0  # no 0.30000000000000004, no -0.0
    if predicted is not None:
        values = predicted.reindex(frame["customer"].to_numpy())
        frame["p_alive"] = values["p_alive"].round(4).to_numpy() + 0.0
        frame["expected_purchases"] = values["expected_purchases"].round(4).to_numpy() + 0.0
        frame["predicted_revenue"] = values["predicted_revenue"].round(2).to_numpy() + 0.0
    if tenure is not None:
        from metriqr.workspace import with_tenure

        frame = with_tenure(frame, tenure)
    return table_file(frame, path=path, sheet="customers", lang=lang)


def predicted_columns(ledger: Ledger, segmentation: Segmentation, *, lang: str) -> pd.DataFrame | None:
    """P(alive), expected purchases and predicted revenue over the default horizon at the segmentation's
    date; None, with a note on stderr saying why, when the model cannot be fitted honestly."""
    import sys

    from metriqr.errors import ModelRefused
    from metriqr.predict import PREDICTION_COLUMNS, predict
    from metriqr.texts import t

    try:
        return predict(ledger, as_of=segmentation.as_of).customers[list(PREDICTION_COLUMNS)]
    except ModelRefused as refusal:
        print(f"metriqr: {t('pred.cli_columns_left_out', lang, reason=refusal.message(lang))}", file=sys.stderr)
        return None


def segmentation_text(segmentation: Segmentation, dataset: Dataset, *, lang: str) -> str:
    """The readable report: what was read and dropped (with examples), headline figures, the table."""
    from metriqr.report import date_order_lines, label, money, summary_table
    from metriqr.texts import fmt_date, fmt_int, fmt_num, t

    report = dataset.cleaned.report
    basis = report.monetary_basis
    window = text("window_all", lang) if not segmentation.window_days else \
        text("window_days", lang, days=fmt_int(segmentation.window_days, lang))
    lines = [
        text("title", lang), "",
        f"{text('as_of', lang)}: {fmt_date(segmentation.as_of, lang)}",
        f"{text('period', lang)}: {fmt_date(segmentation.first_date, lang)} {text('to', lang)} "
        f"{fmt_date(segmentation.last_date, lang)}",
        f"{text('window', lang)}: {window}",
        f"{text('method', lang)}: {segmentation.scorer.method}",
        f"{text('thresholds', lang)}:",
    ]
    currency = data_currency(dataset)
    for measure, edges in segmentation.scorer.edges_.items():
        values = " | ".join(money(v, lang, basis, currency) if measure == "monetary" else fmt_num(v, lang, 0)
                            for v in edges) or "–"
        lines.append(f"  {label('cli.' + measure, lang, basis)}: {values}")
    lines += [
        "",
        f"{text('rows_read', lang)}: {fmt_int(report.rows_read, lang)}",
        f"{text('rows_used', lang)}: {fmt_int(report.rows_used, lang)}, "
        f"{text('returns', lang, n=fmt_int(report.returns, lang))}",
        f"{text('rows_excluded', lang)}: {fmt_int(report.rows_excluded, lang)}",
    ]
    lines += date_order_lines(report, lang, how_to_switch=t("dates.cli_option", lang))
    for reason, count in report.excluded.items():
        examples = [_example(example, lang) for example in report.examples.get(reason, ())[:3]]
        shown = f" ({text('examples', lang)} {'; '.join(examples)})" if examples else ""
        lines.append(f"  {t('reason.' + reason, lang)}: {fmt_int(count, lang)}{shown}")
    lines += analysis_notes(segmentation, dataset, lang=lang)
    lines += [
        "",
        f"{text('customers', lang)}: {fmt_int(len(segmentation.customers), lang)}",
        f"{text('occasions', lang)}: {fmt_int(segmentation.occasions, lang)}",
        f"{label('cli.revenue', lang, basis)}: {money(segmentation.revenue, lang, basis, currency)}",
        "",
        summary_table(segmentation, lang, basis=basis, currency=currency).to_string(index=False),
    ]
    return "\n".join(lines)


def data_currency(dataset: Dataset) -> str:
    """The currency the file states (symbols, headers, customers' country), else the default."""
    from metriqr.currency import detect_currency
    from metriqr.texts import DEFAULT_CURRENCY

    if dataset.currency:
        return dataset.currency
    found = detect_currency(dataset.raw.frame, dataset.mapping) if dataset.raw is not None else None
    return found.currency if found else DEFAULT_CURRENCY


def analysis_notes(segmentation: Segmentation, dataset: Dataset, *, lang: str) -> list[str]:
    """What could silently skew the counts: customers lost to exclusions, the customer column
    preferred over a per-order id, and a base where nearly everyone bought once."""
    from metriqr.columns import customer_column_note
    from metriqr.texts import fmt_int, fmt_pct, t

    report, lines = dataset.cleaned.report, []
    if report.lost_customers:
        lines.append(t("an.lost_customers", lang, n=fmt_int(sum(report.lost_customers.values()), lang)))
        for reason, count in report.lost_customers.items():
            lines.append("  " + t("an.lost_reason", lang, reason=t(f"reason.{reason}", lang), n=fmt_int(count, lang)))
        if report.lost_examples:
            lines.append(f"  ({t('an.lost_examples', lang)} {', '.join(report.lost_examples[:3])})")
    note = customer_column_note(dataset.raw.frame, dataset.mapping) if dataset.raw is not None else None
    if note is not None:
        lines.append(t(f"an.customer_{note[1]}", lang, chosen=dataset.mapping["customer"], other=note[0]))
    if segmentation.mostly_one_occasion:
        lines.append(t("an.one_occasion_warning", lang, share=fmt_pct(segmentation.one_occasion_share, lang)))
    return lines


def _example(example: str, lang: str) -> str:
    """`624: “abc”` (file line: quoted offending value) → `linha 624 “abc”`."""
    line, sep, value = example.partition(": ")
    if sep and line.isdigit():
        return f"{text('line', lang, line=line)} {value}"
    return example
