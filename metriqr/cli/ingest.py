"""`metriqr ingest DATA --workspace PATH`: add a sales export to a workspace's history (created if needed).

The file's lines replace the stored lines dated within the days it covers; everything else is kept, so
re-sent or overlapping exports never double-count (re-ingesting a file gives added = replaced).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from metriqr.cli.common import (LOCAL_MAX_BYTES, add_json, data_parent, engine_option, lang_parent, print_json,
                                refuse_remote, text)
from metriqr.errors import InputFileError, OptionError

NAME = "ingest"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME, parents=[data_parent(), lang_parent()], help="add a sales export to a workspace",
        description="Add DATA to the workspace at --workspace PATH (created if needed): its lines replace the "
                    "stored lines dated within the days it covers; everything else is kept.")
    add_json(parser)
    parser.set_defaults(check=lambda args: _check(parser, args))
    return parser


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.data is None or args.workspace is None:
        parser.error(text("ingest_needs_both", args.lang))


def run(args: argparse.Namespace) -> int:
    from metriqr import workspace as store
    from metriqr.columns import parse_column_options
    from metriqr.texts import fmt_date, fmt_int

    engine = engine_option(args)
    overrides = parse_column_options(args.column)
    path = Path(args.data)
    if engine == "memory":
        refuse_remote(args.data)
    if engine == "memory" and not path.is_file():  # an engine also reads a folder or a glob of Parquet files
        raise InputFileError("file_not_found" if not path.exists() else "data_is_folder", name=args.data)
    if engine != "memory" and args.sheet is not None:
        raise OptionError("engine_sheet")
    shown = path.name if engine == "memory" else args.data  # an engine's glob or folder is named whole
    workspace = store.create_workspace(args.workspace)  # or the one already there
    result, _ = store.ingest_file(workspace, args.data if engine != "memory" else path, name=shown,
                                  sheet=args.sheet, overrides=overrides, max_bytes=LOCAL_MAX_BYTES,
                                  date_order=args.date_order, engine=engine, spark_master=args.spark_master)
    history = result.history
    if args.json:
        print_json({
            "workspace": str(args.workspace), "upload": result.upload, "rows": result.rows,
            "covers": {"first": _day(result.first), "last": _day(result.last)},
            "lines": {"added": result.added, "replaced": result.replaced, "unchanged": result.unchanged},
            "history": {"first": _day(history["first"]), "last": _day(history["last"]),
                        "lines": history["lines"], "customers": history["customers"]},
        })
        return 0
    lang = args.lang
    print(text("ingest_done", lang, name=shown, first=fmt_date(result.first, lang), last=fmt_date(result.last, lang),
               added=fmt_int(result.added, lang), replaced=fmt_int(result.replaced, lang),
               unchanged=fmt_int(result.unchanged, lang), read=fmt_int(result.rows["read"], lang),
               excluded=fmt_int(result.rows["excluded"], lang), span_first=fmt_date(history["first"], lang),
               span_last=fmt_date(history["last"], lang), lines=fmt_int(history["lines"], lang),
               customers=fmt_int(history["customers"], lang)))
    return 0


def _day(value) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d")
