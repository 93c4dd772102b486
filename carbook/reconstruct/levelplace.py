"""Place a categorical column read by several 0/1 hazard ratios, by greedy descents.

Some columns feed more than one 0/1 covariate. wudhikarn2021's prior immunotherapy
before CAR T (neither, blinatumomab, inotuzumab, or both: one column, so that Table
1's footnote, one patient given both, holds) gives Table 2's prior blinatumomab and
prior inotuzumab (all 56) and Table 3's prior blinatumomab or inotuzumab (the 38 who
progressed). With the times fixed, the three HRs depend only on which patients carry
which level; a swap of two patients' levels within a stratum keeps every margin.

So, as :func:`carbook.reconstruct.nestedplace.joint_descents` does for one 0/1
column: from the cohort's own arrangement and :data:`STARTS` random permutations
within each stratum's free rows, each step takes the swap of two different levels
that most raises the printed parts met over every target, then most lowers their
summed loss (first on ties), until none does better or after
:data:`~carbook.reconstruct.nestedplace.STEPS` swaps
(:func:`carbook.reconstruct.nestedplace.descend`). The best
:data:`~carbook.reconstruct.nestedplace.TOP` distinct ends are scored on every target
and the best is returned only if the search would keep it
(:func:`carbook.reconstruct.construction.best_kept`: printed parts, whole claims, then
loss; neither count lost, nor a placed claim).

How it was built (SYNTHETIC), on the seed-1 cohort calibrated once prior
immunotherapy became one column: with its times and records fixed, every one of the
3,124,550 choices of the 9 patients given blinatumomab or inotuzumab among the 26
who progressed and whom Table 4 does not list was scored on Table 3's HR, 1.78
(0.79-4.0), P .20. None printed all four parts; 667 printed the HR and both limits.
Applied to that cohort, the placement met one more part (159 of 191: Table 2's
inotuzumab HR whole, one part of Table 3's lost); 100 or 300 starts met no more
than :data:`STARTS` did. Inside the calibration at ce4bf17 (a placement, after the CD19 one),
20 seeds print 153-160 parts (median 155.5, total 3,115) against 152-158 (median 154,
total 3,083) with the one column alone, at about 1 s more CPU per cohort. The draws
come from their own generator (:data:`SEED`), so the calibration's stream is
unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

import numpy as np
import pandas as pd

from carbook.reconstruct.construction import Change, Move, best_kept, derive, source_columns
from carbook.reconstruct.covariates import FastTarget, fast_targets
from carbook.reconstruct.nestedplace import TOP, _joint_score, descend
from carbook.reconstruct.proofs import proofs
from carbook.reconstruct.spec import Spec
from carbook.reconstruct.targets import Endpoints, Evaluator, inconsistent_p_targets

__all__ = ["SEED", "STARTS", "descents", "level_move", "level_tables"]

#: random starts (besides the cohort's own arrangement), and their generator's seed
STARTS = 30
SEED = 20261204


def level_tables(
    spec: Spec, column: str, levels: Sequence[object], covariates: Sequence[str]
) -> np.ndarray:
    """Each derived covariate at each level of ``column``.

    Parameters
    ----------
    spec : Spec
        The study's derived covariates (``spec.derived``).
    column : str
        The categorical column the covariates derive from.
    levels : sequence
        Values of ``column``.
    covariates : sequence of str
        Names of derived covariates.

    Returns
    -------
    numpy.ndarray
        (len(covariates), len(levels)) of 0.0 and 1.0.

    Raises
    ------
    ValueError
        If a covariate is not derived from ``column`` alone.

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> spec = load_spec("wudhikarn2021")
    >>> level_tables(spec, "prior_immuno", ["none", "blin", "ino", "both"],
    ...              ["prior_blin", "prior_ino", "prior_blin_or_ino"]).tolist()
    [[0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0]]
    """
    frame = pd.DataFrame({column: pd.Series(levels, dtype=object)})
    out = np.zeros((len(covariates), len(levels)))
    for k, cov in enumerate(covariates):
        expr = spec.derived.get(cov)
        if expr is None or source_columns(expr) != {column}:
            raise ValueError(f"covariate {cov!r} is not derived from column {column!r} alone")
        sub = Spec(spec.study, spec.strata, {}, [], {}, {cov: expr})
        derive(sub, frame)
        out[k] = frame[cov].to_numpy(float)
    return out


def _columns(tables: np.ndarray, codes: np.ndarray) -> list[np.ndarray]:
    """Per covariate, the 0/1 columns of level codes ``codes`` (n, m)."""
    return [table[codes] for table in tables]


def _score(
    fts: tuple[FastTarget, ...], tables: np.ndarray, codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Printed parts met and loss over ``fts``, summed, per column of ``codes``."""
    met, loss = 0, 0
    for ft, x in zip(fts, _columns(tables, codes), strict=True):
        m, lo = _joint_score((ft,), x)
        met, loss = met + m, loss + lo
    return met, loss


