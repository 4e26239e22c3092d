"""`metriqr predict DATA`: predicted value and churn risk (BG/NBD + Gamma-Gamma) per customer and segment.

pandas, scipy and the analysis are imported inside the functions (see metriqr.cli.common).
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from metriqr.cli.common import (CUSTOMER_FORMATS, add_json, check_data, choice_option, count_option, data_parent,
                                date_option, engine_option, lang_parent, load_data, output_option, print_json,
                                table_file, write_output)

if TYPE_CHECKING:
    import pandas as pd

    from metriqr.predict import Prediction

NAME = "predict"
TIME_UNITS = ("day", "week")  # metriqr.predict.TIME_UNITS (tests/test_predict.py checks they agree)
DEFAULT_TIME_UNIT = "week"
DEFAULT_HORIZON = 90
CUSTOMER_COLUMNS = ("customer", "segment", "p_alive", "expected_purchases", "predicted_revenue")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME, parents=[data_parent(), lang_parent()],
        help="predicted purchases, revenue and churn risk per customer (BG/NBD + Gamma-Gamma)",
        description="Fit BG/NBD (purchase occasions and dropout) and Gamma-Gamma (spend per occasion) on the "
                    "history before the reference date, then predict per customer and per segment.")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="reference date; purchases on or after it are ignored (default: day after the last sale)")
    parser.add_argument("--horizon-days", metavar="N",
                        help=f"predict the next N days (default: {DEFAULT_HORIZON}; the app offers 30, 90, 180, 365)")
    parser.add_argument("--time-unit", metavar="{day,week}", default=DEFAULT_TIME_UNIT,
                        help="unit of recency and age in the model; changes alpha, not the predictions "
                             "(default: %(default)s)")
    add_json(parser)
    parser.add_argument("--customers-out", metavar="FILE", type=Path,
                        help="write one row per customer, best predicted revenue first (.csv or .xlsx)")
    parser.set_defaults(check=lambda args: check_data(parser, args))
    return parser


def run(args: argparse.Namespace) -> int:
    """Check every option, read, fit, predict, then write and print."""
    from metriqr.aggregates import build_ledger
    from metriqr.predict import predict, segment_values
    from metriqr.records import prediction_record
    from metriqr.segmentation import segment_ledger

    as_of = date_option(args.as_of)
    horizon = count_option(args.horizon_days, default=DEFAULT_HORIZON, key="bad_horizon")
    time_unit = choice_option(args.time_unit, TIME_UNITS, key="bad_time_unit")
    customers_out = output_option(args.customers_out, suffixes=CUSTOMER_FORMATS, data=args.data)

    dataset = load_data(args.data, sheet=args.sheet, columns=args.column, workspace=args.workspace,
                        date_order=args.date_order, engine=engine_option(args), spark_master=args.spark_master)
    ledger = dataset.ledger if dataset.ledger is not None else build_ledger(dataset.cleaned.transactions)
    prediction = predict(ledger, as_of=as_of, horizon_days=horizon, time_unit=time_unit)
    segments = segment_ledger(ledger, as_of=prediction.as_of).customers["segment"].astype(str)
    values = segment_values(prediction, segments)
    if customers_out is not None:
        write_output(customers_out, customers_file(prediction, segments, path=customers_out, lang=args.lang))
    record = prediction_record(prediction, values)
    if args.json:
        print_json(record)
    else:
        from metriqr.cli.segment import data_currency

        print(prediction_text(record, lang=args.lang, basis=dataset.cleaned.report.monetary_basis,
                              currency=data_currency(dataset)))
    return 0


def customers_file(prediction: Prediction, segments: pd.Series, *, path: Path, lang: str = "pt") -> bytes:
    """One row per customer, best predicted revenue first: the contract's columns, figures rounded
    (P(alive) and purchases to 4 decimals, revenue to the cent)."""
    from metriqr.predict import with_segments

    frame = with_segments(prediction, segments)[list(CUSTOMER_COLUMNS)]
    frame["p_alive"] = frame["p_alive"].round(4) + 0.0
    frame["expected_purchases"] = frame["expected_purchases"].round(4) + 0.0
    frame["predicted_revenue"] = frame["predicted_revenue"].round(2) + 0.0
    return table_file(frame, path=path, sheet="customers", lang=lang)


def prediction_text(record: dict, *, lang: str, basis: str, currency: str) -> str:
    """The readable report, rendered from the JSON record so the two cannot disagree."""
    import pandas as pd

    from metriqr.report import money
    from metriqr.segments import label
    from metriqr.texts import fmt_date, fmt_int, fmt_num, fmt_pct, t

    bg, gg = record["model"]["bgnbd"], record["model"]["gamma_gamma"]
    lines = [
        t("pred.cli_title", lang), "",
        f"{t('pred.cli_as_of', lang)}: {fmt_date(pd.Timestamp(record['as_of']), lang)}",
        f"{t('pred.cli_horizon', lang)}: {t('pred.days', lang, n=fmt_int(record['horizon_days'], lang))}",
        f"{t('pred.cli_time_unit', lang)}: {t('pred.unit_' + record['time_unit'], lang)}",
        f"BG/NBD: r = {fmt_num(bg['r'], lang, 4)}, α = {fmt_num(bg['alpha'], lang, 4)}, "
        f"a = {fmt_num(bg['a'], lang, 4)}, b = {fmt_num(bg['b'], lang, 4)}",
        t("pred.fixed_spend_line", lang, spend=money(gg["fixed_spend"], lang, basis, currency))
        if "fixed_spend" in gg else
        f"Gamma-Gamma: p = {fmt_num(gg['p'], lang, 4)}, q = {fmt_num(gg['q'], lang, 4)}, "
        f"γ = {fmt_num(gg['gamma'], lang, 4)}",
        "",
        f"{t('pred.col_customers', lang)}: {fmt_int(record['customers'], lang)}",
        f"{t('pred.col_expected_purchases', lang)}: {fmt_num(record['expected_purchases'], lang, 1)}",
        f"{t('pred.col_predicted_revenue', lang)}: {money(record['predicted_revenue'], lang, basis, currency)}",
        "",
    ]
    rows = [{t("pred.col_segment", lang): label(row["key"], lang),
             t("pred.col_customers", lang): fmt_int(row["customers"], lang),
             t("pred.col_p_alive", lang): fmt_pct(row["p_alive"], lang),
             t("pred.col_expected_purchases", lang): fmt_num(row["expected_purchases"], lang, 1),
             t("pred.col_predicted_revenue", lang): money(row["predicted_revenue"], lang, basis, currency)}
            for row in record["segments"]]  # ten rows: presentation
    lines.append(pd.DataFrame(rows).to_string(index=False))
    return "\n".join(lines)
