"""Download buttons whose file exists before anyone clicks.

A deferred download (a callable given to st.download_button) is built on click under a
placeholder id that the next rerun replaces: a second click during a rerun, or a busy server,
answered HTTP 404 on /media/… . Here the bytes are built while the page renders (cached by
content, so reruns cost nothing), Streamlit stores them under an id derived from the bytes,
which stays the same from one rerun to the next, and a click never reruns the page
(`on_click="ignore"`). Every click delivers its file.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from metriqr.export import to_csv_bytes, to_xlsx_bytes

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(max_entries=32, show_spinner=False)
def csv_bytes(frame: pd.DataFrame, lang: str) -> bytes:
    return to_csv_bytes(frame, lang=lang)


@st.cache_data(max_entries=16, show_spinner=False)
def xlsx_bytes(sheets: dict[str, pd.DataFrame], formats: dict[str, str] | None = None) -> bytes:
    return to_xlsx_bytes(sheets, formats)


def csv_button(column, label: str, frame: pd.DataFrame, *, lang: str, file_name: str, key: str) -> None:
    column.download_button(label, csv_bytes(frame, lang), file_name=file_name, mime="text/csv", key=key,
                           on_click="ignore")


def xlsx_button(column, label: str, sheets: Mapping[str, pd.DataFrame], *, file_name: str, key: str,
                formats: Mapping[str, str] | None = None) -> None:
    column.download_button(label, xlsx_bytes(dict(sheets), dict(formats) if formats else None),
                           file_name=file_name, mime=XLSX_MIME, key=key, on_click="ignore")
