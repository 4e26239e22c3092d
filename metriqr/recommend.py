"""“Customers who bought A also bought B”: per product, per customer and per segment.

Everything is built once from the cleaned transactions into binary sparse matrices
(baskets × products and customers × products). Co-purchase counts are the sparse
products XᵀX: never a dense one-hot table, never a loop over pairs. Purchases only:
a return is not “bought”. Lines that are not products (postage, fees, discounts,
adjustments) are recognised by `NON_PRODUCT_RULE` and kept out of everything.

Methods, chosen on a time hold-out of Online Retail (docs/recommendations.md,
`metriqr.recommend_eval`):
- per product, the also-bought list keeps pairs with at least `min_together` baskets in
  common and ranks them by together / n_B ** ALSO_BOUGHT_BETA: confidence order, nudged
  away from the best-sellers (the hold-out cannot tell the two apart; lift and cosine lose);
- per customer, not-yet-bought products are scored by a closed-form item-to-item model
  (EASE) fitted on customer histories; each comes with the bought products it comes from.
"""
from __future__ import annotations

import re
from functools import cached_property
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.linalg import lapack

from metriqr.errors import ColumnError, OptionError

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

NON_PRODUCT_RULE: dict[str, str] = {
    "pt": ("Linhas que não são produtos ficam fora das recomendações: frete e postagem, taxas "
           "(de entrega, de serviço, bancárias, de marketplace), embalagem, descontos, ajustes "
           "e lançamentos manuais, amostras, doações e vales-presente. Reconhecidas pelo código "
           "(POST, DOT, C2, M, D, S, B, PADS, CRUK, AMAZONFEE, BANK CHARGES, DCGS…, gift_…) ou pelo "
           "nome que começa com Frete, Taxa, Tarifa, Embalagem, Desconto, Ajuste, Acréscimo, Juros, "
           "Gorjeta, Entrega, Vale-presente, Postage, Carriage, Manual, Discount, Samples…"),
    "en": ("Lines that are not products are kept out of recommendations: postage and delivery, fees "
           "(delivery, service, bank, marketplace), packaging, discounts, adjustments and manual "
           "entries, samples, donations and gift vouchers. Recognised by their code (POST, DOT, C2, "
           "M, D, S, B, PADS, CRUK, AMAZONFEE, BANK CHARGES, DCGS…, gift_…) or by a name starting "
           "with Frete, Taxa, Tarifa, Embalagem, Desconto, Ajuste, Acréscimo, Juros, Gorjeta, "
           "Entrega, Vale-presente, Postage, Carriage, Manual, Discount, Samples…"),
}


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
EASE_LAMBDA = 1000.0      # ridge of the item-to-item model (EASE): chosen on three hold-outs, see docs
MAX_MODEL_PRODUCTS = 5000  # the per-customer model covers at most this many most-bought products
RECENT_DAYS = 90          # "recently popular" window for the fallback, before the last sale
MIN_HISTORY = 1           # fewer distinct products bought than this → segment popularity only
BECAUSE = 3               # at most this many "because you bought" products per recommendation
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
        bought = _binary(self.history, np.int32)
        together = (bought.T.tocsr() @ bought).tocsr()
        together.sort_indices()
        return together

    @cached_property
    def model(self) -> tuple[np.ndarray, np.ndarray]:
        """(product indices the model covers, their weights): fitted on first use only, since
        also-bought lists and per-segment tops never need it and it is the costly part."""
        return _ease(self.together_customer, lam=self.lam, max_products=self.max_model_products)

    @property
    def model_products(self) -> np.ndarray:
        return self.model[0]

    @property
    def weights(self) -> np.ndarray:
        """len(model_products)², float32, zero diagonal."""
        return self.model[1]

    @property
    def n_baskets(self) -> int:
        return self.baskets.shape[0]

    def product_index(self, product: object) -> int:
        product = str(product)
        i = int(np.searchsorted(self.products, product))
        if i < len(self.products) and self.products[i] == product:
            return i
        if product in self.excluded_products:
            raise OptionError("not_a_product", product=product, rule=NON_PRODUCT_RULE)
        raise OptionError("unknown_product", product=product)

    def customer_index(self, customer: object) -> int:
        customer = str(customer)
        i = int(np.searchsorted(self.customers, customer))
        if i < len(self.customers) and self.customers[i] == customer:
            return i
        raise OptionError("unknown_customer", customer=customer)


