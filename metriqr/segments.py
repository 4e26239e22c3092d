"""The ten RFM segments: one table that everything reads.

Keys, ranks (1 = most valuable), tiers, labels in both languages, colours, the actions
the product recommends, and the cells of the R × FM grid each segment owns. The grid is
the classic RFM map: rows are the recency score (5 = bought most recently), columns the
FM score (the mean of the frequency and monetary scores, rounded half up).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Segment:
    key: str
    rank: int
    tier: str  # top | middle | bottom
    label_pt: str
    label_en: str
    colour: str
    action_pt: str
    action_en: str
    r_scores: tuple[int, ...]
    fm_scores: tuple[int, ...]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_pt

    def action(self, lang: str) -> str:
        return self.action_en if lang == "en" else self.action_pt


SEGMENTS: tuple[Segment, ...] = (
    Segment("champions", 1, "top", "Campeões", "Champions", "#1a7f37",
            "Recompense: acesso antecipado a novidades, brindes e convites exclusivos. São os primeiros a experimentar e os que mais indicam a loja.",
            "Reward them: early access to new products, gifts and exclusive invitations. They try new things first and recommend you the most.",
            (5,), (4, 5)),
    Segment("loyal", 2, "top", "Fidelizados", "Loyal", "#4caf50",
            "Ofereça produtos de maior valor alinhados ao gosto de cada um e peça a opinião deles sobre a loja.",
            "Offer higher-value products that match their taste and ask for their opinion of the business.",
            (3, 4), (4, 5)),
    Segment("potential_loyalist", 3, "top", "Quase Fidelizados", "Potential Loyalists", "#9bd48f",
            "Convide para o programa de fidelidade e recomende complementos do que já costumam comprar.",
            "Invite them to the loyalty programme and recommend complements to what they usually buy.",
            (4, 5), (2, 3)),
    Segment("new", 4, "middle", "Novos Clientes", "New Customers", "#1f6fb2",
            "Esteja por perto: boas-vindas, ajuda na primeira experiência e algo de valor logo no início da relação.",
            "Be there for them: a welcome, help with the first experience and something of value early in the relationship.",
            (5,), (1,)),
    Segment("promising", 5, "middle", "Promissores", "Promising", "#6cb4e4",
            "Torne a marca memorável: ofertas do tipo leve 2 pague 1 e amostras incentivam a segunda compra.",
            "Make the brand memorable: buy-one-get-one offers and samples encourage the next purchase.",
            (4,), (1,)),
    Segment("need_attention", 6, "middle", "Atenção", "Need Attention", "#f2c12e",
            "Ofertas por tempo limitado e recomendações pessoais a partir das compras anteriores.",
            "Time-limited offers and personal recommendations based on past purchases.",
            (3,), (3,)),
    Segment("about_to_sleep", 7, "bottom", "Adormecendo", "About to Sleep", "#f59342",
            "Reconecte: lembre o que a loja oferece de melhor que a concorrência, com produtos populares e condições especiais.",
            "Reconnect: remind them what the business does better than competitors, with popular products and special terms.",
            (3,), (1, 2)),
    Segment("cant_lose", 8, "bottom", "Reconquistar", "Can't Lose Them", "#a50f15",
            "Descubra por que a relação esfriou (pesquisa curta) e ofereça algo em troca da resposta para trazê-los de volta.",
            "Find out why the relationship ended (short survey) and win them back with something in exchange for their feedback.",
            (1, 2), (5,)),
    Segment("at_risk", 9, "bottom", "Em Risco", "At Risk", "#e34a33",
            "Contato pessoal e direto: ligação ou mensagem individual, com uma oferta pensada para cada cliente.",
            "Personal, direct contact: a call or individual message, with an offer made for each customer.",
            (1, 2), (3, 4)),
    Segment("inactive", 10, "bottom", "Inativos", "Hibernating / Lost", "#9e9e9e",
            "Produtos relevantes podem reativá-los; mantenha a marca presente sem excesso de mensagens.",
            "Relevant products may reactivate them; keep the brand present without too many messages.",
            (1, 2), (1, 2)),
)

SEGMENT_KEYS: tuple[str, ...] = tuple(s.key for s in SEGMENTS)
BY_KEY: dict[str, Segment] = {s.key: s for s in SEGMENTS}
TIERS: tuple[str, ...] = ("top", "middle", "bottom")

TIER_ADVICE: dict[str, dict[str, str]] = {
    "top": {"pt": "poucas mensagens, novidades e experiências.",
            "en": "few messages, novelty and experiences."},
    "middle": {"pt": "promoções e ofertas.",
               "en": "promotions and offers."},
    "bottom": {"pt": "mensagens precisas, na medida certa.",
               "en": "precise messages in the right amount."},
}
TIER_LABEL: dict[str, dict[str, str]] = {
    "top": {"pt": "Topo", "en": "Top"},
    "middle": {"pt": "Meio", "en": "Middle"},
    "bottom": {"pt": "Base", "en": "Bottom"},
}


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
NEW_IN_PERIOD_LABEL = {"pt": "Novos no período", "en": "New in the period"}


def label(key: str, lang: str) -> str:
    return BY_KEY[key].label(lang)


def source_label(key: str, lang: str) -> str:
    """Label of a migration source or target: a segment, or the customers new in the period."""
    return NEW_IN_PERIOD_LABEL["en" if lang == "en" else "pt"] if key == NEW_IN_PERIOD else BY_KEY[key].label(lang)


def colour_map() -> dict[str, str]:
    return {s.key: s.colour for s in SEGMENTS}
