"""CD19 status at progression and the times its medians need (wudhikarn2021.cd19place)."""

from functools import cache

import numpy as np
import pandas as pd
import pytest

from carbook.published import load_published, prints_as
from carbook.reconstruct import search
from carbook.reconstruct.construction import apply_changes, derive
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import inconsistent_p_targets
from carbook.studies.wudhikarn2021 import cd19place, model, poststart, postwitness, skeleton
from carbook.studies.wudhikarn2021.cd19place import GROUPS, cd19_move, windows, with_cd19_times
from carbook.studies.wudhikarn2021.endpoints import ENDPOINTS
from carbook.studies.wudhikarn2021.skeleton import relapse_anchors

STUDY = "wudhikarn2021"


@cache
def _start(seed: int = 1):
    c, m = model.build(load_spec(STUDY), np.random.default_rng(seed))
    c["stratum"] = np.where(c["progressed"] == 1, "progressed", "not_progressed")
    derive(load_spec(STUDY), c)
    return c, m


def _built(seed: int = 1) -> pd.DataFrame:
    return _start(seed)[0]


@pytest.mark.parametrize("seed", [1, 2])
def test_the_start_still_prints_what_the_skeleton_and_the_witness_place(seed):
    c, m = _start(seed)
    report = search._scorer(load_spec(STUDY), m, c).report(c)
    placed = report[report["claim"].isin([*skeleton.PLACED, *poststart.CLAIMS])]
    assert placed["claim"].nunique() == len(skeleton.PLACED) + len(poststart.CLAIMS)
    # a printed P that its own HR and CI rule out (Table 3's .09 for time to progression)
    ruled_out = placed["claim"].isin(inconsistent_p_targets(load_spec(STUDY).targets))
    placed = placed[~(ruled_out & (placed["part"] == "p"))]
    assert placed["within"].all(), placed.loc[~placed["within"], ["claim", "part", "achieved"]]


def _printed(claim: str) -> str:
    return str(load_published(STUDY).set_index("id").loc[claim, "value"])


def test_the_witness_gets_a_relapse_inside_each_window_and_keeps_the_relapse_summary():
    w = postwitness.witness(poststart.PATH)
    got = with_cd19_times(w)
    rel = got["refractory"] == 0
    t, was = got.loc[rel, "t_rr"], w.loc[rel, "t_rr"]
    assert (t.median(), t.min(), t.max()) == (was.median(), was.min(), was.max())
    med = relapse_anchors()[0]
    for g, (lo, hi) in windows().items():
        assert ((t >= lo) & (t < hi)).any(), g
        assert (got["t_rr"] < lo).sum() >= cd19place.BEFORE[g]
    # survival after progression stays; death or last contact moves with progression
    pd.testing.assert_series_equal(got["t_post"], w["t_post"])
    assert np.allclose(got["t_last"] - got["t_rr"], got["t_post"], atol=0.005)
    # only relapses on the window's side of the median move, and none crosses it
    moved = got["t_rr"] != w["t_rr"]
    assert moved.any() and (w.loc[moved, "refractory"] == 0).all()
    assert ((w.loc[moved, "t_rr"] < med) == (got.loc[moved, "t_rr"] < med)).all()
    untouched = w.loc[~moved].drop(columns=["t_rr", "t_last"])
    pd.testing.assert_frame_equal(untouched, got.loc[~moved].drop(columns=["t_rr", "t_last"]))


def test_the_witness_is_left_alone_where_it_already_has_the_times():
    w = postwitness.witness(poststart.PATH)
    once = with_cd19_times(w)
    pd.testing.assert_frame_equal(with_cd19_times(once), once)


def test_too_few_relapses_to_move_raises_a_value_error():
    w = pd.DataFrame(
        {"t_rr": [1.0, 1.3, 3.7, 5.5, 6.8, 24.0], "t_post": 1.0, "refractory": [1, 0, 0, 0, 0, 0]}
    )
    w["dead"] = 1
    w["t_last"] = w["t_rr"] + w["t_post"]
    with pytest.raises(ValueError, match="CD19 positive window"):
        with_cd19_times(w, {"negative": 2, "positive": 5})


def test_every_draw_keeps_the_counts_and_table4_and_prints_both_medians():
    c = _built()
    fixed = model._cd19_facts(c)
    prog = c.index[c["progressed"] == 1]
    before = c.loc[prog, "cd19"].value_counts().to_dict()
    gen, spec, kept = np.random.default_rng(0), load_spec(STUDY), 0
    for _ in range(30):
        work = c.copy()
        if not cd19place._draw(spec, work, fixed, windows(), gen):
            continue
        kept += 1
        assert work.loc[prog, "cd19"].value_counts().to_dict() == before
        known = fixed.notna()
        assert (work.loc[known, "cd19"] == fixed[known]).all()  # Table 4 stays
        for g, claim in GROUPS.items():
            times = work.loc[work["cd19"] == g, "t_rr"]
            assert prints_as(_printed(claim), float(np.median(times))), (g, sorted(times))
        others = [k for k in c if not k.startswith("cd19")]
        pd.testing.assert_frame_equal(work[others], c[others])
    assert kept > 0


def test_the_placement_changes_only_labels_and_meets_the_medians_on_seed_1():
    c = _built().copy()
    spec = load_spec(STUDY)
    place = cd19_move(spec, ENDPOINTS, model._cd19_facts(c), draws=40)
    changes = place(c, None)
    assert changes and {col for col, _, _ in changes} == {"cd19"}
    apply_changes(spec, c, changes)
    for g, claim in GROUPS.items():
        assert prints_as(_printed(claim), float(np.median(c.loc[c["cd19"] == g, "t_rr"])))


def test_an_even_group_and_no_draws_raise():
    with pytest.raises(ValueError, match="draws must be at least 1"):
        cd19_move(load_spec(STUDY), ENDPOINTS, pd.Series(dtype=object), draws=0)
    c = _built().copy()
    row = c.index[(c["progressed"] == 1) & (c["cd19"] == "unknown")][0]
    c.loc[row, "cd19"] = "negative"  # 6 negatives: no middle time
    with pytest.raises(ValueError, match="even count"):
        cd19place._draw(
            load_spec(STUDY), c, model._cd19_facts(c), windows(), np.random.default_rng(0)
        )


def test_a_move_across_a_living_record_raises_a_value_error():
    w = pd.DataFrame({"t_rr": [1.0, 1.3, 4.2, 5.5, 6.84, 24.0], "refractory": [1, 0, 0, 0, 0, 0]})
    w["t_post"], w["dead"] = 1.0, [1, 1, 1, 1, 1, 1]
    w["t_last"] = w["t_rr"] + w["t_post"]
    assert with_cd19_times(w, {"negative": 2, "positive": 2})["t_rr"].tolist()[2] == 3.74
    w.loc[0, ["t_last", "dead"]] = [5.0, 0]  # alive at 5.0: 5.2 -> 4.74 crosses it
    with pytest.raises(ValueError, match="crosses a living record"):
        with_cd19_times(w, {"negative": 2, "positive": 2})
