"""Warm the server once: heavy imports and the demo's results, in a background thread.

Streamlit runs nothing of the app before its first visitor, so whoever opens the first link after
a restart would pay every import and the demo's reading, cleaning, segmentation and matrices on
every page they visit. `start()` (called by app.py after each run's page, acting once per server
process) does that work in a background thread instead: the first page computes only what it
needs, without competing with the warm-up; the next pages, and every later visitor, find their
results ready (the caches' per-key locks make concurrent askers share one computation).
Everything warmed is the demo's, identical for all visitors.
"""
from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("metriqr.ui")
_started = threading.Event()
done = threading.Event()   # set when the warm-up has finished (tests and the benchmark wait on it)
_lock = threading.Lock()
timings: dict[str, float] = {}


def start() -> None:
    """Start the warm-up thread, once per process (later calls return at once)."""
    if _started.is_set():
        return
    with _lock:
        if _started.is_set():
            return
        _started.set()
    threading.Thread(target=_warm, name="metriqr-warm", daemon=True).start()


def _step(name: str, action) -> None:
    begin = time.perf_counter()
    action()
    timings[name] = time.perf_counter() - begin


def _warm() -> None:
    """The demo's default view of every page, most requested first. Any failure is logged and
    left to the page that needs the result (it will meet the same error in its boundary)."""
    try:
        from ui import cache
        from ui.state import DataKey, Options, sample_source

        demo = DataKey(sample_source())
        _step("data_view", lambda: cache.data_view(demo))
        _step("segmentation", lambda: cache.segmentation(demo, Options()))
        _step("charts", _import_charts)
        _step("catalogue", lambda: cache.catalogue(demo))
        _step("history", lambda: cache.history(demo))
        _step("model", lambda: cache.purchases(demo).weights)
        _step("prediction", lambda: cache.prediction(demo, Options(), 90))  # Valor previsto's default view
    except Exception:  # noqa: BLE001 — a warm-up must never take the server down
        log.exception("warm-up failed")
    finally:
        done.set()


def _import_charts() -> None:
    """Plotly builds its figure classes on first use (~0.5 s): build one small figure now."""
    import plotly.graph_objects as go

    go.Figure(go.Bar(x=[1], y=[1])).to_json()
