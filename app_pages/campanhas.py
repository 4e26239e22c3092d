"""Campanhas: a target list with a random control group, then what the campaign did (in a workspace)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metriqr import campaigns
from metriqr import workspace as store
from metriqr.charts import campaign_curve
from metriqr.errors import MetriqrError
from metriqr.migration import SOURCE_KEYS, compare_segmentations
from metriqr.report import localise_customers
from metriqr.segments import SEGMENT_KEYS, source_label
from metriqr.texts import fmt_date, fmt_int, fmt_money, fmt_num, fmt_pct, plural, t
from ui import cache, money as currency_state
from ui.downloads import csv_button, xlsx_button
from ui import state
from ui.state import error_boundary, lang, page_header, plain
from ui.workspace import current_access, show_notice, NOTICE_KEY

L = lang()
SOURCES = ("segment", "flow", "list")

page_header("camp.title", "camp.intro")
access = current_access()
if access is None:  # campaigns are stored: they need a workspace
    st.info(t("camp.needs_workspace", L))
    st.page_link("app_pages/dados.py", label=t("camp.go_data", L), icon=":material/upload_file:")
    st.stop()

workspace = access.workspace
data = state.current_data()


def run_label(run: int, as_of: pd.Timestamp, method: str) -> str:
    return t("ws.run_label", L, run=run, date=fmt_date(as_of, L), method=t(f"seg.method_{method}", L))


def describe(source: dict) -> str:
    """What a campaign was made from, in words (keys and numbers only: no user text but a file name)."""
    if source["kind"] == "flow":
        return t("camp.source_flow", L, source=source_label(source["from"], L), target=source_label(source["to"], L),
                 first=source["from_run"], second=source["to_run"])
    if source["kind"] == "list":
        return t("camp.source_list", L, name=source["file"])
    where = t("camp.source_run", L, run=source["run"]) if "run" in source else \
        t("camp.source_date", L, date=fmt_date(source.get("as_of"), L))
    return t("camp.source_segment", L, segment=source_label(source["segment"], L), where=where)


def choose_customers(runs: pd.DataFrame) -> campaigns.Selection | None:
    """The create form's first part: which customers, from a saved run's segment, a flow or a list."""
    kinds = [k for k in SOURCES if k == "list" or (k == "segment" and len(runs)) or (k == "flow" and len(runs) > 1)]
    if len(runs) < 2:
        st.caption(t("camp.runs_hint", L))
    kind = st.radio(t("camp.source", L), kinds, horizontal=True, key="camp_kind",
                    format_func=lambda k: t(f"camp.kind_{k}", L))
    labels = {int(r.run): run_label(int(r.run), r.as_of, r.method) for r in runs.itertuples()}
    if kind == "segment":
        c1, c2 = st.columns(2)
        run = c1.selectbox(t("camp.run", L), list(labels)[::-1], format_func=labels.get, key="camp_run")
        segmentation = cache.saved_run(data, workspace, run)
        sizes = segmentation.customers["segment"].astype(str).value_counts()
        segment = c2.selectbox(t("camp.segment", L), SEGMENT_KEYS, key="camp_segment",
                               index=SEGMENT_KEYS.index("at_risk"),
                               format_func=lambda k: f"{source_label(k, L)} ({fmt_int(sizes.get(k, 0), L)})")
        return campaigns.from_segment(segmentation, segment, source={"run": int(run)})
    if kind == "flow":
        ids = list(labels)
        c1, c2 = st.columns(2)
        first = c1.selectbox(t("ws.run_from", L), ids[:-1], index=len(ids) - 2, format_func=labels.get,
                             key="camp_from_run")
        as_of = dict(zip(runs["run"].astype(int), runs["as_of"]))
        later = [i for i in ids if as_of[i] > as_of[first]]
        second = c2.selectbox(t("ws.run_to", L), later, index=len(later) - 1, format_func=labels.get,
                              key="camp_to_run")
        migration = compare_segmentations(cache.saved_run(data, workspace, first),
                                          cache.saved_run(data, workspace, second))
        best = migration.top_flows(1)
        f1, f2 = st.columns(2)
        source = f1.selectbox(t("migui.flow_from", L), SOURCE_KEYS, key="camp_flow_from",
                              index=SOURCE_KEYS.index(best["source"].iloc[0]) if len(best) else 0,
                              format_func=lambda k: source_label(k, L))
        target = f2.selectbox(t("migui.flow_to", L), SEGMENT_KEYS, key="camp_flow_to",
                              index=SEGMENT_KEYS.index(best["target"].iloc[0]) if len(best) else 0,
                              format_func=lambda k: source_label(k, L))
        return campaigns.from_flow(migration, source, target, runs=(first, second))
    upload = st.file_uploader(t("camp.list_upload", L), type=["csv", "txt", "xlsx", "xls", "ods"],
                              help=t("camp.list_help", L), key="camp_list")
    if upload is None:
        return None
    try:
        listed = cache.customer_list(upload.getvalue(), upload.name)
    except MetriqrError as error:  # a file that is no list: say so here, the rest of the page stays
        st.error(plain(error.message(L)))
        return None
    selection = campaigns.from_list(cache.ledger(data), listed, name=upload.name)
    if selection.ignored:
        st.caption(plural(selection.ignored, "camp.list_ignored_one", "camp.list_ignored_many", L))
    return selection


def create_section() -> None:
    st.info(t("camp.control_explain", L))
    runs = store.list_runs(workspace)
    selection = choose_customers(runs)
    c1, c2 = st.columns(2)
    name = c1.text_input(t("camp.name", L), max_chars=store.MAX_CAMPAIGN_NAME, key="camp_name")
    channel = c2.text_input(t("camp.channel", L), max_chars=200, help=t("camp.channel_help", L), key="camp_channel")
    c3, c4 = st.columns(2)
    share = c3.slider(t("camp.control_share", L), min_value=5, max_value=50, value=10, step=1, format="%d%%",
                      help=t("camp.control_share_help", L), key="camp_share") / 100
    st.session_state.setdefault("camp_seed", campaigns.new_seed())
    seed = c4.number_input(t("camp.seed", L), min_value=0, max_value=2**31 - 1, step=1, key="camp_seed",
                           help=t("camp.seed_help", L))
    n = 0 if selection is None else len(selection.segments)
    control = campaigns.control_size(n, share)
    st.caption(t("camp.preview", L, n=fmt_int(n, L), targeted=fmt_int(n - control, L), control=fmt_int(control, L)))
    if n and min(n - control, control) < campaigns.MIN_GROUP:
        if n < 2 * campaigns.MIN_GROUP:
            st.caption(t("camp.too_few", L, min=campaigns.MIN_GROUP, both=2 * campaigns.MIN_GROUP))
        else:  # the smallest share (in whole percent) that leaves MIN_GROUP customers in the control group
            needed = next(p for p in range(1, 51) if campaigns.control_size(n, p / 100) >= campaigns.MIN_GROUP)
            st.caption(t("camp.small_warning", L, min=campaigns.MIN_GROUP, share=fmt_pct(needed / 100, L, 0)))
    if st.button(t("camp.create", L), type="primary", icon=":material/campaign:", disabled=not n or not name.strip()):
        with error_boundary():
            created = campaigns.create(workspace, selection, name=name, control_share=share, seed=int(seed),
                                       channel=channel)
        st.session_state["camp_chosen"] = created["name"]
        st.session_state[NOTICE_KEY] = ("success", t("camp.created", L, targeted=fmt_int(created["targeted"], L),
                                                     control=fmt_int(created["control"], L)))
        st.rerun()


def points(value: float) -> str:
    return t("camp.points", L, value=fmt_num(100 * value, L, 1))


def measure_section(rows: list[dict], currency: str | None) -> None:
    names = [row["name"] for row in rows]
    chosen = st.session_state.get("camp_chosen")
    # campaign names are user text: the select box shows them as plain text
    name = st.selectbox(t("camp.choose", L), names, index=names.index(chosen) if chosen in names else 0,
                        key="camp_measure_name")
    campaign = next(row for row in rows if row["name"] == name)
    st.text(t("camp.about", L, source=describe(campaign["source"]), as_of=fmt_date(campaign["as_of"], L),
              share=fmt_pct(campaign["control_share"], L, 0), seed=campaign["seed"])
            + (f" · {campaign['channel']}" if campaign["channel"] else ""))
    ledger = cache.ledger(data)
    _, members = store.load_campaign(workspace, name)
    if access.can_write:
        listing = campaigns.target_customers(members, cache.names(data))
        localised = localise_customers(listing, L)
        stem = f"metriqr_campanha_{campaign['as_of']:%Y%m%d}"
        d1, d2, _ = st.columns([1, 1, 2])
        csv_button(d1, t("camp.download_csv", L), localised, lang=L, file_name=f"{stem}.csv", key="camp_dl_csv")
        xlsx_button(d2, t("camp.download_xlsx", L), {t("camp.group_target", L): localised},
                    file_name=f"{stem}.xlsx", key="camp_dl_xlsx")
        st.caption(t("camp.download_note", L, n=fmt_int(len(listing), L)))
    last = ledger.after_last - pd.Timedelta(days=1)
    if last < campaign["as_of"]:
        st.info(t("camp.waiting", L, as_of=fmt_date(campaign["as_of"], L)))
        return
    until = st.columns(3)[0].date_input(t("camp.until", L), value=last.date(), min_value=campaign["as_of"].date(),
                                        max_value=last.date(), format="DD/MM/YYYY" if L == "pt" else "YYYY-MM-DD",
                                        key=f"camp_until_{name}_{last:%Y%m%d}")
    result = campaigns.measure(ledger, members, as_of=campaign["as_of"], until=pd.Timestamp(until),
                               scorer=campaigns.stored_scorer(campaign), window_days=campaign["window_days"])
    st.caption(t("camp.period", L, as_of=fmt_date(result.as_of, L), until=fmt_date(result.until, L),
                 days=fmt_int(result.days, L)))
    verdict(result)
    figures(result, currency)


def verdict(result: campaigns.Measurement) -> None:
    rate = result.uplift["purchase_rate"]
    if result.verdict == "effect":
        st.success(t("camp.verdict_effect", L) + " " + t(f"camp.direction_{result.direction}", L,
                                                         diff=points(abs(rate["diff"]))))
    elif result.verdict == "no_effect_yet":
        st.info(t("camp.verdict_no_effect_yet", L) + " " + t("camp.no_effect_more", L))
    else:
        st.warning(t("camp.verdict_too_early", L) + " " + t(f"camp.too_early_{result.reason}", L,
                                                            days=fmt_int(result.days, L), min_days=campaigns.MIN_DAYS,
                                                            min=campaigns.MIN_GROUP))
    st.caption(t("camp.rule", L, min_days=campaigns.MIN_DAYS, min=campaigns.MIN_GROUP))


def figures(result: campaigns.Measurement, currency: str | None) -> None:
    def money(value: float) -> str:
        return fmt_money(value, L, currency)

    rows = {"customers": lambda v: fmt_int(v, L), "buyers": lambda v: fmt_int(v, L),
            "purchase_rate": lambda v: fmt_pct(v, L), "revenue": money, "revenue_per_customer": money,
            "progressed_share": lambda v: fmt_pct(v, L)}
    st.table(pd.DataFrame({t(f"camp.group_{g}", L): [show(result.groups[g][k]) for k, show in rows.items()]
                           for g in campaigns.GROUPS}, index=[t(f"camp.row_{k}", L) for k in rows]))
    rate, per = result.uplift["purchase_rate"], result.uplift["revenue_per_customer"]
    attributable = result.attributable
    k1, k2, k3 = st.columns(3)
    k1.metric(t("camp.uplift_rate", L), points(rate["diff"]), help=t("camp.uplift_rate_help", L))
    k1.caption(t("camp.interval", L, low=points(rate["ci_low"]), high=points(rate["ci_high"])))
    k2.metric(t("camp.uplift_revenue", L), money(per["diff"]), help=t("camp.uplift_revenue_help", L))
    k2.caption(t("camp.interval", L, low=money(per["ci_low"]), high=money(per["ci_high"])))
    k3.metric(t("camp.attributable", L), money(attributable["diff"]), help=t("camp.attributable_help", L))
    k3.caption(t("camp.interval", L, low=money(attributable["ci_low"]), high=money(attributable["ci_high"])))
    st.subheader(t("camp.curve_title", L))
    st.plotly_chart(campaign_curve(result.cumulative, L), config={"displayModeBar": False})
    st.caption(t("camp.curve_caption", L))


with error_boundary():
    show_notice()
    currency = currency_state.currency(data)
    rows = store.list_campaigns(workspace)
    if access.can_write:  # open while there is no campaign yet; then the results come first
        with st.expander(t("camp.create_title", L), expanded=not rows, icon=":material/add_circle:"):
            create_section()
    else:
        st.caption(t("camp.read_only", L))
    if not rows:
        st.stop()
    st.subheader(t("camp.list_title", L))
    ledger = cache.ledger(data)
    statuses = [campaigns.status(campaigns.measure_stored(workspace, row["name"], ledger=ledger)[1])
                for row in rows]  # a handful of campaigns, a few vectorised passes each
    st.dataframe(pd.DataFrame({
        t("camp.col_name", L): [row["name"] for row in rows],
        t("camp.col_created", L): [fmt_date(row["created"], L) for row in rows],
        t("camp.col_as_of", L): [fmt_date(row["as_of"], L) for row in rows],
        t("camp.col_source", L): [describe(row["source"]) for row in rows],
        t("camp.col_targeted", L): [fmt_int(row["targeted"], L) for row in rows],
        t("camp.col_control", L): [fmt_int(row["control"], L) for row in rows],
        t("camp.col_status", L): [t(f"camp.status_{s}", L) for s in statuses],
    }), hide_index=True, width="stretch")
    st.subheader(t("camp.measure_title", L))
    measure_section(rows, currency)
