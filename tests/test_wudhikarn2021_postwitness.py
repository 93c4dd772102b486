"""wudhikarn2021 after progression: the witness that the whole block can print together.

R's output on the witness (tests/r/wudhikarn2021_post_witness.R) is a committed
fixture; the tests never need R.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbook.published import prints_as
from carbook.reconstruct.run import load_cohort
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import Evaluator
from carbook.studies.wudhikarn2021 import endpoints, postplace, postsearch, postwitness
from carbook.studies.wudhikarn2021.outcomes import published_text

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


def test_r_prints_the_same_numbers():
    r = pd.read_csv(FIX / "wudhikarn2021_post_witness_R.csv")
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
