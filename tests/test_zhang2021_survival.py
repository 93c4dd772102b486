"""zhang2021 survival half: uncensored KM intervals, effective n, the conf.type detective."""

import numpy as np
import pytest

from carbook.published import prints_as
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
    u = zs.uncensored_intervals(s, n).set_index("conf_type").loc["plain"]
    return prints_as("25", u["low"]) and prints_as("62", u["high"])


def test_effective_n_range_prints_the_bounds():
    e = zs.effective_n("43", "25", "62").set_index("conf_type").loc["plain"]
    estimates = np.linspace(0.425, 0.435, 11, endpoint=False)
    assert any(_prints(s, e["n_min"]) for s in estimates)
    assert any(_prints(s, e["n_max"]) for s in estimates)
    # one subject beyond the range, no estimate that prints as 43 prints both bounds
    assert not any(_prints(s, e["n_min"] - 1) or _prints(s, e["n_max"] + 1) for s in estimates)


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
