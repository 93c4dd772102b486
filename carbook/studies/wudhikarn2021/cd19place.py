"""Place CD19 status at progression together with the progression times it summarises.

The paper prints the median months from CAR T to progression by CD19 status at
progression: 3.7 for the 25 CD19-positive and 6.8 for the 5 CD19-negative (P .08).
Table 3 prints the HR for death after progression, CD19 positive against negative.

A median of an odd count is one patient's time. So each median needs:

- a progression time inside its printed value's rounding interval ([3.65, 3.75) and
  [6.75, 6.85)), carried by a patient of the group;
- (n - 1) / 2 of the group progressing before it.

The start witness (:mod:`.poststart`) has no progression time in either interval, its
records keep their times through the calibration (they change hands only whole), and
no swap of labels can make a time. So the medians are placed in two steps.

1. **Times** (:func:`with_cd19_times`, before the records are dealt). For each group,
   the nearest relapse record on the interval's side of the relapse median moves to
   the nearest grid time inside it. Then, while fewer than :data:`BEFORE` records
   progress before the interval, the earliest relapse after it moves to just before
   it. Survival after progression is kept, so death or last contact moves with the
   progression; the published median and range of the relapse times stay.
2. **Labels** (:func:`cd19_move`, a placement of the search). Each interval's patient
   carries its group's label. The rest of each group is drawn at random: (n - 1) / 2
   from the patients before the interval, the others from those after. Table 4's
   statuses count where they fall. The groups are filled in a random order, and the
   patients left over are unknown. A draw that cannot be filled is skipped.

Of :data:`DRAWS` draws, the one kept scores best on every target, by the search's
order: printed parts met, then whole claims, then the lowest loss. It must lose
neither count and no placed claim (``search._try_better``'s rule, as
:func:`carbook.reconstruct.construction.best_kept` applies it), so the search keeps
it. The draws come from their own generator (:data:`SEED`, the date this placement
was written, not chosen by result), so the calibration's stream is unchanged.

SYNTHETIC: a construction that prints the two medians, not an estimate of which
patients were CD19-negative.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from carbook.published import load_published, printed_interval
from carbook.reconstruct.aim import inside
from carbook.reconstruct.construction import Change, Move, apply_changes, best_kept, derive
from carbook.reconstruct.proofs import proofs
from carbook.reconstruct.spec import Spec
from carbook.reconstruct.targets import (
    Endpoints,
    Evaluator,
    inconsistent_p_targets,
)

__all__ = ["BEFORE", "DRAWS", "GROUPS", "SEED", "cd19_move", "windows", "with_cd19_times"]

#: draws per placement, and the seed of their own generator
DRAWS = 300
SEED = 20261202
#: label -> the claim printing its median time to progression
GROUPS = {"negative": "prog_cd19neg_time_median", "positive": "prog_cd19pos_time_median"}
STUDY = "wudhikarn2021"
#: records that must progress before each window (see :func:`with_cd19_times`): the
#: (n - 1) / 2 of the group the median needs, and for the positives one more, room for
#: one of Table 4's three CD19-negative patients (set once, not compared with others)
BEFORE = {"negative": 2, "positive": 13}
#: the claims whose times are placed (the scorecard marks them with :data:`SELECTED`)
CLAIMS = tuple(GROUPS.values())
SELECTED = (
    "CD19 placement: witness relapse records moved into the printed medians' rounding "
    "intervals (and one before 3.65 months), labels drawn around them"
)


def windows() -> dict[str, tuple[float, float]]:
    """Each label's rounding interval ``[lo, hi)`` of its printed median.

    Examples
    --------
    >>> {k: tuple(round(x, 2) for x in v) for k, v in windows().items()}
    {'negative': (6.75, 6.85), 'positive': (3.65, 3.75)}
    """
    reg = load_published(STUDY).set_index("id")
    return {
        label: printed_interval(str(reg.loc[claim, "value"])) for label, claim in GROUPS.items()
    }


def with_cd19_times(w: pd.DataFrame, before: Mapping[str, int] | None = None) -> pd.DataFrame:
    """The witness records with progression times that the CD19 medians need.

    For each group, if no relapse record lies inside its window, the nearest relapse
    record on the window's side of the relapse median moves to the nearest grid time
    inside. Then, while fewer than ``before[group]`` records progress before the
    window, the earliest relapse after it on the same side moves to the last grid time
    before it. A move keeps the record's survival after progression (``t_post``), so
    death or last contact moves with it (crossing no living record, or ``ValueError``).
    The published median and range of the relapse times stay: their records never
    move, and no time crosses the median. (The medians are R's ``median()``: for an odd
    count, the middle value, as ``median_range`` targets read them.)

    Parameters
    ----------
    w : DataFrame
        Records with ``t_rr``, ``t_post``, ``t_last``, ``dead`` and ``refractory``.
    before : mapping, optional
        Records that must progress before each group's window (:data:`BEFORE`).

    Returns
    -------
    DataFrame
        A copy of ``w`` with the moved records' ``t_rr`` and ``t_last``.

    Raises
    ------
    ValueError
        If the relapse records are even in number, too few relapses can move before a
        window, or a move would cross a living record's last contact.

    Examples
    --------
    >>> w = pd.DataFrame({"t_rr": [1.0, 1.3, 3.0, 4.2, 4.4, 5.5, 6.0, 7.0, 24.0, 30.0],
    ...                   "refractory": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]})
    >>> w["t_post"], w["dead"] = 1.0, 1
    >>> w["t_last"] = w["t_rr"] + w["t_post"]
    >>> got = with_cd19_times(w, {"negative": 2, "positive": 4})
    >>> got["t_rr"].tolist(), got["t_last"].tolist()[3]
    ([1.0, 1.3, 3.0, 3.74, 3.64, 5.5, 6.0, 6.84, 24.0, 30.0], 4.74)
    """
    before = BEFORE if before is None else before
    out = w.copy()
    relapse = out["refractory"].to_numpy() == 0
    if relapse.sum() % 2 == 0:
        raise ValueError(f"{relapse.sum()} relapse records: an even count has no middle record")
    t = out["t_rr"].to_numpy(float)
    med = float(np.median(t[relapse]))
    ends = (med, t[relapse].min(), t[relapse].max())  # their records never move
    for g, (lo, hi) in windows().items():
        t = out["t_rr"].to_numpy(float)
        side = relapse & ((t < med) == (lo < med)) & ~np.isin(t, ends)
        if not ((t >= lo) & (t < hi) & side).any():
            near = np.flatnonzero(side)[np.argmin(np.abs(t[side] - (lo + hi) / 2))]
            _move(out, near, inside(t[near], lo, hi))
        while (out["t_rr"].to_numpy(float) < lo).sum() < before[g]:
            t = out["t_rr"].to_numpy(float)
            later = np.flatnonzero(side & (t >= hi))
            if not later.size:
                raise ValueError(f"no relapse record after the CD19 {g} window can move before it")
            _move(out, later[np.argmin(t[later])], inside(lo, -np.inf, lo))
    return out


def _move(w: pd.DataFrame, row: int, new: float) -> None:
    """Record ``row`` progresses at ``new``; its survival after progression stays.

    Its death or last contact moves by as much, and must cross no living record's last
    contact: deaths then reorder only among deaths, which leaves every Kaplan-Meier
    estimate outside the interval crossed, and the reverse Kaplan-Meier of follow-up,
    as they were.
    """
    col = {k: w.columns.get_loc(k) for k in ("t_rr", "t_post", "t_last")}
    old = w.iloc[row, col["t_last"]]
    last = round(new + w.iloc[row, col["t_post"]], 2)
    alive = w.loc[w["dead"] == 0, "t_last"]
    if alive.between(min(old, last), max(old, last), "neither").any():
        raise ValueError(f"moving record {row} to {new} months crosses a living record")
    w.iloc[row, col["t_rr"]] = new
    w.iloc[row, col["t_last"]] = last


def cd19_move(
    spec: Spec,
    endpoints: Endpoints,
    fixed: pd.Series,
    protect: tuple[str, ...] = (),
    study_proofs: Mapping[str, str] | None = None,
    draws: int = DRAWS,
) -> Move:
    """The placement of the module's note, as a move (``rng`` unused).

    Parameters
    ----------
    spec : Spec
        The study's targets and derived covariates.
    endpoints : Endpoints
        The study's endpoints, by name.
    fixed : Series
        Published CD19 status by row (NaN: free).
    protect : tuple of str
        Claims placed before the search, which no draw may lose.
    study_proofs : mapping, optional
        The study's proofs, so that proved parts weigh as in the search.
    draws : int
        Draws tried.

    Returns
    -------
    Move
        ``place(cohort, rng)``: the changes of the best draw, or none.

    Raises
    ------
    ValueError
        If ``draws`` is below 1, or, when placing, if a group's count is even (its
        median would be the mean of two times, which this placement does not build).
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    p_notes = inconsistent_p_targets(spec.targets)
    bounds = windows()

    def place(cohort: pd.DataFrame, rng: np.random.Generator | None) -> list[Change]:
        derive(spec, cohort)
        excluded = proofs(spec.targets, cohort, endpoints, study_proofs)
        evaluator = Evaluator(spec.targets, endpoints, excluded, p_notes)
        gen = np.random.default_rng(SEED)
        candidates = []
        for _ in range(draws):
            work = cohort.copy()
            if _draw(spec, work, fixed, bounds, gen):
                candidates.append(_diff(cohort, work))
        return best_kept(spec, cohort, candidates, evaluator, protect)

    return place


