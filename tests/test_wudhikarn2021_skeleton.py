"""wudhikarn2021: the Figure 1 skeleton put on the patients, and kept by the calibration."""

from functools import partial

import numpy as np
import pandas as pd
import pytest

from carbook.reconstruct import search
from carbook.reconstruct.construction import Model, derive
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import Evaluator
from carbook.studies.wudhikarn2021 import (
    endpoints,
    exposed,
    figure1,
    model,
    post,
    poststart,
    skeleton,
)
from carbook.studies.wudhikarn2021.outcomes import prints_as

SPEC = load_spec("wudhikarn2021")
FIG1 = ["fig1_os_median", "fig1_os_3y", "fig1_efs_3y", "fig1_cir_1y", "res_followup_median"]
FIG1_TARGETS = [t for t in SPEC.targets if t.claim in FIG1]


def _fig1(cohort: pd.DataFrame) -> pd.DataFrame:
    ends = {k: endpoints.ENDPOINTS[k] for k in ("os", "rr", "efs")}
    return Evaluator(FIG1_TARGETS, ends).report(cohort).set_index(["claim", "part"])


def _apply(move, c: pd.DataFrame, rng: np.random.Generator, n: int) -> int:
    """Propose ``move`` ``n`` times on ``c``, applying every change; how many changed it."""
    applied = 0
    for _ in range(n):
        changes = move(c, rng)
        for col, i, value in changes:
            c.loc[i, col] = value
        applied += bool(changes)
    return applied


def test_records_keep_every_number_of_the_joint_witness():
    """Moving the last death before 36 months to LAST_DEATH keeps the order of exits."""
    report = _fig1(skeleton.records())
    assert report["within"].drop("fig1_cir_1y", level="claim").all()
    w, r = figure1.joint_witness(), skeleton.records()
    assert (np.argsort(w["t_last"], kind="stable") == np.argsort(r["t_last"], kind="stable")).all()
    assert (w["t_last"] != r["t_last"]).sum() == 1


def test_records_refuse_a_last_death_out_of_order(monkeypatch):
    monkeypatch.setattr(skeleton, "LAST_DEATH", 29.0)  # before the death at 29.67
    with pytest.raises(ValueError, match="order of exits"):
        skeleton.records()
    monkeypatch.setattr(skeleton, "LAST_DEATH", 36.5)  # after the 3-year landmark
    with pytest.raises(ValueError, match="order of exits"):
        skeleton.records()


def test_relapse_values_keep_median_range_and_the_landmark():
    for seed in range(5):
        v = skeleton.relapse_values(29, (5.5, 1.3, 24.0), 12.0, np.random.default_rng(seed))
        assert (float(np.median(v)), v.min(), v.max()) == (5.5, 1.3, 24.0)
        assert np.sort(v)[-2] < 12.0


def test_relapse_values_reject_a_landmark_below_the_median():
    with pytest.raises(ValueError, match="before"):
        skeleton.relapse_values(29, (5.5, 1.3, 24.0), 5.0, np.random.default_rng(0))


def test_assign_progressed_keeps_every_rule():
    rng = np.random.default_rng(4)
    t_rr = np.array([1.0, 2.0, 8.0, 3.0])
    dead_fact = np.array([np.nan, 0.0, np.nan, 1.0])
    last_min = np.array([-np.inf, -np.inf, -np.inf, 20.0])
    rec_time, rec_dead = np.array([2.5, 9.0, 21.0, 8.04]), np.array([1, 1, 1, 0])
    pick = skeleton.assign_progressed(t_rr, dead_fact, last_min, rec_time, rec_dead, rng)
    assert sorted(pick.tolist()) == [0, 1, 2, 3]
    assert (rec_time[pick] >= t_rr + skeleton.GAP).all()
    assert rec_dead[pick[1]] == 0 and rec_dead[pick[3]] == 1 and rec_time[pick[3]] >= 20


def test_assign_progressed_keeps_each_patients_own_gap():
    t_rr = np.array([1.0, 1.0])
    free, no_min = np.full(2, np.nan), np.full(2, -np.inf)
    rec_time, rec_dead = np.array([2.0, 4.0]), np.array([1, 1])
    for seed in range(20):  # the second patient needs 2.07 months: only the 4.0 record
        rng = np.random.default_rng(seed)
        gap = np.array([skeleton.GAP, 2.07])
        pick = skeleton.assign_progressed(t_rr, free, no_min, rec_time, rec_dead, rng, gap)
        assert pick.tolist() == [0, 1]
    with pytest.raises(ValueError, match="one per patient"):
        skeleton.assign_progressed(
            t_rr, free, no_min, rec_time, rec_dead, np.random.default_rng(0), np.ones(3)
        )


def test_assign_progressed_raises_when_no_assignment_fits():
    args = np.array([5.0, 6.0]), np.array([np.nan, np.nan]), np.full(2, -np.inf)
    with pytest.raises(ValueError, match="no assignment"):
        skeleton.assign_progressed(
            *args, np.array([5.0, 9.0]), np.array([1, 1]), np.random.default_rng(0)
        )
    with pytest.raises(ValueError, match="one length"):
        skeleton.assign_progressed(*args, np.array([9.0]), np.array([1]), np.random.default_rng(0))


