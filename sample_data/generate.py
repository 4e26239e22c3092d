"""Generate MetriQR's demo dataset: two years of sales of a Brazilian café-empório.

Run ``python sample_data/generate.py``. It rewrites ``sample_data/loja_exemplo.csv``
byte-identically on every run: one seeded numpy Generator consumed in a fixed order,
no clock, no network, integer cents for money.

The data is synthetic but shaped so that every MetriQR feature has something to show:
customer archetypes with a time profile (segments and migrations), seasonal peaks,
Zipf-like product popularity, per-customer favourite products (rebuys) and planted
co-purchase pairs (recommendations). See ``sample_data/README.md``.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

SEED = 20261031
START = date(2024, 11, 1)
END = date(2026, 10, 31)
N_DAYS = (END - START).days + 1
OUT = Path(__file__).with_name("loja_exemplo.csv")
STORE = "Empório Santa Clara"
HEADER = [
    "Pedido", "Data", "Código do Cliente", "Cliente", "Código do Produto", "Produto",
    "Quantidade", "Preço Unitário", "Valor Total",
]
WALK_IN_NAME = "Consumidor Final"
MAX_LINES = 6

# --------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    """One catalogue item; `pop` (1-10) sets its place in the Zipf popularity ranking."""

    code: str
    name: str
    category: str
    price_cents: int
    pop: float
    by_weight: bool = False
    season: str | None = None


# (name, category, price R$, popularity 1-10, sold by kg, season)
_CATALOGUE: list[tuple[str, str, float, float, bool, str | None]] = [
    # cafeteria: consumed at the counter
    ("Café Expresso", "cafeteria", 7.90, 10, False, None),
    ("Pão de Queijo (unidade)", "cafeteria", 5.90, 9.8, False, None),
    ("Cappuccino Italiano", "cafeteria", 12.90, 9.0, False, None),
    ("Café Coado (xícara)", "cafeteria", 6.50, 8.5, False, None),
    ("Croissant de Manteiga", "cafeteria", 11.90, 8.2, False, None),
    ("Pão na Chapa", "cafeteria", 8.90, 7.8, False, None),
    ("Bolo de Fubá com Goiabada (fatia)", "cafeteria", 9.90, 7.2, False, None),
    ("Misto Quente na Chapa", "cafeteria", 16.90, 7.0, False, None),
    ("Suco de Laranja Natural 400 ml", "cafeteria", 12.90, 6.8, False, None),
    ("Bolo de Cenoura com Chocolate (fatia)", "cafeteria", 10.90, 6.0, False, None),
    ("Brigadeiro Gourmet (unidade)", "cafeteria", 5.50, 5.5, False, None),
    ("Chá Gelado de Hibisco 400 ml", "cafeteria", 9.90, 3.5, False, None),
    # bakery and frozen
    ("Pão de Fermentação Natural 600 g", "padaria", 24.90, 7.5, False, None),
    ("Pão de Queijo Congelado 1 kg", "padaria", 39.90, 7.4, False, None),
    ("Baguete Tradicional", "padaria", 7.90, 6.5, False, None),
    ("Pão Italiano 500 g", "padaria", 16.90, 5.0, False, None),
    ("Torrada Integral 160 g", "padaria", 12.90, 4.2, False, None),
    ("Biscoito de Polvilho 100 g", "padaria", 8.90, 4.6, False, None),
    # coffee and teas to take home
    ("Café Especial 250 g", "cafe_cha", 34.90, 8.0, False, None),
    ("Filtro de Papel 103 (30 un.)", "cafe_cha", 6.90, 5.8, False, None),
    ("Café Tradicional 500 g", "cafe_cha", 24.90, 6.4, False, None),
    ("Café Especial em Grãos 500 g", "cafe_cha", 64.90, 4.4, False, None),
    ("Chá de Camomila (15 sachês)", "cafe_cha", 9.90, 3.8, False, None),
    ("Chá Verde com Hortelã (15 sachês)", "cafe_cha", 11.90, 3.2, False, None),
    ("Erva-Mate para Chimarrão 1 kg", "cafe_cha", 29.90, 2.0, False, None),
    # cheeses and cold cuts
    ("Queijo Minas Frescal 500 g", "queijos", 27.90, 7.3, False, None),
    ("Queijo Brie 125 g", "queijos", 24.90, 6.6, False, None),
    ("Queijo Parmesão Ralado 100 g", "queijos", 14.90, 6.2, False, None),
    ("Queijo Canastra Meia Cura (kg)", "queijos", 119.90, 5.4, True, None),
    ("Queijo Coalho 400 g", "queijos", 26.90, 5.2, False, None),
    ("Salame Italiano Fatiado 100 g", "queijos", 19.90, 5.6, False, None),
    ("Presunto Parma Fatiado 100 g", "queijos", 39.90, 4.0, False, None),
    ("Queijo Gorgonzola 200 g", "queijos", 32.90, 3.9, False, None),
    ("Mortadela Bologna (kg)", "queijos", 64.90, 3.6, True, None),
    ("Requeijão Cremoso 200 g", "queijos", 12.90, 5.3, False, None),
    ("Manteiga com Sal 200 g", "queijos", 19.90, 4.8, False, None),
    # wines and spirits
    ("Vinho Tinto Malbec 750 ml", "vinhos", 79.90, 6.9, False, None),
    ("Vinho Tinto Cabernet Sauvignon 750 ml", "vinhos", 69.90, 5.0, False, None),
    ("Vinho Branco Sauvignon Blanc 750 ml", "vinhos", 64.90, 4.5, False, None),
    ("Espumante Brut 750 ml", "vinhos", 74.90, 4.3, False, None),
    ("Vinho Rosé 750 ml", "vinhos", 59.90, 3.3, False, None),
    ("Cachaça Artesanal Envelhecida 700 ml", "vinhos", 89.90, 2.6, False, None),
    # beers
    ("Cerveja Artesanal IPA 500 ml", "cervejas", 22.90, 6.3, False, None),
    ("Cerveja Pilsen Long Neck 355 ml", "cervejas", 7.90, 5.9, False, None),
    ("Cerveja Artesanal Weiss 500 ml", "cervejas", 19.90, 4.1, False, None),
    # other drinks
    ("Água Mineral com Gás 500 ml", "bebidas", 4.50, 6.0, False, None),
    ("Refrigerante de Guaraná Lata 350 ml", "bebidas", 5.90, 5.1, False, None),
    ("Suco de Uva Integral 1 l", "bebidas", 21.90, 4.0, False, None),
    # pantry
    ("Macarrão Grano Duro 500 g", "mercearia", 14.90, 7.1, False, None),
    ("Molho de Tomate Artesanal 320 g", "mercearia", 18.90, 6.7, False, None),
    ("Azeite Extra Virgem 500 ml", "mercearia", 49.90, 6.1, False, None),
    ("Goma de Tapioca 500 g", "mercearia", 9.90, 5.5, False, None),
    ("Feijão Preto 1 kg", "mercearia", 10.90, 4.9, False, None),
    ("Arroz Arbório 1 kg", "mercearia", 34.90, 3.7, False, None),
    ("Azeitona Verde 200 g", "mercearia", 15.90, 4.4, False, None),
    ("Palmito Pupunha 300 g", "mercearia", 24.90, 3.4, False, None),
    ("Pesto de Manjericão 180 g", "mercearia", 26.90, 3.1, False, None),
    ("Farofa Temperada 250 g", "mercearia", 9.90, 3.0, False, None),
    ("Vinagre Balsâmico 250 ml", "mercearia", 29.90, 2.8, False, None),
    ("Funghi Secchi 50 g", "mercearia", 29.90, 2.2, False, None),
    ("Sal Rosa do Himalaia 500 g", "mercearia", 14.90, 2.4, False, None),
    ("Nhoque de Batata 500 g", "mercearia", 16.90, 2.9, False, None),
    # sweets
    ("Goiabada Cascão 500 g", "doces", 16.90, 6.5, False, None),
    ("Doce de Leite Artesanal 400 g", "doces", 21.90, 5.7, False, None),
    ("Chocolate 70% Cacau 100 g", "doces", 17.90, 5.4, False, None),
    ("Geleia de Frutas Vermelhas 250 g", "doces", 22.90, 4.3, False, None),
    ("Mel Silvestre 300 g", "doces", 28.90, 4.2, False, None),
    ("Paçoca Artesanal (10 un.)", "doces", 12.90, 3.9, False, None),
    ("Bombom Sortido (caixa 250 g)", "doces", 34.90, 3.0, False, None),
    ("Cocada Cremosa 200 g", "doces", 13.90, 2.7, False, None),
    # natural and bulk
    ("Granola Artesanal 500 g", "naturais", 29.90, 6.4, False, None),
    ("Iogurte Natural Integral 500 g", "naturais", 13.90, 6.0, False, None),
    ("Castanha de Caju (kg)", "naturais", 99.90, 4.7, True, None),
    ("Mix de Nuts (kg)", "naturais", 89.90, 4.5, True, None),
    ("Castanha-do-Pará (kg)", "naturais", 119.90, 3.5, True, None),
    ("Aveia em Flocos 500 g", "naturais", 9.90, 4.1, False, None),
    ("Pasta de Amendoim Integral 500 g", "naturais", 24.90, 3.6, False, None),
    ("Damasco Seco (kg)", "naturais", 79.90, 2.5, True, None),
    # gifts and seasonal
    ("Cesta Café da Manhã", "presentes", 189.90, 3.2, False, None),
    ("Kit Presente Vinho e Queijos", "presentes", 259.90, 2.9, False, None),
    ("Caneca de Cerâmica Empório", "presentes", 49.90, 2.3, False, None),
    ("Panetone Trufado 700 g", "presentes", 69.90, 6.0, False, "natal"),
    ("Chocotone 500 g", "presentes", 39.90, 5.0, False, "natal"),
    ("Cesta de Natal Premium", "presentes", 489.90, 4.0, False, "cesta_natal"),
    ("Ovo de Páscoa Artesanal 350 g", "presentes", 79.90, 5.0, False, "pascoa"),
    ("Colomba Pascal 500 g", "presentes", 49.90, 4.0, False, "pascoa"),
    ("Cesta Dia das Mães", "presentes", 229.90, 4.5, False, "maes"),
]

_CATEGORY_PREFIX = {
    "cafeteria": 1, "padaria": 2, "cafe_cha": 3, "queijos": 4, "vinhos": 5, "cervejas": 5,
    "bebidas": 5, "mercearia": 6, "doces": 7, "naturais": 8, "presentes": 9,
}

# Planted co-purchase rules: (A, B, P(add B | A in basket), P(add A | B in basket)).
PAIRS: list[tuple[str, str, float, float]] = [
    ("Café Expresso", "Pão de Queijo (unidade)", 0.45, 0.50),
    ("Cappuccino Italiano", "Croissant de Manteiga", 0.45, 0.50),
    ("Vinho Tinto Malbec 750 ml", "Queijo Brie 125 g", 0.65, 0.60),
    ("Macarrão Grano Duro 500 g", "Molho de Tomate Artesanal 320 g", 0.75, 0.70),
    ("Macarrão Grano Duro 500 g", "Queijo Parmesão Ralado 100 g", 0.55, 0.45),
    ("Molho de Tomate Artesanal 320 g", "Queijo Parmesão Ralado 100 g", 0.45, 0.40),
    ("Goiabada Cascão 500 g", "Queijo Minas Frescal 500 g", 0.70, 0.55),
    ("Café Especial 250 g", "Filtro de Papel 103 (30 un.)", 0.55, 0.70),
    ("Cerveja Artesanal IPA 500 ml", "Salame Italiano Fatiado 100 g", 0.55, 0.55),
    ("Pão de Fermentação Natural 600 g", "Azeite Extra Virgem 500 ml", 0.45, 0.55),
    ("Granola Artesanal 500 g", "Iogurte Natural Integral 500 g", 0.65, 0.55),
    ("Goma de Tapioca 500 g", "Queijo Coalho 400 g", 0.65, 0.55),
    ("Panetone Trufado 700 g", "Espumante Brut 750 ml", 0.50, 0.45),
]


def build_catalogue() -> list[Product]:
    """Give each item an internal numeric POS code whose first digit is its section."""
    counters: dict[int, int] = {}
    products = []
    for name, cat, price, pop, by_weight, season in _CATALOGUE:
        prefix = _CATEGORY_PREFIX[cat]
        counters[prefix] = counters.get(prefix, 0) + 1
        code = f"{prefix}{counters[prefix] * 7 + 100:04d}"
        products.append(Product(code, name, cat, round(price * 100), pop, by_weight, season))
    return products


def zipf_weights(products: list[Product], exponent: float = 1.05) -> np.ndarray:
    """Popularity ~ 1 / rank^s, the rank coming from each item's hand-set `pop`."""
    pops = np.array([p.pop for p in products])
    order = np.argsort(-pops, kind="stable")
    ranks = np.empty(len(products))
    ranks[order] = np.arange(1, len(products) + 1)
    return 1.0 / ranks**exponent


