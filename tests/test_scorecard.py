"""Rounding-aware comparison, statuses from evidence, the book table and the CLI."""

import io
from contextlib import redirect_stdout

import pandas as pd
import pytest

from carbook import book, scorecard
from carbook.__main__ import main
from carbook.published import load_published
from carbook.records import reproduction, reproductions
from carbook.scorecard import score

REG = load_published("zhang2021")
WUD = load_published("wudhikarn2021")


def _row(claim, value, low=None, high=None, reg=REG, **kw):
    rep = reproductions([reproduction(claim, value, low, high, **kw)])
    return score(reg, rep).set_index("claim_id").loc[claim]


def _status(claim, value, low=None, high=None, **kw):
    row = _row(claim, value, low, high, **kw)
    return row["status"], row["distance"]


def test_inside_printed_precision_is_exact():
    assert _status("cr_pct", 78.5, 65.5, 92.49)[0] == "exact"


def test_half_open_upper_edge_is_outside():
    status, distance = _status("cr_pct", 79.5, 66, 92)
    assert status == "outside"
    assert distance == pytest.approx(0.5)  # on the edge: 79.5 prints as 80


def test_each_bound_is_compared():
    status, distance = _status("cr_pct", 79.0, 66.0, 93.0)
    assert status == "outside" and distance == pytest.approx(1.0)


def test_missing_reproduced_bound_is_outside():
    assert _status("cr_pct", 79.0)[0] == "outside"


def test_a_primary_count_used_as_input_is_input_not_exact():
    assert _status("cr_n", 34, basis="input")[0] == "input"
    assert _status("cr_n", 34)[0] == "exact"


def test_a_synthetic_match_is_reconstructed_and_a_miss_is_not_met():
    assert _status("os_1y", 43.2, 25.1, 61.9, basis="synthetic")[0] == "reconstructed"
    row = _row("os_1y", 50.0, 40.0, 60.0, basis="synthetic", miss="search budget")
    assert (row["status"], row["reason"]) == ("not_met", "search budget")


def test_a_synthetic_miss_with_a_proof_is_not_reproducible():
    row = _row("os_1y", 50.0, 40.0, 60.0, basis="synthetic", miss="proof: x", grounds="proof")
    assert (row["status"], row["reason"]) == ("not_reproducible", "proof: x")


def test_level_never_overrides_evidence():
    # registry level not_reproducible, but the recomputed 0 prints as the published 0
    assert WUD.set_index("id").loc["blin_severe_tox_n", "level"] == "not_reproducible"
    assert _row("blin_severe_tox_n", 0, reg=WUD)["status"] == "exact"
    assert _row("blin_severe_tox_n", 1, reg=WUD)["status"] == "not_reproducible"


def test_a_choice_selected_because_it_matches_is_marked():
    row = _row("cr_pct", 79.0, 66.0, 92.0, selected="CI method t_mean")
    assert (
        bool(row["selected"])
        and "[selected because it matches: CI method t_mean]" in (row["method"])
    )
    assert not _row("cr_pct", 79.0, 66.0, 92.0)["selected"]


def test_bad_basis_or_grounds_rejected():
    with pytest.raises(ValueError, match="basis"):
        reproduction("a", 1.0, basis="guess")
    with pytest.raises(ValueError, match="grounds"):
        reproduction("a", 1.0, grounds="hunch")


def test_unreproduced_claim_is_pending_unless_its_grounds_are_registered():
    sc = score(REG)
    assert set(sc["status"]) == {"pending", "not_reproducible"}
    assert (
        sc.loc[sc["status"] == "not_reproducible", "reason"]
        .str.match(r"^(proof|contradiction|unpublished): ")
        .all()
    )


def test_not_reproducible_keeps_its_reason_and_shows_the_value():
    status, _ = _status("cr_subgroup_n_cir", 34)
    assert status == "not_reproducible"


def test_unknown_claim_rejected():
    with pytest.raises(ValueError, match="not in the registry"):
        score(REG, reproductions([reproduction("nope", 1.0)]))


