"""`metriqr campaign create|measure|list --workspace PATH`: target lists with a random control group, and
what the campaign did (target against control, with 95 % intervals).

pandas and the analysis are imported inside the functions (see metriqr.cli.common).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from metriqr.cli.common import (CUSTOMER_FORMATS, LOCAL_MAX_BYTES, add_json, add_method, count_option, date_option,
                                lang_parent, method_option, output_option, print_json, table_file, write_output)
from metriqr.cli.workspace_options import workspace_parent
from metriqr.errors import OptionError

NAME = "campaign"
ACTIONS = ("create", "measure", "list")
DEFAULT_CONTROL = "0.10"  # metriqr.campaigns.CONTROL_SHARE (checked by tests/test_campaigns.py)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME, help="campaigns: a target list with a random control group, then measure what it did",
        description="Create a campaign from a segment, a migration flow or a list of customers (a random, seeded "
                    "share is held out as control), measure it after new sales, or list a workspace's campaigns.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    common = [workspace_parent(), lang_parent()]

    create = actions.add_parser("create", parents=common, help="create a campaign and write its target list",
                                description="Choose the customers (one of --segment, --flow, --customers), hold out "
                                            "a random control group and store the campaign; it never changes.")
    create.add_argument("--name", required=True, help="the campaign's name (unique in the workspace)")
    create.add_argument("--segment", metavar="KEY", help="a segment key (e.g. at_risk) of --run or of the "
                                                         "segmentation at --as-of (default: day after the last sale)")
    create.add_argument("--run", dest="run_id", metavar="ID", help="with --segment: a saved segmentation (see `runs`)")
    create.add_argument("--as-of", metavar="YYYY-MM-DD", help="with --segment: segment the history at this date")
    add_method(create)
    create.add_argument("--flow", metavar="SRC:DST", help="customers who moved from SRC to DST between "
                                                           "--from-run and --to-run (SRC may be new_in_period)")
    create.add_argument("--from-run", metavar="ID", help="with --flow: the earlier saved segmentation")
    create.add_argument("--to-run", metavar="ID", help="with --flow: the later saved segmentation")
    create.add_argument("--customers", metavar="FILE", help="a list of customers (.csv/.xlsx; the column "
                                                            "`customer`, else the detected one, else the first)")
    create.add_argument("--control", metavar="SHARE", default=DEFAULT_CONTROL,
                        help="share held out as control, 0.01 to 0.9 or a percentage (default: %(default)s)")
    create.add_argument("--seed", metavar="N", help="seed of the random split (default: a random one, stored)")
    create.add_argument("--channel", metavar="TEXT", default="", help="a note: channel, message, offer")
    create.add_argument("--out", metavar="FILE", type=Path,
                        help="write the targeted customers only (.csv or .xlsx): customer and contact columns")
    add_json(create)
    create.set_defaults(check=lambda args: _check_create(create, args))

    measure = actions.add_parser("measure", parents=common, help="target against control after new sales",
                                 description="Buyers, purchase rate, revenue per customer and share that moved to "
                                             "a better segment, per group, from the campaign date through --until; "
                                             "the differences with 95 % intervals and a verdict.")
    measure.add_argument("--name", required=True, help="the campaign's name")
    measure.add_argument("--until", metavar="YYYY-MM-DD", help="last day measured (default: the history's last day)")
    add_json(measure)

    listing = actions.add_parser("list", parents=common, help="the workspace's campaigns with their status")
    add_json(listing)
    return parser


def _check_create(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exactly one source of customers, with the options it takes: the command's shape (usage, status 2)."""
    from metriqr.texts import t

    sources = [args.segment is not None, args.flow is not None, args.customers is not None]
    if sum(sources) != 1:
        parser.error(t("camp.cli_one_source", args.lang))
    if args.segment is None and (args.run_id or args.as_of):
        parser.error(t("camp.cli_run_with_segment", args.lang))
    if args.run_id and args.as_of:
        parser.error(t("camp.cli_run_or_as_of", args.lang))
    if (args.flow is None) != (args.from_run is None and args.to_run is None) or \
            (args.flow is not None and not (args.from_run and args.to_run)):
        parser.error(t("camp.cli_flow_runs", args.lang))


