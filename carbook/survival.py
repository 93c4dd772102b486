"""Survival estimators in numpy, matched to R's conventions.

lifelines is the book's tool for fitting models step by step. These functions
exist because (1) R's default KM interval (``conf.type = "log"``) and R's median
rule differ from lifelines' defaults, and the papers used R; (2) the cohort
reconstruction evaluates thousands of candidate cohorts, so its objective needs
estimators without per-call overhead. Every function is tested against R
(``tests/r/survival_reference.R``) and, where lifelines offers the same estimator,
against lifelines.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

__all__ = [
    "cif_log_log",
    "cox_arrays",
    "cox_batch",
    "cox_multi",
    "cox_switch",
    "cuminc",
    "cuminc_arrays",
    "km",
    "km_arrays",
    "km_quantile",
    "median_followup",
    "step_at",
    "wald_table",
]

ConfType = Literal["log", "log-log", "plain"]


def _as_survival(time: object, event: object) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(time, dtype=float).ravel()
    e = np.asarray(event, dtype=float).ravel()
    if t.shape != e.shape:
        raise ValueError(f"time and event must have equal length, got {t.size} and {e.size}")
    if t.size == 0:
        raise ValueError("time must not be empty")
    if not np.isfinite(t).all():
        raise ValueError("time contains NaN or infinite values")
    if (t < 0).any():
        raise ValueError("time must be non-negative")
    if not np.isin(e, (0, 1)).all():
        raise ValueError("event must be 0 (censored) or 1 (event)")
    return t, e.astype(int)


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
    t, e = _as_survival(time, event)
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


def _minmin(y: np.ndarray, x: np.ndarray, target: float) -> float:
    """R survival's quantile rule: first x with y <= target; midpoint on a flat target."""
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
        _minmin(fit["surv"].to_numpy(), x, target),
        _minmin(fit["lower"].to_numpy(), x, target),  # the lower curve crosses first
        _minmin(fit["upper"].to_numpy(), x, target),
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
    t, e = _as_survival(time, event)
    fit = km(t, 1 - e)
    s, x = fit["surv"].to_numpy(), fit["time"].to_numpy()
    return _minmin(s, x, 0.5), _minmin(s, x, 0.75), _minmin(s, x, 0.25)


def cuminc(
    time: object,
    status: object,
    cause: int = 1,
    conf_type: Literal["log-log", "plain"] = "log-log",
    conf: float = 0.95,
) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence with Gray's variance, as ``cmprsk::cuminc``.

    The estimate and variance match ``cmprsk::cuminc(time, status)`` for the given
    cause (0 = censored; any other code is a competing event). ``cuminc`` prints no
    interval; the default limits here use the log(-log) transform
    ``est ** exp(±z * sqrt(var) / (est * log(est)))``, the usual choice with cmprsk
    (and that of tidycmprsk); "plain" gives ``est ± z * sqrt(var)``.

    Returns
    -------
    pandas.DataFrame
        One row per distinct time: ``time``, ``est``, ``var``, ``lower``, ``upper``.

    Raises
    ------
    ValueError
        On bad input or if ``cause`` never occurs.

    Examples
    --------
    >>> ci = cuminc([1, 2, 3, 4, 5], [1, 2, 1, 0, 1])
    >>> ci["est"].round(3).tolist()
    [0.2, 0.2, 0.4, 0.4, 0.8]
    """
    t = np.asarray(time, dtype=float).ravel()
    s = np.asarray(status).ravel()
    _as_survival(t, (s != 0).astype(int))
    if not (s == cause).any():
        raise ValueError(f"cause {cause!r} does not occur in status")
    times, est, var = cuminc_arrays(t, s, cause)
    z = special.ndtri(1 - (1 - conf) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "log-log":
            k = np.exp(z * np.sqrt(var) / (est * np.log(est)))
            lo, hi = est ** (1 / k), est**k
        elif conf_type == "plain":
            lo, hi = est - z * np.sqrt(var), est + z * np.sqrt(var)
        else:
            raise ValueError(f"conf_type must be 'log-log' or 'plain', got {conf_type!r}")
    ok = (est > 0) & (est < 1)
    return pd.DataFrame(
        {
            "time": times,
            "est": est,
            "var": var,
            "lower": np.where(ok, lo, np.nan),
            "upper": np.where(ok, hi, np.nan),
        }
    )


def cuminc_arrays(
    t: np.ndarray, s: np.ndarray, cause: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numpy core of :func:`cuminc`: (times, estimate, Gray's variance)."""
    times, inv = np.unique(t, return_inverse=True)
    d1 = np.bincount(inv, weights=(s == cause), minlength=times.size)
    d2 = np.bincount(inv, weights=(s != 0) & (s != cause), minlength=times.size)
    n_risk = t.size - np.concatenate([[0], np.cumsum(np.bincount(inv))[:-1]])
    est, var = _gray(d1, d2, n_risk)
    return times, est, var