def _days(dates: object) -> np.ndarray:
    return np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted uniques and the index of each value (hash-based: fast on strings)."""
    index, uniques = pd.factorize(pd.Series(values, dtype=object), sort=True)
    return np.asarray(uniques, dtype=object), index.astype(np.int64)


def _csr(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """CSR from (row, col) pairs already unique and sorted by row then column."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return sparse.csr_matrix((data, cols.astype(np.int32), indptr), shape=shape)


def _binary(m: sparse.csr_matrix, dtype: type = np.float32) -> sparse.csr_matrix:
    out = m.astype(dtype, copy=True)
    out.data[:] = 1
    return out


def build_purchases(transactions: pd.DataFrame, *, lam: float = EASE_LAMBDA,
                    max_model_products: int = MAX_MODEL_PRODUCTS) -> Purchases:
    """Purchases (returns excluded, non-products removed) → matrices and model. Row order never matters."""
    if "product" not in transactions.columns:
        raise ColumnError("no_product_column")
    tx = transactions.loc[~transactions["is_return"].to_numpy(dtype=bool)]
    tx = tx.loc[tx["product"].notna().to_numpy()]
    code = tx["product"].astype(str).to_numpy(dtype=object)
    name = (tx["product_name"] if "product_name" in tx else tx["product"]).to_numpy(dtype=object)
    non = is_non_product(code, name)
    excluded = tuple(sorted(set(code[non].tolist())))
    keep = ~non
    if not keep.any():
        raise OptionError("no_products")
    code, name = code[keep], name[keep]
    day = _days(tx["date"].to_numpy()[keep])
    products, p = _codes(code)
    customers, c = _codes(tx["customer"].astype(str).to_numpy(dtype=object)[keep])
    n_p, n_c = len(products), len(customers)
    names = _top_names(p, name, n_p)
    has_orders = "order" in tx.columns and bool(tx["order"].notna().any())
    # A basket: one order of one customer, or one customer-day without an order column.
    if has_orders:
        _, o = _codes(tx["order"].astype(str).to_numpy(dtype=object)[keep])
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
    baskets = _csr(pb, pp, np.ones(len(pairs), dtype=np.int32), (n_b, n_p))

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
    history = _csr(uc, up, counts, (n_c, n_p))
    first_day = _csr(uc, up, first.astype(np.int32), (n_c, n_p))
    last_day = _csr(uc, up, last.astype(np.int32), (n_c, n_p))

    together_order = (baskets.T.tocsr() @ baskets).tocsr()
    together_order.sort_indices()
    return Purchases(products=products, names=names, customers=customers, baskets=baskets,
                     basket_customer=basket_customer, basket_day=basket_day, history=history,
                     first_day=first_day, last_day=last_day, together_order=together_order,
                     lam=lam, max_model_products=max_model_products,
                     has_orders=has_orders, excluded_products=excluded,
                     last_date=pd.Timestamp(np.datetime64(int(day.max()), "D")))


def _top_names(p: np.ndarray, name: np.ndarray, n_p: int) -> np.ndarray:
    """A code may carry several names: show the most frequent (ties: alphabetical)."""
    frame = pd.DataFrame({"p": p, "name": pd.Series(name, dtype=object).fillna("").astype(str).to_numpy()})
    counted = frame.groupby(["p", "name"], sort=True).size().reset_index(name="n")
    best = counted.sort_values(["p", "n", "name"], ascending=[True, False, True], kind="stable") \
        .drop_duplicates("p")
    names = np.empty(n_p, dtype=object)
    names[best["p"].to_numpy()] = best["name"].to_numpy()
    return names


