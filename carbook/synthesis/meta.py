"""Random-effects pooling of proportions on the logit scale, matched to R's metafor.

The per-study logit and its variance are metafor's ``escalc(measure = "PLO", xi, ni)``:
``log((x + c) / (n - x + c))`` and ``1/(x + c) + 1/(n - x + c)``, with the continuity
correction ``c = 1/2`` added only to a study with ``x = 0`` or ``x = n`` (escalc's
``add = 1/2, to = "only0"``); ``c = 0`` elsewhere. The pooling is
:func:`statsmodels.stats.meta_analysis.combine_effects`; ``"dl"`` is metafor's
``rma(yi, vi, method = "DL")`` and ``"pm"`` its ``method = "PM"``. The prediction
interval is metafor's ``predict(fit)``: ``mu ± z·sqrt(se² + tau²)``; ``pi_dist="t"``
gives Higgins, Thompson & Spiegelhalter's (2009) ``t`` with ``k - 2`` degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.stats.meta_analysis import combine_effects

__all__ = ["POOL_METHODS", "leave_one_out", "logit_effects", "pool_proportions"]

#: pooling method -> (statsmodels ``method_re``, the R call it matches)
POOL_METHODS: dict[str, tuple[str, str]] = {
    "dl": ("chi2", 'metafor::rma(yi, vi, method = "DL")  (DerSimonian-Laird)'),
    "pm": ("iterated", 'metafor::rma(yi, vi, method = "PM")  (Paule-Mandel)'),
}


def _counts(x: Sequence[int], n: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    xs, ns = np.asarray(x), np.asarray(n)
    if xs.shape != ns.shape or xs.ndim != 1:
        raise ValueError(f"x and n must be 1-d of one length, got {xs.shape} and {ns.shape}")
    for name, v in (("x", xs), ("n", ns)):
        if not np.issubdtype(v.dtype, np.number) or (v % 1 != 0).any() or (v < 0).any():
            raise ValueError(f"{name} must hold whole counts >= 0, got {v.tolist()}")
    if (ns == 0).any() or (xs > ns).any():
        raise ValueError(f"each n must be positive and each x <= n, got x={xs}, n={ns}")
    return xs.astype(float), ns.astype(float)


def logit_effects(
    x: Sequence[int], n: Sequence[int], correction: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Logit of each proportion and its variance, as metafor's ``escalc("PLO")``.

    Parameters
    ----------
    x, n : sequence of int
        Responders and patients per study.
    correction : float
        Added to both cells of a study with ``x = 0`` or ``x = n`` only (escalc's
        ``add = 1/2, to = "only0"``); must be > 0 when such a study is present.

    Returns
    -------
    tuple of numpy.ndarray
        ``(yi, vi)``: logits and their variances.

    Raises
    ------
    ValueError
        If counts are not whole, negative or ``x > n``, or a 0/n or n/n study meets
        ``correction <= 0``.

    Examples
    --------
    >>> yi, vi = logit_effects([0, 5], [10, 10])
    >>> yi.round(4).tolist(), vi.round(4).tolist()
    ([-3.0445, 0.0], [2.0952, 0.4])
    """
    xs, ns = _counts(x, n)
    edge = (xs == 0) | (xs == ns)
    if edge.any() and correction <= 0:
        raise ValueError(f"correction must be > 0 for a 0/n or n/n study, got {correction}")
    c = np.where(edge, correction, 0.0)
    a, b = xs + c, ns - xs + c
    return np.log(a / b), 1 / a + 1 / b


def _prediction(mu: float, se: float, tau2: float, k: int, conf: float, dist: str) -> tuple:
    if dist == "z":
        q = stats.norm.ppf(0.5 + conf / 2)
    elif dist == "t":
        if k < 3:
            raise ValueError(f"pi_dist='t' needs k >= 3 studies (k - 2 df), got k={k}")
        q = stats.t.ppf(0.5 + conf / 2, k - 2)
    else:
        raise ValueError(f"pi_dist must be 'z' or 't', got {dist!r}")
    half = q * np.sqrt(se**2 + tau2)
    return mu - half, mu + half


