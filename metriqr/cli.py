"""Command line for scheduled, unattended runs: `python -m metriqr COMMAND DATA [options]`.

Commands: `segment` (the ten RFM segments), `migrate` (flows between segments from one date
to another), `recommend` (also-bought lists per product with --product, not-yet-bought
products per customer with --customer; metriqr.recommend) and `evaluate` (how well those
recommendations did on a time hold-out, against popularity; metriqr.recommend_eval).

One parent parser holds the data options every subcommand shares (DATA, --sheet,
--column) and another the language, so every subcommand reads data exactly as `segment`
does. Each subcommand is one function taking the parsed arguments and returning the exit
status; text reports are rendered from the same records `--json` prints.

Exit status: 0 done; 2 bad input (argparse usage errors, or any MetriqrError, whose
message goes to stderr in the chosen language); 1 unexpected error, reported in one
line — the traceback only with METRIQR_DEBUG=1, since cron mail is read by people.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metriqr.aggregates import customer_names
from metriqr.columns import ROLES, parse_column_options
from metriqr.errors import InputFileError, MetriqrError, OptionError
from metriqr.export import to_csv_bytes, xlsx_export
from metriqr.parsing import ORDERS
from metriqr.migration import NEW, Migration, migrate, readings
from metriqr.pipeline import Dataset, load_dataset
from metriqr.recommend import (BASES, MIN_TOGETHER, RECENT_DAYS, Purchases, also_bought, build_purchases,
                               recommend_for_customers)
from metriqr.recommend_eval import evaluate
from metriqr.report import customers_export, date_order_lines, money, summary_table, workbook_sheets
from metriqr.scoring import METHODS, RFMScorer
from metriqr.segmentation import Segmentation, segment_customers, segment_summary
from metriqr.segments import BY_KEY, source_label
from metriqr.texts import DEFAULT_LANG, LANGS, fmt_date, fmt_int, fmt_num, fmt_pct, t

PROG = "metriqr"
EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
DEBUG_ENV = "METRIQR_DEBUG"
CUSTOMER_FORMATS = (".csv", ".xlsx")
REPORT_FORMATS = (".xlsx",)
THRESHOLDS = ("first", "last", "each")
PRODUCT_TOP, CUSTOMER_TOP = 5, 10  # default list lengths of `recommend`



def _text(key: str, lang: str, **params: Any) -> str:
    """A command-line label from the shared catalogue (keys `cli.*`)."""
    return t(f"cli.{key}", lang, **params)


def _per_lang(key: str, **params: Any) -> dict[str, str]:
    """An error parameter in every language, so MetriqrError.message(lang) picks the right one."""
    return {lang: _text(key, lang, **params) for lang in LANGS}


# --- parsers ---------------------------------------------------------------------------

def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of days, got {value!r}")
    return number


def common_parent() -> argparse.ArgumentParser:
    """Options of every subcommand."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG,
                        help="language of messages and reports (default: %(default)s)")
    return parent


