"""Kaplan-Meier estimates, quantiles and reverse-KM follow-up, matched to R's ``survfit``."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

from carbook.survival._input import as_survival

ConfType = Literal["log", "log-log", "plain"]

__all__ = [
    "ConfType",
    "km",
    "km_arrays",
    "km_quantile",
    "median_followup",
    "quantile_crossing",
    "step_at",
]


def _conf_limits(
    surv: np.ndarray, se_log: np.ndarray, conf_type: ConfType, conf: float
) -> tuple[np.ndarray, np.ndarray]:
    """R's survfit intervals; ``se_log`` is the standard error of -log S."""
    z = special.ndtri(1 - (1 - conf) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "log":
            lo = np.where(surv > 0, surv * np.exp(-z * se_log), np.nan)
            hi = np.where(surv > 0, np.minimum(surv * np.exp(z * se_log), 1.0), np.nan)
        elif conf_type == "log-log":
            ok = (surv > 0) & (surv < 1)
            ll = np.log(-np.log(surv))
            half = z * se_log / np.log(surv)
            lo = np.where(ok, np.exp(-np.exp(ll - half)), np.nan)
            hi = np.where(ok, np.exp(-np.exp(ll + half)), np.nan)
        elif conf_type == "plain":
            lo = np.maximum(surv - z * se_log * surv, 0.0)
            hi = np.minimum(surv + z * se_log * surv, 1.0)
        else:
            raise ValueError(f"conf_type must be 'log', 'log-log' or 'plain', got {conf_type!r}")
    no_var = se_log == 0  # R: where the variance is 0 the limits equal the estimate
    return np.where(no_var, surv, lo), np.where(no_var, surv, hi)


def km_arrays(
    t: np.ndarray, e: np.ndarray, conf_type: ConfType = "log", conf: float = 0.95
) -> dict[str, np.ndarray]:
    """Numpy core of :func:`km` (validated input; no DataFrame overhead)."""
    times, inverse = np.unique(t, return_inverse=True)
    n_event = np.bincount(inverse, weights=e, minlength=times.size)
    n_total = np.bincount(inverse, minlength=times.size)
    n_risk = t.size - np.concatenate([[0], np.cumsum(n_total)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1 - n_event / n_risk)
        green = np.where(n_risk > n_event, n_event / (n_risk * (n_risk - n_event)), np.inf)
    se_log = np.sqrt(np.cumsum(green))
    lower, upper = _conf_limits(surv, se_log, conf_type, conf)
    return {
        "time": times,
        "n_risk": n_risk,
        "n_event": n_event,
        "n_total": n_total,
        "surv": surv,
        "std_err": se_log,
        "lower": lower,
        "upper": upper,
    }


def km(
    time: object, event: object, conf_type: ConfType = "log", conf: float = 0.95
) -> pd.DataFrame:
    """Kaplan-Meier estimate with Greenwood variance, as R's ``survfit``.

    Matches ``survfit(Surv(time, event) ~ 1, conf.type = conf_type)``: one row per
    distinct time (events and censorings), ``std_err`` the standard error of the
    cumulative hazard (-log S), and limits by R's transform ("log" is R's default;
    lifelines' default is "log-log").

    Parameters
    ----------
    time : array-like
        Non-negative follow-up times.
    event : array-like
        1 for an event, 0 for censoring.
    conf_type : {"log", "log-log", "plain"}
        Interval transform.
    conf : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``time``, ``n_risk``, ``n_event``, ``n_censor``, ``surv``, ``std_err``,
        ``lower``, ``upper``.

    Raises
    ------
    ValueError
        On unequal lengths, negative or NaN times, or event codes other than 0/1.

    Examples
    --------
    >>> fit = km([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    >>> fit["surv"].round(3).tolist()
    [0.8, 0.6, 0.3, 0.3]
    """
    t, e = as_survival(time, event)
    a = km_arrays(t, e, conf_type, conf)
    return pd.DataFrame(
        {
            "time": a["time"],
            "n_risk": a["n_risk"].astype(int),
            "n_event": a["n_event"].astype(int),
            "n_censor": (a["n_total"] - a["n_event"]).astype(int),
            "surv": a["surv"],
            "std_err": a["std_err"],
            "lower": a["lower"],
            "upper": a["upper"],
        }
    )


def step_at(fit: pd.DataFrame, times: object, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a right-continuous step function at ``times`` (R's ``summary(fit, times=)``).

    Before the first time the value is 1 for survival columns (``surv``, ``lower``,
    ``upper``) and 0 for others (e.g. a cumulative incidence).

    Examples
    --------
    >>> fit = km([1, 2, 3], [1, 1, 1])
    >>> step_at(fit, [0.5, 2.5])["surv"].round(3).tolist()
    [1.0, 0.333]
    """
    columns = columns or [c for c in ("surv", "lower", "upper", "est", "var") if c in fit]
    ts = np.atleast_1d(np.asarray(times, dtype=float))
    idx = np.searchsorted(fit["time"].to_numpy(), ts, side="right") - 1
    out = {"time": ts}
    for col in columns:
        values = fit[col].to_numpy()
        before = 1.0 if col in ("surv", "lower", "upper") else 0.0
        out[col] = np.where(idx >= 0, values[np.clip(idx, 0, None)], before)
    return pd.DataFrame(out)


def quantile_crossing(y: np.ndarray, x: np.ndarray, target: float) -> float:
    """R survival's quantile rule: first ``x`` where the curve ``y`` reaches ``target``.

    As ``survival:::quantile.survfit`` (its internal ``minmin``): the first ``x``
    with ``y <= target``; where ``y`` equals ``target`` on a flat stretch, the
    midpoint between that ``x`` and the next drop. NaN when never reached.

    Examples
    --------
    >>> quantile_crossing(np.array([0.75, 0.5, 0.25]), np.array([1.0, 2.0, 3.0]), 0.5)
    2.5
    """
    tol = np.sqrt(np.finfo(float).eps)
    keep = ~np.isnan(y) & (y < target + tol)
    if not keep.any():
        return float("nan")
    xs, ys = x[keep], y[keep]
    lower = np.flatnonzero(ys < ys[0])
    if abs(ys[0] - target) < tol and lower.size:
        return float((xs[0] + xs[lower[0]]) / 2)
    return float(xs[0])


def km_quantile(fit: pd.DataFrame, p: float = 0.5) -> tuple[float, float, float]:
    """Time by which a fraction ``p`` has had the event, with CI, as R's ``quantile``.

    The median (``p = 0.5``) is the first time S(t) <= 0.5; where S is exactly 0.5
    on a flat stretch R reports the midpoint to the next drop (lifelines reports the
    left end). The limits are where the lower and upper confidence curves cross
    1 - p. NaN means "not reached" (an upper limit of NaN prints as "NA" in R).

    Examples
    --------
    >>> km_quantile(km([1, 2, 3, 4], [1, 1, 1, 1]))[0]
    2.5
    """
    if not 0 < p < 1:
        raise ValueError(f"p must be strictly between 0 and 1, got {p!r}")
    x, target = fit["time"].to_numpy(), 1 - p
    return (
        quantile_crossing(fit["surv"].to_numpy(), x, target),
        quantile_crossing(fit["lower"].to_numpy(), x, target),  # the lower curve crosses first
        quantile_crossing(fit["upper"].to_numpy(), x, target),
    )


def median_followup(time: object, event: object) -> tuple[float, float, float]:
    """Median follow-up with its IQR by the reverse Kaplan-Meier method.

    Censoring is the "event" and death censors, as in
    ``quantile(survfit(Surv(time, 1 - event) ~ 1), c(.25, .5, .75))``.

    Returns
    -------
    tuple of float
        ``(median, q25, q75)``.

    Examples
    --------
    >>> median_followup([5, 10, 15, 20], [0, 0, 0, 0])
    (12.5, 7.5, 17.5)
    """
    t, e = as_survival(time, event)
    fit = km(t, 1 - e)
    s, x = fit["surv"].to_numpy(), fit["time"].to_numpy()
    return (
        quantile_crossing(s, x, 0.5),
        quantile_crossing(s, x, 0.75),
        quantile_crossing(s, x, 0.25),
    )
