"""`metriqr share --workspace PATH`: a read-only link (or `--revoke TOKEN` to end one)."""
from __future__ import annotations

import argparse

from metriqr.cli.common import add_json, count_option, lang_parent, print_json, text
from metriqr.cli.workspace_options import workspace_parent
from metriqr.errors import OptionError

NAME = "share"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME, parents=[workspace_parent(), lang_parent()], help="create or revoke a read-only link",
        description="Create a read-only link to the workspace for the app served with the same METRIQR_DATA_DIR, "
                    "or revoke one.")
    parser.add_argument("--expires-days", metavar="N", help="the link stops working after N days (default: never)")
    parser.add_argument("--mask", action="store_true", help="hide customer names and contacts in the shared view")
    parser.add_argument("--revoke", metavar="TOKEN", help="revoke this link instead of creating one")
    add_json(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    from metriqr import workspace as store

    workspace = store.open_workspace(args.workspace)
    if args.revoke:
        if not store.revoke_token(workspace, args.revoke):
            raise OptionError("unknown_token")
        if args.json:
            print_json({"revoked": True})
        else:
            print(text("share_revoked", args.lang))
        return 0
    days = count_option(args.expires_days, default=None, key="bad_expiry")
    token = store.issue_token(workspace, role="read", expires_days=days, mask=args.mask)
    path = store.share_path(token)
    if args.json:
        print_json({"token": token, "path": path})
    else:
        print(text("share_done", args.lang, path=path, data_dir=str(store.data_dir().resolve())))
    return 0
