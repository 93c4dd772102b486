"""carbook.survival against R (tests/r/survival_reference.R fixtures) and lifelines."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter, CoxPHFitter, KaplanMeierFitter

from carbook import survival as sv

FIX = Path(__file__).parent / "fixtures"
LUNG = pd.read_csv(Path(__file__).parents[1] / "data" / "validation" / "lung.csv")
MGUS = pd.read_csv(FIX / "survival_mgus2.csv")
TOL = 1e-9  # closed-form estimators: agreement to rounding error


@pytest.mark.parametrize("row", list(pd.read_csv(FIX / "survival_km.csv").itertuples()))
def test_km_landmarks_match_survfit(row):
    fit = sv.km(LUNG.time, LUNG.status, conf_type=row.conf_type)
    got = sv.step_at(fit, [row.time], ["surv", "std_err", "lower", "upper"]).iloc[0]
    for col in ("surv", "std_err", "lower", "upper"):
        assert got[col] == pytest.approx(getattr(row, col), abs=TOL), col


@pytest.mark.parametrize("row", list(pd.read_csv(FIX / "survival_km_quantile.csv").itertuples()))
def test_km_quantiles_match_r(row):
    fit = sv.km(LUNG.time, LUNG.status, conf_type=row.conf_type)
    assert sv.km_quantile(fit, row.p) == pytest.approx((row.est, row.lower, row.upper))


def test_flat_median_and_reverse_km_followup_match_r():
    misc = pd.read_csv(FIX / "survival_misc.csv").set_index("quantity")["value"]
    flat = sv.km([1, 2, 3, 4], [1, 1, 1, 1])
    assert sv.km_quantile(flat)[0] == misc["flat_median"]
    med, q25, q75 = sv.median_followup(LUNG.time, LUNG.status)
    assert (q25, med, q75) == (misc["fu_q25"], misc["fu_median"], misc["fu_q75"])


@pytest.mark.parametrize("row", list(pd.read_csv(FIX / "survival_cox.csv").itertuples()))
def test_cox_batch_matches_coxph_efron(row):
    fit = sv.cox_batch(LUNG.time, LUNG.status, LUNG[[row.covariate]]).iloc[0]
    assert fit["coef"] == pytest.approx(row.coef, abs=1e-8)
    assert fit["se"] == pytest.approx(row.se, abs=1e-8)
    assert fit["lower"] == pytest.approx(row.lower, rel=1e-7)
    assert fit["upper"] == pytest.approx(row.upper, rel=1e-7)
    assert fit["p"] == pytest.approx(row.p, rel=1e-6)
    assert fit["loglik"] == pytest.approx(row.loglik, abs=1e-8)


def test_cox_batch_equals_lifelines_to_1e6():
    covs = ["age", "female", "ph.ecog", "ph.karno", "wt.loss", "old"]
    batch = sv.cox_batch(LUNG.time, LUNG.status, LUNG[covs])
    for c in covs:
        cph = CoxPHFitter().fit(
            LUNG[["time", "status", c]], "time", "status", fit_options={"precision": 1e-12}
        )
        assert batch.loc[c, "coef"] == pytest.approx(cph.params_[c], abs=1e-6)
        assert batch.loc[c, "se"] == pytest.approx(cph.standard_errors_[c], abs=1e-6)


def test_km_log_log_equals_lifelines():
    fit = sv.km(LUNG.time, LUNG.status, conf_type="log-log")
    kmf = KaplanMeierFitter().fit(LUNG.time, LUNG.status)
    times = fit["time"].to_numpy()
    assert np.allclose(fit["surv"], kmf.survival_function_at_times(times), atol=1e-12)
    ci = kmf.confidence_interval_.loc[times]
    ok = fit["surv"].between(0, 1, inclusive="neither").to_numpy()
    assert np.allclose(fit["lower"][ok], ci.iloc[:, 0][ok], atol=1e-9)
    assert np.allclose(fit["upper"][ok], ci.iloc[:, 1][ok], atol=1e-9)


@pytest.mark.parametrize("row", list(pd.read_csv(FIX / "survival_cuminc.csv").itertuples()))
def test_cuminc_matches_cmprsk(row):
    ci = sv.cuminc(MGUS.etime, MGUS.event, cause=row.cause)
    got = sv.step_at(ci, [row.time], ["est", "var"]).iloc[0]
    assert got["est"] == pytest.approx(row.est, abs=TOL)
    assert got["var"] == pytest.approx(row.var, abs=TOL)


def test_cuminc_equals_lifelines_aalen_johansen_without_ties():
    rng = np.random.default_rng(20211)
    t = rng.exponential(10, 80).round(6)
    status = rng.choice([0, 1, 2], 80, p=[0.3, 0.4, 0.3])
    ours = sv.cuminc(t, status, cause=1)
    ajf = AalenJohansenFitter(seed=1, calculate_variance=False).fit(t, status, event_of_interest=1)
    theirs = ajf.cumulative_density_.iloc[:, 0]
    assert np.allclose(sv.step_at(ours, theirs.index, ["est"])["est"], theirs, atol=1e-12)


@pytest.mark.parametrize(
    ("time", "event", "message"),
    [
        ([1, 2], [1], "equal length"),
        ([1, -2], [1, 0], "non-negative"),
        ([1, np.nan], [1, 0], "NaN"),
        ([1, 2], [1, 2], "event must be 0"),
    ],
)
def test_bad_survival_input(time, event, message):
    with pytest.raises(ValueError, match=message):
        sv.km(time, event)


def test_cox_batch_bad_input():
    with pytest.raises(ValueError, match="no events"):
        sv.cox_batch([1, 2], [0, 0], pd.DataFrame({"x": [0, 1]}))
    with pytest.raises(ValueError, match="NaN in columns"):
        sv.cox_batch([1, 2], [1, 1], pd.DataFrame({"x": [0, np.nan]}))
    with pytest.raises(ValueError, match="DataFrame"):
        sv.cox_batch([1, 2], [1, 1], [[0], [1]])


def test_cuminc_unknown_cause():
    with pytest.raises(ValueError, match="cause 3"):
        sv.cuminc([1, 2], [1, 2], cause=3)


def test_cox_switch_matches_coxph_counting_process():
    td = pd.read_csv(FIX / "survival_td.csv")
    ref = pd.read_csv(FIX / "survival_td_cox.csv").iloc[0]
    fit = sv.cox_switch(td["time"], td["event"], td["switch"])
    assert fit["coef"] == pytest.approx(ref["coef"], abs=1e-8)
    assert fit["se"] == pytest.approx(ref["se"], abs=1e-8)


def test_cox_switch_equals_lifelines_time_varying():
    from lifelines import CoxTimeVaryingFitter

    td = pd.read_csv(FIX / "survival_td.csv")
    rows = []
    for i, (t, e, s) in enumerate(td[["time", "event", "switch"]].itertuples(index=False)):
        if np.isnan(s) or s >= t:
            rows.append((i, 0.0, t, e, 0))
        elif s <= 0:
            rows.append((i, 0.0, t, e, 1))
        else:
            rows += [(i, 0.0, s, 0, 0), (i, s, t, e, 1)]
    long = pd.DataFrame(rows, columns=["id", "start", "stop", "event", "x"])
    ctv = CoxTimeVaryingFitter().fit(
        long,
        id_col="id",
        start_col="start",
        stop_col="stop",
        event_col="event",
        fit_options={"precision": 1e-12},
    )
    fit = sv.cox_switch(td["time"], td["event"], td["switch"])
    assert fit["coef"] == pytest.approx(ctv.params_["x"], abs=1e-6)


def test_cox_switch_rejects_wrong_length():
    with pytest.raises(ValueError, match="switch must have the length"):
        sv.cox_switch([1, 2], [1, 1], [0.5])


def test_cox_multi_matches_coxph_efron_and_lifelines():
    ref = pd.read_csv(FIX / "survival_cox_multi.csv").set_index("covariate")
    cols = list(ref.index)
    fit = sv.cox_multi(LUNG["time"], LUNG["status"], LUNG[cols])
    np.testing.assert_allclose(fit["coef"], ref["coef"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(fit["se"], ref["se"], rtol=1e-8)
    np.testing.assert_allclose(fit["p"], ref["p"], rtol=1e-7)
    cph = CoxPHFitter().fit(
        LUNG[["time", "status", *cols]], "time", "status", fit_options={"precision": 1e-12}
    )
    np.testing.assert_allclose(fit["coef"], cph.params_[cols], atol=1e-6)


def test_cox_multi_with_one_column_equals_cox_batch():
    one = sv.cox_multi(LUNG["time"], LUNG["status"], LUNG[["age"]])
    batch = sv.cox_batch(LUNG["time"], LUNG["status"], LUNG[["age"]])
    np.testing.assert_allclose(one["coef"], batch["coef"], atol=1e-10)
    np.testing.assert_allclose(one["se"], batch["se"], rtol=1e-10)


def test_cox_multi_rejects_nan_covariate():
    x = LUNG[["age"]].astype(float).copy()
    x.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        sv.cox_multi(LUNG["time"], LUNG["status"], x)