def _ease(together: sparse.csr_matrix, *, lam: float, max_products: int) -> tuple[np.ndarray, np.ndarray]:
    """Item-to-item weights W = −P / diag(P), P = (XᵀX + λI)⁻¹ (Steck's EASE), on customer histories.

    A closed-form linear model: each product's score is a weighted sum over what the customer
    bought, fitted so that similar histories explain each other; it corrects co-purchase counts
    for popularity and for products that merely travel with others. One Cholesky on the
    product × product matrix (float32; ~1 s for 4,000 products); the most-bought
    `max_products` products are covered, the rest are never suggested from history.
    """
    n = together.diagonal()
    if len(n) <= max_products:
        items = np.arange(len(n))
        gram = together.astype(np.float32).toarray()
    else:
        items = np.sort(np.argsort(-n, kind="stable")[:max_products])
        gram = together[items][:, items].astype(np.float32).toarray()
    gram[np.diag_indices_from(gram)] += np.float32(lam)
    chol, info = lapack.spotrf(gram, lower=1, overwrite_a=1, clean=0)
    if info == 0:
        inverse, info = lapack.spotri(chol, lower=1, overwrite_c=1)
    if info != 0:  # not positive definite: cannot happen with λ > 0, but never crash on it
        return items, np.zeros((len(items), len(items)), dtype=np.float32)
    inverse = np.tril(inverse)
    inverse += inverse.T
    inverse[np.diag_indices_from(inverse)] /= 2
    weights = inverse
    weights /= -np.diag(inverse).copy()[None, :]  # column i: weights predicting product i
    np.fill_diagonal(weights, 0.0)
    return items, weights.astype(np.float32, copy=False)


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
                    basis: str = "order", min_together: int = MIN_TOGETHER, chunk: int = 512) -> pd.DataFrame:
    """Also-bought lists of many products at once (all by default): one vectorised pass.

    Columns: for_product, rank (1 = first), product, name, together, confidence, lift.
    `together` counts baskets (basis order) or customers (basis customer) with both;
    confidence = P(B | A) = together / n_A; lift = together · N / (n_A n_B). Pairs with fewer
    than `min_together` are never shown. Ranked by together / n_B ** ALSO_BOUGHT_BETA.
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
    weight = n ** -ALSO_BOUGHT_BETA
    parts = []
    for lo in range(0, sub.shape[0], chunk):  # dense product rows in chunks: top-k by argpartition
        nab = sub[lo:lo + chunk].toarray()
        a = rows_of[lo:lo + chunk]
        score = np.where(nab >= min_together, nab * weight[None, :], -np.inf)
        score[np.arange(len(a)), a] = -np.inf
        best = _top_k(score, top)
        value = np.take_along_axis(score, best, axis=1)
        r, j = np.nonzero(np.isfinite(value))
        parts.append((a[r], j, best[r, j], np.take_along_axis(nab, best, axis=1)[r, j]))
    a, rank, col, together_ab = (np.concatenate(x) for x in zip(*parts)) if parts else ([],) * 4
    together_ab = np.asarray(together_ab, dtype=np.float64)
    return pd.DataFrame({"for_product": purchases.products[a].astype(str),
                         "rank": np.asarray(rank, dtype=np.int64) + 1,
                         "product": purchases.products[col].astype(str),
                         "name": purchases.names[col].astype(str),
                         "together": together_ab.astype(np.int64),
                         "confidence": together_ab / n[a],
                         "lift": together_ab * total / (n[a] * n[col])})


def also_bought(purchases: Purchases, product: object, *, top: int = 5, basis: str = "order",
                min_together: int = MIN_TOGETHER) -> pd.DataFrame:
    """The products most bought with `product`: product, name, together, confidence, lift."""
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


def _model_scores(purchases: Purchases, rows: np.ndarray) -> np.ndarray:
    """Dense scores (len(rows) × products) from the customers' histories; −inf where not modelled."""
    bought = _binary(purchases.history[rows][:, purchases.model_products])
    scores = np.full((len(rows), len(purchases.products)), -np.inf, dtype=np.float32)
    scores[:, purchases.model_products] = bought @ purchases.weights
    return scores


def _owned_mask(local: sparse.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """Dense mask of the products each of `rows` (rows of `local`) already bought."""
    sub = local[rows]
    mask = np.zeros(sub.shape, dtype=bool)
    mask[np.repeat(np.arange(len(rows)), np.diff(sub.indptr)), sub.indices] = True
    return mask


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k best scores per row, best first (ties by column)."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < scores.shape[1] else \
        np.tile(np.arange(scores.shape[1]), (scores.shape[0], 1))
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -vals), axis=1)
    return np.take_along_axis(part, order, axis=1)


