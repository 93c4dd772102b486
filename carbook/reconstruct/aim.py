"""Moves aimed at the printed time statistics a cohort still misses.

A printed median and its confidence limits are event times: random steps on a
0.01-month grid almost never land on them, so these moves *place* them. Each move
picks one printed part that is missed (from the evaluator's last evaluation) and
proposes one change of one patient's endpoint time, through the study model's
``retime`` hook (which keeps every fact and margin, or declines):

- **snap** (a median, its limits, or a follow-up quantile): the event (for
  follow-up, the censoring) whose time is nearest the achieved value goes to the
  nearest time inside the printed value's rounding interval, so that under R's
  ``print(survfit)`` rule the crossing stays on that patient and prints as published;
- **landmark** (a rate at t months): one event or censoring crosses t in the
  direction that moves the estimate towards the printed one (an event is one
  Kaplan-Meier or Aalen-Johansen step; a censoring before t lowers the later
  numbers at risk, so S(t) falls and a cumulative incidence rises); for a missed
  limit, one censoring crosses t: to after t when the interval is too wide,
  to before t when it is too narrow (censoring before t widens it).

The search accepts or rejects the proposal like any other move.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbook.reconstruct.construction import Change, Model, Move
from carbook.reconstruct.spec import Target
from carbook.reconstruct.targets import Evaluator

__all__ = ["aimed_moves", "inside"]

SNAP_KINDS = ("km_median", "followup")
LANDMARK_KINDS = ("km_at", "cif_at")
GRID = 0.01  # months: the grid every time lives on


def inside(value: float, lo: float, hi: float) -> float:
    """The grid time in the rounding interval ``[lo, hi)`` nearest ``value``.

    Examples
    --------
    >>> inside(13.7, 12.5, 13.5), inside(9.0, 9.105, 9.115), inside(20.0, 12.5, 13.5)
    (13.49, 9.11, 13.49)
    """
    first = np.ceil(round(lo / GRID, 6)) * GRID
    last = np.ceil(round(hi / GRID, 6)) * GRID - GRID
    return round(float(np.clip(value, first, last)), 2)


def _aimable(targets: list[Target], model: Model) -> set[str]:
    """Claims a move can aim at: whole-population time targets the model can retime."""
    return {
        t.claim
        for t in targets
        if t.kind in SNAP_KINDS + LANDMARK_KINDS
        and t.params.get("endpoint") in model.retime
        and t.params.get("where") is None
        and t.params.get("scale", 1.0) == 1.0
    }


def _snap(read, t: Target, got: float, lo: float, hi: float, c, rng) -> tuple[int, float]:
    """(row, new time) moving the quantile's crossing patient into ``[lo, hi)``."""
    time, status = read(c)
    wanted = (status == 0) if t.kind == "followup" else (status == 1)
    rows = np.flatnonzero(np.isfinite(time) & wanted)
    if not rows.size or np.isnan(got):
        return -1, np.nan
    dist = np.abs(time[rows] - got)
    near = rows[dist == dist.min()]
    return int(near[rng.integers(near.size)]), inside(got, lo, hi)


def _landmark(
    read, t: Target, part: str, got: float, lo: float, hi: float, c, rng
) -> tuple[int, float]:
    """(row, new time) of one patient crossing the landmark towards the printed value."""
    at = float(t.params["time"])
    time, status = read(c)
    ok = np.isfinite(time)
    if part == "value" and not np.isnan(got):
        # S too high (or a CIF too low): an event, or a censoring, must come before the
        # landmark (censoring before t lowers the later numbers at risk: S(t) falls
        # and a cumulative incidence rises); a competing event would do the reverse
        from_after = (got >= hi) == (t.kind == "km_at")
        ok &= (status != 2) & ((time > at) if from_after else (time <= at))
    elif part in ("low", "high") and not np.isnan(got):
        # a limit outside on the outer side: the interval is too wide, so one censoring
        # before the landmark goes after it (and the other way round)
        too_wide = (got < lo) if part == "low" else (got >= hi)
        ok &= (status == 0) & ((time <= at) if too_wide else (time > at))
    rows = np.flatnonzero(ok)
    if not rows.size:
        return -1, np.nan
    i = int(rows[rng.integers(rows.size)])
    step = float(rng.uniform(GRID, 3.0))
    return i, round(at - step if time[i] > at else at + step, 2)


def aimed_moves(targets: list[Target], model: Model, evaluator: Evaluator) -> dict[str, Move]:
    """Snap and landmark moves for the time targets of ``targets`` (none if no hook).

    They read the evaluator's last achieved values (``evaluator.now``).
    """
    claims = _aimable(targets, model)
    if not claims:
        return {}
    by_claim = {t.claim: t for t in targets}
    reads = {c: model.endpoints[by_claim[c].params["endpoint"]] for c in claims}
    parts = evaluator.parts
    rows = np.flatnonzero(parts["claim"].isin(claims).to_numpy())
    kind_of = {k: by_claim[parts.at[k, "claim"]].kind for k in rows}

    def propose(kinds: tuple[str, ...]) -> Move:
        def move(c: pd.DataFrame, rng: np.random.Generator) -> list[Change]:
            todo = [k for k in rows if not evaluator.met[k] and kind_of[k] in kinds]
            if not todo:
                return []
            k = todo[rng.integers(len(todo))]
            claim, part = parts.at[k, "claim"], parts.at[k, "part"]
            t, got = by_claim[claim], evaluator.now[k]
            lo, hi = parts.at[k, "lo"], parts.at[k, "hi"]
            if kinds == SNAP_KINDS:
                i, new = _snap(reads[claim], t, got, lo, hi, c, rng)
            else:
                i, new = _landmark(reads[claim], t, part, got, lo, hi, c, rng)
            if i < 0 or not new > 0:
                return []
            return model.retime[t.params["endpoint"]](c, i, new)

        return move

    return {"aim_landmark": propose(LANDMARK_KINDS), "aim_snap": propose(SNAP_KINDS)}
