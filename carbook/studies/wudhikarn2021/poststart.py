"""Start the progressed from a post-progression witness that keeps Tables 4-5.

The first witness (:mod:`.postwitness`) prints the whole post-progression block
(Figure 3B, the medians and HR of a CR to salvage, Table 3's time-dependent salvage
HR) and the published relapse times 5.5 (1.3-24), but no assignment of its records
keeps the facts of Tables 4 and 5 (MSK15 is alive with a CR 49.3 months after
infusion; MSK39 progressed by 1.8 months and is alive with a CR). The start witness
(``data/wudhikarn2021/post_start.csv``, :data:`PATH`) was searched with those facts
(:func:`.postsearch.facts_fit`, :func:`.postsearch.alive_fit`) and placed with them
(:func:`.postplace.place` with ``facts=True``): it prints every number of the block but
the CR HR's value and lower limit (0.33, 0.13-0.87 for 0.31, 0.11-0.87). No search
from random salvage groups found the block (0 of 25 cohorts). So the calibration
starts there: each record (months to progression and to death or last contact, died,
refractory or relapsed, group and first salvage) goes to one of the cohort's 38 who
progressed, the later phases may not lose the numbers it prints (``Model.protect``),
and :func:`exchange` lets two patients trade their records whole.

Which patient takes which record is free; :func:`place` chooses at random among the
assignments that keep every fact of Tables 4 and 5:

- a patient the tables print alive or dead takes a record alive or dead;
- a Table 5 patient (relapsed after a CR to the first CAR T) takes a relapse, not a
  refractory record;
- a table patient received salvage, no earlier than the record's first salvage allows:
  progression and first salvage come before the first dated treatment, and death or
  last contact after the last;
- a CR that either table prints takes a record of the CR group.

SYNTHETIC: a construction, not an estimate about the study's patients. The witness's
order of records was selected because it prints the block (:mod:`.postsearch`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from carbook.studies.wudhikarn2021 import cd19place, exposed, post, postwitness

PATH = postwitness.PATH.with_name("post_start.csv")

__all__ = [
    "CLAIMS",
    "PATH",
    "RECORD",
    "SELECTED",
    "TTR",
    "allowed",
    "exchange",
    "exposed_choices",
    "place",
]

#: the printed claims the start witness places (the scorecard marks them with
#: :data:`SELECTED`); not ``cr_salvage_hr``, which it prints 0.33 (0.13-0.87).
#: The last, Table 3's HR for the time to progression, reads the records' ``t_rr``
#: (:data:`TTR`); the others are the post-progression block (:mod:`.postwitness`).
CLAIMS = (
    "os_post_prog_median_ci",
    "os_post_prog_1y",
    "followup_post_prog_median",
    "os_cr_salvage_median",
    "os_nocr_salvage_median",
    "t3_salvage_hr",
    "t3_ttr_hr",
)
#: the placement's window on the Cox score of the time to progression (months) and its
#: node limit, with no time limit so that the result is deterministic
#: (:func:`.postplace.place`): the window is selected because it prints
#: Table 3's HR 0.94 (0.86-1.02). Tried before it: windows around -32 and -36 with
#: the spread objective (0.95 (0.87-1.04), 0.94 (0.87-1.03)), and around -20 and
#: -46 without it (0.98 (0.91-1.05), 0.94 (0.87-1.02)).
TTR = {"ttr": (-41.0, -39.0), "nodes": 3000, "time_limit": float("inf")}
SELECTED = (
    "post-progression start witness: its order of records (postsearch seed 5 with the "
    "facts of Tables 4-5, bound 32.2) and its placed times (postplace, with the time to "
    "progression's score window {:g} to {:g} months, chosen because it prints Table 3's "
    "HR 0.94 (0.86-1.02))"
).format(*TTR["ttr"])
_INFEASIBLE = 1e6
#: the columns of a witness record on a patient (:func:`exchange` trades them whole)
RECORD = (
    "t_rr",
    "t_last",
    "dead",
    "t_post",
    "relapsed",
    "response",
    "salvage_outcome",
    "t_salvage",
    "t_cr",
    "t_relapse2",
)


def _patients(c: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """What Tables 4 and 5 ask of each progressed patient (rows of ``c``)."""
    prog = c.index[c["progressed"] == 1]
    b = post._bounds(c).loc[prog]
    return pd.DataFrame(
        {
            "dead": pd.to_numeric(facts.loc[prog, "dead"]).to_numpy(float),
            "relapsed": pd.to_numeric(facts.loc[prog, "relapsed"]).to_numpy(float) == 1,
            "printed": post.printed_cr(c).loc[prog].to_numpy(bool),
            "rr_max": b["rr_max"].to_numpy(float),
            "last_min": b["last_min"].to_numpy(float),
        },
        index=prog,
    )


def _fits(p: Mapping, w: Mapping) -> np.ndarray:
    """Which patient (row of ``p``) may take which record (row of ``w``).

    ``p`` and ``w``: frames, or dicts of arrays (the search's fast path).
    """
    col = lambda m, k, t=float: np.asarray(m[k], dtype=t)  # noqa: E731
    dead, relapsed = col(p, "dead")[:, None], col(p, "relapsed", bool)[:, None]
    rr_max = col(p, "rr_max")[:, None]
    rr, last = col(w, "t_rr")[None, :], col(w, "t_last")[None, :]
    group, start = np.asarray(w["group"])[None, :], col(w, "t_salvage")[None, :]
    ok = (np.isnan(dead) | (dead == col(w, "dead")[None, :])) & (rr <= rr_max)
    ok &= ~relapsed | (col(w, "refractory")[None, :] == 0)
    ok &= last >= col(p, "last_min")[:, None]
    ok &= ~col(p, "printed", bool)[:, None] | (group == "cr")
    salvage_ok = (group != "none") & (start <= np.round(rr_max + 0.01 - rr, 2) + 1e-9)
    return ok & (~np.isfinite(rr_max) | salvage_ok)


def allowed(c: pd.DataFrame, facts: pd.DataFrame, w: pd.DataFrame) -> np.ndarray:
    """Which progressed patient (row) may take which witness record (column).

    ``facts`` holds Tables 4 and 5's ``dead`` and ``relapsed`` per row of ``c`` (NaN:
    free); the dated treatments and printed CRs come from :func:`.post.table_facts`.

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> from carbook.studies.wudhikarn2021 import model
    >>> c, _ = model.build(load_spec("wudhikarn2021"), np.random.default_rng(1))
    >>> facts = model.cohort_facts(c)
    >>> ok = allowed(c, facts, postwitness.witness(PATH))
    >>> ok.shape, bool(ok.any(axis=1).all())
    ((38, 38), True)
    """
    return _fits(_patients(c, facts), w)


def exchange(c: pd.DataFrame, facts: pd.DataFrame) -> Callable[[pd.DataFrame, int, int], list]:
    """``changes(c, i, j)``: progressed rows ``i`` and ``j`` trade witness records.

    The whole record travels (progression, death or last contact, group, first
    salvage, CR and its relapse; the months to blinatumomab or inotuzumab follow the
    new progression), so the witness's multiset of records, and with it every claim of
    :data:`CLAIMS`, stays exactly; only which patient (covariates, CD19, site) holds
    which record changes. Declines (empty) unless :func:`allowed` lets each take the
    other's record.

    Examples
    --------
    The model (:func:`.model.build`) draws it as the move ``swap_record``:

    >>> from carbook.reconstruct import spec
    >>> from carbook.studies.wudhikarn2021.model import build
    >>> c, m = build(spec.load_spec("wudhikarn2021"), rng := np.random.default_rng(2))
    >>> ch = next(x for x in (m.moves["swap_record"](c, rng) for _ in range(200)) if x)
    >>> sorted({col for col, _, _ in ch}) == sorted([*RECORD, "t_blin_ino"])
    True
    """
    frame = _patients(c, facts)
    pos = {int(r): k for k, r in enumerate(frame.index)}
    arrays = {k: frame[k].to_numpy() for k in frame}
    blin = post._bounds(c)["blin_ino"]

    def changes(c: pd.DataFrame, i: int, j: int) -> list:
        if i not in pos or j not in pos:
            return []
        two = [pos[i], pos[j]]
        w = {col: np.array([c.at[i, col], c.at[j, col]]) for col in RECORD}
        w |= {"refractory": 1 - w["relapsed"], "group": w["salvage_outcome"]}
        ok = _fits({k: v[two] for k, v in arrays.items()}, w)
        if not (ok[0, 1] and ok[1, 0]):
            return []
        out = []
        for a, z in ((i, j), (j, i)):
            out += [(col, a, c.at[z, col]) for col in RECORD]
            out.append(("t_blin_ino", a, round(float(blin[a] - c.at[z, "t_rr"]), 2)))
        return out

    return changes


def exposed_choices(
    c: pd.DataFrame, facts: pd.DataFrame, w: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every choice of witness records for the patients given blinatumomab or inotuzumab.

    :func:`.exposed.assignments` on the choices :func:`allowed` permits: which record
    each of them may hold, with the time-dependent HR each choice prints.

    Parameters
    ----------
    c : pandas.DataFrame
        A cohort (only who progressed, and the patients' IDs, are read).
    facts : pandas.DataFrame
        Tables 4 and 5's facts on its rows (:func:`.model.cohort_facts`).
    w : pandas.DataFrame, optional
        The witness; default: the start witness, with the CD19 times.

    Returns
    -------
    pandas.DataFrame
        One row per choice (:func:`.exposed.assignments`).

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> from carbook.studies.wudhikarn2021 import model
    >>> c = load_cohort("wudhikarn2021")
    >>> t = exposed_choices(c, model.cohort_facts(c))
    >>> len(t) > 100, list(t.columns)
    (True, ['records', 'hr', 'lower', 'upper', 'p', 'p_test', 'met', 'claims'])
    """
    w = cd19place.with_cd19_times(postwitness.witness(PATH)) if w is None else w
    return exposed.assignments(
        allowed(c, facts, w),
        _switch_at(c),
        *(w[k].to_numpy(float) for k in ("t_rr", "t_post", "dead")),
    )


