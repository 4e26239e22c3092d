"""The segment table and the R × FM grid (metriqr.segments): one source of truth, complete in both languages."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metriqr.segments import (BY_KEY, GRID, SEGMENT_KEYS, SEGMENTS, TIERS, colour_map,
                              fm_score, label, segment_index, segment_keys, tier_advice,
                              tier_label)

# The map as the issue states it: segment → (R scores, FM scores).
ISSUE_MAP = {
    "champions": ((5,), (4, 5)),
    "loyal": ((3, 4), (4, 5)),
    "potential_loyalist": ((4, 5), (2, 3)),
    "new": ((5,), (1,)),
    "promising": ((4,), (1,)),
    "need_attention": ((3,), (3,)),
    "about_to_sleep": ((3,), (1, 2)),
    "at_risk": ((1, 2), (3, 4)),
    "cant_lose": ((1, 2), (5,)),
    "inactive": ((1, 2), (1, 2)),
}

# SPEC §2: rank order, pt-BR and English labels, tier.
SPEC_TABLE = [
    ("champions", "Campeões", "Champions", "top"),
    ("loyal", "Fidelizados", "Loyal", "top"),
    ("potential_loyalist", "Quase Fidelizados", "Potential Loyalists", "top"),
    ("new", "Novos Clientes", "New Customers", "middle"),
    ("promising", "Promissores", "Promising", "middle"),
    ("need_attention", "Atenção", "Need Attention", "middle"),
    ("about_to_sleep", "Adormecendo", "About to Sleep", "bottom"),
    ("cant_lose", "Reconquistar", "Can't Lose Them", "bottom"),
    ("at_risk", "Em Risco", "At Risk", "bottom"),
    ("inactive", "Inativos", "Hibernating / Lost", "bottom"),
]


def test_grid_covers_every_cell_exactly_once():
    cells = [(r, fm) for s in SEGMENTS for r in s.r_scores for fm in s.fm_scores]
    assert len(cells) == 25 and len(set(cells)) == 25
    assert GRID.shape == (5, 5) and set(GRID.ravel()) == set(range(10))


def test_grid_matches_the_issue_map():
    expected = {(r, fm): key for key, (rs, fms) in ISSUE_MAP.items() for r in rs for fm in fms}
    assert len(expected) == 25
    for (r, fm), key in expected.items():
        assert segment_keys(np.array([r]), np.array([fm]))[0] == key, (r, fm)
        assert SEGMENTS[segment_index(r, fm)].key == key
    for key, (rs, fms) in ISSUE_MAP.items():
        assert (BY_KEY[key].r_scores, BY_KEY[key].fm_scores) == (rs, fms)


def test_segment_keys_vectorised():
    assert segment_keys(np.array([5, 1, 3]), np.array([5, 1, 3])).tolist() == ["champions", "inactive", "need_attention"]


def test_keys_ranks_and_labels_in_rank_order():
    assert SEGMENT_KEYS == ("champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
                            "about_to_sleep", "cant_lose", "at_risk", "inactive")
    assert [s.rank for s in SEGMENTS] == list(range(1, 11))
    assert [(s.key, s.label("pt"), s.label("en"), s.tier) for s in SEGMENTS] == SPEC_TABLE


def test_table_is_complete_in_both_languages():
    for segment in SEGMENTS:
        for lang in ("pt", "en"):
            assert segment.label(lang).strip() and segment.action(lang).strip()
            assert label(segment.key, lang) == segment.label(lang)
        assert segment.action("pt") != segment.action("en")
        assert segment.tier in TIERS
    for lang in ("pt", "en"):
        labels = [s.label(lang) for s in SEGMENTS]
        actions = [s.action(lang) for s in SEGMENTS]
        assert len(set(labels)) == 10 and len(set(actions)) == 10
    for tier in TIERS:
        for lang in ("pt", "en"):
            assert tier_advice(tier, lang).strip() and tier_label(tier, lang).strip()
    assert tier_label("top", "pt") == "Topo" and tier_advice("middle", "en") == "promotions and offers."


def test_colours_unique_hex_and_mapped():
    colours = [s.colour for s in SEGMENTS]
    assert len(set(c.lower() for c in colours)) == 10
    assert all(re.fullmatch(r"#[0-9a-fA-F]{6}", c) for c in colours)
    assert colour_map() == {s.key: s.colour for s in SEGMENTS}
    assert list(colour_map()) == list(SEGMENT_KEYS)


def test_unknown_language_falls_back_to_portuguese():
    assert BY_KEY["champions"].label("es") == "Campeões"


@pytest.mark.parametrize("f, m, expected", [
    (3, 2, 3), (2, 3, 3), (1, 2, 2), (1, 1, 1), (5, 4, 5), (4, 5, 5), (5, 5, 5), (1, 5, 3), (1, 4, 3), (2, 4, 3),
])
def test_fm_rounds_half_up(f, m, expected):
    assert int(fm_score(np.array([f]), np.array([m]))[0]) == expected


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=30))
def test_fm_is_the_mean_rounded_half_up(pairs):
    f = np.array([p[0] for p in pairs])
    m = np.array([p[1] for p in pairs])
    fm = fm_score(f, m)
    assert ((fm >= np.minimum(f, m)) & (fm <= np.maximum(f, m))).all()
    assert (fm == fm_score(m, f)).all()
    assert (np.abs(fm - (f + m) / 2) <= 0.5).all()
    assert ((fm - (f + m) / 2 == 0.5) | (np.abs(fm - (f + m) / 2) < 0.5)).all()  # halves go up
