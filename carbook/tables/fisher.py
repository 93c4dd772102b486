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

For each child of a node, the pasts whose every completion counts are a prefix
of the node's pasts sorted by value, so they are found by binary search and
added by a running log-sum; only the pasts left open are carried to the next
column (work linear in children plus open pairs, not their product).

Bounds: for nodes with two columns left the shortest and longest paths are
exact and in closed form (``_two_column_bounds``: the longest by greedy unit
gains, the shortest at a vertex of the two-column polytope, the least over the
greedy row orders), computed for all nodes of a stage at once; with more columns
left they are relaxations (each column filled against the row remainders alone,
each row against the column totals alone, a Lagrangian bound), valid but looser,
also vectorised over nodes. Measured (before that vectorisation) on four 4×4 to
4×5 sweep tables, exact bounds three columns ahead cut no more work than they
cost. The answer is exact
either way, only the work differs. The fills of all nodes of a stage are
enumerated at once without being stored (``_arcs``: each child's log step and
row code accumulate position by position), children are found in a dense code
table, and pasts are merged by one sort of an int64 key.

Speed (CPU seconds, ``benchmarks/bench_fisher.py``): the work is the (node,
child) arcs plus the (child, past) pairs left open, which on large balanced
tables runs to 1e7-1e8 even with exact bounds (s47, 3×4 n = 500: 1.6e7 open
pairs on 2106 nodes two columns from the end); such tables take seconds, and
beyond ``max_work`` they are refused.