def data_parent() -> argparse.ArgumentParser:
    """How to read the transaction table: shared by every subcommand that reads data."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("data", metavar="DATA", help="transaction table: .xlsx (.xls, .ods), .csv/.txt or .parquet, optionally .gz")
    parent.add_argument("--sheet", metavar="NAME", help="worksheet of a workbook (default: the first one holding a table)")
    parent.add_argument("--column", metavar="ROLE=HEADER", action="append", default=[],
                        help=f"use column HEADER for ROLE, overriding detection; repeatable; "
                             f"roles: {', '.join(ROLES)}")
    parent.add_argument("--date-order", choices=ORDERS, default=None,
                        help="day/month order of dates such as 03/04/2025: dmy (3 April) or mdy (4 March); "
                             "default: decided from the values (day-first when they do not tell)")
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="MetriQR: customer RFM segmentation, migration between segments and product "
                               "recommendations from a transaction table.",
        epilog=f"Exit status: 0 ok, 2 bad input or usage, 1 internal error ({DEBUG_ENV}=1 shows the traceback).")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common, data = common_parent(), data_parent()

    segment = commands.add_parser(
        "segment", parents=[data, common], help="segment customers into the 10 RFM segments",
        description="Segment every identified customer into the 10 RFM segments and report the result.")
    segment.add_argument("--as-of", metavar="YYYY-MM-DD",
                         help="reference date; purchases on or after it are ignored (default: day after the last sale)")
    segment.add_argument("--window-days", metavar="N", type=_positive_int,
                         help="look back only N days before the reference date (default: all history)")
    segment.add_argument("--method", metavar="{" + ",".join(METHODS) + "}", default=METHODS[0],
                         help="scoring method (default: %(default)s)")
    segment.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    segment.add_argument("--customers-out", metavar="FILE", type=Path,
                         help="write one row per customer (.csv: comma, point decimal, UTF-8; or .xlsx)")
    segment.add_argument("--report-out", metavar="FILE.xlsx", type=Path,
                         help="write the workbook: a summary sheet and one sheet per segment")
    segment.set_defaults(handler=segment_command)

    migrate_ = commands.add_parser(
        "migrate", parents=[data, common], help="who moved between segments from one date to another",
        description="Segment customers at two dates (purchases before each date) and report the flows between segments.")
    migrate_.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", required=True, help="the earlier date")
    migrate_.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", required=True, help="the later date")
    migrate_.add_argument("--method", metavar="{" + ",".join(METHODS) + "}", default=METHODS[0],
                          help="scoring method (default: %(default)s)")
    migrate_.add_argument("--thresholds", choices=THRESHOLDS, default=THRESHOLDS[0],
                          help="score thresholds learned at the first date (default), the last, or at each date")
    migrate_.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    migrate_.add_argument("--flows-out", metavar="FILE", type=Path,
                          help="write one row per customer: customer, segment_from (key, empty if new), segment_to")
    migrate_.set_defaults(handler=migrate_command)

    recommend = commands.add_parser(
        "recommend", parents=[data, common], help="what else to offer: per product (--product) or per customer (--customer)",
        description="Customers who bought a product also bought… (--product), and products a customer has not "
                    "bought yet, each with the bought products it comes from (--customer). At least one of the "
                    "two, both allowed; needs a product column. Fees, postage and discounts are not products.")
    recommend.add_argument("--product", metavar="ID", action="append", default=[],
                           help="product code as in the data (e.g. 85123A); repeatable")
    recommend.add_argument("--customer", metavar="ID", action="append", default=[],
                           help="customer id as in the data (e.g. 17850); repeatable")
    recommend.add_argument("--top", metavar="N",
                           help=f"items per list (default: {PRODUCT_TOP} per product, {CUSTOMER_TOP} per customer)")
    recommend.add_argument("--basis", choices=BASES, default=BASES[0],
                           help="also-bought on the same order, or by the same customer at any time "
                                "(default: %(default)s)")
    recommend.add_argument("--min-together", metavar="N", default=str(MIN_TOGETHER),
                           help="an also-bought pair needs at least N orders (customers) in common "
                                "(default: %(default)s)")
    recommend.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    recommend.set_defaults(handler=recommend_command,
                           check=lambda args: _need_target(recommend, args))

    evaluate_ = commands.add_parser(
        "evaluate", parents=[data, common], help="how good the recommendations are: a time hold-out vs popularity",
        description="Learn from the purchases before a cut-off date, test on the purchases after it: how often "
                    "customers bought one of their top-K recommendations, against suggesting the best-sellers.")
    evaluate_.add_argument("--cutoff", metavar="YYYY-MM-DD",
                           help="train before it, test from it to the last sale (default: about 3 months before "
                                "the last sale, never before the middle of the history)")
    evaluate_.add_argument("--k", metavar="N", default="10", help="recommendations per customer (default: %(default)s)")
    evaluate_.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    evaluate_.set_defaults(handler=evaluate_command)
    return parser


def _need_target(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """`recommend` needs something to recommend for: a usage error (status 2) otherwise."""
    if not args.product and not args.customer:
        parser.error(_text("rec_need_target", args.lang))


LOCAL_MAX_BYTES = 16 * 1024**3


# --- shared steps ----------------------------------------------------------------------

def load_data(data: str, *, sheet: str | None, columns: Sequence[str], date_order: str | None = None) -> Dataset:
    """Read and clean DATA; options are checked before the (possibly long) read."""
    overrides = parse_column_options(columns)
    path = Path(data)
    if not path.exists():
        raise InputFileError("file_not_found", name=data)
    if path.is_dir():
        raise InputFileError("not_a_spreadsheet", name=data, detail=_per_lang("is_folder"))
    # A local file on the operator's own machine: the browser upload limit does not apply.
    return load_dataset(path, name=path.name, sheet=sheet, overrides=overrides, date_order=date_order,
                        max_bytes=LOCAL_MAX_BYTES)


def parse_as_of(value: str | None) -> pd.Timestamp | None:
    """Strict YYYY-MM-DD: an unattended run must not guess between 03/04 and 04/03."""
    if value is None:
        return None
    try:
        return pd.Timestamp(datetime.strptime(value.strip(), "%Y-%m-%d"))
    except ValueError:
        raise OptionError("bad_date", value=value) from None


def check_output(path: Path | None, *, suffixes: Sequence[str], data: str) -> None:
    """Refuse an output path before the analysis runs rather than after."""
    if path is None:
        return
    detail = None
    folder = path.parent
    if path.suffix.lower() not in suffixes:
        detail = _per_lang("bad_suffix", suffixes=" / ".join(suffixes))
    elif not folder.is_dir():
        detail = _per_lang("folder_missing", folder=str(folder))
    elif not os.access(folder, os.W_OK):
        detail = _per_lang("folder_readonly", folder=str(folder))
    elif path.is_dir():
        detail = _per_lang("is_folder")
    elif Path(data).exists() and path.exists() and path.samefile(data):
        detail = _per_lang("is_input")
    if detail is not None:
        raise OptionError("cannot_write", name=str(path), detail=detail)


def write_output(path: Path, content: bytes) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 would surprise whoever reads the file
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise OptionError("cannot_write", name=str(path), detail=error.strerror or str(error)) from None


def _number(value: object, digits: int) -> float | None:
    """JSON-safe rounded float: NaN (an empty segment's average) becomes null, -0.0 becomes 0.0."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return round(float(value), digits) + 0.0


# --- segment ---------------------------------------------------------------------------

def segmentation_record(segmentation: Segmentation, dataset: Dataset, *, lang: str) -> dict[str, Any]:
    """The `--json` object: plain numbers, all ten segments in rank order, null for empty averages."""
    summary = segment_summary(segmentation)
    segments = [{"key": key, "label": BY_KEY[key].label(lang), "customers": int(row["customers"]),
                 "share": _number(row["share"], 4), "avg_monetary": _number(row["avg_monetary"], 2),
                 "avg_recency_days": _number(row["avg_recency_days"], 1),
                 "avg_frequency": _number(row["avg_frequency"], 2),
                 "revenue_share": _number(row["revenue_share"], 4)}
                for key, row in summary.iterrows()]
    report = dataset.cleaned.report
    thresholds = {measure: [_number(v, 2) for v in edges]
                  for measure, edges in segmentation.scorer.edges_.items()}
    return {"as_of": segmentation.as_of.strftime("%Y-%m-%d"), "window_days": segmentation.window_days,
            "method": segmentation.scorer.method, "monetary_basis": report.monetary_basis,
            "rows": report.as_dict(), "dates": report.dates_dict(), "customers": int(len(segmentation.customers)),
            "thresholds": thresholds, "segments": segments}


def segmentation_text(segmentation: Segmentation, dataset: Dataset, *, lang: str) -> str:
    """The readable report: what was read and dropped (with examples), headline figures, the table."""
    report = dataset.cleaned.report
    basis = report.monetary_basis
    window = _text("window_all", lang) if not segmentation.window_days else \
        _text("window_days", lang, days=fmt_int(segmentation.window_days, lang))
    lines = [
        _text("title", lang), "",
        f"{_text('as_of', lang)}: {fmt_date(segmentation.as_of, lang)}",
        f"{_text('period', lang)}: {fmt_date(segmentation.first_date, lang)} {_text('to', lang)} "
        f"{fmt_date(segmentation.last_date, lang)}",
        f"{_text('window', lang)}: {window}",
        f"{_text('method', lang)}: {segmentation.scorer.method}",
        f"{_text('thresholds', lang)}:",
    ]
    for measure, edges in segmentation.scorer.edges_.items():
        digits = 2 if measure == "monetary" else 0
        values = " | ".join(fmt_num(v, lang, digits) for v in edges) or "–"
        lines.append(f"  {_text(measure, lang)}: {values}")
    lines += [
        "",
        f"{_text('rows_read', lang)}: {fmt_int(report.rows_read, lang)}",
        f"{_text('rows_used', lang)}: {fmt_int(report.rows_used, lang)}, "
        f"{_text('returns', lang, n=fmt_int(report.returns, lang))}",
        f"{_text('rows_excluded', lang)}: {fmt_int(report.rows_excluded, lang)}",
    ]
    lines += date_order_lines(report, lang, how_to_switch=t("dates.cli_option", lang))
    for reason, count in report.excluded.items():
        examples = [_example(example, lang) for example in report.examples.get(reason, ())[:3]]
        shown = f" ({_text('examples', lang)} {'; '.join(examples)})" if examples else ""
        lines.append(f"  {t('reason.' + reason, lang)}: {fmt_int(count, lang)}{shown}")
    lines += [
        "",
        f"{_text('customers', lang)}: {fmt_int(len(segmentation.customers), lang)}",
        f"{_text('occasions', lang)}: {fmt_int(segmentation.occasions, lang)}",
        f"{_text('revenue', lang)}: {money(segmentation.revenue, lang, basis)}",
        "",
        summary_table(segmentation, lang, basis=basis).to_string(index=False),
    ]
    return "\n".join(lines)


def _xlsx(sheets: dict[str, pd.DataFrame], lang: str) -> bytes:
    """Workbook bytes; when control characters had to be replaced, the user is told on stderr."""
    content, cleaned = xlsx_export(sheets)
    if cleaned:
        print(f"{PROG}: {t('export.control_cleaned', lang, n=fmt_int(cleaned, lang))}", file=sys.stderr)
    return content


def _example(example: str, lang: str) -> str:
    """`624: “abc”` (file line: quoted offending value) → `linha 624 “abc”`."""
    line, sep, value = example.partition(": ")
    if sep and line.isdigit():
        return f"{_text('line', lang, line=line)} {value}"
    return example


def customers_file(segmentation: Segmentation, *, path: Path, lang: str = DEFAULT_LANG) -> bytes:
    """The per-customer list for other programs: contract columns, money to the cent, CSV or XLSX by suffix."""
    frame = customers_export(segmentation)
    frame["monetary"] = frame["monetary"].round(2) + 0.0  # no 0.30000000000000004, no -0.0
    if path.suffix.lower() == ".xlsx":
        return _xlsx({"customers": frame}, lang)
    # Machine-readable and locale-independent whatever --lang says: comma, point decimal, no BOM.
    return to_csv_bytes(frame, lang="en", bom=False)


def segment_command(args: argparse.Namespace) -> int:
    """`segment`: validate every option, read, segment, then print and write the outputs."""
    lang = args.lang
    as_of = parse_as_of(args.as_of)
    RFMScorer(method=args.method)  # an unknown method fails now, not after the read
    check_output(args.customers_out, suffixes=CUSTOMER_FORMATS, data=args.data)
    check_output(args.report_out, suffixes=REPORT_FORMATS, data=args.data)
    if args.customers_out is not None and args.report_out is not None and \
            args.customers_out.resolve() == args.report_out.resolve():
        raise OptionError("cannot_write", name=str(args.report_out), detail=_per_lang("same_output"))

    dataset = load_data(args.data, sheet=args.sheet, columns=args.column, date_order=args.date_order)
    segmentation = segment_customers(dataset.cleaned.transactions, as_of=as_of, window_days=args.window_days,
                                     method=args.method)
    basis = dataset.cleaned.report.monetary_basis
    outputs: list[tuple[Path, bytes]] = []  # all built before any is written: no half-updated set
    if args.customers_out is not None:
        outputs.append((args.customers_out, customers_file(segmentation, path=args.customers_out, lang=lang)))
    if args.report_out is not None:
        names = customer_names(dataset.cleaned.transactions)  # as the app's download: names help campaigns
        outputs.append((args.report_out, _xlsx(workbook_sheets(segmentation, lang, basis=basis, names=names),
                                               lang)))
    for path, content in outputs:
        write_output(path, content)

    if args.json:
        record = segmentation_record(segmentation, dataset, lang=lang)
        print(json.dumps(record, ensure_ascii=True, allow_nan=False))  # ASCII: safe under any locale
    else:
        print(segmentation_text(segmentation, dataset, lang=lang))
    return EXIT_OK


# --- migrate ---------------------------------------------------------------------------

def migration_text(migration: Migration, *, lang: str) -> str:
    """The readable report: the two dates, how many progressed or regressed, top flows, per segment, readings."""
    totals, shares = migration.totals(), migration.shares()
    lines = [_text("mig_title", lang),
             f"{fmt_date(migration.date_from, lang)} → {fmt_date(migration.date_to, lang)}", ""]
    for kind in ("progressed", "regressed", "stayed"):
        lines.append(f"{t('mig.kind.' + kind, lang)}: {fmt_int(totals[kind], lang)} ({fmt_pct(shares[kind], lang)})")
    lines += [f"{source_label(NEW, lang)}: {fmt_int(totals['entered'], lang)}", "", _text("mig_top", lang)]
    for row in migration.top_flows(10).itertuples(index=False):
        lines.append(f"  {source_label(row.source, lang)} → {source_label(row.target, lang)}: "
                     f"{fmt_int(row.customers, lang)} ({fmt_pct(row.share, lang)})")
    changes = migration.segment_changes()
    changes.index = [source_label(k, lang) for k in changes.index]
    changes.columns = [t(f"migui.col_{c}", lang) for c in changes.columns]
    lines += ["", changes.to_string(), ""]
    lines += [note["text"] for note in readings(migration, lang)[:6]]
    return "\n".join(lines)


def flows_file(migration: Migration, *, path: Path, lang: str = DEFAULT_LANG) -> bytes:
    frame = migration.customer_flows()
    if path.suffix.lower() == ".xlsx":
        return _xlsx({"flows": frame}, lang)
    return to_csv_bytes(frame, lang="en", bom=False)


def migrate_command(args: argparse.Namespace) -> int:
    """`migrate`: two dates in, the flows between segments out (JSON, text, per-customer file)."""
    date_from, date_to = parse_as_of(args.date_from), parse_as_of(args.date_to)
    RFMScorer(method=args.method)
    check_output(args.flows_out, suffixes=CUSTOMER_FORMATS, data=args.data)
    dataset = load_data(args.data, sheet=args.sheet, columns=args.column, date_order=args.date_order)
    migration = migrate(dataset.cleaned.transactions, date_from=date_from, date_to=date_to, method=args.method,
                        refit=args.thresholds == "each", baseline=date_to if args.thresholds == "last" else None)
    if args.flows_out is not None:
        write_output(args.flows_out, flows_file(migration, path=args.flows_out, lang=args.lang))
    if args.json:
        print(json.dumps(migration.to_json_dict(), ensure_ascii=True, allow_nan=False))
    else:
        print(migration_text(migration, lang=args.lang))
    return EXIT_OK


# --- recommend -------------------------------------------------------------------------

def _count(value: str | int | None, *, default: int, key: str) -> int:
    """A whole number ≥ 1 given on the command line; otherwise the library's message under `key`."""
    if value is None:
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise OptionError(key, value=str(value)) from None
    if number < 1:
        raise OptionError(key, value=str(value))
    return number


def _unique(values: Sequence[str]) -> list[str]:
    """The ids in the order given, each once (`--product A --product A` asks once)."""
    return list(dict.fromkeys(values))


def _unit(purchases: Purchases, basis: str, lang: str) -> str:
    """What `together` counts: orders, customer-days (no order column) or customers."""
    if basis == "customer":
        return _text("unit_customers", lang)
    return _text("unit_orders" if purchases.has_orders else "unit_days", lang)


def also_bought_record(purchases: Purchases, product: str, *, top: int, basis: str,
                       min_together: int) -> dict[str, Any]:
    """One product's also-bought list, JSON-ready (confidence 4 decimals, lift 3)."""
    i = purchases.product_index(product)
    table = also_bought(purchases, product, top=top, basis=basis, min_together=min_together)
    items = [{"product": str(row.product), "name": str(row.name), "together": int(row.together),
              "confidence": _number(row.confidence, 4), "lift": _number(row.lift, 3)}
             for row in table.itertuples(index=False)]
    return {"product": str(purchases.products[i]), "name": str(purchases.names[i]), "also_bought": items}


def customer_records(purchases: Purchases, customers: Sequence[str], *, top: int,
                     segments: pd.Series) -> list[dict[str, Any]]:
    """Each customer's not-yet-bought products with their reasons, JSON-ready (score 4 decimals)."""
    table = recommend_for_customers(purchases, customers, top=top, segments=segments)
    lists: dict[str, list[dict[str, Any]]] = {str(c): [] for c in customers}
    for row in table.itertuples(index=False):
        lists[str(row.customer)].append({"product": str(row.product), "name": str(row.name),
                                         "score": _number(row.score, 4),
                                         "because": [str(code) for code in row.because],
                                         "source": str(row.source)})
    records = []
    for customer in customers:
        segment = segments.get(str(customer))
        records.append({"customer": str(customer), "segment": None if pd.isna(segment) else str(segment),
                        "recommendations": lists[str(customer)]})
    return records


def _names(names: Sequence[str], lang: str) -> str:
    """`A`, `A e B`, `A, B e C`."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {_text('and', lang)} {names[-1]}"


def _label(code: str, name: str) -> str:
    """`Café (CAF01)`; the code alone when the data has no name column (the name is then the code)."""
    return code if not name or name == code else f"{name} ({code})"


def _left(header: str, values: list[str]) -> dict[str, list[str]]:
    """A text column left-aligned in DataFrame.to_string (which right-aligns everything)."""
    width = max([len(header), *map(len, values)])
    return {header.ljust(width): [value.ljust(width) for value in values]}


def also_bought_text(record: dict[str, Any], purchases: Purchases, *, basis: str, min_together: int,
                     lang: str) -> list[str]:
    """The also-bought table of one product, with what `together` counts and how to read it."""
    together = purchases.together_order if basis == "order" else purchases.together_customer
    i = purchases.product_index(record["product"])
    unit = _unit(purchases, basis, lang)
    lines = [_text("also_title", lang, product=_label(record["product"], record["name"])),
             "  " + _text("also_basis", lang, n=fmt_int(together[i, i], lang), unit=unit,
                          min=fmt_int(min_together, lang))]
    if not record["also_bought"]:
        return lines + ["  " + _text("also_none", lang, min=fmt_int(min_together, lang), unit=unit)]
    frame = pd.DataFrame({
        _text("col_rank", lang): range(1, len(record["also_bought"]) + 1),
        **_left(_text("col_code", lang), [item["product"] for item in record["also_bought"]]),
        **_left(_text("col_product", lang), [item["name"] for item in record["also_bought"]]),
        _text("col_together", lang): [fmt_int(item["together"], lang) for item in record["also_bought"]],
        _text("col_confidence", lang): [fmt_pct(item["confidence"], lang) for item in record["also_bought"]],
        _text("col_lift", lang): [fmt_num(item["lift"], lang, 2) for item in record["also_bought"]],
    })
    table = frame.to_string(index=False)
    return lines + ["", *("  " + line for line in table.splitlines()), "",
                    "  " + _text("also_help", lang, unit=unit)]


def customer_text(record: dict[str, Any], purchases: Purchases, *, names: pd.Series | None,
                  lang: str) -> list[str]:
    """One customer's suggestions, each with “because they bought …” (names and codes) or its fallback."""
    customer = record["customer"]
    name = names.get(customer) if names is not None else None
    shown_name = f" ({name})" if isinstance(name, str) and name.strip() else ""
    segment = BY_KEY[record["segment"]].label(lang) if record["segment"] in BY_KEY else _text("no_segment", lang)
    bought = purchases.history.indptr
    i = purchases.customer_index(customer)
    lines = [_text("cust_title", lang, customer=customer, name=shown_name, segment=segment),
             "  " + (_text("cust_bought", lang, n=fmt_int(bought[i + 1] - bought[i], lang))
                     if bought[i + 1] - bought[i] != 1 else _text("cust_bought_one", lang))]
    if not record["recommendations"]:
        return lines + ["  " + _text("cust_none", lang)]
    for rank, item in enumerate(record["recommendations"], start=1):
        if item["because"]:
            why = _text("because", lang, names=_names(
                [_label(code, str(purchases.names[purchases.product_index(code)])) for code in item["because"]],
                lang))
            why += f"; {_text('score', lang)} {fmt_num(item['score'], lang, 3)}"
        elif record["segment"] in BY_KEY:
            why = _text("popular_segment", lang, segment=segment, days=RECENT_DAYS)
        else:
            why = _text("popular_all", lang, days=RECENT_DAYS)
        lines.append(f"  {rank:>2}. {_label(item['product'], item['name'])}")
        lines.append(f"      {why}")
    return lines


def recommend_command(args: argparse.Namespace) -> int:
    """`recommend`: also-bought lists for --product, not-yet-bought products for --customer."""
    lang = args.lang
    products, customers = _unique(args.product), _unique(args.customer)
    product_top = _count(args.top, default=PRODUCT_TOP, key="bad_top")
    customer_top = _count(args.top, default=CUSTOMER_TOP, key="bad_top")
    min_together = _count(args.min_together, default=MIN_TOGETHER, key="bad_min_together")
    dataset = load_data(args.data, sheet=args.sheet, columns=args.column, date_order=args.date_order)
    transactions = dataset.cleaned.transactions
    purchases = build_purchases(transactions)
    for product in products:  # every id checked before any list is computed or printed
        purchases.product_index(product)
    for customer in customers:
        purchases.customer_index(customer)

    record: dict[str, Any] = {}
    if products:
        record["products"] = [also_bought_record(purchases, product, top=product_top, basis=args.basis,
                                                 min_together=min_together) for product in products]
    if customers:
        segments = segment_customers(transactions).customers["segment"].astype(str)
        segments.index = segments.index.astype(str)
        record["customers"] = customer_records(purchases, customers, top=customer_top, segments=segments)

    if args.json:
        print(json.dumps(record, ensure_ascii=True, allow_nan=False))
        return EXIT_OK
    lines = [_text("rec_title", lang)]
    for item in record.get("products", []):
        lines += ["", *also_bought_text(item, purchases, basis=args.basis, min_together=min_together, lang=lang)]
    names = customer_names(transactions) if customers else None
    if names is not None:
        names.index = names.index.astype(str)
    for item in record.get("customers", []):
        lines += ["", *customer_text(item, purchases, names=names, lang=lang)]
    print("\n".join(lines))
    return EXIT_OK


# --- evaluate --------------------------------------------------------------------------

def _json_safe(value: Any) -> Any:
    """NaN (a figure with no case to measure) → null, numpy scalars → plain numbers, recursively."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    return value


TIE_MARGIN = 0.01  # hit rates closer than this are reported as a tie


def _hit_share(rate: float, customers: int) -> float:
    """Undo evaluate()'s 4-decimal rounding of a share of customers, so 0.5365 of 1,875 reads 53,7% (1,006)."""
    if 0 < customers < 5000:  # the rounding error × customers stays below half a customer
        return round(rate * customers) / customers
    return rate


def evaluation_text(record: dict[str, Any], *, lang: str) -> str:
    """Plain sentences from the `evaluate --json` record, saying so when popularity wins."""
    cutoff, end = pd.Timestamp(record["cutoff"]), pd.Timestamp(record["test_end"])
    k, n = record["k"], record["customers_evaluated"]
    popularity = record["popularity"]
    model = _hit_share(record["hit_rate"], n)
    lines = [_text("eval_title", lang), "",
             _text("eval_split", lang, cutoff=fmt_date(cutoff, lang), end=fmt_date(end, lang)),
             _text("eval_who", lang), "",
             _text("eval_hit", lang, hit=fmt_pct(model, lang), n=fmt_int(record["customers_evaluated"], lang),
                   k=fmt_int(k, lang), cutoff=fmt_date(cutoff, lang),
                   pop=fmt_pct(_hit_share(popularity["hit_rate"], n), lang))]
    baselines = [_hit_share(popularity["hit_rate"], n)]
    recent = record.get("recent_popularity")
    if recent and recent.get("hit_rate") is not None:
        baselines.append(_hit_share(recent["hit_rate"], n))
        lines.append(_text("eval_recent", lang, days=recent["days"], rate=fmt_pct(baselines[-1], lang)))
    lines.append(_text("eval_precision", lang, precision=fmt_pct(record["precision"], lang), k=fmt_int(k, lang),
                       pop=fmt_pct(popularity["precision"], lang), recall=fmt_pct(record["recall"], lang),
                       pop_recall=fmt_pct(popularity["recall"], lang)))
    best = max(baselines)
    if model - best >= TIE_MARGIN:
        lines += ["", _text("eval_win", lang, diff=fmt_num(100 * (model - best), lang, 1))]
    elif best - model >= TIE_MARGIN:
        lines += ["", _text("eval_lose", lang, best=fmt_pct(best, lang), model=fmt_pct(model, lang))]
    else:
        lines += ["", _text("eval_tie", lang, best=fmt_pct(best, lang), model=fmt_pct(model, lang))]
    also = record.get("also_bought")
    if also and also.get("hit_rate") is not None and also.get("products_in_baskets"):
        lines += ["", _text("eval_also", lang, hit=fmt_pct(also["hit_rate"], lang),
                            n=fmt_int(also["products_in_baskets"], lang), k=fmt_int(also["k"], lang),
                            pop=fmt_pct(also["popularity_hit_rate"], lang))]
    return "\n".join(lines)


def evaluate_command(args: argparse.Namespace) -> int:
    """`evaluate`: the time hold-out of metriqr.recommend_eval, as JSON or sentences."""
    cutoff = parse_as_of(args.cutoff)
    k = _count(args.k, default=10, key="bad_top")
    dataset = load_data(args.data, sheet=args.sheet, columns=args.column, date_order=args.date_order)
    record = _json_safe(evaluate(dataset.cleaned.transactions, cutoff=cutoff, k=k))
    if args.json:
        print(json.dumps(record, ensure_ascii=True, allow_nan=False))
    else:
        print(evaluation_text(record, lang=args.lang))
    return EXIT_OK


# --- entry point -----------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run one subcommand, and turn every failure into an exit status and a short message."""
    try:
        args = build_parser().parse_args(argv)
        if getattr(args, "check", None) is not None:
            args.check(args)  # checks argparse cannot express, reported as usage errors
    except SystemExit as exit_:  # argparse has printed usage (status 2) or help (status 0)
        return exit_.code if isinstance(exit_.code, int) else EXIT_BAD_INPUT
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")  # a cron job's ASCII locale must not crash the report
    try:
        return args.handler(args)
    except BrokenPipeError:  # `metriqr segment … | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INTERNAL
    except MetriqrError as error:
        print(f"{PROG}: {error.message(args.lang)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 — the one boundary that turns bugs into a status
        if os.environ.get(DEBUG_ENV) == "1":
            traceback.print_exc()
        print(f"{PROG}: internal error: {type(error).__name__}: {error}; please report "
              f"(run with {DEBUG_ENV}=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL
