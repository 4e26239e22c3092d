"""Session state and URL state: which data, which language, which view.

The uploaded file's bytes live in `st.session_state` (this session's memory only, never
on disk). Query parameters are a fixed whitelist of typed values; anything else in the
URL is ignored.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from metriqr.errors import MetriqrError
from metriqr.migration import CADENCES, SOURCE_KEYS
from metriqr.reading import RawTable, read_table, zygote
from metriqr.scoring import METHODS
from metriqr.segments import SEGMENT_KEYS
from metriqr.texts import DEFAULT_LANG, LANGS, fmt_date, normalise_lang, t

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PATH = ROOT / "sample_data" / "loja_exemplo.csv"
log = logging.getLogger("metriqr.ui")
zygote.prestart()  # the reading worker's zygote: ready before the first upload (once per server)


@dataclass(frozen=True)
class Source:
    """Where the session's data comes from: the demo file, an upload, or any other kind.

    Caches never see the bytes: they key on `key` — the kind, a digest that changes whenever the
    content does, and the name — so a rerun hashes three short strings, not megabytes. A new kind
    of source (a stored workspace, say) is one more `kind` with a `load` that returns its file's
    bytes; nothing in `ui.cache` changes.
    """

    kind: str                     # "demo" | "upload" | "workspace"
    name: str
    digest: str                   # identity of the content (sha256 of the bytes, or a stored version's id)
    load: Callable[[], bytes] = field(repr=False, compare=False)
    # A source with no file behind it (a workspace's stored history) hands over its cleaned dataset.
    stored: Callable[[], Any] | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.digest, self.name)

    @property
    def is_demo(self) -> bool:
        return self.kind == "demo"

    @property
    def data(self) -> bytes:
        return self.load()

    def read(self, sheet: str | None) -> RawTable:
        """The file as read (the one place a source turns into a table)."""
        return read_table(self.load(), name=self.name, sheet=sheet)


@dataclass(frozen=True)
class DataKey:
    """Which table the analysis runs on: a source, the chosen sheet and the user's column
    corrections. Every cached question takes one; it hashes by `token` (see ui.cache)."""

    source: Source
    sheet: str | None = None
    fixes: tuple[tuple[str, str], ...] = ()

    def token(self) -> tuple:
        return (*self.source.key, self.sheet, self.fixes)


def bytes_source(kind: str, name: str, data: bytes) -> Source:
    """A source whose content is in memory (the demo file, an upload)."""
    return Source(kind=kind, name=name, digest=hashlib.sha256(data).hexdigest(), load=lambda: data)


@st.cache_resource
def sample_source() -> Source:
    """The demo file is the same for everyone: read and hashed once per server."""
    return bytes_source("demo", SAMPLE_PATH.name, SAMPLE_PATH.read_bytes())


def current_source() -> Source:
    """The workspace the session's link opened, else the session's upload, else the demo."""
    return st.session_state.get("ws_source") or st.session_state.get("source") or sample_source()


def current_data() -> DataKey:
    """The session's source with its sheet and column corrections: the key of every analysis."""
    return DataKey(current_source(), sheet(), overrides())


def set_upload(name: str, data: bytes) -> None:
    """Replace the session's data; sheet choice and column corrections start afresh."""
    upload = bytes_source("upload", name, data)
    previous = st.session_state.get("source")
    if previous is not None and previous.digest == upload.digest:
        return
    st.session_state["source"] = upload
    st.session_state["sheet"] = None
    st.session_state["overrides"] = {}
    st.session_state.pop("opt_as_of", None)  # a date chosen on other data does not carry over
    st.session_state.pop("date_order", None)


def upload_key() -> str:
    """The uploader's widget key; a new key empties the widget (used when going back to the demo)."""
    return f"upload_{st.session_state.get('upload_generation', 0)}"


def take_upload() -> None:
    """Adopt a freshly uploaded file before anything renders, so every part of the page agrees."""
    upload = st.session_state.get(upload_key())
    if upload is not None and st.session_state.get("upload_id") != upload.file_id:
        set_upload(upload.name, upload.getvalue())  # hashed once per uploaded file, not on every rerun
        st.session_state["upload_id"] = upload.file_id


