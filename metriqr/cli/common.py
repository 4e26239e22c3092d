"""What every command shares: the parser's data and language options, option checks, reading DATA, writing outputs.

Two kinds of mistakes, each handled one way:
- the shape of the command line (an unknown option, a missing argument, a language that is not pt or en)
  is argparse's: usage and status 2, in English, since the language itself may be what is wrong;
- a value (a date, a count, a method, an output path) is checked here, before the possibly long read, and
  refused with an `OptionError` whose message is in the user's language (status 2 too).

Nothing heavy is imported at module level: the parser, and so `--help`, must start in well under a second.
pandas and the analysis are imported inside the functions that need them.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metriqr.errors import InputFileError, OptionError

if TYPE_CHECKING:
    import pandas as pd

    from metriqr.pipeline import Dataset

# The library's vocabularies, repeated here so that building the parser imports neither pandas nor the
# analysis; tests/test_cli.py checks that each equals its source (texts, columns, scoring, recommend).
LANGS, DEFAULT_LANG = ("pt", "en"), "pt"
ROLES = ("customer", "date", "amount", "quantity", "unit_price", "order", "product", "product_name",
         "customer_name", "status", "email", "phone")
METHODS = ("quantile", "kmeans")
ORDERS = ("dmy", "mdy")  # day/month orders of dates (metriqr.parsing.ORDERS)
ENGINES = ("memory", "duckdb", "spark")  # where the ledger is built (metriqr.engines.ENGINES)
DEFAULT_SPARK_MASTER = "local[*]"
BASES = ("order", "customer")
MIN_TOGETHER = 3

CUSTOMER_FORMATS = (".csv", ".xlsx")
REPORT_FORMATS = (".xlsx",)
LOCAL_MAX_BYTES = 16 * 1024**3  # a local file on the operator's own machine: the browser upload limit does not apply


def text(key: str, lang: str, **params: Any) -> str:
    """A command-line label from the shared catalogue (keys `cli.*`)."""
    from metriqr.texts import t

    return t(f"cli.{key}", lang, **params)


# --- parser ----------------------------------------------------------------------------

def lang_parent() -> argparse.ArgumentParser:
    """Options of every subcommand."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG,
                        help="language of messages and reports (default: %(default)s)")
    return parent


def data_parent() -> argparse.ArgumentParser:
    """How to read the transaction table: shared by every subcommand that reads data."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("data", metavar="DATA", nargs="?",
                        help="transaction table: .xlsx (.xls, .ods), .csv/.txt or .parquet, optionally .gz")
    parent.add_argument("--workspace", metavar="PATH",
                        help="analyse the stored history of a workspace (see `ingest`) in place of DATA")
    parent.add_argument("--sheet", metavar="NAME", help="worksheet of a workbook (default: the first one holding a table)")
    parent.add_argument("--column", metavar="ROLE=HEADER", action="append", default=[],
                        help=f"use column HEADER for ROLE, overriding detection; repeatable; "
                             f"roles: {', '.join(ROLES)}")
    parent.add_argument("--date-order", choices=ORDERS, default=None,
                        help="day/month order of dates such as 03/04/2025: dmy (3 April) or mdy (4 March); "
                             "default: decided from the values (day-first when they do not tell)")
    parent.add_argument("--engine", choices=ENGINES, default=ENGINES[0],
                        help="where the raw lines are read and reduced: memory (default; any file), duckdb "
                             "(larger than memory: Parquet files or globs of them, well-formed CSV) or spark "
                             "(the same, on a Spark cluster or this machine's cores)")
    parent.add_argument("--spark-master", metavar="URL", default=None,
                        help=f"with --engine spark: the cluster, e.g. spark://host:7077 or yarn "
                             f"(default: {DEFAULT_SPARK_MASTER}, this machine's cores)")
    return parent


def engine_option(args: argparse.Namespace) -> str:
    """The engine asked for, checked against the other options before the read: an engine reads a data
    file, never a workspace's stored history (`ingest` reads its DATA with it into the workspace)."""
    engine = getattr(args, "engine", ENGINES[0])
    if getattr(args, "spark_master", None) is not None and engine != "spark":
        raise OptionError("engine_master_needs_spark")
    if engine != ENGINES[0] and getattr(args, "data", None) is None:
        raise OptionError("engine_with_workspace")
    return engine


