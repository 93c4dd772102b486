"""Exact Fisher test for r×c tables by a network algorithm (Mehta & Patel 1983).

R's ``fisher.test`` (FEXACT) sums the probabilities of all tables with the observed
margins that are no more probable than the observed table. Listing every table is
hopeless beyond small tables; the network algorithm walks the table column by
column instead. A node is what is left of the row margins after some columns (rows
with equal remainders are exchangeable, so the remainders are sorted); a path to
it has a "past" probability. At each node, bounds on the probability of every
completion decide, for each past, that all completions count, none count, or that
the node must be expanded one column further. The mass of all completions of a
node has a closed form (``N'! / (prod R'! prod C'!)``), so whole subtrees are
added without being listed. Pasts of equal value are merged.

The bounds here are relaxations (each column filled against the row remainders
alone, or each row against the column totals alone), which are valid but looser
than FEXACT's exact longest and shortest paths; the answer is exact either way,
only the work differs.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import special

__all__ = ["fisher_network_logp"]

# R: relErr <- 1 + 10^(-7); tables this close to the observed one count as equal.
LOG_REL_ERR = np.log1p(1e-7)
_KEY = 1e-9  # pasts closer than this (log scale) are merged


@lru_cache(maxsize=100_000)
def _compositions(total: int, caps: tuple[int, ...]) -> np.ndarray:
    """Every vector 0 <= v <= caps with sum ``total`` (rows of an int array)."""
    if len(caps) == 1:
        return np.array([[total]]) if total <= caps[0] else np.zeros((0, 1), int)
    if len(caps) == 2:
        first = np.arange(max(0, total - caps[1]), min(caps[0], total) + 1)
        return np.column_stack([first, total - first])
    rest = sum(caps[1:])
    heads = range(max(0, total - rest), min(caps[0], total) + 1)
    tails = [_compositions(total - v, caps[1:]) for v in heads]
    if not heads:
        return np.zeros((0, len(caps)), int)
    sizes = [len(t) for t in tails]
    out = np.empty((sum(sizes), len(caps)), dtype=int)
    out[:, 0] = np.repeat(np.asarray(heads), sizes)
    out[:, 1:] = np.concatenate(tails)
    return out


_LG: list[float] = [0.0]  # log k! for k = 0, 1, ...; grown on demand
_LGA = np.zeros(1)


def _log_factorials(n: int) -> None:
    global _LGA
    if len(_LG) <= n:
        _LGA = special.gammaln(np.arange(n + 1, dtype=float) + 1)
        _LG[:] = _LGA.tolist()


def _lf(v: np.ndarray | list[int] | tuple[int, ...]) -> float:
    """Sum of log v! (entries within the precomputed range)."""
    lg = _LG
    return sum(lg[int(k)] for k in v)


def _even_fill(total: int, caps: tuple[int, ...]) -> list[int]:
    """The fill of ``total`` under ``caps`` that is as even as possible."""
    order = sorted(caps)
    out, left = [], total
    for i, cap in enumerate(order):
        take = min(cap, left // (len(order) - i))
        out.append(take)
        left -= take
    for i in range(len(order) - 1, -1, -1):  # what floors left over: one more each
        extra = min(order[i] - out[i], left, 1)
        out[i] += extra
        left -= extra
    return out


def _greedy_fill(total: int, caps: tuple[int, ...]) -> list[int]:
    """The most concentrated fill of ``total`` under ``caps`` (largest caps first)."""
    out, left = [], total
    for cap in sorted(caps, reverse=True):
        take = min(cap, left)
        out.append(take)
        left -= take
    return out


def _dual_longest(rows: tuple[int, ...], cols: tuple[int, ...]) -> float:
    """Lagrangian upper bound of the longest path, multipliers at ``log E_ij``.

    For any multipliers, max over the margins of ``-sum log x!`` is at most
    ``sum_i a_i R_i + sum_j b_j C_j + sum_ij max_x (x log E_ij - log x!)``; with
    ``E_ij = R_i C_j / N`` the inner maximum is at ``x = floor(E_ij)`` (the
    Poisson mode) and the bound is within a few percent of the longest path.
    """
    r = np.array([v for v in rows if v > 0], dtype=float)
    c = np.array(cols, dtype=float)
    n = r.sum()
    e = np.outer(r, c) / n
    x = np.floor(e)
    inner = (x * np.log(e) - special.gammaln(x + 1)).sum()
    return float(n * np.log(n) - (r * np.log(r)).sum() - (c * np.log(c)).sum() + inner)


@lru_cache(maxsize=200_000)
def _bounds(rows: tuple[int, ...], cols: tuple[int, ...]) -> tuple[float, float, float]:
    """(lower bound of the shortest, upper bound of the longest path, log total mass).

    Path length: sum of ``-log x!`` over the remaining cells.
    """
    n = sum(rows)
    log_mass = _LG[n] - _lf(rows) - _lf(cols)
    if len(cols) == 1:
        exact = -_lf(rows)
        return exact, exact, log_mass
    longest = min(
        -sum(_lf(_even_fill(c, rows)) for c in cols),
        -sum(_lf(_even_fill(r, cols)) for r in rows),
        _dual_longest(rows, cols),
    )
    shortest = max(
        -sum(_lf(_greedy_fill(c, rows)) for c in cols),
        -sum(_lf(_greedy_fill(r, cols)) for r in rows),
    )
    return shortest, longest, log_mass


def _logsumexp(v: np.ndarray | list[float]) -> float:
    a = np.asarray(v, dtype=float)
    top = a.max()
    return float(top + np.log(np.exp(a - top).sum()))


def _merge(
    node: np.ndarray, pv: np.ndarray, lw: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge pasts of equal value at the same node: log of the summed mass."""
    keys = np.round(pv / _KEY).astype(np.int64)
    order = np.lexsort((keys, node))
    node, keys, pv, lw = node[order], keys[order], pv[order], lw[order]
    new = np.ones(node.size, dtype=bool)
    new[1:] = (node[1:] != node[:-1]) | (keys[1:] != keys[:-1])
    if new.all():
        return node, pv, lw
    group = np.cumsum(new) - 1
    top = np.full(group[-1] + 1, -np.inf)
    np.maximum.at(top, group, lw)
    mass = np.zeros(top.size)
    np.add.at(mass, group, np.exp(lw - top[group]))
    return node[new], pv[new], top + np.log(mass)


