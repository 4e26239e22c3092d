"""“Customers who bought A also bought B”: per product, per customer and per segment.

Everything is built once from the cleaned transactions into binary sparse matrices
(baskets × products and customers × products). Co-purchase counts are the sparse
products XᵀX: never a dense one-hot table, never a loop over pairs. Purchases only:
a return is not “bought”. Lines that are not products (postage, fees, discounts,
adjustments) are recognised by `_NON_PRODUCT_NAME` and the codes beside it (the rule is told to users
as `rec.non_product_rule` in the texts catalogue) and kept out of everything.

Methods, chosen on a time hold-out of Online Retail (docs/recommendations.md,
`metriqr.recommend_eval`):
- per product, the also-bought list keeps pairs with at least `min_together` baskets in
  common; pairs bought together more often than chance (lift > 1) come first, then the
  others (no attraction; they only fill a short list), each group ranked by
  together / n_B ** ALSO_BOUGHT_BETA: confidence order, nudged away from the best-sellers
  (the hold-out cannot tell the two apart; lift and cosine lose);
- per customer, not-yet-bought products are scored by a closed-form item-to-item model
  (EASE) fitted on customer histories; each comes with the bought products it comes from.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from metriqr.aggregates import sorted_codes
from metriqr.errors import ColumnError, OptionError
from metriqr.recommend_kernels import (BECAUSE, best_pairs, binary, code_lists, csr_from_pairs, ease_weights, reasons,
                                       row_of, take_columns, top_k)
from metriqr.texts import Term

# --- lines that are not products --------------------------------------------------------

_NON_PRODUCT_CODE = re.compile(
    r"^\s*(post|dot|m|c2|d|s|b|pads|cruk|amazon\s*fee|bank\s*charges?|dcgs\w*|gift_\w*)\s*$", re.IGNORECASE)
_NON_PRODUCT_NAME = re.compile(
    r"^\s*(postage|dotcom postage|carriage|manual|discount|samples?|bank charges?|amazon fee|"
    r"cruk commission|adjust(ment)? bad debt|pads to match all cushions|"
    r"frete|taxas?( de)? (entrega|servi[cç]o|embalagem|cart[aã]o|conveni[eê]ncia)|taxa|tarifas?|"
    r"embalage(m|ns)|desconto|abatimento|ajustes?|acr[eé]scimo|arredondamento|juros|multa|gorjeta|"
    r"servi[cç]o de entrega|entrega|vale[- ]presente|cart[aã]o[- ]presente|gift ?card|gift voucher)\b",
    re.IGNORECASE)


def is_non_product(codes: Iterable[object], names: Iterable[object] | None = None) -> np.ndarray:
    """True where a line is a fee, postage, discount or adjustment rather than a product."""
    codes = pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes, dtype=object)
    names = codes if names is None else pd.Series(list(names) if not isinstance(names, pd.Series) else names,
                                                  dtype=object)

    def flag(values: pd.Series) -> np.ndarray:
        index, uniques = pd.factorize(values, use_na_sentinel=True)  # the rule runs once per distinct text
        hits = np.array([bool(_NON_PRODUCT_CODE.match(str(u)) or _NON_PRODUCT_NAME.match(str(u))) for u in uniques]
                        + [False], dtype=bool)
        return hits[index]  # a missing text (index −1) is not flagged

    return flag(codes) | flag(names)


# --- the purchase matrices ---------------------------------------------------------------

MIN_TOGETHER = 3          # an also-bought pair needs this many baskets (or customers) in common
ALSO_BOUGHT_BETA = 0.1    # rank by together / n_B ** beta: confidence, slightly less best-seller-bound
ALSO_BOUGHT_ORDER = "above_chance_then_together_over_nb_beta"  # lift > 1 first, then together / n_B ** beta
EASE_LAMBDA = 1000.0      # ridge of the item-to-item model (EASE): chosen on three hold-outs, see docs
MAX_MODEL_PRODUCTS = 5000  # the per-customer model covers at most this many most-bought products
RECENT_DAYS = 90          # "recently popular" window for the fallback, before the last sale
MIN_HISTORY = 1           # fewer distinct products bought than this → segment popularity only
BASES = ("order", "customer")


@dataclass(frozen=True)
class Purchases:
    """Binary purchase matrices and index arrays, built once per dataset (picklable, cacheable).

    `baskets` is baskets × products (orders, or customer-days without an order column);
    `history[c, p]` counts the customer's baskets with the product, with the first and last of
    those days (days since 1970) in `first_day` / `last_day` (same sparsity). `together_*`
    are the co-purchase counts XᵀX on each basis, diagonals = baskets/customers per product.
    `weights` is the item-to-item model over `model_products`: row j says how much having
    bought j raises each other product's score.
    """
    products: np.ndarray          # product codes, sorted
    names: np.ndarray             # most frequent name of each code
    customers: np.ndarray         # customer ids, sorted
    baskets: sparse.csr_matrix    # baskets × products, 0/1
    basket_customer: np.ndarray   # customer index of each basket
    basket_day: np.ndarray        # day of each basket (days since 1970)
    history: sparse.csr_matrix    # customers × products: baskets that contained the product
    first_day: sparse.csr_matrix
    last_day: sparse.csr_matrix
    together_order: sparse.csr_matrix
    has_orders: bool              # False when baskets are customer-days
    excluded_products: tuple[str, ...]  # codes recognised as non-products
    last_date: pd.Timestamp
    lam: float = EASE_LAMBDA
    max_model_products: int = MAX_MODEL_PRODUCTS

    @cached_property
    def together_customer(self) -> sparse.csr_matrix:
        """Customers who bought both products (HᵀH on binary histories); built on first use."""
        bought = binary(self.history)
        return (bought.T.tocsr() @ bought).tocsr()  # indices left unsorted: sorting costs as much again

    @cached_property
    def model_products(self) -> np.ndarray:
        """The products the per-customer model covers: the `max_model_products` bought by most
        customers (the others are never suggested from history)."""
        n = np.bincount(self.history.indices, minlength=len(self.products))
        if len(n) <= self.max_model_products:
            return np.arange(len(n))
        return np.sort(np.argsort(-n, kind="stable")[:self.max_model_products])

    @cached_property
    def model_history(self) -> sparse.csr_matrix:
        """Binary customer histories over the modelled products (column j = model_products[j])."""
        items = self.model_products
        return binary(self.history if len(items) == len(self.products) else take_columns(self.history, items))

    @cached_property
    def weights(self) -> np.ndarray:
        """The model, len(model_products)², float32, zero diagonal: fitted on first use only, since
        also-bought lists and per-segment tops never need it and it is the costly part."""
        return ease_weights(self.model_history, lam=self.lam)

    @property
    def model(self) -> tuple[np.ndarray, np.ndarray]:
        """(product indices the model covers, their weights)."""
        return self.model_products, self.weights

    @property
    def n_baskets(self) -> int:
        return self.baskets.shape[0]

    def product_index(self, product: object) -> int:
        product = str(product)
        i = int(np.searchsorted(self.products, product))
        if i < len(self.products) and self.products[i] == product:
            return i
        if product in self.excluded_products:
            raise OptionError("not_a_product", product=product, rule=Term("rec.non_product_rule"))
        raise OptionError("unknown_product", product=product)

    def customer_index(self, customer: object) -> int:
        customer = str(customer)
        i = int(np.searchsorted(self.customers, customer))
        if i < len(self.customers) and self.customers[i] == customer:
            return i
        raise OptionError("unknown_customer", customer=customer)


def _days(dates: object) -> np.ndarray:
    return np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct texts and the index of each value (missing reads as "").

    A categorical (what cleaning returns) is factorised over its categories only: thousands
    of strings instead of millions; anything else is hashed once.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        texts = pd.Series(np.asarray(values.cat.categories, dtype=object))  # cleaning's strings
        if (codes < 0).any():
            texts, codes = pd.concat([texts, pd.Series([""])], ignore_index=True), np.where(codes < 0, len(texts), codes)
        remap, uniques = pd.factorize(texts, sort=True)  # tidy texts can coincide ("1" and 1)
        return np.asarray(uniques, dtype=object), remap[codes].astype(np.int64)
    texts = pd.Series(np.asarray(values, dtype=object)).fillna("").astype(str)
    index, uniques = pd.factorize(texts, sort=True)
    return np.asarray(uniques, dtype=object), index.astype(np.int64)


def _compress(uniques: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop the distinct values no code uses any more (order kept, so sorted stays sorted)."""
    used = np.bincount(codes, minlength=len(uniques)) > 0
    return uniques[used], (np.cumsum(used) - 1)[codes]


