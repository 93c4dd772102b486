"""What the printed numbers allow, computed before any search.

Two facts of the authors' conventions bound what a cohort can print:

- **A Wald interval is symmetric on its scale.** ``summary(coxph)`` prints
  ``exp(coef)`` and ``exp(coef -/+ qnorm(.975) * se(coef))``, so the unrounded HR is
  the geometric mean of the unrounded bounds, ``HR = sqrt(low * high)``. The rounding
  intervals of the printed low and high bounds therefore confine the HR to
  ``[sqrt(low0 * high0), sqrt(low1 * high1))``, which must meet the rounding interval
  of the printed HR. ``survfit(conf.type = "log")`` intervals are symmetric on the log
  scale in the same way (``S = sqrt(lower * upper)``, unless the upper bound is
  truncated at 1), ``conf.type = "plain"`` ones on the linear scale
  (``S = (lower + upper) / 2``, unless truncated at 0 or 1).
- **Censoring only widens a Kaplan-Meier interval.** Among ``n`` patients at risk at
  time 0, the Greenwood variance of ``log S(t)`` is at least ``(1 - S) / (n S)``, the
  value without censoring before ``t``: every censoring lowers a later number at risk
  below ``n`` times the survival before it, and the sum of ``d / (r (r - d))``
  telescopes to ``1 / S - 1`` over ``n`` when ``r = n S(t-)``. A printed interval
  narrower than that bound allows is unattainable with ``n`` patients.

- **A cumulative incidence above events / n needs censoring.** In the Aalen-Johansen
  estimate (``cmprsk::cuminc``) each event of interest adds ``S(t-) / r(t)``; an event
  of either cause leaves that weight unchanged for the next exit, a censoring among
  ``r`` at risk multiplies it by ``r / (r - 1)``. Without censoring the estimate is
  ``events / n``; :func:`cif_max` is the largest any order of exits allows with a given
  number of censorings (:func:`cif_fewest_censored` the fewest a printed value needs).
- **Event-free survival and the incidence share their risk sets.** The all-cause KM
  (EFS) is the ``S`` of those weights, so censorings that lift an incidence widen the
  EFS interval; :func:`efs_cir_orders` searches every order of exits for one that
  allows both printed numbers (none: a proof).

A window that is empty, or a bound that a printed interval breaks, is a computed
proof: the number is ``not_reproducible`` with a reason starting ``proof:``. A
non-empty window is where the search must land (:func:`windows`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from carbook.reconstruct.spec import Target
from carbook.reconstruct.targets import Endpoints, infeasible_hr_targets
from carbook.survival.km import _conf_limits

__all__ = [
    "cif_fewest_censored",
    "cif_max",
    "km_landmark_counts",
    "km_width_bound",
    "km_widths",
    "population_sizes",
    "proofs",
    "proved_impossible",
    "symmetric_window",
    "windows",
]

Z = float(stats.norm.ppf(0.975))
WALD_KINDS = ("cox_hr", "cox_mv", "cox_td")

_Interval = tuple[float, float]


def symmetric_window(value: _Interval, low: _Interval, high: _Interval, scale: str) -> _Interval:
    """Unrounded values of an estimate whose interval is symmetric on ``scale``.

    ``value``, ``low`` and ``high`` are half-open rounding intervals ``[a, b)`` of the
    printed estimate and bounds. On the ``"log"`` scale the estimate is the geometric
    mean of its bounds, on the ``"linear"`` scale their mean. Returns ``(lo, hi)``, the
    half-open window of estimates consistent with all three; empty when ``lo >= hi``.
    Pass ``value = (-inf, inf)`` for the window the bounds alone allow.

    Examples
    --------
    Table 2's age HR, 1.11 (0.58-2.10), leaves only [1.105, 1.1097):

    >>> lo, hi = symmetric_window((1.105, 1.115), (0.575, 0.585), (2.095, 2.105), "log")
    >>> round(lo, 4), round(hi, 4)
    (1.105, 1.1097)

    A printed HR of 1.30 with bounds 0.50-2.00 is impossible for a Wald interval:

    >>> lo, hi = symmetric_window((1.295, 1.305), (0.495, 0.505), (1.995, 2.005), "log")
    >>> lo >= hi
    True
    """
    if scale not in ("log", "linear"):
        raise ValueError(f"scale must be 'log' or 'linear', got {scale!r}")
    if scale == "log":
        lo = math.sqrt(max(low[0], 0.0) * max(high[0], 0.0))
        hi = math.sqrt(low[1] * high[1])
    else:
        lo, hi = (low[0] + high[0]) / 2, (low[1] + high[1]) / 2
    return max(lo, value[0]), min(hi, value[1])


def _scale(t: Target) -> str | None:
    """Scale on which a target's printed interval is symmetric, or None if it is not."""
    if t.kind in WALD_KINDS:
        return "log"
    if t.kind == "km_at":
        return {"log": "log", "plain": "linear"}.get(str(t.params.get("conf_type", "log")))
    return None


