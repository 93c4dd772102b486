"""The cross-study synthesis: the rates table, the pooling (against metafor) and the plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbook import synthesis
from carbook.published import load_published
from carbook.synthesis import meta, rates
from carbook.tables import proportion_ci

FIX = Path(__file__).parent / "fixtures"
REF = pd.read_csv(FIX / "synthesis_meta.csv")


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split(";")]


# --- the table ------------------------------------------------------------------------


def test_every_registry_row_is_read_not_typed():
    t = synthesis.retreatment_table()
    reg = load_published().set_index(["study", "id"])
    for row in rates.RETREATMENT_ROWS:
        kind, _, claim = row.source.partition(":")
        if kind == "registry":
            printed = reg.loc[(row.study, claim)]
            assert (t.loc[row.key, "x"], t.loc[row.key, "n"]) == (printed["n"], printed["N"])


def test_table_rows_match_the_registry_where_both_exist():
    """Counts recomputed from Tables 4 and 5 agree with the registry's n/N."""
    t = synthesis.retreatment_table()
    reg = load_published("wudhikarn2021").set_index("id")
    assert t.loc["w_blin_ino", ["x", "n"]].tolist() == [
        reg.loc["abs_blin_ino_cr_n", "n"],
        reg.loc["abs_blin_ino_cr_n", "N"],
    ]
    assert t.loc["w_ino", ["x", "n"]].tolist() == [
        reg.loc["ino_cr_n", "n"],
        reg.loc["ino_cr_n", "N"],
    ]
    assert t.loc["w_reinf", ["x", "n"]].tolist() == [
        reg.loc["reinf_cr_n", "n"],
        reg.loc["reinf_cr_n", "N"],
    ]
    assert t.loc["w_blin", "n"] == reg.loc["blin_n", "n"] == 7


def test_table_has_the_required_columns_and_cis():
    t = synthesis.retreatment_table("wilson")
    for col in [
        "study",
        "population",
        "n",
        "x",
        "response",
        "ci_method",
        "estimate",
        "low",
        "high",
    ]:
        assert col in t.columns
    assert set(t["study"]) == {"wudhikarn2021", "xu2023", "zhang2021", "gauthier2021"}
    assert (t["ci_method"] == "wilson").all()
    est, lo, hi = proportion_ci(14, 26, method="wilson")
    assert t.loc["x_cart2", ["estimate", "low", "high"]].tolist() == pytest.approx(
        [100 * est, 100 * lo, 100 * hi]
    )


def test_shared_patients_are_refused():
    rates.check_independent(list(synthesis.DEFAULT_POOL))
    rates.check_independent(["w_blin", "x_adj_noallo_other", "x_cart2", "z_donor"])
    with pytest.raises(ValueError, match="share patients"):
        rates.check_independent(["w_blin", "w_ino"])  # 3 patients had both drugs
    with pytest.raises(ValueError, match="share patients"):
        rates.check_independent(["x_cart1", "x_adj_noallo_other"])  # the 15 had CART1
    with pytest.raises(ValueError, match="unknown row keys"):
        rates.check_independent(["nope"])
    with pytest.raises(ValueError, match="repeated"):
        rates.check_independent(["x_cart2", "x_cart2"])


@pytest.mark.parametrize("name", list(rates.ROW_SETS))
def test_every_offered_row_set_can_be_pooled(name):
    keys = rates.ROW_SETS[name]
    rates.check_independent(keys)
    assert synthesis.explore(keys).axes[0].get_title().startswith(f"{len(keys)} rates")


def test_registry_row_without_counts_is_an_error():
    reg = load_published().set_index(["study", "id"])
    with pytest.raises(ValueError, match="no row id 'missing'"):
        rates._registry_counts("missing")(reg, "xu2023")
    with pytest.raises(ValueError, match="has no n/N"):
        rates._registry_counts("n_cart2")(reg, "xu2023")


# --- the pooling ----------------------------------------------------------------------