def fisher_network_logp(table: np.ndarray, max_work: float = 5e8) -> float:
    """Log of R's ``fisher.test`` P value for a validated r×c count table.

    ``max_work`` caps the number of (path, completion) pairs examined; beyond it
    a ValueError is raised rather than computing for minutes.
    """
    arr = np.asarray(table, dtype=int)
    if arr.shape[0] > arr.shape[1]:
        arr = arr.T  # fewer rows: fewer nodes
    arr = arr[:, np.argsort(-arr.sum(axis=0), kind="stable")]
    rows, cols = arr.sum(axis=1), tuple(int(c) for c in arr.sum(axis=0))
    n = int(rows.sum())
    _log_factorials(n)
    const = _lf(rows) + _lf(cols) - _LG[n]
    net = _Network(cols, -_lf(arr.ravel()) + LOG_REL_ERR, max_work)
    node = np.array([net.node_id(tuple(sorted(int(r) for r in rows)))])
    pv = np.zeros(1)
    lw = np.zeros(1)
    b = net.bounds(node, 0)
    all_in = pv + b[:, 1] <= net.threshold
    if all_in.all():
        return min(0.0, float(b[0, 2]) + const)
    for k in range(len(cols) - 1):
        node, pv, lw = _merge(*net.expand(node, pv, lw, k))
        if node.size == 0:
            break
    if not net.found:
        return -np.inf
    return min(0.0, _logsumexp(net.found) + const)