def _untruncated(t: Target, iv: dict[str, _Interval]) -> bool:
    """False if a KM bound may have been truncated at 0 or 100% (no symmetry then)."""
    if t.kind != "km_at":
        return True
    top = 100.0 * float(t.params.get("scale", 1.0))
    return iv["high"][1] < top and iv["low"][0] > 0


def windows(targets: list[Target]) -> pd.DataFrame:
    """The window of every target printed as estimate (low-high) on a symmetric scale.

    One row per Cox (Wald) or Kaplan-Meier landmark target with all three parts
    printed and finite: the printed text, the scale, the rounding interval of the
    printed estimate (``value_lo``, ``value_hi``), the estimates the rounded bounds
    allow (``bounds_lo``, ``bounds_hi``), the window where both meet (``window_lo``,
    ``window_hi``; all half-open, rounded to 4 decimals for display) and whether it
    is empty (decided before rounding).

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> w = windows(load_spec("wudhikarn2021").targets).set_index("claim")
    >>> age = w.loc["t2_age_hr"]
    >>> age["printed"], float(age["window_lo"]), float(age["window_hi"])
    ('1.11 (0.58-2.10)', 1.105, 1.1097)
    """
    rows = []
    for t in targets:
        scale = _scale(t)
        if scale is None or not {"value", "low", "high"} <= set(t.printed):
            continue
        iv = t.intervals()
        if not all(np.isfinite(iv[k]).all() for k in iv) or not _untruncated(t, iv):
            continue
        lo, hi = symmetric_window(iv["value"], iv["low"], iv["high"], scale)
        b_lo, b_hi = symmetric_window((-math.inf, math.inf), iv["low"], iv["high"], scale)
        rows.append(
            {
                "claim": t.claim,
                "kind": t.kind,
                "printed": f"{t.printed['value']} ({t.printed['low']}-{t.printed['high']})",
                "scale": scale,
                "value_lo": iv["value"][0],
                "value_hi": iv["value"][1],
                "bounds_lo": round(b_lo, 4),
                "bounds_hi": round(b_hi, 4),
                "window_lo": round(lo, 4),
                "window_hi": round(hi, 4),
                "empty": lo >= hi,
            }
        )
    cols = ["claim", "kind", "printed", "scale", "value_lo", "value_hi", "bounds_lo", "bounds_hi"]
    return pd.DataFrame(rows, columns=[*cols, "window_lo", "window_hi", "empty"])


