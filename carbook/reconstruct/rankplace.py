"""Place a continuous covariate by rank: its values stay, their order follows a score.

A continuous covariate whose printed summary is a median (range) of a fixed set of
patients (wudhikarn2021's % marrow blasts at progression) keeps that summary under
any permutation of its values among them. What the permutation decides is every
hazard ratio that reads the column: its association with the endpoint's event order
(univariate HR, CI and P) and with the other covariates of a multivariable model
(how much adjustment moves each term, and how wide their intervals are).

Swaps move such an arrangement one pair at a time, and the loss between two good
arrangements can be a wall: a univariate P met with the wrong sign of the HR is a
printed part that every path to the right sign must lose first. So the arrangement
is placed at once, by rank, from a score that mixes

- the order of the endpoint's events (earliest event first, censored last), and
- each covariate of a multivariable target that reads the column, other than that
  target's own term (so the column's current order too, when it sits in the model of
  another term; see :func:`drivers`),

each standardised, with random weights in [-1, 1] and Gaussian noise of random
scale (how loose the association is). Of :data:`DRAWS` such arrangements, among
those that lose neither count the search keeps a move by (printed parts met, whole
claims met with a printed P its own; ``search._place``), the one meeting the most
printed parts of the targets that read the column, then the most whole claims, then
at the lowest loss, is returned as a move. The draws come from their own generator
(:data:`SEED`, the date the placement was written, not chosen by result), so the
calibration's stream is unchanged.

How it was built, on the committed wudhikarn2021 cohorts of 8c79e06 (SYNTHETIC):
on seed 1 the search had blasts' univariate P .08 met with HR 0.99, and neither
greedy swaps nor an annealing walk over swaps left that basin. Drawing orders from
the event order alone, then with time to relapse, then with bridging (the score
above), met 3 to 4 more printed parts on seed 1 (the committed code also takes the
current order of blasts as a driver, see :func:`drivers`, which those hand-made
scores did not); the score was not tuned further
and :data:`DRAWS` was set once. Requiring both counts to hold (so the search keeps
the draw) took seed 4 from 130 to 134; seeds 1-5 print 138, 144, 141, 134 and 131
parts against 135, 144, 135, 130 and 126.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from carbook.reconstruct.construction import Change, Move, derive, reads, source_columns
from carbook.reconstruct.proofs import proofs
from carbook.reconstruct.spec import Spec, Target
from carbook.reconstruct.targets import (
    Endpoints,
    Evaluator,
    claim_units,
    inconsistent_p_targets,
    met_key,
)
from carbook.survival.portable import matvec

__all__ = ["DRAWS", "SEED", "drivers", "rank_move", "ranked"]

#: arrangements drawn per placement, and the seed of their own generator
DRAWS = 600
SEED = 20211202


def drivers(
    targets: list[Target], endpoints: Endpoints, cohort: pd.DataFrame, rows: np.ndarray
) -> np.ndarray:
    """Standardised ranks (len(rows), k) of what a column's arrangement is scored on.

    One column per endpoint of ``targets`` (those with one; rank of the event time,
    events before censored times; the earliest event ranks first) and one per
    covariate of their multivariable models other than that target's own ``term``,
    in target order, each once. The placed column itself is among them when it sits
    in the model of another term (wudhikarn2021's blasts, in the bridging and
    time-to-relapse rows of Table 3's model): its current order is then one driver,
    so some draws stay near the current arrangement. (A review found that this
    differs from the first description, "the other covariates"; it is kept, and
    described, because the committed cohorts were made with it.)

    Parameters
    ----------
    targets : list of Target
        The targets that read the placed column.
    endpoints : Endpoints
        The study's endpoints, by name.
    cohort : DataFrame
        The cohort, with a default RangeIndex.
    rows : ndarray of int
        Row positions of the patients whose values are arranged.

    Examples
    --------
    >>> c = pd.DataFrame({"t": [1.0, 2.0, 3.0, 4.0], "d": [1, 0, 1, 1], "z": [0, 1, 1, 0]})
    >>> params = {"endpoint": "e", "covariates": ["x", "z"], "term": "x"}
    >>> tg = [Target("h", "cox_mv", params, {})]
    >>> ends = {"e": lambda c: (c["t"].to_numpy(float), c["d"].to_numpy(int))}
    >>> drivers(tg, ends, c, np.arange(4)).round(2).tolist()
    [[-1.34, -1.0], [1.34, 1.0], [-0.45, 1.0], [0.45, -1.0]]
    """
    names: dict[tuple[str, str], None] = {}
    for t in targets:
        if t.params.get("endpoint") is not None:
            names[("endpoint", t.params["endpoint"])] = None
        column = t.params.get("term")
        for cov in t.params.get("covariates", []):
            if cov != column:
                names[("covariate", cov)] = None
    out = []
    for kind, name in names:
        if kind == "endpoint":
            time, status = endpoints[name](cohort)
            value = np.where(status[rows] == 1, 0.0, 1.0) * (np.nanmax(time) + 1) + time[rows]
        else:
            value = cohort[name].to_numpy(float)[rows]
        r = rankdata(value)
        sd = r.std()
        out.append((r - r.mean()) / sd if sd > 0 else np.zeros_like(r))
    return np.column_stack(out) if out else np.zeros((len(rows), 0))


def ranked(values: np.ndarray, score: np.ndarray) -> np.ndarray:
    """``values`` rearranged so that their order follows ``score`` (ties by position).

    Examples
    --------
    >>> ranked(np.array([5.0, 1.0, 3.0]), np.array([0.2, -1.0, 9.0])).tolist()
    [3.0, 1.0, 5.0]
    """
    out = np.empty_like(values)
    out[np.argsort(score, kind="stable")] = np.sort(values, kind="stable")
    return out


def rank_move(
    spec: Spec,
    endpoints: Endpoints,
    column: str,
    rows: Callable[[pd.DataFrame], np.ndarray],
    study_proofs: Mapping[str, str] | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
) -> Move:
    """A placement of ``column`` among ``rows(cohort)`` by rank (see the module's note).

    Parameters
    ----------
    spec : Spec
        The study's targets and derived covariates.
    endpoints : Endpoints
        The study's endpoints, by name.
    column : str
        The continuous column to arrange.
    rows : callable
        ``rows(cohort)``: distinct row positions (the cohort has a default RangeIndex)
        of the patients whose values are arranged among themselves.
    study_proofs : mapping, optional
        The study's proofs (``Model.proofs``), so that proved parts weigh as in the search.
    draws : int
        Arrangements drawn.
    seed : int
        Seed of the draws' own generator.

    Returns
    -------
    Move
        ``place(cohort, rng)``, which returns changes only where a cell's value
        changes (empty: the best draw is the current arrangement, or fewer than 3
        rows). The generator the search passes is not used.

    Raises
    ------
    ValueError
        If no target reads ``column``, or ``draws`` is below 1; when placing, if
        ``rows`` are not distinct positions of the cohort, or a value among them is
        missing.

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> spec = load_spec("wudhikarn2021")
    >>> rank_move(spec, {}, "not_a_column", lambda c: np.arange(3))
    Traceback (most recent call last):
    ...
    ValueError: no target reads column 'not_a_column': nothing to place it for
    """
    targets = [t for t in spec.targets if column in reads(spec, t)]
    if not targets:
        raise ValueError(f"no target reads column {column!r}: nothing to place it for")
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    p_notes = inconsistent_p_targets(targets)

    def place(cohort: pd.DataFrame, rng: np.random.Generator | None) -> list[Change]:
        at = _positions(rows(cohort), len(cohort))
        if at.size < 3:
            return []
        derive(spec, cohort)
        excluded = proofs(spec.targets, cohort, endpoints, study_proofs)
        evaluator = Evaluator(targets, endpoints, excluded, p_notes)
        values = cohort[column].to_numpy(float)[at]
        if np.isnan(values).any():
            missing = at[np.isnan(values)].tolist()
            raise ValueError(f"column {column!r} has no value on rows {missing} to arrange")
        feeds = any(column in source_columns(e) for e in spec.derived.values())
        refresh = (lambda c: derive(spec, c)) if feeds else (lambda c: None)
        z = drivers(targets, endpoints, cohort, at)
        best = _best(cohort, column, at, values, z, (evaluator, refresh), draws, seed)
        moved = zip(at, best, values, strict=True)
        return [(column, int(i), float(v)) for i, v, w in moved if v != w]

    return place


def _positions(rows: object, n: int) -> np.ndarray:
    """``rows`` as distinct integer positions in ``range(n)``, or a ValueError.

    Examples
    --------
    >>> _positions([3, 0, 2], 4).tolist()
    [3, 0, 2]
    >>> _positions(np.array([True, False]), 4)
    Traceback (most recent call last):
    ...
    ValueError: rows must be integer row positions, got dtype bool
    """
    at = np.asarray(rows)
    if at.size and not np.issubdtype(at.dtype, np.integer):
        raise ValueError(f"rows must be integer row positions, got dtype {at.dtype}")
    at = at.astype(int).ravel()
    if at.size and (at.min() < 0 or at.max() >= n or len(np.unique(at)) < at.size):
        raise ValueError(f"rows must be distinct positions in 0..{n - 1}, got {at.tolist()}")
    return at


def _best(
    cohort: pd.DataFrame,
    column: str,
    at: np.ndarray,
    values: np.ndarray,
    z: np.ndarray,
    scoring: tuple[Evaluator, Callable[[pd.DataFrame], None]],
    draws: int,
    seed: int,
) -> np.ndarray:
    """The best arrangement by ``met_key`` that keeps both counts (first wins ties).

    ``z``: the :func:`drivers`; ``scoring``: (evaluator, refresh), where ``refresh``
    re-derives the covariates built from ``column`` after each draw.
    """
    evaluator, refresh = scoring
    gen = np.random.default_rng(seed)
    work = cohort.copy()
    whole = work[column].to_numpy(float)
    units = claim_units(evaluator.parts)
    best, key = values, met_key(evaluator, work, units)
    floor = key[:2]
    for _ in range(draws):
        w = gen.uniform(-1.0, 1.0, z.shape[1])
        score = matvec(z, w) + gen.normal(0.0, gen.uniform(0.1, 2.0), len(at))
        trial = ranked(values, score)
        whole[at] = trial
        work[column] = whole
        refresh(work)
        k = met_key(evaluator, work, units)
        if k > key and k[0] >= floor[0] and k[1] >= floor[1]:
            best, key = trial, k
    return best