def price_on(product: Product, day: date) -> int:
    """Prices rise once, on 1 Jan 2026: +R$ 0,50 below R$ 10, else ~6% in whole reais."""
    cents = product.price_cents
    if day < date(2026, 1, 1):
        return cents
    step = 50 if cents < 1000 else max(100, round(cents * 0.06 / 100) * 100)
    return cents + step


# --------------------------------------------------------------------------------------
# Calendar: opening days, seasonal peaks
# --------------------------------------------------------------------------------------


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (Mon=0) of a month: Mother's Day, Black Friday."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


@dataclass(frozen=True)
class Calendar:
    """Per-day arrays over the period: dates, store traffic, and seasonal windows."""

    days: list[date]
    traffic: np.ndarray  # relative number of visits, 0 when closed
    windows: dict[str, np.ndarray]  # season name -> bool mask


def build_calendar() -> Calendar:
    """Weekly rhythm, summer lull, and the retail peaks a Brazilian empório lives on."""
    days = [START + timedelta(days=i) for i in range(N_DAYS)]
    weekday_factor = np.array([0.85, 0.9, 0.95, 1.0, 1.15, 1.35, 0.8])
    traffic = np.array([weekday_factor[d.weekday()] for d in days])
    windows = {k: np.zeros(N_DAYS, dtype=bool) for k in
               ("natal", "cesta_natal", "pascoa", "maes", "black_friday")}
    for i, d in enumerate(days):
        if d.month in (1, 2):
            traffic[i] *= 0.85  # summer holidays: regulars travel
        if d.month == 12 and d.day <= 24:
            traffic[i] *= 1.25 + 0.7 * d.day / 24  # Christmas ramp
        if (d.month, d.day) in ((12, 25), (1, 1)):
            traffic[i] = 0.0  # closed
        windows["natal"][i] = d.month in (11, 12)
        windows["cesta_natal"][i] = (d.month == 11 and d.day >= 15) or (d.month == 12 and d.day <= 24)
    for year in (START.year, START.year + 1, END.year):
        _mark(days, traffic, windows, "pascoa", easter(year) - timedelta(days=40), easter(year), 1.0)
        _mark(days, traffic, windows, "pascoa", easter(year) - timedelta(days=6), easter(year), 1.3)
        mothers = nth_weekday(year, 5, 6, 2)
        _mark(days, traffic, windows, "maes", mothers - timedelta(days=14), mothers, 1.0)
        _mark(days, traffic, windows, "maes", mothers - timedelta(days=6), mothers, 1.6)
        black_friday = nth_weekday(year, 11, 4, 4)
        _mark(days, traffic, windows, "black_friday", black_friday - timedelta(days=4),
              black_friday + timedelta(days=3), 1.2)
        _mark(days, traffic, windows, "black_friday", black_friday, black_friday, 1.8)
    return Calendar(days, traffic, windows)