CASES = REF[["case", "x", "n", "method"]].drop_duplicates().itertuples(index=False)


@pytest.mark.parametrize("case", list(CASES), ids=lambda c: f"{c.case}-{c.method}")
def test_pool_matches_metafor(case):
    ref = REF[(REF["case"] == case.case) & (REF["method"] == case.method)].set_index("quantity")
    p = meta.pool_proportions(_ints(case.x), _ints(case.n), method=case.method)
    logit = {
        "mu": p["mu"],
        "se": p["se"],
        "ci_lb": np.log(p["low"] / (1 - p["low"])),
        "ci_ub": np.log(p["high"] / (1 - p["high"])),
        "tau2": p["tau2"],
        "i2": p["i2"],
        "q": p["q"],
        "q_p": p["q_p"],
        "pi_lb": np.log(p["pi_low"] / (1 - p["pi_low"])),
        "pi_ub": np.log(p["pi_high"] / (1 - p["pi_high"])),
    }
    for quantity, value in logit.items():
        # DL is closed-form: agree to rounding. PM is iterative in both programs, each to
        # its own stopping rule (statsmodels: |estimating equation| < 1e-5; metafor:
        # uniroot's tol = .Machine$double.eps^0.25 on tau2), so they agree to about 1e-4
        tol = 1e-9 if case.method == "dl" else 1e-4
        assert value == pytest.approx(ref.loc[quantity, "value"], rel=tol, abs=tol), quantity


def test_dersimonian_laird_by_hand():
    """The DL formula written out on a two-study example, independent of statsmodels.

    y = logit(7/12), logit(2/9); v = 1/x + 1/(n-x); w = 1/v;
    Q = Σw(y - ȳ_w)²; τ² = max(0, (Q - (k-1)) / (Σw - Σw²/Σw)); w* = 1/(v + τ²).
    """
    y = np.array([np.log(7 / 5), np.log(2 / 7)])
    v = np.array([1 / 7 + 1 / 5, 1 / 2 + 1 / 7])
    w = 1 / v
    ybar = (w * y).sum() / w.sum()
    q = (w * (y - ybar) ** 2).sum()
    tau2 = max(0.0, (q - 1) / (w.sum() - (w**2).sum() / w.sum()))
    ws = 1 / (v + tau2)
    mu = (ws * y).sum() / ws.sum()
    se = ws.sum() ** -0.5
    p = meta.pool_proportions([7, 2], [12, 9], method="dl")
    assert p["q"] == pytest.approx(q, rel=1e-12)
    assert p["tau2"] == pytest.approx(tau2, rel=1e-12)
    assert p["mu"] == pytest.approx(mu, rel=1e-12)
    assert p["se"] == pytest.approx(se, rel=1e-12)
    assert p["i2"] == pytest.approx(100 * (q - 1) / q, rel=1e-9)
    lo = mu - 1.959963984540054 * np.sqrt(se**2 + tau2)
    assert p["pi_low"] == pytest.approx(1 / (1 + np.exp(-lo)), rel=1e-9)


def test_continuity_correction_only_on_edge_studies():
    yi, vi = meta.logit_effects([0, 5, 9], [10, 12, 9])
    assert yi.tolist() == pytest.approx([np.log(0.5 / 10.5), np.log(5 / 7), np.log(9.5 / 0.5)])
    assert vi[1] == pytest.approx(1 / 5 + 1 / 7)
    yi1, _ = meta.logit_effects([0, 5], [10, 12], correction=1.0)
    assert yi1[0] == pytest.approx(np.log(1 / 11))
    with pytest.raises(ValueError, match="correction must be > 0"):
        meta.logit_effects([0, 5], [10, 12], correction=0)


