"""Dados: upload or demo data, sheet choice, column mapping, cleaning report."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metriqr.charts import monthly_bars
from metriqr.columns import REQUIRED_ROLES, ROLES, merge_mapping
from metriqr.report import date_order_lines
from metriqr.texts import fmt_date, fmt_int, t
from ui import cache, workspace
from ui.state import current_data, current_source, error_boundary, lang, reset_to_demo, upload_key

L = lang()
NOT_USED = "\u2014"  # the "not used" option; shown translated


def _on_mapping_change(role: str, key: str) -> None:
    choice = st.session_state[key]
    fixes = dict(st.session_state.get("overrides") or {})
    fixes[role] = "" if choice == NOT_USED else choice
    st.session_state["overrides"] = fixes


def _on_date_order() -> None:
    st.session_state["date_order"] = st.session_state["date_order_choice"] or None


def render_date_order(report) -> None:
    """The order dates were read in, why, a warning when it is a guess, and the switch."""
    lines = date_order_lines(report, L)
    if not lines and not st.session_state.get("date_order"):
        return
    if lines:
        st.caption(lines[0])
    for warning in lines[1:]:
        st.warning(warning)
    st.session_state["date_order_choice"] = st.session_state.get("date_order") or ""
    st.radio(t("data.date_order", L), ["", "dmy", "mdy"], key="date_order_choice", horizontal=True,
             on_change=_on_date_order, help=t("data.date_order_help", L),
             format_func=lambda o: t(f"dates.order.{o}", L) if o else t("data.date_order_auto", L))


def render_mapping(mapping: dict[str, str], headers: list[str], digest: str) -> None:
    """One select per role, always showing the mapping in force (corrections included)."""
    columns = st.columns(5)
    options = [NOT_USED] + headers
    for i, role in enumerate(ROLES):
        key = f"map_{role}_{digest[:12]}"
        st.session_state[key] = mapping.get(role, NOT_USED)
        label = t(f"role.{role}", L) + (f" ({t('data.required', L)})" if role in REQUIRED_ROLES else "")
        columns[i % 5].selectbox(label, options, key=key, on_change=_on_mapping_change, args=(role, key),
                                 format_func=lambda o: t("data.not_used", L) if o == NOT_USED else o)


st.title(t("data.title", L))
access = workspace.current_access()
if access is not None:  # a workspace's Dados: what is stored, adding sales, links, erasure
    workspace.workspace_page(access)
    st.stop()
workspace.show_notice()  # e.g. "workspace deleted"
st.write(t("data.intro", L))

st.file_uploader(t("data.upload", L), key=upload_key(), help=t("data.upload_help", L),
                 type=["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt", "tsv", "parquet", "gz"])
source = current_source()
if source.is_demo:
    st.info(t("data.demo_note", L))
else:
    st.button(t("data.back_to_demo", L), on_click=reset_to_demo)

with error_boundary():
    with st.spinner(t("data.reading", L)):
        raw = cache.raw_table(current_data())
    if raw.sheets and len(raw.sheets) > 1:
        chosen = st.selectbox(t("data.sheet", L), raw.sheets, index=raw.sheets.index(raw.sheet))
        if chosen != raw.sheet:
            st.session_state["sheet"] = chosen
            st.session_state["overrides"] = {}
            st.rerun()

    st.subheader(t("data.mapping", L))
    st.caption(t("data.mapping_help", L))
    headers = [str(h) for h in raw.frame.columns]
    proposed = merge_mapping(cache.detected_mapping(current_data()), st.session_state.get("overrides"), headers)
    render_mapping(proposed, headers, source.digest)
    with st.spinner(t("data.cleaning", L)):
        view = cache.data_view(current_data())
    report = view.report

    st.subheader(t("data.report", L))
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("data.rows_read", L), fmt_int(report.rows_read, L))
    m2.metric(t("data.rows_used", L), fmt_int(report.rows_used, L))
    m3.metric(t("data.rows_excluded", L), fmt_int(report.rows_excluded, L))
    m4.metric(t("data.returns", L), fmt_int(report.returns, L))
    st.write(t("data.balance", L, read=fmt_int(report.rows_read, L), used=fmt_int(report.rows_used, L),
               excluded=fmt_int(report.rows_excluded, L)))
    if report.excluded:
        reasons = pd.DataFrame({
            t("data.reason", L): [t(f"reason.{k}", L) for k in report.excluded],
            t("data.count", L): [fmt_int(v, L) for v in report.excluded.values()],
            t("data.examples", L): [" | ".join(report.examples.get(k, ())) for k in report.excluded],
        })
        # st.dataframe, not st.table: table cells render Markdown, and the examples are user text
        st.dataframe(reasons, hide_index=True, width="stretch")
    else:
        st.success(t("data.none_excluded", L))
    if report.lost_customers:  # st.text: the ids are user text, never Markdown
        st.text("\n".join([t("an.lost_customers", L, n=fmt_int(sum(report.lost_customers.values()), L))]
                          + [f"  {t('reason.' + k, L)}: {fmt_int(v, L)}" for k, v in report.lost_customers.items()]
                          + ([f"  ({t('an.lost_examples', L)} {', '.join(report.lost_examples[:3])})"]
                             if report.lost_examples else [])))
    if view.customer_note is not None:
        st.text(t(f"an.customer_{view.customer_note[1]}", L, chosen=view.mapping["customer"],
                  other=view.customer_note[0]))
    st.caption(t("data.policy", L))
    if report.monetary_basis == "items":
        st.warning(t("data.basis_items", L))
    elif report.monetary_basis == "quantity_x_price":
        st.caption(t("data.basis_qxp", L))
    st.caption(t("data.period", L, first=fmt_date(view.first, L), last=fmt_date(view.last, L), fmt=t(f"data.format_{report.date_format}", L)
                 if report.date_format in ("native", "excel") else report.date_format))
    render_date_order(report)
    if report.decimal_mark:  # the money column's convention, decided from its values
        st.caption(t("data.decimal_mark" if report.decimal_mark == "," else "data.decimal_point", L))
    st.markdown(f"**{t('data.monthly_title', L)}**", help=t("data.monthly_help", L))
    st.plotly_chart(monthly_bars(view.monthly, L), config={"displayModeBar": False})
    st.page_link("app_pages/segmentacao.py", label=t("data.go_segmentation", L), icon=":material/donut_small:")

    if not source.is_demo:
        workspace.save_offer(cache.dataset(current_data()), name=source.name)

    st.subheader(t("data.preview", L))
    st.caption(t("data.header_found", L, line=raw.header_row + 1))
    st.dataframe(view.preview, hide_index=True, width="stretch")
