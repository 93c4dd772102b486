"""Build a cohort with exact margins, then anneal it towards the published targets.

Margins are exact by construction and every move preserves them:

- categorical margins per stratum: values are *swapped* between two patients of the
  same stratum;
- continuous "median (min-max)": the values are built to hit all three exactly, and
  an interior value only moves within its half (below or above the median);
- binary covariates with unpublished margins: flipped freely;
- times and outcome flags: moves supplied by the study model (which keeps its own
  counts, e.g. 31 deaths among the 38, exact by swapping).

Cells fixed by published per-patient facts (Tables 4 and 5) never move.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import partial

import numpy as np
import pandas as pd

from carbook.reconstruct.aim import aimed_moves
from carbook.reconstruct.arrays import TIME_KINDS, ArrayCohort, TimeEvaluator
from carbook.reconstruct.construction import (
    Change,
    Model,
    Move,
    apply_changes,
    column_swaps,
    derive,
    interior_change,
    interior_steps,
    reads,
    source_columns,
    split_median,
)
from carbook.reconstruct.covariates import ANNEAL_STEPS, candidates, fast_targets, solve_group
from carbook.reconstruct.exhaustive import solve_small
from carbook.reconstruct.proofs import proofs
from carbook.reconstruct.spec import Spec
from carbook.reconstruct.targets import (
    Evaluator,
    claim_units,
    claims_met,
    inconsistent_p_targets,
)

__all__ = ["ARRAYS", "anneal", "calibrate"]

#: anneal on numpy columns (:class:`ArrayCohort`); False runs the same moves on the
#: pandas frame, the reference path the tests compare the numpy path with
ARRAYS = True


def _interior_move(spec: Spec, strata_col: str) -> Move:
    """Move one non-anchor value of a continuous column within its half."""
    columns = {**spec.continuous, **spec.within}

    def move(cohort: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        col = rng.choice(sorted(columns))
        stratum = rng.choice(sorted(spec.strata))
        entry = columns[col]
        rows = cohort.index[cohort[strata_col] == stratum]
        if "within" in entry:
            rows = rows[cohort.loc[rows, str(entry["within"])].to_numpy() == 1]
        step = 10.0 ** -int(entry["decimals"])
        change = interior_change(
            cohort.loc[rows, col], entry[stratum], step, rng, split_median(entry)
        )
        return [] if change is None else [(col, *change)]

    return move


def _swap_move(
    columns: list[str],
    strata_col: str,
    fixed: pd.DataFrame,
    tune: dict,
    linked: dict[str, list[str]] | None = None,
) -> Move:
    """Swap one column's values between two patients of a stratum (with linked columns)."""
    linked = linked or {}

    def move(cohort: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        weights = tune.get("swap_weights")
        p = None if weights is None else np.array([weights.get(c, 1.0) for c in columns])
        col = columns[rng.choice(len(columns), p=None if p is None else p / p.sum())]
        i = rng.integers(len(cohort))
        pool = cohort.index[(cohort[strata_col] == cohort.at[i, strata_col]) & ~fixed[col]]
        j = pool[rng.integers(len(pool))] if len(pool) else i
        if i == j or fixed.at[i, col] or cohort.at[i, col] == cohort.at[j, col]:
            return []
        cols = [col, *linked.get(col, [])]
        return [(c, a, cohort.at[b, c]) for c in cols for a, b in ((i, j), (j, i))]

    return move


def _flip_move(columns: list[str], fixed: pd.DataFrame) -> Move:
    def move(cohort: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        col = columns[rng.integers(len(columns))]
        i = rng.integers(len(cohort))
        return [] if fixed.at[i, col] else [(col, i, 1 - int(cohort.at[i, col]))]

    return move


def _swap_weights(spec: Spec, report: pd.DataFrame) -> dict[str, float]:
    """Swap a categorical column more often when the HR targets it drives are missed."""
    loss = report.groupby("claim")["loss"].sum()
    weights = dict.fromkeys(spec.categorical, 1.0)
    for t in spec.targets:
        if t.kind != "cox_hr":
            continue
        cov = t.params["covariate"]
        sources = source_columns(spec.derived[cov]) if cov in spec.derived else {cov}
        for col in sources & set(weights):
            weights[col] += float(np.sqrt(loss.get(t.claim, 0.0)))
    return weights


def _linked(spec: Spec) -> dict[str, list[str]]:
    """Parent column -> the ``within`` columns that travel with it."""
    out: dict[str, list[str]] = {}
    for col, entry in sorted(spec.within.items()):
        out.setdefault(str(entry["within"]), []).append(col)
    return out


def _all_moves(spec: Spec, model: Model) -> dict[str, Move]:
    swappable = sorted(spec.categorical) + sorted(spec.continuous)
    swap = _swap_move(swappable, "stratum", model.fixed, model.tune, _linked(spec))
    return {
        **({"swap": swap} if swappable else {}),
        **({"interior": _interior_move(spec, "stratum")} if spec.continuous else {}),
        **({"flip": _flip_move(spec.free_binary, model.fixed)} if spec.free_binary else {}),
        **model.moves,
        **model.late_moves,
    }


def _try(
    spec: Spec,
    cohort: pd.DataFrame,
    changes: list[Change],
    evaluator: Evaluator,
    loss: float,
    temperature: float,
    rng: np.random.Generator,
    keep_met: bool = False,
    protect: np.ndarray | None = None,
) -> float:
    """Apply ``changes``; keep them by the Metropolis rule or undo them. Returns the loss.

    With ``keep_met``, a change that loses what :func:`_loses` keeps is undone.
    """
    was_met, was_now = evaluator.met, evaluator.now
    old = apply_changes(spec, cohort, changes)
    delta = evaluator.loss(cohort) - loss
    lost = keep_met and _loses(was_met, evaluator.met, protect)
    if not lost and (delta <= 0 or rng.random() < np.exp(-delta / temperature)):
        return loss + delta
    apply_changes(spec, cohort, old)
    evaluator.met, evaluator.now = was_met, was_now
    return loss


def _loses(was: np.ndarray, now: np.ndarray, protect: np.ndarray | None) -> bool:
    """Whether a move loses a met printed number that ``keep_met`` keeps.

    Without ``protect``: any part met before. With it (a mask over the parts), a move
    may trade: it may lose parts met before if it meets at least as many in all (the
    count met never drops), but never a protected one.

    Examples
    --------
    >>> was, now = np.array([True, True, False]), np.array([False, True, True])
    >>> _loses(was, now, None), _loses(was, now, np.array([False, True, True]))
    (True, False)
    >>> _loses(was, now, np.array([True, False, False]))  # the first is protected
    True
    """
    if protect is None:
        return bool((was & ~now).any())
    return bool((was & ~now & protect).any()) or int(now.sum()) < int(was.sum())


def _report_progress(
    spec: Spec, evaluator: Evaluator, cohort: pd.DataFrame, loss: float, where: str
) -> None:
    met, n = int(evaluator.report(cohort)["within"].sum()), len(evaluator.parts)
    line = f"  [{spec.study}{where}: loss {loss:.1f}, {met}/{n} printed numbers met"
    print(line, file=sys.stderr)


def anneal(
    spec: Spec,
    model: Model,
    cohort: pd.DataFrame,
    rng: np.random.Generator,
    n_iter: int = 4000,
    t0: float = 2.0,
    targets: list | None = None,
    moves: dict[str, Move] | None = None,
    label: str = "",
    progress: bool = True,
    keep_met: bool = False,
    aim: bool = False,
    trade: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulated annealing over margin-preserving moves.

    With ``aim``, moves aimed at the missed time statistics join the others
    (:func:`carbook.reconstruct.aim.aimed_moves`, through ``model.retime``).

    With ``keep_met`` no accepted move loses a printed number already met (for
    polishing: the count of numbers met can only grow). With ``trade`` as well, a move
    may exchange met numbers for as many others, but never loses one of the claims
    the study placed (``model.protect``); see :func:`_loses`.

    ``targets`` and ``moves`` restrict a phase to part of the problem (default: all).
    Returns the best cohort seen (lowest loss; the input frame, updated in place)
    and its calibration report on those targets. Progress (loss and printed numbers
    met) goes to stderr ten times per run.
    """
    targets = spec.targets if targets is None else targets
    moves = _all_moves(spec, model) if moves is None else moves
    names = sorted(moves)
    derive(spec, cohort)
    excluded = proofs(targets, cohort, model.endpoints, model.proofs)
    fast = {t.kind for t in targets} <= TIME_KINDS
    kind = TimeEvaluator if fast else Evaluator
    evaluator = kind(targets, model.endpoints, excluded, inconsistent_p_targets(targets))
    protect = evaluator.parts["claim"].isin(model.protect).to_numpy() if trade else None
    work = ArrayCohort(cohort) if ARRAYS else cohort  # numpy columns: no pandas inside
    loss = evaluator.loss(work)
    if aim:
        moves = {**moves, **aimed_moves(targets, model, evaluator)}
        names = sorted(moves)
    rank = lambda: (-int(evaluator.met.sum()) if keep_met else 0, loss - 1e-12)  # noqa: E731
    best, best_rank, touched = work.copy(), rank(), set()
    for it in range(n_iter):
        cooled = 1 - it / n_iter
        model.tune["sigma"] = 0.35 * (0.1 + 0.9 * cooled)
        changes = moves[names[rng.integers(len(names))]](work, rng)
        if changes:
            temperature = t0 * cooled**2 + 1e-9
            loss = _try(spec, work, changes, evaluator, loss, temperature, rng, keep_met, protect)
            touched |= {c for c, _, _ in changes}
        if rank() < best_rank:
            best, best_rank = work.copy(), rank()
        if (it + 1) % 250 == 0:
            model.tune["swap_weights"] = _swap_weights(spec, evaluator.report(work))
        if progress and (it + 1) % max(1, n_iter // 10) == 0:
            _report_progress(spec, evaluator, work, loss, f"{label}] {it + 1}/{n_iter}")
    _keep_best(spec, cohort, best, touched)
    return cohort, evaluator.report(cohort)


def _keep_best(
    spec: Spec, cohort: pd.DataFrame, best: pd.DataFrame | ArrayCohort, touched: set[str]
) -> None:
    """End on the best cohort seen, in place (callers hold the frame)."""
    if isinstance(best, ArrayCohort):
        derived = {name for name, expr in spec.derived.items() if source_columns(expr) & touched}
        best.write_back(cohort, touched | derived)
        return
    for col in cohort.columns:
        cohort[col] = best[col]


def _hr_groups(spec: Spec, movable: list[str]) -> list[frozenset]:
    """The movable columns of each hazard-ratio covariate, once each, in target order.

    HRs on the same covariate (e.g. age > 40 in Table 2 and Table 3) are solved
    together; covariates built from time columns are left to the joint phase.
    """
    groups: dict[frozenset, None] = {}
    for t in spec.targets:
        if t.kind != "cox_hr":
            continue
        cov = t.params["covariate"]
        own = frozenset(source_columns(spec.derived[cov]) if cov in spec.derived else {cov})
        if own <= set(movable) | set(spec.free_binary):
            groups[own] = None
    return list(groups)


def calibrate(
    spec: Spec,
    model: Model,
    cohort: pd.DataFrame,
    rng: np.random.Generator,
    budget: int = 12000,
    progress: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Phases: times, each hazard ratio on its own, everything together; then late ones.

    The times phase anneals the time statistics alone (on numpy columns, see
    :class:`carbook.reconstruct.arrays.TimeEvaluator`); when the model can place an
    endpoint time (``model.retime``) it adds moves aimed at the missed ones
    (:mod:`carbook.reconstruct.aim`) and ends with a cold pass in which no move may
    lose one already met.

    Targets marked ``phase: late`` read columns that no other target reads (moved by
    ``model.late_moves``), so they are calibrated on the finished cohort of the other
    targets, which they cannot disturb, before a cold polish of everything.

    Given the times, a hazard ratio depends only on how its covariate is spread over
    the patients, and swapping that covariate within a stratum changes no margin and
    no other target but those reading the same column. So phase 2 solves each HR as
    a small problem of its own before the joint phase. From the joint phase on (when
    there are late targets) no move may lose a printed number already met, so the
    count met only grows; the per-covariate phases run once more at the end. A study
    that placed some claims (``model.protect``) lets these phases trade instead: a
    move may lose met numbers if it meets as many others, never a placed one
    (:func:`_loses`), so the count still only grows but the search can cross plateaus
    that the strict rule walls in.

    A model with ``place`` then tries its placements (:func:`_place`), and one that
    lists ``pairs`` ends with deterministic passes over every single swap
    (:func:`_pair_passes`, at most ``budget`` swaps tried). Neither draws from the generator,
    so every phase before them runs exactly as without them, and neither lowers the
    count met: they can only add to it.
    """
    derive(spec, cohort)
    all_moves = _all_moves(spec, model)
    late = [t for t in spec.targets if t.params.get("phase") == "late"]
    early = [t for t in spec.targets if t.params.get("phase") != "late"]
    time_targets = [t for t in early if t.kind in TIME_KINDS]
    early_moves = {k: v for k, v in all_moves.items() if k not in model.late_moves}
    times = partial(anneal, spec, model, cohort, rng, targets=time_targets, progress=progress)
    phase = partial(anneal, spec, model, cohort, rng, progress=progress)
    groups = partial(_solve_groups, spec, model, cohort, rng)
    keep = {"keep_met": True, "trade": bool(model.protect)}
    # a skeleton's times phase is shorter (see _time_steps): its iterations polish
    polish = budget // 2 if model.skeleton else budget // 4
    steps = [
        *_time_steps(model, times, budget),
        ("hazard ratios", budget // 8, partial(groups, t0=0.5)),
    ]
    if not late:
        steps.append(("joint", budget // 4, partial(phase, t0=0.3, moves=early_moves)))
    else:
        steps += [
            (
                "joint",
                budget // 4,
                partial(phase, t0=0.3, targets=early, moves=early_moves, **keep),
            ),
            ("late", budget // 4, partial(phase, t0=1.0, targets=late, moves=model.late_moves)),
            ("polish", polish, partial(phase, t0=0.1, moves=all_moves, **keep)),
            # Moves that touch only a covariate (or only late columns) change only the
            # targets reading it: re-solving them last loses no printed number met (the
            # tabu and annealing walks rank by numbers met first, so the loss may rise).
            ("hazard ratios", budget // 16, partial(groups, t0=0.05, anneal=ANNEAL_STEPS)),
            (
                "late, keep met",
                budget // 8,
                partial(phase, t0=0.1, targets=late, moves=model.late_moves, **keep),
            ),
        ]
    # placements first: the swaps can then adapt to what they placed
    if model.place:
        steps.append(("placements", len(model.place), partial(_place, spec, model, cohort)))
    if model.pairs:
        passes = partial(_pair_passes, spec, model, cohort, progress=progress)
        steps.append(("every swap, keep met", budget, passes))
    tally = _Tally(spec, model, cohort)
    for name, n_iter, run in steps:
        run(n_iter=n_iter, **({"label": f" {name}"} if run.func is anneal else {}))
        tally.record(name, n_iter)
    _, report = phase(0, 0.1, None, all_moves, "")  # the report on every target
    report.attrs["phases"] = tally.table()
    return cohort, report


def _time_steps(model: Model, times: partial, budget: int) -> list[tuple[str, int, partial]]:
    """The times phase; with ``model.retime``, aimed moves and a cold keep-met pass.

    With ``model.skeleton`` the free (hot) pass is skipped: only the keep-met pass runs,
    so no move loses a printed number the placed times already meet. It gets a quarter
    of the budget, and the polish gets the rest of the half it no longer needs: the
    placed times meet from the start what this pass can keep (on wudhikarn2021 seeds
    1-3 it met 34, 42 and 31 time numbers in 3,000 iterations, against 30 and 34 for
    seeds 1-2 in 9,000).
    """
    if model.skeleton:
        keep = partial(times, t0=0.2, moves=dict(model.moves), keep_met=True)
        n_iter = budget // 4
        return [("times, keep met", n_iter, partial(keep, aim=bool(model.retime)))]
    first = ("times", budget // 2, partial(times, moves=dict(model.moves), aim=bool(model.retime)))
    if not model.retime:
        return [first]
    cold = partial(times, t0=0.2, moves=dict(model.moves), keep_met=True, aim=True)
    return [first, ("times, keep met", budget // 4, cold)]


def _swaps(spec: Spec, model: Model, cohort: pd.DataFrame) -> Iterator[list[Change]]:
    """Every within-stratum swap of a margin's column, every flip, then ``model.pairs``.

    In a fixed order (columns by name, rows by index); each swap carries the column's
    linked ``within`` columns, as :func:`_swap_move` does. Cells fixed by a published
    fact never move.
    """
    linked = _linked(spec)
    strata = np.asarray(cohort["stratum"].to_numpy())
    for col in sorted(spec.categorical) + sorted(spec.continuous):
        free = ~model.fixed[col].to_numpy()
        for stratum in sorted(set(strata)):
            rows = [int(i) for i in np.flatnonzero((strata == stratum) & free)]
            yield from column_swaps(cohort, [col, *linked.get(col, [])], rows)
    yield from _interior_steps(spec, cohort, strata)
    for col in spec.free_binary:
        for i in np.flatnonzero(~model.fixed[col].to_numpy()):
            yield [(col, int(i), 1 - int(cohort.at[int(i), col]))]
    for name in sorted(model.pairs):
        yield from model.pairs[name](cohort)


def _interior_steps(spec: Spec, cohort: pd.DataFrame, strata: np.ndarray) -> Iterator[list[Change]]:
    """Every non-anchor continuous value one step either way within its half.

    The deterministic counterpart of :func:`_interior_move` (per stratum, and among the
    ``within`` patients for a ``within`` column): median, minimum and maximum stay.
    """
    columns = {**spec.continuous, **spec.within}
    for col in sorted(columns):
        entry = columns[col]
        step = 10.0 ** -int(entry["decimals"])
        for stratum in sorted(spec.strata):
            keep = strata == stratum
            if "within" in entry:
                keep &= np.asarray(cohort[str(entry["within"])].to_numpy()) == 1
            rows = np.flatnonzero(keep)
            values = pd.Series(np.asarray(cohort[col].to_numpy(float))[rows], index=rows)
            for i, new in interior_steps(values, entry[stratum], step, split_median(entry)):
                yield [(col, int(i), new)]


def _pair_passes(
    spec: Spec, model: Model, cohort: pd.DataFrame, n_iter: int, progress: bool = False
) -> None:
    """Deterministic passes over every swap (:func:`_swaps`), ``n_iter`` swaps at most.

    A swap is kept if it meets more printed parts or more whole claims, losing
    neither and no placed claim (``model.protect``), or meets as many at a lower
    loss (:func:`_try_better`). The passes stop after a pass that keeps
    none (the cohort is then where no single swap improves it, which random moves do
    not promise) or after ``n_iter`` swaps tried. Nothing is drawn from the generator.
    With ``progress``, each pass reports what it tried and kept to stderr.
    """
    evaluator, protect, groups = _judge(spec, model, cohort)
    work = ArrayCohort(cohort) if ARRAYS else cohort
    loss, touched, tried = evaluator.loss(work), set(), 0
    while tried < n_iter:
        kept = 0
        for changes in _swaps(spec, model, work):
            if tried >= n_iter:
                break
            if not changes:
                continue
            tried += 1
            better, loss = _try_better(spec, work, changes, evaluator, loss, protect, groups)
            if better:
                kept += 1
                touched |= {c for c, _, _ in changes}
        if progress:
            met, n = int(evaluator.met.sum()), len(evaluator.parts)
            print(
                f"  [{spec.study} every swap: {tried} tried, {kept} kept in this pass, "
                f"{met}/{n} printed numbers met",
                file=sys.stderr,
            )
        if not kept:
            break
    _keep_best(spec, cohort, work, touched)


def _try_better(
    spec: Spec,
    cohort: pd.DataFrame,
    changes: list[Change],
    evaluator: Evaluator,
    loss: float,
    protect: np.ndarray,
    groups: np.ndarray,
) -> tuple[bool, float]:
    """Apply ``changes`` if they meet more, or as many at a lower loss; else undo them.

    "More" is counted twice: printed parts met and claims with every part met (the
    scorecard's unit; ``groups`` codes each part's claim, a printed P its own). Neither
    count may drop, and no placed claim (``protect``) may be lost; one must grow, or
    the loss fall. Returns whether the changes were kept, and the loss after.
    """
    was_met, was_now = evaluator.met, evaluator.now
    old = apply_changes(spec, cohort, changes)
    new = evaluator.loss(cohort)
    now = evaluator.met
    parts = int(now.sum()) - int(was_met.sum())
    claims = claims_met(now, groups) - claims_met(was_met, groups)
    gain = parts > 0 or claims > 0 or new < loss - 1e-9
    if parts >= 0 and claims >= 0 and gain and not (was_met & ~now & protect).any():
        return True, new
    apply_changes(spec, cohort, old)
    evaluator.met, evaluator.now = was_met, was_now
    return False, loss


def _place(spec: Spec, model: Model, cohort: pd.DataFrame, n_iter: int) -> None:
    """Try each of ``model.place`` once, in name order, under :func:`_try_better`'s rule.

    Placements draw nothing from the generator (``rng`` is None), so the
    calibration's stream is unchanged. ``n_iter`` is the number of placements (for the
    phase table).
    """
    evaluator, protect, groups = _judge(spec, model, cohort)
    loss = evaluator.loss(cohort)
    for name in sorted(model.place)[:n_iter]:
        changes = model.place[name](cohort, None)
        if changes:
            _, loss = _try_better(spec, cohort, changes, evaluator, loss, protect, groups)


def _scorer(spec: Spec, model: Model, cohort: pd.DataFrame) -> Evaluator:
    """An evaluator of every target, as the calibration report scores them."""
    excluded = proofs(spec.targets, cohort, model.endpoints, model.proofs)
    return Evaluator(spec.targets, model.endpoints, excluded, inconsistent_p_targets(spec.targets))


def _judge(
    spec: Spec, model: Model, cohort: pd.DataFrame
) -> tuple[Evaluator, np.ndarray, np.ndarray]:
    """An evaluator of every target, the placed parts, and each part's claim as a code."""
    derive(spec, cohort)
    evaluator = _scorer(spec, model, cohort)
    parts = evaluator.parts
    protect = parts["claim"].isin(model.protect).to_numpy()
    groups = claim_units(parts)
    return evaluator, protect, groups


class _Tally:
    """Printed numbers met after each phase of :func:`calibrate` (all targets scored)."""

    def __init__(self, spec: Spec, model: Model, cohort: pd.DataFrame) -> None:
        self.evaluator = _scorer(spec, model, cohort)
        self.cohort = cohort
        self.rows: list[tuple[int, str, int, int, int]] = []

    def record(self, name: str, n_iter: int) -> None:
        met = int(self.evaluator.report(self.cohort)["within"].sum())
        self.rows.append((len(self.rows) + 1, name, n_iter, met, len(self.evaluator.parts)))

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["step", "phase", "iterations", "met", "printed"])


def _solve_groups(
    spec: Spec,
    model: Model,
    cohort: pd.DataFrame,
    rng: np.random.Generator,
    n_iter: int,
    t0: float,
    anneal: int = 0,
) -> None:
    """Solve each hazard-ratio group on its own covariate's moves (see _hr_groups).

    Aimed, deterministic swaps (:mod:`carbook.reconstruct.covariates`): at most
    ``n_iter // 30`` accepted moves per group, and an ``anneal``-step annealing walk
    for a group still a part or two short (the last such phase); ``rng`` and ``t0``
    are not used.
    """
    swappable = sorted(spec.categorical) + sorted(spec.continuous)
    linked = _linked(spec)
    derive(spec, cohort)
    excluded = proofs(spec.targets, cohort, model.endpoints, model.proofs)
    p_notes = inconsistent_p_targets(spec.targets)
    for own in _hr_groups(spec, swappable):
        flips = sorted(own & set(spec.free_binary))
        swaps = [] if flips else sorted(own & set(swappable))
        moved = set(own) | {c for col in own for c in linked.get(col, [])}
        affected = [t for t in spec.targets if reads(spec, t) & moved]
        fts = fast_targets(affected, cohort, model.endpoints, excluded)
        fast = {ft.claim for ft in fts}
        others = [t for t in affected if t.claim not in fast]
        guard = Evaluator(others, model.endpoints, excluded, p_notes) if others else None
        # a candidate that separates the events (a monotone likelihood) has an infinite
        # upper limit: a miss like any other, not an error
        with np.errstate(over="ignore"):
            if len(swaps) == 1 and not linked.get(swaps[0]):  # exhaustive where small
                fixed = ~model.fixed[swaps[0]].to_numpy()
                solve_small(spec, cohort, swaps[0], fts, fixed, guard)
            cand_fn = partial(candidates, swap_cols=swaps, flip_cols=flips, fixed=model.fixed)
            solve_group(
                spec, cohort, fts, cand_fn, guard, linked, max(1, n_iter // 30), anneal=anneal
            )
