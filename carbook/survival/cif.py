"""Cumulative incidence with competing risks, as ``cmprsk::cuminc``.

Aalen-Johansen estimates with Gray's variance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

from carbook.survival._input import as_status, as_survival, check_conf

__all__ = ["cif_log_log", "cuminc", "cuminc_arrays"]


def cuminc(
    time: object,
    status: object,
    cause: int = 1,
    conf_type: Literal["log-log", "plain"] = "log-log",
    conf: float = 0.95,
    codes: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence with Gray's variance, as ``cmprsk::cuminc``.

    The estimate and variance match ``cmprsk::cuminc(time, status)`` for the given
    cause (0 = censored; every other code is a failure type, as cmprsk's
    ``cencode = 0``). cmprsk silently drops rows with a missing status; here a NaN
    status is an error, and so is a code outside ``codes`` when they are declared.
    ``cuminc`` prints no interval; the default limits here use the log(-log) transform
    ``est ** exp(±z * sqrt(var) / (est * log(est)))``, the usual choice with cmprsk
    (and that of tidycmprsk); "plain" gives ``est ± z * sqrt(var)``.

    Parameters
    ----------
    time : array-like
        Non-negative follow-up times.
    status : array-like
        0 = censored, otherwise the failure type (whole numbers).
    cause : int
        The failure type whose incidence is estimated (not 0).
    conf_type : {"log-log", "plain"}
        Interval transform.
    conf : float
        Confidence level, strictly between 0 and 1.
    codes : sequence of int, optional
        The failure types the data may hold; any other code raises.

    Returns
    -------
    pandas.DataFrame
        One row per distinct time: ``time``, ``est``, ``var``, ``lower``, ``upper``.

    Raises
    ------
    ValueError
        On bad input, ``cause = 0``, or if ``cause`` never occurs.

    Examples
    --------
    >>> ci = cuminc([1, 2, 3, 4, 5], [1, 2, 1, 0, 1])
    >>> ci["est"].round(3).tolist()
    [0.2, 0.2, 0.4, 0.4, 0.8]
    """
    s = as_status(status, codes)
    t, _ = as_survival(time, (s != 0).astype(int))
    check_conf(conf)
    if cause == 0:
        raise ValueError("cause must be a failure code, not 0 (censoring)")
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
    """Numpy core of :func:`cuminc`: (times, estimate, Gray's variance); cheap checks.

    Examples
    --------
    >>> cuminc_arrays(np.array([1.0, 2.0]), np.array([1, 2]))[1].tolist()
    [0.5, 0.5]
    """
    if cause == 0:
        raise ValueError("cause must be a failure code, not 0 (censoring)")
    if t.shape != s.shape:
        raise ValueError(f"time and status must have equal length, got {t.size} and {s.size}")
    if not (t.min(initial=0.0) >= 0 and t.max(initial=0.0) < np.inf):  # NaN fails too
        raise ValueError("time must be finite and non-negative")
    if not np.isfinite(s.sum()):
        raise ValueError("status contains NaN or infinite values")
    times, inv = np.unique(t, return_inverse=True)
    d1 = np.bincount(inv, weights=(s == cause), minlength=times.size)
    d2 = np.bincount(inv, weights=(s != 0) & (s != cause), minlength=times.size)
    n_risk = t.size - np.concatenate([[0], np.cumsum(np.bincount(inv))[:-1]])
    est, var = _gray(d1, d2, n_risk)
    return times, est, var


def cif_log_log(est: float, var: float, conf: float = 0.95) -> tuple[float, float]:
    """log(-log) limits of a cumulative incidence (NaN at 0 or 1), as :func:`cuminc`.

    Examples
    --------
    >>> [round(v, 3) for v in cif_log_log(0.3, 0.01)]
    [0.126, 0.497]
    """
    check_conf(conf)
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
