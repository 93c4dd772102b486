"""The survival chapters' helpers (SYNTHETIC cohort): agreement between tools, scorecard."""

import numpy as np
import pandas as pd
import pytest

from carbook import book
from carbook import survival as sv
from carbook.reconstruct.run import load_cohort
from carbook.studies.wudhikarn2021 import outcomes, post, progression
from carbook.survplots import cif_figure, km_figure

COHORT = load_cohort("wudhikarn2021")
D = progression.progressed(COHORT)


def test_no_wudhikarn_number_is_left_pending_and_every_miss_has_a_reason():
    card = book.study_scorecard("wudhikarn2021")
    assert not (card["status"] == "pending").any()
    recon = card[card["level"] == "reconstructed"]
    assert set(recon["status"]) <= {"reconstructed", "not_met", "not_reproducible"}
    missed = recon[recon["status"].isin(["not_met", "not_reproducible"])]
    assert missed["reason"].str.len().gt(20).all()
    assert missed["reproduced"].notna().all()  # the value reached is shown
    proved = recon[recon["status"] == "not_reproducible"]
    assert proved["reason"].str.contains("proof: ").all()


def test_lifelines_time_varying_fit_equals_the_numpy_switch_model():
    for label, (_, start) in progression.EXPOSURES.items():
        lifelines_fit = progression.td_cox(D, start)
        ours = sv.cox_switch(D["time"], D["event"], D[start])
        assert lifelines_fit["hr"] == pytest.approx(ours["hr"], rel=1e-6), label
        assert lifelines_fit["p"] == pytest.approx(ours["p"], rel=1e-6), label


def test_counting_process_rows_cover_each_patient_once():
    long = progression.counting_process(D, "t_salvage")
    span = long.groupby("id").agg(start=("start", "min"), stop=("stop", "max"), n=("event", "sum"))
    assert (span["start"] == 0).all()
    assert np.allclose(span["stop"].to_numpy(), D["time"].to_numpy())
    assert (span["n"].to_numpy() == D["event"].to_numpy()).all()
    switched = long.groupby("id")["exposed"].max()
    expected = (D["t_salvage"] < D["time"]).astype(int)  # never-salvaged: NaN -> 0
    assert (switched.to_numpy() == expected.to_numpy()).all()


def test_immortal_time_table_has_three_codings_and_rejects_bad_input():
    table = progression.immortal_time(COHORT, "CR to salvage", 3.0)
    assert list(table.index[:2]) == ["baseline (naive)", "time-dependent"]
    assert table.index[2].startswith("landmark at 3 months")
    assert table.loc["time-dependent", "hr"] == pytest.approx(
        sv.cox_switch(D["time"], D["event"], D["t_cr"])["hr"], rel=1e-6
    )
    with pytest.raises(ValueError, match="exposure"):
        progression.immortal_time(COHORT, "aspirin", 3.0)
    with pytest.raises(ValueError, match="landmark"):
        progression.immortal_time(COHORT, "CR to salvage", 0.001)


def test_cox_table_matches_the_batch_cox_of_the_calibration():
    table = outcomes.cox_table(D, "time", "event", "t3_")
    plain = table[~table.index.str.contains("CD19")]
    x = D[plain["covariate"].tolist()].astype(float)
    batch = sv.cox_batch(D["time"], D["event"], x)
    assert plain["hr"].to_numpy() == pytest.approx(batch["hr"].to_numpy(), rel=1e-6)


def test_selection_rule_and_multivariable_model():
    table = pd.DataFrame({"covariate": ["a", "b", "c"], "p": [0.05, 0.10, 0.11]})
    assert progression.select(table) == ["a", "b"]
    with pytest.raises(ValueError, match="empty"):
        progression.multivariable(D, [])
    mv = progression.multivariable(D, ["bridging_not_intensive", "t_rr", "blasts"])
    ours = sv.cox_multi(D["time"], D["event"], D[["bridging_not_intensive", "t_rr", "blasts"]])
    assert mv["hr"].to_numpy() == pytest.approx(ours["hr"].to_numpy(), rel=1e-6)


def test_figure3a_readings_come_from_the_same_13_patients():
    curves, table = progression.figure3a(COHORT)
    rem, _ = curves["remission from CR"]
    efs, _ = curves["EFS from first salvage"]
    assert len(rem) == len(efs) == 13
    assert (efs >= rem).all()  # EFS starts earlier (first salvage) and ends at the same time
    assert table.shape == (2, 3)
    every = post.remission(COHORT)[0]
    assert np.allclose(np.sort(rem), np.sort(every[~np.isnan(every)]))


def test_naive_incidence_never_below_aalen_johansen():
    t = outcomes.naive_vs_competing(COHORT, [3, 12, 24, 60])
    assert (t["overstatement"] >= -1e-9).all()
    assert t["overstatement"].iloc[-1] > 0  # deaths without R/R exist


def test_transforms_share_the_estimate_and_differ_in_the_interval():
    log, loglog = outcomes.km_summary(COHORT, "log"), outcomes.km_summary(COHORT, "log-log")
    point = lambda t: t["synthetic"].str.split(" ").str[0]  # noqa: E731
    assert (point(log) == point(loglog)).all()
    assert log.loc["3-year OS, %", "synthetic"] != loglog.loc["3-year OS, %", "synthetic"]


def test_figures_carry_a_number_at_risk_table_and_the_synthetic_label():
    fig = km_figure(outcomes.endpoints(COHORT), "Figure 1")
    assert "SYNTHETIC COHORT" in fig.axes[0].get_title()
    labels = [t.get_text() for ax in fig.axes[1:] for t in ax.get_xticklabels()]
    assert labels[0].startswith("At risk") and "EFS   56" in labels[0]
    time, status = outcomes.rr_competing(COHORT)
    assert len(cif_figure(time, status, "Figure 1C").axes) >= 2


def test_prints_as_reads_the_registry_precision():
    assert outcomes.prints_as("fig1_os_3y", 26.64, 17.04, 41.96)
    assert not outcomes.prints_as("fig1_os_3y", 26.66, 17.04, 41.96)
    assert outcomes.published_text("salv_efs_cr_median") == "5.8 (4.1-NA)"
