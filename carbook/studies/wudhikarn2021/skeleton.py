"""The Figure 1 skeleton: the joint witness's OS records put on the cohort's patients.

:func:`.figure1.joint_witness` is a set of 56 records (months to death or last contact,
died, progressed) on which R prints every Figure 1 number but the 1-year R/R incidence
(proved impossible together with the rest, :func:`.figure1.study_proofs`). The
calibration starts from those records instead of drawing OS times, and its times phase
only keeps moves that lose no printed number already met (``Model.skeleton``), so it
cannot undo them.

Which patient gets which record is free; :func:`place` chooses at random among the
assignments that keep the model's rules:

- the 18 who never progressed take the witness's never-progressed records: the 2 early
  deaths (not evaluable) the two earliest deaths, the 16 in CR the other 7 deaths
  before 36 months and the 9 last contacts after 36 months (so every one alive is
  followed at least 33 months, the shortest potential follow-up);
- the 38 who progressed take its progressed records (31 deaths, 7 alive): a patient of
  Tables 4 and 5 keeps the table's alive or dead and is alive at the last dated
  treatment; everyone dies or is last seen at least 0.05 months after progression,
  and a table CR to salvage long enough after it for a remission of the printed range.

The R/R times are the model's own draws (the 29 relapses print the published median
and range, each before its dated salvage): with nobody censored before 36 months and
every progression before it, the 3-year EFS prints 16.1 (8.8-29) whatever they are.
SYNTHETIC: a construction, not an estimate about the study's patients.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from carbook.published import load_published
from carbook.reconstruct.engine import exact_values
from carbook.studies.wudhikarn2021 import figure1

__all__ = [
    "GAP",
    "LAST_DEATH",
    "PLACED",
    "RR_BEFORE",
    "SELECTED",
    "assign_progressed",
    "place",
    "records",
    "relapse_anchors",
    "relapse_values",
]

#: the shortest survival after progression (months) the model allows
GAP = 0.05
#: all relapses but the latest (printed at 24 months) come before the 1-year R/R
#: landmark, as in the witness (selected because it matches: the incidence then
#: comes as close to 67.9% as the EFS interval allows)
RR_BEFORE = 12.0
#: the witness's last death before 36 months, moved later: any time between the one
#: before it and 36 keeps the order of exits, hence every printed number, and this one
#: leaves room for MSK13 (Table 4: died, and was treated 34.2 months after infusion)
LAST_DEATH = 35.5
#: the printed numbers the skeleton places rather than searches (the joint witness
#: prints them); the scorecard marks them with :data:`SELECTED`
PLACED = ("fig1_os_median", "fig1_os_3y", "fig1_efs_3y", "res_followup_median")
SELECTED = (
    "Figure 1 skeleton: the witness's order of deaths and censorings before 36 months "
    "(figure1.OS_BLOCKS, one of three that print these) and its anchored times"
)
_INFEASIBLE = 1e6


def relapse_anchors() -> tuple[float, float, float]:
    """Median, min and max months to relapse of the 29 relapses (published claim)."""
    reg = load_published("wudhikarn2021").set_index("id").loc["relapse_time_median"]
    return float(reg["value"]), float(reg["low"]), float(reg["high"])


def relapse_values(
    n: int, anchors: tuple[float, float, float], before: float, rng: np.random.Generator
) -> np.ndarray:
    """``n`` times (0.01 grid) with median, min and max ``anchors``; all but the max < ``before``.

    Examples
    --------
    >>> v = relapse_values(29, (5.5, 1.3, 24.0), 12.0, np.random.default_rng(0))
    >>> float(np.median(v)), float(v.min()), float(v.max()), int((v >= 12).sum())
    (5.5, 1.3, 24.0, 1)
    """
    med, lo, hi = anchors
    if not lo < med < before <= hi:
        raise ValueError(f"before = {before} must lie above the median and at most the max")
    v = exact_values(n, med, lo, before, 0.01, rng)
    v[np.argmax(v)] = hi  # the one at ``before`` becomes the printed maximum
    return v


def records() -> pd.DataFrame:
    """The joint witness's records, its last death before 36 months at :data:`LAST_DEATH`.

    Examples
    --------
    >>> r = records()
    >>> float(r.loc[r["t_last"] < 36, "t_last"].max())
    35.5
    """
    w = figure1.joint_witness()
    before = w.index[w["t_last"] < figure1.HORIZON]
    last = before[np.argmax(w.loc[before, "t_last"].to_numpy())]
    earlier = w.loc[before.drop(last), "t_last"].max()
    if w.loc[last, "dead"] != 1 or not earlier < LAST_DEATH < figure1.HORIZON:
        raise ValueError("LAST_DEATH no longer keeps the witness's order of exits")
    w.loc[last, "t_last"] = LAST_DEATH
    return w


def assign_progressed(
    t_rr: np.ndarray,
    dead_fact: np.ndarray,
    last_min: np.ndarray,
    rec_time: np.ndarray,
    rec_dead: np.ndarray,
    rng: np.random.Generator,
    gap: np.ndarray | float = GAP,
) -> np.ndarray:
    """Record index for each progressed patient, at random among the feasible assignments.

    Patient ``i`` may take record ``r`` when ``rec_time[r] >= t_rr[i] + gap[i]`` (a
    table CR to salvage: the shortest survival after progression its remission
    allows, :func:`.post.cr_min_post`; else :data:`GAP`),
    ``rec_time[r] >= last_min[i]`` and ``dead_fact[i]`` (NaN: free) equals
    ``rec_dead[r]``. Random costs and a linear assignment (``scipy``) give one
    feasible matching; equal inputs and generator state give the same one.

    Raises
    ------
    ValueError
        If the lengths differ or no assignment keeps every rule.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> assign_progressed(np.array([1.0, 5.0]), np.array([np.nan, 1.0]),
    ...                   np.array([-np.inf, -np.inf]), np.array([3.0, 9.0]),
    ...                   np.array([1, 1]), rng).tolist()
    [0, 1]
    """
    n = len(t_rr)
    if not len(dead_fact) == len(last_min) == n == len(rec_time) == len(rec_dead):
        raise ValueError("t_rr, dead_fact, last_min and the records must have one length")
    gap = np.asarray(gap, dtype=float)
    if gap.ndim and len(gap) != n:
        raise ValueError("gap must be one number or one per patient")
    gap = np.broadcast_to(gap, (n,))
    ok = (rec_time[None, :] >= t_rr[:, None] + gap[:, None] - 1e-9) & (
        rec_time[None, :] >= last_min[:, None]
    )
    known = ~np.isnan(dead_fact)
    ok &= ~known[:, None] | (dead_fact[:, None] == rec_dead[None, :])
    cost = rng.random((n, n)) + _INFEASIBLE * ~ok
    rows, cols = linear_sum_assignment(cost)
    if not ok[rows, cols].all():
        raise ValueError("no assignment of the witness's records keeps every patient's facts")
    return cols[np.argsort(rows)]


def _place_never_progressed(c: pd.DataFrame, w: pd.DataFrame, rng: np.random.Generator) -> None:
    rec = w.index[w["progressed"] == 0]
    dead = rec[w.loc[rec, "dead"].to_numpy() == 1]
    dead = dead[np.argsort(w.loc[dead, "t_last"].to_numpy(), kind="stable")]
    early = c.index[(c["progressed"] == 0) & (c["response"] == "not_evaluable")]
    cr = c.index[(c["progressed"] == 0) & (c["response"] != "not_evaluable")]
    target = pd.Series(-1, index=c.index)
    target[early] = dead[: len(early)]
    target[cr] = rng.permutation(rec.difference(dead[: len(early)]))
    c.loc[target.index[target >= 0], ["t_last", "dead"]] = w.loc[
        target[target >= 0], ["t_last", "dead"]
    ].to_numpy()


def place(
    c: pd.DataFrame, facts: pd.DataFrame, bounds: pd.DataFrame, rng: np.random.Generator
) -> None:
    """Overwrite ``t_last``, ``dead`` and ``t_post`` with the witness's records, in place.

    ``facts`` (per row, NaN where free) gives ``dead``; ``bounds`` gives ``last_min``
    and ``post_min`` (:func:`.post._bounds`). ``t_rr`` must be set for the progressed.

    Raises
    ------
    ValueError
        If the cohort's counts are not the witness's (38 progressed, of whom 31 die;
        2 not evaluable) or no assignment keeps the facts.

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> from carbook.studies.wudhikarn2021 import model
    >>> c, _ = model.build(load_spec("wudhikarn2021"), np.random.default_rng(1))
    >>> w = records()
    >>> early = lambda d: sorted(d.loc[(d["progressed"] == 0) & (d["t_last"] <= 36), "t_last"])
    >>> early(c) == early(w)  # the progressed then take the post-progression witness's
    True
    """
    w = records()
    prog = c.index[c["progressed"] == 1]
    rec = w.index[w["progressed"] == 1]
    if len(prog) != len(rec) or (c["response"] == "not_evaluable").sum() != 2:
        raise ValueError("the cohort's progressed and not evaluable do not match the witness")
    _place_never_progressed(c, w, rng)
    pick = assign_progressed(
        c.loc[prog, "t_rr"].to_numpy(float),
        pd.to_numeric(facts.loc[prog, "dead"]).to_numpy(float),
        bounds.loc[prog, "last_min"].to_numpy(float),
        w.loc[rec, "t_last"].to_numpy(float),
        w.loc[rec, "dead"].to_numpy(),
        rng,
        np.maximum(GAP, bounds.loc[prog, "post_min"].to_numpy(float)),
    )
    c.loc[prog, "t_last"] = w.loc[rec[pick], "t_last"].to_numpy()
    c.loc[prog, "dead"] = w.loc[rec[pick], "dead"].to_numpy()
    c["dead"] = c["dead"].astype(int)
    c["t_post"] = np.round(c["t_last"] - c["t_rr"], 2)  # NaN for the never progressed
