"""Cox proportional-hazards fits (Efron ties) in numpy, matched to R's ``coxph``.

The Newton-Raphson, centring, aliasing and the infinite-coefficient flag follow R's
``coxph.fit`` (see :mod:`carbook.survival._efron`). Every fit reports the three
tests ``summary(coxph(...))`` prints: Wald, likelihood ratio and score (log-rank).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from carbook.survival import _efron, portable
from carbook.survival._input import as_survival, check_arrays

__all__ = [
    "cox_arrays",
    "cox_batch",
    "cox_batch_arrays",
    "cox_multi",
    "cox_multi_arrays",
    "cox_tests",
    "wald_table",
]


def _check_covariates(x: object, n: int) -> np.ndarray:
    if not isinstance(x, pd.DataFrame):
        raise ValueError("x must be a pandas DataFrame (one column per covariate)")
    if x.shape[1] == 0:
        raise ValueError("x must have at least one column")
    try:
        xv = x.to_numpy(dtype=float)
    except (TypeError, ValueError):
        bad = [c for c, dt in x.dtypes.items() if not pd.api.types.is_numeric_dtype(dt)]
        raise ValueError(f"x has non-numeric columns {bad}") from None
    if xv.shape[0] != n:
        raise ValueError(f"x has {xv.shape[0]} rows but time has {n}")
    if not np.isfinite(xv).all():
        if np.isnan(xv).any():
            raise ValueError(f"x has NaN in columns {list(x.columns[np.isnan(xv).any(axis=0)])}")
        raise ValueError(f"x has infinite values in columns {list(x.columns[np.isinf(xv).any(0)])}")
    return xv


def _flags(converged: np.ndarray, infinite: np.ndarray, alias: np.ndarray) -> list[str]:
    return [
        _efron.FLAG_ALIASED
        if a
        else _efron.FLAG_INFINITE
        if i
        else ""
        if c
        else _efron.FLAG_NOT_CONVERGED
        for c, i, a in zip(converged.tolist(), infinite.tolist(), alias.tolist(), strict=True)
    ]


def _chi2_p(chisq: np.ndarray | float, df: int | np.ndarray = 1) -> np.ndarray:
    """Upper chi-square tail (``pchisq(chisq, df, lower.tail = FALSE)``)."""
    return special.chdtrc(df, chisq)


def cox_arrays(
    t: np.ndarray, e: np.ndarray, xv: np.ndarray, max_iter: int = 30, tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Numpy core of :func:`cox_batch`: (coef, loglik, information, converged).

    No validation and no pandas: the reconstruction calls it thousands of times.
    ``converged`` is False for a term flagged infinite or aliased (its coefficient
    is then R's value, or 0 with information 0).
    """
    fit = _batch_fit(t, e, xv, max_iter, tol)
    return fit["beta"], fit["loglik"], fit["info"], fit["converged"]


def _batch_fit(t, e, xv, max_iter, tol):
    idx = np.argsort(t, kind="stable")
    return _efron.newton_batch(xv[idx], _efron.cox_order(t[idx], e[idx]), max_iter, tol)


def cox_batch(
    time: object, event: object, x: pd.DataFrame, max_iter: int = 30, tol: float = 1e-10
) -> pd.DataFrame:
    """Many univariate Cox models at once (Efron ties), as R's ``coxph``.

    Fits ``coxph(Surv(time, event) ~ x[, j])`` for every column ``j`` in one
    vectorised Newton-Raphson, with R's centring and step halving. Wald standard
    errors, intervals and P values, and the likelihood-ratio and score (log-rank)
    tests, as printed by ``summary(coxph(...))``.

    Parameters
    ----------
    time, event : array-like
        Survival data (event 0/1).
    x : pandas.DataFrame
        Covariates, one column per model, numeric, finite.
    max_iter : int
        Newton iterations at most.
    tol : float
        Convergence: every step below ``tol * max(1, |coef|)``.

    Returns
    -------
    pandas.DataFrame
        Indexed by covariate: ``coef``, ``se``, ``hr``, ``lower``, ``upper``, ``p``
        (Wald, ``summary(coxph)$coefficients``), ``loglik``, ``converged``, and
        ``p_wald`` (= ``p``), ``p_lr`` (``summary(coxph)$logtest``), ``p_score``
        (``summary(coxph)$sctest``), ``loglik0`` (at coef 0), ``flag`` (empty, or
        why the term is not a converged finite estimate: R's "coefficient may be
        infinite" warning, an aliased term that R prints as NA, or no convergence).
        An aliased term has ``coef``, ``se`` and P values NaN, as R's NA.

    Raises
    ------
    ValueError
        On bad survival data, NaN or infinite covariates, or no events.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0, 1, 0, 1, 1, 0]})
    >>> fit = cox_batch([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], df)
    >>> bool(fit.loc["x", "converged"]), fit.loc["x", "flag"]
    (True, '')
    """
    t, e = as_survival(time, event)
    xv = _check_covariates(x, t.size)
    if e.sum() == 0:
        raise ValueError("event has no events: the Cox model is not identifiable")
    out = cox_batch_arrays(t, e, xv, max_iter, tol)
    return pd.DataFrame(
        {
            **{k: out[k] for k in ("coef", "se", "hr", "lower", "upper", "p")},
            **{k: out[k] for k in ("loglik", "converged", "p_wald", "p_lr", "p_score", "loglik0")},
            "flag": _flags(out["converged"], out["infinite"], out["aliased"]),
        },
        index=x.columns,
    )