def km_width_bound(n: int, surv: float, conf_type: str = "log") -> float:
    """Smallest standard error a KM estimate ``surv`` can have with ``n`` at risk at 0.

    On the scale of the interval: of ``log S`` for ``conf_type = "log"`` (the
    Greenwood bound ``sqrt((1 - S) / (n S))``), of ``S`` for ``"plain"``
    (``sqrt(S (1 - S) / n)``). Attained when nobody is censored before the landmark.
    Matches ``summary(survfit(Surv(time, status) ~ 1), times = t)$std.err`` (R 3.6,
    which reports the SE of S) for an uncensored sample.

    Examples
    --------
    20 patients, 10 events, nobody censored: S = 0.5, SE(S) = sqrt(.25 / 20).

    >>> round(km_width_bound(20, 0.5, "plain"), 4)
    0.1118
    >>> round(km_width_bound(20, 0.5, "log"), 4)
    0.2236
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not 0 < surv <= 1:
        raise ValueError(f"surv must be in (0, 1], got {surv}")
    if conf_type == "log":
        return math.sqrt((1 - surv) / (n * surv))
    if conf_type == "plain":
        return math.sqrt(surv * (1 - surv) / n)
    raise ValueError(f"conf_type must be 'log' or 'plain', got {conf_type!r}")


def _widest_se(t: Target, iv: dict[str, _Interval], conf_type: str) -> float:
    """Largest SE (on the interval's scale, as a proportion) the printed bounds allow."""
    k = 100.0 * float(t.params.get("scale", 1.0))
    (l0, _), (_, u1) = iv["low"], iv["high"]
    if conf_type == "log":
        return (math.log(u1) - math.log(l0)) / (2 * Z)
    return (u1 - l0) / k / (2 * Z)


def _km_row(t: Target, n: int) -> dict[str, object] | None:
    """The width check of one KM landmark target with ``n`` at risk at 0 (None: no check)."""
    conf_type = str(t.params.get("conf_type", "log"))
    if t.kind != "km_at" or conf_type not in ("log", "plain"):
        return None
    if not {"value", "low", "high"} <= set(t.printed):
        return None
    iv = t.intervals()
    if not _untruncated(t, iv):
        return None
    k = 100.0 * float(t.params.get("scale", 1.0))
    s_max = min(iv["value"][1] / k, 1.0)  # the bound falls as S grows: the kindest reading
    bound = km_width_bound(n, s_max, conf_type)
    widest = _widest_se(t, iv, conf_type)
    return {
        "claim": t.claim,
        "printed": f"{t.printed['value']} ({t.printed['low']}-{t.printed['high']})",
        "conf_type": conf_type,
        "n": n,
        "se_printed_max": round(widest, 4),
        "se_min": round(bound, 4),
        "proved": widest < bound,
    }


def km_widths(targets: list[Target], sizes: dict[str, int]) -> pd.DataFrame:
    """Per KM landmark target, the widest SE its interval allows and the least ``n`` allow.

    The least is :func:`km_width_bound`; ``proved`` if the widest is smaller. SEs are
    on the interval's scale (of ``log S`` for ``conf_type = "log"``, of ``S`` as a
    proportion for ``"plain"``).

    Examples
    --------
    >>> t = Target("s", "km_at", {"endpoint": "os", "time": 12},
    ...            {"value": "50", "low": "45", "high": "55"})
    >>> row = km_widths([t], {"s": 20}).iloc[0]
    >>> float(row["se_printed_max"]), float(row["se_min"]), bool(row["proved"])
    (0.0564, 0.2214, True)
    """
    cols = ["claim", "printed", "conf_type", "n", "se_printed_max", "se_min", "proved"]
    rows = [_km_row(t, sizes[t.claim]) for t in targets if t.claim in sizes]
    return pd.DataFrame([r for r in rows if r], columns=cols)


def population_sizes(
    targets: list[Target],
    cohort: pd.DataFrame,
    endpoints: Endpoints,
) -> dict[str, int]:
    """Patients at time 0 in each Kaplan-Meier landmark target's population.

    Population sizes are margins fixed by construction, so any cohort of the study
    gives them. ``endpoints`` maps an endpoint to ``cohort -> (time, status)``.
    """
    out = {}
    for t in targets:
        if t.kind != "km_at":
            continue
        time = endpoints[t.params["endpoint"]](cohort)[0]
        keep = np.isfinite(time)
        if t.params.get("where") is not None:
            keep &= cohort[t.params["where"]].to_numpy() == 1
        out[t.claim] = int(keep.sum())
    return out


def proved_impossible(targets: list[Target], sizes: dict[str, int]) -> dict[str, str]:
    """Claims no cohort can print, with a reason starting ``proof:``.

    ``sizes`` maps a target's claim to the number of patients in its population at
    time 0 (used for the Kaplan-Meier width bound; targets absent from it are only
    checked for an empty window).

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> proved_impossible(load_spec("wudhikarn2021").targets, {})
    {}
    """
    out: dict[str, str] = {}
    for _, row in windows(targets).iterrows():
        if row["empty"]:
            out[row["claim"]] = (
                f"proof: a {row['scale']}-symmetric interval {row['printed']} confines the "
                f"unrounded estimate to [{row['bounds_lo']}, {row['bounds_hi']}), which misses "
                f"the printed value's rounding interval [{row['value_lo']:.4g}, "
                f"{row['value_hi']:.4g})"
            )
    for _, row in km_widths(targets, sizes).iterrows():
        if row["proved"] and row["claim"] not in out:
            what = "SE(log S)" if row["conf_type"] == "log" else "SE(S)"
            out[row["claim"]] = (
                f"proof: printed interval {row['printed']} implies {what} <= "
                f"{row['se_printed_max']}, but with {row['n']} at risk at time 0 the "
                f"Greenwood {what} is at least {row['se_min']} (no censoring before the landmark)"
            )
    return out


def proofs(
    targets: list[Target],
    cohort: pd.DataFrame,
    endpoints: Endpoints,
    study: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every proof known before searching, claim -> reason (``proof: ...``).

    The engine's: the binary-covariate SE bound
    (:func:`carbook.reconstruct.targets.infeasible_hr_targets`), empty windows of
    symmetric intervals and the Kaplan-Meier width bound (:func:`proved_impossible`).
    ``cohort`` only supplies population sizes, which are margins fixed by construction.
    ``study``: the study's own proofs (``Model.proofs``), which need facts beyond the
    targets; an engine proof of the same claim comes first.

    Raises
    ------
    ValueError
        If a study reason does not start with ``proof:``.
    """
    study = dict(study or {})
    bad = [claim for claim, why in study.items() if not why.startswith("proof:")]
    if bad:
        raise ValueError(f"study proofs must give a reason starting 'proof:', not for {bad}")
    sizes = population_sizes(targets, cohort, endpoints)
    return {
        **study,
        **proved_impossible(targets, sizes),
        **infeasible_hr_targets(targets, cohort, endpoints),
    }


def cif_max(n: int, events: int, others: int, censored: int) -> float:
    """Largest Aalen-Johansen cumulative incidence at a landmark, over every order of exits.

    ``n`` patients at time 0; at most ``events`` events of interest before the
    landmark; ``others`` patients can leave before it otherwise (die of the competing
    cause or be censored), at most ``censored`` of them by censoring. As
    ``cmprsk::cuminc(time, status)`` (R 3.6) evaluated at the landmark. The weight
    ``S(t-) / r(t)`` of the next event is unchanged by an exit of either cause and
    multiplied by ``r / (r - 1)`` by a censoring among ``r`` at risk, so the best
    remaining sum is linear in the current weight; a dynamic programme over (events,
    censorings, competing exits) so far finds the maximum exactly.

    Examples
    --------
    Without censoring the estimate is at most events / n:

    >>> cif_max(56, 37, 18, 0), 37 / 56
    (0.6607142857142857, 0.6607142857142857)
    >>> round(cif_max(56, 37, 18, 1), 5), round(cif_max(56, 37, 18, 2), 5)
    (0.6781, 0.69549)
    """
    if min(n, events, others, censored) < 0 or events + others > n:
        raise ValueError(
            f"need 0 <= events + others <= n, got n={n}, events={events}, others={others}"
        )
    best: dict[tuple[int, int, int], float] = {}
    for e in range(events, -1, -1):
        for c in range(min(censored, others), -1, -1):
            for d in range(others - c, -1, -1):
                r = n - e - c - d
                moves = [0.0]
                if e < events:
                    moves.append(1 + best[e + 1, c, d])
                if c + d < others:
                    moves.append(best[e, c, d + 1])
                    if c < censored and r > 1:
                        moves.append(r / (r - 1) * best[e, c + 1, d])
                best[e, c, d] = max(moves)
    return best[0, 0, 0] / n


def cif_fewest_censored(n: int, events: int, others: int, at_least: float) -> int | None:
    """Fewest censorings before the landmark for a cumulative incidence ``>= at_least``.

    ``at_least`` is a proportion (the low end of the printed value's rounding
    interval); None if even censoring all ``others`` does not reach it. See
    :func:`cif_max`.

    Examples
    --------
    wudhikarn2021, Figure 1C: 67.9% at 1 year with at most 37 of the 38 R/R events
    before 12 months (one relapse at 24) and 18 patients who never progressed:

    >>> cif_fewest_censored(56, 37, 18, 0.6785)
    2
    """
    for k in range(others + 1):
        if cif_max(n, events, others, k) >= at_least:
            return k
    return None


_SLACK = 1e-9  # float noise at a rounding bound (km_landmark_counts)


def km_landmark_counts(
    n: int,
    printed: Mapping[str, tuple[float, float]],
    max_censored: int,
    conf_type: str = "log",
) -> list[tuple[int, int]]:
    """(events, censorings) before a landmark with an order that prints ``S`` as published.

    ``printed`` gives the rounding intervals ``[a, b)`` (proportions) of the printed
    ``"value"``, ``"low"`` and ``"high"``. Every order of up to ``max_censored``
    censorings among the events before the landmark is tried (only event counts whose
    ``S`` can reach the printed value's interval), ``n`` at risk at time 0,
    with the Greenwood variance and the limits of ``survfit(Surv(time, status) ~ 1,
    conf.type = conf_type)`` (R 3.6 survival; "log" is R's default; the limits are
    :mod:`carbook.survival.km`'s, tested against R). One entry per order that prints. Ties change
    nothing: tied events give the same ``S`` and Greenwood sum as the same events one
    after another, and R counts a censoring tied with an event as at risk at it (the
    same as just after). Censorings after the last event before the landmark change
    neither. So an empty list for ``k`` censorings at most is a proof that the
    printed triple needs more.

    Examples
    --------
    wudhikarn2021, Figure 3B: 1-year OS after progression 35% (23-56%) among 38:

    >>> iv = {"value": (0.345, 0.355), "low": (0.225, 0.235), "high": (0.555, 0.565)}
    >>> km_landmark_counts(38, iv, 2)
    []
    >>> sorted(set(km_landmark_counts(38, iv, 3)))
    [(23, 3)]
    >>> km_landmark_counts(38, iv, 3, "log-log")
    []
    """
    out = []
    a, b = printed["value"]
    for k in range(max_censored + 1):
        for events in range(1, n - k):
            # S runs from (n-k-events)/(n-k) (every censoring first) to (n-events)/n
            if (n - events) / n < a or (n - k - events) / (n - k) >= b:
                continue
            orders = itertools.combinations_with_replacement(range(events), k)
            s, v = np.array([_prefix(n, events, at)[:2] for at in orders]).T
            low, high = _conf_limits(s, np.sqrt(v), conf_type, 0.95)  # type: ignore[arg-type]
            values = {"value": s, "low": low, "high": high}
            # a rounding bound is met within float noise (S = 0.75 computed as
            # 0.7499999...): the slack only lets more orders print, so an empty
            # result stays a proof
            ok = np.logical_and.reduce(
                [
                    (lo - _SLACK <= values[p]) & (values[p] < hi + _SLACK)
                    for p, (lo, hi) in printed.items()
                ]
            )
            out += [(events, k)] * int(ok.sum())
    return out


def _prefix(n: int, events: int, at: tuple[int, ...]) -> tuple[float, float, int, list[float]]:
    """KM of any event after ``events`` exits with censorings before the events ``at``.

    Returns (S, Greenwood variance of log S, number at risk, weights S(t-)/r(t) of
    the events in order); ``at`` lists, per censoring, how many events precede it.
    """
    r, s, v, weights, c = n, 1.0, 0.0, [], 0
    for i in range(events):
        while c < len(at) and at[c] == i:
            r, c = r - 1, c + 1
        if r < 2:  # the estimate would reach 0: no landmark beyond it can be in a window
            return 0.0, math.inf, 0, weights
        weights.append(s / r)
        s, v, r = s * (r - 1) / r, v + 1 / (r * (r - 1)), r - 1
    return s, v, r - (len(at) - c), weights


def efs_variance_floor(
    n: int,
    events: int,
    others: int,
    censored: int,
    cif_at_least: float,
    s_window: tuple[float, float],
) -> float:
    """Least Greenwood variance of log EFS at a landmark, given an earlier incidence.

    All-cause (event-free) survival and the cumulative incidence of one cause share
    their risk sets: the Aalen-Johansen weight of an event is ``S(t-) / r(t)`` of the
    all-cause KM. Over every order of exits before the earlier landmark with exactly
    ``censored`` censorings, at most ``events`` events of the cause (so the incidence is
    at most the sum of the weights of the last ``events`` exits by an event, weights
    never fall) and at most ``others`` patients leaving otherwise (deaths and
    censorings), keep the orders whose incidence reaches ``cif_at_least``. EFS at the
    later landmark must lie in ``s_window = [lo, hi)``, so ``S(t1) >= lo``, and its
    variance is at least ``V(t1) + max(0, S(t1) - hi) / (r(t1) hi)`` (no censoring in
    between is cheapest: the Greenwood bound of :func:`km_width_bound` from ``t1``,
    decreasing in the final S). Returns the
    least such bound (infinity if no order reaches the incidence). Exits tied at one
    time count as events before censorings, as in ``survfit`` and ``cmprsk::cuminc``,
    which sequential orders already cover.

    Examples
    --------
    wudhikarn2021: with two censorings before 12 months, 1-year CIR 67.9% (from
    67.85%) and 3-year EFS below 16.15% need Var(log EFS) >= 0.09615:

    >>> round(efs_variance_floor(56, 37, 18, 2, 0.6785, (0.1605, 0.1615)), 5)
    0.09615
    """
    from itertools import combinations_with_replacement

    if min(n, events, others, censored) < 0 or censored > others or events + others > n:
        raise ValueError(f"need censored <= others, events + others <= n; got {locals()}")
    best = math.inf
    for m in range(events, events + others - censored + 1):  # exits by an event before t1
        for at in combinations_with_replacement(range(m + 1), censored):
            s, v, r, w = _prefix(n, m, at)
            if r >= 1 and s >= s_window[0] and sum(sorted(w)[-events:]) >= cif_at_least:
                best = min(best, v + max(0.0, s - s_window[1]) / (r * s_window[1]))
    return best


def _boost(events: int, censored: int, r: int, memo: dict) -> float:
    """Largest sum of future event weights per unit of the current weight (see cif_max)."""
    key = (events, censored, r)
    if key not in memo:
        best = 1 + _boost(events - 1, censored, r - 1, memo) if events > 0 and r >= 1 else 0.0
        if censored > 0 and r > 1:
            best = max(best, r / (r - 1) * _boost(events, censored - 1, r - 1, memo))
        memo[key] = best
    return memo[key]


def efs_cir_orders(
    n: int,
    events: int,
    others: int,
    cif_at_least: float,
    s_window: tuple[float, float],
    var_max: float,
) -> int:
    """How many orders of exits before t1 survive every bound; 0 proves the targets conflict.

    A complete branch and bound over the exits before the earlier landmark ``t1`` (any
    number of censorings, up to ``others``): first the competing exits (deaths and
    censorings), then the events of the cause (at most ``events``) and censorings.
    Putting the events of the cause last loses nothing: relabelling an event as the
    cause and an earlier one as competing leaves the all-cause KM unchanged and never
    lowers the incidence, since the Aalen-Johansen weights ``S(t-) / r(t)`` never fall.
    A branch is cut when the all-cause (EFS) estimate falls below ``s_window[0]``, when
    its Greenwood variance at the later landmark must exceed ``var_max`` (the bound of
    :func:`efs_variance_floor` from the current state) or when no continuation can
    bring the incidence to ``cif_at_least`` (the exact :func:`cif_max` programme from
    the current state). Returns the number of end states at ``t1`` that survive: a
    relaxation, so 0 is a proof and a positive count proves nothing.

    Examples
    --------
    wudhikarn2021: 67.9% R/R at 1 year with at most 37 R/R events before 12 months, and
    3-year EFS 16.1 (8.8-29), whose widest Var(log S) is 0.0961251:

    >>> efs_cir_orders(56, 37, 18, 0.6785, (0.1605, 0.1615), 0.0961251)
    0
    >>> efs_cir_orders(56, 37, 18, 0.6785, (0.1605, 0.1615), 0.0963) > 0
    True
    """
    if min(n, events, others) < 0 or events + others > n:
        raise ValueError(
            f"need 0 <= events + others <= n, got n={n}, events={events}, others={others}"
        )
    memo: dict = {}
    lo, hi = s_window
    survivors = 0
    # state: at risk, S, V, competing exits, censorings, events, incidence, events phase
    stack = [(n, 1.0, 0.0, 0, 0, 0, 0.0, False)]
    while stack:
        r, s, v, d, c, e, cif, late = stack.pop()
        free = others - d - c
        if s < lo or v + max(0.0, s - hi) / (r * hi) > var_max:
            continue
        if late and cif + s / r * _boost(events - e, free, r, memo) < cif_at_least:
            continue
        survivors += late and cif >= cif_at_least
        stack.extend(_branches(r, s, v, d, c, e, cif, late, free, events))
    return survivors


def _branches(r, s, v, d, c, e, cif, late, free, events) -> list[tuple]:
    """The states one exit after (r, s, v, ...) in :func:`efs_cir_orders`."""
    if r < 2:
        return []
    s1, v1 = s * (r - 1) / r, v + 1 / (r * (r - 1))
    out = [(r - 1, s, v, d, c + 1, e, cif, late)] if free > 0 else []
    if not late and free > 0:
        out.append((r - 1, s1, v1, d + 1, c, e, cif, False))
    if e < events:
        out.append((r - 1, s1, v1, d, c, e + 1, cif + s / r, True))
    return out
