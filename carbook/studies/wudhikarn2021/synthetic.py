"""Numbers that need patient data, recomputed on the SYNTHETIC calibrated cohort.

Every value here is computed afresh from ``data/wudhikarn2021/synthetic_cohort_seed1.csv``
by the same code that calibrated it (:mod:`carbook.reconstruct.targets`), so the
scorecard shows what that cohort gives, not what its report says it gave.
"""

from __future__ import annotations

import pandas as pd

from carbook.reconstruct.spec import Target, load_spec
from carbook.scorecard import reproduction

__all__ = ["METHODS", "reproduce_synthetic"]

STUDY = "wudhikarn2021"

#: how each target kind is computed (R 3.6 conventions), as the scorecard shows it
METHODS = {
    "km_median": "Kaplan-Meier median, R's rule, CI conf.type='log'",
    "km_at": "Kaplan-Meier, Greenwood, CI conf.type='log'",
    "cif_at": "cmprsk::cuminc (Aalen-Johansen), Gray variance, log(-log) CI",
    "followup": "reverse Kaplan-Meier median (IQR)",
    "median_range": "median (range)",
    "wilcoxon": "wilcox.test (exact when no ties, else normal with continuity correction)",
    "cox_hr": "coxph, Efron ties, Wald CI and P",
    "cox_mv": "multivariable coxph, Efron ties, Wald CI and P",
    "cox_td": "time-dependent coxph (counting process), Efron ties, Wald CI and P",
}


def _miss(rows: pd.DataFrame, seed: int) -> str:
    missed = rows[~rows["within"]]
    if missed.empty:
        return ""
    cols = missed[["part", "achieved", "printed"]].itertuples(index=False)
    parts = ", ".join(f"{p} {a:.4g} vs {t}" for p, a, t in cols)
    return f"SYNTHETIC cohort (seed {seed}) gives {parts}: {missed['note'].iloc[0]}"


def _rows(t: Target, report: pd.DataFrame, seed: int) -> list[dict[str, object]]:
    mine = report[report["claim"] == t.claim].set_index("part")
    method = f"SYNTHETIC cohort (seed {seed}): {METHODS[t.kind]}"
    main = mine.drop(index="p", errors="ignore")
    get = lambda part: float(main.loc[part, "achieved"]) if part in main.index else None  # noqa: E731
    out = [
        reproduction(
            t.claim, get("value"), get("low"), get("high"), method, _miss(main.reset_index(), seed)
        )
    ]
    if t.p_claim:
        p = mine.loc[["p"]].reset_index()
        value = float(p["achieved"].iloc[0])
        out.append(reproduction(t.p_claim, value, None, None, method, _miss(p, seed)))
    return out


def _constructed(seed: int) -> list[dict[str, object]]:
    """Per-stratum medians (ranges) the cohort was built to have, recomputed from it."""
    from carbook.reconstruct.run import load_cohort

    spec = load_spec(STUDY)
    cohort = load_cohort(STUDY, seed)
    stratum = cohort["progressed"].map({1: "progressed", 0: "not_progressed"})
    rows = []
    for col, entry in {**spec.continuous, **spec.within}.items():
        for name, claim in entry["claims"].items():
            keep = stratum == name
            if "within" in entry:
                keep &= cohort[entry["within"]] == 1
            v = cohort.loc[keep, col]
            method = f"SYNTHETIC cohort (seed {seed}): median (range), exact by construction"
            rows.append(reproduction(claim, v.median(), v.min(), v.max(), method))
    return rows


def reproduce_synthetic(seed: int = 1) -> list[dict[str, object]]:
    """One reproduction per published number the calibrated cohort targets.

    A number the cohort misses carries the reason (a proof of infeasibility, or
    "not met jointly within the search budget") and the value it reached.

    Examples
    --------
    >>> rows = pd.DataFrame(reproduce_synthetic()).set_index("claim_id")
    >>> rows.loc["fig1_os_3y", "method"].startswith("SYNTHETIC")
    True
    """
    from carbook.reconstruct.run import evaluate  # here: reconstruct reads this package

    report = evaluate(STUDY, seed)
    targeted = [row for t in load_spec(STUDY).targets for row in _rows(t, report, seed)]
    return targeted + _constructed(seed)
