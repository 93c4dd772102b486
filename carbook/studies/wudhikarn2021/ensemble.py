"""What does a publication pin down? Spread of quantities across an ensemble of cohorts.

Every cohort of an ensemble is calibrated to the same published targets from a
different seed; the cohorts do not all meet them (the search is stochastic:
:func:`carbook.reconstruct.reports.met_by_seed` counts what each meets). The spread of
a quantity across the ensemble therefore measures how much the published numbers and
our search leave open. It is not a confidence interval and says nothing about the real
patients: a quantity the paper never printed is not estimated by any synthetic cohort.
"""

from __future__ import annotations

import pandas as pd

from carbook import survival as sv
from carbook.reconstruct.run import load_cohort

__all__ = ["quantities", "spread"]


def _km_at(time: pd.Series, event: pd.Series, at: float) -> float:
    return 100 * float(sv.step_at(sv.km(time, event), [at])["surv"].iloc[0])


def quantities(cohort: pd.DataFrame) -> dict[str, float]:
    """Quantities of a wudhikarn2021-shaped cohort; (published) marks targeted ones.

    Examples
    --------
    >>> c = load_cohort("wudhikarn2021", 1)
    >>> q = quantities(c)
    >>> len(q), 0 < q["5-year OS, %"] < q["3-year OS, % (published)"] < 100
    (10, True)
    """
    t, dead = cohort["t_last"], cohort["dead"]
    prog = cohort["progressed"] == 1
    efs_time = cohort["t_rr"].where(prog, t)
    efs_event = (prog | (dead == 1)).astype(int)
    x = pd.DataFrame(
        {
            "age_gt40": (cohort["age"] > 40).astype(int),
            "morphologic": (cohort["burden"] == "morphologic").astype(int),
        }
    )
    hr = sv.cox_batch(t, dead, x)["hr"]
    return {
        **_after_progression(cohort),
        "3-year OS, % (published)": _km_at(t, dead, 36),
        "2-year OS, %": _km_at(t, dead, 24),
        "5-year OS, %": _km_at(t, dead, 60),
        "median EFS, months": sv.km_quantile(sv.km(efs_time, efs_event))[0],
        "deaths among the 18 without progression": float(dead[~prog].sum()),
        "HR for death, age > 40": float(hr["age_gt40"]),
        "HR for death, morphologic disease": float(hr["morphologic"]),
    }


def _after_progression(cohort: pd.DataFrame) -> dict[str, float]:
    """CR to salvage and OS after progression: the published coding and two others."""
    d = cohort[cohort["progressed"] == 1]
    salvaged = d[d["salvage_outcome"] != "none"]
    cr = (salvaged["salvage_outcome"] == "cr").astype(int).to_frame("cr")
    baseline = sv.cox_batch(salvaged["t_post"], salvaged["dead"], cr)["hr"].iloc[0]
    td = sv.cox_switch(d["t_post"], d["dead"], d["t_cr"])["hr"]
    return {
        "HR death, CR to salvage, baseline coding (published)": float(baseline),
        "HR death, CR to salvage, time-dependent": float(td),
        "2-year OS after progression, %": _km_at(d["t_post"], d["dead"], 24),
    }


def spread(study: str, seeds: range) -> pd.DataFrame:
    """Min, median and max of each quantity across the committed cohorts of ``seeds``.

    Raises
    ------
    ValueError
        If a cohort file is missing (generate it with ``python -m carbook reconstruct``).
    """
    ens = pd.DataFrame([quantities(load_cohort(study, seed)) for seed in seeds])
    out = pd.DataFrame({"min": ens.min(), "median": ens.median(), "max": ens.max()})
    out["range"] = out["max"] - out["min"]
    out.columns.name = f"{len(ens)} SYNTHETIC COHORTS"
    return out
