"""Confidence intervals for a proportion, each matched to the R call it reproduces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from carbook.tables._common import check_count

__all__ = ["CI_METHODS", "proportion_ci"]

CIMethod = Literal[
    "wald",
    "wald_cc",
    "wilson",
    "wilson_cc",
    "clopper_pearson",
    "agresti_coull",
    "jeffreys",
    "t_mean",
]

#: Proportion CI methods, each with the R call (or formula) it reproduces.
CI_METHODS: dict[str, str] = {
    "wald": "p ± z·sqrt(p(1-p)/n)  (no base R function; the textbook formula)",
    "wald_cc": "p ± (z·sqrt(p(1-p)/n) + 1/(2n))  (Wald with continuity correction)",
    "wilson": "prop.test(x, n, correct = FALSE)$conf.int",
    "wilson_cc": "prop.test(x, n, correct = TRUE)$conf.int  (R's default prop.test)",
    "clopper_pearson": "binom.test(x, n)$conf.int  (exact)",
    "agresti_coull": "add z²/2 successes and failures, then Wald",
    "jeffreys": "qbeta(c(a/2, 1-a/2), x + 0.5, n - x + 0.5)",
    "t_mean": "t.test(c(rep(1, x), rep(0, n - x)))$conf.int  (0/1 outcome treated as a mean)",
}


def _wilson_cc(x: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval with continuity correction, as in R's ``prop.test``."""
    p = x / n
    yates = min(0.5, abs(x - n * 0.5))  # R: YATES <- min(0.5, abs(x - n * p0)), p0 = 0.5
    z2 = z * z

    def bound(sign: int) -> float:
        pc = p + sign * yates / n
        if (sign < 0 and pc <= 0) or (sign > 0 and pc >= 1):
            return 0.0 if sign < 0 else 1.0
        centre = pc + z2 / (2 * n)
        half = z * np.sqrt(pc * (1 - pc) / n + z2 / (4 * n * n))
        return float((centre + sign * half) / (1 + z2 / n))

    return bound(-1), bound(+1)


def _wald(x: int, n: int, alpha: float, cc: bool = False) -> tuple[float, float]:
    p = x / n
    half = stats.norm.ppf(1 - alpha / 2) * np.sqrt(p * (1 - p) / n) + (1 / (2 * n) if cc else 0)
    return p - half, p + half


def _t_mean(x: int, n: int, alpha: float) -> tuple[float, float]:
    p = x / n
    se = np.sqrt(p * (1 - p) / (n - 1))  # sd of the 0/1 vector (n - 1 divisor) / sqrt(n)
    half = stats.t.ppf(1 - alpha / 2, n - 1) * se
    return p - half, p + half


def _statsmodels(method: str) -> Callable[[int, int, float], tuple[float, float]]:
    return lambda x, n, alpha: proportion_confint(x, n, alpha=alpha, method=method)


_CI_BOUNDS: dict[str, Callable[[int, int, float], tuple[float, float]]] = {
    "wald": _wald,
    "wald_cc": lambda x, n, alpha: _wald(x, n, alpha, cc=True),
    "wilson": _statsmodels("wilson"),
    "wilson_cc": lambda x, n, alpha: _wilson_cc(x, n, stats.norm.ppf(1 - alpha / 2)),
    "clopper_pearson": _statsmodels("beta"),
    "agresti_coull": _statsmodels("agresti_coull"),
    "jeffreys": _statsmodels("jeffreys"),
    "t_mean": _t_mean,
}


def proportion_ci(
    x: int, n: int, method: CIMethod = "clopper_pearson", conf: float = 0.95
) -> tuple[float, float, float]:
    """Estimate a proportion with a two-sided confidence interval.

    Parameters
    ----------
    x : int
        Number of successes (0 <= x <= n).
    n : int
        Number of trials (> 0).
    method : str
        One of :data:`CI_METHODS`. Default ``"clopper_pearson"`` matches R's
        ``binom.test(x, n)$conf.int``; ``"wilson_cc"`` matches R's default
        ``prop.test``; ``"t_mean"`` matches ``t.test`` on a 0/1 vector.
    conf : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of float
        ``(estimate, low, high)`` as proportions (not percent). Wald-type bounds are
        not truncated to [0, 1], as in the textbook formula.

    Raises
    ------
    ValueError
        If a count is negative or not whole, ``x > n``, ``n == 0``, or the method
        or ``conf`` is unknown or out of range.

    Examples
    --------
    >>> est, lo, hi = proportion_ci(34, 43, method="clopper_pearson")
    >>> round(est, 4), round(lo, 4), round(hi, 4)
    (0.7907, 0.6396, 0.8996)
    >>> proportion_ci(5, 3)
    Traceback (most recent call last):
    ...
    ValueError: x (5) must not exceed n (3)
    """
    x, n = check_count(x, "x"), check_count(n, "n")
    if n == 0:
        raise ValueError("n must be positive")
    if x > n:
        raise ValueError(f"x ({x}) must not exceed n ({n})")
    if not 0 < conf < 1:
        raise ValueError(f"conf must be strictly between 0 and 1, got {conf!r}")
    if method not in CI_METHODS:
        raise ValueError(f"method must be one of {sorted(CI_METHODS)}, got {method!r}")
    if method == "t_mean" and n < 2:
        raise ValueError("method 't_mean' needs n >= 2")
    lo, hi = _CI_BOUNDS[method](x, n, 1 - conf)
    p = x / n
    return float(p), float(lo), float(hi)
