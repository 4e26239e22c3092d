"""Dados: upload or demo data, sheet choice, column mapping, cleaning report."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from metriqr.charts import monthly_bars
from metriqr.columns import REQUIRED_ROLES, ROLES, merge_mapping
from metriqr.report import date_order_lines, display_preview
from metriqr.texts import CURRENCIES, currency_symbol, fmt_date, fmt_int, t
from ui import cache, money as currency_state, workspace
from ui.state import DataKey, current_data, current_source, error_boundary, lang, plain, reset_to_demo, upload_key

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
    options = [NOT_USED] + headers
    per_row = 4  # row by row, so that a phone (one column) lists the roles in their order
    for i, role in enumerate(ROLES):
        if i % per_row == 0:
            columns = st.columns(per_row)
        key = f"map_{role}_{digest[:12]}"
        st.session_state[key] = mapping.get(role, NOT_USED)
        label = t(f"role.{role}", L) + (f" ({t('data.required', L)})" if role in REQUIRED_ROLES else "")
        columns[i % per_row].selectbox(label, options, key=key, on_change=_on_mapping_change, args=(role, key),
                                       format_func=lambda o: t("data.not_used", L) if o == NOT_USED else o)


def uploader_texts() -> None:
    """Streamlit's uploader speaks English only ("Upload", "200MB per file"): its words are
    replaced, in the page's language, by CSS from the catalogue (product text, never user data)."""
    limit = st.get_option("server.maxUploadSize")
    drop, note, browse = (json.dumps(t(k, L, mb=limit), ensure_ascii=False)
                          for k in ("upload.drop", "upload.limit", "upload.browse"))
    st.html(f"""<style>
    [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
    [data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: {note}; font-size: 0.875rem; }}
    [data-testid="stFileUploaderDropzone"] > div > span:first-child {{ font-size: 0; }}
    [data-testid="stFileUploaderDropzone"] > div > span:first-child::after {{ content: {drop}; font-size: 1rem; }}
    [data-testid="stFileUploaderDropzone"] button p {{ font-size: 0; }}
    [data-testid="stFileUploaderDropzone"] button p::after {{ content: {browse}; font-size: 0.875rem; }}
    </style>""")


def render_currency(data: DataKey, basis: str) -> None:
    """The currency in use, why, and the choice (R$, US$, €, £, …): one setting for every page."""
    if basis == "items":
        st.caption(t("data.currency_items", L))
        return
    codes = list(CURRENCIES)
    key = f"currency_{data.source.digest[:12]}"
    left, right = st.columns([1, 3])
    choice = left.selectbox(t("data.currency", L), codes, index=codes.index(currency_state.currency(data)),
                            key=key, help=t("data.currency_help", L),
                            format_func=lambda c: f"{currency_symbol(c)} · {t(f'currency.{c}', L)}")
    if choice != currency_state.currency(data):
        currency_state.choose(data, choice)
    right.caption(currency_state.sentence(data, L))
    currency_state.sidebar_note(data, L, basis)


st.title(t("data.title", L))
uploader_texts()
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

# A new file: the previous file's mapping and figures give way at once to a progress bar that
# names each step (in the same slot, so the old content is replaced, not left greyed on screen
# while the new file is read); the page is then drawn in that slot.
data = current_data()
shown = repr(data.token())
slot = st.empty()
if st.session_state.get("dados_shown") != shown:
    size = len(source.data)
    shown_size = f"{fmt_int(size / 1e6, L)} MB" if size >= 1e6 else f"{fmt_int(max(size / 1e3, 1), L)} KB"
    bar = slot.progress(0, text=plain(t("data.step_reading", L, name=source.name, size=shown_size)))  # a file name: user text
    try:
        rows = len(cache.raw_table(data).frame)
        bar.progress(35, text=t("data.step_cleaning", L, rows=fmt_int(rows, L)))
        cache.dataset(data)
        bar.progress(75, text=t("data.step_summary", L))
        cache.data_view(data)
    except Exception:  # noqa: BLE001 — the page below meets the same problem and says it where it belongs
        pass

with slot.container(), error_boundary():
    raw = cache.raw_table(data)
    st.session_state["dados_shown"] = shown
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
    view = cache.data_view(data)
    report = view.report
    st.caption(t("data.mapping_contacts", L))
    render_currency(data, report.monetary_basis)

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
    st.plotly_chart(monthly_bars(view.monthly, L, currency=currency_state.currency(data),
                                 basis=report.monetary_basis), config={"displayModeBar": False})
    st.page_link("app_pages/segmentacao.py", label=t("data.go_segmentation", L), icon=":material/donut_small:")

    if not source.is_demo:
        workspace.save_offer(cache.dataset(current_data()), name=source.name,
                             currency=currency_state.currency(current_data()))

    st.subheader(t("data.preview", L))
    st.caption(t("data.header_found", L, line=raw.header_row + 1))
    st.dataframe(display_preview(view.preview, L), hide_index=True, width="stretch")
