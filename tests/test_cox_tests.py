"""Cox fits' Wald, likelihood-ratio and score tests and their edge cases against R.

Fixtures: tests/r/cox_tests_reference.R (the R call is beside each number).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbook import survival as sv

FIX = Path(__file__).parent / "fixtures"
REF = pd.read_csv(FIX / "cox_tests.csv")
LUNG = pd.read_csv(Path(__file__).parents[1] / "data" / "validation" / "lung.csv")
LUNG["age2"] = 2 * LUNG["age"]
VET = pd.read_csv(Path(__file__).parents[1] / "data" / "validation" / "veteran.csv").assign(
    karno20000=lambda d: d["karno"] + 20000
)
EDGE = pd.read_csv(FIX / "cox_edge_data.csv")
SW15 = pd.read_csv(FIX / "cox_switch15_data.csv")
TD = pd.read_csv(FIX / "survival_td.csv")

# case -> (data, time, event, covariates) of coxph(Surv(time, event) ~ covariates)
CASES = {
    "lung_age": (LUNG, "time", "status", ["age"]),
    "lung_female": (LUNG, "time", "status", ["female"]),
    "lung_ph.ecog": (LUNG, "time", "status", ["ph.ecog"]),
    "lung_wt.loss": (LUNG, "time", "status", ["wt.loss"]),
    "lung_multi": (LUNG, "time", "status", ["age", "female", "ph.ecog", "wt.loss"]),
    "veteran_karno20000": (VET, "time", "status", ["karno20000"]),
    "veteran_multi20000": (VET, "time", "status", ["trt", "karno20000", "age"]),
    "edge_separation": (EDGE, "time", "event", ["g"]),
    "edge_separation_multi": (EDGE, "time", "event", ["g", "z"]),
    "edge_constant_multi": (EDGE, "time", "event", ["z", "const"]),
    "lung_collinear": (LUNG, "time", "status", ["age", "age2", "female"]),
}
SWITCH = {"switch15": SW15, "switch_td": TD}
# Agreement: coefficients to 1e-7 relative (R stops at eps = 1e-9 on the loglik,
# we at a Newton step below 1e-10); a separated term keeps R's iterate, so 1e-6.
REL = 1e-7


def _ref(case: str) -> tuple[pd.DataFrame, pd.Series]:
    r = REF[REF["case"] == case]
    model = r[r["term"] == "(model)"].set_index("quantity")["value"]
    terms = r[r["term"] != "(model)"].pivot_table(
        index="term", columns="quantity", values="value", aggfunc="first", dropna=False
    )
    return terms, model


def _check_terms(fit: pd.DataFrame, terms: pd.DataFrame, infinite: bool) -> None:
    rel = 1e-6 if infinite else REL
    for term, row in terms.iterrows():
        if np.isnan(row["coef"]):  # R's NA: aliased
            assert np.isnan(fit.loc[term, "coef"]) and fit.loc[term, "flag"].startswith("aliased")
            continue
        assert fit.loc[term, "coef"] == pytest.approx(row["coef"], rel=rel, abs=1e-9)
        assert fit.loc[term, "se"] == pytest.approx(row["se"], rel=1e-5 if infinite else REL)
        assert fit.loc[term, "p"] == pytest.approx(row["p"], rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("case", [c for c in CASES if len(CASES[c][3]) == 1])
def test_cox_batch_three_tests_match_summary_coxph(case):
    data, time, event, covs = CASES[case]
    terms, model = _ref(case)
    fit = sv.cox_batch(data[time], data[event], data[covs])
    infinite = bool(model["infinite_warning"])
    _check_terms(fit, terms, infinite)
    row = fit.iloc[0]
    assert row["loglik"] == pytest.approx(model["loglik"], rel=1e-10)
    assert row["loglik0"] == pytest.approx(model["loglik0"], rel=1e-12)
    assert row["p_lr"] == pytest.approx(model["lr_p"], rel=1e-7)
    assert row["p_score"] == pytest.approx(model["score_p"], rel=1e-9)
    assert row["p_wald"] == pytest.approx(model["wald_p"], rel=1e-6)
    assert (row["flag"] == "coefficient may be infinite") == infinite
    assert row["converged"] != infinite


@pytest.mark.parametrize("case", list(CASES))
def test_cox_multi_and_cox_tests_match_summary_coxph(case):
    data, time, event, covs = CASES[case]
    terms, model = _ref(case)
    infinite = bool(model["infinite_warning"])
    fit = sv.cox_multi(data[time], data[event], data[covs])
    _check_terms(fit, terms, infinite)
    tests = sv.cox_tests(data[time], data[event], data[covs])
    assert tests.loc["likelihood_ratio", "chisq"] == pytest.approx(model["lr_chisq"], rel=1e-7)
    assert tests.loc["likelihood_ratio", "p"] == pytest.approx(model["lr_p"], rel=1e-7)
    assert tests.loc["wald", "chisq"] == pytest.approx(model["wald_chisq"], rel=1e-6)
    assert tests.loc["wald", "p"] == pytest.approx(model["wald_p"], rel=1e-6)
    assert tests.loc["score", "chisq"] == pytest.approx(model["score_chisq"], rel=1e-9)
    assert tests.loc["score", "p"] == pytest.approx(model["score_p"], rel=1e-9)
    assert (tests["df"] == model["lr_df"]).all()
    assert fit.attrs["tests"] == tests.to_dict("index")
    flagged = fit["flag"] == "coefficient may be infinite"
    assert flagged.any() == infinite
    assert (fit["converged"] | (fit["flag"] != "")).all()


@pytest.mark.parametrize("case", list(SWITCH))
def test_cox_switch_three_tests_match_counting_process_coxph(case):
    d = SWITCH[case]
    terms, model = _ref(case)
    fit = sv.cox_switch(d["time"], d["event"], d["switch"])
    assert fit["converged"] and fit["flag"] == ""
    assert fit["coef"] == pytest.approx(terms.loc["x", "coef"], rel=REL)
    assert fit["se"] == pytest.approx(terms.loc["x", "se"], rel=REL)
    assert fit["p_wald"] == pytest.approx(model["wald_p"], rel=1e-6)
    assert fit["p_lr"] == pytest.approx(model["lr_p"], rel=1e-7)
    assert fit["p_score"] == pytest.approx(model["score_p"], rel=1e-9)
    assert fit["loglik"] == pytest.approx(model["loglik"], rel=1e-10)


def test_cox_switch_never_switching_is_aliased_not_nan_silently():
    fit = sv.cox_switch([1, 2, 3], [1, 1, 1], [None, None, None])
    assert np.isnan(fit["coef"]) and fit["flag"].startswith("aliased") and not fit["converged"]


def test_cox_switch_separation_is_flagged():
    # Only switched patients die: the coefficient runs away, as R warns.
    fit = sv.cox_switch([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0], [0, 0.5, 1, None, None, None])
    assert fit["flag"] == "coefficient may be infinite" and not fit["converged"]
    assert fit["coef"] > 10


def test_cox_batch_constant_column_is_na_and_others_fit():
    x = EDGE[["z", "const"]]
    fit = sv.cox_batch(EDGE["time"], EDGE["event"], x)
    assert fit.loc["z", "converged"] and fit.loc["z", "flag"] == ""
    assert np.isnan(fit.loc["const", ["coef", "se", "p", "p_lr", "p_score"]].astype(float)).all()


def test_centring_keeps_coefficients_on_the_original_scale():
    shifted = VET.assign(k=VET["karno"] + 1e6)
    a = sv.cox_batch(VET["time"], VET["status"], shifted[["karno", "k"]])
    cols = ["coef", "se", "p_lr", "p_score"]
    np.testing.assert_allclose(
        a.loc["k", cols].astype(float), a.loc["karno", cols].astype(float), rtol=1e-8
    )
    assert a["converged"].all()
