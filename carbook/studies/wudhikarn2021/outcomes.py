"""Figure 1 and Table 2 of wudhikarn2021 on a SYNTHETIC calibrated cohort.

Plumbing for the chapter: the endpoints as the authors defined them, a lifelines
loop of univariate Cox models, and tables that put a published number beside the
one the synthetic cohort gives, with whether it prints the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter

from carbook import survival as sv
from carbook.published import load_published
from carbook.published import prints_as as _prints_as
from carbook.reconstruct.spec import load_spec
from carbook.studies.wudhikarn2021 import endpoints as ep

__all__ = [
    "cox_table",
    "endpoints",
    "fmt_ci",
    "km_summary",
    "naive_vs_competing",
    "prints_as",
    "published_text",
    "rr_competing",
    "synthetic_table",
]

STUDY = "wudhikarn2021"


def endpoints(c: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series]]:
    """EFS and OS of all treated patients, months from infusion: label -> (time, event).

    EFS ends at refractoriness, relapse or death; OS at death.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> t, e = endpoints(load_cohort(STUDY))["EFS"]
    >>> int(e.sum()) >= 38  # 38 progressions, plus deaths without progression
    True
    """
    return {
        label: tuple(pd.Series(a, index=c.index) for a in func(c))
        for label, func in (("EFS", ep.efs), ("OS", ep.os_))
    }


def rr_competing(c: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Time to R/R with death as a competing event: status 1 R/R, 2 death, 0 censored.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> time, status = rr_competing(load_cohort(STUDY))
    >>> int((status == 1).sum())
    38
    """
    time, status = ep.rr(c)
    return pd.Series(time, index=c.index), pd.Series(status, index=c.index)


def _registry() -> pd.DataFrame:
    return load_published(STUDY).set_index("id")


def published_text(claim: str) -> str:
    """A registry number as printed: "13 (9.11-23.34)".

    Examples
    --------
    >>> published_text("fig1_os_3y")
    '26.6 (17-42)'
    """
    row = _registry().loc[claim]
    if not row["low"] and not row["high"]:
        return row["value"]
    return f"{row['value']} ({row['low'] or 'NA'}-{row['high'] or 'NA'})"


def prints_as(claim: str, value: float, low: float = np.nan, high: float = np.nan) -> bool:
    """Whether every printed part of ``claim`` prints the same as the values given.

    The comparison is the scorecard's (:func:`carbook.published.prints_as`). A part
    printed as not available (empty) matches anything, e.g. a median's upper limit
    not reached.

    Examples
    --------
    >>> prints_as("fig1_os_3y", 26.6449, 17.01, 41.96)
    True
    """
    row = _registry().loc[claim]
    got = {"value": value, "low": low, "high": high}
    return all(_prints_as(row[part], got[part]) for part in got)


def km_summary(c: pd.DataFrame, conf_type: sv.ConfType = "log") -> pd.DataFrame:
    """Figure 1's medians and 3-year rates with 95% CIs, by a chosen KM transform.

    R's ``survfit`` default is ``conf.type = "log"``; lifelines uses "log-log".
    Medians follow R's rule (midpoint on a flat 0.5); rates are in percent.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> list(km_summary(load_cohort(STUDY)).columns)
    ['published', 'synthetic', 'prints as published']
    """
    ends = endpoints(c)
    rows = []
    for claim, end, at in (
        ("fig1_os_median", "OS", None),
        ("fig1_os_3y", "OS", 36),
        ("fig1_efs_3y", "EFS", 36),
    ):
        fit = sv.km(*ends[end], conf_type)
        if at is None:
            est = sv.km_quantile(fit)
            label = f"median {end}, months"
        else:
            s = sv.step_at(fit, [at]).iloc[0]
            est = tuple(100 * s[k] for k in ("surv", "lower", "upper"))
            label = f"{at // 12}-year {end}, %"
        rows.append(
            {
                "quantity": label,
                "published": published_text(claim),
                "synthetic": fmt_ci(est),
                "prints as published": prints_as(claim, *est),
            }
        )
    return synthetic_table(pd.DataFrame(rows).set_index("quantity"))


