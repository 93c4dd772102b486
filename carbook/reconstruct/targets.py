"""Compute every target statistic on a cohort, and score it against the printed value.

Conventions are the authors' (R 3.6): KM intervals ``conf.type = "log"``, R's median
rule, reverse-KM follow-up, ``cmprsk::cuminc`` with log(-log) limits, Cox with Efron
ties and Wald intervals, ``wilcox.test`` defaults. The statistics use the numpy
cores of :mod:`carbook.survival`, which are tested against R.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from carbook import survival as sv
from carbook.published import printed_interval
from carbook.reconstruct.spec import Target
from carbook.tables import wilcoxon_ranksum

__all__ = ["Endpoints", "Evaluator", "inconsistent_p_targets", "infeasible_hr_targets"]

#: endpoint name -> function(cohort) -> (time, status); status 1 = event of interest,
#: 2 = competing event, 0 = censored; time NaN for patients outside the endpoint's
#: population (e.g. survival from progression for those who never progressed).
Endpoints = dict[str, Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray]]]
PARTS = ("value", "low", "high", "p")
Z = stats.norm.ppf(0.975)


def _step(times: np.ndarray, values: np.ndarray, at: float, before: float) -> float:
    i = np.searchsorted(times, at, side="right") - 1
    return float(values[i]) if i >= 0 else before


def _km_stat(
    t: Target, time: np.ndarray, status: np.ndarray, where: np.ndarray | None = None
) -> tuple[float, float, float]:
    """KM, CIF or follow-up statistic; ``params["conf_type"]`` picks R's KM transform."""
    keep = np.isfinite(time) if where is None else np.isfinite(time) & where
    time, status = time[keep], status[keep]
    if t.kind == "followup":
        a = sv.km_arrays(time, (status == 0).astype(float))
        s, x = a["surv"], a["time"]
        return sv._minmin(s, x, 0.5), sv._minmin(s, x, 0.75), sv._minmin(s, x, 0.25)
    if t.kind == "cif_at":
        times, est, var = sv.cuminc_arrays(time, status, 1)
        e, v = _step(times, est, t.params["time"], 0.0), _step(times, var, t.params["time"], 0.0)
        lo, hi = sv.cif_log_log(e, v)
        return 100 * e, 100 * lo, 100 * hi
    a = sv.km_arrays(time, (status == 1).astype(float), t.params.get("conf_type", "log"))
    if t.kind == "km_median":
        return tuple(sv._minmin(a[k], a["time"], 0.5) for k in ("surv", "lower", "upper"))
    at = t.params["time"]
    return tuple(100 * _step(a["time"], a[k], at, 1.0) for k in ("surv", "lower", "upper"))


def infeasible_hr_targets(
    targets: list[Target], cohort: pd.DataFrame, endpoints: Endpoints
) -> dict[str, str]:
    """Cox targets whose printed interval no cohort can produce, with the reason.

    For a 0/1 covariate the Cox information is at most d/4 (d events), so the Wald
    standard error of log(HR) is at least 2/sqrt(d). A printed interval narrower than
    that allows (even at the widest reading of its rounded bounds) is unattainable,
    whatever the data: the covariate must have been coded otherwise.
    """
    out = {}
    for t in targets:
        if t.kind != "cox_hr" or not {"low", "high"} <= set(t.printed):
            continue
        time, status = endpoints[t.params["endpoint"]](cohort)
        x = cohort[t.params["covariate"]].to_numpy(float)[np.isfinite(time)]
        if not np.isin(x, (0, 1)).all():
            continue
        status = status[np.isfinite(time)]
        d = int((status == 1).sum())
        lo_min, _ = printed_interval(t.printed["low"])
        _, hi_max = printed_interval(t.printed["high"])
        widest = (np.log(hi_max) - np.log(lo_min)) / (2 * Z)
        if widest < 2 / np.sqrt(d):
            out[t.claim] = (
                f"printed CI implies SE(log HR) <= {widest:.3f}, but a 0/1 covariate with "
                f"{d} events has SE >= 2/sqrt({d}) = {2 / np.sqrt(d):.3f}"
            )
    return out


def _wald_p(beta: float, se: float) -> float:
    return float(2 * stats.norm.sf(abs(beta) / se))


def inconsistent_p_targets(targets: list[Target]) -> dict[str, str]:
    """HR targets whose printed P no Wald test on the printed HR and CI can give.

    A Cox Wald P follows from log(HR) and its standard error, which the printed
    interval fixes: se = (log high - log low) / (2 z). Taking every value the rounded
    HR and bounds allow gives a range of possible P values; a printed P outside it
    cannot be met together with the HR and CI (a different test, or a misprint).
    """
    out = {}
    for t in targets:
        if t.kind != "cox_hr" or not t.p_printed or not {"low", "high"} <= set(t.printed):
            continue
        (h0, h1), (l0, l1), (u0, u1) = (
            printed_interval(t.printed[k]) for k in ("value", "low", "high")
        )
        betas = np.log([max(h0, 1e-9), h1])
        se_lo, se_hi = (
            (np.log(u0) - np.log(l1)) / (2 * Z),
            (np.log(u1) - np.log(max(l0, 1e-9))) / (2 * Z),
        )
        near = 0.0 if betas[0] <= 0 <= betas[1] else np.abs(betas).min()
        p_min, p_max = _wald_p(np.abs(betas).max(), max(se_lo, 1e-9)), _wald_p(near, se_hi)
        p0, p1 = printed_interval(t.p_printed)
        if p1 <= p_min or p0 > p_max:
            out[t.claim] = (
                f"printed P {t.p_printed} is outside [{p_min:.3f}, {p_max:.3f}], the Wald P "
                "values the printed HR and CI allow"
            )
    return out