def _mark(days: list[date], traffic: np.ndarray, windows: dict[str, np.ndarray],
          season: str, first: date, last: date, boost: float) -> None:
    """Flag a season window and multiply its traffic (clipped to the period)."""
    lo, hi = (first - START).days, (last - START).days
    if hi < 0 or lo >= len(days):
        return
    lo, hi = max(lo, 0), min(hi, len(days) - 1)
    windows[season][lo:hi + 1] = True
    traffic[lo:hi + 1] *= boost


def availability(products: list[Product], cal: Calendar) -> np.ndarray:
    """Bool (product, day): seasonal items are only on the shelf in their window."""
    avail = np.ones((len(products), N_DAYS), dtype=bool)
    for i, p in enumerate(products):
        if p.season is not None:
            avail[i] = cal.windows[p.season]
    return avail


# --------------------------------------------------------------------------------------
# Customers: names, archetypes, profiles
# --------------------------------------------------------------------------------------

FIRST_NAMES_F = [
    "Ana", "Maria", "Juliana", "Fernanda", "Patrícia", "Camila", "Aline", "Bruna", "Letícia",
    "Mariana", "Beatriz", "Larissa", "Gabriela", "Vanessa", "Renata", "Luciana", "Cláudia",
    "Simone", "Tatiane", "Débora", "Priscila", "Carolina", "Amanda", "Natália", "Isabela",
    "Helena", "Alice", "Laura", "Sofia", "Valentina", "Lúcia", "Rosângela", "Sandra", "Márcia",
    "Adriana", "Cristina", "Elaine", "Raquel", "Daniela", "Jéssica", "Thaís", "Lívia",
    "Rafaela", "Viviane", "Sônia", "Regina", "Tereza", "Conceição", "Francisca", "Antônia",
    "Ana Paula", "Ana Clara", "Maria Eduarda", "Maria Luiza", "Luana", "Yasmin", "Giovanna",
    "Heloísa", "Manuela", "Cecília",
]
FIRST_NAMES_M = [
    "João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz",
    "Marcos", "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe",
    "Rodrigo", "Gustavo", "Fernando", "Fábio", "Leonardo", "Ricardo", "André", "Diego",
    "Thiago", "Vinícius", "Matheus", "Guilherme", "Henrique", "Otávio", "Sérgio", "Roberto",
    "Márcio", "Jorge", "Alexandre", "Renato", "Caio", "Igor", "Murilo", "Samuel", "Davi",
    "Arthur", "Heitor", "Bernardo", "Miguel", "Enzo", "Joaquim", "Raimundo", "Sebastião",
    "João Pedro", "João Victor", "Luiz Fernando", "Carlos Eduardo", "Júlio", "César",
    "Wagner", "Cláudio", "Nélson",
]
SURNAMES = [
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
    "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares",
    "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira",
    "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves",
    "Santana", "Teixeira", "Araújo", "Pinto", "Correia", "Castro", "Cavalcanti", "Monteiro",
    "Moura", "Campos", "Azevedo", "Borges", "Batista", "Farias", "Sampaio", "Brandão",
    "Queiroz", "Peixoto", "Siqueira", "Medeiros", "Guimarães", "Magalhães", "Fonseca",
    "Pacheco", "Tavares", "Bezerra", "Coelho", "Xavier", "Conceição", "Figueiredo", "Leão",
    "Prado", "Melo", "Rezende", "Amaral", "Assis", "Lacerda",
]
COMPANIES = [
    "Clínica Bem Viver Ltda", "Construtora Horizonte Ltda", "Ribeiro & Associados Advocacia",
    "Imobiliária Casa Nova", "Studio Pilates Equilíbrio", "Farmácia Vida Plena",
    "Colégio Monte Azul", "Academia Corpo em Forma", "Agência Pixel Criativo",
    "Consultório Odontológico Sorriso", "Contabilidade Exata ME", "Salão Beleza Pura",
    "Moraes & Lima Engenharia", "Auto Center Rota Sul", "Escritório Central de Seguros",
    "Ótica Visão Clara", "Pousada Recanto Verde", "Hospital Veterinário Amigo Fiel",
]


