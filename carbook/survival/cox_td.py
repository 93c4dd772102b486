"""Cox model with one time-dependent 0/1 covariate (counting process), as R's ``coxph``."""

from __future__ import annotations

import numpy as np

from carbook.survival import _efron
from carbook.survival._input import as_survival
from carbook.survival.cox import _chi2_p, wald_table

__all__ = ["cox_switch"]


def _switch_times(switch: object, n: int) -> np.ndarray:
    vals = np.asarray(switch, dtype=object).ravel()
    if vals.size != n:
        raise ValueError(f"switch must have the length of time ({n}), got {vals.size}")
    try:
        s = np.asarray([np.nan if v is None else v for v in vals], dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"switch must be numeric (NaN or inf: never): {err}") from None
    if (s < 0).any():
        raise ValueError("switch must be non-negative (NaN or inf: never switches)")
    return np.where(np.isnan(s), np.inf, s)


def _design(t: np.ndarray, e: np.ndarray, s: np.ndarray) -> dict[str, np.ndarray]:
    """Counts at each distinct event time: at risk and dying, all and switched on.

    The covariate is 0/1, so ``exp(beta x)`` is 1 or ``exp(beta)`` and every
    risk-set sum is a count times one of the two: each Newton step costs
    O(event times), not O(event times x patients).
    """
    times = np.unique(t[e == 1])
    x = s[None, :] < times[:, None]  # covariate at each event time
    at_risk = t[None, :] >= times[:, None]
    dies = (t[None, :] == times[:, None]) & (e[None, :] == 1)
    d = dies.sum(axis=1)
    return {
        "r0": at_risk.sum(1).astype(float),
        "r1": (at_risk & x).sum(1).astype(float),
        "d0": d.astype(float),
        "d1": (dies & x).sum(1).astype(float),
        **dict(zip(("k", "frac"), _efron.efron_fractions(d), strict=True)),
    }


def _terms(beta: float, z: dict[str, np.ndarray]) -> tuple[float, float, float]:
    """Efron log partial likelihood, score and information at ``beta``."""
    eb = np.exp(beta)
    k, frac = z["k"], z["frac"]
    s0, s1 = z["r0"] + (eb - 1) * z["r1"], eb * z["r1"]
    d0, d1 = z["d0"] + (eb - 1) * z["d1"], eb * z["d1"]
    a0, a1 = s0[k] - frac * d0[k], s1[k] - frac * d1[k]
    xs = z["d1"].sum()
    m = a1 / a0
    return float(beta * xs - np.log(a0).sum()), float(xs - m.sum()), float((m - m * m).sum())


def _halve(
    beta: float, step: float, loglik: float, z: dict[str, np.ndarray]
) -> tuple[float, tuple[float, float, float], bool]:
    """Halve a step that lowers the log-likelihood, as ``coxfit6``."""
    new, halved = _terms(beta + step, z), False
    for _ in range(_efron.HALVINGS):
        if new[0] >= loglik - 1e-12:
            break
        step, halved = step / 2, True
        new = _terms(beta + step, z)
    return step, new, halved


