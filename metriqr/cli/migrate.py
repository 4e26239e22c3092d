"""`metriqr migrate DATA --from D1 --to D2`: who moved between segments from one date to another.

pandas and the analysis are imported inside the functions (see metriqr.cli.common).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from metriqr.cli.common import (CUSTOMER_FORMATS, add_json, add_method, check_data, choice_option, count_option,
                                data_parent, date_option, engine_option, lang_parent, load_data, method_option,
                                output_option, print_json, table_file, text, write_output)

if TYPE_CHECKING:
    from metriqr.migration import Migration

NAME = "migrate"
THRESHOLDS = ("first", "last", "each")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME, parents=[data_parent(), lang_parent()], help="who moved between segments from one date to another",
        description="Segment customers at two dates (purchases before each date) and report the flows between segments.")
    parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="the earlier date")
    parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="the later date")
    parser.add_argument("--from-run", metavar="ID", help="with --workspace: the earlier saved segmentation (see `runs`)")
    parser.add_argument("--to-run", metavar="ID", help="with --workspace: the later saved segmentation")
    add_method(parser)
    parser.add_argument("--thresholds", metavar="{" + ",".join(THRESHOLDS) + "}", default=THRESHOLDS[0],
                        help="score thresholds learned at the first date (default), the last, or at each date")
    add_json(parser)
    parser.add_argument("--flows-out", metavar="FILE", type=Path,
                        help="write one row per customer: customer, segment_from (key, empty if new), segment_to")
    parser.set_defaults(check=lambda args: _check(parser, args))
    return parser


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Two dates (on DATA or a workspace) or two saved runs (on a workspace): the command's shape."""
    runs, dates = (args.from_run, args.to_run), (args.date_from, args.date_to)
    if all(runs) and not any(dates) and args.workspace and args.data is None:
        return
    if not (all(dates) and not any(runs)):
        parser.error(text("migrate_dates_or_runs", args.lang))
    check_data(parser, args)


def run(args: argparse.Namespace) -> int:
    """Two dates in, the flows between segments out (JSON, text, per-customer file)."""
    from metriqr.migration import migrate
    from metriqr.records import migration_record

    runs = (args.from_run, args.to_run)
    method = method_option(args.method)
    thresholds = choice_option(args.thresholds, THRESHOLDS, key="bad_thresholds")
    flows_out = output_option(args.flows_out, suffixes=CUSTOMER_FORMATS, data=args.data)
    if all(runs):  # as they were saved: each run with its own thresholds and segments
        from metriqr import workspace as store
        from metriqr.migration import compare_segmentations

        run_from, run_to = (count_option(run, default=None, key="bad_run") for run in runs)
        workspace = store.open_workspace(args.workspace)
        migration = compare_segmentations(store.saved_segmentation(workspace, run_from),
                                          store.saved_segmentation(workspace, run_to))
    else:
        date_from, date_to = date_option(args.date_from), date_option(args.date_to)
        dataset = load_data(args.data, sheet=args.sheet, columns=args.column, workspace=args.workspace,
                            date_order=args.date_order, engine=engine_option(args), spark_master=args.spark_master)
        migration = migrate(dataset.lines_or_ledger, date_from=date_from, date_to=date_to, method=method,
                            refit=thresholds == "each", baseline=date_to if thresholds == "last" else None)
    if flows_out is not None:
        write_output(flows_out, table_file(migration.customer_flows(), path=flows_out, sheet="flows", lang=args.lang))
    if args.json:
        print_json(migration_record(migration))
    else:
        from metriqr.cli.segment import data_currency

        money = {"currency": data_currency(dataset), "basis": dataset.cleaned.report.monetary_basis} \
            if not all(runs) else {}
        print(migration_text(migration, lang=args.lang, **money))
    return 0


def migration_text(migration: Migration, *, lang: str, currency: str | None = None, basis: str = "amount") -> str:
    """The readable report: the two dates, how many progressed or regressed, top flows, per segment, readings."""
    from metriqr.migration import NEW
    from metriqr.report import migration_readings
    from metriqr.segments import source_label
    from metriqr.texts import fmt_date, fmt_int, fmt_pct, t

    totals, shares = migration.totals(), migration.shares()
    lines = [text("mig_title", lang),
             f"{fmt_date(migration.date_from, lang)} → {fmt_date(migration.date_to, lang)}", ""]
    for kind in ("progressed", "regressed", "stayed"):
        lines.append(f"{t('mig.kind.' + kind, lang)}: {fmt_int(totals[kind], lang)} ({fmt_pct(shares[kind], lang)})")
    lines += [f"{source_label(NEW, lang)}: {fmt_int(totals['entered'], lang)}", "", text("mig_top", lang)]
    for row in migration.top_flows(10).itertuples(index=False):
        lines.append(f"  {source_label(row.source, lang)} → {source_label(row.target, lang)}: "
                     f"{fmt_int(row.customers, lang)} ({fmt_pct(row.share, lang)})")
    changes = migration.segment_changes()
    changes.index = [source_label(k, lang) for k in changes.index]
    changes.columns = [t(f"migui.col_{c}", lang) for c in changes.columns]
    lines += ["", changes.to_string(), ""]
    lines += [note["text"] for note in migration_readings(migration, lang, currency=currency, basis=basis)[:6]]
    return "\n".join(lines)
