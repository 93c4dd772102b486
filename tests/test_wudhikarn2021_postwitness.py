"""wudhikarn2021 after progression: the witness that the whole block can print together.

R's output on the witness (tests/r/wudhikarn2021_post_witness.R) is a committed
fixture; the tests never need R.
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from carbook.published import load_published, prints_as
from carbook.reconstruct.run import load_cohort
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import Evaluator
from carbook.studies.wudhikarn2021 import (
    endpoints,
    model,
    postplace,
    postsearch,
    poststart,
    postwitness,
)
from carbook.studies.wudhikarn2021.outcomes import published_text
from carbook.survival import cox_batch

FIX = Path(__file__).parent / "fixtures"
CLAIMS = list(postwitness.values(postwitness.witness()))


def _cohort(w: pd.DataFrame) -> pd.DataFrame:
    """The witness as the calibration engine reads a cohort."""
    salvaged, cr = (
        w["group"].map({g: v[k] for g, v in postwitness.GROUPS.items()}) for k in (0, 1)
    )
    return pd.DataFrame(
        {"progressed": 1, "t_post": w["t_post"], "dead": w["dead"], "t_salvage": w["t_salvage"],
         "salvaged": salvaged, "salvage_cr": cr, "salvage_no_cr": salvaged * (1 - cr)}
    )  # fmt: skip


def _engine_report(w: pd.DataFrame) -> pd.DataFrame:
    targets = [t for t in load_spec("wudhikarn2021").targets if t.claim in CLAIMS]
    ev = Evaluator(targets, endpoints.ENDPOINTS)
    return ev.report(_cohort(w)).set_index(["claim", "part"])


def test_every_claim_of_the_block_prints_as_published():
    table = postwitness.check()
    assert list(table.index) == CLAIMS and len(CLAIMS) == 9
    assert table["prints as published"].all(), table


def test_the_calibration_engine_agrees():
    """The engine that scores the cohorts also finds every part met (20 of 20)."""
    report = _engine_report(postwitness.witness())
    assert len(report) == 20 and report["within"].all(), report[~report["within"]]


def _r_block(name: str) -> pd.DataFrame:
    """R's numbers of the post-progression block (without Table 3's TTR rows)."""
    r = pd.read_csv(FIX / name)
    return r[~r["claim"].str.startswith("t3_ttr")].reset_index(drop=True)


def test_r_prints_the_same_numbers():
    r = _r_block("wudhikarn2021_post_witness_R.csv")
    v = postwitness.values(postwitness.witness())
    parts = {"value": 0, "low": 1, "high": 2}
    got = [v[c][parts[p]] for c, p in zip(r["claim"], r["part"], strict=True)]
    np.testing.assert_allclose(got, r["value"].to_numpy(float), rtol=1e-8)
    for claim, rows in r.groupby("claim", sort=False):  # R's numbers print as published too
        assert prints_as(published_text(claim).split(" ")[0], rows["value"].iloc[0])


def test_values_match_the_engine_on_a_cohort():
    """On the seed-1 cohort's block (which misses several), the two computations agree."""
    c = load_cohort("wudhikarn2021")
    report = pd.read_csv(Path("data/wudhikarn2021/synthetic_calibration_seed1.csv"))
    report = report[report["claim"].isin(CLAIMS)].set_index(["claim", "part"])
    v = postwitness.values_arrays(*postsearch.start())
    parts = {"value": 0, "low": 1, "high": 2, "p": 0}
    for (claim, part), row in report.iterrows():
        key = claim.replace("_hr", "_p") if part == "p" else claim
        if key not in v or not np.isfinite(row["achieved"]):
            continue
        if part == "p" and row["note"] != "P by the Wald test":
            continue
        assert v[key][parts[part]] == pytest.approx(row["achieved"], rel=1e-5), (claim, part)
    assert len(c[c["progressed"] == 1]) == 38


def _bad(tmp_path, change):
    w = postwitness.witness()
    change(w)
    path = tmp_path / "w.csv"
    w.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda w: w.pop("t_salvage"), "missing columns"),
        (lambda w: w.loc.__setitem__((3, "group"), "partial"), "row 3: unknown group"),
        (lambda w: w.loc.__setitem__((5, "synthetic"), "real"), "row 5: unknown synthetic"),
        (lambda w: w.loc.__setitem__((0, "dead"), 0), "31 deaths"),
        (lambda w: w.loc.__setitem__((0, "t_salvage"), 99.0), "row 0: salvage missing"),
        (lambda w: w.loc.__setitem__((2, "t_salvage"), 0.5), "row 2: a salvage time"),
    ],
)
def test_bad_records_raise_naming_the_row(tmp_path, change, match):
    with pytest.raises(ValueError, match=match):
        postwitness.witness(_bad(tmp_path, change))


