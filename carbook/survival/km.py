"""Kaplan-Meier estimates, quantiles and reverse-KM follow-up, matched to R's ``survfit``."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

from carbook.survival._input import as_survival, check_arrays, check_conf

ConfType = Literal["log", "log-log", "plain"]

__all__ = [
    "QUANTILE_RULES",
    "ConfType",
    "QuantileRule",
    "km",
    "km_arrays",
    "km_quantile",
    "median_followup",
    "quantile_crossing",
    "quantile_findq",
    "step_at",
]


def _conf_limits(
    surv: np.ndarray, se_log: np.ndarray, conf_type: ConfType, conf: float
) -> tuple[np.ndarray, np.ndarray]:
    """R's survfit intervals; ``se_log`` is the standard error of -log S."""
    check_conf(conf)
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
    # R: where the variance is 0 the limits equal the estimate, except on the
    # log-log scale, where S = 1 has no transform (R prints NA).
    no_var = (se_log == 0) & ((surv < 1) if conf_type == "log-log" else True)
    return np.where(no_var, surv, lo), np.where(no_var, surv, hi)


def km_arrays(
    t: np.ndarray, e: np.ndarray, conf_type: ConfType = "log", conf: float = 0.95
) -> dict[str, np.ndarray]:
    """Numpy core of :func:`km`: no DataFrame overhead, cheap checks only.

    Examples
    --------
    >>> km_arrays(np.array([1.0, 2.0]), np.array([1.0, 0.0]))["surv"].tolist()
    [0.5, 0.5]
    """
    check_arrays(t, e)
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
    if np.isnan(ts).any():
        raise ValueError("times contains NaN")
    idx = np.searchsorted(fit["time"].to_numpy(), ts, side="right") - 1
    out = {"time": ts}
    for col in columns:
        values = fit[col].to_numpy()
        before = 1.0 if col in ("surv", "lower", "upper") else 0.0
        out[col] = np.where(idx >= 0, values[np.clip(idx, 0, None)], before)
    return pd.DataFrame(out)


#: Quantile rules, each named after the R call that gives it.
QUANTILE_RULES: dict[str, str] = {
    "print": "print(survfit(...)) and summary(fit)$table (survival:::survmean)",
    "quantile": "quantile(survfit(...), probs) (survival:::quantile.survfit)",
}
QuantileRule = Literal["print", "quantile"]


