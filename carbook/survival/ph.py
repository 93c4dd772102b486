"""Testing proportional hazards: the score test of ``survival::cox.zph`` (survival >= 3).

lifelines' ``proportional_hazard_test`` implements the older approximate test of
survival 2.x (Grambsch and Therneau 1994, with a pooled variance), which does not
reproduce today's ``cox.zph`` (checked on lifelines' rossi data: age 11.0 vs 5.97)
and gives no global test. ``cox_zph`` computes the score test of adding
``beta_j * g(t) * x_j`` to the fitted model, as ``cox.zph`` does, with Efron ties.
Tested against R in ``tests/r/methods_reference.R``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from scipy import stats

from carbook.survival._efron_blocks import efron_blocks
from carbook.survival._input import model_covariates

__all__ = ["cox_zph"]

Transform = Literal["km", "identity", "rank", "log"]


def cox_zph(cph: CoxPHFitter, data: pd.DataFrame, transform: Transform = "km") -> pd.DataFrame:
    """Score test of proportional hazards per covariate and globally, as ``cox.zph(fit)``.

    Parameters
    ----------
    cph : lifelines.CoxPHFitter
        A model fitted (Efron ties, no strata, no weights, no formula) on ``data``.
    data : pandas.DataFrame
        The data the model was fitted on.
    transform : {"km", "identity", "rank", "log"}
        The function of time g(t); "km" (R's default) is 1 minus the left-continuous
        Kaplan-Meier of all patients at the event time.

    Returns
    -------
    pandas.DataFrame
        ``chisq``, ``df``, ``p`` for each covariate and a ``GLOBAL`` row.

    Raises
    ------
    ValueError
        If a column of the model is missing from ``data`` or ``transform`` is unknown.

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> rossi = load_rossi()
    >>> cph = CoxPHFitter().fit(rossi, "week", "arrest")
    >>> cox_zph(cph, rossi).round(3).loc[["age", "GLOBAL"]]
             chisq  df      p
    age      5.974   1  0.015
    GLOBAL  17.694   7  0.013
    """
    covs = model_covariates(cph, data)
    time = data[cph.duration_col].to_numpy(float)
    event = data[cph.event_col].to_numpy(int)
    x = data[covs].to_numpy(float)
    times, u, info = efron_blocks(time, event, x, cph.params_.to_numpy())
    g = _transform(time, event, times, transform)
    p = len(covs)
    imat = np.zeros((2 * p, 2 * p))
    imat[:p, :p] = info.sum(axis=0)
    imat[:p, p:] = imat[p:, :p] = np.einsum("j,jab->ab", g, info)
    imat[p:, p:] = np.einsum("j,jab->ab", g**2, info)
    ug = np.concatenate([np.zeros(p), g @ u])
    rows = {c: _score(ug, imat, [*range(p), p + i]) for i, c in enumerate(covs)}
    rows["GLOBAL"] = _score(ug, imat, list(range(2 * p)))
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["chisq", "df"])
    out["df"] = np.r_[np.ones(p, int), p]
    out["p"] = stats.chi2.sf(out["chisq"], out["df"])
    return out


def _score(u: np.ndarray, imat: np.ndarray, idx: list[int]) -> tuple[float, int]:
    sub = u[idx]
    return float(sub @ np.linalg.solve(imat[np.ix_(idx, idx)], sub)), 1


def _transform(time: np.ndarray, event: np.ndarray, times: np.ndarray, how: str) -> np.ndarray:
    """g(t) at each distinct event time, centred on its mean over the deaths."""
    deaths = np.array([np.sum((time == t) & (event == 1)) for t in times])
    if how == "km":
        km = KaplanMeierFitter().fit(time, event).survival_function_.iloc[:, 0]
        before = km.index.to_numpy()
        idx = np.searchsorted(before, times, side="left") - 1  # left-continuous S(t-)
        g = 1 - np.where(idx >= 0, km.to_numpy()[np.clip(idx, 0, None)], 1.0)
    elif how == "identity":
        g = times.astype(float)
    elif how == "log":
        g = np.log(times)
    elif how == "rank":  # ranks among all follow-up times, censored ones included
        ranks = stats.rankdata(time)
        g = np.array([ranks[time == t][0] for t in times])
    else:
        raise ValueError(f"transform must be 'km', 'identity', 'rank' or 'log', got {how!r}")
    return g - np.average(g, weights=deaths)