def make_names(rng: np.random.Generator, n: int) -> list[str]:
    """Unique, plausible Brazilian full names (unique so a name never merges two people)."""
    seen: set[str] = set()
    names: list[str] = []
    while len(names) < n:
        pool = FIRST_NAMES_F if rng.random() < 0.55 else FIRST_NAMES_M
        first = pool[rng.integers(len(pool))]
        surnames = rng.choice(len(SURNAMES), size=2, replace=False)
        name = f"{first} {SURNAMES[surnames[0]]}"
        if rng.random() < 0.35 or name in seen:
            name += f" {SURNAMES[surnames[1]]}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


# Shopping profiles: how much each section weighs in a customer's choices.
PROFILES: dict[str, dict[str, float]] = {
    "cafe": {"cafeteria": 1.0, "padaria": 0.12, "doces": 0.04},
    "despensa": {"mercearia": 1.0, "padaria": 0.6, "cafe_cha": 0.7, "queijos": 0.6, "doces": 0.5,
                 "bebidas": 0.3, "cafeteria": 0.15},
    "gourmet": {"vinhos": 1.0, "queijos": 1.0, "mercearia": 0.4, "doces": 0.3, "presentes": 0.2,
                "padaria": 0.3, "cafeteria": 0.1},
    "saudavel": {"naturais": 1.0, "cafe_cha": 0.5, "padaria": 0.3, "doces": 0.3, "bebidas": 0.3,
                 "cafeteria": 0.2},
    "cervejeiro": {"cervejas": 1.0, "queijos": 0.5, "mercearia": 0.3, "bebidas": 0.3,
                   "cafeteria": 0.1},
}
PROFILE_NAMES = list(PROFILES)


