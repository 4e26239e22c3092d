"""Command line for scheduled, unattended runs: `python -m metriqr COMMAND DATA [options]`.

One module per command, listed in `COMMANDS`: `segment` (the ten RFM segments), `migrate` (flows between
segments from one date to another), `recommend` (also-bought lists per product, not-yet-bought products per
customer) and `evaluate` (those recommendations on a time hold-out, against popularity). Each command module
exposes `add_parser(subparsers)`, which declares its options, and `run(args) -> int`, which does the work;
adding a command is adding a module and its name here. What commands share (the data and language options,
option checks, reading DATA, writing files) is in `metriqr.cli.common`; what `--json` prints is built in
`metriqr.records`, and the text reports are rendered from the same records.

Building the parser imports no pandas and none of the analysis, so `--help` is instant; a command imports
what it needs when it runs.

Exit status: 0 done; 2 bad input (usage errors, or any MetriqrError, whose message goes to stderr in the
chosen language); 1 unexpected error, reported in one line — the traceback only with METRIQR_DEBUG=1,
since cron mail is read by people.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from metriqr.errors import MetriqrError

PROG = "metriqr"
EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
DEBUG_ENV = "METRIQR_DEBUG"
COMMANDS = ("segment", "migrate", "recommend", "evaluate", "predict", "ingest", "runs", "forget", "share", "delete",
            "campaign")  # modules of this package, in the order --help lists them


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="MetriQR: customer RFM segmentation, migration between segments and product "
                               "recommendations from a transaction table.",
        epilog=f"Exit status: 0 ok, 2 bad input or usage, 1 internal error ({DEBUG_ENV}=1 shows the traceback).")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        module.add_parser(subparsers).set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run one command, and turn every failure into an exit status and a short message."""
    try:
        args = build_parser().parse_args(argv)
        if getattr(args, "check", None) is not None:
            args.check(args)  # checks of the command's shape that argparse cannot express: usage errors
    except SystemExit as exit_:  # argparse has printed usage (status 2) or help (status 0)
        return exit_.code if isinstance(exit_.code, int) else EXIT_BAD_INPUT
    if getattr(args, "data", None) is not None:  # a file to read: its sandboxed reader starts importing
        from metriqr.reading.zygote import prestart  # now, on the other core, while this process imports

        prestart()
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")  # a cron job's ASCII locale must not crash the report
    try:
        return args.run(args)
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
