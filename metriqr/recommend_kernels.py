"""Numeric kernels of the recommendations: sparse matrices, the item-to-item model, top-k
selection and reasons. Pure array functions (no pandas tables, no product or customer ids), kept
apart from `metriqr.recommend`, whose public functions take and return tables.
"""
from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse
from scipy.linalg import lapack

BECAUSE = 3               # at most this many "because you bought" products per recommendation
DENSE_PAIRS = 100         # qualifying pairs per product above which also-bought rows go dense


def csr_from_pairs(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """CSR from (row, col) pairs already unique and sorted by row then column."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return sparse.csr_matrix((data, cols.astype(np.int32), indptr), shape=shape)


def binary(m: sparse.csr_matrix) -> sparse.csr_matrix:
    """1 where m is non-zero, float32 (counts summed from it are exact to 16 million)."""
    out = m.astype(np.float32, copy=True)
    out.data[:] = 1
    return out


def ease_weights(history: sparse.csr_matrix, *, lam: float) -> np.ndarray:
    """Item-to-item weights W = −P / diag(P), P = (HᵀH + λI)⁻¹ (Steck's EASE), on binary histories.

    A closed-form linear model: each product's score is a weighted sum over what the customer
    bought, fitted so that similar histories explain each other; it corrects co-purchase counts
    for popularity and for products that merely travel with others. One Cholesky on the
    product × product matrix (float32; ~0.5 s for 5,000 products on 2 cores).
    """
    gram = gram_matrix(history)
    gram[np.diag_indices_from(gram)] += np.float32(lam)
    # LAPACK works in Fortran order: gram.T is that view of the (symmetric) gram, so no copy is
    # made, and the symmetric inverse is read back the same way (a C-ordered W for the products).
    chol, info = lapack.spotrf(gram.T, lower=1, overwrite_a=1, clean=0)
    if info == 0:
        inverse, info = lapack.spotri(chol, lower=1, overwrite_c=1)
    if info != 0:  # not positive definite: cannot happen with λ > 0, but never crash on it
        return np.zeros(gram.shape, dtype=np.float32)
    weights = mirror_lower(inverse).T
    weights /= -np.diag(weights).copy()[None, :]  # column i: weights predicting product i
    np.fill_diagonal(weights, 0.0)
    return weights


def gram_matrix(h: sparse.csr_matrix, block: int = 512) -> np.ndarray:
    """HᵀH as dense float32, by blocks of rows on two threads: the gram of customer histories is
    nearly dense, and as one sparse product it would hold twice the dense matrix's memory."""
    ht = h.T.tocsr()
    out = np.zeros((h.shape[1], h.shape[1]), dtype=np.float32)

    def fill(lo: int) -> None:
        (ht[lo:lo + block] @ h).toarray(out=out[lo:lo + block])

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(fill, range(0, h.shape[1], block)))
    return out


def take_columns(m: sparse.csr_matrix, items: np.ndarray) -> sparse.csr_matrix:
    """m[:, items] (items sorted), without the index sort scipy's column indexing does first."""
    position = np.full(m.shape[1], -1, dtype=np.int32)
    position[items] = np.arange(len(items))
    cols = position[m.indices]
    keep = cols >= 0
    indptr = np.r_[0, np.cumsum(keep)][m.indptr]
    return sparse.csr_matrix((m.data[keep], cols[keep], indptr), shape=(m.shape[0], len(items)))


def mirror_lower(a: np.ndarray, block: int = 512) -> np.ndarray:
    """Copy the lower triangle onto the upper, in place, by blocks (a whole-matrix a.T is ~20×
    slower: it walks memory column by column)."""
    for i in range(0, a.shape[0], block):
        a[i:i + block, i + block:] = a[i + block:, i:i + block].T
        diagonal = a[i:i + block, i:i + block]
        upper = np.triu_indices(diagonal.shape[0], 1)
        diagonal[upper] = diagonal.T[upper]
    return a


def best_pairs(sub: sparse.csr_matrix, rows_of: np.ndarray, weight: np.ndarray, min_together: int, top: int,
                *, n: np.ndarray, total: int, chunk: int = 512) -> tuple[np.ndarray, ...]:
    """Each row's `top` partners with at least `min_together` in common: above-chance pairs
    (nab · total > n_A · n_B, i.e. lift > 1) first, then best nab · weight, ties by column:
    (row of `sub`, rank from 0, column, together). Row i is product rows_of[i].

    Where few pairs qualify (most retail), the qualifying stored pairs are sorted; where most do
    (a wholesaler's customer histories: nearly every pair), chunks of dense rows are partially
    sorted instead, which then costs less than sorting millions of pairs.
    """
    row, col, nab = row_of(sub), sub.indices, sub.data
    keep = (nab >= min_together) & (col != rows_of[row])
    if np.count_nonzero(keep) <= DENSE_PAIRS * sub.shape[0]:
        row, col, nab = row[keep], col[keep], nab[keep].astype(np.float64)
        above = nab * total > n[rows_of[row]] * n[col]
        order = np.lexsort((col, -(nab * weight[col]), ~above, row))
        row, col, nab = row[order], col[order], nab[order]
        rank = np.arange(len(row)) - np.searchsorted(row, row)
        first = rank < top
        return row[first], rank[first], col[first], nab[first]
    parts = []
    for lo in range(0, sub.shape[0], chunk):
        dense = sub[lo:lo + chunk].toarray().astype(np.float64)
        own = rows_of[lo:lo + chunk]
        above = dense * total > n[own][:, None] * n[None, :]
        # the tier first: above-chance pairs outrank any other (scores are at most `total`)
        score = np.where(dense >= min_together, dense * weight[None, :] + above * (total + 1.0), -np.inf)
        score[np.arange(len(own)), own] = -np.inf
        best = top_k(score, top)
        r, k = np.nonzero(np.isfinite(np.take_along_axis(score, best, axis=1)))
        parts.append((lo + r, k, best[r, k], dense[r, best[r, k]]))
    return tuple(np.concatenate(x) for x in zip(*parts))


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k best scores per row, best first (ties by column).

    Wide rows: fold each row in halves with an element-wise max until a few dozen group maxima
    remain; the k-th largest of them bounds the k-th largest score from below, so only the scores
    at or above it — usually a few dozen per row — are sorted. Folding reads the row about twice
    at SIMD speed, where a partial sort of every row costs several times more.
    """
    n, rows = scores.shape[1], scores.shape[0]
    k = min(k, n)
    if k < n and n >= 64 * k and rows:
        maxima = scores
        while maxima.shape[1] >= 16 * k:
            half = maxima.shape[1] // 2
            folded = np.maximum(maxima[:, :half], maxima[:, half:2 * half])
            if maxima.shape[1] % 2:
                np.maximum(folded[:, -1], maxima[:, -1], out=folded[:, -1])
            maxima = folded
        bound = np.partition(maxima, maxima.shape[1] - k, axis=1)[:, maxima.shape[1] - k]
        flat = np.flatnonzero(scores >= bound[:, None])  # at least k per row
        r, c = flat // n, flat % n
        if len(r) <= 8 * k * rows:  # else (rows of ties or −inf) the partial sort is cheaper
            order = np.lexsort((c, -scores[r, c], r))
            r, c = r[order], c[order]
            rank = np.arange(len(r)) - np.searchsorted(r, r)
            first = rank < k
            best = np.empty((rows, k), dtype=np.int64)
            best[r[first], rank[first]] = c[first]
            return best
    if k < n:
        part = np.argpartition(scores, n - k, axis=1)[:, n - k:]
        vals = np.take_along_axis(scores, part, axis=1)
        # argpartition picks any of the values tied with the k-th: redo those rows stably
        kth = vals.min(axis=1, keepdims=True)
        tied = (np.count_nonzero(scores == kth, axis=1) > np.count_nonzero(vals == kth, axis=1)) & np.isfinite(kth[:, 0])
        if tied.any():
            part[tied] = np.argsort(-scores[tied], axis=1, kind="stable")[:, :k]
            vals[tied] = np.take_along_axis(scores[tied], part[tied], axis=1)
    else:
        part = np.tile(np.arange(n), (scores.shape[0], 1))
        vals = scores
    order = np.lexsort((part, -vals), axis=1)
    return np.take_along_axis(part, order, axis=1)


def row_of(m: sparse.csr_matrix) -> np.ndarray:
    """The row of every stored entry."""
    return np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))


def reasons(history: sparse.csr_matrix, weights: np.ndarray, rec_row: np.ndarray, rec_col: np.ndarray) -> np.ndarray:
    """For each recommendation (a row of `history`, a model column with a positive score), the
    BECAUSE bought model products weighing most towards it, strongest first (ties: lower
    index); −1 pads. Three passes of group maxima over the flat (recommendation, bought) pairs:
    no sort, no loop per recommendation."""
    out = np.full((len(rec_row), BECAUSE), -1, dtype=np.int64)
    if not len(rec_row):
        return out
    counts = np.diff(history.indptr)[rec_row]  # ≥ 1: a positive score needs a bought product
    starts = np.cumsum(counts) - counts
    item = history.indices[np.arange(int(counts.sum())) + np.repeat(history.indptr[rec_row] - starts, counts)]
    weight = weights[item, np.repeat(rec_col, counts)]
    group = np.repeat(np.arange(len(rec_row)), counts)
    at = np.arange(len(weight))
    for k in range(BECAUSE):
        strongest = np.maximum.reduceat(weight, starts)
        first = np.minimum.reduceat(np.where(weight == strongest[group], at, len(weight)), starts)
        ok = strongest > 0
        out[ok, k] = item[first[ok]]
        weight[first[ok]] = -np.inf
    return out


def code_lists(codes: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Rows of product indices (−1 pads the end) → an object array of lists of codes.

    The garbage collector is paused meanwhile: a million new lists would otherwise set off
    collections that take four times longer than building them (lists of strings hold no cycles).
    """
    table = np.where(index >= 0, codes[np.maximum(index, 0)], None)
    out = np.empty(len(index), dtype=object)
    enabled = gc.isenabled()
    gc.disable()
    try:
        out[:] = [row[:n] for row, n in zip(table.tolist(), (index >= 0).sum(axis=1).tolist())]
    finally:
        if enabled:
            gc.enable()
    return out
