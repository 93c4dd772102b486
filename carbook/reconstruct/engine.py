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

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbook.reconstruct.spec import Spec
from carbook.reconstruct.targets import (
    Endpoints,
    Evaluator,
    inconsistent_p_targets,
    infeasible_hr_targets,
)

__all__ = [
    "Change",
    "Model",
    "anneal",
    "calibrate",
    "construct_categorical",
    "construct_continuous",
    "derive",
    "exact_values",
    "interior_change",
]

#: one proposed change: (column, row index, new value)
Change = tuple[str, int, object]
Move = Callable[[pd.DataFrame, np.random.Generator], list[Change]]


@dataclass
class Model:
    """What a study supplies: its endpoints, its own moves and its fixed cells."""

    endpoints: Endpoints
    moves: dict[str, Move]
    fixed: pd.DataFrame  # True where a cell is a published fact
    #: shared tuning the search updates as it cools: "sigma" (relative step of time
    #: moves) and "swap_weights" (how often each categorical column is swapped)
    tune: dict[str, object] = field(default_factory=lambda: {"sigma": 0.35})


def construct_categorical(
    spec: Spec, strata: pd.Series, facts: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Assign every categorical level with the exact counts of each stratum.

    Cells given in ``facts`` (non-null) are kept; the remaining levels are dealt at
    random to the other patients of the stratum.

    Raises
    ------
    ValueError
        If the facts need more of a level than the stratum has.
    """
    out = pd.DataFrame(index=strata.index)
    for col, by_stratum in spec.categorical.items():
        values = pd.Series(pd.NA, index=strata.index, dtype=object)
        known = facts[col] if col in facts else pd.Series(pd.NA, index=strata.index)
        for stratum, levels in by_stratum.items():
            rows = strata.index[strata == stratum]
            fixed = known.loc[rows].dropna().map(_level)
            pool = dict(levels)
            for level, n in fixed.value_counts().items():
                if pool.get(level, 0) < n:
                    raise ValueError(
                        f"facts put {n} x {col}={level} in {stratum}; only {pool.get(level, 0)}"
                    )
                pool[level] -= n
            deck = [lvl for lvl, n in sorted(pool.items()) for _ in range(n)]
            free = rows.difference(fixed.index)
            values.loc[free] = rng.permutation(np.array(deck, dtype=object))
            values.loc[fixed.index] = fixed
        out[col] = values.map(_maybe_int)
    return out


def _level(v: object) -> str:
    """Level label of a fact: 1.0 and 1 both mean level "1"."""
    if isinstance(v, (int, float, np.integer, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _maybe_int(v: object) -> object:
    return int(v) if isinstance(v, str) and v.isdigit() else v


def _median_pair(median: float, n: int, step: float) -> tuple[float, float]:
    if n % 2:
        return median, median
    low = np.floor(median / step) * step
    return low, 2 * median - low


def exact_values(
    n: int, median: float, lo: float, hi: float, step: float, rng: np.random.Generator
) -> np.ndarray:
    """``n`` values (multiples of ``step``) whose median, min and max are exactly these.

    Examples
    --------
    >>> v = exact_values(29, 5.5, 1.3, 24.0, 0.01, np.random.default_rng(0))
    >>> float(np.median(v)), float(v.min()), float(v.max())
    (5.5, 1.3, 24.0)
    """
    if n < 3:
        raise ValueError(f"need at least 3 values for a median (range), got n = {n}")
    m1, m2 = _median_pair(median, n, step)
    k = (n - 2) // 2 - (0 if n % 2 else 1)
    below = np.round(rng.uniform(lo, m1, k) / step) * step
    above = np.round(rng.uniform(m2, hi, k) / step) * step
    middle = [m1] if n % 2 else [m1, m2]
    return rng.permutation(np.concatenate([[lo], below, middle, above, [hi]]))


def interior_change(
    values: pd.Series, anchors: tuple[float, float, float], step: float, rng: np.random.Generator
) -> tuple[object, float] | None:
    """Pick a non-anchor value and a new one in the same half: (index, new value).

    The median, minimum and maximum of ``values`` are unchanged by the change.
    """
    med, lo, hi = anchors
    m1, m2 = _median_pair(med, len(values), step)
    order = values.sort_values(kind="stable")
    n = len(order)
    pick = int(rng.integers(1, n - 1))
    if pick in {(n - 1) // 2, n // 2}:
        return None
    bound = (lo, m1) if pick < (n - 1) // 2 else (m2, hi)
    return order.index[pick], float(np.round(rng.uniform(*bound) / step) * step)


def construct_continuous(spec: Spec, strata: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """Values whose median, minimum and maximum per stratum equal the printed ones."""
    out = pd.DataFrame(index=strata.index)
    for col, entry in spec.continuous.items():
        step = 10.0 ** -int(entry["decimals"])
        values = pd.Series(np.nan, index=strata.index)
        for stratum in spec.strata:
            rows = strata.index[strata == stratum]
            vals = exact_values(len(rows), *entry[stratum], step, rng)
            values.loc[rows] = vals
        out[col] = values
    return out


def _interior_move(spec: Spec, strata_col: str) -> Move:
    """Move one non-anchor value of a continuous column within its half."""

    def move(cohort: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        col = rng.choice(sorted(spec.continuous))
        stratum = rng.choice(sorted(spec.strata))
        entry = spec.continuous[col]
        rows = cohort.index[cohort[strata_col] == stratum]
        step = 10.0 ** -int(entry["decimals"])
        change = interior_change(cohort.loc[rows, col], entry[stratum], step, rng)
        return [] if change is None else [(col, *change)]

    return move


def _swap_move(columns: list[str], strata_col: str, fixed: pd.DataFrame, tune: dict) -> Move:
    def move(cohort: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        weights = tune.get("swap_weights")
        p = None if weights is None else np.array([weights.get(c, 1.0) for c in columns])
        col = columns[rng.choice(len(columns), p=None if p is None else p / p.sum())]
        i = rng.integers(len(cohort))
        pool = cohort.index[(cohort[strata_col] == cohort.at[i, strata_col]) & ~fixed[col]]
        j = pool[rng.integers(len(pool))] if len(pool) else i
        if i == j or fixed.at[i, col] or cohort.at[i, col] == cohort.at[j, col]:
            return []
        return [(col, i, cohort.at[j, col]), (col, j, cohort.at[i, col])]

    return move


def _flip_move(columns: list[str], fixed: pd.DataFrame) -> Move:
    def move(cohort: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
        col = columns[rng.integers(len(columns))]
        i = rng.integers(len(cohort))
        return [] if fixed.at[i, col] else [(col, i, 1 - int(cohort.at[i, col]))]

    return move


def _names(expr: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", re.sub(r"'[^']*'", "", expr)))


def derive(spec: Spec, cohort: pd.DataFrame, only: set[str] | None = None) -> None:
    """(Re)compute derived covariates, or only those that use a column in ``only``.

    An expression is a comparison of cohort columns with numbers or quoted strings
    (``"age > 40"``, ``"ph != 'negative'"``), evaluated element-wise on numpy arrays.
    """
    for name, expr in spec.derived.items():
        used = _names(expr)
        if only is not None and not only & used:
            continue
        missing = used - set(cohort.columns)
        if missing:
            raise ValueError(f"derived {name!r} = {expr!r} uses unknown columns {sorted(missing)}")
        env = {col: cohort[col].to_numpy() for col in used}
        cohort[name] = np.asarray(eval(expr, {"__builtins__": {}}, env), dtype=int)


def _swap_weights(spec: Spec, report: pd.DataFrame) -> dict[str, float]:
    """Swap a categorical column more often when the HR targets it drives are missed."""
    loss = report.groupby("claim")["loss"].sum()
    weights = dict.fromkeys(spec.categorical, 1.0)
    for t in spec.targets:
        if t.kind != "cox_hr":
            continue
        cov = t.params["covariate"]
        sources = _names(spec.derived[cov]) if cov in spec.derived else {cov}
        for col in sources & set(weights):
            weights[col] += float(np.sqrt(loss.get(t.claim, 0.0)))
    return weights


def _all_moves(spec: Spec, model: Model) -> dict[str, Move]:
    swappable = sorted(spec.categorical) + sorted(spec.continuous)
    return {
        **(
            {"swap": _swap_move(swappable, "stratum", model.fixed, model.tune)} if swappable else {}
        ),
        **({"interior": _interior_move(spec, "stratum")} if spec.continuous else {}),
        **({"flip": _flip_move(spec.free_binary, model.fixed)} if spec.free_binary else {}),
        **model.moves,
    }


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
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulated annealing over margin-preserving moves.

    ``targets`` and ``moves`` restrict a phase to part of the problem (default: all).
    Returns the cohort and its calibration report on those targets. Progress (loss
    and printed numbers met) goes to stderr ten times per run.
    """
    targets = spec.targets if targets is None else targets
    moves = _all_moves(spec, model) if moves is None else moves
    names = sorted(moves)
    derive(spec, cohort)
    excluded = infeasible_hr_targets(targets, cohort, model.endpoints)
    evaluator = Evaluator(targets, model.endpoints, excluded, inconsistent_p_targets(targets))
    loss = evaluator.loss(cohort)
    for it in range(n_iter):
        changes = moves[names[rng.integers(len(names))]](cohort, rng)
        if not changes:
            continue
        old = [(c, i, cohort.at[i, c]) for c, i, _ in changes]
        touched = {c for c, _, _ in changes}
        for c, i, v in changes:
            cohort.at[i, c] = v
        derive(spec, cohort, touched)
        delta = evaluator.loss(cohort) - loss
        cooled = 1 - it / n_iter
        model.tune["sigma"] = 0.35 * (0.1 + 0.9 * cooled)
        if delta <= 0 or rng.random() < np.exp(-delta / (t0 * cooled**2 + 1e-9)):
            loss += delta
        else:
            for c, i, v in old:
                cohort.at[i, c] = v
            derive(spec, cohort, touched)
        if (it + 1) % 250 == 0:
            model.tune["swap_weights"] = _swap_weights(spec, evaluator.report(cohort))
        if progress and (it + 1) % max(1, n_iter // 10) == 0:
            met = int(evaluator.report(cohort)["within"].sum())
            print(
                f"  [{spec.study}{label}] {it + 1}/{n_iter}: loss {loss:.1f}, "
                f"{met}/{len(evaluator.parts)} printed numbers met",
                file=sys.stderr,
            )
    return cohort, evaluator.report(cohort)


TIME_KINDS = {"km_median", "km_at", "cif_at", "followup", "median_range"}


def _hr_groups(spec: Spec, movable: list[str]) -> dict[frozenset, list]:
    """Hazard-ratio targets grouped by the movable columns their covariate uses.

    HRs on the same covariate (e.g. age > 40 in Table 2 and Table 3) must be solved
    together; covariates built from time columns are left to the joint phase.
    """
    groups: dict[frozenset, list] = {}
    for t in spec.targets:
        if t.kind != "cox_hr":
            continue
        cov = t.params["covariate"]
        own = frozenset(_names(spec.derived[cov]) if cov in spec.derived else {cov})
        if own <= set(movable) | set(spec.free_binary):
            groups.setdefault(own, []).append(t)
    return groups


def calibrate(
    spec: Spec,
    model: Model,
    cohort: pd.DataFrame,
    rng: np.random.Generator,
    budget: int = 12000,
    progress: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three phases: times, then each hazard ratio on its own, then everything together.

    Given the times, a hazard ratio depends only on how its covariate is spread over
    the patients, and swapping that covariate within a stratum changes no margin and
    no other target but the rank tests on the same column. So phase 2 solves each HR
    as a small problem of its own before a short joint polish at low temperature.
    """
    derive(spec, cohort)
    all_moves = _all_moves(spec, model)
    time_targets = [t for t in spec.targets if t.kind in TIME_KINDS]
    anneal(
        spec,
        model,
        cohort,
        rng,
        budget // 2,
        2.0,
        time_targets,
        {k: v for k, v in all_moves.items() if k in model.moves},
        " times",
        progress,
    )
    swappable = sorted(spec.categorical) + sorted(spec.continuous)
    for own, group in _hr_groups(spec, swappable).items():
        phase = {"swap": _swap_move(sorted(own & set(swappable)), "stratum", model.fixed, {})}
        if own & set(spec.free_binary):
            phase = {"flip": _flip_move(sorted(own & set(spec.free_binary)), model.fixed)}
        related = [u for u in spec.targets if u.kind == "wilcoxon" and u.params["column"] in own]
        anneal(spec, model, cohort, rng, budget // 8, 0.5, [*group, *related], phase, "", False)
    return anneal(spec, model, cohort, rng, budget // 4, 0.3, None, all_moves, " joint", progress)
