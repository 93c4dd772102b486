"""Fine–Gray subdistribution hazards, built on lifelines.

lifelines has no Fine–Gray model. Its ``CoxPHFitter`` fits weighted, left-truncated
Cox models, which is all the model needs once the data are expanded as
``survival::finegray`` does (Geskus's weighted risk sets): a patient who had a
*competing* event at time t stays in the risk set after t with weight
G(s-)/G(t-), where G is the Kaplan–Meier estimate of the censoring distribution
(censorings tied with events count as later). Tested against R in
``tests/r/methods_reference.R``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.exceptions import StatisticalWarning

__all__ = ["censoring_km", "finegray_expand", "finegray_fit"]

FG_COLUMNS = ["fgstart", "fgstop", "fgstatus", "fgwt"]


def censoring_km(time: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier of the censoring times, events counted before tied censorings.

    Parameters
    ----------
    time, status : numpy.ndarray
        Follow-up times and status codes (0 = censored, anything else an event).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The distinct censoring times and G just after each of them.

    Examples
    --------
    >>> ct, g = censoring_km(np.array([1.0, 2, 2, 3]), np.array([1, 0, 2, 0]))
    >>> ct.tolist(), g.round(3).tolist()
    ([2.0, 3.0], [0.5, 0.0])
    """
    ctimes = np.unique(time[status == 0])
    cens = np.array([np.sum((time == c) & (status == 0)) for c in ctimes])
    # at risk of being censored at c: still followed after c, or censored at c
    at_risk = np.array([np.sum(time > c) for c in ctimes]) + cens
    return ctimes, np.cumprod(1 - cens / at_risk)


def _g_before(at: np.ndarray, ctimes: np.ndarray, g: np.ndarray) -> np.ndarray:
    """G(at-): the censoring survival just before each time in ``at``."""
    idx = np.searchsorted(ctimes, at, side="left")
    return np.concatenate([[1.0], g])[idx]


def finegray_expand(
    data: pd.DataFrame, duration_col: str, event_col: str, cause: int = 1
) -> pd.DataFrame:
    """Expand competing-risks data into weighted (start, stop] rows for Fine–Gray.

    Same risk sets and weights as ``survival::finegray(Surv(time, factor(status)) ~ .,
    data, etype = cause)``. Rows are cut only where a weight changes at a time when an
    event of interest occurs, so there are fewer rows than R makes; the partial
    likelihood, which reads the risk sets at event times only, is the same.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per patient; other columns are carried along.
    duration_col, event_col : str
        Time, and status (0 = censored, ``cause`` = event of interest, any other
        value = competing event).
    cause : int
        The event of interest.

    Returns
    -------
    pandas.DataFrame
        ``data``'s columns plus ``fgstart``, ``fgstop``, ``fgstatus``, ``fgwt`` and
        ``fgid`` (the row of ``data`` each expanded row comes from).

    Raises
    ------
    ValueError
        If a column is missing, times are negative or missing, or ``cause`` never occurs.

    Examples
    --------
    >>> d = pd.DataFrame({"t": [1.0, 2, 3, 4, 5], "s": [2, 1, 0, 1, 0]})
    >>> finegray_expand(d, "t", "s")[["fgid", "fgstart", "fgstop", "fgstatus", "fgwt"]]
       fgid  fgstart  fgstop  fgstatus  fgwt
    0     0      0.0     1.0         0  1.000000
    1     0      1.0     2.0         0  1.000000
    2     0      2.0     4.0         0  0.666667
    3     1      0.0     2.0         1  1.000000
    4     2      0.0     3.0         0  1.000000
    5     3      0.0     4.0         1  1.000000
    6     4      0.0     5.0         0  1.000000
    """
    time, status = _checked(data, duration_col, event_col, cause)
    ctimes, g = censoring_km(time, status)
    etimes = np.unique(time[status == cause])
    rows = [
        _patient_rows(i, t, s, cause, etimes, ctimes, g)
        for i, (t, s) in enumerate(zip(time, status, strict=True))
    ]
    fg = pd.DataFrame(np.concatenate(rows), columns=["fgid", *FG_COLUMNS])
    fg = fg.astype({"fgid": int, "fgstatus": int})
    fg["fgwt"] = fg["fgwt"].round(12)
    carried = data.reset_index(drop=True).iloc[fg["fgid"]].reset_index(drop=True)
    return pd.concat([carried, fg], axis=1)


