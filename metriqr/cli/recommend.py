"""`metriqr recommend DATA --product ID --customer ID`: what else to offer (metriqr.recommend).

Per product, customers who bought it also bought…; per customer, products not bought yet, each with the
bought products it comes from. pandas and the analysis are imported inside the functions (see metriqr.cli.common).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from metriqr.cli.common import (BASES, MIN_TOGETHER, add_json, check_data, choice_option, count_option, data_parent,
                                engine_option, lang_parent, load_data, print_json, text)

if TYPE_CHECKING:
    import pandas as pd

    from metriqr.recommend import Purchases

NAME = "recommend"
PRODUCT_TOP, CUSTOMER_TOP = 5, 10  # default list lengths


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME, parents=[data_parent(), lang_parent()],
        help="what else to offer: per product (--product) or per customer (--customer)",
        description="Customers who bought a product also bought… (--product), and products a customer has not "
                    "bought yet, each with the bought products it comes from (--customer). At least one of the "
                    "two, both allowed; needs a product column. Fees, postage and discounts are not products.")
    parser.add_argument("--product", metavar="ID", action="append", default=[],
                        help="product code as in the data (e.g. 85123A); repeatable")
    parser.add_argument("--customer", metavar="ID", action="append", default=[],
                        help="customer id as in the data (e.g. 17850); repeatable")
    parser.add_argument("--top", metavar="N",
                        help=f"items per list (default: {PRODUCT_TOP} per product, {CUSTOMER_TOP} per customer)")
    parser.add_argument("--basis", metavar="{" + ",".join(BASES) + "}", default=BASES[0],
                        help="also-bought on the same order, or by the same customer at any time "
                             "(default: %(default)s)")
    parser.add_argument("--min-together", metavar="N", default=str(MIN_TOGETHER),
                        help="an also-bought pair needs at least N orders (customers) in common "
                             "(default: %(default)s)")
    add_json(parser)
    parser.set_defaults(check=lambda args: _need_target(parser, args))
    return parser


def _need_target(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Something to recommend for is part of the command's shape: a usage error (status 2) without it."""
    check_data(parser, args)
    if not args.product and not args.customer:
        parser.error(text("rec_need_target", args.lang))


def run(args: argparse.Namespace) -> int:
    """Also-bought lists for --product, not-yet-bought products for --customer."""
    from metriqr.aggregates import customer_names
    from metriqr.errors import OptionError
    from metriqr.recommend import also_bought, build_purchases, has_history, recommend_for_customers
    from metriqr.records import also_bought_record, customer_records
    from metriqr.segmentation import segment_customers
    from metriqr.texts import t

    lang = args.lang
    products, customers = _unique(args.product), _unique(args.customer)
    product_top = count_option(args.top, default=PRODUCT_TOP, key="bad_top")
    customer_top = count_option(args.top, default=CUSTOMER_TOP, key="bad_top")
    min_together = count_option(args.min_together, default=MIN_TOGETHER, key="bad_min_together")
    basis = choice_option(args.basis, BASES, key="bad_basis")
    dataset = load_data(args.data, sheet=args.sheet, columns=args.column, workspace=args.workspace,
                        date_order=args.date_order, engine=engine_option(args), spark_master=args.spark_master,
                        lines=True)
    transactions = dataset.cleaned.transactions
    purchases = build_purchases(transactions)
    for product in products:  # every id checked before any list is computed or printed
        purchases.product_index(product)
    segments = None
    if customers:
        segments = segment_customers(dataset.lines_or_ledger).customers["segment"]
    # A segmented customer always gets a list (their segment's when they bought no product);
    # a customer absent from the data is reported on its own, without failing the others.
    absent = [c for c in customers if c not in segments.index and not has_history(purchases, c)] if customers else []
    found = [c for c in customers if c not in absent]
    for customer in absent:
        print(f"metriqr: {OptionError('unknown_customer', customer=customer).message(lang)}", file=sys.stderr)
    if absent and not found and not products:
        return 2

    record: dict[str, Any] = {}
    if products:
        record["products"] = [
            also_bought_record(purchases, product, also_bought(purchases, product, top=product_top, basis=basis,
                                                               min_together=min_together))
            for product in products]
    if customers:
        table = recommend_for_customers(purchases, found, top=customer_top, segments=segments)
        record["customers"] = customer_records(found, table, segments=segments,
                                               without_products={c for c in found if not has_history(purchases, c)})
    if absent:
        record["errors"] = [{"customer": c, "error": "unknown_customer",
                             "message": OptionError("unknown_customer", customer=c).message(lang)} for c in absent]

    if args.json:
        print_json(record)
        return 0
    lines = [text("rec_title", lang)]
    for item in record.get("products", []):
        lines += ["", *also_bought_text(item, purchases, basis=basis, min_together=min_together, lang=lang)]
    names = customer_names(transactions) if customers else None
    for item in record.get("customers", []):
        lines += ["", *customer_text(item, purchases, names=names, lang=lang)]
    if absent:
        lines += ["", t("an.unknown_customers", lang, ids=", ".join(absent))]
    print("\n".join(lines))
    return 0


