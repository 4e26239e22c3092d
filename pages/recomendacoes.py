"""Recomendações: placeholder until the recommendations issue lands."""
import streamlit as st

from metriqr.texts import t
from ui.state import ensure_entrypoint, lang

ensure_entrypoint()
L = lang()
st.title(t("page.recommendations", L))
st.info(t("soon.recommendations", L), icon="🛒")
