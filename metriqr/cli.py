"""Command line for scheduled, unattended runs: `python -m metriqr segment|migrate DATA [options]`.

One parent parser holds the data options every subcommand shares (DATA, --sheet,
--column) and another the language, so the coming `migrate`, `recommend` and `evaluate`
read data exactly as `segment` does. Each subcommand is one function taking the parsed
arguments and returning the exit status.

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

import pandas as pd

from metriqr.aggregates import customer_names
from metriqr.columns import ROLES, parse_column_options
from metriqr.errors import InputFileError, MetriqrError, OptionError
from metriqr.export import to_csv_bytes, to_xlsx_bytes
from metriqr.migration import NEW, Migration, migrate, readings
from metriqr.pipeline import Dataset, load_dataset
from metriqr.report import customers_export, money, summary_table, workbook_sheets
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

# Labels only the text report uses (the shared catalogue in metriqr.texts has the tables' headers).
_TEXT: dict[str, dict[str, str]] = {
    "title": {"pt": "MetriQR — segmentação RFM", "en": "MetriQR — RFM segmentation"},
    "as_of": {"pt": "Data de referência", "en": "Reference date"},
    "period": {"pt": "Período das compras", "en": "Purchase period"},
    "to": {"pt": "a", "en": "to"},
    "window": {"pt": "Janela", "en": "Window"},
    "window_all": {"pt": "todo o histórico", "en": "all history"},
    "window_days": {"pt": "últimos {days} dias", "en": "last {days} days"},
    "method": {"pt": "Método de pontuação", "en": "Scoring method"},
    "thresholds": {"pt": "Limiares (nota sobe quando o valor passa do limiar)",
                   "en": "Thresholds (the score goes up when a value exceeds a threshold)"},
    "recency_days": {"pt": "recência (dias)", "en": "recency (days)"},
    "frequency": {"pt": "frequência", "en": "frequency"},
    "monetary": {"pt": "valor", "en": "monetary"},
    "rows_read": {"pt": "Linhas lidas", "en": "Rows read"},
    "rows_used": {"pt": "Linhas usadas", "en": "Rows used"},
    "returns": {"pt": "das quais {n} devoluções: abatem o valor gasto, não contam como compra",
                "en": "of which {n} returns: they reduce spend and are not counted as purchases"},
    "rows_excluded": {"pt": "Linhas excluídas", "en": "Rows excluded"},
    "examples": {"pt": "ex.", "en": "e.g."},
    "line": {"pt": "linha {line}", "en": "line {line}"},
    "customers": {"pt": "Clientes identificados", "en": "Customers identified"},
    "occasions": {"pt": "Compras (ocasiões)", "en": "Purchases (occasions)"},
    "revenue": {"pt": "Receita líquida", "en": "Net revenue"},
    "mig_title": {"pt": "MetriQR — migração entre segmentos", "en": "MetriQR — migration between segments"},
    "mig_top": {"pt": "Maiores movimentos:", "en": "Largest moves:"},
    "folder_missing": {"pt": "a pasta “{folder}” não existe", "en": "the folder “{folder}” does not exist"},
    "folder_readonly": {"pt": "sem permissão de escrita na pasta “{folder}”",
                        "en": "no permission to write in the folder “{folder}”"},
    "bad_suffix": {"pt": "use a extensão {suffixes}", "en": "use the extension {suffixes}"},
    "is_input": {"pt": "é o próprio arquivo de dados", "en": "it is the input data file"},
    "is_folder": {"pt": "é uma pasta", "en": "it is a folder"},
    "same_output": {"pt": "o mesmo arquivo foi dado a --customers-out e --report-out",
                    "en": "the same file was given to --customers-out and --report-out"},
}


def _text(key: str, lang: str, **params: Any) -> str:
    entry = _TEXT[key]
    return (entry.get(lang) or entry[DEFAULT_LANG]).format(**params)


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
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="MetriQR: customer RFM segmentation from a transaction table.",
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
    return parser


LOCAL_MAX_BYTES = 16 * 1024**3


# --- shared steps ----------------------------------------------------------------------

def load_data(data: str, *, sheet: str | None, columns: Sequence[str]) -> Dataset:
    """Read and clean DATA; options are checked before the (possibly long) read."""
    overrides = parse_column_options(columns)
    path = Path(data)
    if not path.exists():
        raise InputFileError("file_not_found", name=data)
    if path.is_dir():
        raise InputFileError("not_a_spreadsheet", name=data, detail=_per_lang("is_folder"))
    # A local file on the operator's own machine: the browser upload limit does not apply.
    return load_dataset(path, name=path.name, sheet=sheet, overrides=overrides, max_bytes=LOCAL_MAX_BYTES)


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
            "rows": report.as_dict(), "customers": int(len(segmentation.customers)),
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


def _example(example: str, lang: str) -> str:
    """`624: “abc”` (file line: quoted offending value) → `linha 624 “abc”`."""
    line, sep, value = example.partition(": ")
    if sep and line.isdigit():
        return f"{_text('line', lang, line=line)} {value}"
    return example


def customers_file(segmentation: Segmentation, *, path: Path) -> bytes:
    """The per-customer list for other programs: contract columns, money to the cent, CSV or XLSX by suffix."""
    frame = customers_export(segmentation)
    frame["monetary"] = frame["monetary"].round(2) + 0.0  # no 0.30000000000000004, no -0.0
    if path.suffix.lower() == ".xlsx":
        return to_xlsx_bytes({"customers": frame})
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

    dataset = load_data(args.data, sheet=args.sheet, columns=args.column)
    segmentation = segment_customers(dataset.cleaned.transactions, as_of=as_of, window_days=args.window_days,
                                     method=args.method)
    basis = dataset.cleaned.report.monetary_basis
    outputs: list[tuple[Path, bytes]] = []  # all built before any is written: no half-updated set
    if args.customers_out is not None:
        outputs.append((args.customers_out, customers_file(segmentation, path=args.customers_out)))
    if args.report_out is not None:
        names = customer_names(dataset.cleaned.transactions)  # as the app's download: names help campaigns
        outputs.append((args.report_out, to_xlsx_bytes(workbook_sheets(segmentation, lang, basis=basis,
                                                                       names=names))))
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


def flows_file(migration: Migration, *, path: Path) -> bytes:
    frame = migration.customer_flows()
    if path.suffix.lower() == ".xlsx":
        return to_xlsx_bytes({"flows": frame})
    return to_csv_bytes(frame, lang="en", bom=False)


def migrate_command(args: argparse.Namespace) -> int:
    """`migrate`: two dates in, the flows between segments out (JSON, text, per-customer file)."""
    date_from, date_to = parse_as_of(args.date_from), parse_as_of(args.date_to)
    RFMScorer(method=args.method)
    check_output(args.flows_out, suffixes=CUSTOMER_FORMATS, data=args.data)
    dataset = load_data(args.data, sheet=args.sheet, columns=args.column)
    migration = migrate(dataset.cleaned.transactions, date_from=date_from, date_to=date_to, method=args.method,
                        refit=args.thresholds == "each", baseline=date_to if args.thresholds == "last" else None)
    if args.flows_out is not None:
        write_output(args.flows_out, flows_file(migration, path=args.flows_out))
    if args.json:
        print(json.dumps(migration.to_json_dict(), ensure_ascii=True, allow_nan=False))
    else:
        print(migration_text(migration, lang=args.lang))
    return EXIT_OK


# --- entry point -----------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run one subcommand, and turn every failure into an exit status and a short message."""
    try:
        args = build_parser().parse_args(argv)
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