@dataclass(frozen=True)
class Archetype:
    """A planted behaviour: share of customers, profile mix and basket size."""

    name: str
    share: float
    profile_mix: tuple[float, ...]  # weights over PROFILE_NAMES
    big_baskets: bool = False
    small_first_visit: bool = False  # newcomers try the place with a coffee first


ARCHETYPES: list[Archetype] = [
    # bought all along, every 1-8 weeks -> Champions / Loyal throughout
    Archetype("regular", 0.050, (0.55, 0.15, 0.10, 0.15, 0.05)),
    # monthly stock-up with big baskets -> Loyal / Champions
    Archetype("abastecimento_mensal", 0.035, (0.0, 0.45, 0.35, 0.12, 0.08), big_baskets=True),
    # regulars who stopped 3-16 months ago -> Champions/Loyal -> At Risk / Can't Lose
    Archetype("regular_que_parou", 0.075, (0.45, 0.20, 0.20, 0.10, 0.05)),
    # rare early visits, every 1-4 weeks in the last 2.5-5 months -> climb to Champions
    Archetype("em_ascensao", 0.050, (0.35, 0.25, 0.20, 0.10, 0.10)),
    # a few visits spread over months -> Potential Loyalists, Need Attention, At Risk
    Archetype("ocasional", 0.190, (0.30, 0.25, 0.20, 0.15, 0.10), small_first_visit=True),
    # 2-3 visits in their first weeks, then gone -> About to Sleep, Inactive
    Archetype("experimentou_e_sumiu", 0.120, (0.35, 0.25, 0.15, 0.15, 0.10), small_first_visit=True),
    # Christmas, Mother's Day, Black Friday, Easter gift buyers
    Archetype("presentes_sazonais", 0.045, (0.15, 0.15, 0.60, 0.10, 0.00)),
    # came once, never came back -> New -> Promising / About to Sleep -> Inactive
    Archetype("compra_unica", 0.435, (0.70, 0.10, 0.07, 0.07, 0.06), small_first_visit=True),
]
BIG_BASKETS = {a.name for a in ARCHETYPES if a.big_baskets}
SMALL_FIRST_VISIT = {a.name for a in ARCHETYPES if a.small_first_visit}
N_CUSTOMERS = 2700
N_COMPANIES = 12


@dataclass
class Customer:
    """A customer as the generator sees it: who, how they shop, when they come."""

    idx: int
    archetype: str
    profile: str
    favourites: np.ndarray  # product indices this customer keeps rebuying
    fav_weights: np.ndarray
    order_days: np.ndarray  # sorted day offsets from START
    is_company: bool = False
    name: str = ""
    code: str = ""


def sample_days(rng: np.random.Generator, traffic: np.ndarray, lo: int, hi: int, n: int) -> np.ndarray:
    """n distinct open days in [lo, hi], busier days more likely."""
    lo, hi = max(lo, 0), min(hi, N_DAYS - 1)
    if hi < lo or n <= 0:
        return np.empty(0, dtype=int)
    w = traffic[lo:hi + 1]
    n = min(n, int((w > 0).sum()))
    picked = rng.choice(hi - lo + 1, size=n, replace=False, p=w / w.sum())
    return np.sort(picked + lo)


def first_open_day(traffic: np.ndarray, day: int) -> int:
    """Move a day forward past closed days (Christmas, New Year)."""
    while day < N_DAYS - 1 and traffic[day] == 0:
        day += 1
    return day


CAMPAIGN_START = date(2026, 9, 1)  # "CPF na nota" loyalty sign-up drive: more new faces


def acquisition_day(rng: np.random.Generator, traffic: np.ndarray, lo: int, hi: int,
                    growth: float = 0.0, campaign: float = 1.0) -> int:
    """Day of first purchase in [lo, hi].

    `growth` tilts acquisitions towards recent days (the store grows); `campaign`
    multiplies them from CAMPAIGN_START on, so the last months bring many new customers.
    """
    idx = np.arange(lo, hi + 1)
    w = traffic[lo:hi + 1] * (1.0 + growth * idx / N_DAYS)
    w = np.where(idx >= (CAMPAIGN_START - START).days, w * campaign, w)
    return int(rng.choice(idx, p=w / w.sum()))


def interval_days(rng: np.random.Generator, median: float, sigma: float, lo: float, hi: float) -> float:
    """Typical gap between visits for a habitual customer (log-normal)."""
    return float(np.clip(rng.lognormal(np.log(median), sigma), lo, hi))


def habitual(rng: np.random.Generator, traffic: np.ndarray, first: int, last: int, gap: float) -> np.ndarray:
    """Visits at a steady rate between `first` and `last`, always including `first`."""
    n = rng.poisson(max(last - first, 0) / gap)
    rest = sample_days(rng, traffic, first + 1, last, n)
    return np.concatenate([[first], rest]).astype(int)