def test_cr_rules_are_enforced(tmp_path):
    def short(w):
        i = w.index[w["group"] == "cr"][0]
        w.loc[i, ["t_post", "t_salvage"]] = [2.0, 0.01]

    with pytest.raises(ValueError, match="CR too soon"):
        postwitness.witness(_bad(tmp_path, short))

    def no_long(w):
        w.loc[w["group"] == "cr", "t_post"] = w.loc[w["group"] == "cr", "t_post"].clip(upper=30)

    with pytest.raises(ValueError, match="longest remission"):
        postwitness.witness(_bad(tmp_path, no_long))


def test_moving_an_anchor_loses_its_number():
    """The witness's anchored deaths are the printed times: one printed unit off misses."""
    w = postwitness.witness()
    i = w.index[(w["t_post"] == 4.14) & (w["dead"] == 1)][0]
    w.loc[i, "t_post"] = 4.16
    assert not postwitness.check(w).loc["os_post_prog_median_ci", "prints as published"]


def test_search_keeps_the_rules():
    state = postsearch.anneal(postsearch.start(), 1, 200)
    assert postsearch.feasible(state)
    w = postsearch.records(state)
    assert len(w) == 38 and w["t_post"].is_monotonic_increasing


def test_the_witness_sits_on_figure1_records():
    """Its records are Figure 1's progressed records, so Figure 1 prints unchanged."""
    postplace.check_records(postwitness.witness())


@pytest.mark.parametrize(
    ("column", "row", "value", "match"),
    [("t_rr", 0, 3.0, "t_last - t_rr"), ("t_last", 5, 50.0, "t_last - t_rr")],
)
def test_an_embedding_that_breaks_a_rule_is_refused(column, row, value, match):
    w = postwitness.witness()
    w.loc[row, column] = value
    with pytest.raises(ValueError, match=match):
        postplace.check_records(w)


def test_refractory_and_relapse_rules_are_checked():
    w = postwitness.witness()
    i = w.index[w["refractory"] == 1][0]
    w.loc[i, ["t_rr", "t_post"]] = [1.5, w.loc[i, "t_last"] - 1.5]
    with pytest.raises(ValueError, match="refractory"):
        postplace.check_records(w)


def test_placement_fixes_a_near_miss_and_refuses_the_impossible():
    """The order alone decides: placement lands an anchor the search missed by 0.06."""
    w = postwitness.witness()
    i = w.index[(w["t_post"] == 4.14) & (w["dead"] == 1)][0]
    w.loc[i - 2 : i, "t_post"] += 0.06  # order kept (next: 4.64), lower limit now 4.2
    assert w["t_post"].is_monotonic_increasing
    assert not postwitness.check(w).loc["os_post_prog_median_ci", "prints as published"]
    placed = postplace.place(w)
    assert placed is not None and postwitness.check(placed)["prints as published"].all()
    far = w.assign(t_post=w["t_post"] + 60)  # no record lives that long after progression
    assert postplace.place(far, time_limit=60) is None


def test_hundredths_avoid_half_way_points():
    assert postplace.hundredths("1.3") == (126, 134)  # R prints round(1.25, 1) as 1.2
    assert postplace.hundredths("24") == (2351, 2449)


def test_placement_regenerates_the_committed_times():
    """The search's order (``t_found``) placed again gives the committed times, byte for byte."""
    w = postwitness.witness()
    found = w[["synthetic", "t_found", "dead", "group", "t_salvage"]].rename(
        columns={"t_found": "t_post"}
    )
    assert not postwitness.check(found)["prints as published"].all()
    placed = postplace.place(found)
    for col in ("t_post", "t_last", "t_rr", "refractory"):
        assert placed[col].tolist() == w[col].tolist(), col


def test_table_rules_come_from_tables_4_and_5():
    """19 table patients; MSK15 alive with a CR, treated 49.28 months after infusion."""
    r = postplace.table_rules()
    assert len(r) == 19 and r["cr"].sum() == 10 and (r["dead"] == 0).sum() == 4
    assert (r["rr_max"] < r["last_min"]).all() and (r["salvage_end"] == r["rr_max"] + 1).all()
    assert r.loc["MSK29", ["dead", "relapsed"]].tolist() == [1, True]


