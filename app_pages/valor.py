"""Valor previsto: per segment and per customer, the chance of still being active, the expected purchases and
revenue over a horizon (BG/NBD + Gamma-Gamma, metriqr.predict), and the hold-out check that says how far to
trust them. The segments are Segmentação's (same date, window and method)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metriqr.charts import calibration_bars
from metriqr.errors import ModelRefused
from metriqr.report import money, prediction_customers, prediction_headers, prediction_table
from metriqr.segments import BY_KEY, SEGMENT_KEYS
from metriqr.texts import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_short, t
from ui import cache, money as currency_state
from ui import state
from ui.downloads import csv_button, xlsx_button
from ui.state import HORIZONS, error_boundary, lang, page_header, plain

L = lang()
MAX_ROWS_SHOWN = 500
AT_RISK = ("cant_lose", "at_risk", "about_to_sleep")  # metriqr.predict.AT_RISK_SEGMENTS (checked by a test)



def short(value: float) -> str:
    """An amount as people say it in a sentence ("R$ 8,8 mil"); items stay a count."""
    return fmt_int(value, L) if basis == "items" else fmt_short(value, L, currency)


source = page_header("pred.title", "pred.intro")
data = state.current_data()

with error_boundary():
    view = cache.data_view(data)
    options = state.options(view.first, view.last)
    basis = view.report.monetary_basis
    currency = currency_state.currency(data)
    currency_state.sidebar_note(data, L, basis)

    c1, c2 = st.columns([2, 3])
    horizon = c1.segmented_control(t("pred.horizon", L), HORIZONS, key="pred_horizon",
                                   default=state.param("horizon"), format_func=lambda d: t("pred.days", L, n=d))
    horizon = horizon or state.param("horizon")  # a click on the chosen option unselects it: keep the horizon
    state.set_params(horizon=horizon)
    with c2:
        window = t("seg.window_all", L) if options.window == "all" else t("seg.window_months", L, n=options.window)
        with st.spinner(t("pred.computing", L)):
            seg_view = cache.segmentation(data, options)
            result = cache.prediction(data, options, horizon)
        st.caption(t("pred.options_line", L, as_of=fmt_date(seg_view.segmentation.as_of, L), window=window,
                     method=t(f"seg.method_{options.method}", L)))
        st.page_link("app_pages/segmentacao.py", label=t("pred.change_options", L), icon=":material/tune:")

    if result.refused is not None:
        key, values = result.refused
        st.warning(plain(ModelRefused(key, **values).message(L)), icon=":material/block:")
        from metriqr.predict import MIN_HISTORY_DAYS, MIN_REPEAT_CUSTOMERS

        st.caption(t("pred.refused_why", L, repeat=MIN_REPEAT_CUSTOMERS, days=MIN_HISTORY_DAYS))
        st.stop()

    prediction, values, customers = result.prediction, result.values, result.customers
    bg = prediction.bgnbd
    k1, k2, k3 = st.columns(3)
    k1.metric(t("pred.kpi_customers", L), fmt_int(len(customers), L))
    k2.metric(t("pred.kpi_purchases", L, n=horizon), fmt_num(prediction.expected_purchases, L, 0))
    k3.metric(t("pred.kpi_revenue", L, n=horizon), money(prediction.predicted_revenue, L, basis, currency))
    if bg.no_dropout:
        st.info(t("pred.no_dropout", L), icon=":material/info:")

    # --- per segment ---------------------------------------------------------------------------
    st.subheader(t("pred.by_segment", L))
    # nothing is at stake when nobody is seen leaving: the note above says so
    table = prediction_table(values, L, basis=basis, currency=currency, at_stake=not bg.no_dropout)
    st.table(table)
    for key in () if bg.no_dropout else AT_RISK:
        row = values.loc[key]
        if row["customers"] and row["at_stake"] >= 0.005:
            # money carries "R$": escaped (plain), or two of them would open Markdown's math mode
            st.markdown(f"- **{BY_KEY[key].label(L)}**: " + plain(t(
                "pred.at_stake_line", L, n=fmt_int(row["customers"], L), days=horizon,
                predicted=short(row["predicted_revenue"]), active=short(row["revenue_if_active"]),
                stake=short(row["at_stake"]), p=fmt_pct(row["p_alive"], L, 0))))
    if not bg.no_dropout:
        st.caption(t("pred.at_stake_help", L))

    # --- customers -----------------------------------------------------------------------------
    st.subheader(t("pred.customers", L))
    present = [k for k in SEGMENT_KEYS if values.loc[k, "customers"]]
    choices = ["all", *present]
    wanted = state.param("pseg")
    chosen = st.selectbox(t("pred.filter", L), choices, key="pred_segment", index=state.index_of(choices, wanted),
                          format_func=lambda k: t("pred.all_segments", L, n=fmt_int(len(customers), L)) if k == "all"
                          else f"{BY_KEY[k].label(L)} ({fmt_int(values.loc[k, 'customers'], L)})")
    state.set_params(pseg=chosen)
    listing = customers if chosen == "all" else customers[customers["segment"] == chosen]
    download = prediction_customers(listing, L, names=seg_view.names, basis=basis, currency=currency)
    columns = prediction_headers(L, basis=basis, currency=currency)
    if len(download) > MAX_ROWS_SHOWN:
        st.caption(t("pred.showing", L, shown=fmt_int(MAX_ROWS_SHOWN, L), n=fmt_int(len(download), L)))
    # numbers stay numbers, so a click on a header sorts them; written in the reader's browser locale
    st.dataframe(download.head(MAX_ROWS_SHOWN), hide_index=True, width="stretch", column_config={
        columns["p_alive"]: st.column_config.ProgressColumn(format="percent", min_value=0.0, max_value=1.0),
        columns["expected_purchases"]: st.column_config.NumberColumn(format="localized"),
        columns["predicted_revenue"]: st.column_config.NumberColumn(format="localized"),
    })
    stem = f"metriqr_valor_{chosen}_{horizon}d"
    d1, d2 = st.columns(2)
    csv_button(d1, t("pred.download_csv", L), download, lang=L, file_name=f"{stem}.csv", key="pred_dl_csv")
    xlsx_button(d2, t("pred.download_xlsx", L), {t("pred.sheet", L): download}, file_name=f"{stem}.xlsx",
                key="pred_dl_xlsx", formats={columns["p_alive"]: "0.0%", columns["expected_purchases"]: "0.00",
                                             columns["predicted_revenue"]: "#,##0.00"})

    # --- the hold-out check --------------------------------------------------------------------
    st.subheader(t("pred.calib_title", L))
    as_of = seg_view.segmentation.as_of
    check, refusal = cache.calibration(data, as_of.strftime("%Y-%m-%d"), horizon)
    cutoff = as_of - pd.Timedelta(days=horizon)
    if check is None:
        key, params = refusal
        reason = ModelRefused(key, **params).message(L) if key.startswith("model_") else ""
        st.info(plain(t("pred.calib_refused", L, cutoff=fmt_date(cutoff, L)) + (" " + reason if reason else "")))
    else:
        st.caption(t("pred.calib_intro", L, cutoff=fmt_date(check.cutoff, L),
                     end=fmt_date(check.end - pd.Timedelta(days=1), L), n=fmt_int(check.customers, L)))
        st.plotly_chart(calibration_bars(check.groups, L), config={"displayModeBar": False})
        gap = (check.expected - check.actual) / check.actual if check.actual else float("nan")
        st.markdown(plain(t("pred.calib_total_line", L, expected=fmt_num(check.expected, L, 0),
                      actual=fmt_num(check.actual, L, 0), gap=fmt_pct(abs(gap), L, 0) if gap == gap else "–",
                      direction=t("pred.calib_over" if gap > 0 else "pred.calib_under", L))))

    with st.expander(t("pred.how", L)):
        st.markdown(t("pred.how_text", L))
        gg = prediction.gamma_gamma
        params = {"r": fmt_num(bg.r, L, 3), "alpha": fmt_num(bg.alpha, L, 2), "a": fmt_num(bg.a, L, 3),
                  "b": fmt_num(bg.b, L, 3), "spend": money(gg.mean_spend, L, basis, currency)}
        if gg.fixed_spend is None:  # a fixed price leaves Gamma-Gamma nothing to fit: no p, q, γ
            params.update(p=fmt_num(gg.p, L, 2), q=fmt_num(gg.q, L, 2), gamma=fmt_num(gg.gamma, L, 2))
        st.caption(plain(t("pred.params_line" if gg.fixed_spend is None else "pred.params_line_fixed", L, **params)))
