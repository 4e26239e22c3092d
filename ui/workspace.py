"""Workspaces in the interface: the link's token, saving, feeding, sharing and erasing.

The token lives in the URL (`?ws=…`, so a reload or a shared link reopens the workspace) and in
this session's state (so page switches keep it). It is checked on every script run: a revoked
or expired link stops working at once. Read-only links see no upload, deletion or sharing
controls. User text (file names, customer ids) is shown with st.text / dataframes, never as Markdown.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from metriqr import workspace as store
from metriqr.texts import fmt_date, fmt_int, t
from ui.state import Source, error_boundary, lang, param

WS_PARAM = "ws"
TOKEN_KEY = "ws_token"
NOTICE_KEY = "ws_notice"
ACCESS_KEY = "ws_access"
SOURCE_KEY = "ws_source"


def active_access() -> store.Access | None:
    """The workspace this session is in, or None. A bad, expired or revoked link gets the same
    "not found", shows nothing of any workspace, and offers to start over."""
    in_url = st.query_params.get(WS_PARAM)  # a link's token wins over the session's; unparsable is "not found"
    token = (param(WS_PARAM) or "invalid") if in_url else st.session_state.get(TOKEN_KEY)
    if not token:
        for key in (ACCESS_KEY, SOURCE_KEY):
            st.session_state.pop(key, None)
        return None
    try:
        access = store.resolve(token)
    except store.WorkspaceError as error:
        leave()
        st.error(error.message(lang()))
        st.button(t("ws.start_over", lang()), on_click=leave)
        st.stop()
    st.session_state[TOKEN_KEY] = token
    st.query_params[WS_PARAM] = token
    st.session_state[ACCESS_KEY] = access
    st.session_state[SOURCE_KEY] = _source(access)
    return access


def current_access() -> store.Access | None:
    """This run's workspace access (set by app.py through `active_access`)."""
    return st.session_state.get(ACCESS_KEY)


def _source(access: store.Access) -> Source:
    """The workspace as the analysis's data source: its identity changes with every write (version),
    so no cache ever serves an older history, and with the masking of the link."""
    workspace, mask = access.workspace, access.mask
    digest = f"{workspace.id}:{access.version}:{int(mask)}"
    return Source(kind="workspace", name=t("ws.title", lang()), digest=digest, load=lambda: b"",
                  stored=lambda: store.stored_dataset(workspace, mask=mask))


def leave() -> None:
    """Back to uploads and the demo: nothing of the workspace stays in this session."""
    for key in (TOKEN_KEY, NOTICE_KEY, ACCESS_KEY, SOURCE_KEY):
        st.session_state.pop(key, None)
    if WS_PARAM in st.query_params:
        del st.query_params[WS_PARAM]


def link(token: str, page: str = "segmentacao") -> str:
    """The full address of a link on this server (the path alone when the browser's URL is unknown)."""
    path = store.share_path(token, page)
    url = st.context.url
    if not url:
        return path
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{path}"


def show_notice() -> None:
    """A message left by the previous run (saved, added, deleted…), shown once."""
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        kind, text = notice
        getattr(st, kind)(text)


# --- Dados: no workspace yet ------------------------------------------------------------------

def save_offer(dataset, *, name: str, currency: str) -> None:
    """Offer to keep this upload in a new workspace (explicit: nothing is written otherwise)."""
    L = lang()
    st.subheader(t("ws.save_title", L))
    st.caption(t("ws.save_explain", L))
    if st.button(t("ws.save_button", L), icon=":material/save:"):
        with error_boundary():
            workspace = store.create_workspace()
            try:
                mapping = dict(dataset.mapping)
                store.ingest(workspace, dataset.cleaned.transactions, name=name,
                             rows=dataset.cleaned.report.as_dict(), mapping=mapping,
                             headers=[str(h) for h in dataset.raw.frame.columns] if dataset.raw is not None else (),
                             settings={"monetary_basis": dataset.cleaned.report.monetary_basis,
                                       "currency": currency})
                token = store.issue_token(workspace, role="owner")
            except BaseException:
                store.delete_workspace(workspace)
                raise
        st.session_state[TOKEN_KEY] = token
        st.query_params[WS_PARAM] = token
        st.session_state[NOTICE_KEY] = ("success", t("ws.saved", L))
        st.rerun()


