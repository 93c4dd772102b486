"""Figures and small computations for the methods primer (chapters/methods_*.md).

Everything here runs on real public data (lifelines' shipped data sets and
``survival::mgus2``), never on a synthetic cohort. R reference values for the
primer are in ``tests/fixtures/methods_*.csv`` (from ``tests/r/methods_reference.R``);
:func:`r_reference` reads them so that a chapter can print R's number beside ours.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from matplotlib.figure import Figure
from statsmodels.nonparametric.smoothers_lowess import lowess

from carbook import plots  # noqa: F401  (house style)
from carbook import survival as sv
from carbook.survival.graytest import gray_test
from carbook.survival.ph import cox_zph

__all__ = [
    "cif_by_group_figure",
    "loglog_figure",
    "mgus2",
    "quantile_rules",
    "r_reference",
    "schoenfeld_figure",
    "screening_simulation",
]

ROOT = Path(__file__).resolve().parents[1]
SEED = 2021  # the primer's one seed (simulations and bootstraps)


def r_reference(name: str) -> pd.DataFrame:
    """R's reference values for one primer chapter, with the R call of each number.

    Examples
    --------
    >>> r_reference("km").loc[("leukemia", "Rx", "chisq"), "value"].round(2)
    np.float64(16.79)
    """
    path = ROOT / "tests" / "fixtures" / f"methods_{name}.csv"
    if not path.exists():
        raise ValueError(f"no R reference file {path}")
    return pd.read_csv(path).set_index(["dataset", "term", "quantity"])


#: The two small data sets where R's two median rules disagree (tests/r/parity_reference.R).
RULE_CASES = {
    "median, Surv(c(1, 2, 3, 4), c(1, 1, 0, 0))": ("parity_quantile", "flat_end", (1, 1, 0, 0)),
    "median follow-up, Surv(c(1, 2, 3, 4), 1 - c(1, 1, 0, 1))": (
        "parity_followup",
        "flat_end_reverse",
        (1, 1, 0, 1),
    ),
}


def _r_median(fixture: str, case: str, rule: str) -> tuple[float, str]:
    r = pd.read_csv(ROOT / "tests" / "fixtures" / f"{fixture}.csv")
    r = r[(r["case"] == case) & r["key"].str.contains(f"rule={rule}")]
    row = r[r["quantity"].isin(["est", "median"]) & ~r["key"].str.contains("p=0.25|p=0.75")]
    return float(row["value"].iloc[0]), str(row["r_call"].iloc[0])


def quantile_rules() -> pd.DataFrame:
    """R's two median rules on the curves where they disagree, carbook beside R.

    ``print(survfit)`` (and ``summary(fit)$table``) takes the first time the curve
    reaches 1/2; ``quantile(survfit)`` takes the midpoint up to the last time when
    the curve ends flat at exactly 1/2 (:data:`carbook.survival.km.QUANTILE_RULES`).
    R's values and calls are read from the parity fixtures.

    Examples
    --------
    >>> t = quantile_rules()
    >>> t[["rule", "carbook", "R"]].values.tolist()[:2]
    [['print', 2.0, 2.0], ['quantile', 3.0, 3.0]]
    """
    rows = []
    for label, (fixture, case, status) in RULE_CASES.items():
        time = np.array([1.0, 2.0, 3.0, 4.0])
        event = np.array(status)
        for rule in ("print", "quantile"):
            if fixture == "parity_followup":
                ours = sv.median_followup(time, event, rule=rule)[0]
            else:
                ours = sv.km_quantile(sv.km(time, event), 0.5, rule=rule)[0]
            r_value, r_call = _r_median(fixture, case, rule)
            rows.append(
                {
                    "curve": label,
                    "rule": rule,
                    "carbook": float(ours),
                    "R": r_value,
                    "R call": r_call,
                }
            )
    return pd.DataFrame(rows)


def mgus2() -> pd.DataFrame:
    """``survival::mgus2`` (Kyle 2002): time to plasma-cell malignancy or death, months.

    ``event`` is 0 censored, 1 progression to a plasma-cell malignancy, 2 death
    without progression.

    Examples
    --------
    >>> mgus2()["event"].value_counts().sort_index().tolist()
    [409, 115, 860]
    """
    return pd.read_csv(ROOT / "data" / "validation" / "mgus2.csv")


def loglog_figure(time: object, event: object, group: object, title: str) -> Figure:
    """log(-log S(t)) against log t by group: parallel curves if hazards are proportional.

    Examples
    --------
    >>> fig = loglog_figure([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1], "demo")
    >>> fig.axes[0].get_xlabel()
    'log(time)'
    """
    t, e, g = (pd.Series(np.asarray(a).ravel()) for a in (time, event, group))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for k, level in enumerate(sorted(g.unique())):
        sf = KaplanMeierFitter().fit(t[g == level], e[g == level]).survival_function_.iloc[:, 0]
        sf = sf[(sf.index > 0) & (sf > 0) & (sf < 1)]
        ax.step(
            np.log(sf.index), np.log(-np.log(sf)), where="post", color=f"C{k}", label=str(level)
        )
    ax.set_xlabel("log(time)")
    ax.set_ylabel("log(-log S(t))")
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def schoenfeld_figure(cph: CoxPHFitter, data: pd.DataFrame, covariate: str) -> Figure:
    """Scaled Schoenfeld residuals of one covariate against 1 - KM(t), with a lowess.

    A flat smooth at the fitted coefficient means a constant effect; a slope means the
    effect changes with time. The title gives ``cox.zph``'s test (km transform).

    Examples
    --------
    >>> from lifelines.datasets import load_rossi
    >>> rossi = load_rossi()
    >>> fig = schoenfeld_figure(CoxPHFitter().fit(rossi, "week", "arrest"), rossi, "age")
    >>> fig.axes[0].get_ylabel()
    'beta(t) for age'
    """
    res = cph.compute_residuals(data, kind="scaled_schoenfeld")[covariate]
    times = data.loc[res.index, cph.duration_col].to_numpy(float)
    km = KaplanMeierFitter().fit(data[cph.duration_col], data[cph.event_col])
    g = 1 - km.predict(times - 1e-9).to_numpy()
    zph = cox_zph(cph, data).loc[covariate]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(g, res.to_numpy(), ".", color="0.6", ms=4)
    smooth = lowess(res.to_numpy(), g, frac=0.6)
    ax.plot(smooth[:, 0], smooth[:, 1], color="C0", lw=2, label="lowess")
    ax.axhline(cph.params_[covariate], color="C3", ls="--", label="Cox coefficient")
    ax.set_xlabel("1 - KM(t)  (time, on the scale cox.zph uses by default)")
    ax.set_ylabel(f"beta(t) for {covariate}")
    ax.set_title(f"{covariate}: cox.zph chisq {zph['chisq']:.2f}, P = {zph['p']:.3f}")
    ax.legend(frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def cif_by_group_figure(
    time: object, status: object, group: object, cause: int, title: str
) -> Figure:
    """Cumulative incidence of ``cause`` by group (cmprsk::cuminc) with Gray's test.

    Examples
    --------
    >>> fig = cif_by_group_figure([1, 2, 3, 4, 5, 6], [1, 2, 1, 0, 1, 2],
    ...                           [0, 0, 0, 1, 1, 1], 1, "demo")
    >>> fig.axes[0].get_ylabel()
    'Cumulative incidence'
    """
    t, s, g = (np.asarray(a).ravel() for a in (time, status, group))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for k, level in enumerate(sorted(set(g.tolist()))):
        ci = sv.cuminc(t[g == level], s[g == level], cause)
        ax.step(
            np.r_[0.0, ci["time"]],
            np.r_[0.0, ci["est"]],
            where="post",
            color=f"C{k}",
            lw=2,
            label=str(level),
        )
    test = gray_test(t, s, g).loc[cause]
    ax.set_title(f"{title}\nGray's test: chisq {test['stat']:.2f}, P = {test['pv']:.3g}")
    ax.set_ylabel("Cumulative incidence")
    ax.set_xlabel("Months")
    ax.legend(frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def screening_simulation(
    n: int, events: int, candidates: int, threshold: float, reps: int, seed: int = SEED
) -> pd.Series:
    """What univariable P screening does when no candidate matters at all.

    Each replicate draws ``n`` patients with exponential times, censors all but about
    ``events`` of them, and ``candidates`` pure-noise binary covariates; keeps those
    with univariable Wald P <= ``threshold``; fits them together. Returns how often at
    least one noise covariate is selected, and how often one is then "significant"
    (P < .05) in the multivariable model.

    Examples
    --------
    >>> screening_simulation(38, 31, 12, 0.10, 20, seed=1).index.tolist()
    ['selects >= 1 noise covariate', 'reports >= 1 with multivariable P < .05']
    """
    rng = np.random.default_rng(seed)
    selected = significant = 0
    for _ in range(reps):
        time = rng.exponential(1.0, n)
        event = np.zeros(n, int)
        event[rng.permutation(n)[:events]] = 1
        x = pd.DataFrame(
            rng.integers(0, 2, (n, candidates)), columns=[f"x{i}" for i in range(candidates)]
        )
        uni = sv.cox_batch(time, event, x)
        keep = list(uni.index[uni["p"] <= threshold])
        if not keep:
            continue
        selected += 1
        fit = sv.cox_multi(time, event, x[keep])
        significant += bool((fit["p"] < 0.05).any())
    return pd.Series(
        [selected / reps, significant / reps],
        index=["selects >= 1 noise covariate", "reports >= 1 with multivariable P < .05"],
    )