def order_days_for(rng: np.random.Generator, arch: str, cal: Calendar) -> np.ndarray:
    """The time profile of each archetype: when its customers come to the store."""
    t, last = cal.traffic, N_DAYS - 1
    if arch == "regular":
        acq = first_open_day(t, int(rng.random() ** 3 * 420))  # many already clients
        return habitual(rng, t, acq, last, interval_days(rng, 32, 0.45, 7, 60))
    if arch == "abastecimento_mensal":
        acq = first_open_day(t, int(rng.random() ** 3 * 360))
        return habitual(rng, t, acq, last, interval_days(rng, 45, 0.2, 28, 65))
    if arch == "regular_que_parou":
        acq = first_open_day(t, int(rng.random() ** 2.5 * 300))
        if rng.random() < 0.4:
            stop = last - int(rng.integers(90, 181))  # stopped in the last 3-6 months
        else:
            stop = last - int(rng.integers(181, 481))  # stopped 6-16 months ago
        stop = max(stop, acq + 60)
        return habitual(rng, t, acq, stop, interval_days(rng, 30, 0.45, 8, 55))
    if arch == "em_ascensao":
        acq = acquisition_day(rng, t, 0, 360)
        ramp = last - int(rng.integers(75, 151))
        early = sample_days(rng, t, acq + 1, ramp, 1 + rng.poisson((ramp - acq) / 200))
        late = habitual(rng, t, ramp, last, interval_days(rng, 17, 0.35, 7, 28))
        return np.unique(np.concatenate([[acq], early, late])).astype(int)
    if arch == "ocasional":
        acq = acquisition_day(rng, t, 0, last - 20, growth=0.5, campaign=1.5)
        span = int(rng.integers(45, 560))
        rest = sample_days(rng, t, acq + 1, acq + span, 1 + rng.poisson(1.2))
        return np.concatenate([[acq], rest]).astype(int)
    if arch == "experimentou_e_sumiu":
        acq = acquisition_day(rng, t, 0, last - 10, growth=0.8, campaign=2.0)
        rest = sample_days(rng, t, acq + 1, acq + int(rng.integers(14, 70)), int(rng.integers(1, 3)))
        return np.concatenate([[acq], rest]).astype(int)
    if arch == "presentes_sazonais":
        return seasonal_gifter_days(rng, cal)
    if arch == "compra_unica":
        return np.array([acquisition_day(rng, t, 0, last, growth=1.0, campaign=5.0)])
    raise ValueError(arch)


def seasonal_gifter_days(rng: np.random.Generator, cal: Calendar) -> np.ndarray:
    """Come for the gift seasons (each with its own chance), plus a rare ordinary visit."""
    t = cal.traffic
    acq_cut = int(rng.random() ** 2 * (N_DAYS - 120))  # most were already clients
    season_prob = {"cesta_natal": 0.85, "maes": 0.6, "black_friday": 0.4, "pascoa": 0.3}
    picked: list[int] = []
    for season, prob in season_prob.items():
        mask = cal.windows[season]
        # split the mask into separate yearly windows
        edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
        for lo, hi in zip(edges[::2], edges[1::2] - 1):
            if hi >= acq_cut and rng.random() < prob:
                picked.extend(sample_days(rng, t, max(lo, acq_cut), hi, 1).tolist())
    picked.extend(sample_days(rng, t, acq_cut, N_DAYS - 1, rng.poisson(0.8)).tolist())
    if not picked:
        picked = sample_days(rng, t, acq_cut, N_DAYS - 1, 1).tolist()
    return np.unique(picked).astype(int)


def profile_weights(products: list[Product], base: np.ndarray) -> dict[str, np.ndarray]:
    """Per-profile product weights: global Zipf popularity x the profile's section weight."""
    out = {}
    for name, sections in PROFILES.items():
        out[name] = base * np.array([sections.get(p.category, 0.0) for p in products])
    return out


def make_customers(rng: np.random.Generator, products: list[Product], cal: Calendar,
                   prof_w: dict[str, np.ndarray]) -> list[Customer]:
    """Draw archetype, profile, favourite products and visit days for every customer."""
    counts = [round(a.share * N_CUSTOMERS) for a in ARCHETYPES]
    never_seasonal = np.array([p.season is None for p in products])
    customers: list[Customer] = []
    for arch, count in zip(ARCHETYPES, counts):
        for _ in range(count):
            mix = np.array(arch.profile_mix) / sum(arch.profile_mix)
            profile = PROFILE_NAMES[rng.choice(len(PROFILE_NAMES), p=mix)]
            w = prof_w[profile] * never_seasonal
            n_fav = int(rng.integers(2, 6))
            favs = rng.choice(len(products), size=n_fav, replace=False, p=w / w.sum())
            fav_w = rng.dirichlet(np.full(n_fav, 1.5))
            days = order_days_for(rng, arch.name, cal)
            customers.append(Customer(len(customers), arch.name, profile, favs, fav_w, days))
    # a few companies among gift buyers: big Christmas orders of baskets
    gifters = [c for c in customers if c.archetype == "presentes_sazonais"]
    for c in rng.choice(len(gifters), size=N_COMPANIES, replace=False):
        gifters[c].is_company = True
    return customers


def assign_identities(rng: np.random.Generator, customers: list[Customer]) -> None:
    """Names, and POS codes in order of registration (first purchase), with gaps."""
    names = iter(make_names(rng, len(customers)))
    companies = iter(COMPANIES)
    for c in customers:
        c.name = next(companies) if c.is_company else next(names)
    order = sorted(customers, key=lambda c: (int(c.order_days[0]), c.idx))
    number = 0
    for c in order:
        number += 1 + int(rng.random() < 0.08)  # registered but never bought
        c.code = f"C{number:05d}"


# --------------------------------------------------------------------------------------
# Orders and lines
# --------------------------------------------------------------------------------------

