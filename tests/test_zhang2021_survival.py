"""zhang2021 survival half: uncensored KM intervals, effective n, the conf.type detective."""

import numpy as np
import pytest

from carbook.studies import zhang2021
from carbook.studies import zhang2021_survival as zs
from carbook.survival import km, step_at


@pytest.mark.parametrize("conf_type", ["plain", "log", "log-log"])
def test_uncensored_interval_is_survfit_on_an_uncensored_sample(conf_type):
    """Greenwood without censoring = S(1-S)/n: same limits as survfit on real times."""
    n, alive = 43, 18  # 25 events before 12 months, nobody censored before
    time = np.r_[np.linspace(1, 11, n - alive), np.full(alive, 30.0)]
    event = np.r_[np.ones(n - alive), np.zeros(alive)]
    at12 = step_at(km(time, event, conf_type), [12.0]).iloc[0]
    mine = zs.uncensored_intervals(alive / n, n).set_index("conf_type").loc[conf_type]
    assert mine["low"] == pytest.approx(100 * at12["lower"])
    assert mine["high"] == pytest.approx(100 * at12["upper"])


def test_logit_and_arcsin_are_symmetric_on_their_scales():
    u = zs.uncensored_intervals(0.3, 20).set_index("conf_type") / 100
    logit = np.log(u.loc["logit", ["low", "high"]] / (1 - u.loc["logit", ["low", "high"]]))
    assert logit.mean() == pytest.approx(np.log(0.3 / 0.7))
    arcsin = np.arcsin(np.sqrt(u.loc["arcsin", ["low", "high"]].astype(float)))
    assert arcsin.mean() == pytest.approx(np.arcsin(np.sqrt(0.3)))


def _prints(s, n):
    """Both plain bounds in the closed intervals that print as 25 and 62."""
    u = zs.uncensored_intervals(s, n).set_index("conf_type").loc["plain"]
    return 24.5 <= u["low"] <= 25.5 and 61.5 <= u["high"] <= 62.5


def test_effective_n_range_prints_the_bounds():
    e = zs.effective_n("43", "25", "62").set_index("conf_type").loc["plain"]
    estimates = np.linspace(0.425, 0.435, 41)
    assert any(_prints(s, e["n_min"]) for s in estimates)
    assert any(_prints(s, e["n_max"]) for s in estimates)
    # half a subject beyond the range, no estimate that prints as 43 prints both bounds
    fine = np.linspace(0.425, 0.435, 401)
    assert not any(_prints(s, e["n_min"] - 0.5) or _prints(s, e["n_max"] + 0.5) for s in fine)


def _greenwood(seq, n):
    """S and Greenwood's sum of a sequence of exits (1 death, 0 censoring) from n."""
    s, g = 1.0, 0.0
    for k, died in enumerate(seq):
        size = n - k
        if died:
            s *= 1 - 1 / size
            g += 1 / (size * (size - 1))
    return s, g


def test_max_greenwood_bounds_every_path_by_brute_force():
    """Every order of 8 exits from 12 (at most 4 censorings) lies under the DP's bound."""
    import itertools

    n, at_risk, width = 12, 4, 1e-3
    bound = zs._max_greenwood(n, at_risk, width, 0.05)
    best = np.full(bound.size, -np.inf)
    for seq in itertools.product((0, 1), repeat=n - at_risk):
        if seq.count(0) > at_risk:
            continue
        s, g = _greenwood(seq, n)
        if s < 0.05:
            continue
        i = int(np.floor(-np.log(s) / width))
        assert g <= bound[i] + 1e-12
        best[i] = max(best[i], g)
    # and it is attained up to the bins' slack (one bin per exit at most)
    for i in np.flatnonzero(np.isfinite(bound)):
        near = best[max(i - 8, 0) : i + 9]
        assert bound[i] <= near[np.isfinite(near)].max() + 1e-12


