"""The `--workspace PATH` option of the commands that only work on a workspace."""
from __future__ import annotations

import argparse


def workspace_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--workspace", metavar="PATH", required=True, help="the workspace folder")
    return parent