def _combine(yi: np.ndarray, vi: np.ndarray, method: str) -> tuple[float, float, float, float]:
    """``(mu, se, tau2, Q)`` from statsmodels' ``combine_effects``, truncated as metafor.

    statsmodels 0.15 does not truncate the DerSimonian-Laird tau² at 0 (metafor and
    DerSimonian & Laird 1986 do): with Q < k - 1 its random-effects weights
    ``1/(v + tau²)`` use a negative tau² (and can make ``v + tau²`` negative). Then
    tau² = 0 and the random-effects estimate is the fixed-effect one. Paule-Mandel keeps
    statsmodels' default tolerance (|estimating equation| < 1e-5): a tighter one lets a
    last Newton step overshoot to a tiny negative value, which statsmodels then resets
    to tau² = 0. I² is left to :func:`_i2`: statsmodels divides by Q, which is 0 when
    every study has the same proportion.
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # its I² when Q = 0
        res = combine_effects(yi, vi, method_re=POOL_METHODS[method][0])
    if res.tau2 <= 0:
        return float(res.mean_effect_fe), float(res.sd_eff_w_fe), 0.0, float(res.q)
    return float(res.mean_effect_re), float(res.sd_eff_w_re), float(res.tau2), float(res.q)


def _i2(vi: np.ndarray, tau2: float) -> float:
    """I² of the chosen tau², as metafor's ``rma(...)$I2``.

    ``tau2 / (tau2 + s2)`` with the typical within-study variance
    ``s2 = (k - 1) Σw / ((Σw)² - Σw²)``, ``w = 1/vi``; for DL it equals Higgins'
    ``(Q - (k - 1)) / Q`` truncated at 0.
    """
    w = 1 / vi
    s2 = (len(w) - 1) * w.sum() / (w.sum() ** 2 - (w**2).sum())
    return 100 * tau2 / (tau2 + s2)


def pool_proportions(
    x: Sequence[int],
    n: Sequence[int],
    method: str = "dl",
    correction: float = 0.5,
    conf: float = 0.95,
    pi_dist: str = "z",
) -> pd.Series:
    """Random-effects pooled proportion with heterogeneity and a prediction interval.

    Matches metafor's ``predict(rma(escalc("PLO", xi, ni), method = "DL" | "PM"))``,
    back-transformed with the inverse logit (``transf = transf.ilogit``).

    Parameters
    ----------
    x, n : sequence of int
        Responders and patients per study (at least 2 studies).
    method : {"dl", "pm"}
        Between-study variance: DerSimonian-Laird or Paule-Mandel (:data:`POOL_METHODS`).
    correction : float
        Continuity correction for a 0/n or n/n study (see :func:`logit_effects`).
    conf : float
        Level of the confidence and prediction intervals.
    pi_dist : {"z", "t"}
        Quantile of the prediction interval: normal (metafor's ``predict``) or ``t``
        with ``k - 2`` df (Higgins et al. 2009).

    Returns
    -------
    pandas.Series
        ``k``, ``estimate``, ``low``, ``high``, ``pi_low``, ``pi_high`` (proportions),
        ``mu``, ``se`` (logit scale), ``tau2``, ``i2`` (percent, of the chosen
        ``tau2`` as metafor's ``$I2``), ``q``, ``q_p``,
        ``method``.

    Raises
    ------
    ValueError
        Fewer than 2 studies, an unknown method, or bad counts.

    Examples
    --------
    >>> p = pool_proportions([4, 14, 2], [10, 26, 9], method="dl")
    >>> p[["estimate", "tau2", "i2"]].astype(float).round(4).tolist()
    [0.4339, 0.1126, 24.0524]
    """
    if method not in POOL_METHODS:
        raise ValueError(f"method must be one of {sorted(POOL_METHODS)}, got {method!r}")
    if not 0 < conf < 1:
        raise ValueError(f"conf must be strictly between 0 and 1, got {conf!r}")
    yi, vi = logit_effects(x, n, correction)
    k = len(yi)
    if k < 2:
        raise ValueError(f"pooling needs at least 2 studies, got {k}")
    mu, se, tau2, q = _combine(yi, vi, method)
    z = stats.norm.ppf(0.5 + conf / 2)
    pi = _prediction(mu, se, tau2, k, conf, pi_dist)
    i2 = _i2(vi, tau2)
    logits = {"estimate": mu, "low": mu - z * se, "high": mu + z * se}
    out = {key: float(special.expit(v)) for key, v in logits.items()}
    out |= {"pi_low": float(special.expit(pi[0])), "pi_high": float(special.expit(pi[1]))}
    out |= {"k": k, "mu": mu, "se": se, "tau2": tau2, "i2": i2, "q": q}
    out |= {"q_p": float(stats.chi2.sf(q, k - 1)), "method": method}
    return pd.Series(out)


def leave_one_out(
    x: Sequence[int], n: Sequence[int], labels: Sequence[str], method: str = "dl"
) -> pd.DataFrame:
    """Pool again without each study in turn (metafor's ``leave1out(fit)``).

    Parameters
    ----------
    x, n : sequence of int
        Responders and patients per study (at least 3 studies).
    labels : sequence of str
        One name per study.
    method : {"dl", "pm"}
        Between-study variance (see :func:`pool_proportions`).

    Returns
    -------
    pandas.DataFrame
        Indexed by the left-out study: ``estimate``, ``low``, ``high``, ``tau2``,
        ``i2``, ``q``.

    Raises
    ------
    ValueError
        Fewer than 3 studies, or ``labels`` of another length.

    Examples
    --------
    >>> loo = leave_one_out([4, 14, 2], [10, 26, 9], ["a", "b", "c"])
    >>> loo["i2"].round(1).tolist()
    [59.7, 0.0, 0.0]
    """
    xs, ns, names = list(x), list(n), list(labels)
    if len(names) != len(xs) or len(xs) != len(ns):
        raise ValueError(
            f"labels, x and n must have one length: {len(names)}, {len(xs)}, {len(ns)}"
        )
    if len(xs) < 3:
        raise ValueError(f"leave-one-out needs at least 3 studies, got {len(xs)}")
    rows = {}
    for i, name in enumerate(names):
        keep = [j for j in range(len(xs)) if j != i]
        p = pool_proportions([xs[j] for j in keep], [ns[j] for j in keep], method=method)
        rows[name] = p[["estimate", "low", "high", "tau2", "i2", "q"]]
    return pd.DataFrame(rows).T.astype(float).rename_axis("left out")
