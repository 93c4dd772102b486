"""A single-stratum cohort model: times with an exact event count, plus covariates.

Used for the validation on real data (``carbook.reconstruct.validation``), where a
study-specific structure (progression, salvage) is not needed.
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

__all__ = ["build"]


def build(
    spec: Spec, rng: np.random.Generator, events: int, median: float, max_time: float
) -> tuple[pd.DataFrame, Model]:
    """Initial cohort of one stratum ("all") and the model to anneal it.

    Parameters
    ----------
    spec : Spec
        Targets with a single stratum named ``all``.
    events : int
        Exact number of events (kept by swapping event flags).
    median : float
        Starting median of the exponential times.
    max_time : float
        Longest possible follow-up.

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
    c["event"] = 0
    c.loc[rng.choice(n, events, replace=False), "event"] = 1
    tune: dict[str, object] = {"sigma": 0.35}

    def time_move(cohort: pd.DataFrame, r: np.random.Generator) -> list[Change]:
        i = int(r.integers(n))
        new = cohort.at[i, "time"] * np.exp(r.normal(0, tune["sigma"]))
        return [("time", i, float(np.round(np.clip(new, 0.05, max_time), 2)))]

    def swap_event(cohort: pd.DataFrame, r: np.random.Generator) -> list[Change]:
        i, j = r.choice(n, 2, replace=False)
        if cohort.at[i, "event"] == cohort.at[j, "event"]:
            return []
        return [("event", i, cohort.at[j, "event"]), ("event", j, cohort.at[i, "event"])]

    def os_(cohort: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        return cohort["time"].to_numpy(), cohort["event"].to_numpy()

    fixed = pd.DataFrame(False, index=c.index, columns=c.columns)
    moves = {"time": time_move, "swap_event": swap_event}
    return c, Model(endpoints={"os": os_}, moves=moves, fixed=fixed, tune=tune)
