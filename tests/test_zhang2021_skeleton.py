"""zhang2021: the survival skeleton placed from the printed numbers, and the CIR shape proof."""

import numpy as np
import pytest

from carbook.reconstruct.construction import derive
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import Evaluator
from carbook.studies import zhang2021
from carbook.studies import zhang2021_skeleton as zk
from carbook.studies import zhang2021_survival as zs
from carbook.survival import cif_log_log, km, step_at

SPEC = load_spec("zhang2021")
MET = ["efs_1y", "fu_median", "efs_1y_cr", "os_1y_cr"]


@pytest.mark.parametrize("blocks", [(1, 15, 7), (3, 14, 6), (0, 0, 10), (5, 2, 0), (0, 20, 13)])
def test_block_interval_is_survfit_plain(blocks):
    """The closed form equals survfit(conf.type = "plain") on real times with that order."""
    n, (early, censored, late) = 34, blocks
    rest = n - early - censored - late
    time = np.r_[np.arange(early) + 1.0, 6 + np.arange(censored) * 0.1, 9 + np.arange(late) * 0.1]
    time = np.r_[time, np.full(rest, 30.0)]
    event = np.r_[np.ones(early), np.zeros(censored), np.ones(late), np.zeros(rest)]
    at12 = step_at(km(time, event, "plain"), [12.0]).iloc[0]
    s, lo, hi = zk.block_interval(n, early, censored, late)
    assert s == pytest.approx(100 * at12["surv"])
    assert lo == pytest.approx(100 * at12["lower"])
    assert hi == pytest.approx(100 * at12["upper"])


def test_block_interval_rejects_blocks_that_do_not_fit():
    with pytest.raises(ValueError, match="do not fit"):
        zk.block_interval(10, 3, 4, 3)


def _report(cohort, model):
    derive(SPEC, cohort)
    return Evaluator(SPEC.targets, model.endpoints).report(cohort).set_index(["claim", "part"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_skeleton_prints_efs_followup_and_the_cr_subgroup(seed):
    cohort, model = zk.build(SPEC, np.random.default_rng(seed))
    rep = _report(cohort, model)
    assert rep.loc[MET, "within"].all(), rep
    assert rep.loc[("cir_1y_cr", "value"), "within"]
    assert int(cohort["cr"].sum()) == 34 and len(cohort) == 43
    assert (cohort["t_event"] <= cohort["time"]).all()


def test_moves_keep_every_printed_number_met():
    """The search only moves times inside their windows: nothing met can be lost."""
    cohort, model = zk.build(SPEC, np.random.default_rng(4))
    before = _report(cohort, model)["within"]
    rng, move = np.random.default_rng(5), model.moves["time"]
    for _ in range(300):
        for col, i, value in move(cohort, rng):
            cohort.loc[i, col] = value
    after = _report(cohort, model)["within"]
    assert (after[before]).all()
    assert (cohort["t_event"] <= cohort["time"]).all()


def test_cr_never_moves():
    _, model = zk.build(SPEC, np.random.default_rng(1))
    assert model.fixed["cr"].all() and not model.fixed.drop(columns="cr").any().any()


def test_committed_cohort_meets_the_skeleton_targets():
    rep = zhang2021.reproduce().set_index("claim_id")
    assert (rep.loc[MET, "miss"] == "").all()
    # cmprsk's interval is excluded by the shape proof, the 1 - KM readings by the EFS
    # interval of the same subgroup (cir_efs_proof): the miss rests on a proof
    assert rep.loc["cir_1y_cr", "grounds"] == "proof"
    assert rep.loc["cir_1y_cr", "miss"].startswith("proof: contradicts efs_1y_cr")
    assert "low 18.61 vs 25" in rep.loc["cir_1y_cr", "miss"]


@pytest.mark.parametrize("var", [1e-4, 1e-3, 0.01, 0.04])
def test_cmprsk_interval_has_ratio_one(var):
    """The identity behind cir_shape_proof, on cif_log_log (tested against cmprsk)."""
    for f in (0.1, 0.41, 0.7):
        lo, hi = cif_log_log(f, var)
        assert np.log(lo) * np.log(hi) / np.log(f) ** 2 == pytest.approx(1.0)


def test_cir_shape_proof_holds_and_its_maximum_is_attained_at_the_corner():
    proof = zs.cir_shape_proof()
    assert proof["holds"]
    grid = np.linspace(0, 1, 21)
    fs, los, his = 0.405 + 0.01 * grid, 0.245 + 0.01 * grid, 0.615 + 0.01 * grid
    ratios = np.log(los)[:, None, None] * np.log(his)[None, :, None] / np.log(fs) ** 2
    assert ratios.max() == pytest.approx(proof["ratio_max"])
