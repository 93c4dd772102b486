"""Every arrangement of a 0/1 covariate on fixed times, when there are few enough.

With the times fixed and the covariate's count per stratum fixed (a published
margin, which swaps keep), a univariate Cox fit depends only on how many patients of
each *equivalence class* carry the covariate: patients with the same event time, or
censored patients in the same risk sets (censored after the same number of event
times), are interchangeable. Enumerating the counts per class covers every
arrangement. Cells fixed by published facts are ignored (a relaxation: what no
arrangement reaches here, none reaches with them either).

What this decides is only about the times given: a printed number that no
arrangement meets is impossible *for these times* (``not_met`` for the cohort, with
the reason), not a proof for every cohort.
"""

from __future__ import annotations

import math
from itertools import combinations, product

import numpy as np
import pandas as pd

from carbook.reconstruct.binarycox import equivalence_classes
from carbook.reconstruct.construction import derive, source_columns
from carbook.reconstruct.covariates import FastTarget, score
from carbook.reconstruct.spec import Spec
from carbook.reconstruct.targets import Evaluator

__all__ = [
    "best_arrangement",
    "compositions",
    "equivalence_classes",
    "exhaustive",
    "n_compositions",
    "solve_small",
]


def compositions(sizes: list[int], k: int) -> np.ndarray:
    """Every way of putting ``k`` ones into classes of these sizes: (ways, classes).

    Examples
    --------
    >>> compositions([2, 1], 2).tolist()
    [[1, 1], [2, 0]]
    """
    if not sizes:
        return np.zeros((1 if k == 0 else 0, 0), int)
    rest = sum(sizes[1:])
    rows = []
    for c in range(max(0, k - rest), min(sizes[0], k) + 1):
        for tail in compositions(sizes[1:], k - c):
            rows.append([c, *tail])
    return np.array(rows, int).reshape(-1, len(sizes))


def n_compositions(sizes: list[int], k: int) -> int:
    """How many rows :func:`compositions` would return, without listing them.

    Examples
    --------
    >>> n_compositions([2, 1], 2), n_compositions([1] * 38, 3)
    (2, 8436)
    """
    poly = [1]
    for size in sizes:
        new = [0] * (len(poly) + size)
        for i, a in enumerate(poly):
            for c in range(size + 1):
                new[i + c] += a
        poly = new
    return poly[k] if k < len(poly) else 0


def _stratum_classes(rows: np.ndarray, labels: np.ndarray) -> list[np.ndarray]:
    return [rows[labels == c] for c in np.unique(labels)]


def _stratum_columns(rows: np.ndarray, labels: np.ndarray, k: int, n: int) -> np.ndarray:
    """(n, ways) 0/1 columns: every composition of ``k`` ones over the rows' classes."""
    members = _stratum_classes(rows, labels)
    comp = compositions([len(m) for m in members], k)
    x = np.zeros((n, len(comp)))
    for j, m in enumerate(members):
        for c in range(1, len(m) + 1):
            x[m[:c][:, None], np.flatnonzero(comp[:, j] >= c)] = 1
    return x


def exhaustive(
    ft: FastTarget,
    x: np.ndarray,
    strata: np.ndarray,
    time: np.ndarray,
    event: np.ndarray,
    limit: int = 2_000_000,
) -> dict[str, object] | None:
    """Score every arrangement of ``x`` within strata on one target (None: too many).

    ``x``, ``strata``, ``time`` and ``event`` are per cohort row; only the target's
    population (``ft.keep``) is arranged, with the count of ones per stratum kept.
    Returns the number of distinct arrangements, how many meet each printed part
    (value, low, high, P), and how many meet value and both bounds together.
    """
    n = len(x)
    keep = ft.keep
    labels = np.full(n, -1)
    labels[keep] = equivalence_classes(time[keep], event[keep])
    groups = [np.flatnonzero(keep & (strata == s)) for s in np.unique(strata[keep])]
    total = 1
    for rows in groups:
        sizes = [len(m) for m in _stratum_classes(rows, labels[rows])]
        total *= n_compositions(sizes, int(x[rows].sum()))
    if total > limit:
        return None
    per = [_stratum_columns(rows, labels[rows], int(x[rows].sum()), n) for rows in groups]
    met_any = np.zeros(4, int)
    together = 0
    for combo in _chunks(per, 20000):
        met, _ = score(ft, combo)
        met_any += met.sum(axis=0)
        together += int(met[:, :3].all(axis=1).sum())
    return {"arrangements": total, "met_per_part": met_any.tolist(), "met_hr_and_ci": together}


