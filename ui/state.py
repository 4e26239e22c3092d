"""Session state and URL state: which data, which language, which view.

The uploaded file's bytes live in `st.session_state` (this session's memory only, never
on disk). Query parameters are a fixed whitelist of typed values; anything else in the
URL is ignored.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from metriqr.errors import MetriqrError
from metriqr.texts import normalise_lang, t

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PATH = ROOT / "sample_data" / "loja_exemplo.csv"
log = logging.getLogger("metriqr.ui")


@dataclass(frozen=True)
class Source:
    """The data the session analyses: the demo file or the user's upload."""

    name: str
    digest: str
    data: bytes = field(repr=False)
    is_demo: bool = False


@st.cache_resource
def _sample_bytes() -> tuple[bytes, str]:
    """The demo file is the same for everyone: read once per server."""
    data = SAMPLE_PATH.read_bytes()
    return data, hashlib.sha256(data).hexdigest()


def sample_source() -> Source:
    data, digest = _sample_bytes()
    return Source(name=SAMPLE_PATH.name, digest=digest, data=data, is_demo=True)


def current_source() -> Source:
    return st.session_state.get("source") or sample_source()


def set_upload(name: str, data: bytes) -> None:
    """Replace the session's data; sheet choice and column corrections start afresh."""
    digest = hashlib.sha256(data).hexdigest()
    previous = st.session_state.get("source")
    if previous is not None and previous.digest == digest:
        return
    st.session_state["source"] = Source(name=name, digest=digest, data=data)
    st.session_state["sheet"] = None
    st.session_state["overrides"] = {}
    st.session_state.pop("date_order", None)


def upload_key() -> str:
    """The uploader's widget key; a new key empties the widget (used when going back to the demo)."""
    return f"upload_{st.session_state.get('upload_generation', 0)}"


def take_upload() -> None:
    """Adopt a freshly uploaded file before anything renders, so every part of the page agrees."""
    upload = st.session_state.get(upload_key())
    if upload is not None:
        set_upload(upload.name, upload.getvalue())


def reset_to_demo() -> None:
    for key in ("source", "sheet", "overrides", "date_order"):
        st.session_state.pop(key, None)
    st.session_state["upload_generation"] = st.session_state.get("upload_generation", 0) + 1


def sheet() -> str | None:
    return st.session_state.get("sheet")


DATE_ORDER = "_date_order"  # travels with the column corrections: it changes the cleaning as they do


def overrides() -> tuple[tuple[str, str], ...]:
    """The user's column corrections (and day/month order choice) as a hashable, ordered tuple
    (part of cache keys)."""
    order = st.session_state.get("date_order")
    return tuple(sorted((st.session_state.get("overrides") or {}).items())) + (((DATE_ORDER, order),) if order else ())


def lang() -> str:
    return normalise_lang(st.session_state.get("lang") or st.query_params.get("lang"))


def query_choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    """A query parameter restricted to `allowed` values (whitelist); anything else → default."""
    value = st.query_params.get(name)
    return value if value in allowed else default


def page_header(title_key: str, intro_key: str | None = None) -> Source:
    """Title, optional intro and the demo-data reminder every analysis page starts with; returns the data source."""
    current = lang()
    st.title(t(title_key, current))
    if intro_key:
        st.caption(t(intro_key, current))
    source = current_source()
    if source.is_demo:
        st.caption(t("app.demo_badge", current, name=source.name))
    return source


@contextmanager
def error_boundary() -> Iterator[None]:
    """Turn expected problems into a message in the user's language; never show a traceback."""
    try:
        yield
    except MetriqrError as error:
        st.error(error.message(lang()))
        st.stop()
    except Exception:  # noqa: BLE001 — the boundary's purpose: log it, show a plain message
        log.exception("unexpected error")
        st.error(t("app.unexpected", lang()))
        st.stop()
