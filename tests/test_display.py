"""carbook.display: complete tables, human labels, printed precision, coloured status."""

import re

import numpy as np
import pandas as pd
import pytest

from carbook import display
from carbook.book import book_scorecard, study_scorecard


@pytest.fixture(scope="module")
def card():
    return book_scorecard()


def test_every_row_and_the_full_text_are_shown():
    long = "x" * 300
    df = pd.DataFrame({"n": range(250), "reason": [long] * 250})
    html = display.table(df)._repr_html_()
    assert html.count("<tr>") == 251  # header + 250 rows: no pandas truncation
    assert long in html and "..." not in html
    assert "overflow-x:auto" in html  # scrolls sideways instead of overflowing


def test_missing_values_are_an_en_dash_and_no_index_is_shown():
    df = pd.DataFrame(
        {"a": [1.5, np.nan], "b": pd.array([1, None], dtype="Int64"), "c": ["", None]}
    )
    shown = display.table(df, decimals=1).frame
    assert shown.to_numpy().tolist() == [["1.5", "1", "–"], ["–", "–", "–"]]
    assert "<NA>" not in repr(display.table(df)) and "NaN" not in repr(display.table(df))


def test_integers_never_get_decimals():
    shown = display.table(pd.DataFrame({"n": [3], "hr": [1.0]}), decimals=3).frame
    assert shown.iloc[0].tolist() == ["3", "1.000"]


@pytest.mark.parametrize(
    ("value", "like", "expected"),
    [
        (0.125, ".12", ".13"),
        (13.05, "13.1", "13.1"),
        (2.5, "2", "3"),
        (0.0004, "<.001", "<.001"),
        (0.34237, "0.34", "0.34"),
        (14.05, "14.1", "14.1"),
        (-0.25, ".2", "-.3"),
    ],
)
def test_printed_rounds_half_up_like_the_printed_interval(value, like, expected):
    assert display.printed(value, like) == expected


def test_scorecard_labels_are_words_unique_and_never_claim_ids(card):
    for _, rows in card.groupby("study"):
        labels = display.scorecard_table(rows).frame["number"]
        assert labels.is_unique, labels[labels.duplicated()].tolist()
        ids = set(rows["claim_id"])
        assert not ids & set(labels)
        assert not any(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", lab) for lab in labels)


def test_scorecard_verdict_precedes_the_reason_and_is_coloured(card):
    t = display.scorecard_table(card[card["status"] == "not_reproducible"])
    cols = list(t.frame.columns)
    assert cols.index("status") < cols.index("reason")
    html = t._repr_html_()
    assert "not reproducible" in html and "background:" in html
    full = card.loc[card["status"] == "not_reproducible", "reason"]
    assert all(r in t.frame["reason"].tolist() for r in full)  # never cut


def test_a_match_prints_identically(card):
    """At printed precision a reproduced value reads as the published one."""
    matched = card[card["status"].isin(["exact", "reconstructed"])]
    t = display.scorecard_table(matched).frame
    value = t[["published", "reproduced"]].apply(lambda c: c.str.split(" (", regex=False).str[0])
    assert (value["published"] == value["reproduced"]).all(), t[
        value["published"] != value["reproduced"]
    ]


def test_synthetic_caption_comes_from_the_columns_name():
    df = pd.DataFrame({"hr": [1.23456]})
    df.columns.name = "SYNTHETIC COHORT (seed 1)"
    t = display.table(df, decimals=2)
    assert "SYNTHETIC COHORT" in t._repr_html_() and "SYNTHETIC COHORT" in repr(t)


def test_study_column_only_for_several_studies():
    assert "study" not in display.scorecard_table(study_scorecard("zhang2021")).frame
