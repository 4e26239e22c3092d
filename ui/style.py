"""Page-wide CSS for small screens, from product constants only (never user text).

Wide charts (the migration matrix, the Sankey) keep a readable minimum width and scroll
sideways inside their own box on a phone, instead of squeezing ten columns of digits and
labels into 390 px where they overlap.
"""
from __future__ import annotations

import streamlit as st

WIDE_KEYS = ("wide_matrix", "wide_sankey")
MIN_WIDTH_PX = 760


def wide(key: str):
    """A container whose chart keeps MIN_WIDTH_PX and scrolls sideways on narrow screens."""
    assert key in WIDE_KEYS
    return st.container(key=key)


def phone_css() -> None:
    rules = " ".join(
        f".st-key-{key} {{ overflow-x: auto; }} "
        f".st-key-{key} > [data-testid='stElementContainer'] {{ min-width: {MIN_WIDTH_PX}px; }}" for key in WIDE_KEYS)
    # long one-word titles ("Recomendações") must not break mid-word on a 390 px screen
    rules += " @media (max-width: 640px) { h1 { font-size: 2rem !important; overflow-wrap: normal; } }"
    st.html(f"<style>{rules}</style>")