def _swaps(codes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(n, k): ``codes`` with each pair of ``rows`` holding different levels swapped."""
    i, j = np.triu_indices(len(rows), 1)
    i, j = rows[i], rows[j]
    keep = codes[i] != codes[j]
    i, j = i[keep], j[keep]
    out = np.repeat(codes[:, None], len(i), axis=1)
    k = np.arange(len(i))
    out[i, k], out[j, k] = codes[j], codes[i]
    return out


def descents(
    fts: tuple[FastTarget, ...],
    tables: np.ndarray,
    codes: np.ndarray,
    groups: tuple[np.ndarray, ...],
    gen: np.random.Generator,
    starts: int = STARTS,
) -> list[tuple[int, float, np.ndarray]]:
    """Ends of greedy descents over swaps of levels, best first: (parts, loss, codes).

    ``tables[k]`` maps a level code to target ``fts[k]``'s 0/1 covariate. From
    ``codes`` and ``starts`` random permutations of it within each of ``groups``,
    each step takes the swap within a group that most raises the printed parts met
    (summed over ``fts``), then most lowers the summed loss (first on ties).

    Examples
    --------
    >>> from carbook.reconstruct.binarycox import risk_sets
    >>> t, d = np.arange(1.0, 9.0), np.array([1, 1, 1, 1, 1, 1, 0, 0.0])
    >>> lo, hi = np.array([2.0, np.nan, np.nan, np.nan]), np.array([4.0, np.nan, np.nan, np.nan])
    >>> ft = FastTarget("demo", "x", np.ones(8, bool), risk_sets(t, d), lo, hi, lo, hi, np.ones(4))
    >>> codes = np.array([0, 0, 0, 0, 0, 1, 2, 2])  # level 2 carries the covariate
    >>> ends = descents((ft,), np.array([[0.0, 0.0, 1.0]]), codes, (np.arange(8),),
    ...                 np.random.default_rng(0), 3)
    >>> ends[0][0], ends[0][2].tolist()  # carriers now die earlier
    (1, [2, 0, 0, 0, 2, 1, 0, 0])
    """
    return descend(partial(_score, fts, tables), _swaps, codes, groups, gen, starts)


def level_move(
    spec: Spec,
    endpoints: Endpoints,
    column: str,
    claims: tuple[str, ...],
    protect: tuple[str, ...] = (),
    study_proofs: Mapping[str, str] | None = None,
    free: np.ndarray | None = None,
) -> Move:
    """The placement of the module's note for categorical ``column``, as a move.

    Parameters
    ----------
    spec : Spec
        The study's targets and derived covariates.
    endpoints : Endpoints
        The study's endpoints, by name.
    column : str
        The categorical column placed.
    claims : tuple of str
        Univariate ``cox_hr`` targets whose covariates derive from ``column`` alone.
    protect : tuple of str
        Claims placed before the search, which no arrangement may lose.
    study_proofs : mapping, optional
        The study's proofs, so that proved parts weigh as in the search.
    free : numpy.ndarray, optional
        One flag per row: False for cells a published fact fixes, which never move. By
        default every row may.

    Returns
    -------
    Move
        ``place(cohort, rng)``: the changes of the best arrangement, or none (``rng``
        is unused: the descents draw from their own generator).

    Raises
    ------
    ValueError
        If a claim is not a target, not a ``cox_hr`` target, or its covariate is not
        derived from ``column`` alone; or, when placing, if the cohort has no
        ``stratum`` column, ``free`` is not one flag per row, ``column`` has a missing
        value, or a covariate is not 0/1 (naming the claims).

    Examples
    --------
    >>> from carbook.studies.wudhikarn2021.endpoints import ENDPOINTS
    >>> from carbook.reconstruct.spec import load_spec
    >>> level_move(load_spec("wudhikarn2021"), ENDPOINTS, "male", ("t2_lines_hr",))
    Traceback (most recent call last):
    ...
    ValueError: covariate 'lines_gt3' is not derived from column 'male' alone
    """
    targets = [spec.target(c) for c in claims]
    for t in targets:
        if t.kind != "cox_hr":
            raise ValueError(f"{t.claim} is a {t.kind!r} target, not a univariate 'cox_hr'")
    covariates = [str(t.params["covariate"]) for t in targets]
    level_tables(spec, column, [], covariates)  # checks each covariate's source
    p_notes = inconsistent_p_targets(spec.targets)

    def place(cohort: pd.DataFrame, rng: np.random.Generator | None) -> list[Change]:
        if "stratum" not in cohort:
            raise ValueError("the cohort has no 'stratum' column: margins are kept per stratum")
        movable = np.ones(len(cohort), bool) if free is None else np.asarray(free, bool)
        if movable.shape != (len(cohort),):
            raise ValueError(f"free has shape {movable.shape}, not one flag per row")
        derive(spec, cohort)
        excluded = proofs(spec.targets, cohort, endpoints, study_proofs)
        fts = fast_targets(targets, cohort, endpoints, excluded)
        missing = sorted(set(claims) - {ft.claim for ft in fts})
        if missing:
            raise ValueError(f"{missing} need a 0/1 covariate on this cohort")
        codes, level_values = pd.factorize(cohort[column], use_na_sentinel=True)
        if (codes < 0).any():
            raise ValueError(
                f"column {column!r} has missing values at rows {np.flatnonzero(codes < 0)}"
            )
        tables = level_tables(spec, column, list(level_values), covariates)
        strata = cohort["stratum"].to_numpy()
        groups = tuple(np.flatnonzero(movable & (strata == s)) for s in pd.unique(strata))
        ends = descents(tuple(fts), tables, codes, groups, np.random.default_rng(SEED))
        candidates = [
            [(column, int(i), level_values[int(new[i])]) for i in np.flatnonzero(new != codes)]
            for _, _, new in ends[:TOP]
        ]
        evaluator = Evaluator(spec.targets, endpoints, excluded, p_notes)
        return best_kept(spec, cohort, candidates, evaluator, protect)

    return place