def _checked(
    data: pd.DataFrame, duration_col: str, event_col: str, cause: int
) -> tuple[np.ndarray, np.ndarray]:
    for name, col in (("duration_col", duration_col), ("event_col", event_col)):
        if col not in data.columns:
            raise ValueError(f"{name}: column {col!r} is not in data")
    time = data[duration_col].to_numpy(dtype=float)
    status = data[event_col].to_numpy()
    if not np.isfinite(time).all() or (time < 0).any():
        raise ValueError(f"duration_col {duration_col!r} must be finite and non-negative")
    if not (status == cause).any():
        raise ValueError(f"event_col {event_col!r}: cause {cause!r} never occurs")
    return time, status


def _patient_rows(
    i: int,
    t: float,
    s: int,
    cause: int,
    etimes: np.ndarray,
    ctimes: np.ndarray,
    g: np.ndarray,
) -> np.ndarray:
    first = [[i, 0.0, t, int(s == cause), 1.0]]
    later = etimes[etimes > t]
    if s in (0, cause) or later.size == 0:
        return np.array(first)
    w = _g_before(later, ctimes, g) / _g_before(np.array([t]), ctimes, g)[0]
    keep = np.r_[w[1:] != w[:-1], True]  # merge event times that share a weight
    stops = later[keep]
    starts = np.r_[t, stops[:-1]]
    rest = np.column_stack([np.full(stops.size, i), starts, stops, np.zeros(stops.size), w[keep]])
    return np.vstack([first, rest])


def finegray_fit(
    data: pd.DataFrame,
    duration_col: str,
    event_col: str,
    covariates: list[str],
    cause: int = 1,
) -> CoxPHFitter:
    """Fit a Fine–Gray model: weighted, left-truncated Cox model on expanded data.

    Matches ``coxph(Surv(fgstart, fgstop, fgstatus) ~ covariates, weights = fgwt,
    data = finegray(...))`` (Efron ties): the same coefficients, and standard errors
    equal to that fit's model-based ``naive.var``. Note that R *prints* a robust
    standard error for this fit (coxph switches to a robust variance when weights are
    not integers), and ``cmprsk::crr`` reports a robust one too; both are a few
    percent larger. lifelines' robust variance does not reproduce R's on truncated,
    weighted data, so none is offered here: read the intervals as slightly too narrow.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per patient.
    duration_col, event_col : str
        Time and status (0 censored, ``cause`` the event of interest, other codes
        competing events).
    covariates : list of str
        Columns of ``data`` to put in the model.
    cause : int
        The event of interest.

    Returns
    -------
    lifelines.CoxPHFitter
        The fitted model; ``summary`` gives the subdistribution hazard ratios.

    Raises
    ------
    ValueError
        On a missing column.

    Examples
    --------
    >>> d = pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6, 7, 8], "s": [1, 2, 1, 0, 1, 2, 1, 0],
    ...                   "x": [1, 0, 1, 0, 0, 1, 1, 0]})
    >>> round(float(finegray_fit(d, "t", "s", ["x"]).params_["x"]), 3)
    1.237
    """
    missing = [c for c in covariates if c not in data.columns]
    if missing:
        raise ValueError(f"covariates not in data: {missing}")
    fg = finegray_expand(
        data[[duration_col, event_col, *covariates]], duration_col, event_col, cause
    )
    with warnings.catch_warnings():
        # lifelines warns that non-integer weights call for robust errors (see above)
        warnings.filterwarnings("ignore", category=StatisticalWarning)
        return CoxPHFitter().fit(
            fg[[*covariates, *FG_COLUMNS]],
            duration_col="fgstop",
            event_col="fgstatus",
            entry_col="fgstart",
            weights_col="fgwt",
        )
