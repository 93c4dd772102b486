"""How far can a reconstructed cohort be trusted? A test on real patient data.

R's ``survival::lung`` (228 patients with advanced lung cancer; 213 complete cases,
exported once by ``tests/r/survival_reference.R`` to ``data/validation/lung.csv``)
plays the part of a study whose data we never see. We compute from it the kind of
summaries a paper prints, reconstruct cohorts from those summaries alone, and
compare statistics the search never saw (held out) with their true values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbook import survival as sv
from carbook.data import DATA_DIR, DAYS_PER_MONTH
from carbook.reconstruct import generic
from carbook.reconstruct.engine import calibrate, derive
from carbook.reconstruct.spec import Spec, build_spec

__all__ = ["held_out", "load_lung", "lung_spec", "validate"]

LANDMARKS = (6, 12)  # months: targeted
HELD_OUT_TIMES = (3, 9, 18, 24)  # months: never targeted


def load_lung() -> pd.DataFrame:
    """The real data, in months, with the binary covariates a paper would tabulate.

    Examples
    --------
    >>> len(load_lung()), int(load_lung()["event"].sum())
    (213, 151)
    """
    raw = pd.read_csv(DATA_DIR / "validation" / "lung.csv")
    return pd.DataFrame(
        {
            "time": np.round(raw["time"] / DAYS_PER_MONTH, 2),
            "event": raw["status"].astype(int),
            "age": raw["age"].astype(float),
            "female": raw["female"].astype(int),
            "ecog1": (raw["ph.ecog"] >= 1).astype(int),
            "karno_low": (raw["ph.karno"] < 80).astype(int),
        }
    )


def _p(p: float) -> str:
    return f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


def _summaries(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a paper would print about ``df``: (registry, counts), as text."""
    fit = sv.km(df["time"], df["event"])
    rows = [("os_median", *(f"{v:.1f}" for v in sv.km_quantile(fit)))]
    for t in LANDMARKS:
        s = sv.step_at(fit, [t]).iloc[0]
        rows.append((f"os_{t}m", *(f"{100 * s[k]:.1f}" for k in ("surv", "lower", "upper"))))
    rows.append(("followup", *(f"{v:.1f}" for v in sv.median_followup(df["time"], df["event"]))))
    rows.append(
        ("age", *(f"{v:.0f}" for v in (df["age"].median(), df["age"].min(), df["age"].max())))
    )
    cox = sv.cox_batch(df["time"], df["event"], df[["female", "ecog1"]])
    for cov in ("female", "ecog1"):
        r = cox.loc[cov]
        rows.append((f"hr_{cov}", f"{r['hr']:.2f}", f"{r['lower']:.2f}", f"{r['upper']:.2f}"))
        rows.append((f"p_{cov}", _p(r["p"]), "", ""))
    registry = pd.DataFrame(rows, columns=["id", "value", "low", "high"])
    counts = pd.DataFrame(
        {
            "event": ["patients", "female", "ecog1", "karno_low"],
            "count": [len(df), df["female"].sum(), df["ecog1"].sum(), df["karno_low"].sum()],
            "formula": "",
        }
    )
    counts["value"] = counts["count"]
    return registry, counts


TARGETS = {
    "strata": {"all": "patients"},
    "categorical": {
        "female": {"rest": 0, "all": {1: "female"}},
        "ecog1": {"rest": 0, "all": {1: "ecog1"}},
        "karno_low": {"rest": 0, "all": {1: "karno_low"}},
    },
    "continuous": {"age": {"decimals": 0, "all": "age"}},
    "derived": {"old": "age > 65"},
    "targets": [
        {"claim": "os_median", "kind": "km_median", "endpoint": "os"},
        *({"claim": f"os_{t}m", "kind": "km_at", "endpoint": "os", "time": t} for t in LANDMARKS),
        {"claim": "followup", "kind": "followup", "endpoint": "os"},
        {
            "claim": "hr_female",
            "kind": "cox_hr",
            "endpoint": "os",
            "covariate": "female",
            "p_claim": "p_female",
        },
        {
            "claim": "hr_ecog1",
            "kind": "cox_hr",
            "endpoint": "os",
            "covariate": "ecog1",
            "p_claim": "p_ecog1",
        },
    ],
}


def lung_spec() -> tuple[Spec, dict[str, float]]:
    """Targets from the printed summaries of the real data, and its bare facts.

    The facts (patients, events, longest follow-up) are what a paper would also give.

    Examples
    --------
    >>> spec, facts = lung_spec()
    >>> spec.strata, facts["events"]
    ({'all': 213}, 151)
    """
    df = load_lung()
    registry, counts = _summaries(df)
    facts = {"events": int(df["event"].sum()), "max_time": float(df["time"].max())}
    return build_spec("validation_lung", TARGETS, registry, counts), facts


def _rmst(time: np.ndarray, event: np.ndarray, tau: float) -> float:
    a = sv.km_arrays(np.asarray(time, float), np.asarray(event, float))
    t = np.concatenate([[0.0], a["time"][a["time"] < tau], [tau]])
    s = np.concatenate([[1.0], a["surv"][a["time"] < tau]])
    return float(np.sum(s * np.diff(t)))


def _median(time: np.ndarray, event: np.ndarray) -> float:
    return sv.km_quantile(sv.km(time, event))[0]


def held_out(cohort: pd.DataFrame) -> dict[str, float]:
    """Statistics never used as targets (plus the targeted median, for reference).

    Examples
    --------
    >>> round(held_out(load_lung())["median OS (targeted)"], 1)
    11.1
    """
    t, e = cohort["time"].to_numpy(), cohort["event"].to_numpy()
    fit = sv.km(t, e)
    out = {"median OS (targeted)": sv.km_quantile(fit)[0]}
    for m in HELD_OUT_TIMES:
        out[f"OS at {m} months, %"] = 100 * float(sv.step_at(fit, [m])["surv"].iloc[0])
    out["RMST to 24 months"] = _rmst(t, e, 24)
    old = (cohort["age"] > 65).astype(int)
    x = pd.DataFrame({"old": old, "karno_low": cohort["karno_low"]})
    hr = sv.cox_batch(t, e, x)["hr"]
    out["HR age > 65 (untargeted)"] = float(hr["old"])
    out["HR Karnofsky < 80 (untargeted)"] = float(hr["karno_low"])
    for col, label in (("female", "women"), ("ecog1", "ECOG >= 1")):
        sel = cohort[col].to_numpy() == 1
        out[f"median OS, {label} (subgroup)"] = _median(t[sel], e[sel])
    return out


def validate(
    seeds: range = range(1, 4), budget: int = 3000, progress: bool = False
) -> pd.DataFrame:
    """Reconstruct from the summaries with several seeds; compare held-out statistics.

    Returns
    -------
    pandas.DataFrame
        One row per statistic: ``true``, ensemble ``mean``, ``min``, ``max``, ``error``
        (mean - true) and ``true_in_range``.
    """
    spec, facts = lung_spec()
    truth = held_out(load_lung())
    runs = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        cohort, model = generic.build(spec, rng, facts["events"], 10.0, facts["max_time"])
        derive(spec, cohort)
        cohort, _ = calibrate(spec, model, cohort, rng, budget, progress)
        runs.append(held_out(cohort))
    ens = pd.DataFrame(runs)
    out = pd.DataFrame(
        {"true": pd.Series(truth), "mean": ens.mean(), "min": ens.min(), "max": ens.max()}
    )
    out["error"] = out["mean"] - out["true"]
    out["true_in_range"] = (out["true"] >= out["min"]) & (out["true"] <= out["max"])
    return out