# --- Dados: inside a workspace ----------------------------------------------------------------

def workspace_page(access: store.Access) -> None:
    """What Dados shows in a workspace: what is stored, feeding it, links and erasure (owner only)."""
    L = lang()
    workspace = access.workspace
    show_notice()
    st.subheader(t("ws.title", L))
    info = store.history_info(workspace)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("ws.lines", L), fmt_int(info["lines"], L))
    c2.metric(t("ws.customers", L), fmt_int(info["customers"], L))
    c3.metric(t("ws.first_sale", L), fmt_date(info["first"], L) if info["first"] is not None else "–")
    c4.metric(t("ws.last_sale", L), fmt_date(info["last"], L) if info["last"] is not None else "–")
    if not access.can_write:
        st.info(t("ws.read_only", L))
        if access.mask:
            st.caption(t("ws.masked", L))
        _uploads_table(workspace)
        st.page_link("app_pages/segmentacao.py", label=t("data.go_segmentation", L), icon=":material/donut_small:")
        return

    st.warning(t("ws.stored_here", L))
    _currency_choice(workspace)
    st.markdown(f"**{t('ws.owner_link', L)}**", help=t("ws.owner_link_help", L))
    st.code(link(st.session_state[TOKEN_KEY], "dados"), language=None)
    st.page_link("app_pages/segmentacao.py", label=t("data.go_segmentation", L), icon=":material/donut_small:")

    st.subheader(t("ws.add_title", L))
    st.caption(t("ws.add_rule", L))
    generation = st.session_state.get("ws_upload_generation", 0)
    upload = st.file_uploader(t("ws.add_upload", L), key=f"ws_upload_{generation}",
                              type=["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt", "tsv", "parquet", "gz"])
    if upload is not None and st.button(t("ws.add_button", L), type="primary"):
        with error_boundary(), st.spinner(t("data.cleaning", L)):
            result, _ = store.ingest_file(workspace, upload.getvalue(), name=upload.name)
        st.session_state["ws_upload_generation"] = generation + 1
        st.session_state[NOTICE_KEY] = ("success", t(
            "ws.added", L, name=upload.name, added=fmt_int(result.added, L), replaced=fmt_int(result.replaced, L),
            unchanged=fmt_int(result.unchanged, L), first=fmt_date(result.first, L), last=fmt_date(result.last, L),
            span_first=fmt_date(result.history["first"], L), span_last=fmt_date(result.history["last"], L)))
        st.rerun()
    _uploads_table(workspace)

    _share_section(workspace)
    _erase_section(workspace)


def _currency_choice(workspace: store.Workspace) -> None:
    """The workspace's currency: stored with it, so every page and every later upload use it."""
    from metriqr.texts import CURRENCIES, DEFAULT_CURRENCY, currency_symbol

    L = lang()
    options = store.stored_settings(workspace)
    if options.get("monetary_basis") == "items":
        return
    codes = list(CURRENCIES)
    current = options.get("currency") or DEFAULT_CURRENCY
    choice = st.columns([1, 2])[0].selectbox(
        t("data.currency", L), codes, index=codes.index(current), help=t("ws.currency_help", L),
        format_func=lambda c: f"{currency_symbol(c)} · {t(f'currency.{c}', L)}")
    if choice != current:
        with error_boundary():
            store.update_settings(workspace, currency=choice)
        st.rerun()


