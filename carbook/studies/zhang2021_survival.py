"""Zhang 2021, survival half: how narrow a 1-year interval is with 43 (or 34) uncensored subjects.

The document prints 1-year EFS and OS of 43% (25, 62) for 43 subjects and 59% (37, 81)
for the 34 in CR (printed "N = 43"). Without censoring before one year the Kaplan-Meier
estimate is a proportion and its Greenwood variance is S(1 - S)/n, the binomial one.
:func:`uncensored_intervals` gives that interval under each of R's ``survfit``
``conf.type`` transforms; :func:`effective_n` finds, for each transform, every
"effective" sample size n_eff = S(1 - S)/Var(S) whose interval prints as published,
so both bounds test the transform (a CI-method detective) and the largest n_eff says
how much information censoring must at least have removed.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import special

from carbook.published import decimals, load_published, printed_interval
from carbook.reconstruct.run import load_cohort
from carbook.studies.models import endpoints

__all__ = [
    "CONF_TYPES",
    "PRINTED",
    "cir_efs_proof",
    "cir_shape_proof",
    "conf_type_detective",
    "effective_n",
    "os_width_proof",
    "synthetic_curves",
    "uncensored_intervals",
    "width_findings",
]

#: R survfit's conf.type transforms (R 3.6, survival 3.x), as the book names them
CONF_TYPES = ("plain", "log", "log-log", "logit", "arcsin")
#: printed 1-year interval -> the number of subjects it can rest on (43 printed; 34 in CR)
PRINTED = {"efs_1y": 43, "efs_1y_cr": 34}


def _limits(s: float, n: np.ndarray, conf_type: str, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """R survfit limits at ``S = s`` with Greenwood se of -log S = sqrt((1 - S)/(n S))."""
    if conf_type not in CONF_TYPES:
        raise ValueError(f"conf_type must be one of {CONF_TYPES}, got {conf_type!r}")
    if not 0 < s < 1:
        raise ValueError(f"s must be strictly between 0 and 1, got {s}")
    z = special.ndtri(1 - (1 - conf) / 2)
    se_log = np.sqrt((1 - s) / (np.asarray(n, dtype=float) * s))
    if conf_type == "plain":
        return np.maximum(s - z * s * se_log, 0.0), np.minimum(s + z * s * se_log, 1.0)
    if conf_type == "log":
        return s * np.exp(-z * se_log), np.minimum(s * np.exp(z * se_log), 1.0)
    if conf_type == "log-log":
        half = z * se_log / np.log(s)
        return np.exp(-np.exp(np.log(-np.log(s)) - half)), np.exp(
            -np.exp(np.log(-np.log(s)) + half)
        )
    if conf_type == "logit":
        mid, half = np.log(s / (1 - s)), z * se_log / (1 - s)
        return special.expit(mid - half), special.expit(mid + half)
    mid, half = np.arcsin(np.sqrt(s)), z * se_log * 0.5 * np.sqrt(s / (1 - s))
    return np.sin(np.maximum(mid - half, 0)) ** 2, np.sin(np.minimum(mid + half, np.pi / 2)) ** 2


def uncensored_intervals(s: float, n: float, conf: float = 0.95) -> pd.DataFrame:
    """The 1-year interval of an uncensored Kaplan-Meier estimate ``s`` on ``n`` subjects.

    Without censoring Greenwood's variance is S(1 - S)/n, so these are R's
    ``summary(survfit(Surv(time, event) ~ 1, conf.type = ...), times = 12)`` limits
    for any uncensored sample with ``S(12) = s``.

    Returns
    -------
    pandas.DataFrame
        One row per ``conf_type``: ``low``, ``high``, ``width`` and ``half_width``
        (half the width), in percent.

    Examples
    --------
    >>> u = uncensored_intervals(0.43, 43).set_index("conf_type")
    >>> u.loc["plain", ["low", "high"]].round(1).tolist()
    [28.2, 57.8]
    """
    rows = []
    for ct in CONF_TYPES:
        lo, hi = _limits(s, np.array([n]), ct, conf)
        rows.append({"conf_type": ct, "low": 100 * lo[0], "high": 100 * hi[0]})
    out = pd.DataFrame(rows)
    out["width"] = out["high"] - out["low"]
    out["half_width"] = out["width"] / 2
    return out


def effective_n(
    value: str, low: str, high: str, conf: float = 0.95, grid: np.ndarray | None = None
) -> pd.DataFrame:
    """Effective sample sizes whose uncensored interval prints as ``value (low, high)``.

    For each ``conf_type`` the estimate is taken across the interval that prints as
    ``value`` (41 evenly spaced points, both ends included) and n_eff over ``grid``
    (default 2 to 200 by 0.01); a pair fits when both limits lie in the closed
    intervals that print as the printed bounds (percent text). Closing the intervals
    is liberal: a transform that does not fit here fits nowhere, and ``n_max`` bounds
    the n_eff that prints the interval from above (to the grid step).

    Returns
    -------
    pandas.DataFrame
        One row per ``conf_type``: ``fits`` (some n_eff prints both bounds), and
        ``n_min``, ``n_max`` (the range of n_eff that does; NaN when none).

    Examples
    --------
    >>> e = effective_n("43", "25", "62").set_index("conf_type")
    >>> bool(e.loc["plain", "fits"]), bool(e.loc["log", "fits"])
    (True, False)
    >>> bool(26 < e.loc["plain", "n_min"] < e.loc["plain", "n_max"] < 29.2)
    True
    """
    grid = np.arange(2.0, 200.0, 0.01) if grid is None else np.asarray(grid, dtype=float)
    v_lo, v_hi = printed_interval(value)
    (a_lo, b_lo), (a_hi, b_hi) = printed_interval(low), printed_interval(high)
    rows = []
    for ct in CONF_TYPES:
        hits = np.zeros(grid.size, dtype=bool)
        for s in np.linspace(v_lo, v_hi, 41) / 100:
            lo, hi = (100 * b for b in _limits(s, grid, ct, conf))
            hits |= (a_lo <= lo) & (lo <= b_lo) & (a_hi <= hi) & (hi <= b_hi)
        found = grid[hits]
        rows.append(
            {
                "conf_type": ct,
                "fits": bool(found.size),
                "n_min": found.min() if found.size else np.nan,
                "n_max": found.max() if found.size else np.nan,
            }
        )
    return pd.DataFrame(rows)


def conf_type_detective() -> pd.DataFrame:
    """Which ``conf_type`` prints each interval of :data:`PRINTED` at some n_eff, and all.

    Returns
    -------
    pandas.DataFrame
        Index ``conf_type``; one boolean column per printed claim and ``all`` (it
        fits every printed interval).

    Examples
    --------
    >>> d = conf_type_detective()
    >>> d.index[d["all"]].tolist()
    ['plain']
    """
    reg = load_published("zhang2021").set_index("id")
    cols = {}
    for claim in PRINTED:
        printed = (reg.loc[claim, k] for k in ("value", "low", "high"))
        cols[claim] = effective_n(*printed).set_index("conf_type")["fits"]
    out = pd.DataFrame(cols)
    out["all"] = out.all(axis=1)
    return out


def width_findings(conf_type: str = "plain") -> pd.DataFrame:
    """Printed width against the uncensored width, and the censoring it needs.

    For each printed interval of :data:`PRINTED` (and, for the CR subgroup, also the
    printed N of 43): the uncensored half-width under ``conf_type``, the printed
    half-width, the largest n_eff whose interval prints as published
    (:func:`effective_n`) and the least information censoring must have removed,
    ``1 - n_max / N``.

    Examples
    --------
    >>> f = width_findings().set_index(["claim", "N"])
    >>> f.loc[("efs_1y", 43), "uncensored_half_width"].round(1)
    np.float64(14.8)
    >>> bool((f["printed_half_width"] > f["uncensored_half_width"]).all())
    True
    """
    reg = load_published("zhang2021").set_index("id")
    rows = []
    for claim, n_sub in PRINTED.items():
        v, lo, hi = (reg.loc[claim, k] for k in ("value", "low", "high"))
        fit = effective_n(v, lo, hi).set_index("conf_type").loc[conf_type]
        for n in sorted({n_sub, int(reg.loc[claim, "N"])}):
            unc = uncensored_intervals(float(v) / 100, n).set_index("conf_type").loc[conf_type]
            rows.append(
                {
                    "claim": claim,
                    "printed": f"{v} ({lo}, {hi})",
                    "N": n,
                    "uncensored_half_width": unc["half_width"],
                    "printed_half_width": (float(hi) - float(lo)) / 2,
                    "n_eff_max": fit["n_max"],
                    "min_information_lost": 1 - fit["n_max"] / n,
                }
            )
    return pd.DataFrame(rows)


def synthetic_curves(seed: int = 1) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The SYNTHETIC cohort's endpoints, for all subjects and for the 34 in CR.

    Keys ``efs``, ``os`` (time, event) for all 43; ``efs_cr``, ``os_cr`` and
    ``relapse_cr`` (time, status: 1 relapse, 2 death first, 0 censored) for the CR
    subgroup, as the targets define it.

    Examples
    --------
    >>> curves = synthetic_curves()
    >>> len(curves["os"][0]), len(curves["os_cr"][0])
    (43, 34)
    """
    ends = endpoints("zhang2021", seed)
    in_cr = load_cohort("zhang2021", seed)["cr"].to_numpy() == 1
    out = {name: ends[name] for name in ("efs", "os")}
    for name in ("efs", "os", "relapse"):
        t, e = ends[name]
        out[f"{name}_cr"] = (t[in_cr], e[in_cr])
    return out