def cif_log_log(est: float, var: float, conf: float = 0.95) -> tuple[float, float]:
    """log(-log) limits of a cumulative incidence (NaN at 0 or 1), as :func:`cuminc`."""
    if not 0 < est < 1:
        return float("nan"), float("nan")
    k = np.exp(special.ndtri(1 - (1 - conf) / 2) * np.sqrt(var) / (est * np.log(est)))
    return float(est ** (1 / k)), float(est**k)


def _gray(d1: np.ndarray, d2: np.ndarray, n_risk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CIF and Gray's (1988) delta-method variance at each distinct time."""
    est, var = np.zeros(d1.size), np.zeros(d1.size)
    s, f, v1, v2, v3 = 1.0, 0.0, 0.0, 0.0, 0.0
    for j, (a, b, r) in enumerate(zip(d1, d2, n_risk, strict=True)):
        if a + b > 0:
            s_next = s * (r - a - b) / r
            f_new = f + s * a / r
            for count, own in ((b, False), (a, True)):
                if count <= 0 or (not own and s_next <= 0):
                    continue
                ties = 1 - (count - 1) / (r - 1) if count > 1 else 1.0
                w = s * s * ties * count / (r * r)
                inv = 1 / s_next if s_next > 0 else 0.0
                lead = (1 + inv * f_new) if own else f_new * inv
                v1, v2, v3 = v1 + lead * lead * w, v2 + inv * lead * w, v3 + inv * inv * w
            f, s = f_new, s_next
        est[j] = f
        var[j] = v1 + f * f * v3 - 2 * f * v2 if f > 0 else 0.0
    return est, var


def _efron_terms(
    beta: np.ndarray, x: np.ndarray, order: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log partial likelihood, score and information of univariate Cox models.

    ``x`` is (n, p) sorted by time; one model per column, all evaluated at once.
    """
    w = np.exp(x * beta)
    wx, wx2 = w * x, w * x * x
    rev = lambda a: np.cumsum(a[::-1], axis=0)[::-1]  # noqa: E731  risk-set sums
    r0, r1, r2 = rev(w)[order["first"]], rev(wx)[order["first"]], rev(wx2)[order["first"]]
    ev = order["event"][:, None]
    g = order["group"]
    d0 = np.add.reduceat(w * ev, g)[order["has_event"]]
    d1 = np.add.reduceat(wx * ev, g)[order["has_event"]]
    d2 = np.add.reduceat(wx2 * ev, g)[order["has_event"]]
    xs = np.add.reduceat(x * ev, g)[order["has_event"]]
    k, frac = order["k"], order["frac"][:, None]
    s0 = r0[k] - frac * d0[k]
    s1 = r1[k] - frac * d1[k]
    s2 = r2[k] - frac * d2[k]
    loglik = beta * xs.sum(axis=0) - np.log(s0).sum(axis=0)
    score = xs.sum(axis=0) - (s1 / s0).sum(axis=0)
    info = (s2 / s0 - (s1 / s0) ** 2).sum(axis=0)
    return loglik, score, info


def _cox_order(t: np.ndarray, e: np.ndarray) -> dict[str, np.ndarray]:
    _, first = np.unique(t, return_index=True)
    n_ev = np.add.reduceat(e, first)
    has = n_ev > 0
    d = n_ev[has].astype(int)
    k = np.repeat(np.arange(d.size), d)
    frac = np.concatenate([np.arange(m) / m for m in d]) if d.size else np.zeros(0)
    return {"first": first[has], "group": first, "has_event": has, "event": e, "k": k, "frac": frac}


def _check_covariates(x: object, n: int) -> np.ndarray:
    if not isinstance(x, pd.DataFrame):
        raise ValueError("x must be a pandas DataFrame (one column per covariate)")
    xv = x.to_numpy(dtype=float)
    if xv.shape[0] != n:
        raise ValueError(f"x has {xv.shape[0]} rows but time has {n}")
    if np.isnan(xv).any():
        raise ValueError(f"x has NaN in columns {list(x.columns[np.isnan(xv).any(axis=0)])}")
    return xv


def _newton(
    xv: np.ndarray, order: dict[str, np.ndarray], max_iter: int, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Newton-Raphson for all columns at once, halving steps that lower the likelihood."""
    beta = np.zeros(xv.shape[1])
    loglik, score, info = _efron_terms(beta, xv, order)
    converged = np.zeros(beta.size, dtype=bool)
    for _ in range(max_iter):
        step = np.where(converged, 0.0, score / np.where(info > 0, info, np.inf))
        new_ll, new_score, new_info = _efron_terms(beta + step, xv, order)
        for _half in range(20):
            worse = new_ll < loglik - 1e-12
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
            new_ll, new_score, new_info = _efron_terms(beta + step, xv, order)
        beta = beta + step
        converged |= np.abs(step) < tol * np.maximum(1, np.abs(beta))
        loglik, score, info = new_ll, new_score, new_info
        if converged.all():
            break
    return beta, loglik, info, converged


def cox_arrays(
    t: np.ndarray, e: np.ndarray, xv: np.ndarray, max_iter: int = 30, tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Numpy core of :func:`cox_batch`: (coef, loglik, information, converged)."""
    idx = np.argsort(t, kind="stable")
    return _newton(xv[idx], _cox_order(t[idx], e[idx]), max_iter, tol)


def cox_batch(
    time: object, event: object, x: pd.DataFrame, max_iter: int = 30, tol: float = 1e-10
) -> pd.DataFrame:
    """Many univariate Cox models at once (Efron ties), as R's ``coxph``.

    Fits ``coxph(Surv(time, event) ~ x[, j])`` for every column ``j`` in one
    vectorised Newton-Raphson, with step halving when the log partial likelihood
    does not increase. Wald standard errors, intervals and P values, as printed by
    ``summary(coxph(...))``.

    Parameters
    ----------
    time, event : array-like
        Survival data (event 0/1).
    x : pandas.DataFrame
        Covariates, one column per model, numeric, without NaN.

    Returns
    -------
    pandas.DataFrame
        Indexed by covariate: ``coef``, ``se``, ``hr``, ``lower``, ``upper``, ``p``,
        ``loglik``, ``converged``.

    Raises
    ------
    ValueError
        On bad survival data, NaN covariates, or no events.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0, 1, 0, 1, 1, 0]})
    >>> fit = cox_batch([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], df)
    >>> bool(fit.loc["x", "converged"])
    True
    """
    t, e = _as_survival(time, event)
    xv = _check_covariates(x, t.size)
    if e.sum() == 0:
        raise ValueError("no events: the Cox model is not identifiable")
    beta, loglik, info, converged = cox_arrays(t, e, xv, max_iter, tol)
    return pd.DataFrame(
        {**wald_table(beta, 1 / np.sqrt(info)), "loglik": loglik, "converged": converged},
        index=x.columns,
    )


def wald_table(beta: np.ndarray, se: np.ndarray) -> dict[str, np.ndarray]:
    """Coefficients with Wald 95% intervals and P values, as ``summary(coxph)`` prints.

    Examples
    --------
    >>> t = wald_table(np.array([0.0]), np.array([0.5]))
    >>> float(t["hr"][0]), float(t["p"][0])
    (1.0, 1.0)
    """
    z = special.ndtri(0.975)
    return {
        "coef": beta,
        "se": se,
        "hr": np.exp(beta),
        "lower": np.exp(beta - z * se),
        "upper": np.exp(beta + z * se),
        "p": 2 * special.ndtr(-np.abs(beta / se)),
    }


def _efron_multi(
    beta: np.ndarray, x: np.ndarray, order: dict[str, np.ndarray]
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, score vector and information matrix of one Cox model."""
    w = np.exp(x @ beta)
    wx = w[:, None] * x
    wxx = wx[:, :, None] * x[:, None, :]
    rev = lambda a: np.cumsum(a[::-1], axis=0)[::-1]  # noqa: E731  risk-set sums
    first, g, has = order["first"], order["group"], order["has_event"]
    r0, r1, r2 = rev(w)[first], rev(wx)[first], rev(wxx)[first]
    ev = order["event"]
    d0 = np.add.reduceat(w * ev, g)[has]
    d1 = np.add.reduceat(wx * ev[:, None], g)[has]
    d2 = np.add.reduceat(wxx * ev[:, None, None], g)[has]
    xs = (x * ev[:, None]).sum(axis=0)
    k, frac = order["k"], order["frac"]
    s0 = r0[k] - frac * d0[k]
    m1 = (r1[k] - frac[:, None] * d1[k]) / s0[:, None]
    m2 = (r2[k] - frac[:, None, None] * d2[k]) / s0[:, None, None]
    loglik = float(beta @ xs - np.log(s0).sum())
    info = (m2 - m1[:, :, None] * m1[:, None, :]).sum(axis=0)
    return loglik, xs - m1.sum(axis=0), info