def reset_to_demo() -> None:
    for key in ("source", "sheet", "overrides", "opt_as_of", "upload_id", "date_order"):
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


# --- query parameters: one typed table ----------------------------------------------------
#
# Every page reads the URL through `param(name)`: a value is parsed by its row's parser, and a
# value that does not parse (`periods=²`, `seg=<script>`) is the row's default, never an error.
# Nothing outside this table is read from the URL.

WINDOWS = {"all": None, "3": 91, "6": 182, "12": 365, "24": 730}   # months of history → days
MODES = ("dates", "cadence")
ALL_MODES = (*MODES, "runs")  # "runs": two saved segmentations, in a workspace with two or more
THRESHOLDS = ("first", "last", "each")
REC_TABS = ("product", "customer", "segment", "quality")
BASES = ("order", "customer")   # metriqr.recommend.BASES (checked by a test), not imported: scipy is slow to load
MAX_TEXT_PARAM = 200
HORIZONS = (30, 90, 180, 365)   # metriqr.predict.HORIZONS (checked by a test), not imported: scipy is slow to load


@dataclass(frozen=True)
class Param:
    name: str
    type: str                          # what the value is: choice, date, int, code
    parse: Callable[[str], Any]        # str → value; raises ValueError for anything else
    default: Any = None
    write: Callable[[Any], str] = str  # value → the URL's text


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(text)
        return text
    return parse


def _iso_date(text: str) -> pd.Timestamp:
    """`YYYY-MM-DD` with ASCII digits and a real calendar day (no `2026-02-30`, no `²`)."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError(text)
    return pd.Timestamp(datetime.strptime(text, "%Y-%m-%d"))


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not re.fullmatch(r"[0-9]{1,4}", text) or not low <= int(text) <= high:
            raise ValueError(text)
        return int(text)
    return parse


def _horizon(text: str) -> int:
    """One of the horizons the Valor previsto page offers, in days."""
    value = _int_between(HORIZONS[0], HORIZONS[-1])(text)
    if value not in HORIZONS:
        raise ValueError(text)
    return value


def _code(text: str) -> str:
    """A product or customer code: printable, bounded; whether the data has it is the page's question."""
    if not text or len(text) > MAX_TEXT_PARAM or not text.isprintable():
        raise ValueError(text)
    return text


