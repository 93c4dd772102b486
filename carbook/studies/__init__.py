"""Per-study reproductions: each module computes what its chapter reproduces.

The chapters call the same functions, so the book and ``python -m carbook
scorecard`` can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from carbook.scorecard import reproductions
from carbook.studies import wudhikarn2021, zhang2021

__all__ = ["REPRODUCERS", "reproduce"]

#: Study key -> function returning its reproduced numbers (see carbook.scorecard).
REPRODUCERS: dict[str, Callable[[], pd.DataFrame]] = {
    "wudhikarn2021": wudhikarn2021.reproduce,
    "zhang2021": zhang2021.reproduce,
}


def reproduce(study: str) -> pd.DataFrame:
    """Reproduced numbers of ``study``; empty (all pending) for studies not yet done.

    Examples
    --------
    >>> reproduce("gauthier2021").empty
    True
    """
    func = REPRODUCERS.get(study)
    return func() if func else reproductions([])
