"""Per-study reproductions: each module computes what its chapter reproduces.

The chapters call the same functions, so the book and ``python -m carbook
scorecard`` can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from carbook.records import reproductions
from carbook.studies import gauthier2021, xu2023, zhang2021
from carbook.studies.wudhikarn2021.reproduce import reproduce as wudhikarn2021_reproduce

__all__ = ["REPRODUCERS", "reproduce"]

#: Study key -> function returning its reproduced numbers (see carbook.scorecard).
REPRODUCERS: dict[str, Callable[[], pd.DataFrame]] = {
    "gauthier2021": gauthier2021.reproduce,
    "wudhikarn2021": wudhikarn2021_reproduce,
    "xu2023": xu2023.reproduce,
    "zhang2021": zhang2021.reproduce,
}


def reproduce(study: str) -> pd.DataFrame:
    """Reproduced numbers of ``study``; empty (all pending) for studies not yet done.

    Examples
    --------
    >>> "pfs_median" in set(reproduce("gauthier2021")["claim_id"])
    True
    """
    func = REPRODUCERS.get(study)
    return func() if func else reproductions([])