BASKET_SMALL = np.array([0.62, 0.28, 0.10])  # café visit: 1-3 items before pairs
BASKET_NORMAL = np.array([0.46, 0.30, 0.14, 0.07, 0.03])
BASKET_BIG = np.array([0.10, 0.26, 0.32, 0.22, 0.10])
SEASON_GIFTS = ("cesta_natal", "natal", "maes", "pascoa")


@dataclass(frozen=True)
class Shop:
    """Everything the basket builder needs about the store, precomputed once."""

    products: list[Product]
    base: np.ndarray
    prof_w: dict[str, np.ndarray]
    avail: np.ndarray
    pair_rules: dict[int, list[tuple[int, float]]]
    gift_idx: np.ndarray  # seasonal gift items
    xmas_basket: int  # what companies give their staff and clients
    cal: Calendar


def build_pair_rules(products: list[Product]) -> dict[int, list[tuple[int, float]]]:
    """Index PAIRS both ways: anchor product -> [(partner, probability)]."""
    index = {p.name: i for i, p in enumerate(products)}
    rules: dict[int, list[tuple[int, float]]] = {}
    for a, b, p_ab, p_ba in PAIRS:
        rules.setdefault(index[a], []).append((index[b], p_ab))
        rules.setdefault(index[b], []).append((index[a], p_ba))
    return rules


def pick(rng: np.random.Generator, weights: np.ndarray) -> int | None:
    """Draw one index proportionally to weights (None if nothing is available)."""
    total = weights.sum()
    if total <= 0:
        return None
    return int(rng.choice(len(weights), p=weights / total))


def basket(rng: np.random.Generator, shop: Shop, cust: Customer | None, day: int,
           big: bool) -> list[int]:
    """Distinct products of one order: favourites, profile, seasonal gift, then pairs."""
    avail = shop.avail[:, day]
    profile = cust.profile if cust else "cafe"
    first_try = cust is not None and cust.archetype in SMALL_FIRST_VISIT and day == cust.order_days[0]
    passer_by = cust is None or first_try or profile == "cafe"
    dist = BASKET_BIG if big else BASKET_SMALL if passer_by else BASKET_NORMAL
    n = 1 + int(rng.choice(len(dist), p=dist))
    items: list[int] = []
    gifter = cust is not None and cust.archetype == "presentes_sazonais"
    in_season = [s for s in SEASON_GIFTS if shop.cal.windows[s][day]]
    if cust is not None and cust.is_company and shop.cal.windows["cesta_natal"][day]:
        items.append(shop.xmas_basket)
    elif in_season and rng.random() < (0.85 if gifter else 0.10):
        gift = pick(rng, shop.base * avail * np.isin(np.arange(len(avail)), shop.gift_idx))
        if gift is not None:
            items.append(gift)
    for _ in range(4 * n):
        if len(items) >= n:
            break
        r = rng.random()
        if cust is not None and r < 0.55:
            fav_ok = avail[cust.favourites]
            choice = pick(rng, cust.fav_weights * fav_ok)
            item = None if choice is None else int(cust.favourites[choice])
        elif r < 0.90:
            item = pick(rng, shop.prof_w[profile] * avail)
        else:
            item = pick(rng, shop.base * avail)
        if item is not None and item not in items:
            items.append(item)
    return add_partners(rng, shop, items, avail)


def add_partners(rng: np.random.Generator, shop: Shop, items: list[int], avail: np.ndarray) -> list[int]:
    """Planted co-purchases: each anchor may pull its partner(s) in right after it."""
    out: list[int] = []
    for item in items:
        if item in out:
            continue
        out.append(item)
        for partner, prob in shop.pair_rules.get(item, []):
            if partner not in out and partner not in items and avail[partner] and rng.random() < prob:
                out.append(partner)
    return out[:MAX_LINES]


def quantity(rng: np.random.Generator, product: Product, company_christmas: bool) -> int:
    """Units, or grams for items sold by weight (a scale reading like 0,347 kg)."""
    if product.by_weight:
        return int(rng.integers(120, 650))
    if company_christmas and product.category == "presentes":
        return int(rng.integers(3, 11))
    if product.category == "cervejas":
        return int(rng.choice([1, 2, 3, 4, 6], p=[0.3, 0.3, 0.1, 0.15, 0.15]))
    if product.price_cents < 1000:
        return int(rng.choice([1, 2, 3], p=[0.68, 0.24, 0.08]))
    return int(rng.choice([1, 2], p=[0.9, 0.1]))


@dataclass(frozen=True)
class Line:
    """One exported row, money in integer cents, quantity in units or grams."""

    day: int
    order: str
    customer: Customer | None
    product: int
    qty: int
    price: int
    total: int