def _uploads_table(workspace: store.Workspace) -> None:
    L = lang()
    uploads = store.uploads(workspace)
    if uploads.empty:
        return
    st.markdown(f"**{t('ws.uploads', L)}**")
    st.dataframe(pd.DataFrame({
        t("ws.col_file", L): uploads["name"],
        t("ws.col_saved", L): [fmt_date(v, L) for v in uploads["saved_at"]],
        t("ws.col_covers", L): [f"{fmt_date(a, L)} – {fmt_date(b, L)}" for a, b in zip(uploads["first"], uploads["last"])],
        t("ws.col_added", L): [fmt_int(n, L) for n in uploads["added"]],
        t("ws.col_replaced", L): [fmt_int(n, L) for n in uploads["replaced"]],
        t("data.rows_excluded", L): [fmt_int(n, L) for n in uploads["rows_excluded"]],
    }), hide_index=True, width="stretch")


def _share_section(workspace: store.Workspace) -> None:
    L = lang()
    st.subheader(t("ws.share_title", L))
    st.caption(t("ws.share_explain", L))
    c1, c2 = st.columns(2)
    days = c1.number_input(t("ws.expires_days", L), min_value=0, max_value=3650, value=30, step=1,
                           help=t("ws.expires_help", L))
    mask = c2.checkbox(t("ws.mask", L), value=False, help=t("ws.mask_help", L))
    if st.button(t("ws.share_button", L), icon=":material/link:"):
        with error_boundary():
            token = store.issue_token(workspace, role="read", expires_days=int(days) or None, mask=mask)
        st.session_state["ws_new_link"] = link(token)
    if st.session_state.get("ws_new_link"):
        st.success(t("ws.share_done", L))
        st.code(st.session_state["ws_new_link"], language=None)
    tokens = store.list_tokens(workspace)
    shared = tokens[tokens["role"] == "read"]
    if shared.empty:
        return
    st.markdown(f"**{t('ws.links', L)}**")
    for row in shared.itertuples():  # a handful of links
        c1, c2 = st.columns([4, 1])
        state = (t("ws.link_revoked", L) if pd.notna(row.revoked_at)
                 else t("ws.link_expires", L, date=fmt_date(row.expires_at, L)) if pd.notna(row.expires_at)
                 else t("ws.link_no_expiry", L))
        c1.text(t("ws.link_line", L, created=fmt_date(row.created_at, L), state=state,
                  masked=t("ws.link_masked", L) if row.mask else ""))
        if pd.isna(row.revoked_at):
            c2.button(t("ws.revoke", L), key=f"revoke_{row.hash[:16]}",
                      on_click=store.revoke_hash, args=(workspace, row.hash))


def _erase_section(workspace: store.Workspace) -> None:
    L = lang()
    st.subheader(t("ws.erase_title", L))
    st.caption(t("ws.what_is_stored", L))
    customer = st.text_input(t("ws.forget_label", L), help=t("ws.forget_help", L))
    if st.button(t("ws.forget_button", L), disabled=not customer.strip()):
        with error_boundary():
            found, lines = store.forget_customers(workspace, [customer])
        key = "ws.forgotten" if found else "ws.forget_none"
        st.session_state[NOTICE_KEY] = ("success" if found else "warning", t(key, L, lines=fmt_int(lines, L)))
        st.rerun()
    confirm = st.checkbox(t("ws.delete_confirm", L))
    if st.button(t("ws.delete_button", L), type="primary", disabled=not confirm, icon=":material/delete_forever:"):
        with error_boundary():
            store.delete_workspace(workspace)
        leave()
        st.session_state[NOTICE_KEY] = ("success", t("ws.deleted", L))
        st.rerun()


# --- Segmentação and Migração inside a workspace ------------------------------------------------

def saved_runs() -> pd.DataFrame | None:
    """The workspace's saved runs (oldest first), or None outside a workspace."""
    access = current_access()
    return None if access is None else store.list_runs(access.workspace)


