"""MetriQR entry point: page config, language, data source summary, navigation."""
from __future__ import annotations

import streamlit as st

from metriqr.texts import LANGS, t
from ui import warm
from ui.state import current_source, lang, set_params, take_upload
from ui.style import phone_css
from ui.workspace import active_access, leave

st.set_page_config(page_title="MetriQR", page_icon="📊", layout="wide")
phone_css()

# Language: the URL's ?lang= decides on arrival, the sidebar switch afterwards; the URL follows.
if "lang" not in st.session_state:
    st.session_state["lang"] = lang()
st.sidebar.radio("Idioma / Language", LANGS, key="lang", horizontal=True,
                 format_func=lambda code: t(f"app.lang_name.{code}", code))
set_params(lang=lang())
current = lang()

data_page = st.Page("app_pages/dados.py", title=t("page.data", current), icon=":material/upload_file:",
                    url_path="dados")


def _home() -> None:
    """The root URL opens Dados; a hidden default page keeps `/dados` a real, shareable address."""
    st.switch_page(data_page)


pages = [
    st.Page(_home, title="MetriQR", url_path="inicio", default=True, visibility="hidden"),
    data_page,
    st.Page("app_pages/segmentacao.py", title=t("page.segmentation", current), icon=":material/donut_small:",
            url_path="segmentacao"),
    st.Page("app_pages/valor.py", title=t("pred.page", current), icon=":material/trending_up:", url_path="valor"),
    st.Page("app_pages/migracao.py", title=t("page.migration", current), icon=":material/swap_horiz:",
            url_path="migracao"),
    st.Page("app_pages/recomendacoes.py", title=t("page.recommendations", current), icon=":material/shopping_cart:",
            url_path="recomendacoes"),
    st.Page("app_pages/campanhas.py", title=t("camp.page", current), icon=":material/campaign:", url_path="campanhas"),
]
page = st.navigation(pages)

access = active_access()  # the link's workspace, if any; a bad link stops here with "not found"
take_upload()
source = current_source()
with st.sidebar:
    st.caption(t("app.source", current))
    if access is not None:
        st.text(t(f"ws.badge_{access.role}", current))
        st.caption(t("ws.sidebar_stored" if access.can_write else "ws.sidebar_shared", current))
        st.button(t("ws.leave", current), on_click=leave, key="ws_leave")
    else:
        badge = "app.demo_badge" if source.is_demo else "app.upload_badge"
        # The file name is user text: shown with st.text, never as Markdown or HTML.
        st.text(t(badge, current, name=source.name))
        st.caption(t("app.change_data", current))
        st.caption(t("app.privacy", current))

try:
    page.run()
finally:
    # Once per server process, after the first visitor's page has been computed (so it does not
    # compete with it): imports and the demo's results for every other page, in the background.
    warm.start()
