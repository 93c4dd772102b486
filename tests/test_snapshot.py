"""The book may not get worse silently: every published number keeps its committed status.

``tests/snapshots/scorecard_status.csv`` holds ``(study, claim_id, status)`` for every
registry row. A change that improves a status updates the snapshot in the same commit
(``make snapshot``); a change that worsens one says why in its message. One test per
published number, so a failure names the claim.
"""

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from carbook.book import book_scorecard
from carbook.published import load_published

SNAPSHOT = Path(__file__).parent / "snapshots" / "scorecard_status.csv"
CLAIMS = [(s, c) for s, c in load_published()[["study", "id"]].itertuples(index=False)]


@cache
def _current() -> dict[tuple[str, str], str]:
    sc = book_scorecard()
    return dict(zip(zip(sc["study"], sc["claim_id"], strict=True), sc["status"], strict=True))


@cache
def _snapshot() -> dict[tuple[str, str], str]:
    snap = pd.read_csv(SNAPSHOT, dtype=str, keep_default_na=False)
    return dict(zip(zip(snap["study"], snap["claim_id"], strict=True), snap["status"], strict=True))


def test_snapshot_lists_exactly_the_registry():
    assert sorted(_snapshot()) == sorted(CLAIMS)


@pytest.mark.parametrize(("study", "claim"), CLAIMS, ids=[f"{s}:{c}" for s, c in CLAIMS])
def test_status_is_as_committed(study, claim):
    assert _current()[(study, claim)] == _snapshot()[(study, claim)]