def test_duplicate_reproduction_rejected():
    with pytest.raises(ValueError, match="reproduced twice"):
        reproductions([reproduction("a", 1.0), reproduction("a", 2.0)])


def test_check_raises_on_outside_and_passes_otherwise():
    bad = score(REG, reproductions([reproduction("cr_pct", 70.0, 60.0, 80.0)]))
    with pytest.raises(scorecard.ScorecardError, match="cr_pct"):
        scorecard.check(bad)
    good = score(REG, reproductions([reproduction("cr_pct", 79.0, 66.0, 92.0)]))
    assert scorecard.check(good) is good


def test_summary_counts_every_status_in_its_own_column():
    table = scorecard.summary(score(REG))
    assert list(table.columns) == [
        "input",
        "exact",
        "reconstructed",
        "not_met",
        "not_reproducible",
        "pending",
        "total",
    ]
    assert table.loc["total", "total"] == len(REG)


def test_zhang2021_exact_numbers_are_all_reproduced():
    sc = book.study_scorecard("zhang2021")
    expected_exact = sc[sc["level"] == "exact"]
    assert expected_exact["status"].isin(["exact", "input"]).all(), expected_exact
    pct = sc.set_index("claim_id").loc[["cr_pct", "crs_pct", "icans_pct"]]
    assert pct["reproduced_low"].notna().all() and pct["reproduced_high"].notna().all()
    assert pct["selected"].all()  # the t_mean CI method was chosen because it matches


def test_book_scorecard_has_every_published_row_and_no_search_shortfall_is_blamed_on_a_paper():
    sc = book.book_scorecard()
    assert len(sc) == len(load_published())
    assert set(sc["status"]) <= set(scorecard.STATUSES)
    assert "outside" not in set(sc["status"])
    blamed = sc[sc["status"] == "not_reproducible"]
    assert not blamed["reason"].str.contains("search budget").any()
    assert blamed["reason"].str.contains(r"(?:^|: )(?:proof|contradiction|unpublished): ").all()


def _cli(*argv):
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(list(argv))
    return code, buf.getvalue()


def test_cli_csv_lists_every_row_with_required_columns():
    code, out = _cli("scorecard", "--csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert set(scorecard.CSV_COLUMNS) <= set(df.columns)
    assert len(df) == len(load_published())


def test_cli_summary_prints_totals():
    assert "total" in _cli("scorecard", "--study", "zhang2021")[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["reconstruct", "zhang2021", "--out", "x", "--budget", "0"], "at least 1"),
        (["reconstruct", "zhang2021", "--out", "x", "--budget", "-5"], "at least 1"),
        (["reconstruct", "zhang2021", "--out", "x", "--ensemble", "0"], "at least 1"),
        (["reconstruct", "zhang2021", "--out", "x", "--jobs", "0"], "at least 1"),
        (["reconstruct", "zhang2021"], "--out"),
        (["reconstruct", "nostudy", "--out", "x"], "invalid choice"),
    ],
)
def test_cli_refuses_bad_arguments_with_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_checks_the_output_folder_before_calibrating(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["reconstruct", "zhang2021", "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: output folder") and err.count("\n") == 1


def test_cli_ensemble_in_parallel_writes_the_same_bytes_as_serial(tmp_path):
    """--jobs changes only how many cohorts run at once, never a cohort's bytes."""
    for jobs in ("1", "2"):
        argv = ["reconstruct", "xu2023", "--out", str(tmp_path / jobs), "--seed", "3"]
        assert main([*argv, "--ensemble", "2", "--jobs", jobs, "--budget", "5"]) == 0
    serial = sorted((tmp_path / "1").iterdir())
    assert [p.name for p in serial] == [p.name for p in sorted((tmp_path / "2").iterdir())]
    assert len(serial) == 6  # 2 cohorts x (cohort, calibration report, phase counts)
    assert all(p.read_bytes() == (tmp_path / "2" / p.name).read_bytes() for p in serial)