def control_option(value: str) -> float:
    """0.1 or 10%: the share held out, checked by metriqr.campaigns."""
    from metriqr.campaigns import check_control_share

    raw = str(value).strip()
    try:
        return check_control_share(float(raw[:-1]) / 100 if raw.endswith("%") else float(raw))
    except (ValueError, OptionError):
        raise OptionError("camp_bad_control", value=raw) from None


def seed_option(value: str | None) -> int | None:
    from metriqr.campaigns import MAX_SEED

    if value is None:
        return None
    raw = str(value).strip()
    if not raw.isdigit() or int(raw) > MAX_SEED:
        raise OptionError("camp_bad_seed", value=raw)
    return int(raw)


def run(args: argparse.Namespace) -> int:
    return {"create": _create, "measure": _measure, "list": _list}[args.action](args)


def _selection(args: argparse.Namespace, workspace: Any) -> Any:
    from metriqr import campaigns
    from metriqr import workspace as store

    if args.segment is not None:
        if args.segment not in campaigns.SEGMENT_KEYS:
            raise OptionError("camp_unknown_segment", value=args.segment)
        if args.run_id:
            run_id = count_option(args.run_id, default=None, key="bad_run")
            return campaigns.from_segment(store.saved_segmentation(workspace, run_id), args.segment,
                                          source={"run": run_id})
        from metriqr.segmentation import segment_ledger

        as_of = date_option(args.as_of)
        method = method_option(args.method)
        segmentation = segment_ledger(store.load_ledger(workspace), as_of=as_of, method=method)
        return campaigns.from_segment(segmentation, args.segment, source={
            "as_of": segmentation.as_of.strftime("%Y-%m-%d"), "method": method})
    if args.flow is not None:
        from metriqr.migration import compare_segmentations

        source, sep, target = args.flow.partition(":")
        if not sep:
            raise OptionError("camp_bad_flow", value=args.flow)
        for key in (source, target):
            if key not in (*campaigns.SEGMENT_KEYS, "new_in_period"):
                raise OptionError("camp_unknown_segment", value=key)
        runs = tuple(count_option(r, default=None, key="bad_run") for r in (args.from_run, args.to_run))
        migration = compare_segmentations(store.saved_segmentation(workspace, runs[0]),
                                          store.saved_segmentation(workspace, runs[1]))
        return campaigns.from_flow(migration, source, target, runs=runs)
    from metriqr.errors import InputFileError

    path = Path(args.customers)
    if not path.is_file():
        raise InputFileError("file_not_found", name=args.customers)
    listed = campaigns.read_customer_list(path, name=path.name, max_bytes=LOCAL_MAX_BYTES)
    return campaigns.from_list(store.load_ledger(workspace), listed, name=path.name)


def _create(args: argparse.Namespace) -> int:
    from metriqr import campaigns
    from metriqr import workspace as store
    from metriqr.records import campaign_record

    share = control_option(args.control)
    seed = seed_option(args.seed)
    out = output_option(args.out, suffixes=CUSTOMER_FORMATS, data=args.customers)
    name = store.campaign_name(args.name)
    workspace = store.open_workspace(args.workspace)
    selection = _selection(args, workspace)
    if selection.segments.empty:
        raise OptionError("camp_empty_target")
    content = None
    created = campaigns.create(workspace, selection, name=name, control_share=share, seed=seed,
                               channel=args.channel)
    if out is not None:
        content = table_file(campaigns.target_list(workspace, name), path=out, sheet="target", lang=args.lang)
        write_output(out, content)
    record = campaign_record(created, ignored=selection.ignored)
    if args.json:
        print_json(record)
    else:
        from metriqr.texts import fmt_date, fmt_int, fmt_pct, plural, t

        lang = args.lang
        print(t("camp.cli_created", lang, name=name, as_of=fmt_date(created["as_of"], lang),
                   targeted=fmt_int(created["targeted"], lang), control=fmt_int(created["control"], lang),
                   share=fmt_pct(share, lang), seed=created["seed"]))
        if selection.ignored:
            print(plural(selection.ignored, "camp.list_ignored_one", "camp.list_ignored_many", lang))
        if out is not None:
            print(t("camp.cli_written", lang, path=str(out)))
    return 0


