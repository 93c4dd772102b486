"""Find which confidence-interval method produced a paper's printed intervals.

Given counts and the printed point estimate and bounds, recompute the interval with
every method of :data:`carbook.tables.CI_METHODS`, under two rounding rules, and
report which reproduce the printed numbers at their printed precision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import special

from carbook.plots import interval_plot
from carbook.published import printed_interval
from carbook.tables import CI_METHODS, proportion_ci

__all__ = [
    "ROUNDING_RULES",
    "ci_grid",
    "ci_methods_figure",
    "km_transform_check",
    "search_ci_methods",
]

#: How the point estimate enters the interval formula.
ROUNDING_RULES = {
    "unrounded": "p = x/n as computed",
    "rounded_point": "p rounded to the printed percent before computing the bounds",
}


def _interval(x: int, n: int, method: str, rule: str, decimals: int) -> tuple[float, float]:
    _, lo, hi = proportion_ci(x, n, method=method)  # type: ignore[arg-type]
    if rule == "rounded_point":
        p = x / n
        shift = round(100 * p, decimals) / 100 - p  # move the whole interval with p
        lo, hi = lo + shift, hi + shift
    return 100 * lo, 100 * hi


def ci_grid(x: int, n: int, methods: list[str] | None = None) -> pd.DataFrame:
    """Percent estimate and 95% CI of ``x``/``n`` under every method.

    Examples
    --------
    >>> ci_grid(34, 43).set_index("method").loc["clopper_pearson", "low"].round(2)
    np.float64(63.96)
    """
    rows = []
    for method in methods or list(CI_METHODS):
        _, lo, hi = proportion_ci(x, n, method=method)  # type: ignore[arg-type]
        rows.append({"method": method, "estimate": 100 * x / n, "low": 100 * lo, "high": 100 * hi})
    return pd.DataFrame(rows)


def _matches(value: float, printed: str) -> bool:
    """Whether ``value`` prints as ``printed``, rounding half up or half to even.

    R's ``round`` and ``sprintf`` follow IEC 60559 (half to even): a value exactly
    at the upper edge prints as ``printed`` when its last digit is even.
    """
    lo, hi = printed_interval(printed)
    if lo <= value < hi:
        return True
    digits = printed.lstrip("<>").replace(".", "")
    even = digits[-1:].isdigit() and int(digits[-1]) % 2 == 0
    return even and abs(value - hi) <= 1e-9 * max(1.0, abs(hi))


def search_ci_methods(cases: pd.DataFrame) -> pd.DataFrame:
    """Score every (method, rounding rule) pair against printed intervals.

    Parameters
    ----------
    cases : pandas.DataFrame
        Columns ``x``, ``n``, ``value``, ``low``, ``high`` (the last three as
        printed text, in percent).

    Returns
    -------
    pandas.DataFrame
        One row per method and rule with ``bounds_matched`` (out of
        ``2 * len(cases)``) and ``all_match``; best first.

    Raises
    ------
    ValueError
        If a required column is missing.

    Examples
    --------
    >>> cases = pd.DataFrame({"x": [34], "n": [43], "value": ["79"], "low": ["66"], "high": ["92"]})
    >>> res = search_ci_methods(cases)
    >>> res.loc[res["all_match"] & (res["rounding"] == "unrounded"), "method"].tolist()
    ['wald_cc', 't_mean']
    """
    missing = {"x", "n", "value", "low", "high"} - set(cases.columns)
    if missing:
        raise ValueError(f"cases is missing columns {sorted(missing)}")
    rows = []
    for method in CI_METHODS:
        for rule in ROUNDING_RULES:
            hits = 0
            for case in cases.itertuples():
                dec = len(case.value.partition(".")[2])
                lo, hi = _interval(int(case.x), int(case.n), method, rule, dec)
                hits += _matches(lo, case.low) + _matches(hi, case.high)
            rows.append({"method": method, "rounding": rule, "bounds_matched": hits})
    out = pd.DataFrame(rows)
    out["bounds_total"] = 2 * len(cases)
    out["all_match"] = out["bounds_matched"] == out["bounds_total"]
    return out.sort_values("bounds_matched", ascending=False, kind="stable").reset_index(drop=True)


def ci_methods_figure(
    x: int, n: int, highlight: str | None = None, published: tuple[float, float] | None = None
) -> Figure:
    """Every method's 95% CI for ``x``/``n`` on one axis (percent).

    Examples
    --------
    >>> fig = ci_methods_figure(34, 43, highlight="t_mean", published=(66, 92))
    >>> len(fig.axes[0].get_yticklabels())
    8
    """
    grid = ci_grid(x, n).rename(columns={"method": "label"})
    title = f"95% CI for {x}/{n} = {100 * x / n:.1f}% by method"
    return interval_plot(grid, title, published=published, highlight=highlight)


def _implied_se(s: np.ndarray, bound: float, transform: str, side: int) -> np.ndarray:
    """Standard error of -log S that puts the ``side`` (-1 lower, +1 upper) limit at ``bound``."""
    z = special.ndtri(0.975)
    with np.errstate(divide="ignore", invalid="ignore"):
        if transform == "plain":
            return side * (bound - s) / (z * s)
        if transform == "log":
            return side * np.log(bound / s) / z
        h = -np.log(s)  # log-log: the interval is symmetric in log(-log S)
        return side * h * (np.log(h) - np.log(-np.log(bound))) / z


def _capped(rng: np.ndarray, s: np.ndarray, transform: str, side: int, edge: float) -> np.ndarray:
    """Widen the SE range where R caps the limit (log upper at 1; plain at 0 and 1).

    A printed 100.0 (or 0.0 for "plain") is then any SE at least the one that
    reaches the cap.
    """
    caps = {"log": (None, 1.0), "plain": (0.0, 1.0)}.get(transform, (None, None))
    cap = caps[0] if side < 0 else caps[1]
    if cap is None or (side > 0 and edge < cap) or (side < 0 and edge > cap):
        return rng
    at_cap = _implied_se(s, cap, transform, side)
    return np.array([np.fmin(rng[0], at_cap), np.full_like(at_cap, np.inf)])


def km_transform_check(
    value: str, low: str, high: str, transforms: tuple[str, ...] = ("log", "log-log", "plain")
) -> pd.DataFrame:
    """Find the Kaplan-Meier CI transforms that can produce a printed rate and interval.

    Each transform is symmetric on its own scale, so the lower and the upper limit
    must imply the same standard error. For every survival value that prints as
    ``value`` (percent), the range of standard errors each printed limit allows is
    computed; a transform is consistent when the two ranges overlap for some value.
    Uses the published numbers only: no patient data. R caps the "log" upper limit
    at 1 and the "plain" limits at 0 and 1, so a printed 100.0 (or 0.0) allows
    any larger standard error.

    Raises
    ------
    ValueError
        If the printed limits are not ordered (low <= value <= high).

    Returns
    -------
    pandas.DataFrame
        Indexed by transform: the standard-error ranges implied by each limit and
        ``consistent``.

    Examples
    --------
    >>> km_transform_check("26.6", "17", "42")["consistent"].to_dict()
    {'log': True, 'log-log': False, 'plain': False}
    >>> bool(km_transform_check("98.5", "96.6", "100.0").loc["log", "consistent"])
    True
    """
    (s0, s1), (l0, l1), (h0, h1) = (np.array(printed_interval(x)) / 100 for x in (value, low, high))
    if not l0 <= s1 or not s0 <= h1 or not l0 <= h1:
        raise ValueError(f"low ({low}) <= value ({value}) <= high ({high}) must hold")
    grid = np.linspace(s0, s1, 201)[:-1]
    rows = {}
    for tr in transforms:
        lo = np.sort([_implied_se(grid, b, tr, -1) for b in (l0, l1)], axis=0)
        hi = np.sort([_implied_se(grid, b, tr, +1) for b in (h0, h1)], axis=0)
        lo, hi = _capped(lo, grid, tr, -1, l0), _capped(hi, grid, tr, +1, h1)
        overlap = (np.maximum(lo[0], hi[0]) <= np.minimum(lo[1], hi[1])).any()
        rows[tr] = {
            "se from lower limit": f"{np.nanmin(lo):.3f}-{np.nanmax(lo):.3f}",
            "se from upper limit": f"{np.nanmin(hi):.3f}-{np.nanmax(hi):.3f}",
            "consistent": bool(overlap),
        }
    return pd.DataFrame(rows).T.astype({"consistent": bool})
