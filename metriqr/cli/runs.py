"""`metriqr runs --workspace PATH`: the saved segmentations of a workspace, oldest reference date first."""
from __future__ import annotations

import argparse

from metriqr.cli.common import add_json, lang_parent, print_json, text
from metriqr.cli.workspace_options import workspace_parent

NAME = "runs"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(NAME, parents=[workspace_parent(), lang_parent()],
                                   help="list a workspace's saved segmentations",
                                   description="List the segmentations saved with `segment --workspace PATH --save`.")
    add_json(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    from metriqr import workspace as store
    from metriqr.texts import fmt_date, fmt_int

    runs = store.list_runs(store.open_workspace(args.workspace))
    records = [{"run": int(r.run), "as_of": r.as_of.strftime("%Y-%m-%d"), "method": r.method,
                "customers": int(r.customers), "saved_at": r.saved_at.isoformat(timespec="seconds")}
               for r in runs.itertuples()]
    if args.json:
        print_json({"runs": records})
        return 0
    lang = args.lang
    if not records:
        print(text("runs_none", lang))
    for r in runs.itertuples():
        print(text("runs_line", lang, run=int(r.run), as_of=fmt_date(r.as_of, lang), method=r.method,
                   customers=fmt_int(r.customers, lang), saved=fmt_date(r.saved_at, lang)))
    return 0
