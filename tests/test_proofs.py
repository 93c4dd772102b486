"""carbook.reconstruct.proofs: windows of symmetric intervals and the KM width bound."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lifelines import CoxPHFitter, KaplanMeierFitter

from carbook.reconstruct.proofs import (
    Z,
    cif_fewest_censored,
    cif_max,
    efs_cir_orders,
    efs_variance_floor,
    km_landmark_counts,
    km_width_bound,
    population_sizes,
    proved_impossible,
    symmetric_window,
    windows,
)
from carbook.reconstruct.spec import Target, load_spec
from carbook.studies.wudhikarn2021 import model
from carbook.studies.wudhikarn2021.endpoints import ENDPOINTS


def _hr(claim: str, value: str, low: str, high: str, kind: str = "cox_hr") -> Target:
    params = {"endpoint": "rr", "covariate": "x"}
    return Target(claim, kind, params, {"value": value, "low": low, "high": high})


def test_age_hr_window_is_the_issue_s():
    w = windows([_hr("age", "1.11", "0.58", "2.10")]).iloc[0]
    assert w["window_lo"] == pytest.approx(1.105)
    assert w["window_hi"] == pytest.approx(math.sqrt(0.585 * 2.105), abs=1e-4)
    assert not w["empty"]


def test_an_asymmetric_printed_interval_is_proved_impossible():
    reasons = proved_impossible([_hr("bad", "1.30", "0.50", "2.00")], {})
    assert reasons["bad"].startswith("proof:")
    assert "[0.9937, 1.0062)" in reasons["bad"]


def test_a_printed_interval_from_a_real_cox_fit_is_never_refuted():
    from lifelines.datasets import load_rossi

    fit = CoxPHFitter().fit(load_rossi(), "week", "arrest")
    rows = fit.summary
    targets = [
        _hr(
            name,
            f"{r['exp(coef)']:.2f}",
            f"{r['exp(coef) lower 95%']:.2f}",
            f"{r['exp(coef) upper 95%']:.2f}",
        )
        for name, r in rows.iterrows()
    ]
    w = windows(targets).set_index("claim")
    assert not w["empty"].any()
    true = rows["exp(coef)"]
    assert ((w["window_lo"] <= true.round(4)) & (true.round(4) <= w["window_hi"])).all()


@settings(max_examples=60, deadline=None)
@given(st.floats(-2, 2), st.floats(0.05, 1.5), st.sampled_from([1, 2]))
def test_every_rounded_wald_interval_keeps_its_estimate_in_the_window(beta, se, digits):
    hr, low, high = (math.exp(beta + k * 1.959963984540054 * se) for k in (0, -1, 1))
    text = [f"{v:.{digits}f}" for v in (hr, low, high)]
    if min(float(x) for x in text) <= 0:
        return
    lo, hi = symmetric_window(*(_iv(x) for x in text), "log")
    assert lo - 1e-12 <= hr < hi + 1e-12


def _iv(text: str) -> tuple[float, float]:
    from carbook.published import printed_interval

    return printed_interval(text)


def test_symmetric_window_rejects_an_unknown_scale():
    with pytest.raises(ValueError, match="scale"):
        symmetric_window((1, 2), (0, 1), (2, 3), "logit")


@pytest.mark.parametrize("n", [10, 37])
def test_km_width_bound_is_the_uncensored_greenwood_se(n):
    times = np.arange(1, n + 1, dtype=float)
    km = KaplanMeierFitter().fit(times, np.ones(n))
    d = n // 2
    surv = (n - d) / n
    ci = km.confidence_interval_survival_function_.iloc[d]  # log(-log) in lifelines
    assert km.survival_function_.iloc[d, 0] == pytest.approx(surv)
    var_log = d / (n * (n - d))  # Greenwood sum, telescoped
    assert km_width_bound(n, surv, "log") == pytest.approx(math.sqrt(var_log))
    assert km_width_bound(n, surv, "plain") == pytest.approx(surv * math.sqrt(var_log))
    assert ci.iloc[0] < surv < ci.iloc[1]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=5, max_size=40))
def test_censoring_never_narrows_a_km_interval_below_the_bound(rows):
    from carbook import survival as sv

    time = np.array([t for t, _ in rows], float)
    event = np.array([e for _, e in rows], float)
    a = sv.km_arrays(time, event, "log")
    surv = a["surv"]
    keep = surv > 0
    with np.errstate(divide="ignore"):
        se_log = np.log(a["upper"][keep] / a["lower"][keep]) / (2 * 1.959963984540054)
    bound = np.array([km_width_bound(len(time), s, "log") for s in surv[keep]])
    capped = a["upper"][keep] >= 1  # R truncates the upper bound at 1
    assert (se_log[~capped] >= bound[~capped] - 1e-9).all()


def test_km_width_bound_rejects_bad_input():
    with pytest.raises(ValueError, match="n must"):
        km_width_bound(0, 0.5)
    with pytest.raises(ValueError, match="surv"):
        km_width_bound(10, 0)
    with pytest.raises(ValueError, match="conf_type"):
        km_width_bound(10, 0.5, "log-log")


def test_a_too_narrow_km_interval_is_proved_impossible():
    t = Target(
        "s", "km_at", {"endpoint": "os", "time": 12}, {"value": "50", "low": "45", "high": "55"}
    )
    assert proved_impossible([t], {"s": 20})["s"].startswith("proof:")
    assert proved_impossible([t], {"s": 400}) == {}


def test_wudhikarn2021_proofs_before_search():
    """Every window is open; only the lymphodepletion CI is proved impossible."""
    from carbook.reconstruct.engine import derive
    from carbook.reconstruct.proofs import km_widths, proofs

    spec = load_spec("wudhikarn2021")
    w = windows(spec.targets)
    assert set(w["kind"]) == {"cox_hr", "cox_mv", "cox_td", "km_at"}
    assert not w["empty"].any()
    cohort = model.build(spec, np.random.default_rng(1))[0]
    derive(spec, cohort)
    sizes = population_sizes(spec.targets, cohort, ENDPOINTS)
    assert sizes == {"fig1_os_3y": 56, "fig1_efs_3y": 56, "os_post_prog_1y": 38}
    widths = km_widths(spec.targets, sizes).set_index("claim")
    assert not widths["proved"].any()
    # 3-year EFS: barely wider than with nobody censored before 36 months
    assert widths.loc["fig1_efs_3y", "se_printed_max"] - widths.loc["fig1_efs_3y", "se_min"] < 0.01
    assert set(proofs(spec.targets, cohort, ENDPOINTS)) == {"t2_lymphodepletion_hr"}


def _cif_over_orders(n: int, events: int, others: int, censored: int) -> float:
    """Brute force: the largest cuminc at t = 50 over every order of exits before it."""
    from itertools import product

    from carbook.survival import cuminc_arrays

    best = 0.0
    for length in range(events + others + 1):
        for seq in product("EDC", repeat=length):
            e, d, c = (seq.count(x) for x in "EDC")
            if e > events or c > censored or c + d > others:
                continue
            status = [{"E": 1, "D": 2, "C": 0}[x] for x in seq]
            rest = n - length  # everyone else leaves after the landmark
            time = np.r_[np.arange(1.0, length + 1), np.full(rest, 100.0)]
            times, est, _ = cuminc_arrays(time, np.r_[status, np.ones(rest)].astype(int))
            i = np.searchsorted(times, 50.0, side="right") - 1
            best = max(best, float(est[i]) if i >= 0 else 0.0)
    return best


@pytest.mark.parametrize(
    ("n", "events", "others", "censored"), [(6, 3, 2, 1), (7, 3, 3, 2), (7, 4, 3, 3)]
)
def test_cif_max_is_the_best_order_of_exits(n, events, others, censored):
    assert cif_max(n, events, others, censored) == pytest.approx(
        _cif_over_orders(n, events, others, censored)
    )


def test_cif_max_without_censoring_is_events_over_n():
    assert cif_max(30, 12, 10, 0) == pytest.approx(12 / 30)


def test_wudhikarn_cir_needs_two_censorings_before_12_months():
    """67.9% (rounding from 67.85%) with at most 37 R/R events before 12 months among 56."""
    spec = load_spec("wudhikarn2021")
    cir = next(t for t in spec.targets if t.claim == "fig1_cir_1y")
    at_least = cir.intervals()["value"][0] / 100
    assert at_least == pytest.approx(0.6785)
    assert cif_max(56, 37, 18, 1) < at_least <= cif_max(56, 37, 18, 2)
    assert cif_fewest_censored(56, 37, 18, at_least) == 2
    assert cif_fewest_censored(56, 37, 18, 0.99) is None


def test_cif_max_rejects_impossible_counts():
    with pytest.raises(ValueError, match="events \\+ others <= n"):
        cif_max(10, 8, 5, 1)


def _efs_floor_brute(n, events, others, censored, cif_at_least, s_window):
    """Least true Var(log EFS) at t = 50 over every order meeting the CIF at t = 20."""
    from itertools import product

    from carbook.survival import cuminc_arrays, km_arrays

    best = math.inf
    for length in range(events + others + 1):
        for pre in product("EDC", repeat=length):
            e, d, c = (pre.count(x) for x in "EDC")
            if e > events or c != censored or c + d > others:
                continue
            rest = n - length
            posts = [p for k in range(min(rest, 4) + 1) for p in product("EC", repeat=k)]
            for post in posts:
                seq = [*pre, *post]
                status = np.array([{"E": 1, "D": 2, "C": 0}[x] for x in seq] + [0] * (n - len(seq)))
                time = np.r_[
                    np.arange(1.0, length + 1),
                    30 + np.arange(len(post)),
                    np.full(n - len(seq), 99.0),
                ]
                times, est, _ = cuminc_arrays(time, status)
                i = np.searchsorted(times, 20.0, side="right") - 1
                fit = km_arrays(time, (status > 0).astype(float))
                j = np.searchsorted(fit["time"], 50.0, side="right") - 1
                s = fit["surv"][j] if j >= 0 else 1.0
                if (est[i] if i >= 0 else 0) >= cif_at_least and s_window[0] <= s < s_window[1]:
                    best = min(best, float(fit["std_err"][j] ** 2))
    return best


@pytest.mark.parametrize("censored", [1, 2])
def test_efs_variance_floor_is_below_every_order(censored):
    args = (9, 4, 3, censored, 0.5, (0.2, 0.5))
    floor, brute = efs_variance_floor(*args), _efs_floor_brute(*args)
    assert math.isfinite(brute)
    assert floor <= brute + 1e-12


def test_efs_variance_floor_is_exact_when_the_window_is_reached_without_censoring():
    """The best order ends inside the window at t1 (S = 0.5 < 0.55): the floor is attained."""
    args = (9, 4, 3, 1, 0.5, (0.2, 0.55))
    floor = efs_variance_floor(*args)
    assert floor == pytest.approx(_efs_floor_brute(*args))


def test_wudhikarn_cir_and_efs_interval_conflict_with_two_or_three_censorings():
    """67.9% R/R at 1 year needs >= 2 censorings before 12 months; with 2 or 3 of them the
    3-year EFS 16.1 (8.8-29) interval is too narrow (its widest Var(log S) is exceeded)."""
    spec = {t.claim: t for t in load_spec("wudhikarn2021").targets}
    efs = spec["fig1_efs_3y"].intervals()
    cir_lo = spec["fig1_cir_1y"].intervals()["value"][0] / 100
    widest = ((math.log(efs["high"][1]) - math.log(efs["low"][0])) / (2 * Z)) ** 2
    window = (efs["value"][0] / 100, efs["value"][1] / 100)
    for censored in (2, 3):
        assert efs_variance_floor(56, 37, 18, censored, cir_lo, window) > widest
    # without the cap of 37 R/R events before 12 months there is no conflict
    assert efs_variance_floor(56, 38, 18, 0, cir_lo, window) < widest


def test_efs_variance_floor_rejects_bad_counts():
    with pytest.raises(ValueError, match="censored <= others"):
        efs_variance_floor(10, 3, 2, 3, 0.5, (0.1, 0.2))


@pytest.mark.parametrize(
    ("n", "events", "others", "cif", "window"),
    [(9, 4, 3, 0.5, (0.2, 0.55)), (9, 4, 3, 0.45, (0.1, 0.3)), (8, 3, 3, 0.4, (0.15, 0.4))],
)
def test_efs_cir_orders_keeps_every_feasible_order(n, events, others, cif, window):
    """Complete: with var_max at the least variance a real order attains, some state survives;
    below every floor none does (so the count can be 0 and can be positive)."""
    brute = min(_efs_floor_brute(n, events, others, k, cif, window) for k in range(others + 1))
    assert math.isfinite(brute)
    assert efs_cir_orders(n, events, others, cif, window, brute + 1e-12) > 0
    floor = min(efs_variance_floor(n, events, others, k, cif, window) for k in range(others + 1))
    assert efs_cir_orders(n, events, others, cif, window, floor - 1e-9) == 0


def test_wudhikarn_cir_and_efs_interval_cannot_print_together():
    """Proof over every order and any number of censorings before 12 months."""
    spec = {t.claim: t for t in load_spec("wudhikarn2021").targets}
    efs = spec["fig1_efs_3y"].intervals()
    cir_lo = spec["fig1_cir_1y"].intervals()["value"][0] / 100
    widest = ((math.log(efs["high"][1]) - math.log(efs["low"][0])) / (2 * Z)) ** 2
    window = (efs["value"][0] / 100, efs["value"][1] / 100)
    assert efs_cir_orders(56, 37, 18, cir_lo, window, widest) == 0
    # the cap of 37 R/R events before 12 months (one relapse at 24) is what conflicts
    assert efs_cir_orders(56, 38, 18, cir_lo, window, widest) > 0


def test_efs_cir_orders_rejects_bad_counts():
    with pytest.raises(ValueError, match="events \\+ others <= n"):
        efs_cir_orders(10, 8, 5, 0.5, (0.1, 0.2), 0.1)


def test_study_proofs_join_the_engine_ones_and_must_say_proof():
    from carbook.reconstruct.proofs import proofs
    from carbook.reconstruct.run import load_cohort
    from carbook.studies.wudhikarn2021 import model as wmodel

    spec = load_spec("wudhikarn2021")
    _, m = wmodel.build(spec, np.random.default_rng(1))
    assert list(m.proofs) == ["fig1_cir_1y"]
    committed = load_cohort("wudhikarn2021")
    got = proofs(spec.targets, committed, m.endpoints, m.proofs)
    assert got["fig1_cir_1y"] == m.proofs["fig1_cir_1y"]
    assert set(proofs(spec.targets, committed, m.endpoints)) == set(got) - {"fig1_cir_1y"}
    with pytest.raises(ValueError, match="starting 'proof:'"):
        proofs(spec.targets, committed, m.endpoints, {"fig1_cir_1y": "a hunch"})


def test_wudhikarn_study_proof_reads_its_facts_from_the_data_files():
    from carbook.studies.wudhikarn2021 import figure1

    facts = figure1.cir_efs_inputs(load_spec("wudhikarn2021"))
    assert (facts["n"], facts["events"], facts["others"]) == (56, 37, 18)
    assert facts["cif_at_least"] == pytest.approx(0.6785)
    assert efs_cir_orders(**facts) == 0


def test_a_proof_spares_the_p_of_its_claim():
    """The lymphodepletion CI is proved impossible, its P is not: the P keeps its weight.

    Both in the Evaluator's loss and in the covariate search's, and a missed P is never
    labelled with the interval's proof.
    """
    from carbook.reconstruct.covariates import fast_targets
    from carbook.reconstruct.engine import derive
    from carbook.reconstruct.proofs import proofs
    from carbook.reconstruct.targets import Evaluator

    spec = load_spec("wudhikarn2021")
    cohort = model.build(spec, np.random.default_rng(1))[0]
    derive(spec, cohort)
    excluded = proofs(spec.targets, cohort, ENDPOINTS)
    proved, plain = (
        Evaluator(spec.targets, ENDPOINTS, ex).report(cohort).set_index(["claim", "part"])
        for ex in (excluded, {})
    )
    claim = "t2_lymphodepletion_hr"
    assert (proved.loc[claim].loc[["value", "low", "high"], "loss"] == 0).all()
    assert plain.loc[(claim, "high"), "loss"] > 0  # the impossible interval, missed
    assert proved.loc[(claim, "p"), "loss"] > 0  # missed on this start, and still aimed at
    assert proved.loc[(claim, "p"), "loss"] == plain.loc[(claim, "p"), "loss"]
    assert proved.loc[(claim, "p"), "note"] == plain.loc[(claim, "p"), "note"]
    assert proved.loc[(claim, "high"), "note"].startswith("proof:")
    (ft,) = [
        f
        for f in fast_targets(spec.targets, cohort, ENDPOINTS, excluded)
        if f.claim == "t2_lymphodepletion_hr"
    ]
    assert ft.weight.tolist() == [0.0, 0.0, 0.0, 1.0]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(6, 14),
    st.lists(st.booleans(), min_size=3, max_size=10),
)
@example(12, [True, True, True])  # S = 0.75 exactly: a rounding bound in float noise
def test_km_landmark_counts_finds_every_real_order(n, exits):
    """An actual sample's S(t) and survfit limits, rounded, are always found again."""
    from carbook import survival as sv

    exits = exits[: n - 1]
    if not any(exits) or sum(not e for e in exits) > 2:
        return
    time = np.concatenate([np.arange(1.0, len(exits) + 1), np.full(n - len(exits), 99.0)])
    event = np.concatenate([np.array(exits, float), np.zeros(n - len(exits))])
    a = sv.km_arrays(time, event, "log")
    row = np.searchsorted(a["time"], len(exits), side="right") - 1
    got = {p: float(a[k][row]) for p, k in (("value", "surv"), ("low", "lower"), ("high", "upper"))}
    if not 0 < got["value"] < 1:
        return
    iv = {p: (math.floor(v * 100) / 100, math.floor(v * 100) / 100 + 0.01) for p, v in got.items()}
    # censorings after the last event before the landmark change nothing: not counted
    last = max(i for i, e in enumerate(exits) if e)
    k = sum(not e for e in exits[:last])
    assert (sum(exits), k) in km_landmark_counts(n, iv, 2)


def test_wudhikarn_os_after_progression_at_1_year_needs_three_censorings():
    """Figure 3B, 35% (23-56%) among 38: no order with two censorings before 12 months."""
    spec = load_spec("wudhikarn2021")
    t = next(t for t in spec.targets if t.claim == "os_post_prog_1y")
    iv = {p: (lo / 100, hi / 100) for p, (lo, hi) in t.intervals().items()}
    assert iv["value"] == pytest.approx((0.345, 0.355))
    assert km_landmark_counts(38, iv, 2) == []
    assert set(km_landmark_counts(38, iv, 3)) == {(23, 3)}
    assert km_landmark_counts(38, iv, 3, "log-log") == []