def _unique(values: Sequence[str]) -> list[str]:
    """The ids in the order given, each once (`--product A --product A` asks once)."""
    return list(dict.fromkeys(values))


def _unit(purchases: Purchases, basis: str, lang: str) -> str:
    """What `together` counts: orders, customer-days (no order column) or customers."""
    if basis == "customer":
        return text("unit_customers", lang)
    return text("unit_orders" if purchases.has_orders else "unit_days", lang)


def _names(names: Sequence[str], lang: str) -> str:
    """`A`, `A e B`, `A, B e C`."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {text('and', lang)} {names[-1]}"


def _label(code: str, name: str) -> str:
    """`Café (CAF01)`; the code alone when the data has no name column (the name is then the code)."""
    return code if not name or name == code else f"{name} ({code})"


def _left(header: str, values: list[str]) -> dict[str, list[str]]:
    """A text column left-aligned in DataFrame.to_string (which right-aligns everything)."""
    width = max([len(header), *map(len, values)])
    return {header.ljust(width): [value.ljust(width) for value in values]}


def also_bought_text(record: dict[str, Any], purchases: Purchases, *, basis: str, min_together: int,
                     lang: str) -> list[str]:
    """The also-bought table of one product, with what `together` counts and how to read it."""
    import pandas as pd

    from metriqr.texts import fmt_int, fmt_num, fmt_pct, t

    together = purchases.together_order if basis == "order" else purchases.together_customer
    i = purchases.product_index(record["product"])
    unit = _unit(purchases, basis, lang)
    lines = [text("also_title", lang, product=_label(record["product"], record["name"])),
             "  " + text("also_basis", lang, n=fmt_int(together[i, i], lang), unit=unit,
                         min=fmt_int(min_together, lang))]
    if not record["also_bought"]:
        return lines + ["  " + text("also_none", lang, min=fmt_int(min_together, lang), unit=unit)]
    items = record["also_bought"]
    frame = pd.DataFrame({
        text("col_rank", lang): range(1, len(items) + 1),
        **_left(text("col_code", lang), [item["product"] for item in items]),
        **_left(text("col_product", lang), [item["name"] for item in items]),
        text("col_together", lang): [fmt_int(item["together"], lang) for item in items],
        text("col_confidence", lang): [fmt_pct(item["confidence"], lang) for item in items],
        text("col_lift", lang): [fmt_num(item["lift"], lang, 2) for item in items],
        t("an.col_attraction", lang): [t("an.yes" if item["above_chance"] else "an.no", lang) for item in items],
    })
    table = frame.to_string(index=False)
    return lines + ["", *("  " + line for line in table.splitlines()), "",
                    "  " + text("also_help", lang, unit=unit), "  " + t("an.also_order", lang)]


def customer_text(record: dict[str, Any], purchases: Purchases, *, names: pd.Series | None,
                  lang: str) -> list[str]:
    """One customer's suggestions, each with “because they bought …” (names and codes) or its fallback."""
    from metriqr.recommend import RECENT_DAYS
    from metriqr.segments import BY_KEY
    from metriqr.texts import fmt_num, plural, t

    customer = record["customer"]
    name = names.get(customer) if names is not None else None
    shown_name = f" ({name})" if isinstance(name, str) and name.strip() else ""
    segment = BY_KEY[record["segment"]].label(lang) if record["segment"] in BY_KEY else text("no_segment", lang)
    bought = purchases.history.indptr
    count = 0
    if record.get("fallback") is None:
        i = purchases.customer_index(customer)
        count = bought[i + 1] - bought[i]
    lines = [text("cust_title", lang, customer=customer, name=shown_name, segment=segment),
             "  " + plural(int(count), "cli.cust_bought_one", "cli.cust_bought", lang)]
    if record.get("fallback") is not None:
        lines.append("  " + t("an.recommend_fallback", lang))
    if not record["recommendations"]:
        return lines + ["  " + text("cust_none", lang)]
    for rank, item in enumerate(record["recommendations"], start=1):
        if item["because"]:
            why = text("because", lang, names=_names(
                [_label(code, str(purchases.names[purchases.product_index(code)])) for code in item["because"]],
                lang))
            why += f"; {text('score', lang)} {fmt_num(item['score'], lang, 3)}"
        elif record["segment"] in BY_KEY:
            why = text("popular_segment", lang, segment=segment, days=RECENT_DAYS)
        else:
            why = text("popular_all", lang, days=RECENT_DAYS)
        lines.append(f"  {rank:>2}. {_label(item['product'], item['name'])}")
        lines.append(f"      {why}")
    return lines