"As or more extreme" follows R: within ``1 + 1e-7`` on the probability scale for
2×2 tables (``fisher.test``'s dhyper branch), within FEXACT's ``tol = 3.45254e-7``
on the log scale for larger ones. FEXACT also merges pasts within that ``tol``
keeping one of their values, so R's own P can differ from the exact sum in the
tenth digit on large tables; here merged pasts keep their exact summed mass. On the
sweep table s52 (3×5, n = 200) an exact computation in integers
(``benchmarks/fisher_exact_integer.py``) gives a P that ours matches to 1.1e-13
relative and R's (workspace = 2e8) misses by 1.6e-10.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import permutations

import numpy as np
from scipy import special

__all__ = ["fisher_network_logp"]

# Tables this close to the observed one (log scale) count as "as extreme". R's
# fisher.test has two rules: 2×2 tables go through dhyper with
# ``relErr <- 1 + 10^(-7)`` (d <= d_obs * relErr), larger tables through FEXACT,
# which adds ``tol = 3.45254e-7`` to the observed path length (f2xact: obs = tol + ...).
LOG_REL_ERR = np.log1p(1e-7)
FEXACT_TOL = 3.45254e-7
_KEY = 1e-9  # pasts closer than this (log scale) are merged


@lru_cache(maxsize=100_000)
def _compositions(total: int, caps: tuple[int, ...]) -> np.ndarray:
    """Every vector 0 <= v <= caps with sum ``total`` (rows of an int array).

    Built one position at a time, all partial vectors at once: each partial
    vector with ``left`` still to place takes every value from
    ``max(0, left - sum of later caps)`` to ``min(cap, left)``.
    """
    cap = np.asarray(caps, dtype=np.int64)
    later = np.concatenate([np.cumsum(cap[::-1])[::-1][1:], [0]])
    left = np.array([total], dtype=np.int64)
    out = np.zeros((1, 0), dtype=np.int64)
    if total > cap.sum():
        return np.zeros((0, len(caps)), dtype=np.int64)
    for i in range(len(caps) - 1):
        lo = np.maximum(0, left - later[i])
        count = np.minimum(cap[i], left) - lo + 1
        parent = np.repeat(np.arange(left.size), count)
        start = np.cumsum(count) - count
        value = lo[parent] + np.arange(parent.size) - start[parent]
        out = np.column_stack([out[parent], value])
        left = left[parent] - value
    return np.column_stack([out, left])


def _expand(
    cap: np.ndarray, left: np.ndarray, later: np.ndarray, budget: float
) -> tuple[np.ndarray, np.ndarray]:
    """One position of every partial fill: (parent index, value) of each extension.

    A partial fill with ``left`` still to place, ``cap`` here and ``later`` in the
    positions after, takes every value from ``max(0, left - later)`` to
    ``min(cap, left)``. Raises ``_WorkCap`` before building more than ``budget``.
    """
    lo = np.maximum(0, left - later)
    count = np.maximum(np.minimum(cap, left) - lo + 1, 0)
    size = int(count.sum())
    if size > budget:
        raise _WorkCap
    idx = np.repeat(np.arange(left.size), count)
    return idx, lo[idx] + np.arange(size) - (np.cumsum(count) - count)[idx]


def _fills_of_many(total: int, caps: np.ndarray, budget: float) -> tuple[np.ndarray, np.ndarray]:
    """``_compositions(total, row)`` of every row of ``caps``, built at once.

    Returns (owner, fills): the index of the row of ``caps`` each fill belongs to
    (non-decreasing) and the fills. Each partial vector with ``left`` still to
    place takes every value from ``max(0, left - sum of later caps)`` to
    ``min(cap, left)``. Raises ValueError (as the work cap) if the fills would
    outnumber ``budget``, before building them.
    """
    r = caps.shape[1]
    later = np.cumsum(caps[:, ::-1], axis=1)[:, ::-1] - caps
    owner = np.flatnonzero(caps.sum(axis=1) >= total)
    left = np.full(owner.size, total, dtype=np.int64)
    cols: list[np.ndarray] = []
    for i in range(r - 1):
        idx, value = _expand(caps[owner, i], left, later[owner, i], budget)
        cols = [c[idx] for c in cols] + [value]
        left, owner = left[idx] - value, owner[idx]
    return owner, np.column_stack([*cols, left]) if cols else left[:, None]


def _arcs(total: int, caps: np.ndarray, radix: np.ndarray, budget: float) -> tuple[np.ndarray, ...]:
    """Every fill ``x`` of ``total`` under each row of ``caps``, without the fills.

    Returns (owner, step, rest, code) per fill: the row of ``caps`` it belongs
    to (non-decreasing), ``-sum log x!``, ``-sum log (cap - x)!``, and the code of
    the child ``cap - x`` (its first coordinates in mixed radix ``radix``), all
    accumulated while the fills are enumerated as in ``_fills_of_many``.
    """
    r = caps.shape[1]
    mult = np.cumprod(np.r_[1, radix[:-1]]).astype(np.int64)
    later = np.cumsum(caps[:, ::-1], axis=1)[:, ::-1] - caps
    owner = np.flatnonzero(caps.sum(axis=1) >= total)
    left = np.full(owner.size, total, dtype=np.int64)
    step, rest = np.zeros(owner.size), np.zeros(owner.size)
    code = caps[owner, :-1] @ mult
    for i in range(r - 1):
        idx, value = _expand(caps[owner, i], left, later[owner, i], budget)
        owner, left = owner[idx], left[idx] - value
        step = step[idx] - _LGA[value]
        rest = rest[idx] - _LGA[caps[owner, i] - value]
        code = code[idx] - value * mult[i]
    return owner, step - _LGA[left], rest - _LGA[caps[owner, r - 1] - left], code


def _distinct_codes(code: np.ndarray, radix: np.ndarray, total: int) -> tuple[np.ndarray, ...]:
    """Distinct children (rows) of ``_arcs`` codes, and each code's index among them.

    A dense table marks the codes used when they span at most ``_DENSE`` values
    (no sorting), else ``np.unique``. The last coordinate is ``total`` minus the others.
    """
    span = float(np.prod(radix.astype(float)))
    if span <= _DENSE:
        used = np.zeros(int(span), dtype=bool)
        used[code] = True
        distinct = np.flatnonzero(used)
        lookup = np.zeros(int(span), dtype=np.int64)
        lookup[distinct] = np.arange(distinct.size)
        inv = lookup[code]
    else:
        distinct, inv = np.unique(code, return_inverse=True)
    mult = np.cumprod(np.r_[1, radix[:-1]]).astype(np.int64)
    first = (distinct[:, None] // mult) % radix
    return np.column_stack([first, total - first.sum(axis=1)]), inv.ravel()


class _WorkCap(Exception):
    """Raised by ``_fills_of_many`` when the fills would exceed the work cap."""


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
def _exact_paths(rows: tuple[int, ...], cols: tuple[int, ...]) -> tuple[float, float]:
    """Exact (shortest, longest) path: the least and the most probable completion.

    By the recursion over the first remaining column (memoized on sorted row
    remainders), as FEXACT's f3xact does for the longest path by its own network.
    """
    if len(cols) == 1:
        exact = -_lf(rows)
        return exact, exact
    fills = _compositions(cols[0], rows)
    steps = -_LGA[fills].sum(axis=1)
    kids = np.sort(np.asarray(rows) - fills, axis=1)
    if len(cols) == 2:
        total = steps - _LGA[kids].sum(axis=1)
        return float(total.min()), float(total.max())
    uniq, inv = _unique_rows(kids)
    sub = np.array([_exact_paths(tuple(k), cols[1:]) for k in uniq.tolist()])[inv]
    return float((steps + sub[:, 0]).min()), float((steps + sub[:, 1]).max())


_PERMUTATIONS = {r: np.array(list(permutations(range(r)))) for r in range(1, 7)}
# Bounds computed in a different order of float operations than the paths they bound
# are widened by this much (log scale), so that rounding can never make them invalid.
_BOUND_SLACK = 1e-9


def _two_column_bounds(rows: np.ndarray, cols: tuple[int, int]) -> np.ndarray:
    """Exact (shortest, longest) path of many nodes with two columns left, vectorised.

    ``rows``: one node's row remainders per row of the array. A completion is the
    fill ``x`` of the smaller column; its length ``-sum log x! - sum log (r - x)!`` is
    concave in ``x`` (``log Γ`` is convex), so:

    - the longest (most probable) is separable concave maximisation under one sum:
      moving units one at a time from the other column, the ``k``-th unit of row
      ``i`` gains ``log(r_i - k + 1) - log k``, decreasing in ``k``, so the best
      ``c`` units are the ``c`` largest gains (greedy is exact);
    - the shortest (least probable) lies at a vertex of the polytope, and with two
      columns every vertex fills one column greedily in some order of the rows
      (at most one row is split), so it is the least over the ``r!`` orders.

    Both are widened by ``_BOUND_SLACK``. Returns an array (nodes × 2).
    """
    rows = np.asarray(rows, dtype=np.int64)
    c = min(cols)
    base = -_LGA[rows].sum(axis=1)
    width = max(min(int(rows.max(initial=0)), c), 1)
    k = np.arange(1, width + 1)
    r3 = rows[:, :, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(k <= r3, np.log(np.maximum(r3 - k + 1, 1)) - np.log(k), -np.inf)
    gain = gain.reshape(rows.shape[0], -1)
    top = -np.partition(-gain, c - 1, axis=1)[:, :c].sum(axis=1) if c > 0 else 0.0
    longest = base + top
    order = rows[:, _PERMUTATIONS[rows.shape[1]]]  # nodes × orders × rows
    before = np.cumsum(order, axis=2) - order
    x = np.clip(c - before, 0, order)
    shortest = (-_LGA[x] - _LGA[order - x]).sum(axis=2).min(axis=1)
    return np.column_stack([shortest - _BOUND_SLACK, longest + _BOUND_SLACK])


# A node's bounds (Python) cost about as much CPU as this many path extensions
# (numpy): counted so that tables with millions of nodes meet the work cap too.
NODE_COST = 100
EXACT_COLUMNS = 2  # exact bounds for nodes with at most this many columns left


@lru_cache(maxsize=200_000)
def _bounds(rows: tuple[int, ...], cols: tuple[int, ...]) -> tuple[float, float, float]:
    """(lower bound of the shortest, upper bound of the longest path, log total mass).

    Path length: sum of ``-log x!`` over the remaining cells.
    """
    n = sum(rows)
    log_mass = _LG[n] - _lf(rows) - _lf(cols)
    if len(cols) <= EXACT_COLUMNS:
        return (*_exact_paths(rows, cols), log_mass)
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


def _even_fill_many(total: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """``_even_fill`` of many (total, caps) at once; caps sorted ascending per row."""
    k = caps.shape[1]
    out = np.zeros_like(caps)
    left = np.array(total, dtype=np.int64, copy=True)
    for i in range(k):
        out[:, i] = np.minimum(caps[:, i], left // (k - i))
        left -= out[:, i]
    for i in range(k - 1, -1, -1):  # what floors left over: one more each
        extra = np.minimum(np.minimum(caps[:, i] - out[:, i], left), 1)
        out[:, i] += extra
        left -= extra
    return out


def _greedy_fill_many(total: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """``_greedy_fill`` of many (total, caps) at once; caps sorted descending per row."""
    out = np.zeros_like(caps)
    left = np.array(total, dtype=np.int64, copy=True)
    for i in range(caps.shape[1]):
        out[:, i] = np.minimum(caps[:, i], left)
        left -= out[:, i]
    return out


def _dual_longest_many(rows: np.ndarray, cols: tuple[int, ...]) -> np.ndarray:
    """``_dual_longest`` of many nodes (rows: nodes × rows) at once."""
    r = rows.astype(float)
    c = np.asarray(cols, dtype=float)
    n = float(c.sum())
    e = r[:, :, None] * c / n
    x = np.floor(e)
    with np.errstate(divide="ignore", invalid="ignore"):
        xloge = np.where(x > 0, x * np.log(e), 0.0)
        rlogr = np.where(r > 0, r * np.log(r), 0.0)
    inner = (xloge - _LGA[x.astype(np.int64)]).sum(axis=(1, 2))
    return n * np.log(n) - rlogr.sum(axis=1) - (c * np.log(c)).sum() + inner


def _relaxed_bounds(rows: np.ndarray, cols: tuple[int, ...]) -> np.ndarray:
    """``_bounds``' relaxations for many nodes at once (nodes × (shortest, longest)).

    The same bounds as ``_bounds`` (each column filled against the row remainders
    alone, each row against the column totals alone, the Lagrangian bound),
    vectorised over nodes, widened by ``_BOUND_SLACK``. ``rows`` sorted ascending.
    """
    m, nr = rows.shape
    lf = lambda a: _LGA[a].sum(axis=1)  # noqa: E731
    asc_c = np.broadcast_to(np.sort(np.asarray(cols, dtype=np.int64)), (m * nr, len(cols)))
    per_row = rows.reshape(-1)
    by_col = [np.full(m, c) for c in cols]
    longest = np.minimum.reduce(
        [
            -sum(lf(_even_fill_many(c, rows)) for c in by_col),
            -lf(_even_fill_many(per_row, asc_c)).reshape(m, nr).sum(axis=1),
            _dual_longest_many(rows, cols),
        ]
    )
    shortest = np.maximum(
        -sum(lf(_greedy_fill_many(c, rows[:, ::-1])) for c in by_col),
        -lf(_greedy_fill_many(per_row, asc_c[:, ::-1])).reshape(m, nr).sum(axis=1),
    )
    return np.column_stack([shortest - _BOUND_SLACK, longest + _BOUND_SLACK])


def _logsumexp(v: np.ndarray | list[float]) -> float:
    a = np.asarray(v, dtype=float)
    top = a.max()
    return float(top + np.log(np.exp(a - top).sum()))


def _merge(
    node: np.ndarray, pv: np.ndarray, lw: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge pasts of equal value at the same node: log of the summed mass."""
    keys = np.round(pv / _KEY).astype(np.int64)
    if node.size == 0:
        return node, pv, lw
    keys -= keys.min()
    span = int(keys.max()) + 1
    if float(span) * (int(node.max()) + 1) < 2.0**62:  # one int64 key: 3x faster than lexsort
        keys += node * span
        order = np.argsort(keys)
        keys, node = keys[order], node[order]
    else:
        order = np.lexsort((keys, node))
        node, keys = node[order], keys[order]
    pv, lw = pv[order], lw[order]
    new = np.ones(node.size, dtype=bool)
    new[1:] = (node[1:] != node[:-1]) | (keys[1:] != keys[:-1])
    if new.all():
        return node, pv, lw
    starts = np.flatnonzero(new)  # equal (node, key) pasts are contiguous
    top = np.maximum.reduceat(lw, starts)
    mass = np.add.reduceat(np.exp(lw - np.repeat(top, np.diff(np.r_[starts, lw.size]))), starts)
    return node[new], pv[new], top + np.log(mass)


def fisher_network_logp(
    table: np.ndarray, max_work: float = 2e7, ascending: bool = False, stats: dict | None = None
) -> float:
    """Log of R's ``fisher.test`` P value for a validated r×c count table.

    ``max_work`` caps the path extensions examined (children of each node, counted
    before they are built, the (child, past) pairs left open, and ``NODE_COST``
    per node whose bounds are computed); beyond it a
    ValueError naming the table size is raised rather than computing for minutes
    (2.5e6 to 7e6 per CPU second on the development machine: open pairs cost
    more than arcs).
    ``ascending`` walks the columns from the smallest total instead of the largest:
    other nodes, other pasts, the same P (tests use it as an independent check).
    ``stats``, if given, receives the work counted so far (``work``), the nodes
    met (``nodes``) and the (node, past) pairs open after each column
    (``open_pairs``), also when the work cap is hit (benchmarks report them).

    Examples
    --------
    R: ``fisher.test(matrix(c(3, 1, 2, 1, 3, 2, 2, 2, 4), 3, byrow = TRUE))$p.value``
    = 0.762930567884115.

    >>> stats = {}
    >>> p = np.exp(fisher_network_logp(np.array([[3, 1, 2], [1, 3, 2], [2, 2, 4]]), stats=stats))
    >>> round(float(p), 12), stats["nodes"] > 0
    (0.762930567884, True)
    """
    arr = np.asarray(table, dtype=int)
    size = f"{arr.shape[0]}x{arr.shape[1]} (n = {arr.sum()})"
    if arr.shape[0] > arr.shape[1]:
        arr = arr.T  # fewer rows: fewer nodes
    arr = arr[:, np.argsort(arr.sum(axis=0) * (1 if ascending else -1), kind="stable")]
    rows, cols = arr.sum(axis=1), tuple(int(c) for c in arr.sum(axis=0))
    n = int(rows.sum())
    _log_factorials(n)
    const = _lf(rows) + _lf(cols) - _LG[n]
    tol = LOG_REL_ERR if arr.shape == (2, 2) else FEXACT_TOL
    net = _Network(cols, -_lf(arr.ravel()) + tol, max_work, size)
    net.stats = {} if stats is None else stats
    net.stats["open_pairs"] = []
    node = np.array([net.node_id(tuple(sorted(int(r) for r in rows)))])
    pv = np.zeros(1)
    lw = np.zeros(1)
    b = net.bounds(node, 0)
    all_in = pv + b[:, 1] <= net.threshold
    if all_in.all():
        return min(0.0, float(b[0, 2]) + const)
    for k in range(len(cols) - 1):
        node, pv, lw = _merge(*net.expand(node, pv, lw, k))
        net.stats["open_pairs"].append(int(node.size))
        if node.size == 0:
            break
    if not net.found:
        return -np.inf
    return min(0.0, _logsumexp(net.found) + const)


_DENSE = 2**25  # largest code range looked up in a dense table (no sorting)
_CODE_LIMIT = 2.0**62  # wider child codes: fills kept as rows (_expand_materialised)


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

    def __init__(self, cols: tuple[int, ...], threshold: float, max_work: float, size: str) -> None:
        self.cols, self.threshold, self.max_work, self.size = cols, threshold, max_work, size
        self.ids: dict[tuple[int, ...], int] = {}
        self.names: list[tuple[int, ...]] = []
        self.found: list[float] = []  # log masses of resolved subtrees (before const)
        self.work = 0.0
        self.stats: dict = {}

    def node_id(self, key: tuple[int, ...]) -> int:
        if key not in self.ids:
            self.ids[key] = len(self.names)
            self.names.append(key)
        return self.ids[key]

    def bounds(self, ids: np.ndarray, k: int) -> np.ndarray:
        """(shortest, longest, log mass) of completions from stage ``k`` of each node."""
        cols = self.cols[k:]
        if len(cols) == 1 or (len(cols) == 2 and len(self.names[0]) not in _PERMUTATIONS):
            return np.array([_bounds(self.names[i], cols) for i in ids])
        rows = np.array([self.names[i] for i in ids], dtype=np.int64).reshape(len(ids), -1)
        mass = _LGA[sum(cols)] - _LGA[rows].sum(axis=1) - _lf(cols)
        paths = _relaxed_bounds if len(cols) > 2 else _two_column_bounds
        return np.column_stack([paths(rows, cols), mass])

    def expand(self, node, pv, lw, k):
        """Fill column ``k`` from every node; resolve each child at once if possible.

        The fills of all nodes are enumerated at once (``_arcs``; ``_fills_of_many``
        when child codes would overflow int64). The pasts of a node arrive sorted
        by value (``_merge``), so for each child the pasts all of whose completions
        count form a prefix, found by binary search, and its mass is a running
        log-sum: no (child, past) pair is examined unless it stays open. Nodes
        with a single past (most nodes of large-n tables) are resolved for all
        their children in one vector operation. Returns the (node, pv, lw) of the
        pairs still open at stage ``k + 1``.
        """
        starts = np.flatnonzero(np.r_[True, node[1:] != node[:-1]])
        ends = np.r_[starts[1:], node.size]
        parents = np.array([self.names[i] for i in node[starts]], dtype=np.int64)
        radix = parents[:, :-1].max(axis=0, initial=0) + 1
        if float(np.prod(radix.astype(float))) >= _CODE_LIMIT:
            return self._expand_materialised(starts, ends, parents, pv, lw, k)
        try:
            owner, steps, rest, code = _arcs(
                self.cols[k], parents, radix, self.max_work - self.work
            )
        except _WorkCap:
            self._count(np.inf)
        self._count(owner.size)
        cut = np.searchsorted(owner, np.arange(starts.size + 1))
        if k + 2 == len(self.cols):  # the last column is forced: exact, no nodes
            self._resolve(starts, ends, pv, lw, cut, steps + rest, np.zeros((1, 3)), None)
            return np.zeros(0, int), np.zeros(0), np.zeros(0)
        uniq, inv = _distinct_codes(code, radix, int(parents[0].sum()) - self.cols[k])
        return self._children(starts, ends, pv, lw, cut, steps, uniq, inv, k)

    def _expand_materialised(self, starts, ends, parents, pv, lw, k):
        """``expand`` with the fills as rows (row codes too wide for int64)."""
        try:
            owner, fills = _fills_of_many(self.cols[k], parents, self.max_work - self.work)
        except _WorkCap:
            self._count(np.inf)
        self._count(owner.size)
        steps = -_LGA[fills].sum(axis=1)
        kids = parents[owner] - fills
        cut = np.searchsorted(owner, np.arange(starts.size + 1))
        if k + 2 == len(self.cols):
            last = steps - _LGA[kids].sum(axis=1)
            self._resolve(starts, ends, pv, lw, cut, last, np.zeros((1, 3)), None)
            return np.zeros(0, int), np.zeros(0), np.zeros(0)
        uniq, inv = _unique_rows(kids)
        return self._children(starts, ends, pv, lw, cut, steps, uniq, inv, k)

    def _children(self, starts, ends, pv, lw, cut, steps, uniq, inv, k):
        """Node ids and bounds of the distinct children ``uniq``, then ``_resolve``."""
        srt = np.sort(uniq, axis=1)  # a node is its sorted row remainders
        key, at = _unique_rows(srt)
        self._count(NODE_COST * len(key))  # before the Python loop over them
        nodes = np.array([self.node_id(t) for t in map(tuple, key.tolist())], dtype=np.int64)
        bnd = self.bounds(nodes, k + 1)
        return self._resolve(starts, ends, pv, lw, cut, steps, bnd, nodes[at][inv], at[inv])

    def _resolve(self, starts, ends, pv, lw, cut, steps, bnd, kid_id, kid_bnd=None):
        """Add the (child, past) pairs whose completions all count; return the open ones.

        ``cut[g]:cut[g + 1]`` are the children of group ``g`` (pasts
        ``starts[g]:ends[g]``); ``bnd[kid_bnd]`` their (shortest, longest, log
        mass), or every child has ``bnd[0]`` when ``kid_bnd`` is None.
        """
        if kid_bnd is None:
            kid_bnd = np.zeros(steps.size, dtype=np.int64)
        short, long_, mass = bnd[:, 0][kid_bnd], bnd[:, 1][kid_bnd], bnd[:, 2][kid_bnd]
        single = ends - starts == 1
        out = [
            self._resolve_single(
                starts[single], pv, lw, cut, single, steps, (short, long_, mass), kid_id
            )
        ]
        for g in np.flatnonzero(~single):
            lo, hi, a, b = starts[g], ends[g], cut[g], cut[g + 1]
            st = steps[a:b]
            first = self._add_prefix(pv[lo:hi], lw[lo:hi], st, st + long_[a:b], mass[a:b])
            if kid_id is None:
                continue
            stop = np.searchsorted(pv[lo:hi], self.threshold - st - short[a:b], side="right")
            count = np.maximum(stop - first, 0)
            self._count(count.sum())
            kid = np.repeat(np.arange(st.size), count)
            past = lo + first[kid] + np.arange(kid.size) - (np.cumsum(count) - count)[kid]
            out.append((kid_id[a:b][kid], st[kid] + pv[past], st[kid] + lw[past]))
        if kid_id is None:
            return None
        return tuple(np.concatenate(v) for v in zip(*out, strict=True))

    def _resolve_single(self, past, pv, lw, cut, single, steps, bnd, kid_id):
        """``_resolve`` for the groups with one past, all children in one vector op."""
        short, long_, mass = bnd
        child_of = np.repeat(single, np.diff(cut))
        kp = np.repeat(past, np.diff(cut)[single])
        if not child_of.all():
            steps, short, long_, mass = (v[child_of] for v in (steps, short, long_, mass))
            kid_id = None if kid_id is None else kid_id[child_of]
        st = steps
        here = pv[kp] + st
        done = here + long_ <= self.threshold
        if done.any():
            self.found.append(_logsumexp(lw[kp][done] + st[done] + mass[done]))
        if kid_id is None:
            return np.zeros(0, int), np.zeros(0), np.zeros(0)
        open_ = ~done & (here + short <= self.threshold)
        self._count(open_.sum())
        return kid_id[open_], here[open_], (lw[kp] + st)[open_]

    def _add_prefix(self, pv, lw, steps, reach, log_mass) -> np.ndarray:
        """Add, per child, the pasts whose every completion counts; return their number.

        ``reach``: the child's step plus its longest completion. Pasts are sorted by
        ``pv``; those with ``pv + reach <= threshold`` are a prefix.
        """
        first = np.searchsorted(pv, self.threshold - reach, side="right")
        hit = first > 0
        if hit.any():
            running = np.logaddexp.accumulate(lw)
            self.found.append(_logsumexp(running[first[hit] - 1] + steps[hit] + log_mass[hit]))
        return first

    def _count(self, size: int) -> None:
        self.work += size
        self.stats.update(work=self.work, nodes=len(self.names))
        if self.work > self.max_work:
            raise ValueError(
                f"{self.size} table too large for the exact network algorithm (over "
                f"max_tables = {self.max_work:.0e} path extensions). For a Monte Carlo P "
                "value use R's fisher.test(x, simulate.p.value = TRUE, B = 1e5) or "
                "scipy.stats.fisher_exact(table, method=scipy.stats.MonteCarloMethod())"
            )
