"""The times phase's numpy path gives exactly what the pandas path gives.

:class:`carbook.reconstruct.arrays.TimeEvaluator` on an :class:`ArrayCohort` must
report the same achieved values as :class:`Evaluator` on the frame, bit for bit,
after any sequence of moves (it caches targets whose inputs did not change), and
the times phase run either way must end on the same cohort.
"""

import numpy as np
import pandas as pd
import pytest
from helpers import built, random_moves, same_values

from carbook.reconstruct import search
from carbook.reconstruct.aim import aimed_moves
from carbook.reconstruct.arrays import TIME_KINDS, ArrayCohort, TimeEvaluator
from carbook.reconstruct.construction import Model, derive
from carbook.reconstruct.spec import Target, load_spec
from carbook.reconstruct.targets import Evaluator
from carbook.studies.models import model as study_model


def _time_targets(spec):
    return [t for t in spec.targets if t.kind in TIME_KINDS and t.params.get("phase") != "late"]


@random_moves(25)
def test_time_evaluator_matches_evaluator_after_random_moves(study, seed, n_moves):
    spec, rng, cohort, m = built(study, seed)
    targets = _time_targets(spec)
    fast, slow = TimeEvaluator(targets, m.endpoints), Evaluator(targets, m.endpoints)
    work = ArrayCohort(cohort)
    names = sorted(m.moves)
    for _ in range(n_moves):
        changes = m.moves[names[rng.integers(len(names))]](work, rng)
        for col, i, value in changes:
            work[col][i] = value
            cohort.loc[i, col] = value
        assert same_values(fast.achieved(work), slow.achieved(cohort))


def test_time_evaluator_refuses_other_kinds():
    spec = load_spec("wudhikarn2021")
    with pytest.raises(ValueError, match="time targets only"):
        TimeEvaluator(spec.targets, {})


@pytest.mark.parametrize("phase", ["times", "all"])
def test_phase_on_arrays_ends_on_the_same_cohort_as_on_the_frame(monkeypatch, phase):
    """Every phase anneals on numpy columns; the pandas frame is the reference path."""
    spec = load_spec("wudhikarn2021")
    ends = []
    for arrays in (True, False):
        monkeypatch.setattr(search, "ARRAYS", arrays)
        rng = np.random.default_rng(3)
        cohort, m = study_model("wudhikarn2021")(spec, rng)
        if phase == "times":
            targets, moves = _time_targets(spec), dict(m.moves)
        else:  # every target, every move (the late moves and the margin swaps included)
            targets, moves = spec.targets, search._all_moves(spec, m)
        _, report = search.anneal(spec, m, cohort, rng, 150, 2.0, targets, moves, "", False)
        ends.append((cohort, report, rng.integers(1 << 30)))
    (c1, r1, n1), (c2, r2, n2) = ends
    assert c1.equals(c2) and (c1.dtypes == c2.dtypes).all()
    assert r1.equals(r2) and n1 == n2


def _aim_setup(seed: int, claims: list[str]):
    spec = load_spec("wudhikarn2021")
    rng = np.random.default_rng(seed)
    cohort, m = study_model("wudhikarn2021")(spec, rng)
    derive(spec, cohort)
    targets = [t for t in spec.targets if t.claim in claims]
    ev = TimeEvaluator(targets, m.endpoints)
    work = ArrayCohort(cohort)
    ev.loss(work)
    return spec, m, targets, ev, work, rng


def _toy(printed: dict, kind: str = "km_median", **params):
    """Eleven deaths at months 1..11 and a model that may move any of them."""
    frame = pd.DataFrame({"t": np.arange(1.0, 12.0), "d": np.ones(11, int)})
    m = Model(
        endpoints={"os": lambda c: (c["t"].to_numpy(), c["d"].to_numpy())},
        moves={},
        fixed=pd.DataFrame(False, index=frame.index, columns=frame.columns),
        retime={"os": lambda c, i, new: [("t", i, new)]},
    )
    target = Target("toy", kind, {"endpoint": "os", **params}, printed)
    ev = TimeEvaluator([target], m.endpoints)
    work = ArrayCohort(frame)
    ev.loss(work)
    return aimed_moves([target], m, ev), ev, work