def _unique_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(a, axis=0, return_inverse=True)``, fast for small counts (int codes)."""
    base = int(a.max(initial=0)) + 1
    if float(base) ** a.shape[1] >= 2.0**62:
        uniq, inv = np.unique(a, axis=0, return_inverse=True)
        return uniq, inv.ravel()
    codes = a @ (base ** np.arange(a.shape[1], dtype=np.int64))
    _, first, inv = np.unique(codes, return_index=True, return_inverse=True)
    return a[first], inv.ravel()


class _Network:
    """Nodes (sorted row remainders) by id, their bounds, and the resolved mass."""

    def __init__(self, cols: tuple[int, ...], threshold: float, max_work: float) -> None:
        self.cols, self.threshold, self.max_work = cols, threshold, max_work
        self.ids: dict[tuple[int, ...], int] = {}
        self.names: list[tuple[int, ...]] = []
        self.found: list[float] = []  # log masses of resolved subtrees (before const)
        self.work = 0.0

    def node_id(self, key: tuple[int, ...]) -> int:
        if key not in self.ids:
            self.ids[key] = len(self.names)
            self.names.append(key)
        return self.ids[key]

    def bounds(self, ids: np.ndarray, k: int) -> np.ndarray:
        """(shortest, longest, log mass) of completions from stage ``k`` of each node."""
        return np.array([_bounds(self.names[i], self.cols[k:]) for i in ids])

    def expand(self, node, pv, lw, k):
        """Fill column ``k`` from every node; resolve each child at once if possible.

        Returns the (node, pv, lw) of the pairs still open at stage ``k + 1``.
        """
        order = np.argsort(node, kind="stable")
        node, pv, lw = node[order], pv[order], lw[order]
        starts = np.flatnonzero(np.r_[True, node[1:] != node[:-1]])
        groups = list(zip(starts, np.r_[starts[1:], node.size], strict=True))
        parts = []
        for lo, _hi in groups:
            parent = self.names[node[lo]]
            fills = _compositions(self.cols[k], parent)
            steps = -_LGA[fills].sum(axis=1)
            parts.append((np.asarray(parent) - fills, steps))
        if k + 2 == len(self.cols):  # the last column is forced: exact, no nodes
            for (lo, hi), (kids, steps) in zip(groups, parts, strict=True):
                self._resolve_last(kids, steps, pv[lo:hi], lw[lo:hi])
            return np.zeros(0, int), np.zeros(0), np.zeros(0)
        uniq, inv = _unique_rows(np.sort(np.concatenate([kids for kids, _ in parts]), axis=1))
        uid = np.array([self.node_id(t) for t in map(tuple, uniq.tolist())])
        ub = self.bounds(uid, k + 1)
        out_node, out_pv, out_lw = [], [], []
        at = 0
        for (lo, hi), (kids, steps) in zip(groups, parts, strict=True):
            sel = inv[at : at + len(kids)]
            at += len(kids)
            b, ids = ub[sel], uid[sel]
            cand = steps[:, None] + pv[None, lo:hi]  # children x pasts
            mass = steps[:, None] + lw[None, lo:hi]
            self._count(cand.size)
            all_in = cand + b[:, 1:2] <= self.threshold
            if all_in.any():
                self.found.append(_logsumexp((mass + b[:, 2:3])[all_in]))
            open_ = ~all_in & (cand + b[:, 0:1] <= self.threshold)
            kid, _ = np.nonzero(open_)
            out_node.append(ids[kid])
            out_pv.append(cand[open_])
            out_lw.append(mass[open_])
        return np.concatenate(out_node), np.concatenate(out_pv), np.concatenate(out_lw)

    def _count(self, size: int) -> None:
        self.work += size
        if self.work > self.max_work:
            raise ValueError(
                f"table too large for the exact network algorithm (over {self.max_work:.0e} "
                "path extensions); use scipy.stats.fisher_exact's Monte Carlo method"
            )

    def _resolve_last(self, kids: np.ndarray, steps: np.ndarray, pv, lw) -> None:
        """Add the tables whose last column ``kids`` completes them, if no more probable."""
        last = -_LGA[kids].sum(axis=1) + steps
        cand = last[:, None] + pv[None, :]
        self._count(cand.size)
        keep = cand <= self.threshold
        if keep.any():
            self.found.append(_logsumexp((last[:, None] + lw[None, :])[keep]))