def _diff(cohort: pd.DataFrame, new: pd.DataFrame) -> list[Change]:
    """Changes taking ``cohort`` to ``new`` in the columns that differ (not derived)."""
    a, b = cohort["cd19"].to_numpy(object), new["cd19"].to_numpy(object)
    return [("cd19", int(i), b[i]) for i in np.flatnonzero(a != b)]


def _draw(
    spec: Spec,
    c: pd.DataFrame,
    fixed: pd.Series,
    bounds: dict[str, tuple[float, float]],
    gen: np.random.Generator,
) -> bool:
    """One draw of the labels, applied to ``c`` in place; False if it cannot be filled."""
    prog = np.flatnonzero(c["progressed"].to_numpy() == 1)
    labels = c["cd19"].to_numpy(object)
    sizes = {g: int((labels[prog] == g).sum()) for g in GROUPS}
    for g, n in sizes.items():
        if n % 2 == 0:
            raise ValueError(f"{n} patients are CD19 {g}: an even count has no middle time")
    t, fix = c["t_rr"].to_numpy(float), fixed.to_numpy(object)
    chosen: dict[str, int] = {}
    for g, (lo, hi) in bounds.items():
        may = [int(i) for i in prog if pd.isna(fix[i]) or fix[i] == g]
        rows = [i for i in may if lo <= t[i] < hi and i not in chosen.values()]
        if not rows:
            return False
        chosen[g] = rows[gen.integers(len(rows))]
    new = _labels(c, prog, fixed, bounds, chosen, sizes, gen)
    if new is None:
        return False
    apply_changes(spec, c, [("cd19", int(i), v) for i, v in new.items()])
    return True


