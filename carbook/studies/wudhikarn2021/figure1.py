"""Figure 1 of Wudhikarn 2021 on overall survival alone: a witness that all of it can hold.

The Results print, for the 56 patients, median OS 13 months (95% CI 9.11-23.34), 3-year
OS 26.6% (17-42) and a median follow-up of 44.7 months (IQR 20.8-65.4). An earlier search
met the 3-year interval and the follow-up IQR together only when follow-up was read as
the median among survivors, which suggested that under the reverse Kaplan-Meier reading
they cannot hold together. :func:`os_witness` refutes that: 56 (time, died) records on
which R's conventions print every one of these numbers, with follow-up by reverse KM.

How it was found: the estimates depend only on the order of deaths (D) and censorings
(C) before 36 months, and on a few anchored times. The KM estimate at 36 months and its
Greenwood variance are fixed by the block counts (Greenwood's sum telescopes over a run of
deaths), and the reverse-KM quartile 20.8 is the censoring at which the reverse KM first
reaches 0.75. A scan of block patterns D C D C D C D (at most 3, 8 and 2 censorings in the
three C blocks) found three that print 26.6 (17-42), reach 0.75 in the reverse KM at the
end of the second C block, have S <= 0.5 there and the upper limit still above 0.5
(so the median and its upper limit 23.34 can fall around it). :data:`OS_BLOCKS` is one
of them, **selected because it matches**; every time below is then placed, not searched:

- the death at which the lower limit first reaches 0.5 at 9.11 months, the one at which
  S first reaches 0.5 at 13.0, and the one at which the upper limit first reaches 0.5 at
  23.34 (``print(survfit)``'s median and its limits are these death times);
- the censoring at which the reverse KM first reaches 0.75 at 20.8 months;
- the other times before 36 months evenly between those anchors (two decimals);
- after 36 months, the 11 still at risk are censored, the 4th at 44.7 (reverse KM first
  <= 0.5) and the 8th at 65.4 (first <= 0.25).

This is a SYNTHETIC construction about what the printed numbers allow, not an estimate
about the study's patients. It settles OS alone; EFS, R/R and the post-progression block
constrain the same patients further: the 1-year R/R incidence 67.9% (with at most 37 R/R
events before 12 months) and the 3-year EFS interval 16.1 (8.8-29) cannot print together
in any cohort (:func:`carbook.reconstruct.proofs.efs_cir_orders`). The calibration
starts from :func:`joint_witness`'s records (:mod:`.skeleton`).
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pandas as pd

from carbook.data import load_counts
from carbook.published import load_published, printed_interval, prints_as
from carbook.reconstruct.proofs import Z, efs_cir_orders
from carbook.reconstruct.spec import Spec

__all__ = [
    "OS_ANCHORS",
    "OS_BLOCKS",
    "OS_TAIL",
    "cir_efs_inputs",
    "joint_witness",
    "os_witness",
    "study_proofs",
]

#: deaths ("D") and censorings ("C") before 36 months, in time order (selected because
#: they print the 3-year OS interval and reach 0.75 in the reverse KM where needed)
OS_BLOCKS: tuple[tuple[str, int], ...] = (("D", 25), ("C", 2), ("D", 10), ("C", 4), ("D", 4))

#: position (0-based, in the order of :data:`OS_BLOCKS`) -> anchored time in months:
#: lower limit of the median reached (9.11), median (13.0), reverse-KM first quartile
#: (20.8), upper limit of the median reached (23.34). Positions follow from the blocks
#: (see :func:`os_witness`'s test, which recomputes them).
OS_ANCHORS: dict[int, float] = {21: 9.11, 29: 13.0, 40: 20.8, 41: 23.34}

#: censoring times after 36 months: the 4th and 8th are the reverse-KM median and third
#: quartile, the others are free (chosen evenly)
OS_TAIL: tuple[float, ...] = (38.0, 40.0, 42.0, 44.7, 50.0, 55.0, 60.0, 65.4, 70.0, 75.0, 80.0)

HORIZON = 36.0


def _sequence() -> list[int]:
    """1 for a death, 0 for a censoring, in time order, before 36 months."""
    return [int(kind == "D") for kind, count in OS_BLOCKS for _ in range(count)]


def _placed(m: int) -> np.ndarray:
    """Times of the ``m`` exits before 36 months: anchors exact, the others evenly between."""
    knots = [(-1, 0.0), *sorted(OS_ANCHORS.items()), (m, HORIZON)]
    time = np.empty(m)
    for (i0, t0), (i1, t1) in pairwise(knots):
        for j in range(i0 + 1, i1):
            time[j] = round(t0 + (t1 - t0) * (j - i0) / (i1 - i0), 2)
        if i1 < m:
            time[i1] = t1
    return time


def os_witness() -> pd.DataFrame:
    """56 SYNTHETIC OS records printing median 13 (9.11-23.34), 26.6 (17-42), 44.7 (20.8-65.4).

    Columns ``time`` (months) and ``dead`` (1 died, 0 alive at last contact), sorted by
    time. Under R 3.6: ``print(survfit(Surv(time, dead) ~ 1))`` gives the median and its
    limits, ``summary(survfit(...), times = 36)`` the 3-year estimate with
    ``conf.type = "log"``, and the reverse KM ``survfit(Surv(time, 1 - dead) ~ 1)``
    the follow-up median and quartiles (tests/r/wudhikarn2021_os_witness.R).

    Examples
    --------
    >>> w = os_witness()
    >>> len(w), int(w["dead"].sum()), int((w["time"] < 36).sum())
    (56, 39, 45)
    """
    seq = _sequence()
    time = np.r_[_placed(len(seq)), OS_TAIL]
    dead = np.r_[seq, np.zeros(len(OS_TAIL), dtype=int)]
    if len(time) != 56 or np.any(np.diff(time) <= 0):
        raise ValueError("OS_BLOCKS, OS_ANCHORS and OS_TAIL do not give 56 increasing times")
    return pd.DataFrame({"time": time, "dead": dead.astype(int)})


def joint_witness() -> pd.DataFrame:
    """:func:`os_witness` with progression added: OS, EFS and follow-up print together.

    Columns ``progressed``, ``t_rr`` (months to R/R, NaN if none), ``t_last`` and
    ``dead``, read by :mod:`.endpoints`. The counts are the paper's: 38 progressed (37
    before 12 months, one relapse at 24), 31 of them died; 18 never progressed, 9 died.
    EFS then has no censoring before 36 months and 9 of 56 event-free, which prints
    16.1 (8.8-29) whatever the times. Placed so (choices selected because they match):

    - the 9 earliest deaths are of patients who never progressed (an EFS event each);
    - the other 30 deaths before 36 months progressed first, at half the time of death
      (at most 11.5 months); the 6 censorings before 36 months are progressed patients
      alive, progressing at half their follow-up;
    - after 36 months: the record at 70 months progressed at 24 and died, the one at
      75 progressed at 6 and is alive, the other 9 never progressed and are alive.

    The 1-year R/R incidence is then 37/56 = 66.1%, not 67.9%: with no censoring before
    12 months it cannot be more, and :func:`carbook.reconstruct.proofs.efs_cir_orders`
    proves that 67.9% and the EFS interval cannot print together. So this witness gives
    up Figure 1C and keeps the rest. SYNTHETIC: not an estimate about real patients.

    Examples
    --------
    >>> j = joint_witness()
    >>> int(j["progressed"].sum()), int(j.loc[j["progressed"] == 1, "dead"].sum())
    (38, 31)
    >>> int((j["t_rr"] <= 12).sum()), int(j.loc[j["progressed"] == 0, "dead"].sum())
    (37, 9)
    """
    w = os_witness()
    time, dead = w["time"].to_numpy(), w["dead"].to_numpy().copy()
    before = time < HORIZON
    deaths = np.flatnonzero(before & (dead == 1))
    t_rr = np.full(len(w), np.nan)
    t_rr[deaths[9:]] = np.minimum(0.5 * time[deaths[9:]], 11.5)
    censored = np.flatnonzero(before & (dead == 0))
    t_rr[censored] = 0.5 * time[censored]
    late_death, late_alive = (int(np.flatnonzero(time == t)[0]) for t in (70.0, 75.0))
    t_rr[late_death], dead[late_death], t_rr[late_alive] = 24.0, 1, 6.0
    return pd.DataFrame(
        {
            "progressed": np.isfinite(t_rr).astype(int),
            "t_rr": np.round(t_rr, 2),
            "t_last": time,
            "dead": dead,
        }
    )


def cir_efs_inputs(spec: Spec) -> dict[str, object]:
    """The facts :func:`study_proofs` feeds to :func:`~carbook.reconstruct.proofs.efs_cir_orders`.

    All read from the data files, none typed here: ``n`` treated; ``events``, the R/R
    events that can fall before 12 months (the progressed, less the relapses whose
    printed time, "5.5 (1.3-24)", must lie beyond 12 months: the range's maximum
    rounds from at least 23.5); ``others``, who never progressed; the lowest 1-year R/R
    incidence that prints as 67.9; the 3-year EFS window that prints as 16.1 and the
    widest Var(log S) its log interval 8.8-29 allows (the width on the log scale is
    2 z SE whatever the estimate, so the widest is the widest bounds' log ratio).

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> f = cir_efs_inputs(load_spec("wudhikarn2021"))
    >>> f["n"], f["events"], f["others"], round(f["var_max"], 7)
    (56, 37, 18, 0.0961251)
    """
    counts = load_counts("wudhikarn2021").set_index("event")["value"]
    reg = load_published("wudhikarn2021").set_index("id")
    latest = printed_interval(str(reg.loc["relapse_time_median", "high"]))[0]
    targets = {t.claim: t for t in spec.targets}
    efs, cir = targets["fig1_efs_3y"].intervals(), targets["fig1_cir_1y"].intervals()
    if targets["fig1_cir_1y"].params["time"] >= latest:
        raise ValueError("the latest relapse no longer lies beyond the R/R landmark")
    return {
        "n": int(counts["treated"]),
        "events": int(counts["progressed"]) - 1,  # the relapse printed at 24 months
        "others": int(counts["not_progressed"]),
        "cif_at_least": cir["value"][0] / 100,
        "s_window": (efs["value"][0] / 100, efs["value"][1] / 100),
        "var_max": ((math.log(efs["high"][1]) - math.log(efs["low"][0])) / (2 * Z)) ** 2,
    }


def study_proofs(spec: Spec) -> dict[str, str]:
    """Claims of Figure 1 no cohort can print together with the rest (``Model.proofs``).

    :func:`~carbook.reconstruct.proofs.efs_cir_orders` finds no order of exits before
    12 months that prints the 1-year R/R incidence 67.9% together with the 3-year EFS
    16.1 (8.8-29), given that one of the 38 relapses lies beyond 12 months (the
    printed range of time to relapse reaches 24). The three printed facts contradict
    one another; one must go. We keep the EFS and the relapse range and mark the
    incidence, **a choice of ours** among the three, said in the reason. What tips it:
    the printed 67.9% is also 38/56 = 67.86%, the curve's final plateau, a reading
    the incidence allows and the EFS interval does not.

    Examples
    --------
    >>> from carbook.reconstruct.spec import load_spec
    >>> list(study_proofs(load_spec("wudhikarn2021")))
    ['fig1_cir_1y']
    """
    f = cir_efs_inputs(spec)
    if efs_cir_orders(**f) != 0:
        return {}
    reg = load_published("wudhikarn2021").set_index("id")
    efs, cir, rel = (reg.loc[k] for k in ("fig1_efs_3y", "fig1_cir_1y", "relapse_time_median"))
    (s0, s1), progressed = f["s_window"], f["events"] + 1
    plateau = f"{progressed}/{f['n']}"
    if not prints_as(str(cir["value"]), 100 * progressed / f["n"]):
        raise ValueError(f"{plateau} no longer prints as the 1-year incidence {cir['value']}")
    return {
        "fig1_cir_1y": (
            f"proof: contradicts the 3-year EFS {efs['value']} ({efs['low']}-{efs['high']}) "
            f"and the relapse range {rel['value']} ({rel['low']}-{rel['high']}): with at most "
            f"{f['events']} R/R events before 12 months (one relapse lies beyond, at "
            f"{printed_interval(str(rel['high']))[0]:g} or later) and {f['others']} who never "
            f"progressed, no order of exits of the {f['n']} prints {cir['value']}% at 1 year "
            f"with a 3-year EFS in [{100 * s0:.2f}, {100 * s1:.2f}) whose Var(log S) stays "
            f"within {f['var_max']:.7f} (complete branch and bound, proofs.efs_cir_orders). "
            "Of the three we keep the EFS and the range and mark the incidence, a choice: "
            f"{cir['value']}% is also {plateau}, the curve's final plateau."
        )
    }