def line_total(product: Product, qty: int, price: int) -> int:
    """Amount in cents; weight items are priced per kg and rounded half up to the cent."""
    if product.by_weight:
        sign = -1 if qty < 0 else 1
        return sign * ((abs(qty) * price + 500) // 1000)
    return qty * price


def build_orders(rng: np.random.Generator, customers: list[Customer], shop: Shop,
                 n_walk_in: int) -> list[Line]:
    """All sale lines, orders numbered P000001... in date order."""
    visits = [(int(d), c.idx) for c in customers for d in c.order_days]
    walk_days = sample_days(rng, shop.cal.traffic, 0, N_DAYS - 1, n_walk_in)
    visits += [(int(d), -1) for d in walk_days]
    tiebreak = rng.random(len(visits))  # shuffles orders within a day
    order = np.lexsort((tiebreak, [day for day, _ in visits]))
    lines: list[Line] = []
    for number, (day, cidx) in enumerate((visits[i] for i in order), start=1):
        cust = customers[cidx] if cidx >= 0 else None
        big = cust is not None and cust.archetype in BIG_BASKETS
        company_xmas = cust is not None and cust.is_company and shop.cal.windows["cesta_natal"][day]
        code = f"P{number:06d}"
        for item in basket(rng, shop, cust, day, big):
            product = shop.products[item]
            qty = quantity(rng, product, company_xmas)
            price = price_on(product, shop.cal.days[day])
            lines.append(Line(day, code, cust, item, qty, price, line_total(product, qty, price)))
    return lines


def build_returns(rng: np.random.Generator, lines: list[Line], shop: Shop, rate: float) -> list[Line]:
    """A few returns: one line of an identified customer's order, a few days later, code D..."""
    candidates = [ln for ln in lines if ln.customer is not None and ln.day < N_DAYS - 5]
    n = round(rate * len(lines))
    chosen = rng.choice(len(candidates), size=n, replace=False)
    out: list[Line] = []
    seen_orders: set[str] = set()
    for i in sorted(chosen.tolist()):
        ln = candidates[i]
        if ln.order in seen_orders:
            continue
        seen_orders.add(ln.order)
        day = first_open_day(shop.cal.traffic, min(ln.day + int(rng.integers(1, 12)), N_DAYS - 2))
        product = shop.products[ln.product]
        qty = -ln.qty if product.by_weight or ln.qty == 1 else -int(rng.integers(1, ln.qty + 1))
        out.append(Line(day, "D" + ln.order[1:], ln.customer, ln.product, qty, ln.price,
                        line_total(product, qty, ln.price)))
    return out


# --------------------------------------------------------------------------------------
# Export, as a Brazilian POS writes it
# --------------------------------------------------------------------------------------


def fmt_money(cents: int) -> str:
    """1.103,48 style: thousand dots, decimal comma, leading minus for returns."""
    sign = "-" if cents < 0 else ""
    reais, cent = divmod(abs(cents), 100)
    return f"{sign}{reais:,}".replace(",", ".") + f",{cent:02d}"


def fmt_qty(qty: int, by_weight: bool) -> str:
    """Whole units as 2, weights as 0,347 (kg)."""
    if not by_weight:
        return str(qty)
    sign = "-" if qty < 0 else ""
    kg, grams = divmod(abs(qty), 1000)
    return f"{sign}{kg},{grams:03d}"


def to_csv(lines: list[Line], shop: Shop) -> bytes:
    """UTF-8 with BOM, ';' separated, dd/mm/aaaa dates, rows by date then order code."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for ln in sorted(lines, key=lambda x: (x.day, x.order)):
        p = shop.products[ln.product]
        cust_code = ln.customer.code if ln.customer else ""
        cust_name = ln.customer.name if ln.customer else WALK_IN_NAME
        writer.writerow([
            ln.order, shop.cal.days[ln.day].strftime("%d/%m/%Y"), cust_code, cust_name,
            p.code, p.name, fmt_qty(ln.qty, p.by_weight), fmt_money(ln.price), fmt_money(ln.total),
        ])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def summary(lines: list[Line], returns: list[Line], customers: list[Customer], size: int) -> str:
    """Headline figures of the generated file, printed after each run."""
    all_lines = lines + returns
    orders = {ln.order for ln in lines}
    walk_in = sum(1 for ln in lines if ln.customer is None)
    net = sum(ln.total for ln in all_lines)
    arche: dict[str, int] = {}
    for c in customers:
        arche[c.archetype] = arche.get(c.archetype, 0) + 1
    first = min(ln.day for ln in all_lines)
    last = max(ln.day for ln in all_lines)
    rows = [
        f"file        {OUT.name}  ({size / 1e6:.2f} MB)",
        f"store       {STORE}",
        f"rows        {len(all_lines):,}  (returns {len(returns)}, walk-in {walk_in})",
        f"orders      {len(orders):,}  (+{len({r.order for r in returns})} return documents)",
        f"customers   {len(customers):,}",
        f"period      {START + timedelta(days=first):%d/%m/%Y} .. {START + timedelta(days=last):%d/%m/%Y}",
        f"revenue     R$ {fmt_money(net)} net",
        "archetypes  " + ", ".join(f"{k} {v}" for k, v in arche.items()),
    ]
    return "\n".join(rows)


def generate() -> tuple[bytes, str]:
    """Build the whole dataset; returns the file bytes and a printable summary."""
    rng = np.random.default_rng(SEED)
    products = build_catalogue()
    cal = build_calendar()
    base = zipf_weights(products)
    prof_w = profile_weights(products, base)
    gift_idx = np.array([i for i, p in enumerate(products) if p.season in SEASON_GIFTS])
    xmas_basket = next(i for i, p in enumerate(products) if p.season == "cesta_natal")
    shop = Shop(products, base, prof_w, availability(products, cal), build_pair_rules(products),
                gift_idx, xmas_basket, cal)
    customers = make_customers(rng, products, cal, prof_w)
    assign_identities(rng, customers)
    lines = build_orders(rng, customers, shop, n_walk_in=150)
    returns = build_returns(rng, lines, shop, rate=0.004)
    data = to_csv(lines + returns, shop)
    return data, summary(lines, returns, customers, len(data))


def main() -> None:
    data, text = generate()
    OUT.write_bytes(data)
    print(text)


if __name__ == "__main__":
    main()