def _switch_at(c: pd.DataFrame) -> np.ndarray:
    """Months from the first CAR T to blinatumomab or inotuzumab, per progressed row."""
    return post._bounds(c).loc[c.index[c["progressed"] == 1], "blin_ino"].to_numpy(float)


def _pin_exposed(
    c: pd.DataFrame, facts: pd.DataFrame, w: pd.DataFrame, rng: np.random.Generator
) -> np.ndarray:
    """:func:`allowed`, with the exposed pinned to records that print the most of Table 3.

    The patients given blinatumomab or inotuzumab take, at random, one of the choices
    of records (:func:`exposed_choices`) that meet the most claims, then printed
    parts, of its time-dependent HR (:func:`.exposed.pick`); the others are left free.
    """
    ok = allowed(c, facts, w)
    choice = exposed.pick(exposed_choices(c, facts, w), rng)
    if choice is None:
        return ok
    rows = np.flatnonzero(np.isfinite(_switch_at(c)))
    ok[rows, :], ok[:, list(choice)] = False, False
    ok[rows, list(choice)] = True
    return ok


def place(c: pd.DataFrame, facts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Put the witness's records on the progressed, in place; return group and salvage.

    Overwrites ``t_rr``, ``t_last``, ``dead``, ``t_post``, ``relapsed`` and ``response``
    of the 38 who progressed (the never progressed keep theirs). Random costs and a
    linear assignment (``scipy``) give one of the assignments :func:`allowed` permits,
    with the patients given blinatumomab or inotuzumab first pinned to records that
    print the most of Table 3's time-dependent HR (:func:`_pin_exposed`).

    Returns
    -------
    pandas.DataFrame
        Indexed by the progressed rows: ``salvage_outcome`` and ``t_salvage``.

    Raises
    ------
    ValueError
        If the cohort does not have the witness's 38 progressed or no assignment keeps
        every fact.
    """
    w = cd19place.with_cd19_times(postwitness.witness(PATH))
    prog = c.index[c["progressed"] == 1]
    if len(prog) != len(w):
        raise ValueError(f"the cohort has {len(prog)} progressed, the witness {len(w)}")
    ok = _pin_exposed(c, facts, w, rng)
    rows, cols = linear_sum_assignment(rng.random(ok.shape) + _INFEASIBLE * ~ok)
    if not ok[rows, cols].all():
        raise ValueError("no assignment of the witness's records keeps the facts of Tables 4-5")
    rec = w.iloc[cols[np.argsort(rows)]].set_index(prog)
    for col in ("t_rr", "t_last", "dead", "t_post"):
        c.loc[prog, col] = rec[col].to_numpy()
    c["dead"] = c["dead"].astype(int)
    c.loc[prog, "relapsed"] = 1 - rec["refractory"].to_numpy()
    c.loc[prog, "response"] = np.where(rec["refractory"] == 1, "refractory", "cr")
    return rec[["group", "t_salvage"]].rename(columns={"group": "salvage_outcome"})