def change_since_saved(seg) -> pd.Series | None:
    """Each segment's change in customers since the last saved run before this reference date, in
    rank order (a column for the segment table), or None outside a workspace or without such a run."""
    from metriqr.segments import SEGMENTS

    access = current_access()
    if access is None:
        return None
    runs = store.list_runs(access.workspace)
    earlier = runs[runs["as_of"] < seg.as_of]
    if earlier.empty:
        return None
    last = earlier.iloc[-1]
    before = store.run_customers(access.workspace, int(last["run"]))["segment"].value_counts()
    now = seg.customers["segment"].astype(str).value_counts()
    L = lang()
    return pd.Series([f"{int(now.get(s.key, 0)) - int(before.get(s.key, 0)):+d}" for s in SEGMENTS],
                     name=t("ws.col_change_since", L, run=int(last["run"]), date=fmt_date(last["as_of"], L)))


def save_run_button(seg) -> None:
    """The owner saves what they see; a first save is explained."""
    access = current_access()
    if access is None:
        return
    L = lang()
    show_notice()
    if store.list_runs(access.workspace).empty:
        st.caption(t("ws.no_runs_yet", L))
    if access.can_write and st.button(t("ws.save_run", L), icon=":material/bookmark_add:",
                                      help=t("ws.save_run_help", L)):
        with error_boundary():
            run = store.save_run(access.workspace, seg)
        st.session_state[NOTICE_KEY] = ("success", t("ws.run_saved", L, run=run, date=fmt_date(seg.as_of, L)))
        st.rerun()


def with_tenure(listing: pd.DataFrame, seg) -> pd.DataFrame:
    """A customer list with each customer's previous segment and since when they are in this one
    (across the workspace's saved runs); unchanged outside a workspace."""
    access = current_access()
    if access is None or listing.empty:
        return listing
    return store.with_tenure(listing, store.tenure(access.workspace, seg))


def saved_migration(runs: pd.DataFrame):
    """Migração between two saved runs, picked by the user: the segmentations exactly as saved."""
    from metriqr.migration import compare_segmentations

    L = lang()
    access = current_access()
    labels = {int(r.run): t("ws.run_label", L, run=int(r.run), date=fmt_date(r.as_of, L), method=t(f"seg.method_{r.method}", L))
              for r in runs.itertuples()}
    ids = list(labels)
    c1, c2 = st.columns(2)
    first = c1.selectbox(t("ws.run_from", L), ids[:-1], index=len(ids) - 2, format_func=labels.get, key="mig_run_from")
    as_of = dict(zip(runs["run"].astype(int), runs["as_of"]))
    later = [i for i in ids if as_of[i] > as_of[first]]
    second = c2.selectbox(t("ws.run_to", L), later, index=len(later) - 1, format_func=labels.get, key="mig_run_to")
    st.caption(t("ws.runs_rule", L))
    return compare_segmentations(store.saved_segmentation(access.workspace, first),
                                 store.saved_segmentation(access.workspace, second))


def sizes_over_time(chain) -> None:
    """Segment sizes across the saved runs (two or more), else across the page's snapshots."""
    from metriqr.charts import segment_sizes_area

    L = lang()
    access = current_access()
    saved = store.all_run_segments(access.workspace) if access is not None else None
    if saved is not None and saved["run"].nunique() >= 2:
        sizes = saved.groupby(["as_of", "segment"]).size().unstack(fill_value=0)
        caption = t("ws.sizes_runs", L)
    else:
        snapshots = [chain[0].before] + [m.after for m in chain]
        sizes = pd.DataFrame([s.customers["segment"].astype(str).value_counts() for s in snapshots],
                             index=[s.as_of for s in snapshots]).fillna(0)
        caption = t("ws.sizes_snapshots", L)
    st.subheader(t("ws.sizes_title", L))
    st.plotly_chart(segment_sizes_area(sizes, L), config={"displayModeBar": False})
    st.caption(caption)
