"""Independent check of the demo dataset: RFM segments, migrations and co-purchase pairs.

Re-implements the documented rule with plain pandas (no `metriqr` import needed), so the
demo file can be validated before, and separately from, the app's own code:
``python sample_data/check.py [path]``. If the `metriqr` pipeline is importable it is
run too and its counts are printed next to these.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

CSV = Path(__file__).with_name("loja_exemplo.csv")

SEGMENTS = [
    "Champions", "Loyal", "Potential Loyalists", "New Customers", "Promising",
    "Need Attention", "About to Sleep", "Can't Lose Them", "At Risk", "Inactive",
]


def read(path: Path) -> pd.DataFrame:
    """Read the POS export: BOM, ';', decimal comma, thousand dots, day-first dates."""
    df = pd.read_csv(path, sep=";", encoding="utf-8-sig", decimal=",", thousands=".",
                     dtype={"Código do Cliente": str, "Código do Produto": str})
    df["Data"] = pd.to_datetime(df["Data"], format="%d/%m/%Y")
    return df


def rfm(df: pd.DataFrame, ref: pd.Timestamp) -> pd.DataFrame:
    """R, F, M per identified customer using only rows before `ref`.

    Purchase occasions are distinct positive orders; returns (negative lines) only reduce M.
    """
    d = df[(df["Data"] < ref) & df["Código do Cliente"].notna()]
    buys = d[d["Valor Total"] > 0]
    out = pd.DataFrame({
        "last": buys.groupby("Código do Cliente")["Data"].max(),
        "F": buys.groupby("Código do Cliente")["Pedido"].nunique(),
    })
    out["M"] = d.groupby("Código do Cliente")["Valor Total"].sum().round(2)  # money to the cent, as MetriQR holds it
    out["R"] = (ref - out["last"]).dt.days
    return out.dropna(subset=["last"])


def edges(values: pd.Series) -> np.ndarray:
    """Balanced quintile edges among the observed values (least squares of the cumulative shares
    to 20/40/60/80 %, strictly increasing when there are ≥ 4 candidates), by a plain-Python DP."""
    counts = values.value_counts().sort_index()
    if len(counts) < 2:
        return np.array([], dtype=float)
    shares = (counts.cumsum() / counts.sum()).tolist()[:-1]
    m, strict = len(shares), len(shares) >= 4
    best = [[(s - 0.2) ** 2 for s in shares]]
    back = []
    for q in (0.4, 0.6, 0.8):
        row, link = [], []
        low, low_at = float("inf"), -1
        for j, s in enumerate(shares):
            if not strict and best[-1][j] < low:
                low, low_at = best[-1][j], j
            row.append((s - q) ** 2 + low)
            link.append(low_at)
            if strict and best[-1][j] < low:
                low, low_at = best[-1][j], j
        best.append(row)
        back.append(link)
    j = min(range(m), key=lambda i: (best[-1][i], i))
    path = [j]
    for link in reversed(back):
        j = link[j]
        path.append(j)
    return counts.index.to_numpy(dtype=float)[path[::-1]]


def score(values: pd.Series, e: np.ndarray, reverse: bool = False) -> pd.Series:
    """1 + number of edges strictly below the value (5 - that count for recency)."""
    below = (values.to_numpy()[:, None] > e[None, :]).sum(axis=1)
    return pd.Series(5 - below if reverse else 1 + below, index=values.index)


def segment(r: int, fm: int) -> str:
    """The R x FM grid of the spec."""
    if r == 5 and fm >= 4:
        return "Champions"
    if r in (3, 4) and fm >= 4:
        return "Loyal"
    if r >= 4 and fm in (2, 3):
        return "Potential Loyalists"
    if r == 5 and fm == 1:
        return "New Customers"
    if r == 4 and fm == 1:
        return "Promising"
    if r == 3 and fm == 3:
        return "Need Attention"
    if r == 3 and fm <= 2:
        return "About to Sleep"
    if fm == 5:
        return "Can't Lose Them"
    if fm >= 3:
        return "At Risk"
    return "Inactive"


def segments(df: pd.DataFrame, ref: pd.Timestamp,
             fixed: dict[str, np.ndarray] | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Segment every customer at `ref`; `fixed` reuses another snapshot's edges."""
    t = rfm(df, ref)
    e = fixed or {k: edges(t[k]) for k in ("R", "F", "M")}
    t["r"] = score(t["R"], e["R"], reverse=True)
    t["f"] = score(t["F"], e["F"])
    t["m"] = score(t["M"], e["M"])
    t["fm"] = np.floor((t["f"] + t["m"]) / 2 + 0.5).astype(int)
    t["segment"] = [segment(r, fm) for r, fm in zip(t["r"], t["fm"])]
    return t, e


def print_segments(t: pd.DataFrame, e: dict[str, np.ndarray]) -> None:
    counts = t["segment"].value_counts().reindex(SEGMENTS, fill_value=0)
    share = counts / counts.sum() * 100
    print(f"{'segment':22s} {'customers':>9s} {'share':>6s}")
    for name in SEGMENTS:
        flag = "" if 2 <= share[name] <= 35 else "   <-- out of 2-35%"
        print(f"{name:22s} {counts[name]:9d} {share[name]:5.1f}%{flag}")
    for k, v in e.items():
        print(f"edges {k}: {np.round(v, 2).tolist()}")


