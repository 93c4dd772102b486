"""The three global tests of a Cox model, as ``summary(coxph(...))`` prints them.

Likelihood ratio, Wald and score (log-rank) tests of "all coefficients are zero".
lifelines gives the likelihood-ratio test; the Wald test follows from its estimates;
the score test needs the score and information at beta = 0 (Efron ties, as coxph).
Tested against R in ``tests/r/methods_reference.R``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from scipy import stats

from carbook.survival._efron_blocks import efron_blocks

__all__ = ["global_tests"]


def global_tests(cph: CoxPHFitter, data: pd.DataFrame) -> pd.DataFrame:
    """Likelihood-ratio, Wald and score tests, as ``summary(coxph(...))``.

    Parameters
    ----------
    cph : lifelines.CoxPHFitter
        A model fitted (Efron ties, no strata, no weights, no formula) on ``data``.
    data : pandas.DataFrame
        The data the model was fitted on.

    Returns
    -------
    pandas.DataFrame
        Rows ``likelihood ratio``, ``Wald``, ``score``; columns ``stat``, ``df``, ``p``.

    Raises
    ------
    ValueError
        If a column of the model is missing from ``data``.

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> rossi = load_rossi()[["week", "arrest", "fin"]]
    >>> global_tests(CoxPHFitter().fit(rossi, "week", "arrest"), rossi).round(3)
                       stat  df      p
    likelihood ratio  3.837   1  0.050
    Wald              3.784   1  0.052
    score             3.827   1  0.050
    """
    covs = list(cph.params_.index)
    missing = [c for c in [cph.duration_col, cph.event_col, *covs] if c not in data.columns]
    if missing:
        raise ValueError(f"data lacks the model's columns: {missing}")
    beta = cph.params_.to_numpy()
    wald = float(beta @ np.linalg.solve(cph.variance_matrix_.to_numpy(), beta))
    x = data[covs].to_numpy(float)
    _, u, info = efron_blocks(
        data[cph.duration_col].to_numpy(float),
        data[cph.event_col].to_numpy(int),
        x,
        np.zeros(len(covs)),
    )
    u0 = u.sum(axis=0)
    score = float(u0 @ np.linalg.solve(info.sum(axis=0), u0))
    lr = float(cph.log_likelihood_ratio_test().test_statistic)
    out = pd.DataFrame(
        {"stat": [lr, wald, score], "df": len(covs)},
        index=["likelihood ratio", "Wald", "score"],
    )
    out["p"] = stats.chi2.sf(out["stat"], out["df"])
    return out