def test_the_first_witness_does_not_carry_the_tables_facts():
    """A finding: no placement of its order gives each table patient a record of its own.

    MSK15 (Table 4) is alive with a CR to salvage 49.28 months after infusion. Progressed
    by 24 months, the patient lives at least 25.3 months after progression, and the
    witness's longest living CR lives 19.6: the necessary check already refuses it.
    """
    w = postwitness.witness()
    state = postsearch.from_witness(str(postwitness.PATH))  # its records as they are
    assert postsearch.feasible(state, 32.2) and not postsearch.facts_fit(state)
    assert not postsearch.feasible(state, 32.2, facts=True)
    assert postplace.place(w, time_limit=120, facts=True) is None
    assert postplace.place(w, time_limit=120) is not None  # without the facts it places


def test_the_search_with_facts_keeps_them():
    first = postsearch.from_witness()
    assert postsearch.feasible(first, 32.2, facts=True)
    state = postsearch.anneal(first, 1, 100, temp0=0.5, longest=32.2, facts=True)
    assert postsearch.feasible(state, 32.2, facts=True)


def test_facts_fit_needs_a_record_per_table_patient():
    t, e, g, sw = postsearch.start()
    assert postsearch.facts_fit((t, e, g, sw))
    assert not postsearch.facts_fit((t, e, np.zeros_like(g), sw))  # nobody salvaged


# The start witness (poststart.PATH): searched and placed with the facts of Tables 4-5.


def _start() -> pd.DataFrame:
    return postwitness.witness(poststart.PATH)


def test_the_start_witness_prints_all_but_the_cr_hr():
    """18 of the 20 printed parts; the CR HR prints 0.33 (0.13-0.87) for 0.31 (0.11-0.87)."""
    report = _engine_report(_start())
    missed = report.index[~report["within"]].tolist()
    assert len(report) == 20 and missed == [("cr_salvage_hr", "value"), ("cr_salvage_hr", "low")]
    printed = postwitness.check(_start())["prints as published"]
    assert set(poststart.CLAIMS) - {"t3_ttr_hr"} <= set(printed.index[printed])
    assert "cr_salvage_hr" not in poststart.CLAIMS


@pytest.mark.parametrize(
    ("name", "path", "prints"),
    [
        ("wudhikarn2021_post_witness_R.csv", postwitness.PATH, False),
        ("wudhikarn2021_post_start_R.csv", poststart.PATH, True),
    ],
)
def test_r_gives_table3_ttr_hr_and_only_the_start_witness_prints_it(name, path, prints):
    """Cox HR of the time to progression: R's fixture = carbook's; 0.94 (0.86-1.02)."""
    r = pd.read_csv(FIX / name).set_index(["claim", "part"])["value"]
    w = postwitness.witness(path)
    fit = cox_batch(w["t_post"], w["dead"], w[["t_rr"]]).iloc[0]
    got = [fit["hr"], fit["lower"], fit["upper"], fit["p_lr"]]
    want = [r[("t3_ttr_hr", k)] for k in ("value", "low", "high")] + [r[("t3_ttr_p", "value")]]
    np.testing.assert_allclose(got, want, rtol=1e-6)
    texts = load_published("wudhikarn2021").set_index("id").loc["t3_ttr_hr"]
    texts = [str(texts[k]) for k in ("value", "low", "high")]
    assert all(prints_as(t, v) for t, v in zip(texts, got[:3], strict=True)) == prints
    assert not prints_as(published_text("t3_ttr_p"), fit["p_lr"])  # .09: neither prints it


def test_the_start_witness_leans_the_time_to_progression_in_its_window():
    """Its score (postplace.ttr_score) lies in poststart.TTR's window; the first's does not."""
    low, high = poststart.TTR["ttr"]
    assert low <= postplace.ttr_score(_start()) <= high
    assert not low <= postplace.ttr_score(postwitness.witness()) <= high


def test_r_prints_the_start_witness_the_same():
    r = _r_block("wudhikarn2021_post_start_R.csv")
    v = postwitness.values(_start())
    parts = {"value": 0, "low": 1, "high": 2}
    got = [v[c][parts[p]] for c, p in zip(r["claim"], r["part"], strict=True)]
    np.testing.assert_allclose(got, r["value"].to_numpy(float), rtol=1e-8)


