"""Rounding-aware comparison, statuses, the book table and the CLI."""

import io
from contextlib import redirect_stdout

import pandas as pd
import pytest

from carbook import scorecard
from carbook.__main__ import main
from carbook.published import load_published
from carbook.scorecard import reproduction, reproductions, score

REG = load_published("zhang2021")


def _status(claim, value, low=None, high=None):
    rep = reproductions([reproduction(claim, value, low, high)])
    row = score(REG, rep).set_index("claim_id").loc[claim]
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


def test_unreproduced_claim_is_pending():
    sc = score(REG)
    assert set(sc["status"]) == {"pending", "not_reproducible"}


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


def test_zhang2021_exact_numbers_are_all_reproduced():
    sc = scorecard.study_scorecard("zhang2021")
    expected_exact = sc[sc["level"] == "exact"]
    assert (expected_exact["status"] == "exact").all(), expected_exact
    pct = sc.set_index("claim_id").loc[["cr_pct", "crs_pct", "icans_pct"]]
    assert pct["reproduced_low"].notna().all() and pct["reproduced_high"].notna().all()


def test_book_scorecard_has_every_published_row():
    sc = scorecard.book_scorecard()
    assert len(sc) == len(load_published())
    assert set(sc["status"]) <= set(scorecard.STATUSES)


def test_cli_csv_lists_every_row_with_required_columns():
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["scorecard", "--csv"]) == 0
    df = pd.read_csv(io.StringIO(buf.getvalue()), dtype=str, keep_default_na=False)
    required = [
        "study",
        "claim_id",
        "artifact",
        "quantity",
        "published",
        "published_low",
        "published_high",
        "reproduced",
        "reproduced_low",
        "reproduced_high",
        "level",
        "status",
        "reason",
    ]
    assert set(required) <= set(df.columns)
    assert len(df) == len(load_published())
    assert (df.loc[df["study"] == "zhang2021", "status"] != "outside").all()


def test_cli_summary_prints_totals():
    buf = io.StringIO()
    with redirect_stdout(buf):
        main(["scorecard", "--study", "zhang2021"])
    assert "total" in buf.getvalue()