def _labels(
    c: pd.DataFrame,
    prog: np.ndarray,
    fixed: pd.Series,
    bounds: dict[str, tuple[float, float]],
    chosen: dict[str, int],
    sizes: dict[str, int],
    gen: np.random.Generator,
) -> pd.Series | None:
    """Labels of the progressed rows that changed; None if a group cannot be filled.

    ``chosen``: each group's patient inside its interval (free or fixed to the group).
    """
    t = c["t_rr"].to_numpy(float)
    free = fixed.isna().to_numpy()
    new = pd.Series(fixed.to_numpy(object)[prog], index=prog).fillna("unknown")
    for g, w in chosen.items():
        new[w] = g
    for g in gen.permutation(list(GROUPS)):
        k = (sizes[g] - 1) // 2
        before = t[prog] < bounds[g][0]
        for side, want in ((prog[before], k), (prog[~before], sizes[g] - k)):
            if not _fill(new, side, g, want, free, gen):
                return None
    old = c["cd19"].to_numpy(object)[prog]
    return new[new.to_numpy() != old]


def _fill(
    new: pd.Series, side: np.ndarray, g: str, want: int, free: np.ndarray, gen: np.random.Generator
) -> bool:
    """Label free unknown rows of ``side`` as ``g`` until ``want`` carry it; False if not."""
    have = int((new[side] == g).sum())
    pool = [int(i) for i in side if new[i] == "unknown" and free[i]]
    if have > want or len(pool) < want - have:
        return False
    for i in gen.choice(pool, want - have, replace=False):
        new[i] = g
    return True
