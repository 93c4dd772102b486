"""The validation on real data (lung, veteran): printed summaries, held-out truth, baseline."""

import numpy as np
import pandas as pd
import pytest

from carbook import survival as sv
from carbook.reconstruct import validation


def test_veteran_summaries_are_what_survfit_and_coxph_print():
    spec, facts = validation.spec_of("veteran")
    vet = validation.load_veteran()
    targets = {t.claim: t for t in spec.targets}
    assert set(targets) == {"os_median", "os_3m", "os_6m", "hr_treated"}  # no follow-up
    med = sv.km_quantile(sv.km(vet["time"], vet["event"]))
    assert targets["os_median"].printed == {k: f"{v:.1f}" for k, v in zip(
        ("value", "low", "high"), med, strict=True)}  # fmt: skip
    hr = sv.cox_batch(vet["time"], vet["event"], vet[["treated"]]).loc["treated"]
    assert targets["hr_treated"].printed["value"] == f"{hr['hr']:.2f}"
    assert targets["hr_treated"].p_printed == f"{hr['p']:.2f}"
    assert spec.categorical["smallcell"]["all"]["1"] == 48
    assert facts["events"] == 128 and facts["median"] == float(f"{med[0]:.1f}")


def test_unknown_dataset_is_named():
    with pytest.raises(ValueError, match="dataset must be one of"):
        validation.spec_of("colon")
    with pytest.raises(ValueError, match="dataset must be one of"):
        validation.held_out(validation.load_lung(), "mgus")


def test_baseline_keeps_the_printed_margins_and_deaths():
    spec, facts = validation.spec_of("veteran")
    _, cohort, _, _ = validation._start("veteran", 2)
    assert int(cohort["event"].sum()) == facts["events"]
    for col in validation.VETERAN.margins:
        assert int(cohort[col].sum()) == spec.categorical[col]["all"]["1"]


@pytest.mark.parametrize("name", ["lung", "veteran"])
def test_committed_results_hold_the_truth_and_the_baseline(name):
    """The cheap columns of the committed table recomputed (truth, baseline: no search)."""
    table = validation.load_results(name)
    truth = pd.Series(validation.held_out(validation.DATASETS[name].load(), name))
    assert list(table.index) == list(truth.index)
    np.testing.assert_allclose(table["true"], truth, rtol=1e-5)
    base = validation.baseline(name).mean()
    np.testing.assert_allclose(table["baseline_mean"], base, rtol=1e-5)
    assert ((table["min"] <= table["mean"]) & (table["mean"] <= table["max"])).all()
    assert (table["true_in_range"] == table["true"].between(table["min"], table["max"])).all()


def test_validate_runs_on_veteran_with_a_small_budget():
    table = validation.validate(seeds=range(1, 2), budget=300, name="veteran")
    assert table["true"].notna().all() and table["mean"].notna().all()
    assert (table["error"] == table["mean"] - table["true"]).all()


def test_validate_command_refuses_an_unwritable_folder(tmp_path, capsys):
    from carbook.__main__ import main

    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["validate", "--out", str(blocker / "sub")]) == 2
    assert "not writable" in capsys.readouterr().err
