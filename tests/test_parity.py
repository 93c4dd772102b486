"""R parity suite: every public function of carbook.survival and carbook.tables on R
datasets the other tests do not use, and on hand-made edge cases.

Fixtures: tests/r/parity_reference.R (R 4.2.2, survival 3.5-3, cmprsk 2.2-11),
long tables with the R call beside each expected number. R is not needed here.
R's NA is NaN on our side; a comparison passes when both are NaN (or both
infinite of one sign).
"""

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import logrank_test, multivariate_logrank_test

from carbook import survival as sv
from carbook import tables

FIX = Path(__file__).parent / "fixtures"
DATA = FIX / "parity"


def _ref(area: str) -> pd.DataFrame:
    return pd.read_csv(FIX / f"parity_{area}.csv", keep_default_na=False, na_values=["NA"])


def _key(key: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in key.split(";") if part)


@cache
def _case(case: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"data_{case}.csv")


def _same(got: float, want: float, rel: float, abs_: float = 0.0) -> bool:
    if np.isnan(want) or np.isnan(got):
        return bool(np.isnan(want) and np.isnan(got))
    if np.isinf(want) or np.isinf(got):
        return bool(got == want)
    return bool(abs(got - want) <= max(rel * abs(want), abs_))


def _groups(area: str, by: list[str]) -> list:
    ref = _ref(area)
    return [pytest.param(k, g, id="-".join(map(str, k))) for k, g in ref.groupby(by, sort=False)]


@pytest.mark.parametrize(("k", "rows"), _groups("km", ["case"]))
def test_km_matches_survfit(k, rows):
    d = _case(k[0])
    for (conf_type,), g in rows.groupby(rows["key"].map(lambda s: (_key(s)["conf_type"],))):
        fit = sv.km(d["time"], d["status"], conf_type=conf_type).set_index("time")
        for r in g.itertuples():
            got = fit.loc[float(_key(r.key)["time"]), r.quantity]
            assert _same(got, r.value, 1e-9, 1e-12), (r.r_call, got, r.value)


@pytest.mark.parametrize(("k", "rows"), _groups("quantile", ["case"]))
def test_km_quantiles_match_print_and_quantile_rules(k, rows):
    d = _case(k[0])
    for r in rows.itertuples():
        a = _key(r.key)
        fit = sv.km(d["time"], d["status"], conf_type=a["conf_type"])
        q = sv.km_quantile(fit, float(a["p"]), a["rule"])
        est = dict(zip(("est", "lower", "upper"), q, strict=True))
        assert _same(est[r.quantity], r.value, 1e-12), (r.r_call, est[r.quantity], r.value)


@pytest.mark.parametrize(("k", "rows"), _groups("followup", ["case"]))
def test_reverse_km_followup_matches_both_rules(k, rows):
    d = _case(k[0])
    for r in rows.itertuples():
        med, q25, q75 = sv.median_followup(d["time"], d["status"], rule=_key(r.key)["rule"])
        got = {"median": med, "q25": q25, "q75": q75}[r.quantity]
        assert _same(got, r.value, 1e-12), (r.r_call, got, r.value)


@pytest.mark.parametrize(("k", "rows"), _groups("logrank", ["case", "key"]))
def test_lifelines_logrank_matches_survdiff(k, rows):
    case, key = k
    d = _case(case)
    group = d["group"] if key == "group" else pd.read_csv(DATA / "data_pbc_stage.csv")["stage"]
    keep = group.notna()
    t, e, g = d["time"][keep], d["status"][keep], group[keep]
    if g.nunique() == 2:
        a, b = sorted(g.unique())
        res = logrank_test(t[g == a], t[g == b], e[g == a], e[g == b])
    else:
        res = multivariate_logrank_test(t, g, e)
    want = rows.set_index("quantity")["value"]
    assert _same(res.test_statistic, want["chisq"], 1e-9), rows["r_call"].iloc[0]
    assert _same(res.p_value, want["p"], 1e-9), rows["r_call"].iloc[1]