def _max_greenwood(n: int, at_risk: int, bin_width: float, s_lo: float) -> np.ndarray:
    """Largest Greenwood sum G = sum 1/(n_i (n_i - 1)) per bin of -log S, over paths.

    A path takes the risk set from ``n`` down to ``at_risk`` one subject at a time, each
    a death (S times 1 - 1/n_i, G plus 1/(n_i (n_i - 1))) or a censoring, with at most
    ``at_risk`` censorings. A bin's G is an upper bound for every path ending in it: a
    shifted bin is credited to both bins it overlaps.
    """
    bins = int(np.ceil(-np.log(s_lo) / bin_width)) + 2
    g = np.full((at_risk + 1, bins), -np.inf)
    g[0, 0] = 0.0
    for size in range(n, at_risk, -1):
        nxt = np.full_like(g, -np.inf)
        nxt[1:] = g[:-1]  # a censoring
        shift = int(np.floor(-np.log1p(-1.0 / size) / bin_width))
        for off in (shift, shift + 1):  # a death
            if off < bins:
                nxt[:, off:] = np.maximum(
                    nxt[:, off:], g[:, : bins - off] + 1 / (size * (size - 1))
                )
        g = nxt
    return g.max(axis=0)


@lru_cache(maxsize=1)
def os_width_proof(bin_width: float = 1e-4) -> dict[str, float | bool | int]:
    """Proof that no cohort of 43 with the printed follow-up prints 1-year OS 43% (25, 62).

    Facts used: 43 subjects; the survivors' median follow-up prints as 18 months, so
    at least half the survivors are followed beyond 12 months and the ``c`` survivors
    censored before 12 months are at most the ``R`` subjects still at risk at 12;
    Greenwood's variance (R's ``survfit``, any ``conf.type``). For Greenwood,
    Var(S)/S^2 <= (1 - S)/R, so n_eff = S(1 - S)/Var(S) >= R/S, and ``R`` above
    ``r_max`` cannot reach the largest n_eff that prints both bounds under any
    transform (:func:`effective_n`). For R <= ``r_max`` every order of deaths and
    censorings is searched (:func:`_max_greenwood`, conservative bins of -log S).

    Returns
    -------
    dict
        ``n_eff_printed``: largest n_eff printing 43 (25, 62) under any conf.type;
        ``r_max``; ``n_eff_min``: smallest n_eff any admissible cohort reaches; and
        ``holds``: ``n_eff_min > n_eff_printed``.

    Examples
    --------
    >>> proof = os_width_proof()
    >>> proof["holds"], round(proof["n_eff_printed"], 2), round(proof["n_eff_min"], 2)
    (True, 29.14, 29.88)
    """
    reg = load_published("zhang2021").set_index("id")
    value, low, high = (reg.loc["os_1y", k] for k in ("value", "low", "high"))
    n = int(reg.loc["os_1y", "N"])
    grid = np.arange(10.0, 60.0, 0.01)  # the fits lie well inside (checked below)
    fits = effective_n(value, low, high, grid=grid)
    printed = float(fits["n_max"].max()) + 0.01
    if fits["n_min"].min() <= grid[0] or printed >= grid[-1]:
        raise ValueError(f"the n_eff grid {grid[0]:g}..{grid[-1]:g} cuts the fits: {fits}")
    s_lo, s_hi = (x / 100 for x in printed_interval(value))
    r_max = int(np.floor(printed * s_hi))
    i = np.arange(int(np.ceil(-np.log(s_lo) / bin_width)) + 2)
    s_top = np.minimum(np.exp(-i * bin_width), s_hi)
    inside = (np.exp(-(i + 1) * bin_width) < s_hi) & (np.exp(-i * bin_width) >= s_lo)
    least = np.inf
    for at_risk in range(1, r_max + 1):
        g = _max_greenwood(n, at_risk, bin_width, s_lo)
        ok = inside & np.isfinite(g) & (g > 0)
        with np.errstate(divide="ignore"):
            neff = np.where(ok, (1 - s_top) / (s_top * g), np.inf)
        least = min(least, float(neff.min()))
    return {
        "n_eff_printed": printed,
        "r_max": r_max,
        "n_eff_min": least,
        "holds": bool(least > printed),
    }