def cox_multi(
    time: object, event: object, x: pd.DataFrame, max_iter: int = 30, tol: float = 1e-10
) -> pd.DataFrame:
    """One multivariable Cox model (Efron ties), as R's ``coxph(Surv(time, event) ~ .)``.

    Newton-Raphson from zero with step halving, as ``coxph``; Wald standard errors
    (inverse information), 95% intervals ``exp(coef +/- 1.96 se)`` and Wald P values,
    as printed by ``summary(coxph(...))``. Written in numpy because the
    reconstruction search refits it thousands of times; tested against R and
    lifelines.

    Parameters
    ----------
    time, event : array-like
        Survival data (event 0/1).
    x : pandas.DataFrame
        Covariates of the model, numeric, without NaN.

    Returns
    -------
    pandas.DataFrame
        Indexed by covariate: ``coef``, ``se``, ``hr``, ``lower``, ``upper``, ``p``.

    Raises
    ------
    ValueError
        On bad survival data, NaN covariates, or no events.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [0, 1, 0, 1, 1, 0, 1, 0], "b": [3, 1, 4, 1, 5, 9, 2, 6]})
    >>> fit = cox_multi([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 0, 1, 1, 1, 0, 1], df)
    >>> list(fit.columns)
    ['coef', 'se', 'hr', 'lower', 'upper', 'p']
    """
    t, e = _as_survival(time, event)
    xv = _check_covariates(x, t.size)
    if e.sum() == 0:
        raise ValueError("no events: the Cox model is not identifiable")
    beta, info = cox_multi_arrays(t, e.astype(float), xv, max_iter, tol)
    return pd.DataFrame(
        wald_table(beta, np.sqrt(np.diag(np.linalg.inv(info)))),
        index=x.columns,
    )