def _chunks(per: list[np.ndarray], size: int):
    """Sums of one column of each stratum's matrix, for every combination, in chunks."""
    idx = list(product(*[range(p.shape[1]) for p in per]))
    for start in range(0, len(idx), size):
        block = np.array(idx[start : start + size])
        yield sum(p[:, block[:, s]] for s, p in enumerate(per))


def _free_combinations(x: np.ndarray, free: np.ndarray, strata: np.ndarray, limit: int):
    """(n, M) 0/1 columns: every placement of each stratum's ones among its free rows.

    None if there are more than ``limit``. Fixed rows keep their value.
    """
    per = []
    for s in np.unique(strata):
        rows = np.flatnonzero(free & (strata == s))
        k = int(x[rows].sum())
        if math.comb(len(rows), k) > limit:
            return None
        combos = np.array(list(combinations(rows, k)), int).reshape(-1, k)
        m = np.zeros((len(x), len(combos)))
        m[combos, np.arange(len(combos))[:, None]] = 1
        per.append(m)
    if int(np.prod([p.shape[1] for p in per])) > limit:
        return None
    base = np.where(free, 0.0, x)[:, None]
    return base + sum(p[:, b] for p, b in zip(per, _grid(per), strict=True))


def _grid(per: list[np.ndarray]) -> list[np.ndarray]:
    return [g.ravel() for g in np.meshgrid(*[np.arange(p.shape[1]) for p in per], indexing="ij")]


def best_arrangement(
    spec: Spec,
    cohort: pd.DataFrame,
    col: str,
    fts: list[FastTarget],
    free: np.ndarray,
    limit: int = 300_000,
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The arrangement of 0/1 column ``col`` that is best on the group's targets.

    Every placement of each stratum's ones among its ``free`` rows (margins kept,
    fixed cells kept) is scored on every target of ``fts`` (their covariates are
    ``col`` or derived from it). Among placements that lose no part met now, the
    one meeting most parts, then with the lowest loss (first in row order on ties).
    Returns (new column, its met parts, its loss), or None if there are more than
    ``limit`` placements.
    """
    x = cohort[col].to_numpy(float)
    cand = _free_combinations(x, free, cohort["stratum"].to_numpy(), limit)
    if cand is None:
        return None
    mets, loss = [], np.zeros(cand.shape[1])
    for ft in fts:
        met, lo = score(ft, _derived(spec, cohort, ft.covariate, col, cand))
        mets.append(met)
        loss += lo
    met = np.hstack(mets)
    now = np.hstack([score(ft, cohort[[ft.covariate]].to_numpy(float))[0] for ft in fts])[0]
    ok = ~(now & ~met).any(axis=1)
    key = np.where(ok, met.sum(axis=1) * 1e6 - np.minimum(loss, 1e5), -np.inf)
    k = int(np.argmax(key))
    return cand[:, k], met[k], float(loss[k])


def _derived(spec: Spec, cohort: pd.DataFrame, cov: str, col: str, x: np.ndarray) -> np.ndarray:
    """Covariate ``cov`` for each candidate column ``x`` of ``col`` (n, M)."""
    if cov == col:
        return x
    uses = source_columns(spec.derived[cov])
    env = {s: cohort[s].to_numpy()[:, None] for s in uses}
    env[col] = x
    return np.asarray(eval(spec.derived[cov], {"__builtins__": {}}, env), dtype=float)


def solve_small(
    spec: Spec,
    cohort: pd.DataFrame,
    col: str,
    fts: list[FastTarget],
    free: np.ndarray,
    guard: Evaluator | None,
) -> bool:
    """Put 0/1 column ``col`` in its best arrangement if there are few (see best_arrangement).

    Kept only if it meets more parts, or as many with a lower loss, and loses no
    part that ``guard`` (the other targets reading ``col``) meets now.
    """
    values = pd.to_numeric(cohort[col], errors="coerce").to_numpy(float)
    if not fts or not np.isin(values, (0, 1)).all():
        return False
    best = best_arrangement(spec, cohort, col, fts, free)
    if best is None:
        return False
    x, met, loss = best
    now = [score(ft, cohort[[ft.covariate]].to_numpy(float)) for ft in fts]
    met_now = int(sum(m.sum() for m, _ in now))
    loss_now = float(sum(lo[0] for _, lo in now))
    if (int(met.sum()), -loss) <= (met_now, -loss_now):
        return False
    before = None if guard is None else guard.gaps(cohort)[1] == 0
    old = cohort[col].copy()
    cohort[col] = x.astype(old.dtype)
    derive(spec, cohort, {col})
    if before is not None and (before & ~(guard.gaps(cohort)[1] == 0)).any():
        cohort[col] = old
        derive(spec, cohort, {col})
        return False
    return True
