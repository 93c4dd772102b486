"""Book assembly: every study's reproductions scored against its registry.

The scorecard (:mod:`carbook.scorecard`) compares what it is given and knows no
study; this module hands it each study's reproductions (:mod:`carbook.studies`).
The chapters and ``python -m carbook scorecard`` call the same functions, so they
cannot disagree.
"""

from __future__ import annotations

import pandas as pd

from carbook.published import load_published, studies
from carbook.scorecard import score
from carbook.studies import reproduce

__all__ = ["book_scorecard", "study_scorecard"]


def study_scorecard(study: str) -> pd.DataFrame:
    """Score one study with the reproductions its module computes (if any).

    Examples
    --------
    >>> from carbook.scorecard import STATUSES
    >>> sc = study_scorecard("zhang2021")
    >>> set(sc["status"]) <= set(STATUSES)
    True
    """
    return score(load_published(study), reproduce(study))


def book_scorecard() -> pd.DataFrame:
    """The whole-book scorecard: every published number of every study.

    Examples
    --------
    >>> sc = book_scorecard()
    >>> sorted(sc["study"].unique()) == studies()
    True
    """
    return pd.concat([study_scorecard(s) for s in studies()], ignore_index=True)