def migration(df: pd.DataFrame, a: pd.Timestamp, b: pd.Timestamp) -> pd.DataFrame:
    """Segment at A -> segment at B, edges fixed at A; customers new after A enter as 'New in period'."""
    sa, ea = segments(df, a)
    sb, _ = segments(df, b, fixed=ea)
    seg_a = sa["segment"].reindex(sb.index).fillna("(new in period)")
    return pd.crosstab(seg_a.rename("A"), sb["segment"].rename("B"))


def pair_stats(df: pd.DataFrame, a: str, b: str) -> tuple[int, float, float]:
    """Orders with both, confidence P(B|A) and lift, on same-order baskets."""
    sales = df[df["Pedido"].str.startswith("P")]
    baskets = sales.groupby("Pedido")["Produto"].agg(set)
    has_a = baskets.map(lambda s: a in s)
    has_b = baskets.map(lambda s: b in s)
    both = int((has_a & has_b).sum())
    conf = both / max(int(has_a.sum()), 1)
    return both, conf, conf / max(float(has_b.mean()), 1e-9)


METRIQR_KEYS = dict(zip(
    ["champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
     "about_to_sleep", "cant_lose", "at_risk", "inactive"],
    ["Champions", "Loyal", "Potential Loyalists", "New Customers", "Promising", "Need Attention",
     "About to Sleep", "Can't Lose Them", "At Risk", "Inactive"]))


def metriqr_transactions(path: Path) -> tuple[pd.DataFrame, str]:
    """Clean the file with the app's own code: its full pipeline when it imports, else its
    column detection and cleaning on a plain all-text pandas read (no `metriqr.reading` yet)."""
    try:
        from metriqr.pipeline import load_dataset
        return load_dataset(str(path)).cleaned.transactions, "pipeline.load_dataset"
    except ImportError:
        from metriqr.cleaning import clean_transactions
        from metriqr.columns import detect_columns
        raw = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        raw = raw.replace("", None)
        return clean_transactions(raw, detect_columns(raw)).transactions, "detect_columns + clean_transactions"


def try_metriqr(path: Path, mine: pd.DataFrame) -> None:
    """Cross-check with the app's segmentation when it exists (never required)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        from metriqr.segmentation import segment_customers
        tx, how = metriqr_transactions(path)
    except ImportError as exc:
        print(f"\nmetriqr not available ({exc}); cross-check skipped.")
        return
    seg = segment_customers(tx).customers["segment"].astype(str).map(METRIQR_KEYS)
    theirs = seg.value_counts().reindex(SEGMENTS, fill_value=0)
    ours = mine["segment"].value_counts().reindex(SEGMENTS, fill_value=0)
    same = (seg.reindex(mine.index) == mine["segment"]).mean()
    print(f"\nmetriqr cross-check ({how} + segment_customers): {len(seg):,} customers, "
          f"same segment for {same:.1%} of them")
    for name in SEGMENTS:
        mark = "" if theirs[name] == ours[name] else "   <-- differs"
        print(f"  {name:22s} check.py {ours[name]:5d}   metriqr {theirs[name]:5d}{mark}")


def main(path: Path = CSV) -> None:
    df = read(path)
    ref = df["Data"].max() + pd.Timedelta(days=1)
    print(f"rows {len(df):,}; reference date {ref:%d/%m/%Y}")
    t, e = segments(df, ref)
    print(f"customers {len(t):,}\n")
    print_segments(t, e)

    print("\nMigration 30/04/2026 -> reference date (edges fixed at 30/04/2026):")
    m = migration(df, pd.Timestamp("2026-05-01"), ref)
    print(m.reindex(index=SEGMENTS + ["(new in period)"], columns=SEGMENTS, fill_value=0).to_string())

    print("\nMonthly flows from Champions/Loyal to At Risk/Can't Lose (per-month edges fixed at month A):")
    months = pd.date_range("2025-11-01", ref, freq="MS")
    for a, b in zip(months[:-1], months[1:]):
        mm = migration(df, a, b)
        top = mm.reindex(index=["Champions", "Loyal"], columns=["At Risk", "Can't Lose Them"],
                         fill_value=0).to_numpy().sum()
        up = mm.reindex(index=["Potential Loyalists", "Promising", "Need Attention", "New Customers"],
                        columns=["Champions"], fill_value=0).to_numpy().sum()
        new_sleep = mm.reindex(index=["New Customers"], columns=["About to Sleep", "Promising"],
                               fill_value=0).to_numpy().sum()
        print(f"  {a:%m/%Y}->{b:%m/%Y}: top->risk {top:3d}   climb->Champions {up:3d}   "
              f"New->Promising/About to Sleep {new_sleep:3d}")

    print("\nPlanted pairs (same order): orders with both, confidence, lift")
    sys.path.insert(0, str(Path(__file__).parent))
    from generate import PAIRS
    for a, b, _, _ in PAIRS:
        both, conf, lift = pair_stats(df, a, b)
        print(f"  {a} + {b}: {both} orders, conf {conf:.2f}, lift {lift:.1f}")
    try_metriqr(path, t)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else CSV)
