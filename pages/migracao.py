"""Migração: placeholder until the migration issue lands."""
import streamlit as st

from metriqr.texts import t
from ui.state import ensure_entrypoint, lang

ensure_entrypoint()
L = lang()
st.title(t("page.migration", L))
st.info(t("soon.migration", L), icon="🔀")
