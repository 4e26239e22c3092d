"""Chart builders: data in, plotly figure out (never shown here). Colours come from the segment table."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from metriqr.segments import BY_KEY, GRID, NEW_IN_PERIOD as NEW, SEGMENTS, source_label
from metriqr.texts import DEFAULT_CURRENCY, fmt_date, fmt_int, fmt_money, fmt_month, fmt_num, fmt_pct, fmt_short, t

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


# --- migration ---------------------------------------------------------------------------

FLOW_COLOURS = {"progressed": "rgba(26,127,55,0.45)", "regressed": "rgba(227,74,51,0.45)",
                "stayed": "rgba(150,150,150,0.30)", "entered": "rgba(31,111,178,0.35)"}
NEW_COLOUR = "#5b6b7f"


def migration_sankey(steps: list[pd.DataFrame], dates: list[pd.Timestamp], lang: str) -> go.Figure:
    """Segments at each date, left to right, with the flows between consecutive dates.

    `steps[i]` holds the flows (source, target, customers, share, kind) from `dates[i]` to
    `dates[i + 1]`. Nodes keep rank order top to bottom in every column (newcomers at the
    bottom) and the segment colours; flows are coloured by progress, regress, stay or entry.
    """
    order = {s.key: s.rank for s in SEGMENTS} | {NEW: len(SEGMENTS) + 1}
    # a node (column, key) is as tall as the larger of what enters and what leaves it
    values: dict[tuple[int, str], int] = {}
    for i, flows in enumerate(steps):
        for side, column in (("source", i), ("target", i + 1)):
            for key, n in flows.groupby(side, observed=True)["customers"].sum().items():
                values[(column, key)] = max(values.get((column, key), 0), int(n))
    nodes: dict[tuple[int, str], int] = {}
    columns = len(steps) + 1
    labels, names, colours, xs, ys, hovers = [], [], [], [], [], []
    for column in range(columns):
        keys = sorted((k for c, k in values if c == column), key=order.get)
        total = sum(values[(column, k)] for k in keys) or 1
        gap = 0.02
        usable = 1 - gap * max(len(keys) - 1, 0)
        top = 0.0
        for key in keys:
            size = values[(column, key)] / total * usable
            nodes[(column, key)] = len(labels)
            names.append(source_label(key, lang))
            text = f"{names[-1]} ({fmt_int(values[(column, key)], lang)})"
            # every column is labelled: the inner ones of a long chain by their count only (the colour
            # and the hover name the segment), so labels never run into the next column
            labels.append(text if column in (0, columns - 1) or columns <= 4
                          else fmt_int(values[(column, key)], lang))
            colours.append(NEW_COLOUR if key == NEW else BY_KEY[key].colour)
            xs.append(min(max(column / (columns - 1), 0.001), 0.999))
            ys.append(min(max(top + size / 2, 0.001), 0.999))
            hovers.append(f"{text}<br>{fmt_date(dates[column], lang)}")
            top += size + gap
    sources, targets, counts, link_colours, link_text = [], [], [], [], []
    for i, flows in enumerate(steps):
        for row in flows.itertuples(index=False):  # ≤ 110 flows per step
            sources.append(nodes[(i, row.source)])
            targets.append(nodes[(i + 1, row.target)])
            counts.append(int(row.customers))
            link_colours.append(FLOW_COLOURS[row.kind])
            link_text.append(f"{names[sources[-1]]} → {names[targets[-1]]}<br>{fmt_int(row.customers, lang)} · "
                             + t("chart.flow_hover", lang, share=fmt_pct(row.share, lang)))
    figure = go.Figure(go.Sankey(
        arrangement="fixed",
        node=dict(label=labels, color=colours, x=xs, y=ys, pad=8, thickness=16, customdata=hovers,
                  line=dict(width=0), hovertemplate="%{customdata}<extra></extra>"),
        link=dict(source=sources, target=targets, value=counts, color=link_colours, customdata=link_text,
                  hovertemplate="%{customdata}<extra></extra>")))
    annotations = [dict(x=min(max(c / (columns - 1), 0), 1), y=1.06, xref="paper", yref="paper",
                        text=f"<b>{fmt_date(dates[c], lang)}</b>", showarrow=False,
                        xanchor="left" if c == 0 else "right" if c == columns - 1 else "center")
                   for c in range(columns)]
    figure.update_layout(margin=dict(t=40, l=10, r=10, b=10), height=560, font=FONT, annotations=annotations)
    return figure


def migration_heatmap(counts: pd.DataFrame, shares: pd.DataFrame, lang: str) -> go.Figure:
    """The migration matrix: rows = where customers were, columns = where they are; colour = row %."""
    rows = [source_label(k, lang) if k == NEW else BY_KEY[k].label(lang) for k in counts.index]
    columns = [BY_KEY[k].label(lang) for k in counts.columns]
    text = [[f"{fmt_int(n, lang)}<br>{fmt_pct(s, lang, 0)}" if n else "" for n, s in zip(row_n, row_s)]
            for row_n, row_s in zip(counts.to_numpy(), np.nan_to_num(shares.to_numpy()))]
    figure = go.Figure(go.Heatmap(
        z=np.nan_to_num(shares.to_numpy()), x=columns, y=rows, text=text, texttemplate="%{text}",
        colorscale="Blues", zmin=0, zmax=1, showscale=False, xgap=2, ygap=2, textfont=dict(size=11),
        hovertemplate="%{y} → %{x}<br>%{text}<extra></extra>"))
    figure.update_layout(margin=dict(t=10, l=10, r=10, b=10), height=520, font=FONT,
                         xaxis=dict(side="top", title=t("chart.matrix_to", lang), tickangle=-30),
                         yaxis=dict(autorange="reversed", title=t("chart.matrix_from", lang)))
    return figure


def _plain(text: object) -> str:
    """User text for a plotly label: plotly renders a subset of HTML (links!), so `<` is escaped."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def also_bought_bars(table: pd.DataFrame, lang: str) -> go.Figure:
    """Confidence of each also-bought product, best first, with its lift in the hover."""
    names = [_plain(n) for n in table["name"]]
    figure = go.Figure(go.Bar(
        x=table["confidence"], y=names, orientation="h", marker_color=SEGMENTS[0].colour,
        text=[fmt_pct(c, lang, 0) for c in table["confidence"]], textposition="auto",
        customdata=[[fmt_int(n, lang), fmt_num(l, lang, 2)] for n, l in zip(table["together"], table["lift"])],
        hovertemplate="%{y}<br>" + t("rec.col_together", lang) + ": %{customdata[0]}<br>"
                      + t("rec.col_lift", lang) + ": %{customdata[1]}<extra></extra>"))
    figure.update_layout(margin=dict(t=10, l=10, r=10, b=10), height=60 + 36 * len(table), font=FONT,
                         xaxis=dict(tickformat=".0%", title=t("rec.col_confidence", lang), range=[0, 1]),
                         yaxis=dict(autorange="reversed"))
    return figure