def test_t_prediction_interval_is_wider_and_needs_three_studies():
    z = meta.pool_proportions([4, 14, 2], [10, 26, 9])
    t = meta.pool_proportions([4, 14, 2], [10, 26, 9], pi_dist="t")
    assert t["pi_low"] < z["pi_low"] and t["pi_high"] > z["pi_high"]
    with pytest.raises(ValueError, match="k >= 3"):
        meta.pool_proportions([4, 14], [10, 26], pi_dist="t")
    with pytest.raises(ValueError, match="'z' or 't'"):
        meta.pool_proportions([4, 14], [10, 26], pi_dist="x")


@pytest.mark.parametrize(
    ("x", "n", "kwargs", "match"),
    [
        ([4], [10], {}, "at least 2"),
        ([4, 3], [10, 2], {}, "x <= n"),
        ([4, -1], [10, 9], {}, "whole counts"),
        ([4.5, 1], [10, 9], {}, "whole counts"),
        ([4, 1], [10, 9, 3], {}, "one length"),
        ([4, 1], [10, 9], {"method": "reml"}, "method must be"),
        ([4, 1], [10, 9], {"conf": 1.0}, "conf"),
    ],
)
def test_bad_input(x, n, kwargs, match):
    with pytest.raises(ValueError, match=match):
        meta.pool_proportions(x, n, **kwargs)


def test_leave_one_out_matches_pooling_the_rest():
    loo = meta.leave_one_out([4, 14, 2, 34], [10, 26, 9, 43], ["a", "b", "c", "d"], "pm")
    rest = meta.pool_proportions([4, 14, 2], [10, 26, 9], method="pm")
    assert loo.loc["d", "tau2"] == pytest.approx(rest["tau2"])
    assert loo.loc["d", "estimate"] == pytest.approx(rest["estimate"])
    with pytest.raises(ValueError, match="at least 3"):
        meta.leave_one_out([4, 14], [10, 26], ["a", "b"])
    with pytest.raises(ValueError, match="one length"):
        meta.leave_one_out([4, 14, 2], [10, 26, 9], ["a", "b"])


# --- the plot and the widget's function -----------------------------------------------


def test_forest_plot_draws_one_row_per_rate_and_the_diamond():
    t = synthesis.retreatment_table().loc[list(synthesis.DEFAULT_POOL)]
    fig = synthesis.forest_plot(t, meta.pool_proportions(t["x"], t["n"]))
    labels = [x.get_text() for x in fig.axes[0].texts]
    assert labels[0] == "Wudhikarn 2021: CAR T reinfusion (4/10)"
    assert len(labels) == 4 and len(fig.axes[0].patches) == 1  # the diamond
    with pytest.raises(ValueError, match="misses columns"):
        synthesis.forest_plot(t.drop(columns="x"))


def test_explore_moves_with_its_controls():
    dl = synthesis.explore(synthesis.DEFAULT_POOL, "clopper_pearson", "dl")
    pm = synthesis.explore(synthesis.DEFAULT_POOL, "wilson", "pm")
    assert "DL" in dl.axes[0].get_title() and "PM" in pm.axes[0].get_title()
    assert "wilson" in pm.axes[0].get_title()
    with pytest.raises(ValueError, match="share patients"):
        synthesis.explore(["x_cart2", "x_postallo"])
    with pytest.raises(ValueError, match="rows is empty"):
        synthesis.explore([])


def test_negative_dl_tau2_of_statsmodels_is_truncated_as_metafor():
    """statsmodels 0.15 leaves DL tau² negative when Q < k - 1; metafor (and we) use 0."""
    from statsmodels.stats.meta_analysis import combine_effects

    yi, vi = meta.logit_effects([3, 9, 12], [10, 20, 30])
    with np.errstate(invalid="ignore"):  # its own sqrt of a negative variance elsewhere
        raw = combine_effects(yi, vi, method_re="dl")
    assert raw.tau2 < 0
    p = meta.pool_proportions([3, 9, 12], [10, 20, 30], method="dl")
    assert p["tau2"] == 0 and p["i2"] == 0
    assert p["mu"] == pytest.approx(raw.mean_effect_fe, rel=1e-12)
    assert p["mu"] != pytest.approx(raw.mean_effect_re, rel=1e-6)
