"""Covariates given times: solve each hazard-ratio covariate alone, by aimed swaps.

With the times fixed, a univariate hazard ratio depends only on which patients
carry its covariate. A swap of the covariate's column between two patients of a
stratum keeps every margin (and a cell fixed by a published fact never moves), and
changes only the targets that read that column. So each group of columns (see
``search._hr_groups``) is solved as its own small problem:

- every swap (or flip, for a 0/1 covariate whose margins are unpublished) of the
  group's columns is a candidate; the univariate Cox fits of all candidates run at
  once on the fixed times (:func:`carbook.reconstruct.binarycox.binary_cox`);
- a candidate is scored by how far each printed part is from where it must land:
  the rounding interval of the printed bound or P, and for the HR itself the
  window its printed interval leaves (:func:`carbook.reconstruct.proofs.windows`),
  in printed units (squared up to one unit, linear beyond, as the Evaluator);
- the best candidates are tried in turn; one is accepted only if it lowers the
  loss and loses no printed part already met, neither of the group's univariate
  HRs nor of any other target that reads a moved column (a multivariable term, a
  continuous HR among the patients given a drug, a test), the latter checked by the
  full :class:`carbook.reconstruct.targets.Evaluator`;
- when no single swap helps, pairs of swaps among the most promising singles are
  tried the same way, then a short tabu walk;
- with ``anneal`` steps (the last hazard-ratio phase), a group still a printed part
  or two short (loss at most :data:`NEAR`) gets one annealing walk over single
  swaps (:func:`_anneal`). Measured on the committed seed-1 wudhikarn2021 cohort of
  0b42cfa, the walk met Table 2's LDH, burden and CRS HRs, which singles, pairs and
  tabu walks had left one part short, in 0.8, 1.7 and 0.2 s. Its settings were
  chosen on that cohort among those tried: heat bath over every swap, 600 steps
  (none met) or 3000 (CRS only); 8 random swaps per step, T0 2, 3000 steps (all
  three); 16 swaps (two of three); T0 1 (one). Seeds 1-5 then print 136, 144, 135,
  129 and 129 parts, against 133, 143, 135, 128 and 127.

The search is deterministic: ties go to the first candidate in row order, and the
annealing walk draws from its own generator (:data:`ANNEAL_SEED`), not the
calibration's, so it changes nothing before it runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from carbook.reconstruct.binarycox import RiskSets, binary_cox, risk_sets
from carbook.reconstruct.construction import Change, apply_changes, derive, source_columns
from carbook.reconstruct.proofs import windows
from carbook.reconstruct.spec import Spec, Target
from carbook.reconstruct.targets import PARTS, Endpoints, Evaluator, proved_weight

__all__ = ["Candidates", "FastTarget", "fast_targets", "score", "solve_group"]

TABU_STEPS = 40
TABU_TENURE = 6
TABU_CALLS = 3
TOP = 120
#: steps of the annealing walk, its starting temperature (in loss units), its seed and
#: the random swaps it scores per step (0: all); see the module's note on the choice
ANNEAL_STEPS = 3000
ANNEAL_T0 = 2.0
ANNEAL_SEED = 20211201
ANNEAL_BATCH = 8
#: a group's loss at which the walk is worth its cost: a printed part or two off
#: (one part just outside its rounding interval costs 0.25)
NEAR = 2.0
Z = float(stats.norm.ppf(0.975))
P_KEYS = ("p_wald", "p_lr", "p_score")


@dataclass
class FastTarget:
    """A univariate 0/1 Cox target, with what its search needs on fixed times."""

    claim: str
    covariate: str
    keep: np.ndarray  # rows in the model
    rs: RiskSets  # risk sets of the kept rows
    lo: np.ndarray  # printed rounding interval per part (NaN: not printed)
    hi: np.ndarray
    aim_lo: np.ndarray  # where each part must land (the HR: its window)
    aim_hi: np.ndarray
    weight: np.ndarray  # per part; 0 for parts proved impossible (met ones still guarded)


def _intervals(t: Target) -> tuple[np.ndarray, np.ndarray]:
    iv = t.intervals()
    if t.p_printed:
        from carbook.published import printed_interval

        iv["p"] = printed_interval(t.p_printed)
    lo = np.array([iv.get(p, (np.nan, np.nan))[0] for p in PARTS])
    hi = np.array([iv.get(p, (np.nan, np.nan))[1] for p in PARTS])
    return lo, hi


def fast_targets(
    targets: list[Target],
    cohort: pd.DataFrame,
    endpoints: Endpoints,
    excluded: dict[str, str],
) -> list[FastTarget]:
    """The ``cox_hr`` targets among ``targets`` whose covariate is 0/1 on ``cohort``."""
    win = windows(targets).set_index("claim")
    out = []
    for t in targets:
        if t.kind != "cox_hr":
            continue
        time, status = endpoints[t.params["endpoint"]](cohort)
        keep = np.isfinite(time)
        if t.params.get("where") is not None:
            keep &= cohort[t.params["where"]].to_numpy() == 1
        x = cohort[t.params["covariate"]].to_numpy(float)
        if not np.isin(x[keep], (0, 1)).all():
            continue
        lo, hi = _intervals(t)
        aim_lo, aim_hi = lo.copy(), hi.copy()
        if t.claim in win.index and not win.at[t.claim, "empty"]:
            aim_lo[0], aim_hi[0] = win.at[t.claim, "window_lo"], win.at[t.claim, "window_hi"]
        rs = risk_sets(time[keep], (status[keep] == 1).astype(float))
        weight = np.array([proved_weight(t.claim in excluded, p) for p in PARTS])
        out.append(
            FastTarget(t.claim, t.params["covariate"], keep, rs, lo, hi, aim_lo, aim_hi, weight)
        )
    return out


def _gap(got: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Distance outside ``[lo, hi)`` in units of its width, plus 1/2 (0 inside)."""
    width = hi - lo
    with np.errstate(invalid="ignore"):
        gap = np.where(
            got < lo, (lo - got) / width + 0.5, np.where(got >= hi, (got - hi) / width + 0.5, 0.0)
        )
    return np.where(np.isnan(lo), 0.0, np.where(np.isnan(got), 50.0, gap))