@pytest.mark.parametrize(("k", "rows"), _groups("cox", ["case", "key"]))
def test_cox_matches_summary_coxph(k, rows):
    case, key = k
    d, covs = _case(case), key.split("+")
    want = rows.set_index("quantity")["value"]
    infinite = bool(want["infinite"])
    fits = [sv.cox_multi(d["time"], d["status"], d[covs])]
    if len(covs) == 1:
        fits.append(sv.cox_batch(d["time"], d["status"], d[covs]))
    rel = 1e-5 if infinite else 1e-6
    for fit in fits:
        for c in covs:
            for q, col in (("coef", "coef"), ("se", "se"), ("p", "p")):
                got = fit.loc[c, col]
                assert _same(got, want[f"{c}:{q}"], rel, 1e-9), (case, key, c, q, got)
        assert (fit["flag"] == "coefficient may be infinite").any() == infinite
    tests = sv.cox_tests(d["time"], d["status"], d[covs])["p"]
    assert _same(tests["likelihood_ratio"], want["lr_p"], 1e-6)
    assert _same(tests["wald"], want["wald_p"], 1e-5 if infinite else 1e-6)
    assert _same(tests["score"], want["score_p"], 1e-9)


def test_cox_switch_matches_counting_process_coxph_on_jasa():
    d = _case("jasa")
    want = _ref("cox_td").set_index("quantity")["value"]
    fit = sv.cox_switch(d["time"], d["status"], d["switch"])
    for q, col in (("coef", "coef"), ("se", "se"), ("p", "p"), ("lr_p", "p_lr")):
        assert _same(fit[col], want[q], 1e-6), q
    assert _same(fit["p_score"], want["score_p"], 1e-9)


@pytest.mark.parametrize(("k", "rows"), _groups("cuminc", ["case"]))
def test_cuminc_matches_cmprsk(k, rows):
    d = _case(k[0])
    time, status = ("time", "cr") if k[0] == "pbc" else ("cr_time", "cr")
    for r in rows.itertuples():
        a = _key(r.key)
        fit = sv.cuminc(d[time], d[status], cause=int(a["cause"]))
        got = sv.step_at(fit, [float(a["time"])], [r.quantity])[r.quantity].iloc[0]
        assert _same(got, r.value, 1e-9, 1e-14), (r.r_call, got, r.value)


@pytest.mark.parametrize(("k", "rows"), _groups("tables", ["case"]))
def test_fisher_and_chisq_match_r(k, rows):
    t = pd.read_csv(DATA / f"table_{k[0]}.csv").to_numpy()
    want = rows.set_index("quantity")["value"]
    assert _same(tables.fisher_exact(t).pvalue, want["fisher_p"], 1e-10)
    cc = tables.chisq_test(t)
    assert _same(cc.pvalue, want["chisq_p"], 1e-9) and _same(cc.statistic, want["chisq_stat"], 1e-9)
    assert _same(tables.chisq_test(t, correct=False).pvalue, want["chisq_nocc_p"], 1e-9)


@pytest.mark.parametrize(("k", "rows"), _groups("props", ["key"]))
def test_proportion_ci_matches_r(k, rows):
    a = _key(k[0])
    x, n = int(a["x"]), int(a["n"])
    for r in rows.itertuples():
        method, side = r.quantity.split(":")
        if method == "t_mean" and n < 2:
            continue  # refused (ValueError), R cannot compute it either
        _, lo, hi = tables.proportion_ci(x, n, method=method)
        got = lo if side == "low" else hi
        assert _same(got, r.value, 1e-9, 1e-12), (r.r_call, got, r.value)


@pytest.mark.parametrize(("k", "rows"), _groups("wilcox", ["case", "key"]))
def test_wilcoxon_matches_r(k, rows):
    case, kind = k
    want = rows.set_index("quantity")["value"]
    if kind == "ranksum":
        d = pd.read_csv(DATA / f"wilcox_{case}.csv")
        res = tables.wilcoxon_ranksum(
            d.loc[d["sample"] == "x", "value"], d.loc[d["sample"] == "y", "value"]
        )
        assert _same(res.statistic, want["W"], 1e-12)
    else:
        d = pd.read_csv(DATA / f"paired_{case}.csv")
        res = tables.wilcoxon_signed_rank(d["x"], d["y"])
        assert _same(res.statistic, want["V"], 1e-12)
    assert _same(res.pvalue, want["p"], 1e-9), rows["r_call"].iloc[-1]