def cox_multi_arrays(
    t: np.ndarray, e: np.ndarray, xv: np.ndarray, max_iter: int = 30, tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray]:
    """Numpy core of :func:`cox_multi`: (coef, information matrix)."""
    idx = np.argsort(t, kind="stable")
    x, order = xv[idx], _cox_order(t[idx], e[idx])
    beta = np.zeros(x.shape[1])
    loglik, score, info = _efron_multi(beta, x, order)
    for _ in range(max_iter):
        step = np.linalg.solve(info, score)
        for _half in range(20):
            new = _efron_multi(beta + step, x, order)
            if new[0] >= loglik - 1e-12:
                break
            step = step / 2
        beta = beta + step
        loglik, score, info = new
        if np.all(np.abs(step) < tol * np.maximum(1, np.abs(beta))):
            break
    return beta, info


def cox_switch(time: object, event: object, switch: object) -> dict[str, float]:
    """Cox model with one time-dependent 0/1 covariate that switches on once (Efron ties).

    The covariate is 0 until ``switch`` and 1 after it (``NaN`` or ``inf``: never),
    as in the counting-process data ``(0, s]`` with 0 and ``(s, T]`` with 1 that R's
    ``coxph(Surv(start, stop, event) ~ x)`` or lifelines' ``CoxTimeVaryingFitter``
    fit: at an event at time t the covariate is 1 exactly when ``switch < t``.

    Returns
    -------
    dict
        ``coef``, ``se``, ``hr``, ``lower``, ``upper``, ``p`` (Wald, 95%).

    Raises
    ------
    ValueError
        On bad survival data or a switch of different length.

    Examples
    --------
    >>> fit = cox_switch([5, 6, 7, 8, 9, 10], [1, 1, 1, 1, 0, 1], [1, None, 2, None, 3, 9])
    >>> bool(fit["hr"] > 0)
    True
    """
    t, e = _as_survival(time, event)
    s = np.asarray([np.inf if v is None else v for v in np.asarray(switch, dtype=object)], float)
    if s.shape != t.shape:
        raise ValueError(f"switch must have the length of time ({t.size}), got {s.size}")
    s = np.where(np.isnan(s), np.inf, s)
    times = np.unique(t[e == 1])
    x = (s[None, :] < times[:, None]).astype(float)  # covariate at each event time
    at_risk = t[None, :] >= times[:, None]
    dies = (t[None, :] == times[:, None]) & (e[None, :] == 1)
    d = dies.sum(axis=1)
    k = np.repeat(np.arange(times.size), d)
    frac = np.concatenate([np.arange(m) / m for m in d])
    beta, step = 0.0, 1.0
    for _ in range(50):
        w = np.exp(beta * x)
        s0, s1 = (at_risk * w).sum(1), (at_risk * w * x).sum(1)
        d0, d1 = (dies * w).sum(1), (dies * w * x).sum(1)
        a0, a1 = s0[k] - frac * d0[k], s1[k] - frac * d1[k]
        score = (dies * x).sum() - (a1 / a0).sum()
        info = (a1 / a0 - (a1 / a0) ** 2).sum()
        step = score / info
        beta += step
        if abs(step) < 1e-10:
            break
    return {k: float(v[0]) for k, v in wald_table(np.array([beta]), 1 / np.sqrt([info])).items()}
