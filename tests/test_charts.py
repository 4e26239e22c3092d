"""Chart builders return figures; colours and labels come from the segment table (metriqr.charts)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from metriqr.charts import cell_counts, monthly_bars, rfm_grid, segment_treemap
from metriqr.segments import BY_KEY, GRID, SEGMENT_KEYS, SEGMENTS


def summary(counts: dict[str, int]) -> pd.DataFrame:
    frame = pd.DataFrame({"customers": [counts.get(k, 0) for k in SEGMENT_KEYS]}, index=list(SEGMENT_KEYS))
    frame["share"] = frame["customers"] / frame["customers"].sum()
    return frame


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_treemap_colours_and_labels_come_from_the_segment_table(lang):
    counts = {"champions": 3, "new": 1, "cant_lose": 2, "inactive": 4}
    figure = segment_treemap(summary(counts), lang)
    assert isinstance(figure, go.Figure) and len(figure.data) == 1
    trace = figure.data[0]
    assert trace.type == "treemap"
    present = [k for k in SEGMENT_KEYS if k in counts]  # rank order, empty segments left out
    assert list(trace.ids) == present
    assert list(trace.labels) == [BY_KEY[k].label(lang) for k in present]
    assert list(trace.marker.colors) == [BY_KEY[k].colour for k in present]
    assert list(trace.values) == [counts[k] for k in present]


def test_treemap_text_is_formatted_per_language():
    frame = summary({"champions": 1234, "inactive": 766})
    assert segment_treemap(frame, "pt").data[0].text[0] == "1.234 · 61,7%"
    assert segment_treemap(frame, "en").data[0].text[0] == "1,234 · 61.7%"
    assert segment_treemap(frame, "en").data[0].labels[1] == "Hibernating / Lost"


def _colour_at(scale, z: float) -> str:
    for (low, colour), (high, _) in zip(scale[::2], scale[1::2]):
        if low <= z <= high:
            return colour
    raise AssertionError(z)


@pytest.mark.parametrize("lang", ["pt", "en"])
def test_grid_has_25_labelled_cells_in_segment_colours(lang):
    figure = rfm_grid(lang)
    trace = figure.data[0]
    assert trace.type == "heatmap"
    assert list(trace.y) == ["R 5", "R 4", "R 3", "R 2", "R 1"]
    assert list(trace.x) == ["FM 1", "FM 2", "FM 3", "FM 4", "FM 5"]
    assert len(trace.z) == 5 and all(len(row) == 5 for row in trace.z)
    assert len(trace.text) == 5 and all(len(row) == 5 for row in trace.text)
    scale = [tuple(step) for step in trace.colorscale]
    for i, r in enumerate([5, 4, 3, 2, 1]):
        for j, fm in enumerate(range(1, 6)):
            segment = SEGMENTS[GRID[r - 1, fm - 1]]
            assert trace.text[i][j] == segment.label(lang)
            assert _colour_at(scale, trace.z[i][j]) == segment.colour, (r, fm)
    assert trace.texttemplate == "%{text}"
    assert figure.layout.xaxis.title.text and figure.layout.yaxis.title.text
    assert trace.text[0][4] == BY_KEY["champions"].label(lang)  # R 5 · FM 5, top right
    assert trace.text[4][0] == BY_KEY["inactive"].label(lang)   # R 1 · FM 1, bottom left


def test_grid_axis_titles_translated():
    assert rfm_grid("pt").layout.yaxis.title.text.startswith("R: recência")
    assert rfm_grid("en").layout.yaxis.title.text.startswith("R: recency")


def test_grid_with_cell_counts():
    customers = pd.DataFrame({"r": [5, 5, 1, 3], "fm": [5, 5, 1, 3]})
    counts = cell_counts(customers)
    assert counts.loc[5, 5] == 2 and counts.loc[1, 1] == 1 and counts.loc[3, 3] == 1
    text = rfm_grid("pt", counts).data[0].text
    assert text[0][4] == "Campeões<br>2"
    assert text[4][0] == "Inativos<br>1"
    assert text[2][2] == "Atenção<br>1"
    assert text[0][0] == "Novos Clientes<br>0"
    assert sum(int(cell.split("<br>")[1]) for row in text for cell in row) == 4


def test_builders_do_not_show_anything(monkeypatch):
    shown = []
    monkeypatch.setattr(go.Figure, "show", lambda self, *a, **k: shown.append(self))
    segment_treemap(summary({"champions": 1}), "pt")
    rfm_grid("pt")
    assert shown == []


def test_grid_draws_r5_at_the_top_like_the_readme_map():
    figure = rfm_grid("pt")
    heatmap = figure.data[0]
    assert list(heatmap.y) == ["R 5", "R 4", "R 3", "R 2", "R 1"]
    assert figure.layout.yaxis.autorange == "reversed"  # first row (R 5) drawn at the top
    assert heatmap.text[0][4] == "Campeões" and heatmap.text[4][0] == "Inativos"


@pytest.mark.parametrize("lang, months, money, loss", [
    ("pt", ["dez/2024", "jan/2025", "fev/2025"], "R$ 1.234,50", "-R$ 10,00"),
    ("en", ["Dec 2024", "Jan 2025", "Feb 2025"], "R$ 1,234.50", "-R$ 10.00")])
def test_monthly_bars_name_the_months_and_spell_out_the_figures(lang, months, money, loss):
    table = pd.DataFrame({"month": pd.to_datetime(["2024-12-01", "2025-01-01", "2025-02-01"]),
                          "lines": [1200, 0, 5], "customers": [300, 0, 2], "revenue": [1234.5, 0.0, -10.0]})
    trace = monthly_bars(table, lang).data[0]
    assert list(trace.x) == months and list(trace.y) == [1234.5, 0.0, -10.0]
    assert trace.customdata[0][0] == money and trace.customdata[2][0] == loss
    assert ("Receita líquida" if lang == "pt" else "Net revenue") in trace.hovertemplate