def _fallback_popularity(purchases: Purchases, rows: np.ndarray,
                         segments: pd.Series | None) -> tuple[np.ndarray, np.ndarray]:
    """Per customer row, the index of its popularity vector, and the vectors (recent, segment or all)."""
    overall = recent_popularity(purchases) + 1e-6 * recent_popularity(purchases, days=10**6)
    if segments is None:
        return np.zeros(len(rows), dtype=np.int64), overall[None, :]
    seg = pd.Series(segments).astype(str)
    seg.index = seg.index.astype(str)
    of_row = seg.reindex(purchases.customers[rows].astype(str)).fillna("").to_numpy()
    keys, which = np.unique(of_row, return_inverse=True)
    all_seg = seg.reindex(purchases.customers.astype(str)).fillna("").to_numpy()
    vectors = [overall]
    for key in keys:
        if key == "":
            vectors.append(overall)
            continue
        members = np.flatnonzero(all_seg == key)
        vectors.append(recent_popularity(purchases, customers=members) + 1e-3 * overall)
    return which + 1, np.vstack(vectors)


def recommend_for_customers(purchases: Purchases, customers: Sequence[object] | None = None, *, top: int = 10,
                            segments: pd.Series | None = None, explain: bool = True,
                            chunk: int = 1024) -> pd.DataFrame:
    """Not-yet-bought products for many customers (all by default), vectorised in chunks.

    Columns: customer, rank, product, name, score, because (product codes the score comes
    from, strongest first), source ("history" or "popular"). Products with a positive score from
    the customer's history come first; when the history gives fewer than `top`, the list is
    completed with what the customer's segment (`segments`: customer → segment key) bought
    most in the last RECENT_DAYS days, or the whole base's when no segment is given.
    """
    top = _check_top(top)
    rows = np.arange(len(purchases.customers)) if customers is None else \
        np.array([purchases.customer_index(x) for x in customers], dtype=np.int64)
    which, popular = _fallback_popularity(purchases, rows, segments)
    bought = purchases.history
    n_hist = np.diff(bought.indptr)
    frames = []
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        scores = _model_scores(purchases, part)  # float32, −inf where not modelled
        scores[n_hist[part] < MIN_HISTORY] = -np.inf
        local = bought[part]
        owned = (np.repeat(np.arange(len(part)), np.diff(local.indptr)), local.indices)
        scores[owned] = -np.inf
        # Two tiers: every positive history score (2 + score) above every popular fallback (< 1).
        # Most customers fill their list from history; only the others need the fallback tier.
        best = _top_k(scores, top)
        value = 2.0 + np.take_along_axis(scores, best, axis=1).astype(np.float64)
        short = np.flatnonzero((value > 2.0).sum(axis=1) < min(top, scores.shape[1]))
        if len(short):
            history_part = scores[short].astype(np.float64)
            pop = popular[which[start + short]]
            combined = np.where(history_part > 0, 2.0 + history_part, pop / (pop.max(axis=1, keepdims=True) + 1.0))
            combined[_owned_mask(local, short)] = -np.inf
            best[short] = _top_k(combined, top)
            value[short] = np.take_along_axis(combined, best[short], axis=1)
        valid = np.isfinite(value) & (value > 0)
        r_idx, k_idx = np.nonzero(valid)
        prod = best[r_idx, k_idx]
        is_hist = value[r_idx, k_idx] >= 2.0
        score = np.where(is_hist, value[r_idx, k_idx] - 2.0, 0.0)
        frames.append(pd.DataFrame({"_row": part[r_idx], "rank": k_idx + 1, "_p": prod, "score": score,
                                    "source": np.where(is_hist, "history", "popular")}))
    out = pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame({"_row": [], "rank": [], "_p": [], "score": [], "source": []})
    out["rank"] = out.groupby("_row").cumcount() + 1 if len(out) else out["rank"]
    if explain:
        out["because"] = _because(purchases, out["_row"].to_numpy(dtype=np.int64), out["_p"].to_numpy(dtype=np.int64),
                                  (out["source"] == "history").to_numpy())
    else:
        out["because"] = [[] for _ in range(len(out))]
    out.insert(0, "customer", purchases.customers[out["_row"].to_numpy(dtype=np.int64)].astype(str))
    out.insert(2, "product", purchases.products[out["_p"].to_numpy(dtype=np.int64)].astype(str))
    out.insert(3, "name", purchases.names[out["_p"].to_numpy(dtype=np.int64)].astype(str))
    return out[["customer", "rank", "product", "name", "score", "because", "source"]]