def cir_shape_proof() -> dict[str, float | bool]:
    """Proof that no ``cmprsk`` log(-log) interval prints the 1-year CIR 41% (25, 62).

    ``cuminc``'s limits are ``F^(1/k)`` and ``F^k`` with ``k = exp(z sd / (F log F))``
    (:func:`carbook.survival.cif_log_log`), so whatever the variance,
    ``log(low) log(high) = log(F)^2``: the ratio ``log(low) log(high) / log(F)^2`` is 1.
    Over the rounding intervals of the printed estimate and bounds the ratio is largest
    with the smallest bounds and the largest estimate (all logs are negative), so its
    supremum is its value at those ends of the (closed) intervals.

    Returns
    -------
    dict
        ``ratio_max``: the largest ratio the printed numbers allow; ``holds``: it is
        below 1 (the interval is not cmprsk's, for any variance estimator).

    Examples
    --------
    >>> proof = cir_shape_proof()
    >>> proof["holds"], round(proof["ratio_max"], 3)
    (True, 0.884)
    """
    reg = load_published("zhang2021").set_index("id")
    (_, f_hi), (lo, _), (hi, _) = (
        (x / 100 for x in printed_interval(reg.loc["cir_1y_cr", k]))
        for k in ("value", "low", "high")
    )
    ratio = float(np.log(lo) * np.log(hi) / np.log(f_hi) ** 2)
    return {"ratio_max": ratio, "holds": ratio < 1}