def _write_date(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


PARAMS: dict[str, Param] = {p.name: p for p in (
    Param("lang", "choice", _choice(*LANGS), DEFAULT_LANG),
    # the analysis options every page applies (Segmentação sets them; Migração shares the method)
    Param("method", "choice", _choice(*METHODS), "quantile"),
    Param("window", "choice", _choice(*WINDOWS), "all"),
    Param("as_of", "date", _iso_date, None, _write_date),
    # Segmentação
    Param("seg", "choice", _choice(*SEGMENT_KEYS), "champions"),
    # Migração
    Param("mode", "choice", _choice(*ALL_MODES), "dates"),
    Param("cadence", "choice", _choice(*CADENCES), "monthly"),
    Param("periods", "int", _int_between(1, 12), 3),
    Param("thresholds", "choice", _choice(*THRESHOLDS), "first"),
    Param("from", "date", _iso_date, None, _write_date),
    Param("to", "date", _iso_date, None, _write_date),
    Param("src", "choice", _choice(*SOURCE_KEYS), None),
    Param("dst", "choice", _choice(*SEGMENT_KEYS), None),
    # Recomendações
    Param("tab", "choice", _choice(*REC_TABS), "product"),
    Param("product", "code", _code, None),
    Param("basis", "choice", _choice(*BASES), "order"),
    Param("customer", "code", _code, None),
    # a workspace link's token: any bounded printable text here; ui.workspace checks it (a wrong one is "not found")
    Param("ws", "token", _code, None),
    Param("segment", "choice", _choice(*SEGMENT_KEYS), None),
    # Valor previsto (issue 16): the horizon in days, and the segment the customer list is filtered to
    Param("horizon", "int", _horizon, 90),
    Param("pseg", "choice", _choice("all", *SEGMENT_KEYS), "all"),
)}


def param(name: str) -> Any:
    """The URL's value for `name`, parsed; the table's default when absent or not valid."""
    spec = PARAMS[name]
    text = st.query_params.get(name)
    if text is None:
        return spec.default
    try:
        return spec.parse(text)
    except (ValueError, OverflowError):
        return spec.default


def in_url(name: str) -> bool:
    """Whether the URL carries a valid value for `name` (a shared link asked for it)."""
    text = st.query_params.get(name)
    if text is None:
        return False
    try:
        PARAMS[name].parse(text)
    except (ValueError, OverflowError):
        return False
    return True


def set_params(**values: Any) -> None:
    """Write values to the URL through their rows (unknown names are a programming error)."""
    st.query_params.update({name: PARAMS[name].write(value) for name, value in values.items()
                            if value is not None})


def index_of(options: Sequence[Any], value: Any, default: int = 0) -> int:
    return list(options).index(value) if value in options else default


# --- the analysis options every page applies --------------------------------------------------

@dataclass(frozen=True)
class Options:
    """How customers are segmented: the reference date (None = the day after the last sale),
    the window of history and the scoring method. Chosen on Segmentação, applied everywhere."""

    as_of: str | None = None
    window: str = "all"
    method: str = "quantile"

    @property
    def window_days(self) -> int | None:
        return WINDOWS[self.window]


def _chosen(name: str) -> Any:
    """A shared option: the URL's valid value, else this session's last choice, else the default."""
    if in_url(name):
        return param(name)
    return st.session_state.get(f"opt_{name}", PARAMS[name].default)


def remember(**values: Any) -> None:
    """Keep the user's analysis options for every page of this session, and in the URL."""
    for name, value in values.items():
        st.session_state[f"opt_{name}"] = value
    set_params(**values)


def chosen_method() -> str:
    return _chosen("method")


def chosen_window() -> str:
    return _chosen("window")


def reference_date(first: pd.Timestamp, last: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The reference date in force for data whose sales run from `first` to `last`, and the default
    (the day after the last sale). A link's date outside these data is replaced by the default,
    and a note says so."""
    low = pd.Timestamp(first).normalize() + pd.Timedelta(days=1)
    high = pd.Timestamp(last).normalize() + pd.Timedelta(days=1)
    wanted = _chosen("as_of")
    if wanted is None:
        return high, high
    wanted = pd.Timestamp(wanted)
    if low <= wanted <= high:
        return wanted, high
    if in_url("as_of"):
        current = lang()
        other_data_note("link.as_of_outside", date=fmt_date(wanted, current), first=fmt_date(low, current),
                        last=fmt_date(high, current), shown=fmt_date(high, current))
    return high, high


def options(first: pd.Timestamp, last: pd.Timestamp) -> Options:
    """The options in force, for pages that apply them without showing them (Recomendações)."""
    as_of, default = reference_date(first, last)
    return Options(as_of=None if as_of == default else _write_date(as_of), window=chosen_window(),
                   method=chosen_method())


# --- links made on other data -----------------------------------------------------------------

def other_data_note(key: str, *, asked: str | None = None, **values: Any) -> None:
    """Say that the link was made on other data and what is shown instead. `values` are texts
    this app formatted (dates, counts); what the link asked for is user text, shown as text."""
    current = lang()
    st.warning(t("link.other_data", current) + " " + t(key, current, **values), icon=":material/link_off:")
    if asked is not None:
        st.text(t("link.asked", current, value=asked[:MAX_TEXT_PARAM]))


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


_MARKDOWN_SPECIALS = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def plain(text: str) -> str:
    """Text for a Markdown-rendering element (st.error, st.info, ...) that shows it exactly as
    written: every ASCII punctuation character is backslash-escaped, so a header
    `![x](http://host/t)` is no image, `**x**` is not bold, `$y^2$` is not math, `:red[x]`
    is no colour, and no URL becomes a link. Messages carry user text: file, sheet and
    column names, product names."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text).replace("\n", "  \n")


@contextmanager
def error_boundary() -> Iterator[None]:
    """Turn expected problems into a message in the user's language; never show a traceback."""
    try:
        yield
    except MetriqrError as error:
        st.error(plain(error.message(lang())))
        st.stop()
    except Exception:  # noqa: BLE001 — the boundary's purpose: log it, show a plain message
        log.exception("unexpected error")
        st.error(t("app.unexpected", lang()))
        st.stop()