def check_data(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """DATA or --workspace, exactly one: part of the command's shape, so a usage error (status 2)."""
    if (args.data is None) == (args.workspace is None):
        parser.error(text("data_or_workspace", args.lang))


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")


def add_method(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--method", metavar="{" + ",".join(METHODS) + "}", default=METHODS[0],
                        help="scoring method (default: %(default)s)")


# --- option values ---------------------------------------------------------------------

def date_option(value: str | None) -> pd.Timestamp | None:
    """Strict YYYY-MM-DD: an unattended run must not guess between 03/04 and 04/03."""
    if value is None:
        return None
    import pandas as pd

    try:
        return pd.Timestamp(datetime.strptime(value.strip(), "%Y-%m-%d"))
    except ValueError:
        raise OptionError("bad_date", value=value) from None


def count_option(value: str | int | None, *, default: int | None, key: str) -> int | None:
    """A whole number ≥ 1 given on the command line; otherwise the message under `error.<key>`."""
    if value is None:
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise OptionError(key, value=str(value)) from None
    if number < 1:
        raise OptionError(key, value=str(value))
    return number


def choice_option(value: str, choices: Sequence[str], *, key: str) -> str:
    """One of a closed set of words; otherwise the message under `error.<key>`, which lists them."""
    if value not in choices:
        raise OptionError(key, value=value)
    return value


def method_option(value: str) -> str:
    """The scoring method, checked by the scorer itself so the two can never disagree."""
    from metriqr.scoring import RFMScorer

    RFMScorer(method=value)
    return value


def output_option(path: Path | None, *, suffixes: Sequence[str], data: str | None) -> Path | None:
    """Refuse an output path before the analysis runs rather than after."""
    if path is None:
        return None
    folder = path.parent
    if path.suffix.lower() not in suffixes:
        raise OptionError("output_bad_suffix", name=str(path), suffixes=" / ".join(suffixes))
    if not folder.is_dir():
        raise OptionError("output_folder_missing", name=str(path), folder=str(folder))
    if not os.access(folder, os.W_OK):
        raise OptionError("output_folder_readonly", name=str(path), folder=str(folder))
    if path.is_dir():
        raise OptionError("output_is_folder", name=str(path))
    if data and Path(data).exists() and path.exists() and path.samefile(data):
        raise OptionError("output_is_input", name=str(path))
    return path


# --- data in, results out --------------------------------------------------------------

def load_data(data: str | None, *, sheet: str | None, columns: Sequence[str],
              workspace: str | None = None, date_order: str | None = None, engine: str = ENGINES[0],
              spark_master: str | None = None, lines: bool = False) -> Dataset:
    """Read and clean DATA, or take a workspace's stored history; options are checked before the
    (possibly long) read. With `engine` duckdb or spark, the engine reduces DATA to the ledger where
    it lies (the Dataset's `ledger`), and hands back the cleaned lines only when `lines` asks for them."""
    from metriqr import pipeline
    from metriqr.columns import parse_column_options

    if workspace is not None:
        from metriqr.workspace import open_workspace, stored_dataset

        return stored_dataset(open_workspace(workspace))
    overrides = parse_column_options(columns)
    if engine != ENGINES[0]:
        if sheet is not None:
            raise OptionError("engine_sheet")
        from metriqr.engines import load_engine_dataset

        return load_engine_dataset(data, engine=engine, spark_master=spark_master, overrides=overrides,
                                   date_order=date_order, lines=lines)
    refuse_remote(data)
    path = Path(data)
    if not path.exists():
        raise InputFileError("file_not_found", name=data)
    if path.is_dir():
        raise InputFileError("data_is_folder", name=data)
    return pipeline.load_dataset(path, name=path.name, sheet=sheet, overrides=overrides, date_order=date_order,
                                 max_bytes=LOCAL_MAX_BYTES)


def refuse_remote(data: str) -> None:
    """A cluster's address or table asked of the memory engine: say what reads it, not "file not found"."""
    from metriqr.engines import EngineError, is_remote

    if is_remote(data):
        raise EngineError("engine_remote_needs_spark", name=data)


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


def table_file(frame: pd.DataFrame, *, path: Path, sheet: str, lang: str = DEFAULT_LANG) -> bytes:
    """A table for other programs, by suffix: XLSX, or CSV with comma, point decimal, UTF-8 and no BOM
    whatever --lang says (machine-readable and locale-independent)."""
    from metriqr.export import to_csv_bytes

    if path.suffix.lower() == ".xlsx":
        return xlsx_bytes({sheet: frame}, lang)
    return to_csv_bytes(frame, lang="en", bom=False)


def xlsx_bytes(sheets: dict[str, pd.DataFrame], lang: str, formats: dict[str, str] | None = None) -> bytes:
    """Workbook bytes; when control characters had to be replaced (XLSX cannot store them), stderr says so."""
    import sys

    from metriqr.export import xlsx_export
    from metriqr.texts import fmt_int, t

    content, cleaned = xlsx_export(sheets, formats)
    if cleaned:
        print(f"metriqr: {t('export.control_cleaned', lang, n=fmt_int(cleaned, lang))}", file=sys.stderr)
    return content


def print_json(record: dict[str, Any]) -> None:
    """One line of JSON; ASCII, so it is safe under any locale; NaN refused (records hold null instead)."""
    print(json.dumps(record, ensure_ascii=True, allow_nan=False))
