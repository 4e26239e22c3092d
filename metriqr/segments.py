"""The ten RFM segments: one table that everything reads.

Keys, ranks (1 = most valuable), tiers, colours and the cells of the R × FM grid each
segment owns (labels and actions are in the `metriqr.texts` catalogue). The grid is the classic RFM map: rows are the recency score (5 = bought most recently), columns the
FM score (the mean of the frequency and monetary scores, rounded half up).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metriqr.texts import t


@dataclass(frozen=True)
class Segment:
    key: str
    rank: int
    tier: str  # top | middle | bottom
    colour: str
    r_scores: tuple[int, ...]
    fm_scores: tuple[int, ...]

    def label(self, lang: str) -> str:
        return t(f"segment.{self.key}.label", lang)

    def action(self, lang: str) -> str:
        return t(f"segment.{self.key}.action", lang)


# key, rank, tier, colour, R scores, FM scores (labels and actions: `segment.<key>.*` in the catalogue)
SEGMENTS: tuple[Segment, ...] = (
    Segment("champions", 1, "top", "#1a7f37", (5,), (4, 5)),
    Segment("loyal", 2, "top", "#4caf50", (3, 4), (4, 5)),
    Segment("potential_loyalist", 3, "top", "#9bd48f", (4, 5), (2, 3)),
    Segment("new", 4, "middle", "#1f6fb2", (5,), (1,)),
    Segment("promising", 5, "middle", "#6cb4e4", (4,), (1,)),
    Segment("need_attention", 6, "middle", "#f2c12e", (3,), (3,)),
    Segment("about_to_sleep", 7, "bottom", "#f59342", (3,), (1, 2)),
    Segment("cant_lose", 8, "bottom", "#a50f15", (1, 2), (5,)),
    Segment("at_risk", 9, "bottom", "#e34a33", (1, 2), (3, 4)),
    Segment("inactive", 10, "bottom", "#9e9e9e", (1, 2), (1, 2)),
)

SEGMENT_KEYS: tuple[str, ...] = tuple(s.key for s in SEGMENTS)
BY_KEY: dict[str, Segment] = {s.key: s for s in SEGMENTS}
TIERS: tuple[str, ...] = ("top", "middle", "bottom")


def tier_label(tier: str, lang: str) -> str:
    return t(f"tier.{tier}.label", lang)


def tier_advice(tier: str, lang: str) -> str:
    """How to talk to a tier: few messages at the top, offers in the middle, precision at the bottom."""
    return t(f"tier.{tier}.advice", lang)


def _build_grid() -> np.ndarray:
    """GRID[r - 1, fm - 1] = index into SEGMENTS; every cell is owned exactly once."""
    grid = np.full((5, 5), -1, dtype=np.int8)
    for index, segment in enumerate(SEGMENTS):
        for r in segment.r_scores:
            for fm in segment.fm_scores:
                if grid[r - 1, fm - 1] != -1:
                    raise ValueError(f"grid cell R{r} FM{fm} claimed twice")
                grid[r - 1, fm - 1] = index
    if (grid == -1).any():
        raise ValueError("grid cells without a segment: " + str(np.argwhere(grid == -1) + 1))
    return grid


GRID: np.ndarray = _build_grid()


def fm_score(f: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Mean of F and M rounded half up (2.5 → 3), as integers 1–5."""
    return np.floor((np.asarray(f) + np.asarray(m)) / 2 + 0.5).astype(np.int8)


def segment_index(r: np.ndarray, fm: np.ndarray) -> np.ndarray:
    """Index into SEGMENTS for each (R, FM) pair of scores."""
    return GRID[np.asarray(r) - 1, np.asarray(fm) - 1]


def segment_keys(r: np.ndarray, fm: np.ndarray) -> np.ndarray:
    return np.asarray(SEGMENT_KEYS, dtype=object)[segment_index(r, fm)]


NEW_IN_PERIOD = "new_in_period"


def label(key: str, lang: str) -> str:
    return BY_KEY[key].label(lang)


def source_label(key: str, lang: str) -> str:
    """Label of a migration source or target: a segment, or the customers new in the period."""
    return t(f"segment.{key}.label", lang) if key == NEW_IN_PERIOD else BY_KEY[key].label(lang)


def colour_map() -> dict[str, str]:
    return {s.key: s.colour for s in SEGMENTS}