def _because(purchases: Purchases, rows: np.ndarray, prods: np.ndarray, from_history: np.ndarray) -> list[list[str]]:
    """For each (customer, product), the bought products contributing most to its score.

    Vectorised over all recommendations at once: every (recommendation, bought product) pair
    is laid out flat, weighted from W, and the BECAUSE strongest positive ones kept per
    recommendation (ties: lower product index first).
    """
    position = np.full(len(purchases.products), -1, dtype=np.int64)
    position[purchases.model_products] = np.arange(len(purchases.model_products))
    reasons: list[list[str]] = [[] for _ in range(len(rows))]
    chosen = np.flatnonzero(from_history)
    if not len(chosen):
        return reasons
    hist = purchases.history
    customer = rows[chosen]
    counts = np.diff(hist.indptr)[customer]
    pair = np.repeat(np.arange(len(chosen)), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    item = hist.indices[np.repeat(hist.indptr[customer], counts) + offset]
    modelled = position[item] >= 0
    pair, item = pair[modelled], item[modelled]
    weight = purchases.weights[position[item], position[prods[chosen][pair]]]
    positive = weight > 0
    pair, item, weight = pair[positive], item[positive], weight[positive]
    # One sort on a 64-bit key: recommendation high, weight descending low (the bit pattern of a
    # positive float32 orders like its value); stable, so equal weights keep product order.
    low = np.uint32(0xFFFFFFFF) - weight.astype(np.float32).view(np.uint32)
    order = np.argsort((pair.astype(np.uint64) << np.uint64(32)) | low.astype(np.uint64), kind="stable")
    pair, item = pair[order], item[order]
    start = np.searchsorted(pair, pair, side="left")
    keep = np.arange(len(pair)) - start < BECAUSE
    pair, item = pair[keep], item[keep]
    codes = purchases.products[item].astype(str)
    bounds = np.searchsorted(pair, np.arange(len(chosen) + 1))
    for j, i in enumerate(chosen):  # one list per output row: building the column itself
        reasons[i] = codes[bounds[j]:bounds[j + 1]].tolist()
    return reasons


def recommend_for_customer(purchases: Purchases, customer: object, *, top: int = 10,
                           segments: pd.Series | None = None) -> pd.DataFrame:
    """One customer's not-yet-bought products: product, name, score, because, source."""
    table = recommend_for_customers(purchases, [customer], top=top, segments=segments)
    return table.drop(columns=["customer", "rank"]).reset_index(drop=True)


# --- per customer: buy again ---------------------------------------------------------------

def buy_again(purchases: Purchases, customer: object, *, top: int = 10,
              as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Products the customer bought on several occasions, the most due to be rebought first.

    Columns: product, name, times (baskets with it), every_days (mean gap between them),
    last_bought, days_since, due_in_days (negative = overdue), score. Score = times ×
    closeness of days_since to the usual gap (1 when due, falling when long overdue, since
    a product not rebought for three gaps has probably been dropped).
    """
    top = _check_top(top)
    r = purchases.customer_index(customer)
    as_of_day = _days(np.datetime64(pd.Timestamp(as_of) if as_of is not None else purchases.last_date)) + \
        (0 if as_of is not None else 1)
    lo, hi = purchases.history.indptr[r], purchases.history.indptr[r + 1]
    prods = purchases.history.indices[lo:hi]
    times = purchases.history.data[lo:hi].astype(np.float64)
    first = purchases.first_day.data[lo:hi].astype(np.float64)
    last = purchases.last_day.data[lo:hi].astype(np.float64)
    repeat = times >= 2
    prods, times, first, last = prods[repeat], times[repeat], first[repeat], last[repeat]
    every = np.maximum((last - first) / np.maximum(times - 1, 1), 1.0)
    since = np.float64(as_of_day) - last - 0.0
    ratio = since / every
    closeness = np.where(ratio <= 1, ratio, np.exp(-(ratio - 1) / 2))
    score = times * closeness
    order = np.lexsort((purchases.products[prods].astype(str), -times, -score))[:top]
    return pd.DataFrame({"product": purchases.products[prods[order]].astype(str),
                         "name": purchases.names[prods[order]].astype(str),
                         "times": times[order].astype(np.int64),
                         "every_days": np.round(every[order], 1),
                         "last_bought": pd.to_datetime(last[order].astype("int64"), unit="D"),
                         "days_since": since[order].astype(np.int64),
                         "due_in_days": np.round(every[order] - since[order]).astype(np.int64),
                         "score": score[order]})


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
    seg = pd.Series(segments).astype(str)
    seg.index = seg.index.astype(str)
    if segment not in set(seg.to_numpy()):
        raise OptionError("unknown_segment", segment=str(segment), segments=", ".join(sorted(set(seg))))
    members = np.flatnonzero(np.isin(purchases.customers.astype(str), seg.index[seg.to_numpy() == segment]))
    bought = _binary(purchases.history)
    in_seg = np.asarray(bought[members].sum(axis=0)).ravel()
    overall = np.asarray(bought.sum(axis=0)).ravel()
    size = max(len(members), 1)
    share = in_seg / size
    lift = np.divide(share, overall / len(purchases.customers), out=np.zeros_like(share), where=overall > 0)
    best = np.lexsort((purchases.products.astype(str), -in_seg))[:top]
    best = best[in_seg[best] > 0]
    top_bought = pd.DataFrame({"product": purchases.products[best].astype(str),
                               "name": purchases.names[best].astype(str),
                               "customers": in_seg[best].astype(np.int64), "share": share[best],
                               "lift": lift[best]})
    recs = recommend_for_customers(purchases, purchases.customers[members], top=top, explain=False,
                                   segments=seg)
    recs = recs[recs["source"] == "history"]
    grouped = recs.groupby("product", sort=True).agg(recommended_to=("customer", "size"), score=("score", "mean"))
    idx = pd.Index(purchases.products.astype(str)).get_indexer(grouped.index)
    grouped["share_bought"] = share[idx]
    grouped["name"] = purchases.names[idx].astype(str)
    grouped = grouped.reset_index().sort_values(["recommended_to", "score", "product"],
                                                ascending=[False, False, True], kind="stable").head(top)
    to_push = grouped[["product", "name", "recommended_to", "share_bought", "score"]].reset_index(drop=True)
    return top_bought, to_push


# --- tables for pickers and campaign lists --------------------------------------------------

def catalogue(purchases: Purchases) -> pd.DataFrame:
    """Every recommendable product with how many baskets and customers bought it, best-sellers first."""
    baskets = np.asarray(purchases.baskets.sum(axis=0)).ravel().astype(np.int64)
    customers = np.diff(purchases.history.tocsc().indptr).astype(np.int64)
    table = pd.DataFrame({"product": purchases.products.astype(str), "name": purchases.names.astype(str),
                          "baskets": baskets, "customers": customers})
    return table.sort_values(["baskets", "product"], ascending=[False, True], kind="stable").reset_index(drop=True)


def with_reason_names(purchases: Purchases, table: pd.DataFrame) -> pd.DataFrame:
    """`because` product codes spelled out as names ("Café; Pão de Queijo"), for people and campaigns."""
    lookup = dict(zip(purchases.products.astype(str), purchases.names.astype(str)))
    out = table.copy()
    out["because"] = [", ".join(lookup.get(code, code) for code in codes) for codes in out["because"]]
    return out


def segment_recommendations(purchases: Purchases, segments: pd.Series, segment: str, *,
                            top: int = 5) -> pd.DataFrame:
    """Not-yet-bought products for every customer of a segment, reasons as names: a campaign list."""
    seg = pd.Series(segments).astype(str)
    members = seg.index[seg.to_numpy() == segment].astype(str)
    members = members[np.isin(members, purchases.customers.astype(str))]
    return with_reason_names(purchases, recommend_for_customers(purchases, members, top=top, segments=seg))