class Evaluator:
    """Evaluate a study's targets on cohorts, fast enough for a stochastic search.

    Parameters
    ----------
    targets : list of Target
        From :func:`carbook.reconstruct.spec.load_spec`.
    endpoints : Endpoints
        How each endpoint's (time, status) is read off a cohort.
    """

    def __init__(
        self,
        targets: list[Target],
        endpoints: Endpoints,
        excluded: dict[str, str] | None = None,
        excluded_p: dict[str, str] | None = None,
    ) -> None:
        self.targets = targets
        self.excluded = dict(excluded or {})  # claim -> reason (every part)
        self.excluded_p = dict(excluded_p or {})  # claim -> reason (its P only)
        self.endpoints = endpoints
        self.cox: dict[str, list[Target]] = {}
        for t in targets:
            if t.kind == "cox_hr":
                self.cox.setdefault(t.params["endpoint"], []).append(t)
        rows = []
        for t in targets:
            printed = {**t.printed, **({"p": t.p_printed} if t.p_printed else {})}
            for part in PARTS:
                if part in printed:
                    rows.append((t.claim, part, printed[part], *printed_interval(printed[part])))
        self.parts = pd.DataFrame(rows, columns=["claim", "part", "printed", "lo", "hi"])
        self._lo = self.parts["lo"].to_numpy()
        self._hi = self.parts["hi"].to_numpy()
        self._width = self._hi - self._lo
        notes = [
            self.excluded.get(c) or (self.excluded_p.get(c) if part == "p" else None)
            for c, part in zip(self.parts["claim"], self.parts["part"], strict=True)
        ]
        self._notes = pd.Series(notes, dtype=object)
        self._weight = self._notes.isna().to_numpy(float)

    def achieved(self, cohort: pd.DataFrame) -> dict[tuple[str, str], float]:
        """Achieved value of every (claim, part) on ``cohort``."""
        out: dict[tuple[str, str], float] = {}
        for endpoint, group in self.cox.items():
            time, status = self.endpoints[endpoint](cohort)
            keep = np.isfinite(time)
            xv = np.column_stack([cohort[t.params["covariate"]].to_numpy(float) for t in group])
            time, status, xv = time[keep], status[keep], xv[keep]
            beta, _, info, _ = sv.cox_arrays(time, (status == 1).astype(float), xv)
            se = 1 / np.sqrt(info)
            for j, t in enumerate(group):
                out[t.claim, "value"] = float(np.exp(beta[j]))
                out[t.claim, "low"] = float(np.exp(beta[j] - Z * se[j]))
                out[t.claim, "high"] = float(np.exp(beta[j] + Z * se[j]))
                out[t.claim, "p"] = float(2 * stats.norm.sf(abs(beta[j] / se[j])))
        for t in self.targets:
            if t.kind in ("km_median", "km_at", "cif_at", "followup"):
                where = t.params.get("where")
                mask = None if where is None else cohort[where].to_numpy() == 1
                vals = _km_stat(t, *self.endpoints[t.params["endpoint"]](cohort), mask)
                vals = tuple(v * t.params.get("scale", 1.0) for v in vals)
            elif t.kind == "median_range":
                col = cohort[t.params["column"]].to_numpy(float)
                v = col[cohort[t.params["where"]].to_numpy() == 1]
                vals = (float(np.median(v)), float(v.min()), float(v.max()))
            elif t.kind == "wilcoxon":
                col = cohort[t.params["column"]].to_numpy(float)
                prog = cohort["progressed"].to_numpy() == 1
                out[t.claim, "value"] = wilcoxon_ranksum(col[prog], col[~prog]).pvalue
                continue
            else:
                continue
            out.update(
                {(t.claim, k): v for k, v in zip(("value", "low", "high"), vals, strict=True)}
            )
        return out

    def gaps(self, cohort: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(achieved, gap) per printed part; gap 0 inside the printed interval.

        Outside, the gap is the distance to the interval in units of the printed
        precision, plus one half so that any miss costs something.
        """
        got = self.achieved(cohort)
        achieved = np.array(
            [got.get(k, np.nan) for k in zip(self.parts["claim"], self.parts["part"], strict=True)]
        )
        with np.errstate(invalid="ignore"):
            below = (self._lo - achieved) / self._width
            above = (achieved - self._hi) / self._width
            gap = np.where(
                achieved < self._lo, below + 0.5, np.where(achieved >= self._hi, above + 0.5, 0.0)
            )
        gap = np.where(np.isnan(achieved), 50.0, gap)  # e.g. a median not reached
        return achieved, gap

    def loss(self, cohort: pd.DataFrame) -> float:
        """Sum of squared gaps (excluded, unattainable targets weigh nothing)."""
        return float((self._weight * self.gaps(cohort)[1] ** 2).sum())

    def report(self, cohort: pd.DataFrame) -> pd.DataFrame:
        """Calibration report: printed, achieved, within precision, loss contribution."""
        achieved, gap = self.gaps(cohort)
        out = self.parts[["claim", "part", "printed"]].copy()
        out["achieved"] = achieved
        out["within"] = gap == 0
        out["loss"] = self._weight * gap**2
        missed = "not met jointly with the other targets within the search budget"
        out["note"] = self._notes.fillna("").to_numpy()
        out.loc[(out["note"] == "") & ~out["within"], "note"] = missed
        return out
