"""Recomendações: also bought per product, offers per customer, pushes per segment, and how good they are."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metriqr.charts import also_bought_bars
from metriqr.errors import MetriqrError
from metriqr.recommend import MIN_TOGETHER
from metriqr.report import month_names, product_labels
from metriqr.segments import BY_KEY, SEGMENT_KEYS
from metriqr.texts import fmt_date, fmt_int, fmt_num, fmt_pct, t
from ui import cache
from ui.downloads import csv_button, xlsx_button
from ui import state
from ui.state import error_boundary, lang, page_header, plain

L = lang()


def table(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Keep and rename columns for display (user text stays text inside a dataframe)."""
    return frame[list(columns)].rename(columns={c: t(k, L) for c, k in columns.items()})


page_header("rec.title", "rec.intro")
data = state.current_data()

with error_boundary():
    view = cache.data_view(data)
    mapping = view.mapping
    if "product" not in mapping:
        st.warning(t("error.no_product_column.ui", L))
        st.page_link("app_pages/dados.py", label=t("page.data", L), icon=":material/upload_file:")
        st.stop()
    # The segments are those chosen on Segmentação (method, window, reference date), on every tab.
    options = state.options(view.first, view.last)
    state.set_params(method=options.method, window=options.window,
                     as_of=options.as_of or pd.Timestamp(view.last).normalize() + pd.Timedelta(days=1))
    # Only the open tab runs (on_change="rerun"): the first view computes one tab, not four. A link
    # names its tab in `tab=`; a link to a customer (or a segment) without one opens on that tab.
    labels = {tab: t(f"rec.tab_{tab}", L) for tab in state.REC_TABS}
    opening = state.param("tab") if state.in_url("tab") else next(
        (name for name in ("customer", "segment") if state.in_url(name)), "product")
    tabs = dict(zip(state.REC_TABS, st.tabs(list(labels.values()), default=labels[opening], key=f"rec_tab_{L}",
                                            on_change="rerun")))
    tab = next((name for name, container in tabs.items() if container.open), opening)
    state.set_params(tab=tab)

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        """Product names told apart by their code wherever several products share one (a category
        used as the name), in every table and chart."""
        catalogue = cache.catalogue(data)
        labels = product_labels(catalogue["product"], catalogue["name"])
        return frame.assign(name=frame["product"].map(labels).fillna(frame["name"]))

    def product_tab() -> None:
        with st.spinner(t("rec.building", L)):
            products = cache.catalogue(data)
        codes = products["product"].tolist()
        label_of = product_labels(products["product"], products["name"])
        wanted = state.param("product")
        if wanted is not None and wanted not in label_of:
            state.other_data_note("link.product_missing", asked=wanted)
        c1, c2, c3 = st.columns([3, 2, 1])
        product = c1.selectbox(t("rec.product", L), codes, key="rec_product",
                               index=codes.index(wanted) if wanted in label_of else 0,
                               format_func=lambda code: label_of[code] if label_of[code].endswith(f"({code})")
                               else f"{label_of[code]} ({code})")
        has_orders = mapping.get("order") is not None
        basis = c2.radio(t("rec.basis", L), state.BASES, key="rec_basis", horizontal=False,
                         index=state.BASES.index(state.param("basis")),
                         format_func=lambda b: t("rec.basis_order" if has_orders else "rec.basis_order_days", L)
                         if b == "order" else t("rec.basis_customer", L))
        min_together = c3.number_input(t("rec.min_together", L), min_value=1, max_value=1000, value=MIN_TOGETHER,
                                       step=1, key="rec_min", help=t("rec.min_together_help", L))
        state.set_params(product=product, basis=basis)
        also = named(cache.also_bought(data, product, basis, int(min_together), 5))
        st.markdown(f"**{t('rec.also_bought', L)}**")
        if also.empty:
            st.info(t("rec.none_also", L, n=fmt_int(min_together, L)))
        else:
            shown = also.assign(rank=range(1, len(also) + 1),
                                confidence=also["confidence"].map(lambda v: fmt_pct(v, L)),
                                lift=also["lift"].map(lambda v: fmt_num(v, L, 2)),
                                together=also["together"].map(lambda v: fmt_int(v, L)),
                                above_chance=also["above_chance"].map(lambda v: t("an.yes" if v else "an.no", L)))
            st.dataframe(table(shown, {"rank": "rec.col_rank", "name": "rec.col_product", "product": "rec.col_code",
                                       "together": "rec.col_together", "confidence": "rec.col_confidence",
                                       "lift": "rec.col_lift", "above_chance": "an.col_attraction"}),
                         hide_index=True, width="stretch")
            st.caption(t("an.also_order", L))
            st.plotly_chart(also_bought_bars(also, L), config={"displayModeBar": False})
        st.caption(t("rec.metrics_help", L))

    def customer_tab() -> None:
        segmentation, names, _ = cache.segmentation(data, options)
        customers = segmentation.customers.sort_values("monetary", ascending=False).index.tolist()
        wanted = state.param("customer")
        known = set(customers)
        if wanted is not None and wanted not in known:
            state.other_data_note("link.customer_missing", asked=wanted)
        customer_name = {} if names is None or "customer_name" not in names else \
            names["customer_name"].dropna().astype(str).to_dict()
        customer = st.selectbox(t("rec.customer_pick" if customer_name else "rec.customer", L), customers,
                                key="rec_customer", index=customers.index(wanted) if wanted in known else 0,
                                format_func=lambda c: f"{customer_name[c]} ({c})" if customer_name.get(c) else c)
        state.set_params(customer=customer)
        offers, again, segment = cache.customer_offers(data, options, customer)
        offers, again = named(offers), named(again)
        if segment:
            st.info(t("rec.customer_segment", L, segment=BY_KEY[segment].label(L), action=BY_KEY[segment].action(L)))
        st.markdown(f"**{t('rec.offer', L)}**")
        offers = offers.assign(score=offers["score"].map(lambda v: fmt_num(v, L, 3)),
                               because=[b if s == "history" else t("rec.popular", L)
                                        for b, s in zip(offers["because"], offers["source"])])
        st.dataframe(table(offers, {"name": "rec.col_product", "product": "rec.col_code", "because": "rec.col_because",
                                    "score": "rec.col_score"}), hide_index=True, width="stretch")
        st.markdown(f"**{t('rec.buy_again', L)}**")
        if again.empty:
            st.caption(t("rec.no_buy_again_due", L))
        else:
            def when(row: pd.Series) -> str:
                if row["when"] == "season":
                    return t("rec.due_season", L, months=month_names(row["season"], L))
                d = row["due_in_days"]
                return t("rec.overdue", L, n=fmt_int(-d, L)) if d < 0 else t("rec.due_in", L, n=fmt_int(d, L))

            again = again.assign(every_days=again["every_days"].map(lambda v: fmt_num(v, L, 0)),
                                 last_bought=again["last_bought"].map(lambda d: fmt_date(d, L)),
                                 due_in_days=again.apply(when, axis=1))
            st.dataframe(table(again, {"name": "rec.col_product", "product": "rec.col_code", "times": "rec.col_times",
                                       "every_days": "rec.col_every", "last_bought": "rec.col_last",
                                       "due_in_days": "rec.col_due"}), hide_index=True, width="stretch")
        st.caption(t("rec.buy_again_rule", L))

    def segment_tab() -> None:
        present = [k for k in SEGMENT_KEYS if k in set(cache.segments(data, options))]
        wanted = state.param("segment")
        if wanted is not None and wanted not in present:
            state.other_data_note("link.segment_empty", segment=BY_KEY[wanted].label(L), shown=BY_KEY[present[0]].label(L))
        segment = st.selectbox(t("rec.segment", L), present, key="rec_segment",
                               index=state.index_of(present, wanted),
                               format_func=lambda k: BY_KEY[k].label(L))
        state.set_params(segment=segment)
        st.info(t("rec.segment_action", L, segment=BY_KEY[segment].label(L), action=BY_KEY[segment].action(L)))
        top, push = (named(frame) for frame in cache.segment_products(data, options, segment))
        left, right = st.columns(2)
        with left:
            st.markdown(f"**{t('rec.segment_top', L)}**")
            shown = top.assign(share=top["share"].map(lambda v: fmt_pct(v, L)), lift=top["lift"].map(lambda v: fmt_num(v, L, 2)))
            st.dataframe(table(shown, {"name": "rec.col_product", "customers": "rec.col_customers",
                                       "share": "rec.col_share", "lift": "rec.col_lift"}), hide_index=True, width="stretch")
        with right:
            st.markdown(f"**{t('rec.segment_push', L)}**")
            shown = push.assign(share_bought=push["share_bought"].map(lambda v: fmt_pct(v, L)))
            st.dataframe(table(shown, {"name": "rec.col_product", "recommended_to": "rec.col_recommended_to",
                                       "share_bought": "rec.col_share_bought"}), hide_index=True, width="stretch")

        recs = named(cache.segment_campaign(data, options, segment))
        names = cache.names(data)
        contacts = [c for c in ("customer_name", "email", "phone") if names is not None and c in names]
        if contacts:  # name, e-mail and phone beside each customer: the list feeds a campaign tool as is
            recs = recs.join(names[contacts], on="customer").loc[:, ["customer", *contacts, *recs.columns[1:]]]
        campaign = table(recs, {"customer": "rec.col_customer", **{c: f"cust.{c}" for c in contacts},
                                "rank": "rec.col_rank", "product": "rec.col_code", "name": "rec.col_product",
                                "score": "rec.col_score", "because": "rec.col_because"})
        d1, d2 = st.columns(2)
        csv_button(d1, t("rec.download_csv", L), campaign, lang=L, key="rec_dl_csv",
                   file_name=f"metriqr_recomendacoes_{segment}.csv")
        xlsx_button(d2, t("rec.download_xlsx", L), {BY_KEY[segment].label(L): campaign}, key="rec_dl_xlsx",
                    file_name=f"metriqr_recomendacoes_{segment}.xlsx")

    def quality_tab() -> None:
        with st.expander(t("rec.non_products", L)):
            st.write(t("rec.non_product_rule", L))
        try:
            with st.spinner(t("rec.building", L)):
                quality = cache.quality(data)
        except MetriqrError as error:  # e.g. too little history for a hold-out: say so here, keep the tabs
            st.info(plain(error.message(L)))
            st.stop()
        k = quality["k"]
        st.write(t("rec.quality_intro", L, cutoff=fmt_date(quality["cutoff"], L), end=fmt_date(quality["test_end"], L)))
        ours, popular = quality["hit_rate"], quality["popularity"]["hit_rate"]
        st.markdown(t("rec.quality_sentence", L, hit=fmt_pct(ours, L), n=fmt_int(quality["customers_evaluated"], L),
                      k=k, pop=fmt_pct(popular, L)))
        (st.success if ours > popular else st.warning)(t("rec.quality_wins" if ours > popular else "rec.quality_loses", L))
        recent = quality.get("recent_popularity", {})
        rows = []
        for measure, name in (("hit_rate", "rec.hit_rate"), ("precision", "rec.precision"), ("recall", "rec.recall")):
            rows.append({t("rec.quality_table", L): t(name, L, k=k),
                         t("rec.quality_ours", L): fmt_pct(quality[measure], L),
                         t("rec.quality_popular", L): fmt_pct(quality["popularity"][measure], L),
                         t("rec.quality_recent", L, days=recent.get("days", 30)): fmt_pct(recent.get(measure), L)})
        st.table(pd.DataFrame(rows).set_index(t("rec.quality_table", L)))
        also_q = quality.get("also_bought")
        if also_q and also_q.get("products_in_baskets"):
            st.caption(t("rec.quality_also", L, hit=fmt_pct(also_q["hit_rate"], L), pop=fmt_pct(also_q["popularity_hit_rate"], L)))

    with tabs[tab]:
        {"product": product_tab, "customer": customer_tab, "segment": segment_tab, "quality": quality_tab}[tab]()