def test_the_start_witness_keeps_the_tables_facts():
    """On Figure 1's records, and every table patient can take a record of its own."""
    w = _start()
    postplace.check_records(w)
    state = postsearch.from_witness(str(poststart.PATH))
    assert postsearch.facts_fit(state) and postsearch.alive_fit(state)
    c, _ = model.build(load_spec("wudhikarn2021"), np.random.default_rng(1))
    facts = model.cohort_facts(c)
    ok = poststart.allowed(c, facts, w)
    rows, cols = linear_sum_assignment(~ok)
    assert ok[rows, cols].all()


@pytest.mark.skipif(
    os.environ.get("CARBOOK_SLOW") != "1",
    reason="about 4 minutes (3000 branch-and-bound nodes); run with CARBOOK_SLOW=1",
)
def test_placement_with_facts_regenerates_the_start_witness():
    """The committed order placed again (facts, TTR window) gives the committed times."""
    w = _start()
    placed = postplace.place(_found(w), facts=True, **poststart.TTR)
    for col in ("t_post", "t_last", "t_rr", "refractory"):
        assert placed[col].tolist() == w[col].tolist(), col


def test_the_start_witness_is_a_placement_of_its_order():
    """Part of what the slow regeneration checks: same order, ties and side of 12 months.

    The rest (records, relapse rules, facts, TTR window) have their own tests above."""
    w = _start()
    found = _found(w)
    assert (
        np.argsort(w["t_post"], kind="stable") == np.argsort(found["t_post"], kind="stable")
    ).all()
    same = np.diff(found["t_post"].to_numpy()) == 0
    assert (same == (np.diff(w["t_post"].to_numpy()) == 0)).all()
    assert ((found["t_post"] > 12) == (w["t_post"] > 12)).all()


def _found(w: pd.DataFrame) -> pd.DataFrame:
    """The search's order of a witness (its ``t_found`` as ``t_post``)."""
    return w[["synthetic", "t_found", "dead", "group", "t_salvage"]].rename(
        columns={"t_found": "t_post"}
    )


def test_alive_fit_refuses_a_living_cr_that_no_living_record_holds():
    """MSK39 (CR, progressed by 1.8 months, alive) needs a living CR near a living record."""
    t, e, g, sw = postsearch.from_witness()
    assert postsearch.alive_fit((t, e, g, sw))
    alive_cr = np.flatnonzero((e == 0) & (g == 1))
    t2 = t.copy()
    t2[alive_cr[np.argmin(t[alive_cr])]] = 2.93  # the first witness's: ends at 3.7-4.7
    assert postsearch.facts_fit((t2, e, g, sw)) and not postsearch.alive_fit((t2, e, g, sw))


def test_a_record_exchange_keeps_the_block_and_the_facts():
    c, _ = model.build(load_spec("wudhikarn2021"), np.random.default_rng(2))
    facts = model.cohort_facts(c)
    trade = poststart.exchange(c, facts)
    prog = c.index[c["progressed"] == 1]
    before = sorted(
        map(tuple, c.loc[prog, ["t_post", "dead", "salvage_outcome"]].astype(str).values)
    )
    n = 0
    for i in prog[:6]:
        for j in prog:
            for col, row, value in trade(c, i, j):
                c.loc[row, col] = value
                n += 1
    after = sorted(
        map(tuple, c.loc[prog, ["t_post", "dead", "salvage_outcome"]].astype(str).values)
    )
    assert n > 0 and before == after
    ok = poststart.allowed(
        c,
        facts,
        c.loc[prog].assign(
            refractory=1 - c.loc[prog, "relapsed"], group=c.loc[prog, "salvage_outcome"]
        ),
    )
    assert ok.diagonal().all()  # each patient still keeps the tables' facts
    assert trade(c, prog[0], prog[0] + 10_000) == []  # not a progressed row: declined


def test_with_the_start_witness_progressed_times_stay():
    """Time moves decline on a progressed row; a never-progressed row may still move."""
    c, m = model.build(load_spec("wudhikarn2021"), np.random.default_rng(3))
    bounds = model._bounds(c)
    locked, free = model._keeper(bounds, locked=True), model._keeper(bounds, locked=False)
    i = int(c.index[(c["progressed"] == 1) & ~c["id"].isin(model._facts().index)][0])
    rr, last = c.loc[i, "t_rr"], c.loc[i, "t_last"]
    assert locked(c, i, rr, last) and free(c, i, rr, last + 0.5)
    assert not locked(c, i, rr, last + 0.5)
    assert "swap_record" in m.moves and "swap_record" not in m.late_moves
    assert "swap_death" not in m.moves and "swap_salvage" not in m.late_moves