def cox_batch_arrays(
    t: np.ndarray, e: np.ndarray, xv: np.ndarray, max_iter: int = 30, tol: float = 1e-10
) -> dict[str, np.ndarray]:
    """Numpy core of :func:`cox_batch`: its columns as arrays, cheap checks, no pandas.

    The reconstruction's evaluator calls it after every move that changes a time.
    ``t`` float, ``e`` 0/1 int, ``xv`` (n, p) float, as :func:`cox_batch` passes them;
    the result is what :func:`cox_batch` prints, bit for bit (it calls this), plus
    ``infinite`` and ``aliased`` flags per term.

    Raises
    ------
    ValueError
        On bad survival data, no events, or covariates that are not finite.

    Examples
    --------
    >>> fit = cox_batch_arrays(np.array([1.0, 2, 3, 4, 5, 6]), np.array([1, 1, 1, 1, 0, 1]),
    ...                        np.array([[0.0, 1, 0, 1, 1, 0]]).T)
    >>> round(float(fit["coef"][0]), 6), bool(fit["converged"][0])
    (-0.273948, True)
    """
    check_arrays(t, e)
    if not e.any():
        raise ValueError("event has no events: the Cox model is not identifiable")
    if xv.shape[0] != t.size or not np.isfinite(xv).all():
        raise ValueError(f"xv must be finite with {t.size} rows, got shape {xv.shape}")
    fit = _batch_fit(t, e, xv, max_iter, tol)
    alias = fit["aliased"]
    beta = np.where(alias, np.nan, fit["beta"])
    with np.errstate(divide="ignore"):
        se = np.where(alias, np.nan, 1 / np.sqrt(fit["info"]))
    lr = 2 * (fit["loglik"] - fit["loglik0"])
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(alias, np.nan, fit["score0"] ** 2 / fit["info0"])
    table = wald_table(beta, se)
    return {
        **table,
        "loglik": fit["loglik"],
        "converged": fit["converged"],
        "p_wald": table["p"],
        "p_lr": np.where(alias, np.nan, _chi2_p(np.maximum(lr, 0))),
        "p_score": _chi2_p(score),
        "loglik0": fit["loglik0"],
        "infinite": fit["infinite"],
        "aliased": alias,
    }


def wald_table(beta: np.ndarray, se: np.ndarray) -> dict[str, np.ndarray]:
    """Coefficients with Wald 95% intervals and P values, as ``summary(coxph)`` prints.

    Examples
    --------
    >>> t = wald_table(np.array([0.0]), np.array([0.5]))
    >>> float(t["hr"][0]), float(t["p"][0])
    (1.0, 1.0)
    """
    z = special.ndtri(0.975)
    lo, hi = beta - z * se, beta + z * se
    if (np.abs(hi) > 700).any():  # a running-away term (NaN: none): R prints Inf
        with np.errstate(over="ignore"):
            return _wald_exp(beta, se, lo, hi)
    return _wald_exp(beta, se, lo, hi)