def fmt_ci(est: tuple[float, float, float]) -> str:
    """An estimate and its interval as text, two decimals; NaN prints as R's "NA".

    Examples
    --------
    >>> fmt_ci((16.75, 6.681, float("nan")))
    '16.75 (6.68-NA)'
    """
    v, lo, hi = (("NA" if np.isnan(x) else f"{x:.2f}") for x in est)
    return f"{v} ({lo}-{hi})"


def synthetic_table(table: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    """Label a table computed on a synthetic cohort (the label heads its columns).

    Examples
    --------
    >>> synthetic_table(pd.DataFrame({"hr": [1.2]})).columns.name
    'SYNTHETIC COHORT (seed 1)'
    """
    out = table.copy()
    out.columns.name = f"SYNTHETIC COHORT (seed {seed})"
    return out


def naive_vs_competing(c: pd.DataFrame, times: list[float]) -> pd.DataFrame:
    """Cumulative incidence of R/R (Aalen-Johansen) against 1 - KM, in percent.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> t = naive_vs_competing(load_cohort(STUDY), [12])
    >>> bool((t["1 - KM (naive)"] >= t["Aalen-Johansen"]).all())
    True
    """
    time, status = rr_competing(c)
    ci = sv.cuminc(time, status, 1)
    km = sv.km(time, (status == 1).astype(int))
    rows = []
    for at in times:
        aj = ci.loc[ci["time"] <= at, "est"]
        naive = 1 - sv.step_at(km, [at])["surv"].iloc[0]
        rows.append(
            {
                "month": at,
                "Aalen-Johansen": 100 * (aj.iloc[-1] if len(aj) else 0.0),
                "1 - KM (naive)": 100 * naive,
            }
        )
    out = pd.DataFrame(rows).set_index("month")
    out["overstatement"] = out["1 - KM (naive)"] - out["Aalen-Johansen"]
    return synthetic_table(out)


def cox_table(data: pd.DataFrame, duration: str, event: str, prefix: str) -> pd.DataFrame:
    """Univariate Cox models with lifelines, one per published covariate, beside the paper.

    The covariates are those of the study's targets whose claim starts with
    ``prefix`` (``"t2_"``: Table 2; ``"t3_"``: Table 3, univariate). Each model is
    ``CoxPHFitter().fit(data[[covariate, duration, event]])`` (Efron ties, Wald CI
    and P, as R's ``coxph``), on the target's population (e.g. CD19 known).

    Returns
    -------
    pandas.DataFrame
        Indexed by the registry's label: ``hr``, ``lower``, ``upper``, ``p``,
        ``pub_hr``, ``pub_lower``, ``pub_upper``, ``pub_p``, ``prints as published``
        and the cohort's ``covariate`` column.

    Examples
    --------
    >>> from carbook.reconstruct.run import load_cohort
    >>> c = load_cohort(STUDY)
    >>> time, status = rr_competing(c)
    >>> rr = c.assign(time=time, event=(status == 1).astype(int))
    >>> t2 = cox_table(rr, "time", "event", "t2_")
    >>> [float(x) for x in t2.loc["age >40 vs <=40", ["pub_hr", "pub_lower", "pub_upper"]]]
    [1.11, 0.58, 2.1]
    """
    reg = _registry()
    rows = {}
    for t in load_spec(STUDY).targets:
        if t.kind != "cox_hr" or not t.claim.startswith(prefix):
            continue
        cov = t.params["covariate"]
        rows_in = data[t.params["where"]] == 1 if "where" in t.params else data.index == data.index
        df = data.loc[rows_in, [cov, duration, event]].astype(float)
        fit = CoxPHFitter().fit(df, duration, event, fit_options={"precision": 1e-12})
        s = fit.summary.loc[cov]
        est = (s["exp(coef)"], s["exp(coef) lower 95%"], s["exp(coef) upper 95%"])
        pub = reg.loc[t.claim]
        rows[pub["location"]] = {
            "hr": est[0],
            "lower": est[1],
            "upper": est[2],
            "p": s["p"],
            "pub_hr": float(pub["value"]),
            "pub_lower": float(pub["low"]),
            "pub_upper": float(pub["high"]),
            "pub_p": reg.loc[t.p_claim, "value"] if t.p_claim else "",
            "prints as published": prints_as(t.claim, *est),
            "covariate": cov,
        }
    return synthetic_table(pd.DataFrame.from_dict(rows, orient="index"))
