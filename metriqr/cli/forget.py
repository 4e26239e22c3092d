"""`metriqr forget --workspace PATH --customer ID ...`: erase customers everywhere (LGPD's right to erasure)."""
from __future__ import annotations

import argparse

from metriqr.cli.common import add_json, lang_parent, print_json, text
from metriqr.cli.workspace_options import workspace_parent

NAME = "forget"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME, parents=[workspace_parent(), lang_parent()], help="erase customers from a workspace",
        description="Delete the customers' lines and their rows in saved segmentations; the file is rewritten so "
                    "nothing of them stays on disk.")
    parser.add_argument("--customer", metavar="ID", action="append", required=True, help="customer id; repeatable")
    add_json(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    from metriqr import workspace as store
    from metriqr.texts import fmt_int

    found, lines = store.forget_customers(store.open_workspace(args.workspace), args.customer)
    if args.json:
        print_json({"customers_forgotten": found, "lines_removed": lines})
    else:
        print(text("forget_done", args.lang, customers=fmt_int(found, args.lang), lines=fmt_int(lines, args.lang)))
    return 0