def _apply(move, ev, work, rng) -> list:
    changes = move(work, np.random.default_rng(rng))
    for col, i, value in changes:
        work[col][i] = value
    ev.loss(work)
    return changes


def test_snap_puts_the_crossing_event_on_the_printed_median():
    moves, ev, work = _toy({"value": "6.5"})
    assert ev.now[0] == 6.0 and not ev.met.all()
    assert _apply(moves["aim_snap"], ev, work, 0) == [("t", 5, 6.45)]
    assert ev.now[0] == 6.45 and ev.met.all()
    assert _apply(moves["aim_snap"], ev, work, 0) == []  # nothing missed: no move


def test_landmark_moves_one_event_across_towards_the_printed_rate():
    moves, ev, work = _toy({"value": "36.4"}, "km_at", time=7.0)  # 4 of 11 alive: 36.4%
    assert ev.now[0] == pytest.approx(100 * 4 / 11) and ev.met.all()
    moves, ev, work = _toy({"value": "45.5"}, "km_at", time=7.0)  # needs 5 alive at 7
    changes = _apply(moves["aim_landmark"], ev, work, 1)
    assert len(changes) == 1 and changes[0][2] > 7.0
    assert ev.now[0] == pytest.approx(100 * 5 / 11) and ev.met.all()


def test_retime_keeps_the_relapse_anchors_and_the_time_identities():
    _, m, _, _, work, rng = _aim_setup(2, [])
    relapsed = np.asarray(work["relapsed"]) == 1
    anchors = np.median(work["t_rr"][relapsed]), work["t_rr"][relapsed].min()
    applied = 0
    for _ in range(200):
        endpoint = ["os", "rr", "efs", "os_post"][rng.integers(4)]
        changes = m.retime[endpoint](work, int(rng.integers(len(work))), rng.uniform(0.1, 40))
        for col, i, value in changes:
            work[col][i] = value
        applied += bool(changes)
    t_rr, t_post, t_last = (np.asarray(work[c]) for c in ("t_rr", "t_post", "t_last"))
    prog = np.asarray(work["progressed"]) == 1
    assert applied > 20
    assert (np.median(t_rr[relapsed]), t_rr[relapsed].min()) == anchors
    assert np.allclose(t_rr[prog] + t_post[prog], t_last[prog], atol=0.006)
    assert (t_post[prog] >= 0.05).all() and (t_last <= 115).all()


def test_calibrate_records_the_count_met_after_each_phase(tmp_path):
    from carbook.reconstruct.run import write
    from carbook.studies.models import reconstruct

    cohort, report = reconstruct("xu2023", seed=1, budget=40, progress=False)
    phases = report.attrs["phases"]
    assert list(phases["phase"]) == ["times", "hazard ratios", "joint"]
    assert phases["met"].iloc[-1] == report["within"].sum()
    assert (phases["printed"] == len(report)).all()
    paths = write("xu2023", 1, cohort, report, tmp_path)
    again = write(
        "xu2023", 1, *reconstruct("xu2023", seed=1, budget=40, progress=False), tmp_path / "b"
    )
    assert [p.name for p in paths][-1] == "synthetic_phases_seed1.csv"
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(paths, again, strict=True))


def test_phase_plot_names_every_phase_and_refuses_a_bad_table():
    from carbook.plots import phase_plot

    table = pd.DataFrame(
        {"step": [1, 2, 3], "phase": ["times", "hazard ratios", "joint"], "met": [5, 9, 12]}
    )
    with pytest.raises(ValueError, match="printed"):
        phase_plot(table, "x")
    fig = phase_plot(table.assign(printed=20), "x")
    assert [t.get_text() for t in fig.axes[0].texts] == [" 5", " 9", " 12"]
    assert fig.axes[0].get_xlim() == (0, 20)
