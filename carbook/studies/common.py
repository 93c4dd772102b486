"""Reproductions shared by studies.

Counts and proportions from published counts, and numbers recomputed on a study's
SYNTHETIC calibrated cohort.
"""

from __future__ import annotations

import pandas as pd

from carbook.reconstruct.spec import Target, load_spec
from carbook.records import reproduction
from carbook.studies.models import evaluate
from carbook.tables import CI_METHODS, proportion_ci

__all__ = ["METHODS", "from_counts", "from_synthetic"]


def from_counts(
    counts: pd.DataFrame, ci_method: str, selected: str = ""
) -> list[dict[str, object]]:
    """Reproduce printed counts and percents (with 95% CI) from a counts table.

    A printed count is reproduced by its ``value``: the result of its formula over
    other counts where it has one (e.g. 35 + 8 + 2 for 45 CRs), otherwise the primary
    count itself: that is an ``input``, not a reproduction. A printed percent is recomputed as
    ``100 * value / denominator`` with its CI by ``ci_method`` (see
    :data:`carbook.tables.CI_METHODS`).

    Examples
    --------
    >>> c = pd.DataFrame({"event": ["cr"], "count": [34], "formula": [""], "value": [34],
    ...                   "denominator": [43], "count_claim": ["cr_n"],
    ...                   "percent_claim": ["cr_pct"]})
    >>> [r["claim_id"] for r in from_counts(c, "clopper_pearson")]
    ['cr_n', 'cr_pct']
    """
    if ci_method not in CI_METHODS:
        raise ValueError(f"ci_method must be one of {sorted(CI_METHODS)}, got {ci_method!r}")
    rows = []
    for row in counts.itertuples():
        if row.count_claim:
            how = f"= {row.formula}" if row.formula else "primary count"
            basis = "computed" if row.formula else "input"
            rows.append(reproduction(row.count_claim, row.value, method=how, basis=basis))
        if row.percent_claim:
            est, lo, hi = proportion_ci(int(row.value), int(row.denominator), ci_method)
            how = f"{row.value}/{row.denominator}; 95% CI {ci_method}: {CI_METHODS[ci_method]}"
            rows.append(
                reproduction(
                    row.percent_claim, 100 * est, 100 * lo, 100 * hi, how, selected=selected
                )
            )
    return rows


#: how each target kind is computed (R 3.6 conventions), as the scorecard shows it
METHODS = {
    "km_median": "Kaplan-Meier median, R's rule, CI conf.type='log'",
    "km_at": "Kaplan-Meier, Greenwood, CI conf.type='log'",
    "cif_at": "cmprsk::cuminc (Aalen-Johansen), Gray variance, log(-log) CI",
    "followup": "reverse Kaplan-Meier median (IQR)",
    "median_range": "median (range)",
    "logrank": "survdiff log-rank test (rho = 0), chi-square 1 df",
    "wilcoxon": "wilcox.test (exact when no ties, else normal with continuity correction)",
    "cox_hr": "coxph, Efron ties, Wald CI",
    "cox_mv": "multivariable coxph, Efron ties, Wald CI and P",
    "cox_td": "time-dependent coxph (counting process), Efron ties, Wald CI",
}


def _miss(rows: pd.DataFrame, seed: int) -> dict[str, str]:
    """The reason of a miss (value reached, note) and its grounds (``proof`` or none)."""
    missed = rows[~rows["within"]]
    if missed.empty:
        return {"miss": "", "grounds": ""}
    cols = missed[["part", "achieved", "printed"]].itertuples(index=False)
    parts = ", ".join(f"{p} {a:.4g} vs {t}" for p, a, t in cols)
    note = missed["note"].iloc[0]
    return {
        "miss": f"SYNTHETIC cohort (seed {seed}) gives {parts}: {note}",
        "grounds": "proof" if note.startswith("proof:") else "",
    }


def _rows(t: Target, report: pd.DataFrame, seed: int) -> list[dict[str, object]]:
    mine = report[report["claim"] == t.claim].set_index("part")
    method = f"SYNTHETIC cohort (seed {seed}): {METHODS[t.kind]}"
    main = mine.drop(index="p", errors="ignore")
    get = lambda part: float(main.loc[part, "achieved"]) if part in main.index else None  # noqa: E731
    out = [
        reproduction(
            t.claim,
            get("value"),
            get("low"),
            get("high"),
            method,
            basis="synthetic",
            **_miss(main.reset_index(), seed),
        )
    ]
    if t.p_claim:
        p = mine.loc[["p"]].reset_index()
        value = float(p["achieved"].iloc[0])
        note = str(p["note"].iloc[0])
        how = f"{method}; {note}" if note.startswith("P by") else method
        if t.kind in ("cox_hr", "cox_td") and not note.startswith("P by"):
            how += "; P: the Wald, likelihood-ratio or score P nearest the printed one"
        out.append(reproduction(t.p_claim, value, method=how, basis="synthetic", **_miss(p, seed)))
    return out


def from_synthetic(study: str, seed: int = 1) -> list[dict[str, object]]:
    """One reproduction per published number a study's synthetic cohort targets.

    Every value is recomputed from ``data/<study>/synthetic_cohort_seed<seed>.csv`` by
    the code that calibrated it. A number the cohort misses carries the reason (a
    proof of infeasibility, or "not met jointly within the search budget") and the
    value it reached.

    Examples
    --------
    >>> rows = pd.DataFrame(from_synthetic("xu2023")).set_index("claim_id")
    >>> rows.loc["os_median_cart2", "method"].startswith("SYNTHETIC")
    True
    """
    report = evaluate(study, seed)
    return [row for t in load_spec(study).targets for row in _rows(t, report, seed)]