def money_ticks(values: Sequence[float], lang: str, currency: str | None, *, count: int = 5) -> dict:
    """Axis ticks written as people say amounts: "R$ 60 mil", "R$ 1 mi" (pt), "£60k" (en).

    Plotly's own SI suffixes ("60k", "1M", "1G") are English only; the tick values are chosen
    here (round steps) and labelled with metriqr.texts.fmt_short. `currency=None` for counts."""
    values = [float(v) for v in values if v == v] or [0.0]
    low, high = min(0.0, min(values)), max(0.0, max(values))
    span = (high - low) or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [i * step for i in range(math.floor(low / step), math.ceil(high / step) + 1)]
    return dict(tickmode="array", tickvals=ticks, ticktext=[fmt_short(v, lang, currency) for v in ticks])


def monthly_bars(table: pd.DataFrame, lang: str, *, currency: str | None = DEFAULT_CURRENCY,
                 basis: str = "amount") -> go.Figure:
    """Net revenue per month (metriqr.aggregates.monthly_activity), lines and customers in the hover.

    Without a money column (basis "items") the bars count items bought, and say so."""
    months = [fmt_month(m, lang) for m in table["month"]]
    items = basis == "items"
    title = t("data.monthly_revenue.items" if items else "data.monthly_revenue", lang)
    figure = go.Figure(go.Bar(
        x=months, y=table["revenue"], marker_color=SEGMENTS[0].colour,
        customdata=[[fmt_int(r, lang) if items else fmt_money(r, lang, currency), fmt_int(n, lang), fmt_int(c, lang)]
                    for r, n, c in zip(table["revenue"], table["lines"], table["customers"])],
        hovertemplate="<b>%{x}</b><br>" + title + ": %{customdata[0]}<br>"
                      + t("data.monthly_lines", lang) + ": %{customdata[1]}<br>"
                      + t("data.monthly_customers", lang) + ": %{customdata[2]}<extra></extra>"))
    figure.update_layout(margin=dict(t=10, l=10, r=10, b=10), height=260, font=FONT, bargap=0.15,
                         separators=",." if lang == "pt" else ".,",
                         yaxis=dict(title=title, **money_ticks(table["revenue"], lang, None if items else currency)),
                         xaxis=dict(type="category"))
    return figure


