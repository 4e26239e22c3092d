"""Migração: who moved between segments from one date to the next, what it means, who to contact."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metriqr.charts import migration_heatmap, migration_sankey
from metriqr.migration import CADENCES, NEW, SOURCE_KEYS, WARNING_RULES, snapshot_dates
from metriqr.report import customer_rows, display_customers, localise_customers, migration_readings, xlsx_formats
from metriqr.scoring import METHODS
from metriqr.segments import SEGMENT_KEYS, source_label
from metriqr.texts import fmt_date, fmt_int, fmt_pct, t
from ui import cache, money as currency_state, workspace
from ui.downloads import csv_button, xlsx_button
from ui import state
from ui.state import error_boundary, lang, page_header
from ui.style import wide

L = lang()
MAX_ROWS_SHOWN = 500


def label(key: str) -> str:
    return source_label(key, L)


source = page_header("migui.title", "migui.intro")
data = state.current_data()

with error_boundary():
    view = cache.data_view(data)
    basis = view.report.monetary_basis
    currency = currency_state.currency(data)
    currency_state.sidebar_note(data, L, basis)
    low = pd.Timestamp(view.first).normalize() + pd.Timedelta(days=1)
    high = pd.Timestamp(view.last).normalize() + pd.Timedelta(days=1)

    runs = workspace.saved_runs()
    modes = state.MODES if runs is None or len(runs) < 2 else (*state.MODES, "runs")
    c1, c2, c3 = st.columns([2, 2, 3])
    mode = c1.radio(t("migui.mode", L), modes, key="mig_mode", horizontal=True,
                    index=state.index_of(modes, state.param("mode")),
                    format_func=lambda m: t(f"migui.mode_{m}", L))
    cadence = state.param("cadence")
    if mode == "cadence":  # two chosen dates have no cadence: the control shows only when it matters
        cadence = c2.selectbox(t("migui.cadence", L), CADENCES, key="mig_cadence",
                               index=CADENCES.index(cadence),
                               format_func=lambda c: t(f"mig.cadence.{c}", L).capitalize())
    method = state.chosen_method()
    if mode != "runs":  # saved segmentations keep the method they were made with
        method = c3.radio(t("seg.method", L), METHODS, horizontal=True, key="mig_method",
                          index=state.index_of(METHODS, method), format_func=lambda m: t(f"seg.method_{m}", L))
        state.remember(method=method)
    date_format = "DD/MM/YYYY" if L == "pt" else "YYYY-MM-DD"
    if mode == "dates":
        asked_from, asked_to = state.param("from"), state.param("to")
        outside = [d for d in (asked_from, asked_to) if d is not None and not low <= d <= high]
        end = asked_to if asked_to is not None and low <= asked_to <= high else high
        one_back = snapshot_dates(cache.history(data), cadence=cadence, periods=1, end=end)[0] \
            if end - pd.DateOffset(weeks=1) > low else low
        start = asked_from if asked_from is not None and low <= asked_from <= high else one_back
        if outside:
            state.other_data_note("link.dates_outside", date=fmt_date(outside[0], L), first=fmt_date(low, L),
                                  last=fmt_date(high, L), shown=f"{fmt_date(start, L)} → {fmt_date(end, L)}")
        d1, d2 = st.columns(2)
        date_from = d1.date_input(t("migui.from", L), value=start.date(), min_value=low.date(),
                                  max_value=high.date(), format=date_format, key=f"mig_from_{source.digest[:12]}")
        date_to = d2.date_input(t("migui.to", L), value=end.date(), min_value=low.date(),
                                max_value=high.date(), format=date_format, key=f"mig_to_{source.digest[:12]}")
        dates = [pd.Timestamp(date_from), pd.Timestamp(date_to)]
        state.set_params(**{"from": date_from, "to": date_to})
    elif mode == "runs":
        chain = [workspace.saved_migration(runs)]
        names = cache.names(data)
    else:
        periods = st.slider(t("migui.periods", L), min_value=1, max_value=12, key="mig_periods",
                            value=state.param("periods"))
        dates = snapshot_dates(cache.history(data), cadence=cadence, periods=periods)
        state.set_params(periods=periods)
    if mode != "runs":
        thresholds = st.radio(t("migui.thresholds", L), state.THRESHOLDS, horizontal=True, key="mig_thresholds",
                              index=state.THRESHOLDS.index(state.param("thresholds")),
                              format_func=lambda o: t(f"migui.thresholds_{o}", L))
        state.set_params(thresholds=thresholds)
        with st.spinner(t("migui.computing", L)):
            chain, names = cache.migration(data, dates, method=method, thresholds=thresholds)
    state.set_params(mode=mode, cadence=cadence)
    dates = [chain[0].date_from] + [m.date_to for m in chain]

    st.subheader(t("migui.sankey", L))
    with wide("wide_sankey"):
        st.plotly_chart(migration_sankey([m.flows() for m in chain], dates, L), config={"displayModeBar": False})
    st.caption(t("migui.sankey_legend", L))
    if mode != "runs":
        baseline = {"first": dates[0], "last": dates[-1]}.get(thresholds)
        st.caption(t(f"migui.rule_{thresholds}", L, date=fmt_date(baseline, L)))

    step = len(chain) - 1
    if len(chain) > 1:
        step = st.selectbox(t("migui.step", L), range(len(chain)), index=step, key="mig_step",
                            format_func=lambda i: f"{fmt_date(chain[i].date_from, L)} → {fmt_date(chain[i].date_to, L)}")
    migration = chain[step]

    shares, totals = migration.shares(), migration.totals()
    k1, k2, k3, k4 = st.columns(4)
    k1.metric(t("mig.kind.progressed", L), fmt_pct(shares["progressed"], L), help=t("migui.share_help", L))
    k2.metric(t("mig.kind.regressed", L), fmt_pct(shares["regressed"], L), help=t("migui.share_help", L))
    k3.metric(t("mig.kind.stayed", L), fmt_pct(shares["stayed"], L), help=t("migui.share_help", L))
    k4.metric(label(NEW), fmt_int(totals["entered"], L))

    st.subheader(t("migui.readings", L))
    notes = migration_readings(migration, L, currency=currency, basis=basis)
    for note in notes[:6]:
        # product texts, segment labels and numbers only: no user data in these strings
        (st.warning if note["rule"] in WARNING_RULES else st.info)(note["text"])
    if not notes:
        st.caption(t("migui.no_readings", L))

    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('migui.top_flows', L)}**")
        top = migration.top_flows(10)
        st.table(pd.DataFrame({
            t("migui.col_from", L): top["source"].map(label),
            t("migui.col_to", L): top["target"].map(label),
            t("migui.col_customers", L): top["customers"].map(lambda n: fmt_int(n, L)),
            t("migui.col_share", L): top["share"].map(lambda s: fmt_pct(s, L)),
            t("migui.col_kind", L): top["kind"].map(lambda k: t(f"mig.kind.{k}", L)),
        }).set_index(t("migui.col_from", L)))
    with right:
        st.markdown(f"**{t('migui.changes', L)}**")
        changes = migration.segment_changes()
        shown = changes.map(lambda n: fmt_int(n, L))
        shown["net"] = changes["net"].map(lambda n: ("+" if n > 0 else "") + fmt_int(n, L))
        shown.index = [label(k) for k in changes.index]
        st.table(shown.rename(columns={c: t(f"migui.col_{c}", L) for c in shown.columns}))

    st.markdown(f"**{t('migui.matrix', L)}**")
    with wide("wide_matrix"):
        st.plotly_chart(migration_heatmap(migration.matrix(), migration.row_shares(), L),
                        config={"displayModeBar": False})

    st.subheader(t("migui.flow", L))
    best = migration.top_flows(1)
    default_from = best["source"].iloc[0] if len(best) else SEGMENT_KEYS[0]
    default_to = best["target"].iloc[0] if len(best) else SEGMENT_KEYS[0]
    f1, f2 = st.columns(2)
    flow_from = f1.selectbox(t("migui.flow_from", L), SOURCE_KEYS, key="flow_from", format_func=label,
                             index=SOURCE_KEYS.index(state.param("src") or default_from))
    flow_to = f2.selectbox(t("migui.flow_to", L), SEGMENT_KEYS, key="flow_to", format_func=label,
                           index=SEGMENT_KEYS.index(state.param("dst") or default_to))
    state.set_params(src=flow_from, dst=flow_to)
    listing = customer_rows(migration.customers_in(flow_from, flow_to), names=names)
    if listing.empty:
        st.info(t("migui.flow_empty", L))
    else:
        st.caption(t("migui.flow_count", L, n=fmt_int(len(listing), L), source=label(flow_from), target=label(flow_to)))
        st.dataframe(display_customers(listing.head(MAX_ROWS_SHOWN), L, basis=basis, currency=currency),
                     hide_index=True, width="stretch")
        stem = f"metriqr_{flow_from}_{flow_to}_{dates[step + 1]:%Y%m%d}"
        localised = localise_customers(listing, L, basis=basis)
        d1, d2 = st.columns(2)
        csv_button(d1, t("seg.download_csv", L), localised, lang=L, file_name=f"{stem}.csv", key="mig_dl_csv")
        xlsx_button(d2, t("seg.download_xlsx", L), {label(flow_to): localised},
                    formats=xlsx_formats(L, basis=basis, currency=currency), file_name=f"{stem}.xlsx",
                    key="mig_dl_xlsx")

    workspace.sizes_over_time(chain)
