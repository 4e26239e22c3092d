"""`metriqr evaluate DATA`: how good the recommendations are on a time hold-out, against popularity.

pandas and the analysis are imported inside the functions (see metriqr.cli.common).
"""
from __future__ import annotations

import argparse
from typing import Any

from metriqr.cli.common import (add_json, check_data, count_option, data_parent, date_option, engine_option,
                                lang_parent, load_data, print_json, text)

NAME = "evaluate"
DEFAULT_K = 10
TIE_MARGIN = 0.01  # hit rates closer than this are reported as a tie


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        NAME, parents=[data_parent(), lang_parent()],
        help="how good the recommendations are: a time hold-out vs popularity",
        description="Learn from the purchases before a cut-off date, test on the purchases after it: how often "
                    "customers bought one of their top-K recommendations, against suggesting the best-sellers.")
    parser.add_argument("--cutoff", metavar="YYYY-MM-DD",
                        help="train before it, test from it to the last sale (default: about 3 months before "
                             "the last sale, never before the middle of the history)")
    parser.add_argument("--k", metavar="N", default=str(DEFAULT_K),
                        help="recommendations per customer (default: %(default)s)")
    add_json(parser)
    parser.set_defaults(check=lambda args: check_data(parser, args))
    return parser


def run(args: argparse.Namespace) -> int:
    """The time hold-out of metriqr.recommend_eval, as JSON or sentences."""
    from metriqr.records import evaluation_record, plain
    from metriqr.recommend_eval import evaluate

    cutoff = date_option(args.cutoff)
    k = count_option(args.k, default=DEFAULT_K, key="bad_top")
    dataset = load_data(args.data, sheet=args.sheet, columns=args.column, workspace=args.workspace,
                        date_order=args.date_order, engine=engine_option(args), spark_master=args.spark_master,
                        lines=True)
    result = evaluate(dataset.cleaned.transactions, cutoff=cutoff, k=k)
    if args.json:
        print_json(evaluation_record(result))
    else:
        print(evaluation_text(plain(result), lang=args.lang))  # exact shares: rounded only where written
    return 0



def evaluation_text(record: dict[str, Any], *, lang: str) -> str:
    """Plain sentences from evaluate()'s exact figures, saying so when popularity wins."""
    import pandas as pd

    from metriqr.texts import fmt_date, fmt_int, fmt_num, fmt_pct

    cutoff, end = pd.Timestamp(record["cutoff"]), pd.Timestamp(record["test_end"])
    k = record["k"]
    popularity = record["popularity"]
    model = record["hit_rate"]
    lines = [text("eval_title", lang), "",
             text("eval_split", lang, cutoff=fmt_date(cutoff, lang), end=fmt_date(end, lang)),
             text("eval_who", lang), "",
             text("eval_hit", lang, hit=fmt_pct(model, lang), n=fmt_int(record["customers_evaluated"], lang),
                  k=fmt_int(k, lang), cutoff=fmt_date(cutoff, lang),
                  pop=fmt_pct(popularity["hit_rate"], lang))]
    baselines = [popularity["hit_rate"]]
    recent = record.get("recent_popularity")
    if recent and recent.get("hit_rate") is not None:
        baselines.append(recent["hit_rate"])
        lines.append(text("eval_recent", lang, days=recent["days"], rate=fmt_pct(baselines[-1], lang)))
    lines.append(text("eval_precision", lang, precision=fmt_pct(record["precision"], lang), k=fmt_int(k, lang),
                      pop=fmt_pct(popularity["precision"], lang), recall=fmt_pct(record["recall"], lang),
                      pop_recall=fmt_pct(popularity["recall"], lang)))
    best = max(baselines)
    if model - best >= TIE_MARGIN:
        lines += ["", text("eval_win", lang, diff=fmt_num(100 * (model - best), lang, 1))]
    elif best - model >= TIE_MARGIN:
        lines += ["", text("eval_lose", lang, best=fmt_pct(best, lang), model=fmt_pct(model, lang))]
    else:
        lines += ["", text("eval_tie", lang, best=fmt_pct(best, lang), model=fmt_pct(model, lang))]
    also = record.get("also_bought")
    if also and also.get("hit_rate") is not None and also.get("products_in_baskets"):
        lines += ["", text("eval_also", lang, hit=fmt_pct(also["hit_rate"], lang),
                           n=fmt_int(also["products_in_baskets"], lang), k=fmt_int(also["k"], lang),
                           pop=fmt_pct(also["popularity_hit_rate"], lang))]
    return "\n".join(lines)