def test_greenwood_bound_by_those_at_risk():
    """Var(S)/S^2 <= (1 - S)/R at the end, R the number still at risk (the proof's lemma)."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.integers(5, 30))
        seq = rng.integers(0, 2, size=int(rng.integers(1, n)))
        s, g = _greenwood(seq, n)
        at_risk = n - len(seq)
        assert g <= (1 - s) / at_risk + 1e-12


def test_os_width_proof_holds():
    proof = zs.os_width_proof()
    assert proof["holds"] and proof["r_max"] == 12
    assert proof["n_eff_min"] > proof["n_eff_printed"] > 29


def test_detective_singles_out_plain_and_agrees_with_interval_shapes():
    d = zs.conf_type_detective()
    assert d.index[d["all"]].tolist() == ["plain"]
    shapes = zhang2021.interval_shapes()
    for claim in zs.PRINTED:
        for ct in ("plain", "log", "log-log"):
            assert d.loc[ct, claim] == shapes.loc[claim, ct]


def test_printed_widths_need_censoring():
    f = zs.width_findings().set_index(["claim", "N"])
    assert f.loc[("efs_1y", 43), "uncensored_half_width"] == pytest.approx(14.80, abs=0.01)
    assert (f["printed_half_width"] > f["uncensored_half_width"]).all()
    assert 0.3 < f.loc[("efs_1y", 43), "min_information_lost"] < 0.35
    assert f.loc[("efs_1y", 43), "n_eff_max"] == pytest.approx(29.13)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="conf_type"):
        zs._limits(0.4, np.array([10.0]), "none", 0.95)
    with pytest.raises(ValueError, match="strictly between"):
        zs.uncensored_intervals(1.0, 10)


def test_km_rows_name_the_selected_conf_type():
    rep = zhang2021.reproduce().set_index("claim_id")
    assert "conf.type='plain'" in rep.loc["efs_1y", "method"]
    assert rep.loc["efs_1y", "selected"]
    assert rep.loc["cir_1y_cr", "selected"] == ""


def test_os_1y_miss_rests_on_the_proof():
    rep = zhang2021.reproduce().set_index("claim_id")
    assert rep.loc["os_1y", "grounds"] == "proof"
    assert rep.loc["os_1y", "miss"].startswith("proof:")
    assert rep.loc["efs_1y", "grounds"] == ""  # no proof reaches EFS


def test_cir_efs_proof_steps():
    proof = zs.cir_efs_proof()
    assert proof["holds"]
    # step 1: 58.5 / 59.5 against 33 / 34
    assert proof["ratio_floor"] == pytest.approx(58.5 / 59.5)
    assert proof["one_death"] == pytest.approx(33 / 34)
    # step 2: each interval fits exactly one conf.type, and their n_eff ranges are apart
    assert list(proof["efs"]) == ["plain"] and list(proof["cir"]) == ["log-log"]
    (e0, e1), (c0, c1) = proof["efs"]["plain"], proof["cir"]["log-log"]
    assert e0 < e1 < c0 < c1 and proof["gap"] == pytest.approx(c0 - e1)


def test_cir_efs_proof_n_eff_ranges_print_the_intervals_at_their_ends():
    """The ranges' ends really print each interval (the grid is not empty at the ends)."""
    proof = zs.cir_efs_proof()
    for name, ct, s, printed in (
        ("efs", "plain", 0.59, (37, 81)),
        ("cir", "log-log", 0.59, (38, 75)),
    ):
        lo_n, hi_n = proof[name][ct]
        mid = (lo_n + hi_n) / 2
        lo, hi = (100 * b[0] for b in zs._limits(s, np.array([mid]), ct, 0.95))
        assert round(lo) == printed[0] and round(hi) == printed[1], (name, lo, hi)


def test_one_greenwood_variance_gives_one_n_eff_across_transforms():
    """Why one n_eff per curve: every conf.type reads the same se of log S."""
    from carbook.survival import km_arrays

    t = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15])
    e = np.array([1.0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0])
    a = km_arrays(t, e, "plain")
    i = np.searchsorted(a["time"], 12, side="right") - 1
    s, se_s = a["surv"][i], (a["upper"][i] - a["surv"][i]) / 1.959963984540054
    n_eff = s * (1 - s) / se_s**2
    for ct in ("log", "log-log"):
        b = km_arrays(t, e, ct)
        lo, hi = zs._limits(float(s), np.array([n_eff]), ct, 0.95)
        assert lo[0] == pytest.approx(b["lower"][i]) and hi[0] == pytest.approx(b["upper"][i])
