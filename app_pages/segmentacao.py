"""Segmentação: the RFM report — headline figures, segment chart and table, the map, actions, customer lists."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metriqr.charts import cell_counts, rfm_grid, segment_treemap
from metriqr.report import (customers_export, display_customers, label as measure, localise_customers, money,
                            summary_table, workbook_sheets, xlsx_formats)
from metriqr.scoring import METHODS
from metriqr.segmentation import segment_summary
from metriqr.segments import BY_KEY, SEGMENT_KEYS, SEGMENTS, TIER_ADVICE, TIER_LABEL, TIERS
from metriqr.texts import fmt_date, fmt_int, fmt_num, fmt_pct, t
from ui import cache, money as currency_state, workspace
from ui.downloads import csv_button, xlsx_button
from ui import state
from ui.state import error_boundary, lang, page_header

L = lang()
MAX_ROWS_SHOWN = 500

source = page_header("seg.title")
data = state.current_data()

with error_boundary():
    with st.spinner(t("data.cleaning", L)):
        view = cache.data_view(data)
    wanted_as_of, default_as_of = state.reference_date(view.first, view.last)
    default_as_of = default_as_of.date()

    c1, c2, c3 = st.columns(3)
    as_of = c1.date_input(t("seg.as_of", L), value=wanted_as_of.date(), help=t("seg.as_of_help", L),
                          min_value=(pd.Timestamp(view.first).normalize() + pd.Timedelta(days=1)).date(),
                          max_value=default_as_of,
                          format="DD/MM/YYYY" if L == "pt" else "YYYY-MM-DD", key=f"as_of_{source.digest[:12]}")
    window = c2.selectbox(t("seg.window", L), list(state.WINDOWS), key="window",
                          index=state.index_of(list(state.WINDOWS), state.chosen_window()),
                          format_func=lambda w: t("seg.window_all", L) if w == "all"
                          else t("seg.window_months", L, n=w))
    method = c3.radio(t("seg.method", L), METHODS, horizontal=True, key="method",
                      index=state.index_of(METHODS, state.chosen_method()),
                      format_func=lambda m: t(f"seg.method_{m}", L))
    state.remember(as_of=as_of, window=window, method=method)
    options = state.Options(as_of=None if as_of == default_as_of else str(as_of), window=window, method=method)

    with st.spinner(t("seg.computing", L)):
        seg, names, basis = cache.segmentation(data, options)
    summary = segment_summary(seg)
    currency = currency_state.currency(data)
    currency_state.sidebar_note(data, L, basis)

    k1, k2, k3 = st.columns(3)
    k1.metric(t("seg.customers", L), fmt_int(len(seg.customers), L))
    k2.metric(t("seg.occasions", L), fmt_int(seg.occasions, L))
    k3.metric(measure("seg.revenue", L, basis), money(seg.revenue, L, basis, currency))
    st.caption(t("seg.period_line", L, first=fmt_date(seg.first_date, L), last=fmt_date(seg.last_date, L),
                 as_of=fmt_date(seg.as_of, L)))
    if seg.mostly_one_occasion:
        st.warning(t("an.one_occasion_warning", L, share=fmt_pct(seg.one_occasion_share, L)))

    st.subheader(t("seg.share_chart", L))
    st.plotly_chart(segment_treemap(summary, L), config={"displayModeBar": False})
    st.subheader(t("seg.table", L))
    table = summary_table(seg, L, basis=basis, currency=currency).set_index(t("col.segment", L))
    change = workspace.change_since_saved(seg)  # in a workspace: each segment's change since the last saved run
    if change is not None:
        table[change.name] = change.to_numpy()
    st.table(table)
    workspace.save_run_button(seg)

    with st.expander(t("seg.how", L)):
        st.markdown(t("seg.how_text", L))
        st.plotly_chart(rfm_grid(L, cell_counts(seg.customers)), config={"displayModeBar": False})
        st.markdown(f"**{t('seg.thresholds', L)}**")
        st.caption(t(f"seg.rule_{seg.scorer.method}", L))
        thresholds = seg.scorer.thresholds()
        rows = []
        for name, key in (("recency_days", "seg.recency"), ("frequency", "seg.frequency"),
                          ("monetary", "seg.monetary")):
            cells = [fmt_num(v, L, 0) if name != "monetary" else money(v, L, basis, currency)
                     for v in thresholds.loc[name]]
            rows.append([measure(key, L, basis)] + cells)
        st.dataframe(pd.DataFrame(rows, columns=[t("seg.measure", L)] + [t("seg.limit", L, n=i) for i in range(1, 5)]),
                     hide_index=True, width="stretch")

    st.subheader(t("seg.actions", L))
    for tier, column in zip(TIERS, st.columns(3)):
        with column:
            st.markdown(f"**{TIER_LABEL[tier][L]}** — {TIER_ADVICE[tier][L]}")
            for segment in (s for s in SEGMENTS if s.tier == tier):
                row = summary.loc[segment.key]
                with st.container(border=True):
                    # Segment colours and labels are the product's own constants, never user data.
                    st.markdown(f"<span style='color:{segment.colour}'>■</span> **{segment.label(L)}**",
                                unsafe_allow_html=True)
                    st.caption(t("seg.card_count", L, n=fmt_int(row["customers"], L), share=fmt_pct(row["share"], L)))
                    st.write(segment.action(L))

    st.subheader(t("seg.drill", L))
    chosen = st.selectbox(t("seg.pick_segment", L), SEGMENT_KEYS, key="seg",
                          index=SEGMENT_KEYS.index(state.param("seg")),
                          format_func=lambda k: f"{BY_KEY[k].label(L)} ({fmt_int(summary.loc[k, 'customers'], L)})")
    state.set_params(seg=chosen)
    listing = workspace.with_tenure(customers_export(seg, segment=chosen, names=names), seg)
    formats = xlsx_formats(L, basis=basis, currency=currency)
    if listing.empty:
        st.info(t("seg.empty_segment", L))
    else:
        if len(listing) > MAX_ROWS_SHOWN:
            st.caption(measure("seg.showing", L, basis, shown=fmt_int(MAX_ROWS_SHOWN, L), n=fmt_int(len(listing), L)))
        st.dataframe(display_customers(listing.head(MAX_ROWS_SHOWN), L, basis=basis, currency=currency),
                     hide_index=True, width="stretch")
        c1, c2 = st.columns([3, 2])
        shown_names = dict(zip(listing["customer"], listing["customer_name"])) if "customer_name" in listing else {}
        one = c1.selectbox(t("seg.pick_customer", L), listing["customer"].head(MAX_ROWS_SHOWN).tolist(),
                           key=f"seg_customer_{chosen}",
                           format_func=lambda c: f"{shown_names[c]} ({c})" if shown_names.get(c) else c)
        with c2:
            st.page_link("app_pages/recomendacoes.py", label=t("seg.to_recommendations", L), icon=":material/shopping_cart:",
                         query_params={"customer": one, "tab": "customer", "lang": L, "method": method,
                                       "window": window, "as_of": str(as_of)})
        label = BY_KEY[chosen].label(L)
        localised = localise_customers(listing, L, basis=basis)
        d1, d2 = st.columns(2)
        csv_button(d1, t("seg.download_csv", L), localised, lang=L, file_name=f"metriqr_{chosen}.csv", key="dl_csv")
        xlsx_button(d2, t("seg.download_xlsx", L), {label: localised}, formats=formats,
                    file_name=f"metriqr_{chosen}.xlsx", key="dl_xlsx")
    xlsx_button(st, t("seg.download_all", L), workbook_sheets(seg, L, basis=basis, names=names), formats=formats,
                file_name="metriqr_segmentacao.xlsx", key="dl_all")
