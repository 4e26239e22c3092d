"""Chart builders: data in, plotly figure out (never shown here). Colours come from the segment table."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from metriqr.segments import BY_KEY, GRID, SEGMENTS
from metriqr.texts import fmt_int, fmt_pct, t

FONT = dict(family="sans-serif", size=13)


def segment_treemap(summary: pd.DataFrame, lang: str) -> go.Figure:
    """Share of customers per segment; each segment in its fixed colour, empty ones left out."""
    present = summary[summary["customers"] > 0]
    labels = [BY_KEY[k].label(lang) for k in present.index]
    text = [f"{fmt_int(n, lang)} · {fmt_pct(s, lang)}" for n, s in zip(present["customers"], present["share"])]
    figure = go.Figure(go.Treemap(
        ids=list(present.index), labels=labels, parents=[""] * len(present),
        values=present["customers"].tolist(), text=text, sort=False,
        marker=dict(colors=[BY_KEY[k].colour for k in present.index], line=dict(width=2, color="white")),
        texttemplate="<b>%{label}</b><br>%{text}", hovertemplate="<b>%{label}</b><br>%{text}<extra></extra>",
        textfont=dict(size=15), tiling=dict(pad=2)))
    figure.update_layout(margin=dict(t=10, l=0, r=0, b=0), height=380, font=FONT)
    return figure


def rfm_grid(lang: str, cell_counts: pd.DataFrame | None = None) -> go.Figure:
    """The R × FM map: rows R 5 (top) to 1, columns FM 1 to 5, each cell in its segment's colour.

    `cell_counts` (index r, columns fm) adds the number of customers in each cell.
    """
    n = len(SEGMENTS)
    # discrete colour scale: segment index i owns the band [i/n, (i+1)/n]
    scale = []
    for i, segment in enumerate(SEGMENTS):
        scale += [[i / n, segment.colour], [(i + 1) / n, segment.colour]]
    rows = [5, 4, 3, 2, 1]
    z = np.array([[GRID[r - 1, fm - 1] + 0.5 for fm in range(1, 6)] for r in rows]) / n
    text = []
    for r in rows:
        line = []
        for fm in range(1, 6):
            segment = SEGMENTS[GRID[r - 1, fm - 1]]
            count = ""
            if cell_counts is not None:
                count = "<br>" + fmt_int(cell_counts.get(fm, pd.Series(dtype=int)).get(r, 0), lang)
            line.append(segment.label(lang) + count)
        text.append(line)
    figure = go.Figure(go.Heatmap(
        z=z, x=[f"FM {fm}" for fm in range(1, 6)], y=[f"R {r}" for r in rows], zmin=0, zmax=1,
        colorscale=scale, showscale=False, text=text, texttemplate="%{text}", textfont=dict(size=12),
        hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>", xgap=3, ygap=3))
    figure.update_layout(margin=dict(t=10, l=10, r=10, b=10), height=360, font=FONT,
                         xaxis=dict(side="bottom", title=t("chart.fm_axis", lang)),
                         yaxis=dict(title=t("chart.r_axis", lang), autorange="reversed"))  # R 5 on top
    return figure


def cell_counts(customers: pd.DataFrame) -> pd.DataFrame:
    """Customers per (R, FM) cell, for the grid."""
    return customers.groupby(["r", "fm"]).size().unstack("fm", fill_value=0)
