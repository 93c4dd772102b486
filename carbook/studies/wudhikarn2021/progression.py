"""Figure 3 and Table 3 of wudhikarn2021 on a SYNTHETIC calibrated cohort.

Survival of the 38 patients from progression after CAR T: the data set, the
counting-process (long) format for time-dependent covariates, the multivariable
model chosen by the authors' rule, and the immortal-time comparison.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, CoxTimeVaryingFitter
from lifelines.utils import add_covariate_to_timeline, to_long_format

from carbook import survival as sv
from carbook.studies.wudhikarn2021 import post
from carbook.studies.wudhikarn2021.outcomes import (
    fmt_ci,
    prints_as,
    published_text,
    synthetic_table,
)

__all__ = [
    "EXPOSURES",
    "counting_process",
    "cr_groups",
    "cr_medians",
    "figure3a",
    "figure3b",
    "immortal_time",
    "multivariable",
    "progressed",
    "select",
    "td_cox",
]

#: exposure label -> (0/1 column ever exposed, column of the time it starts)
EXPOSURES = {
    "salvage therapy": ("salvaged", "t_salvage"),
    "CR to salvage": ("salvage_cr", "t_cr"),
    "blinatumomab or inotuzumab": ("blin_ino", "t_blin_ino"),
}


def progressed(c: pd.DataFrame) -> pd.DataFrame:
    """The 38 who progressed, with ``time`` (months from progression) and ``event`` (death).

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> d = progressed(load_cohort("wudhikarn2021"))
    >>> len(d), int(d["event"].sum())
    (38, 31)
    """
    d = c[c["progressed"] == 1].copy()
    d["time"], d["event"] = d["t_post"], d["dead"].astype(int)
    d["blin_ino"] = d["t_blin_ino"].notna().astype(int)
    return d.reset_index(drop=True)


def figure3b(d: pd.DataFrame) -> pd.DataFrame:
    """Median OS and 1-year OS from progression (R's log CI), median follow-up.

    ``d`` is :func:`progressed`. Each row: the published text, the synthetic value
    and whether it prints the same.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> figure3b(progressed(load_cohort("wudhikarn2021")))["published"].tolist()
    ['7.5 (4.14-13.9)', '35 (23-56)', '20']
    """
    fit = sv.km(d["time"], d["event"])
    one = sv.step_at(fit, [12]).iloc[0]
    rows = {
        "os_post_prog_median_ci": sv.km_quantile(fit),
        "os_post_prog_1y": tuple(100 * one[k] for k in ("surv", "lower", "upper")),
        "followup_post_prog_median": (sv.median_followup(d["time"], d["event"])[0],),
    }
    labels = ["median OS, months (95% CI)", "1-year OS, % (95% CI)", "median follow-up, months"]
    return synthetic_table(
        pd.DataFrame(
            {
                "published": [published_text(c) for c in rows],
                "synthetic": [fmt_ci(v) if len(v) == 3 else f"{v[0]:.2f}" for v in rows.values()],
                "prints as published": [prints_as(c, *v) for c, v in rows.items()],
            },
            index=labels,
        )
    )


def figure3a(c: pd.DataFrame) -> tuple[dict[str, tuple[pd.Series, pd.Series]], pd.DataFrame]:
    """The two readings of Figure 3A for the 13 with a CR to salvage.

    Returns the curves (event-free survival from the first salvage; remission from
    the CR) and a table: the text's remission duration as median (range) of the
    observed durations, and its EFS as a Kaplan-Meier median with CI.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> curves, table = figure3a(load_cohort("wudhikarn2021"))
    >>> list(curves), table.shape
    (['EFS from first salvage', 'remission from CR'], (2, 3))
    """
    cr = c[c["salvage_outcome"] == "cr"]
    rem, rem_event = post.remission(cr)
    efs, efs_event = post.remission(cr, "t_salvage")
    curves = {
        "EFS from first salvage": (pd.Series(efs), pd.Series(efs_event)),
        "remission from CR": (pd.Series(rem), pd.Series(rem_event)),
    }
    km = sv.km_quantile(sv.km(efs, efs_event))
    rng = (float(np.median(rem)), float(rem.min()), float(rem.max()))
    table = pd.DataFrame(
        {
            "published": [
                published_text("salv_remission_duration_median"),
                published_text("salv_efs_cr_median"),
            ],
            "synthetic": [f"{rng[0]:.2f} ({rng[1]:.2f}-{rng[2]:.2f})", fmt_ci(km)],
            "prints as published": [
                prints_as("salv_remission_duration_median", *rng),
                prints_as("salv_efs_cr_median", *km),
            ],
        },
        index=["remission duration, median (range)", "EFS, Kaplan-Meier median (95% CI)"],
    )
    return curves, synthetic_table(table)


def cr_groups(c: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series]]:
    """OS from progression of the 30 salvaged: CR to salvage vs no CR (baseline coding).

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> {k: len(t) for k, (t, e) in cr_groups(load_cohort("wudhikarn2021")).items()}
    {'CR to salvage': 13, 'no CR': 17}
    """
    d = progressed(c)
    d = d[d["salvaged"] == 1]
    cr = d["salvage_cr"] == 1
    return {
        "CR to salvage": (d.loc[cr, "time"], d.loc[cr, "event"]),
        "no CR": (d.loc[~cr, "time"], d.loc[~cr, "event"]),
    }


def cr_medians(c: pd.DataFrame) -> pd.DataFrame:
    """Median OS from progression (95% CI, R's rule and log CI) by response to salvage.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> cr_medians(load_cohort("wudhikarn2021"))["published"].tolist()
    ['16.2 (8.4-NA)', '4.6 (3.6-13.9)']
    """
    rows = {}
    for (label, (t, e)), claim in zip(
        cr_groups(c).items(), ["os_cr_salvage_median", "os_nocr_salvage_median"], strict=True
    ):
        est = sv.km_quantile(sv.km(t, e))
        rows[label] = {
            "published": published_text(claim),
            "synthetic": fmt_ci(est),
            "prints as published": prints_as(claim, *est),
        }
    return synthetic_table(pd.DataFrame(rows).T)


def counting_process(d: pd.DataFrame, start_col: str, name: str = "exposed") -> pd.DataFrame:
    """Long (start, stop] rows: ``name`` is 0 before ``start_col`` and 1 from it on.

    Built with lifelines' :func:`~lifelines.utils.to_long_format` and
    :func:`~lifelines.utils.add_covariate_to_timeline`, the form R's
    ``coxph(Surv(start, stop, event) ~ x)`` and lifelines' ``CoxTimeVaryingFitter``
    read. Patients never exposed (NaN start) keep one row at 0.

    Examples
    --------
    >>> d = pd.DataFrame({"time": [5.0, 3.0], "event": [1, 0], "t_x": [2.0, np.nan]})
    >>> counting_process(d, "t_x")[["id", "start", "stop", "exposed", "event"]].values.tolist()
    [[0.0, 0.0, 2.0, 0.0, 0.0], [0.0, 2.0, 5.0, 1.0, 1.0], [1.0, 0.0, 3.0, 0.0, 0.0]]
    """
    base = d[["time", "event"]].assign(id=np.arange(len(d)), **{name: 0.0})
    long = to_long_format(base, duration_col="time")
    starts = d[start_col].to_numpy(float)
    changes = pd.DataFrame({"id": np.arange(len(d)), "time": starts, name: 1.0})
    changes = changes[np.isfinite(starts) & (starts < d["time"].to_numpy(float))]
    out = add_covariate_to_timeline(long, changes, "id", "time", "event")
    return out.sort_values(["id", "start"]).reset_index(drop=True)


def td_cox(d: pd.DataFrame, start_col: str) -> pd.Series:
    """Time-dependent Cox (lifelines ``CoxTimeVaryingFitter``): HR, CI and Wald P.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> list(td_cox(progressed(load_cohort("wudhikarn2021")), "t_salvage").index)
    ['hr', 'lower', 'upper', 'p']
    """
    long = counting_process(d, start_col)
    fit = CoxTimeVaryingFitter().fit(
        long[["id", "start", "stop", "event", "exposed"]],
        event_col="event",
        id_col="id",
        fit_options={"precision": 1e-12},
    )
    return _hr(fit.summary.loc["exposed"])


def _hr(s: pd.Series) -> pd.Series:
    return pd.Series(
        {
            "hr": s["exp(coef)"],
            "lower": s["exp(coef) lower 95%"],
            "upper": s["exp(coef) upper 95%"],
            "p": s["p"],
        }
    )


def select(univariate: pd.DataFrame, threshold: float = 0.10) -> list[str]:
    """The authors' rule: covariates with univariate P <= ``threshold`` enter the model.

    Examples
    --------
    >>> select(pd.DataFrame({"covariate": ["age", "sex"], "p": [0.08, 0.2]}))
    ['age']
    """
    return univariate.loc[univariate["p"] <= threshold, "covariate"].tolist()


def multivariable(d: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """One multivariable Cox model (lifelines, Efron ties, Wald CI and P).

    Raises
    ------
    ValueError
        If ``covariates`` is empty.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> d = progressed(load_cohort("wudhikarn2021"))
    >>> multivariable(d, ["t_rr", "blasts"]).shape
    (2, 4)
    """
    if not covariates:
        raise ValueError("covariates is empty: no univariate factor met the selection rule")
    df = d[[*covariates, "time", "event"]].astype(float)
    fit = CoxPHFitter().fit(df, "time", "event", fit_options={"precision": 1e-12})
    return synthetic_table(fit.summary.apply(_hr, axis=1))


def immortal_time(c: pd.DataFrame, exposure: str, landmark: float) -> pd.DataFrame:
    """The same exposure three ways: baseline (naive), time-dependent, landmark.

    Naive coding credits patients with an exposure they had to survive to receive:
    the time before it is "immortal" and flatters the exposed. Time-dependent coding
    counts each patient as unexposed until the exposure starts; a landmark analysis
    keeps patients alive at ``landmark`` months and classifies them by then.

    Raises
    ------
    ValueError
        If ``exposure`` is unknown, or no one (or everyone) is exposed by the landmark.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> t = immortal_time(load_cohort("wudhikarn2021"), "salvage therapy", 2.0)
    >>> list(t.index[:2]), list(t.columns)
    (['baseline (naive)', 'time-dependent'], ['hr', 'lower', 'upper', 'p'])
    """
    if exposure not in EXPOSURES:
        raise ValueError(f"exposure must be one of {sorted(EXPOSURES)}, got {exposure!r}")
    ever, start = EXPOSURES[exposure]
    d = progressed(c)
    rows = {"baseline (naive)": _cox1(d.assign(x=d[ever]))}
    rows["time-dependent"] = td_cox(d, start)
    alive = d[d["time"] > landmark].copy()
    alive["x"] = (alive[start] <= landmark).astype(int)
    alive["time"] = alive["time"] - landmark
    if alive["x"].nunique() < 2:
        raise ValueError(f"landmark {landmark}: exposure does not vary among those alive")
    rows[f"landmark at {landmark:g} months (n = {len(alive)})"] = _cox1(alive)
    return synthetic_table(pd.DataFrame(rows).T)


def _cox1(d: pd.DataFrame) -> pd.Series:
    fit = CoxPHFitter().fit(
        d[["x", "time", "event"]].astype(float), "time", "event", fit_options={"precision": 1e-12}
    )
    return _hr(fit.summary.loc["x"])