def build_purchases(transactions: pd.DataFrame, *, lam: float = EASE_LAMBDA,
                    max_model_products: int = MAX_MODEL_PRODUCTS) -> Purchases:
    """Purchases (returns excluded, non-products removed) → matrices and model. Row order never matters."""
    if "product" not in transactions.columns:
        raise ColumnError("no_product_column")
    tx = transactions.loc[~transactions["is_return"].to_numpy(dtype=bool)]
    tx = tx.loc[tx["product"].notna().to_numpy()]
    products, p = _codes(tx["product"])
    names_all, nm = _codes(tx["product_name"] if "product_name" in tx else tx["product"])
    # The rule runs once per distinct code and name: a line is out when either matches.
    non = is_non_product(products)[p] | is_non_product(names_all)[nm]
    excluded = tuple(sorted(set(products[np.unique(p[non])].tolist())))
    keep = ~non
    if not keep.any():
        raise OptionError("no_products")
    products, p = _compress(products, p[keep])
    customers, c = _codes(tx["customer"])
    customers, c = _compress(customers, c[keep])
    day = _days(tx["date"].to_numpy()[keep])
    n_p, n_c = len(products), len(customers)
    names = _top_names(p, nm[keep], names_all, n_p)
    has_orders = "order" in tx.columns and bool(tx["order"].notna().any())
    # A basket: one order of one customer, or one customer-day without an order column.
    if has_orders:
        o = sorted_codes(tx["order"])[0]
        o = np.where(o < 0, int(o.max()) + 1, o)[keep]  # lines without a number: one more order
        key = c * (int(o.max()) + 1) + o
    else:
        key = c * (int(day.max() - day.min()) + 1) + (day - day.min())
    _, b = np.unique(key, return_inverse=True)
    n_b = int(b.max()) + 1
    basket_customer = np.zeros(n_b, dtype=np.int64)
    basket_customer[b] = c
    basket_day = np.full(n_b, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(basket_day, b, day)

    pairs = np.sort(pd.unique(b * n_p + p))  # distinct (basket, product), row-major
    pb, pp = pairs // n_p, pairs % n_p
    baskets = csr_from_pairs(pb, pp, np.ones(len(pairs), dtype=np.int32), (n_b, n_p))

    # Customer × product: how many baskets held it, first and last day.
    cp = basket_customer[pb] * n_p + pp
    order = np.argsort(cp, kind="stable")
    cp_sorted = cp[order]
    starts = np.flatnonzero(np.r_[True, cp_sorted[1:] != cp_sorted[:-1]])
    counts = np.diff(np.r_[starts, len(cp_sorted)]).astype(np.int32)
    days_sorted = basket_day[pb][order]
    first = np.minimum.reduceat(days_sorted, starts)
    last = np.maximum.reduceat(days_sorted, starts)
    uc, up = cp_sorted[starts] // n_p, cp_sorted[starts] % n_p
    history = csr_from_pairs(uc, up, counts, (n_c, n_p))
    first_day = csr_from_pairs(uc, up, first.astype(np.int32), (n_c, n_p))
    last_day = csr_from_pairs(uc, up, last.astype(np.int32), (n_c, n_p))

    together_order = (baskets.T.tocsr() @ baskets).tocsr()
    return Purchases(products=products, names=names, customers=customers, baskets=baskets,
                     basket_customer=basket_customer, basket_day=basket_day, history=history,
                     first_day=first_day, last_day=last_day, together_order=together_order,
                     lam=lam, max_model_products=max_model_products,
                     has_orders=has_orders, excluded_products=excluded,
                     last_date=pd.Timestamp(np.datetime64(int(day.max()), "D")))


def _top_names(p: np.ndarray, nm: np.ndarray, names: np.ndarray, n_p: int) -> np.ndarray:
    """A code may carry several names: show the most frequent (ties: alphabetical, as `names` is sorted)."""
    pairs, counts = np.unique(p * len(names) + nm, return_counts=True)
    code, name = pairs // len(names), pairs % len(names)
    best = np.lexsort((name, -counts, code))
    first = best[np.r_[True, code[best][1:] != code[best][:-1]]]
    out = np.empty(n_p, dtype=object)
    out[code[first]] = names[name[first]]
    return out


def _check_top(top: int) -> int:
    if not isinstance(top, (int, np.integer)) or top < 1:
        raise OptionError("bad_top", value=str(top))
    return int(top)


# --- per product: also bought --------------------------------------------------------------

def _basis(purchases: Purchases, basis: str) -> tuple[sparse.csr_matrix, int]:
    if basis == "order":
        return purchases.together_order, purchases.n_baskets
    if basis == "customer":
        return purchases.together_customer, len(purchases.customers)
    raise OptionError("bad_basis", value=str(basis))


def also_bought_all(purchases: Purchases, *, products: Sequence[object] | None = None, top: int = 5,
                    basis: str = "order", min_together: int = MIN_TOGETHER) -> pd.DataFrame:
    """Also-bought lists of many products at once (all by default): one vectorised pass.

    Columns: for_product, rank (1 = first), product, name, together, confidence, lift,
    above_chance. `together` counts baskets (basis order) or customers (basis customer) with
    both; confidence = P(B | A) = together / n_A; lift = together · N / (n_A n_B). Pairs with
    fewer than `min_together` are never shown. Order (ALSO_BOUGHT_ORDER): pairs bought together
    more often than chance (lift > 1) first, then the others (which show no attraction), each
    group by together / n_B ** ALSO_BOUGHT_BETA, ties by code. A below-chance pair is thus never
    put above an attraction: it only fills a list that has too few of them.
    """
    top = _check_top(top)
    if not isinstance(min_together, (int, np.integer)) or min_together < 1:
        raise OptionError("bad_min_together", value=str(min_together))
    together, total = _basis(purchases, basis)
    n = together.diagonal().astype(np.float64)
    if products is None:
        sub, rows_of = together, np.arange(together.shape[0])
    else:
        rows_of = np.array([purchases.product_index(x) for x in products], dtype=np.int64)
        sub = together[rows_of]
    row, rank, col, nab = best_pairs(sub, rows_of, n ** -ALSO_BOUGHT_BETA, min_together, top, n=n, total=total)
    a = rows_of[row]
    lift = nab * total / (n[a] * n[col])
    return pd.DataFrame({"for_product": purchases.products[a], "rank": rank + 1,
                         "product": purchases.products[col], "name": purchases.names[col],
                         "together": nab.astype(np.int64),
                         "confidence": nab / n[a],
                         "lift": lift, "above_chance": nab * total > n[a] * n[col]})


def also_bought(purchases: Purchases, product: object, *, top: int = 5, basis: str = "order",
                min_together: int = MIN_TOGETHER) -> pd.DataFrame:
    """The products most bought with `product`: product, name, together, confidence, lift, above_chance."""
    table = also_bought_all(purchases, products=[product], top=top, basis=basis, min_together=min_together)
    return table.drop(columns=["for_product", "rank"]).reset_index(drop=True)


# --- per customer: not yet bought -------------------------------------------------------------

def recent_popularity(purchases: Purchases, *, customers: np.ndarray | None = None,
                      days: int = RECENT_DAYS) -> np.ndarray:
    """Customers (of the given indices, default all) who bought each product in the last `days`."""
    last = purchases.last_day
    rows = np.repeat(np.arange(last.shape[0]), np.diff(last.indptr))
    recent = last.data >= _days(purchases.last_date) - days + 1
    if customers is not None:
        member = np.zeros(last.shape[0], dtype=bool)
        member[customers] = True
        recent &= member[rows]
    return np.bincount(last.indices[recent], minlength=last.shape[1]).astype(np.float64)


def _segment_keys(segments: pd.Series, customers: np.ndarray) -> np.ndarray:
    """Each customer's segment key ("" when not segmented). Both sides carry cleaning's string
    ids, so the lookup needs no conversion; the keys may come as a categorical."""
    keys = pd.Series(np.asarray(segments, dtype=object), index=segments.index)
    return keys.reindex(customers).fillna("").to_numpy(dtype=object)


def _fallback_popularity(purchases: Purchases, rows: np.ndarray,
                         segments: pd.Series | None) -> tuple[np.ndarray, np.ndarray]:
    """Per customer row, the index of its popularity vector, and the vectors (recent, segment or all)."""
    overall = recent_popularity(purchases) + 1e-6 * recent_popularity(purchases, days=10**6)
    if segments is None:
        return np.zeros(len(rows), dtype=np.int64), overall[None, :]
    all_seg = _segment_keys(segments, purchases.customers)
    keys, which = np.unique(all_seg[rows], return_inverse=True)
    vectors = [overall]
    for key in keys:
        if key == "":
            vectors.append(overall)
            continue
        members = np.flatnonzero(all_seg == key)
        vectors.append(recent_popularity(purchases, customers=members) + 1e-3 * overall)
    return which + 1, np.vstack(vectors)


def has_history(purchases: Purchases, customer: object) -> bool:
    """True when the customer bought at least one product (non-product lines do not count)."""
    customer = str(customer)
    i = int(np.searchsorted(purchases.customers, customer))
    return i < len(purchases.customers) and purchases.customers[i] == customer


def recommend_for_customers(purchases: Purchases, customers: Sequence[object] | None = None, *, top: int = 10,
                            segments: pd.Series | None = None, explain: bool = True,
                            chunk: int = 512) -> pd.DataFrame:
    """Not-yet-bought products for many customers (all by default), vectorised in chunks.

    Columns: customer, rank, product, name, score, because (product codes the score comes
    from, strongest first), source ("history" or "popular"). Products with a positive score from
    the customer's history come first; when the history gives fewer than `top`, the list is
    completed with what the customer's segment (`segments`: customer → segment key) bought
    most in the last RECENT_DAYS days, or the whole base's when no segment is given.
    A customer of `segments` without any product purchase (only fees or adjustments before
    the date, say) gets that popularity list alone; only a customer in neither is an error.
    Chunks run on two threads: the sparse product and the partial sort release the GIL.
    """
    top = _check_top(top)
    if customers is None:
        rows, absent = np.arange(len(purchases.customers)), []
    else:
        wanted = [str(x) for x in customers]
        found = pd.Index(purchases.customers).get_indexer(wanted) if len(wanted) else np.zeros(0, np.int64)
        absent = [c for c, i in zip(wanted, found) if i < 0]
        segmented = set() if segments is None else set(segments.index)
        for customer in absent:
            if customer not in segmented:
                raise OptionError("unknown_customer", customer=customer)
        rows = found[found >= 0].astype(np.int64)
    which, popular = _fallback_popularity(purchases, rows, segments)
    purchases.model  # fitted here, not by two threads at once

    def run(start: int) -> tuple[np.ndarray, ...]:
        part = slice(start, start + chunk)
        return _recommend_chunk(purchases, rows[part], popular, which[part], top, explain)

    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(run, range(0, len(rows), chunk)))
    row, rank, prod, score, because = (np.concatenate(x) for x in zip(*parts)) if parts else \
        ((np.zeros(0, np.int64),) * 3 + (np.zeros(0), np.zeros((0, BECAUSE), np.int64)))
    table = pd.DataFrame({
        "customer": purchases.customers[row], "rank": rank,  # object arrays of str: no '<U' copies
        "product": purchases.products[prod], "name": purchases.names[prod],
        "score": np.maximum(score, 0.0), "because": code_lists(purchases.products, because),
        "source": np.where(score > 0, "history", "popular")})
    if not absent:
        return table
    extra = _segment_fallback(purchases, absent, segments, top)
    table = pd.concat([table, extra], ignore_index=True)
    position = {c: i for i, c in enumerate(dict.fromkeys(wanted))}  # the order asked for
    order = np.lexsort((table["rank"].to_numpy(), table["customer"].map(position).to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def _segment_fallback(purchases: Purchases, absent: list[str], segments: pd.Series, top: int) -> pd.DataFrame:
    """Customers with no product purchase: their segment's recent best-sellers (one list per segment)."""
    keys = _segment_keys(segments, np.asarray(absent, dtype=object))
    overall = recent_popularity(purchases) + 1e-6 * recent_popularity(purchases, days=10**6)
    all_seg = _segment_keys(segments, purchases.customers)
    lists = {}
    for key in dict.fromkeys(keys):  # at most ten segments
        vector = recent_popularity(purchases, customers=np.flatnonzero(all_seg == key)) + 1e-3 * overall
        lists[key] = top_k(vector[None, :], min(top, len(vector)))[0]
    customer = np.repeat(np.asarray(absent, dtype=object), [len(lists[k]) for k in keys])
    prod = np.concatenate([lists[k] for k in keys]).astype(np.int64)
    rank = np.concatenate([np.arange(1, len(lists[k]) + 1) for k in keys])
    return pd.DataFrame({"customer": customer, "rank": rank, "product": purchases.products[prod],
                         "name": purchases.names[prod], "score": np.zeros(len(prod)),
                         "because": code_lists(purchases.products, np.full((len(prod), BECAUSE), -1)),
                         "source": np.full(len(prod), "popular", dtype=object)})


def _recommend_chunk(purchases: Purchases, part: np.ndarray, popular: np.ndarray, which: np.ndarray,
                     top: int, explain: bool) -> tuple[np.ndarray, ...]:
    """Customers `part`: (row, rank, product, score, because) of each recommendation, where
    score > 0 comes from the history and −1 marks the popularity tier; because holds product
    indices, −1 padded.

    Scores live on the modelled products only. A customer whose history gives fewer than `top`
    positive scores gets a second pass over all products, with the popular tier below them.
    """
    items, weights = purchases.model
    history = purchases.model_history[part]
    scores = history @ weights
    scores[row_of(history), history.indices] = -np.inf
    scores[np.diff(purchases.history.indptr)[part] < MIN_HISTORY] = -np.inf
    wanted = min(top, len(purchases.products))
    # tier: 2 + score for a history product, (0, 1) for a popular one, −inf for none
    tier = np.full((len(part), wanted), -np.inf)
    best = top_k(scores, wanted)
    value = np.take_along_axis(scores, best, axis=1).astype(np.float64)
    width = best.shape[1]
    tier[:, :width] = np.where(value > 0, 2.0 + value, -np.inf)
    prod = np.zeros(tier.shape, dtype=np.int64)
    prod[:, :width] = items[best]
    short = np.flatnonzero((tier > 0).sum(axis=1) < wanted)
    if len(short):
        pop = popular[which[short]]
        tiers = pop / (pop.max(axis=1, keepdims=True) + 1.0)
        modelled = scores[short]
        tiers[:, items] = np.where(modelled > 0, 2.0 + modelled.astype(np.float64), tiers[:, items])
        owned = purchases.history[part[short]]
        tiers[row_of(owned), owned.indices] = -np.inf
        prod[short] = top_k(tiers, wanted)
        tier[short] = np.take_along_axis(tiers, prod[short], axis=1)
    valid = tier > 0
    r, k = np.nonzero(valid)
    rank = np.cumsum(valid, axis=1)[r, k]
    score = np.where(tier[r, k] >= 2.0, tier[r, k] - 2.0, -1.0)
    because = np.full((len(r), BECAUSE), -1, dtype=np.int64)
    if explain:
        mine = np.flatnonzero(score > 0)
        because[mine] = reasons(history, weights, r[mine], np.searchsorted(items, prod[r[mine], k[mine]]))
        because[because >= 0] = items[because[because >= 0]]
    return part[r], rank, prod[r, k], score, because


def recommend_for_customer(purchases: Purchases, customer: object, *, top: int = 10,
                           segments: pd.Series | None = None) -> pd.DataFrame:
    """One customer's not-yet-bought products: product, name, score, because, source."""
    table = recommend_for_customers(purchases, [customer], top=top, segments=segments)
    return table.drop(columns=["customer", "rank"]).reset_index(drop=True)


# --- per customer: buy again ---------------------------------------------------------------

GIVEN_UP_GAPS = 3          # not rebought for three usual gaps: the customer has probably dropped it
SEASON_MIN_BASKETS = 20    # fewer baskets say nothing about a product's season
SEASON_SHARE = 0.6         # seasonal: its three best calendar months hold ≥ 60% of its baskets
PRODUCT_RHYTHM_MIN = 5     # customers with a repeat gap needed to trust a product's own rhythm


def _product_rhythm(purchases: Purchases, prods: np.ndarray) -> np.ndarray:
    """Median gap (days) between repeat purchases of each product over all its repeat buyers;
    NaN when too few customers repeated it."""
    cols = purchases.history[:, prods].tocsc()
    first = purchases.first_day[:, prods].tocsc()
    last = purchases.last_day[:, prods].tocsc()
    out = np.full(len(prods), np.nan)
    for j in range(len(prods)):  # the customer's repeat products only (a handful)
        lo, hi = cols.indptr[j], cols.indptr[j + 1]
        times = cols.data[lo:hi].astype(np.float64)
        repeat = times >= 2
        if repeat.sum() >= PRODUCT_RHYTHM_MIN:
            gaps = (last.data[lo:hi][repeat] - first.data[lo:hi][repeat]) / (times[repeat] - 1)
            out[j] = float(np.median(np.maximum(gaps, 1.0)))
    return out


def _seasons(purchases: Purchases, prods: np.ndarray) -> np.ndarray:
    """Per product, a 12-flag array of its season's calendar months (all False = not seasonal).

    Only judged when the data covers at least a year: a product whose three best months hold
    ≥ SEASON_SHARE of its baskets is seasonal, its season being the months with at least
    twice a uniform month's share."""
    flags = np.zeros((len(prods), 12), dtype=bool)
    days = purchases.basket_day
    if not len(days) or int(days.max() - days.min()) < 365:
        return flags
    sub = purchases.baskets[:, prods].tocoo()
    month = (days[sub.row].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12)
    counts = np.bincount(sub.col * 12 + month, minlength=len(prods) * 12).reshape(len(prods), 12)
    totals = counts.sum(axis=1)
    best3 = np.sort(counts, axis=1)[:, -3:].sum(axis=1)
    seasonal = (totals >= SEASON_MIN_BASKETS) & (best3 >= SEASON_SHARE * np.maximum(totals, 1))
    flags[seasonal] = counts[seasonal] >= (2 / 12) * totals[seasonal, None]
    return flags


def buy_again(purchases: Purchases, customer: object, *, top: int = 10,
              as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Products the customer bought on several occasions, due to be rebought, the most due first.

    Columns: product, name, times (baskets with it), every_days (the rhythm used), last_bought,
    days_since, due_in_days (negative = overdue), score, when ("rhythm" or "season") and
    season (calendar months 1–12 of a seasonal product's season). The rhythm is the customer's
    own mean gap when they bought it three times or more, else the product's median gap over
    all its repeat buyers (one gap says little). A seasonal product (a Christmas basket) is
    offered only in or just before its season, never as "overdue 204 days"; a product not
    rebought for GIVEN_UP_GAPS of its rhythm has been dropped and is left out. Score = times ×
    closeness of days_since to the rhythm (1 when due).
    """
    top = _check_top(top)
    r = purchases.customer_index(customer)
    as_of_stamp = pd.Timestamp(as_of) if as_of is not None else purchases.last_date + pd.Timedelta(days=1)
    as_of_day = _days(np.datetime64(as_of_stamp.normalize()))
    lo, hi = purchases.history.indptr[r], purchases.history.indptr[r + 1]
    prods = purchases.history.indices[lo:hi]
    times = purchases.history.data[lo:hi].astype(np.float64)
    first = purchases.first_day.data[lo:hi].astype(np.float64)
    last = purchases.last_day.data[lo:hi].astype(np.float64)
    repeat = times >= 2
    prods, times, first, last = prods[repeat], times[repeat], first[repeat], last[repeat]
    own = np.maximum((last - first) / np.maximum(times - 1, 1), 1.0)
    product_rhythm = _product_rhythm(purchases, prods)
    every = np.where((times >= 3) | np.isnan(product_rhythm), own, product_rhythm)
    since = np.float64(as_of_day) - last
    ratio = since / every
    season = _seasons(purchases, prods)
    seasonal = season.any(axis=1)
    month, next_month = as_of_stamp.month - 1, as_of_stamp.month % 12
    in_season = season[:, month] | season[:, next_month]
    keep = np.where(seasonal, in_season & (since >= 180), ratio <= GIVEN_UP_GAPS)
    closeness = np.where(seasonal, 1.0, np.where(ratio <= 1, ratio, np.exp(-(ratio - 1) / 2)))
    score = times * closeness
    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((purchases.products[prods[idx]], -times[idx], -score[idx]))][:top]
    due = np.where(seasonal[order], 0, np.round(every[order] - since[order])).astype(np.int64)
    return pd.DataFrame({"product": purchases.products[prods[order]],
                         "name": purchases.names[prods[order]],
                         "times": times[order].astype(np.int64),
                         "every_days": np.round(every[order], 1),
                         "last_bought": pd.to_datetime(last[order].astype("int64"), unit="D"),
                         "days_since": since[order].astype(np.int64),
                         "due_in_days": due,
                         "score": score[order],
                         "when": np.where(seasonal[order], "season", "rhythm"),
                         "season": [tuple(int(m) + 1 for m in np.flatnonzero(flags)) for flags in season[order]]})


# --- per segment ----------------------------------------------------------------------------

def segment_products(purchases: Purchases, segments: pd.Series, segment: str, *,
                     top: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a segment buys most, and what to push to it.

    Top bought: product, name, customers (of the segment who bought it), share (of the
    segment), lift (share in the segment ÷ share in the whole base). To push: products in the
    top-`top` not-yet-bought recommendations of many of the segment's customers: product, name,
    recommended_to (customers), share_bought (of the segment, already), score (mean).
    """
    top = _check_top(top)
    all_seg = _segment_keys(segments, purchases.customers)
    known = set(np.asarray(segments, dtype=object))
    if segment not in known:
        raise OptionError("unknown_segment", segment=str(segment), segments=", ".join(sorted(known)))
    members = np.flatnonzero(all_seg == segment)
    bought = binary(purchases.history)
    in_seg = np.asarray(bought[members].sum(axis=0)).ravel()
    overall = np.asarray(bought.sum(axis=0)).ravel()
    size = max(len(members), 1)
    share = in_seg / size
    lift = np.divide(share, overall / len(purchases.customers), out=np.zeros_like(share), where=overall > 0)
    best = np.lexsort((purchases.products, -in_seg))[:top]
    best = best[in_seg[best] > 0]
    top_bought = pd.DataFrame({"product": purchases.products[best], "name": purchases.names[best],
                               "customers": in_seg[best].astype(np.int64), "share": share[best],
                               "lift": lift[best]})
    recs = recommend_for_customers(purchases, purchases.customers[members], top=top, explain=False,
                                   segments=segments)
    recs = recs[recs["source"] == "history"]
    grouped = recs.groupby("product", sort=True).agg(recommended_to=("customer", "size"), score=("score", "mean"))
    idx = pd.Index(purchases.products).get_indexer(grouped.index)
    grouped["share_bought"] = share[idx]
    grouped["name"] = purchases.names[idx]
    grouped = grouped.reset_index().sort_values(["recommended_to", "score", "product"],
                                                ascending=[False, False, True], kind="stable").head(top)
    to_push = grouped[["product", "name", "recommended_to", "share_bought", "score"]].reset_index(drop=True)
    return top_bought, to_push


# --- tables for pickers and campaign lists --------------------------------------------------

def catalogue(purchases: Purchases) -> pd.DataFrame:
    """Every recommendable product with how many baskets and customers bought it, best-sellers first."""
    baskets = np.asarray(purchases.baskets.sum(axis=0)).ravel().astype(np.int64)
    customers = np.diff(purchases.history.tocsc().indptr).astype(np.int64)
    table = pd.DataFrame({"product": purchases.products, "name": purchases.names,
                          "baskets": baskets, "customers": customers})
    return table.sort_values(["baskets", "product"], ascending=[False, True], kind="stable").reset_index(drop=True)


def with_reason_names(purchases: Purchases, table: pd.DataFrame) -> pd.DataFrame:
    """`because` product codes spelled out as names ("Café; Pão de Queijo"), for people and campaigns."""
    lookup = dict(zip(purchases.products, purchases.names))
    out = table.copy()
    out["because"] = [", ".join(lookup.get(code, code) for code in codes) for codes in out["because"]]
    return out


def segment_recommendations(purchases: Purchases, segments: pd.Series, segment: str, *,
                            top: int = 5) -> pd.DataFrame:
    """Not-yet-bought products for every customer of a segment, reasons as names: a campaign list."""
    members = purchases.customers[_segment_keys(segments, purchases.customers) == segment]
    return with_reason_names(purchases, recommend_for_customers(purchases, members, top=top, segments=segments))