def segment_sizes_area(sizes: pd.DataFrame, lang: str) -> go.Figure:
    """Customers per segment over time, stacked (rows: reference dates; columns: segment keys), the
    best segments at the top, each in its fixed colour."""
    figure = go.Figure()
    dates = [fmt_date(d, lang) for d in sizes.index]
    for segment in reversed(SEGMENTS):  # stacked from the bottom: the worst first
        counts = sizes.get(segment.key, pd.Series(0, index=sizes.index)).to_numpy()
        figure.add_trace(go.Scatter(
            x=dates, y=counts, name=segment.label(lang), stackgroup="one", mode="lines",
            line=dict(width=0.5, color=segment.colour), fillcolor=segment.colour,
            customdata=[fmt_int(n, lang) for n in counts],
            hovertemplate=f"<b>{segment.label(lang)}</b><br>%{{x}}: %{{customdata}}<extra></extra>"))
    figure.update_layout(margin=dict(t=10, l=10, r=10, b=10), height=360, font=FONT,
                         separators=",." if lang == "pt" else ".,", legend=dict(traceorder="reversed"),
                         xaxis=dict(type="category"), yaxis=dict(title=t("ws.sizes_axis", lang)))
    return figure


def calibration_bars(groups: pd.DataFrame, lang: str) -> go.Figure:
    """The hold-out check (metriqr.predict.Calibration.groups): per number of repeat purchases before the
    cut-off, purchases per customer in the test period as the model expected and as they happened; the
    totals and the number of customers in the hover. Per customer, so that small groups stay readable."""
    customers = groups["customers"].replace(0, np.nan)
    figure = go.Figure()
    for column, colour in (("expected", "#9e9e9e"), ("actual", SEGMENTS[0].colour)):
        per_customer = (groups[column] / customers).to_numpy()
        figure.add_trace(go.Bar(
            x=list(groups.index), y=per_customer, name=t(f"pred.calib_{column}", lang), marker_color=colour,
            customdata=[[fmt_num(total, lang, 0), fmt_int(n, lang)]
                        for total, n in zip(groups[column], groups["customers"])],
            hovertemplate="%{x}: %{y:.2f}<br>" + t("pred.calib_total", lang) + ": %{customdata[0]}<br>"
                          + t("pred.col_customers", lang) + ": %{customdata[1]}<extra></extra>"))
    figure.update_layout(margin=dict(t=10, l=10, r=10, b=10), height=320, font=FONT, barmode="group",
                         separators=",." if lang == "pt" else ".,", legend=dict(orientation="h", y=1.12),
                         xaxis=dict(type="category", title=t("pred.calib_x", lang)),
                         yaxis=dict(title=t("pred.calib_y", lang)))
    return figure


def campaign_curve(curve: pd.DataFrame, lang: str) -> go.Figure:
    """Cumulative purchase rate per day since the campaign (`Measurement.cumulative`: day, target,
    control): the gap between the two lines is what the campaign did, day by day."""
    figure = go.Figure()
    days = [fmt_date(d, lang) for d in curve["day"]]
    for group, colour, dash in (("target", "#1f6fb2", "solid"), ("control", "#7f7f7f", "dash")):
        name = t(f"camp.group_{group}", lang)
        figure.add_trace(go.Scatter(
            x=list(curve["day"]), y=curve[group].to_numpy(), name=name, mode="lines",
            line=dict(color=colour, width=3 if group == "target" else 2, dash=dash),
            customdata=[[d, fmt_pct(v, lang)] for d, v in zip(days, curve[group])],
            hovertemplate=f"<b>{name}</b><br>%{{customdata[0]}}: %{{customdata[1]}}<extra></extra>"))
    figure.update_layout(margin=dict(t=10, l=10, r=10, b=10), height=340, font=FONT,
                         separators=",." if lang == "pt" else ".,", hovermode="x unified",
                         legend=dict(orientation="h", y=1.08, x=0),
                         yaxis=dict(title=t("camp.curve_axis", lang), tickformat=".0%", rangemode="tozero"),
                         xaxis=dict(tickformat="%d/%m/%Y" if lang == "pt" else "%Y-%m-%d"))
    return figure
