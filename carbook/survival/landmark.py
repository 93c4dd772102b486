"""Immortal time, time-dependent coding and landmarks on (start, stop] data.

Helpers for the methods primer on lifelines' Stanford heart transplant data (the
counting-process form of R's ``survival::heart``). Tested against R in
``tests/r/methods_reference.R``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter

__all__ = ["by_landmark", "landmark_fit", "one_row_per_patient"]


def one_row_per_patient(long: pd.DataFrame, exposure: str = "transplant") -> pd.DataFrame:
    """Collapse (start, stop] rows to one row per ``id``: time, event, ever exposed, wait.

    ``ever`` is 1 if the patient was ever exposed (the naive, baseline coding);
    ``wait`` is the start of the first exposed interval (NaN if never exposed).

    Examples
    --------
    >>> long = pd.DataFrame({"id": [1, 1, 2], "start": [0, 5, 0], "stop": [5, 9, 4],
    ...                      "event": [0, 1, 1], "transplant": [0, 1, 0], "age": [50, 50, 60]})
    >>> one_row_per_patient(long)[["id", "time", "event", "ever", "wait"]]
       id  time  event  ever  wait
    0   1     9      1     1   5.0
    1   2     4      1     0   NaN
    """
    for col in ("id", "start", "stop", "event", exposure):
        if col not in long.columns:
            raise ValueError(f"long data lacks column {col!r}")
    grouped = long.sort_values(["id", "start"]).groupby("id", sort=True)
    exposed = long[long[exposure].astype(int) == 1].groupby("id")["start"].min()
    first = grouped.first().drop(columns=["start", "stop", "event", exposure])
    out = first.assign(
        time=grouped["stop"].max(),
        event=grouped["event"].max(),
        ever=grouped[exposure].max().astype(int),
        wait=exposed.reindex(first.index).astype(float),
    )
    return out.reset_index()


def landmark_fit(one: pd.DataFrame, at: float, covariates: list[str]) -> CoxPHFitter:
    """Cox model from a landmark: alive at ``at``, exposed = exposed by ``at``.

    Matches ``coxph(Surv(time - at, event) ~ tx + covariates, data = subset(one,
    time > at))`` with ``tx`` = transplanted by ``at`` (Efron ties).

    Examples
    --------
    >>> from lifelines.datasets import load_stanford_heart_transplants
    >>> one = one_row_per_patient(load_stanford_heart_transplants())
    >>> fit = landmark_fit(one, 30, ["age", "surgery"])
    >>> round(float(fit.params_["tx"]), 3), int(fit._n_examples)
    (-0.042, 79)
    """
    if at < 0:
        raise ValueError(f"landmark at must be non-negative, got {at}")
    alive = one[one["time"] > at]
    data = alive.assign(tx=(alive["wait"] <= at).astype(int), time=alive["time"] - at)[
        ["time", "event", "tx", *covariates]
    ]
    return CoxPHFitter().fit(data, "time", "event", fit_options={"precision": 1e-10})


def by_landmark(one: pd.DataFrame, times: list[float], covariates: list[str]) -> pd.DataFrame:
    """Transplant HR and patients at risk for several landmarks (one row each).

    Examples
    --------
    >>> from lifelines.datasets import load_stanford_heart_transplants
    >>> one = one_row_per_patient(load_stanford_heart_transplants())
    >>> by_landmark(one, [30], ["age"])["n"].tolist()
    [79]
    """
    rows = []
    for at in times:
        fit = landmark_fit(one, at, covariates)
        s = fit.summary.loc["tx"]
        rows.append(
            {
                "landmark (days)": at,
                "n": int(fit._n_examples),
                "exposed": int((one.loc[one["time"] > at, "wait"] <= at).sum()),
                "HR": np.exp(s["coef"]),
                "lower": s["exp(coef) lower 95%"],
                "upper": s["exp(coef) upper 95%"],
                "coef": s["coef"],
                "se": s["se(coef)"],
            }
        )
    return pd.DataFrame(rows).set_index("landmark (days)")
