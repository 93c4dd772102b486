"""A generic cohort model: an event time (relapse or progression) and death, plus covariates.

Used where no study-specific structure is needed: the validation on real data
(``carbook.reconstruct.validation``, death only) and the smaller studies. Counts of
events and deaths are exact (flags move only by swapping).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbook.reconstruct.engine import (
    Change,
    Model,
    construct_categorical,
    construct_continuous,
)
from carbook.reconstruct.spec import Spec

__all__ = ["build", "endpoints"]


def _flags(n: int, k: int | None, rng: np.random.Generator) -> np.ndarray:
    out = np.zeros(n, dtype=int)
    if k is None:
        k = int(rng.integers(0, n + 1))
    out[rng.choice(n, k, replace=False)] = 1
    return out


def _bounded(c: pd.DataFrame, i: int, col: str, new: float, has_event: bool) -> list[Change]:
    """Keep a first event no later than the last contact."""
    if not has_event:
        return [(col, i, new)]
    if col == "t_event":
        return [(col, i, min(new, float(c.at[i, "time"])))]
    if c.at[i, "t_event"] > new:
        return [("time", i, new), ("t_event", i, new)]
    return [(col, i, new)]


def _scale_move(col: str, n: int, max_time: float, tune: dict, has_event: bool):
    def move(c: pd.DataFrame, r: np.random.Generator) -> list[Change]:
        i = int(r.integers(n))
        step = np.exp(r.normal(0, tune["sigma"]))
        new = float(np.round(np.clip(c.at[i, col] * step, 0.05, max_time), 2))
        return _bounded(c, i, col, new, has_event)

    return move


def _swap_move(col: str, n: int):
    def move(c: pd.DataFrame, r: np.random.Generator) -> list[Change]:
        i, j = r.choice(n, 2, replace=False)
        if c.at[i, col] == c.at[j, col]:
            return []
        return [(col, i, c.at[j, col]), (col, j, c.at[i, col])]

    return move


def _flip_move(col: str, n: int):
    def move(c: pd.DataFrame, r: np.random.Generator) -> list[Change]:
        i = int(r.integers(n))
        return [(col, i, 1 - int(c.at[i, col]))]

    return move


def _moves(
    n: int, max_time: float, tune: dict, has_event: bool, deaths_known: bool, relapses_known: bool
) -> dict:
    moves = {
        "time": _scale_move("time", n, max_time, tune, has_event),
        "event": _swap_move("event", n) if deaths_known else _flip_move("event", n),
    }
    if has_event:
        moves["t_event"] = _scale_move("t_event", n, max_time, tune, has_event)
        moves["relapse"] = _swap_move("relapse", n) if relapses_known else _flip_move("relapse", n)
    return moves


def build(
    spec: Spec,
    rng: np.random.Generator,
    events: int | None,
    median: float,
    max_time: float,
    relapses: int | None = None,
) -> tuple[pd.DataFrame, Model]:
    """Initial cohort of one stratum ("all") and the model to anneal it.

    Columns: ``time`` (last contact or death), ``event`` (1 = died; exact count
    ``events``, or ``None`` when the paper gives none: then deaths are flipped
    freely), and with ``relapses`` given (or ``-1`` for "not published": drawn once,
    then kept) ``t_event``/``relapse`` for a first event before death. Endpoints:
    ``os`` (time, event), and with relapses ``efs`` (first of relapse or death) and
    ``relapse`` (relapse, death without relapse competing).

    Examples
    --------
    >>> from carbook.reconstruct.validation import lung_spec
    >>> spec, facts = lung_spec()
    >>> c, _ = build(spec, np.random.default_rng(0), facts["events"], 10.0, 34.0)
    >>> int(c["event"].sum()) == facts["events"]
    True
    """
    if set(spec.strata) != {"all"}:
        raise ValueError(f"generic model needs one stratum named 'all', got {sorted(spec.strata)}")
    n = spec.strata["all"]
    c = pd.DataFrame({"id": [f"P{i}" for i in range(1, n + 1)], "stratum": "all"})
    c = pd.concat(
        [
            c,
            construct_categorical(spec, c["stratum"], pd.DataFrame(index=c.index), rng),
            construct_continuous(spec, c["stratum"], rng),
        ],
        axis=1,
    )
    c["time"] = np.round(np.minimum(rng.exponential(median / np.log(2), n), max_time), 2)
    c["event"] = _flags(n, events, rng)
    has_event = relapses is not None
    if has_event:
        c["relapse"] = _flags(n, None if relapses < 0 else relapses, rng)
        c["t_event"] = np.round(c["time"] * rng.uniform(0.3, 1.0, n), 2)
    tune: dict[str, object] = {"sigma": 0.35}
    fixed = pd.DataFrame(False, index=c.index, columns=c.columns)
    model = Model(
        endpoints=endpoints(has_event),
        moves=_moves(
            n, max_time, tune, has_event, events is not None, relapses is not None and relapses >= 0
        ),
        fixed=fixed,
        tune=tune,
    )
    return c, model


def endpoints(has_event: bool) -> dict:
    """The generic endpoints: ``os``, and with a first event ``efs`` and ``relapse``.

    Also used by study models that build their cohorts otherwise but keep these columns.

    Examples
    --------
    >>> sorted(endpoints(True))
    ['efs', 'os', 'relapse']
    """

    def os_(c: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        return c["time"].to_numpy(), c["event"].to_numpy()

    def relapse(c: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        rel = c["relapse"].to_numpy() == 1
        time = np.where(rel, c["t_event"].to_numpy(), c["time"].to_numpy())
        return time, np.where(rel, 1, np.where(c["event"].to_numpy() == 1, 2, 0))

    def efs(c: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        time, status = relapse(c)
        return time, (status > 0).astype(int)

    return {"os": os_, "efs": efs, "relapse": relapse} if has_event else {"os": os_}