def quantile_crossing(y: np.ndarray, x: np.ndarray, target: float) -> float:
    """The ``print(survfit)`` quantile rule: first ``x`` where the curve ``y`` reaches ``target``.

    As ``survival:::survmean`` (its internal ``minmin``), which gives the median
    and its limits printed by ``print(survfit(...))`` and ``summary(fit)$table``:
    the first ``x`` with ``y <= target``; where ``y`` equals ``target`` on a flat
    stretch followed by a drop, the midpoint between that ``x`` and the drop; a
    curve that ends flat at ``target`` gives the first ``x``. Applied to a
    confidence curve as it is (the first crossing, even if the curve rises again).
    NaN when never reached.

    Examples
    --------
    >>> quantile_crossing(np.array([0.75, 0.5, 0.25]), np.array([1.0, 2.0, 3.0]), 0.5)
    2.5
    >>> quantile_crossing(np.array([0.75, 0.5, 0.5]), np.array([1.0, 2.0, 3.0]), 0.5)
    2.0
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


def _smallest_at_least(v: np.ndarray, p: float) -> int | None:
    """Index of the smallest ``v >= p`` (R's ``approx(v, 1:n, p, "constant", f = 1)``)."""
    ok = ~np.isnan(v)
    if ok.sum() < 1 or p > np.nanmax(v) or p < np.nanmin(v):
        return None
    cand = np.flatnonzero(ok & (v >= p))
    return int(cand[np.argmin(v[cand])])


def quantile_findq(surv: np.ndarray, x: np.ndarray, p: float, first_x: float = 0.0) -> float:
    """The ``quantile(survfit)`` rule: time by which a fraction ``p`` has had the event.

    As ``survival:::findq`` (used by ``quantile.survfit``) on ``1 - surv`` with
    ``(first_x, 0)`` prepended: repeated values are dropped, the crossing is read
    from the values sorted (so a confidence curve that rises again is read where
    it is closest above ``p``, not where it first crosses), a flat stretch at
    exactly ``p`` gives the midpoint to the next drop, and a curve that ends flat at
    ``p`` gives the midpoint to the last time. NaN when never reached.

    Examples
    --------
    >>> quantile_findq(np.array([0.75, 0.5, 0.5, 0.5]), np.array([1.0, 2.0, 3.0, 4.0]), 0.5)
    3.0
    """
    tol = np.sqrt(np.finfo(float).eps)
    xs = np.concatenate([[first_x], x])
    ys = np.concatenate([[0.0], 1 - surv])
    if not np.nanmax(ys) >= p:
        return float("nan")
    xmax = xs[-1]
    key = np.where(np.isnan(ys), np.inf, ys)  # R's duplicated() treats NA alike
    first = np.sort(np.unique(key, return_index=True)[1])
    xs, ys = xs[first], ys[first]
    i1, i2 = _smallest_at_least(ys + tol, p), _smallest_at_least(ys - tol, p)
    if i1 is not None and not np.isnan(ys[-1]) and abs(p - ys[-1]) < tol:
        return float((xs[i1] + xmax) / 2)  # ends flat at p: midpoint to the last time
    if i1 is None or i2 is None:
        return float("nan")
    return float((xs[i1] + xs[i2]) / 2)


def km_quantile(
    fit: pd.DataFrame, p: float = 0.5, rule: QuantileRule = "print"
) -> tuple[float, float, float]:
    """Time by which a fraction ``p`` has had the event, with CI, by a named R rule.

    Two rules, as R itself gives two answers (see :data:`QUANTILE_RULES`):

    - ``"print"`` (default): ``print(survfit(...))`` / ``summary(fit)$table``
      (:func:`quantile_crossing` on S, and on the lower and upper curves).
    - ``"quantile"``: ``quantile(survfit(...), p)`` (:func:`quantile_findq`).

    They differ only where a curve ends flat exactly at ``1 - p`` (print: the first
    time; quantile: the midpoint to the last time) and where the upper confidence
    curve rises again (print: its first crossing; quantile: read from the sorted
    values). The default is ``"print"`` because the median a paper prints with its
    95% CI is the one ``print(fit)`` shows (also ``survminer::surv_median``);
    ``"quantile"`` is what ``quantile()`` and ``gtsummary::tbl_survfit`` show.
    Both rules take the midpoint on a flat stretch at ``1 - p`` followed by a drop
    (lifelines reports the left end). NaN means "not reached" (R's NA).

    Examples
    --------
    >>> km_quantile(km([1, 2, 3, 4], [1, 1, 1, 1]))[0]
    2.5
    >>> fit = km([1, 2, 3, 4], [1, 1, 0, 0])
    >>> km_quantile(fit)[0], km_quantile(fit, rule="quantile")[0]
    (2.0, 3.0)
    """
    if not 0 < p < 1:
        raise ValueError(f"p must be strictly between 0 and 1, got {p!r}")
    if rule not in QUANTILE_RULES:
        raise ValueError(f"rule must be one of {sorted(QUANTILE_RULES)}, got {rule!r}")
    x = fit["time"].to_numpy()
    curves = [fit[c].to_numpy() for c in ("surv", "lower", "upper")]
    if rule == "quantile":
        return tuple(quantile_findq(c, x, p, min(0.0, float(x[0]))) for c in curves)  # type: ignore[return-value]
    return tuple(quantile_crossing(c, x, 1 - p) for c in curves)  # type: ignore[return-value]


def median_followup(
    time: object, event: object, rule: QuantileRule = "print"
) -> tuple[float, float, float]:
    """Median follow-up with its IQR by the reverse Kaplan-Meier method.

    Censoring is the "event" and death censors, as in
    ``survfit(Surv(time, 1 - event) ~ 1)``; ``rule`` as in :func:`km_quantile`:
    ``"print"`` (default) reads the curve as ``print(fit)`` does, ``"quantile"`` as
    ``quantile(fit, c(.25, .5, .75))``. They differ where the curve ends flat at
    0.5: on ``Surv(1:4, 1 - c(1, 1, 0, 1))`` print gives 3 and quantile 3.5.

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
    return tuple(km_quantile(fit, p, rule)[0] for p in (0.5, 0.25, 0.75))  # type: ignore[return-value]