def score(ft: FastTarget, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(met, loss) of candidate covariate columns ``x`` (n, M) on one target.

    ``met`` is (M, 4): each part within its printed interval (the Evaluator's rule;
    P by the test nearest the printed one); ``loss`` is (M,), Huber-squared gaps to
    the aims.
    """
    fit = binary_cox(ft.rs, x[ft.keep])
    beta, se = fit["coef"], fit["se"]
    got = np.column_stack([np.exp(beta), np.exp(beta - Z * se), np.exp(beta + Z * se)])
    ps = np.column_stack([fit[k] for k in P_KEYS])
    dist = np.maximum(np.maximum(ft.lo[3] - ps, ps - ft.hi[3] + 1e-15), 0.0)
    p = ps[np.arange(len(ps)), np.argmin(np.where(np.isnan(dist), np.inf, dist), axis=1)]
    got = np.column_stack([got, p])
    got[~fit["converged"]] = np.nan
    met = _gap(got, ft.lo, ft.hi) == 0
    gap = _gap(got, ft.aim_lo, ft.aim_hi)
    loss = (np.where(gap <= 1, gap**2, 2 * gap - 1) * ft.weight).sum(axis=1)
    return met, loss


@dataclass
class Candidates:
    """Candidate moves of a group: swap ``col`` between rows ``i`` and ``j`` (``j`` < 0: flip)."""

    col: np.ndarray
    i: np.ndarray
    j: np.ndarray

    def __len__(self) -> int:
        return len(self.i)


def candidates(
    cohort: pd.DataFrame, swap_cols: list[str], flip_cols: list[str], fixed: pd.DataFrame
) -> Candidates:
    """Every swap within a stratum of two different values, and every flip, of free cells."""
    cols, ii, jj = [], [], []
    strata = cohort["stratum"].to_numpy()
    n = len(cohort)
    a, b = np.triu_indices(n, 1)
    for col in swap_cols:
        v, free = cohort[col].to_numpy(), ~fixed[col].to_numpy()
        ok = free[a] & free[b] & (strata[a] == strata[b]) & (v[a] != v[b])
        cols += [col] * int(ok.sum())
        ii += a[ok].tolist()
        jj += b[ok].tolist()
    for col in flip_cols:
        free = np.flatnonzero(~fixed[col].to_numpy())
        cols += [col] * len(free)
        ii += free.tolist()
        jj += [-1] * len(free)
    return Candidates(np.array(cols, dtype=object), np.array(ii, int), np.array(jj, int))


def _value(spec: Spec, cohort: pd.DataFrame, cov: str, env: dict[str, np.ndarray]) -> np.ndarray:
    if cov in spec.derived:
        return np.asarray(eval(spec.derived[cov], {"__builtins__": {}}, env), dtype=float)
    return np.asarray(env[cov], dtype=float)


def columns(spec: Spec, cohort: pd.DataFrame, cov: str, cand: Candidates) -> np.ndarray:
    """The covariate ``cov`` after each candidate move, as (n, M) columns."""
    base = cohort[cov].to_numpy(float)
    x = np.repeat(base[:, None], len(cand), axis=1)
    uses = source_columns(spec.derived[cov]) if cov in spec.derived else {cov}
    m = np.arange(len(cand))
    for col in sorted(set(cand.col) & uses):
        sel = m[cand.col == col]
        i, j = cand.i[sel], cand.j[sel]
        flip = j < 0
        jj = np.where(flip, i, j)
        env = {s: np.concatenate([cohort[s].to_numpy()[i], cohort[s].to_numpy()[jj]]) for s in uses}
        own = cohort[col].to_numpy()
        new_i = own[jj].copy()
        if flip.any():  # a flipped column is 0/1
            new_i[flip] = 1 - own[i[flip]]
        env[col] = np.concatenate([new_i, own[i]])
        vals = _value(spec, cohort, cov, env)
        x[i, sel] = vals[: len(sel)]
        x[jj[~flip], sel[~flip]] = vals[len(sel) :][~flip]
    return x


def changes(
    cohort: pd.DataFrame, cand: Candidates, k: int, linked: dict[str, list[str]]
) -> list[Change]:
    """The cell changes of candidate ``k`` (a swap carries its linked columns)."""
    col, i, j = str(cand.col[k]), int(cand.i[k]), int(cand.j[k])
    if j < 0:
        return [(col, i, 1 - int(cohort.at[i, col]))]
    cols = [col, *linked.get(col, [])]
    return [(c, a, cohort.at[b, c]) for c in cols for a, b in ((i, j), (j, i))]


def _kinds(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, back): one of each distinct column of ``key``, and each column's kind.

    The partition of ``np.unique(key, axis=1)``; for 0/1 columns it sorts their bits
    packed into 64-bit words instead of rows of floats. Which column stands for a
    kind, and the order of the kinds, may differ; a kind's fit does not.

    Examples
    --------
    >>> first, back = _kinds(np.array([[0.0, 1, 0, 1], [1, 0, 1, 0]]))
    >>> first[back].tolist()
    [0, 1, 0, 1]
    """
    if not ((key == 0) | (key == 1)).all():
        _, first, back = np.unique(key, axis=1, return_index=True, return_inverse=True)
        return first, back.ravel()
    bits = np.packbits(key.astype(np.uint8), axis=0)
    pad = -bits.shape[0] % 8
    words = np.ascontiguousarray(np.vstack([bits, np.zeros((pad, bits.shape[1]), np.uint8)]).T)
    words = words.view(np.uint64)
    if words.shape[1] == 1:
        _, first, back = np.unique(words[:, 0], return_index=True, return_inverse=True)
    else:
        _, first, back = np.unique(words, axis=0, return_index=True, return_inverse=True)
    return first, back.ravel()


def _evaluate(spec, cohort, fts, cand) -> tuple[np.ndarray, np.ndarray]:
    """(met (M, parts), loss (M,)) of every candidate on the group's fast targets.

    Candidates with the same effect on every target's covariate (e.g. swapping ages
    45 and 30 or 50 and 30 for age > 40) are fitted once.
    """
    xs = [columns(spec, cohort, ft.covariate, cand) for ft in fts]
    first, back = _kinds(np.vstack(xs))
    mets, loss = [], np.zeros(len(first))
    for ft, x in zip(fts, xs, strict=True):
        met, lo = score(ft, x[:, first])
        mets.append(met)
        loss += lo
    back = back.ravel()
    return np.hstack(mets)[back], loss[back]


def _pairs(cand: Candidates, order: np.ndarray, top: int) -> Candidates | None:
    """Disjoint pairs among the ``top`` best single moves, as two-row candidates."""
    best = order[:top]
    a, b = np.triu_indices(len(best), 1)
    a, b = best[a], best[b]
    rows = np.stack([cand.i[a], cand.j[a], cand.i[b], cand.j[b]], axis=1)
    ok = _disjoint(rows)
    if not ok.any():
        return None
    return a[ok], b[ok]


def _disjoint(rows: np.ndarray) -> np.ndarray:
    """Per row: no row index (>= 0; -1 is a flip's missing partner) occurs twice.

    Examples
    --------
    >>> _disjoint(np.array([[0, 1, 2, 3], [0, 1, 1, 3], [4, -1, 5, -1], [4, -1, 4, -1]])).tolist()
    [True, False, True, False]
    """
    a, b = np.triu_indices(rows.shape[1], 1)
    return ~((rows[:, a] >= 0) & (rows[:, a] == rows[:, b])).any(axis=1)


def _pair_columns(spec, cohort, cov, cand, a, b) -> np.ndarray:
    xa = columns(spec, cohort, cov, Candidates(cand.col[a], cand.i[a], cand.j[a]))
    xb = columns(spec, cohort, cov, Candidates(cand.col[b], cand.i[b], cand.j[b]))
    base = cohort[cov].to_numpy(float)[:, None]
    return xa + xb - base


@dataclass
class _Walk:
    """What a compound move needs besides the cohort: its moves, guard and start."""

    cand_fn: object
    guard: Evaluator | None
    linked: dict[str, list[str]]
    met0: np.ndarray
    loss0: float


def solve_group(
    spec: Spec,
    cohort: pd.DataFrame,
    fts: list[FastTarget],
    cand_fn,
    guard: Evaluator | None,
    linked: dict[str, list[str]],
    max_moves: int = 200,
    top: int = TOP,
    anneal: int = 0,
) -> int:
    """Aimed swaps of one group until none helps; returns the number of moves made.

    ``cand_fn(cohort)`` lists the candidate moves; ``guard`` evaluates the other
    targets that read the moved columns (no met part of theirs may be lost).
    ``anneal`` is the length of the annealing walk tried once when nothing else
    helps and the loss is at most :data:`NEAR` (0: none).
    """
    if not fts:
        return 0
    n_moves, left = 0, {"tabu": TABU_CALLS, "anneal": int(anneal > 0)}
    while n_moves < max_moves:
        cand = cand_fn(cohort)
        if not len(cand):
            break
        cur_met, cur_loss = _evaluate(spec, cohort, fts, _identity(cand))
        cur_met, cur_loss = cur_met[0], cur_loss[0]
        if cur_loss == 0:
            break
        met, loss = _evaluate(spec, cohort, fts, cand)
        moved = _accept_single(
            spec, cohort, cand, met, loss, cur_met, cur_loss, guard, linked
        ) or _accept_pair(spec, cohort, fts, cand, loss, cur_met, cur_loss, guard, linked, top)
        walk = _Walk(cand_fn, guard, linked, cur_met, cur_loss)
        if not (moved or _walks(spec, cohort, fts, walk, left, anneal)):
            break
        n_moves += 1
    return n_moves


def _walks(spec, cohort, fts, walk: _Walk, left: dict[str, int], anneal: int) -> bool:
    """The compound moves while their calls last: a tabu walk, then (near) annealing."""
    if left["tabu"] > 0:
        left["tabu"] -= 1
        args = (walk.cand_fn, walk.guard, walk.linked, walk.met0, walk.loss0)
        if _tabu(spec, cohort, fts, *args):
            return True
    if left["anneal"] > 0 and walk.loss0 <= NEAR:
        left["anneal"] -= 1
        return _anneal(spec, cohort, fts, walk, anneal)
    return False


def _tabu(spec, cohort, fts, cand_fn, guard, linked, met0, loss0, steps=TABU_STEPS) -> bool:
    """A compound move: a tabu walk of best single swaps, worse ones included.

    The walk may lose parts on the way; it ends on the state it visited that keeps
    every part met at the start and meets the most (then the lowest loss), kept
    only if that is better than the start and no guarded part is lost.
    """
    cols = sorted({c for c in set(cand_fn(cohort).col)} | {c for v in linked.values() for c in v})
    cols = [c for c in cols if c in cohort]
    start = cohort[cols].copy()
    guard_before = _guard_met(guard, cohort)
    best_key, best = (int(met0.sum()), -loss0), None
    tabu = np.full(len(cohort), -1)
    for step in range(steps):
        cand = cand_fn(cohort)
        busy = (tabu[cand.i] >= step) | ((cand.j >= 0) & (tabu[cand.j] >= step))
        if busy.all():
            break
        met, loss = _evaluate(spec, cohort, fts, cand)
        k = int(np.flatnonzero(~busy)[np.argmin(loss[~busy])])
        apply_changes(spec, cohort, changes(cohort, cand, k, linked))
        tabu[[cand.i[k], max(cand.j[k], cand.i[k])]] = step + TABU_TENURE
        keeps = not (met0 & ~met[k]).any()
        gains = int(met[k].sum()) > best_key[0] or best is not None
        if keeps and gains and (int(met[k].sum()), -float(loss[k])) > best_key:
            best_key, best = (int(met[k].sum()), -float(loss[k])), cohort[cols].copy()
    return _end_walk(spec, cohort, start, best, guard, guard_before)


def _anneal(spec, cohort, fts, walk: _Walk, steps: int) -> bool:
    """A compound move: heat-bath annealing over single swaps of the group.

    Each step scores :data:`ANNEAL_BATCH` candidate swaps drawn at random (all of
    them if 0) and takes one with probability proportional to
    ``exp(-max(0, loss - current) / T)``, T falling from :data:`ANNEAL_T0` as
    ``(1 - step/steps)^2`` to a floor of 0.001; the walk stops at loss 0, or when every
    drawn swap is so much worse that all weights underflow to 0 (late, when cold).
    Like :func:`_tabu`, it ends on
    the state visited that keeps every part met at the start and meets the most
    (then the lowest loss), kept only if that is better than the start and loses no
    guarded part.
    """
    rng = np.random.default_rng(ANNEAL_SEED)
    cols = sorted(set(walk.cand_fn(cohort).col) | {c for v in walk.linked.values() for c in v})
    cols = [c for c in cols if c in cohort]
    start, guard_before = cohort[cols].copy(), _guard_met(walk.guard, cohort)
    best_key, best, current = (int(walk.met0.sum()), -walk.loss0), None, walk.loss0
    for step in range(steps):
        cand = walk.cand_fn(cohort)
        if ANNEAL_BATCH and len(cand) > ANNEAL_BATCH:
            pick = np.sort(rng.choice(len(cand), ANNEAL_BATCH, replace=False))
            cand = Candidates(cand.col[pick], cand.i[pick], cand.j[pick])
        met, loss = _evaluate(spec, cohort, fts, cand)
        loss = np.where(np.isfinite(loss), loss, np.inf)
        temperature = ANNEAL_T0 * (1 - step / steps) ** 2 + 1e-3
        weight = np.exp(-np.maximum(loss - current, 0.0) / temperature)
        if not weight.sum() > 0:
            break
        k = int(rng.choice(len(cand), p=weight / weight.sum()))
        apply_changes(spec, cohort, changes(cohort, cand, k, walk.linked))
        current = float(loss[k])
        key = (int(met[k].sum()), -current)
        gains = key[0] > walk.met0.sum() or best is not None
        keeps = not (walk.met0 & ~met[k]).any()
        if keeps and gains and key > best_key:
            best_key, best = key, cohort[cols].copy()
        if current == 0:
            break
    return _end_walk(spec, cohort, start, best, walk.guard, guard_before)


def _end_walk(spec, cohort, start, best, guard, guard_before) -> bool:
    """End a compound move on ``best`` if it loses no guarded part, else on ``start``."""
    _restore(spec, cohort, start if best is None else best)
    if best is None:
        return False
    if guard is not None and (guard_before & ~_guard_met(guard, cohort)).any():
        _restore(spec, cohort, start)
        return False
    return True


def _restore(spec: Spec, cohort: pd.DataFrame, saved: pd.DataFrame) -> None:
    for c in saved.columns:
        cohort[c] = saved[c]
    derive(spec, cohort, set(saved.columns))


def _identity(cand: Candidates) -> Candidates:
    """A candidate that changes nothing (a flip-free swap of a row with itself)."""
    return Candidates(cand.col[:1], cand.i[:1], cand.i[:1])


def _guard_met(guard: Evaluator | None, cohort: pd.DataFrame) -> np.ndarray:
    if guard is None:
        return np.zeros(0, bool)
    return guard.gaps(cohort)[1] == 0


def _try_changes(spec, cohort, ch, guard, before) -> bool:
    """Apply ``ch``; keep it if no guarded part met before is lost, else undo it."""
    old = apply_changes(spec, cohort, ch)
    if guard is None or not (before & ~_guard_met(guard, cohort)).any():
        return True
    apply_changes(spec, cohort, old)
    return False


def _accept_single(spec, cohort, cand, met, loss, cur_met, cur_loss, guard, linked) -> bool:
    ok = ~(cur_met & ~met).any(axis=1) & (loss < cur_loss - 1e-12)
    if not ok.any():
        return False
    before = _guard_met(guard, cohort)
    for k in np.flatnonzero(ok)[np.argsort(loss[ok], kind="stable")][:20]:
        if _try_changes(spec, cohort, changes(cohort, cand, int(k), linked), guard, before):
            return True
    return False


def _accept_pair(spec, cohort, fts, cand, loss, cur_met, cur_loss, guard, linked, top) -> bool:
    order = np.argsort(loss, kind="stable")
    pairs = _pairs(cand, order, top)
    if pairs is None:
        return False
    a, b = pairs
    mets, ploss = [], np.zeros(len(a))
    for ft in fts:
        met, lo = score(ft, _pair_columns(spec, cohort, ft.covariate, cand, a, b))
        mets.append(met)
        ploss += lo
    met = np.hstack(mets)
    ok = ~(cur_met & ~met).any(axis=1) & (ploss < cur_loss - 1e-12)
    if not ok.any():
        return False
    before = _guard_met(guard, cohort)
    for k in np.flatnonzero(ok)[np.argsort(ploss[ok], kind="stable")][:20]:
        ch = changes(cohort, cand, int(a[k]), linked) + changes(cohort, cand, int(b[k]), linked)
        if _try_changes(spec, cohort, ch, guard, before):
            return True
    return False