def _newton(z: dict[str, np.ndarray], max_iter: int = 50) -> dict[str, object]:
    """Newton-Raphson from 0 with R's step halving and infinite-coefficient flag."""
    beta = 0.0
    ll0, u0, i0 = _terms(beta, z)
    loglik, score, info = ll0, u0, i0
    r_stop = None
    out = {"loglik0": ll0, "u0": u0, "i0": i0, "flag": "", "converged": False}
    if not i0 > _efron.TOLER_CHOL:
        return {**out, "beta": np.nan, "loglik": ll0, "info": np.nan, "n_iter": 0,
                "flag": _efron.FLAG_ALIASED}  # fmt: skip
    for n_iter in range(1, max_iter + 1):
        if not info > 0:  # the information vanished (all at risk switched, or none)
            return {**out, "beta": beta, "loglik": loglik, "info": np.nan, "n_iter": n_iter,
                    "flag": _efron.FLAG_INFINITE}  # fmt: skip
        step, new, halved = _halve(beta, score / info, loglik, z)
        beta += step
        flat = not halved and r_stop is None and abs(new[0] - loglik) <= _efron.EPS * abs(new[0])
        loglik, score, info = new
        if abs(step) < 1e-10:
            return {**out, "beta": beta, "loglik": loglik, "info": info, "n_iter": n_iter,
                    "converged": True}  # fmt: skip
        if flat:  # R's coxph stops here: keep its state, test its warning
            r_stop = (beta, loglik, info)
        if flat and _efron.is_moving(score / info if info > 0 else 0.0, beta):
            return {**out, "beta": beta, "loglik": loglik, "info": info, "n_iter": n_iter,
                    "flag": _efron.FLAG_INFINITE}  # fmt: skip
    if r_stop is not None:  # flat but never converging: R's stopping point, flagged
        beta, loglik, info = r_stop
        return {**out, "beta": beta, "loglik": loglik, "info": info, "n_iter": max_iter,
                "flag": _efron.FLAG_INFINITE}  # fmt: skip
    return {**out, "beta": beta, "loglik": loglik, "info": info, "n_iter": max_iter,
            "flag": _efron.FLAG_NOT_CONVERGED}  # fmt: skip


def cox_switch(time: object, event: object, switch: object) -> dict[str, object]:
    """Cox model with one time-dependent 0/1 covariate that switches on once (Efron ties).

    The covariate is 0 until ``switch`` and 1 after it (``NaN``, ``None`` or ``inf``:
    never), as in the counting-process data ``(0, s]`` with 0 and ``(s, T]`` with 1
    that R's ``coxph(Surv(start, stop, event) ~ x)`` or lifelines'
    ``CoxTimeVaryingFitter`` fit: at an event at time t the covariate is 1 exactly
    when ``switch < t``. Newton-Raphson with R's step halving; a covariate that is
    never 1 (or always 1) among those at risk at the events is aliased (NaN, R's
    NA); a coefficient running away is flagged as R warns.

    Parameters
    ----------
    time, event : array-like
        Survival data (event 0/1).
    switch : array-like
        Time the covariate switches on, ``NaN``/``None``/``inf`` if never.

    Returns
    -------
    dict
        ``coef``, ``se``, ``hr``, ``lower``, ``upper``, ``p`` (Wald, 95%, as
        ``summary(coxph)$coefficients``); ``p_wald`` (= ``p``), ``p_lr``
        (``$logtest``), ``p_score`` (``$sctest``), ``loglik``, ``loglik0``,
        ``converged``, ``flag`` (empty, or why not a converged finite estimate),
        ``n_iter``.

    Raises
    ------
    ValueError
        On bad survival data, a switch of different length, or a negative switch.

    Examples
    --------
    >>> fit = cox_switch([5, 6, 7, 8, 9, 10], [1, 1, 1, 1, 0, 1], [1, None, 2, None, 3, 9])
    >>> bool(fit["hr"] > 0), fit["converged"], fit["flag"]
    (True, True, '')
    """
    t, e = as_survival(time, event)
    s = _switch_times(switch, t.size)
    if e.sum() == 0:
        raise ValueError("event has no events: the Cox model is not identifiable")
    fit = _newton(_design(t, e, s))
    beta, info = fit["beta"], fit["info"]
    se = 1 / np.sqrt(info) if info > 0 else np.nan
    table = wald_table(np.array([beta]), np.array([se]))
    out: dict[str, object] = {k: float(v[0]) for k, v in table.items()}
    alias = fit["flag"] == _efron.FLAG_ALIASED
    lr = 2 * (fit["loglik"] - fit["loglik0"])
    score = np.nan if alias else fit["u0"] ** 2 / fit["i0"]
    return {
        **out,
        "p_wald": out["p"],
        "p_lr": np.nan if alias else float(_chi2_p(max(lr, 0.0))),
        "p_score": float(_chi2_p(score)),
        "loglik": fit["loglik"],
        "loglik0": fit["loglik0"],
        "converged": fit["converged"],
        "flag": fit["flag"],
        "n_iter": fit["n_iter"],
    }