def _wald_exp(
    beta: np.ndarray, se: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> dict[str, np.ndarray]:
    """The dictionary of :func:`wald_table` from the limits on the log scale."""
    return {
        "coef": beta,
        "se": se,
        "hr": np.exp(beta),
        "lower": np.exp(lo),
        "upper": np.exp(hi),
        "p": 2 * special.ndtr(-np.abs(beta / se)),
    }


def _multi_fit(time, event, x, max_iter, tol):
    t, e = as_survival(time, event)
    xv = _check_covariates(x, t.size)
    if e.sum() == 0:
        raise ValueError("event has no events: the Cox model is not identifiable")
    idx = np.argsort(t, kind="stable")
    order = _efron.cox_order(t[idx], e[idx].astype(float))
    return _efron.newton_multi(xv[idx], order, max_iter, tol)


def _multi_se(fit: dict) -> np.ndarray:
    keep = ~fit["aliased"]
    se = np.full(keep.size, np.nan)
    if keep.any():
        se[keep] = np.sqrt(np.diag(portable.inv(fit["info"][np.ix_(keep, keep)])))
    return se


def cox_multi(
    time: object, event: object, x: pd.DataFrame, max_iter: int = 30, tol: float = 1e-10
) -> pd.DataFrame:
    """One multivariable Cox model (Efron ties), as R's ``coxph(Surv(time, event) ~ .)``.

    Newton-Raphson from zero with R's centring and step halving; Wald standard
    errors (inverse information), 95% intervals ``exp(coef +/- 1.96 se)`` and Wald P
    values, as printed by ``summary(coxph(...))``. A constant or collinear term is
    aliased (NaN, as R's NA) and the others are fitted. The model's three global
    tests are :func:`cox_tests` (also in ``result.attrs["tests"]``). Written in numpy
    because the reconstruction search refits it thousands of times; tested against R
    and lifelines.

    Parameters
    ----------
    time, event : array-like
        Survival data (event 0/1).
    x : pandas.DataFrame
        Covariates of the model, numeric, finite.
    max_iter : int
        Newton iterations at most.
    tol : float
        Convergence: every step below ``tol * max(1, |coef|)``.

    Returns
    -------
    pandas.DataFrame
        Indexed by covariate: ``coef``, ``se``, ``hr``, ``lower``, ``upper``, ``p``,
        ``converged`` and ``flag`` (as in :func:`cox_batch`). When R would warn that
        a coefficient may be infinite, that term is flagged and the others are
        reported converged, as R reports them.

    Raises
    ------
    ValueError
        On bad survival data, NaN or infinite covariates, or no events.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [0, 1, 0, 1, 1, 0, 1, 0], "b": [3, 1, 4, 1, 5, 9, 2, 6]})
    >>> fit = cox_multi([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 0, 1, 1, 1, 0, 1], df)
    >>> list(fit.columns)
    ['coef', 'se', 'hr', 'lower', 'upper', 'p', 'converged', 'flag']
    """
    fit = _multi_fit(time, event, x, max_iter, tol)
    # A model stopped by a running-away term (R's warning) still estimates the others.
    conv = np.full(x.shape[1], bool(fit["converged"]) or bool(fit["infinite"].any()))
    conv &= ~fit["infinite"] & ~fit["aliased"]
    out = pd.DataFrame(
        {
            **wald_table(fit["beta"], _multi_se(fit)),
            "converged": conv,
            "flag": _flags(conv, fit["infinite"], fit["aliased"]),
        },
        index=x.columns,
    )
    out.attrs["tests"] = _tests(fit, out["coef"].to_numpy(), _multi_se(fit)).to_dict("index")
    return out


def _tests(fit: dict, beta: np.ndarray, se: np.ndarray) -> pd.DataFrame:
    keep = ~fit["aliased"]
    df = int(keep.sum())
    b = beta[keep]
    wald = portable.quad(b, fit["info"][np.ix_(keep, keep)]) if df else 0.0
    lr = 2 * (fit["loglik"] - fit["loglik0"])
    u0, i0 = fit["score0"][keep], fit["info0"][np.ix_(keep, keep)]
    score = portable.dot(u0, portable.solve(i0, u0)) if df else 0.0
    chisq = np.array([lr, wald, score])
    return pd.DataFrame(
        {"chisq": chisq, "df": df, "p": _chi2_p(np.maximum(chisq, 0), max(df, 1))},
        index=pd.Index(["likelihood_ratio", "wald", "score"], name="test"),
    )


def cox_tests(
    time: object, event: object, x: pd.DataFrame, max_iter: int = 30, tol: float = 1e-10
) -> pd.DataFrame:
    """The three global tests of a Cox model, as the last lines of ``summary(coxph)``.

    ``Likelihood ratio test`` (``summary(fit)$logtest``), ``Wald test``
    (``$waldtest``) and ``Score (logrank) test`` (``$sctest``) of
    ``coxph(Surv(time, event) ~ .)``, Efron ties; degrees of freedom exclude
    aliased terms. With one 0/1 covariate the score test is the log-rank test of
    ``survdiff`` (Efron ties make it differ slightly when times are tied).

    Parameters
    ----------
    time, event : array-like
        Survival data (event 0/1).
    x : pandas.DataFrame
        Covariates of the model, numeric, finite.
    max_iter, tol
        As in :func:`cox_multi`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``likelihood_ratio``, ``wald``, ``score``: ``chisq``, ``df``, ``p``.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [0, 1, 0, 1, 1, 0, 1, 0]})
    >>> tests = cox_tests([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 0, 1, 1, 1, 0, 1], df)
    >>> list(tests.index), bool((tests["p"] <= 1).all())
    (['likelihood_ratio', 'wald', 'score'], True)
    """
    fit = _multi_fit(time, event, x, max_iter, tol)
    return _tests(fit, fit["beta"], _multi_se(fit))


def cox_multi_arrays(
    t: np.ndarray, e: np.ndarray, xv: np.ndarray, max_iter: int = 30, tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray]:
    """Numpy core of :func:`cox_multi`: (coef, information matrix).

    No validation and no pandas: the reconstruction calls it thousands of times.
    An aliased term has coef NaN and the row and column of the identity in the
    information, so that ``inv(info)`` still gives the other terms' variances.
    """
    idx = np.argsort(t, kind="stable")
    fit = _efron.newton_multi(xv[idx], _efron.cox_order(t[idx], e[idx]), max_iter, tol)
    return fit["beta"], fit["info"]
