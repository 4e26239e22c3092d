"""`metriqr delete --workspace PATH`: delete a workspace at once, with every link to it."""
from __future__ import annotations

import argparse

from metriqr.cli.common import add_json, lang_parent, print_json, text
from metriqr.cli.workspace_options import workspace_parent

NAME = "delete"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(NAME, parents=[workspace_parent(), lang_parent()], help="delete a workspace",
                                   description="Delete the workspace's files at once; its links stop working.")
    add_json(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    from metriqr import workspace as store

    store.delete_workspace(store.open_workspace(args.workspace))
    if args.json:
        print_json({"deleted": True})
    else:
        print(text("delete_done", args.lang))
    return 0