def _measure(args: argparse.Namespace) -> int:
    from metriqr import campaigns
    from metriqr import workspace as store
    from metriqr.records import measurement_record

    until = date_option(args.until)
    workspace = store.open_workspace(args.workspace)
    campaign, measurement = campaigns.measure_stored(workspace, args.name, until=until)
    record = measurement_record(campaign, measurement)
    if args.json:
        print_json(record)
    else:
        print(measurement_text(record, lang=args.lang, currency=store.stored_settings(workspace).get("currency")))
    return 0


def measurement_text(record: dict[str, Any], *, lang: str, currency: str | None = None) -> str:
    """The readable report, rendered from the JSON record."""
    from metriqr.texts import fmt_date, fmt_int, fmt_money, fmt_num, fmt_pct, t

    def pct_points(value: float | None) -> str:
        return "–" if value is None else fmt_pct(value, lang)

    def points(value: float | None) -> str:  # a difference of two rates, in percentage points
        return "–" if value is None else fmt_num(100 * value, lang, 1)

    def money(value: float | None) -> str:
        return fmt_money(value, lang, currency)

    if record["days"] == 0:
        return "\n".join([t("camp.cli_measure_title", lang, name=record["campaign"]),
                          t("camp.waiting", lang, as_of=fmt_date(record["as_of"], lang))])
    lines = [t("camp.cli_measure_title", lang, name=record["campaign"]),
             t("camp.cli_period", lang, as_of=fmt_date(record["as_of"], lang), until=fmt_date(record["until"], lang),
                  days=fmt_int(record["days"], lang)), ""]
    for name in ("target", "control"):
        g = record["groups"][name]
        lines.append(t("camp.cli_group_line", lang, group=t(f"camp.group_{name}", lang),
                          customers=fmt_int(g["customers"], lang), buyers=fmt_int(g["buyers"], lang),
                          rate=pct_points(g["purchase_rate"]), revenue=money(g["revenue"]),
                          per_customer=money(g["revenue_per_customer"]),
                          progressed=pct_points(g["progressed_share"])))
    rate, per = record["uplift"]["purchase_rate"], record["uplift"]["revenue_per_customer"]
    attributable = record["attributable_revenue"]
    lines += ["",
              t("camp.cli_uplift_rate", lang, diff=points(rate["diff"]), low=points(rate["ci_low"]),
                   high=points(rate["ci_high"])),
              t("camp.cli_uplift_revenue", lang, diff=money(per["diff"]), low=money(per["ci_low"]),
                   high=money(per["ci_high"])),
              t("camp.cli_attributable", lang, diff=money(attributable["diff"]), low=money(attributable["ci_low"]),
                   high=money(attributable["ci_high"])),
              "", t(f"camp.verdict_{record['verdict']}", lang)]
    if record["reason"]:
        from metriqr.campaigns import MIN_DAYS, MIN_GROUP

        lines.append(t(f"camp.too_early_{record['reason']}", lang, days=fmt_int(record["days"], lang),
                       min_days=MIN_DAYS, min=MIN_GROUP))
    return "\n".join(lines)


def _list(args: argparse.Namespace) -> int:
    from metriqr import campaigns
    from metriqr import workspace as store
    from metriqr.records import campaign_record
    from metriqr.texts import fmt_date, fmt_int, t

    workspace = store.open_workspace(args.workspace)
    rows = store.list_campaigns(workspace)
    ledger = store.load_ledger(workspace) if rows else None
    records = []
    for row in rows:  # a handful of campaigns, each a few vectorised passes
        _, measurement = campaigns.measure_stored(workspace, row["name"], ledger=ledger)
        records.append({**campaign_record(row), "status": campaigns.status(measurement)})
    if args.json:
        print_json({"campaigns": records})
        return 0
    lang = args.lang
    if not records:
        print(t("camp.cli_none", lang))
    for record in records:
        print(t("camp.cli_list_line", lang, name=record["campaign"], as_of=fmt_date(record["as_of"], lang),
                   targeted=fmt_int(record["targeted"], lang), control=fmt_int(record["control"], lang),
                   status=t(f"camp.status_{record['status']}", lang)))
    return 0