@pytest.mark.parametrize("witness", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_built_cohort_takes_the_skeleton_and_keeps_the_model_rules(seed, witness, monkeypatch):
    monkeypatch.setattr(model, "WITNESS", witness)
    c, m = model.build(SPEC, np.random.default_rng(seed))
    assert m.skeleton
    report = _fig1(c)
    assert report["within"].drop("fig1_cir_1y", level="claim").all()
    never = c["progressed"] == 0
    alive = c["dead"] == 0
    assert (c.loc[never & alive, "t_last"] >= model.MIN_POTENTIAL).all()
    assert int((never & ~alive & (c["t_last"] < 36)).sum()) == 9
    early = c["response"] == "not_evaluable"
    assert c.loc[early, "t_last"].max() < c.loc[never & ~early & ~alive, "t_last"].min()
    prog = c["progressed"] == 1
    assert (c.loc[prog, "t_rr"] + skeleton.GAP <= c.loc[prog, "t_last"] + 1e-9).all()
    assert int(c.loc[prog, "dead"].sum()) == 31
    facts = model._facts()
    by_id = c.set_index("id")
    assert (by_id.loc[facts.index, "dead"] == facts["dead"]).all()
    last_min = post._bounds(c)["last_min"]
    assert (c["t_last"] >= last_min).all()
    post_min = post._bounds(c)["post_min"]
    assert (c.loc[prog, "t_post"] >= post_min[prog]).all()  # a table CR's remission fits
    relapse = c.loc[c["relapsed"] == 1, "t_rr"]
    got = (relapse.median(), relapse.min(), relapse.max())
    if witness:  # the start witness's relapse times print 5.5 (1.3-24), not exactly
        assert prints_as("relapse_time_median", *got)
    else:  # the skeleton puts them on the printed values
        assert got == model.relapse_anchors()


def test_without_the_skeleton_no_record_is_placed(monkeypatch):
    monkeypatch.setattr(model, "SKELETON", False)
    c, m = model.build(SPEC, np.random.default_rng(1))
    assert not m.skeleton and not m.protect and "swap_outcome" not in m.moves
    assert sorted(c["t_last"]) != sorted(skeleton.records()["t_last"])
    monkeypatch.setattr(model, "SKELETON", True)  # the argument overrides the default
    naive, m = model.build(SPEC, np.random.default_rng(1), placed=False)
    assert not m.skeleton
    pd.testing.assert_frame_equal(naive, c)


def test_time_steps_with_a_skeleton_only_keep_met():
    """The free (hot) times pass would undo the skeleton: only the keep-met pass runs."""
    m = Model(endpoints={}, moves={}, fixed=pd.DataFrame(), skeleton=True, retime={"os": None})
    steps = search._time_steps(m, partial(lambda **kw: kw), 1200)
    assert [(name, n) for name, n, _ in steps] == [("times, keep met", 300)]
    assert all(run.keywords["keep_met"] for _, _, run in steps)
    free = search._time_steps(
        Model(endpoints={}, moves={}, fixed=pd.DataFrame(), retime={"os": None}),
        partial(lambda **kw: kw),
        1200,
    )
    assert not free[0][2].keywords.get("keep_met", False)


def test_skeleton_survives_the_keep_met_times_phase():
    """A short keep-met times pass from the skeleton loses no Figure 1 number."""
    c, m = model.build(SPEC, np.random.default_rng(2))
    derive(SPEC, c)
    before = _fig1(c)["within"]
    time_targets = [t for t in SPEC.targets if t.kind in search.TIME_KINDS]
    for _name, n_iter, run in search._time_steps(
        m,
        partial(
            search.anneal,
            SPEC,
            m,
            c,
            np.random.default_rng(0),
            targets=time_targets,
            progress=False,
        ),
        400,
    ):
        run(n_iter=n_iter)
    after = _fig1(c)["within"]
    assert (after | ~before).all()


def test_progression_swap_keeps_figure1_and_the_relapse_times(monkeypatch):
    """The skeleton's own move (with the start witness it declines on progressed rows)."""
    monkeypatch.setattr(model, "WITNESS", False)
    c, m = model.build(SPEC, np.random.default_rng(1))
    move, rng = m.moves["swap_progression"], np.random.default_rng(0)
    os_records = sorted(zip(c["t_last"], c["dead"], strict=True))
    before, relapses = _fig1(c), sorted(c.loc[c["relapsed"] == 1, "t_rr"])
    bounds = post._bounds(c)
    assert _apply(move, c, rng, 200) > 10
    pd.testing.assert_frame_equal(_fig1(c), before)
    assert sorted(c.loc[c["relapsed"] == 1, "t_rr"]) == relapses
    prog = c.index[c["progressed"] == 1]
    assert np.allclose(c.loc[prog, "t_post"], c.loc[prog, "t_last"] - c.loc[prog, "t_rr"])
    assert all(post.feasible(c, bounds, i, c.loc[i, "t_rr"], c.loc[i, "t_last"]) for i in prog)
    assert sorted(zip(c["t_last"], c["dead"], strict=True)) == os_records
    blin_ino = post._bounds(c)["blin_ino"] - c["t_rr"]
    assert np.allclose(c["t_blin_ino"], blin_ino, atol=0.006, equal_nan=True)


def test_scorecard_marks_the_placed_figure1_numbers_as_selected():
    """The witness's order of exits was chosen because it prints them: the scorecard says so."""
    from carbook import book

    card = book.study_scorecard("wudhikarn2021").set_index("claim_id")
    assert card.loc[list(skeleton.PLACED), "selected"].all()
    for claim in skeleton.PLACED:
        assert "[selected because it matches: Figure 1 skeleton" in card.loc[claim, "method"]
    assert not card.loc["fig1_cir_1y", "selected"]  # not placed: proved impossible


def test_outcome_swap_keeps_figure1_table2_and_the_facts(monkeypatch):
    """Swapping death or last contact between two who progressed moves only os_post.

    The skeleton's own move: with the start witness it declines on progressed rows.
    """
    monkeypatch.setattr(model, "WITNESS", False)
    c, m = model.build(SPEC, np.random.default_rng(1))
    move, rng = m.moves["swap_outcome"], np.random.default_rng(0)
    before, rr = _fig1(c), endpoints.rr(c)
    os_records = sorted(zip(c["t_last"], c["dead"], strict=True))
    dead_facts = c.loc[c["id"].isin(model._facts().index), ["id", "dead"]].copy()
    prog = c.index[c["progressed"] == 1]
    post_before = c.loc[prog, ["t_post", "dead"]].copy()
    assert _apply(move, c, rng, 300) > 20
    pd.testing.assert_frame_equal(_fig1(c), before)
    assert sorted(zip(c["t_last"], c["dead"], strict=True)) == os_records
    for a, b in zip(endpoints.rr(c), rr, strict=True):  # Table 2's endpoint
        np.testing.assert_array_equal(a, b)
    pd.testing.assert_frame_equal(c.loc[dead_facts.index, ["id", "dead"]], dead_facts)
    bounds = post._bounds(c)
    assert all(post.feasible(c, bounds, i, c.loc[i, "t_rr"], c.loc[i, "t_last"]) for i in prog)
    assert np.allclose(c.loc[prog, "t_post"], c.loc[prog, "t_last"] - c.loc[prog, "t_rr"])
    assert (c.loc[prog, "t_post"] >= skeleton.GAP - 1e-9).all()
    assert not c.loc[prog, ["t_post", "dead"]].equals(post_before)


@pytest.mark.parametrize("witness", [True, False])
def test_a_trading_polish_keeps_the_placed_numbers_and_the_count(witness, monkeypatch):
    """With ``trade``, met numbers may change hands, but never a placed one or the count."""
    monkeypatch.setattr(model, "WITNESS", witness)
    c, m = model.build(SPEC, np.random.default_rng(2))
    derive(SPEC, c)
    evaluator = Evaluator(SPEC.targets, m.endpoints)
    first = evaluator.report(c)
    placed = first["claim"].isin(m.protect).to_numpy() & first["within"].to_numpy()
    want = {*skeleton.PLACED, *((*poststart.CLAIMS, *exposed.CLAIMS) if witness else ())}
    assert placed.sum() >= 4 and set(m.protect) == want
    moves = search._all_moves(SPEC, m)
    rng = np.random.default_rng(0)
    search.anneal(SPEC, m, c, rng, n_iter=60, t0=0.1, moves=moves, keep_met=True, trade=True)
    then = evaluator.report(c)
    assert then["within"].to_numpy()[placed].all()
    assert then["within"].sum() >= first["within"].sum()


def test_scorecard_marks_the_hrs_the_walk_was_tuned_on_as_selected():
    from carbook.studies.wudhikarn2021.synthetic import WALK_CLAIMS, reproduce_synthetic

    rows = pd.DataFrame(reproduce_synthetic()).set_index("claim_id")
    for claim in WALK_CLAIMS:
        assert rows.loc[claim, "selected"].startswith("annealing walk"), claim


def test_scorecard_marks_the_p_of_each_untied_median_column_as_selected():
    """SPLIT_CLAIMS are exactly the rank-sum Ps read from a ``split_median`` column."""
    from carbook.studies.wudhikarn2021.synthetic import SPLIT_CLAIMS, reproduce_synthetic

    columns = {**SPEC.continuous, **SPEC.within}
    split = {col for col, entry in columns.items() if entry.get("split_median")}
    readers = {
        t.claim for t in SPEC.targets if t.kind == "wilcoxon" and t.params["column"] in split
    }
    assert split == {"steroid_dose"} and readers == set(SPLIT_CLAIMS)
    rows = pd.DataFrame(reproduce_synthetic()).set_index("claim_id")
    for claim in SPLIT_CLAIMS:
        assert rows.loc[claim, "selected"].startswith("the median dose"), claim
