"""The three global tests of a Cox model, as ``summary(coxph(...))`` prints them.

Likelihood ratio, Wald and score (log-rank) tests of "all coefficients are zero", for
a model fitted with lifelines: the same numbers as :func:`carbook.survival.cox.cox_tests`
(Efron ties, as coxph), in the layout the methods chapter shows. Tested against R in
``tests/r/methods_reference.R``.
"""

from __future__ import annotations

import pandas as pd
from lifelines import CoxPHFitter

from carbook.survival._input import model_covariates
from carbook.survival.cox import cox_tests

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
    covs = model_covariates(cph, data)
    tests = cox_tests(data[cph.duration_col], data[cph.event_col], data[covs])
    out = tests.rename(
        index={"likelihood_ratio": "likelihood ratio", "wald": "Wald"}, columns={"chisq": "stat"}
    )
    return out.rename_axis(None).astype({"df": int})