def _complement(text: str) -> str:
    """The printed percent ``text`` read on the other scale (F -> 1 - F), same decimals."""
    return f"{100 - float(text):.{decimals(text)}f}"


@lru_cache(maxsize=1)
def cir_efs_proof() -> dict[str, object]:
    """Proof that the CR subgroup's CIR interval contradicts its EFS interval.

    In the 34 subjects in CR the document prints 1-year EFS 59% (37, 81) and 1-year
    cumulative incidence of relapse (CIR) 41% (25, 62).

    1. *No death before relapse within the year.* EFS and 1 - KM of relapse (deaths
       censored) share every risk set, so each such death multiplies EFS by
       ``1 - 1/r <= 1 - 1/34`` relative to 1 - CIR. Both estimates print as 59% (EFS
       in [58.5, 59.5), 1 - CIR in (58.5, 59.5]), a ratio of at least
       ``58.5/59.5 > 33/34``: no such death fits. Without one, ``cmprsk::cuminc``'s
       Aalen-Johansen estimate is 1 - KM too, and EFS and 1 - CIR are one step
       function with one Greenwood variance up to 12 months.
    2. *One variance, two widths.* Each printed interval fixes, per R ``survfit``
       ``conf.type``, the effective sample size ``n_eff = S(1 - S)/Var(S)`` that prints
       it (:func:`effective_n`, liberal closed rounding intervals): EFS on S, CIR on
       1 - S (its printed bounds complemented). If no transform of the one fits an
       n_eff that some transform of the other fits, no cohort prints both.
    3. ``cmprsk``'s log(-log) interval on F is excluded for any variance by
       :func:`cir_shape_proof`.

    Returns
    -------
    dict
        ``ratio_floor`` (58.5/59.5) and ``one_death`` (33/34) of step 1;
        ``efs`` and ``cir``: conf.type -> (n_min, n_max) that prints each interval
        (transforms that fit only); ``gap``: smallest distance between an EFS and a
        CIR range (negative if they overlap); ``holds``: step 1 holds, the ranges are
        disjoint by more than the 0.01 grid step, and :func:`cir_shape_proof` holds.

    Examples
    --------
    >>> proof = cir_efs_proof()
    >>> proof["holds"], sorted(proof["efs"]), sorted(proof["cir"])
    (True, ['plain'], ['log-log'])
    >>> round(proof["gap"], 2)
    4.55
    """
    reg = load_published("zhang2021").set_index("id")
    efs = [str(reg.loc["efs_1y_cr", k]) for k in ("value", "low", "high")]
    cir = [str(reg.loc["cir_1y_cr", k]) for k in ("value", "high", "low")]
    (e_lo, _), (f_lo, _) = printed_interval(efs[0]), printed_interval(cir[0])
    n = int(reg.loc["cr_n", "value"])
    ratio_floor, one_death = e_lo / (100 - f_lo), 1 - 1 / n
    ranges = {}
    for name, (v, lo, hi) in (("efs", efs), ("cir", [_complement(x) for x in cir])):
        fits = effective_n(v, lo, hi).set_index("conf_type")
        fits = fits[fits["fits"]]
        ranges[name] = {ct: (float(r.n_min), float(r.n_max)) for ct, r in fits.iterrows()}
    gap = min(
        max(a0 - b1, b0 - a1)
        for a0, a1 in ranges["efs"].values()
        for b0, b1 in ranges["cir"].values()
    )
    holds = ratio_floor > one_death and gap > 0.01 and bool(cir_shape_proof()["holds"])
    return {
        "ratio_floor": ratio_floor,
        "one_death": one_death,
        **ranges,
        "gap": gap,
        "holds": holds,
    }
