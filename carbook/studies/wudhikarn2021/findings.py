"""Wudhikarn 2021: every P-value finding next to the search behind it.

A registry reason that says "no test gives" is a claim about a search. This module
puts each such claim beside its search (:func:`.table1.verdicts` for Table 1,
:func:`.expansion.test_search` for Figure 4) so that the two cannot disagree: one
detective, one rule.
"""

from __future__ import annotations

import re

import pandas as pd

from carbook.published import load_published
from carbook.studies.wudhikarn2021.expansion import test_search
from carbook.studies.wudhikarn2021.table1 import verdicts

__all__ = ["NONE_FOUND", "search_findings"]

STUDY = "wudhikarn2021"
#: how a registry reason says that a search found nothing
NONE_FOUND = re.compile(r"\bno (?:standard |rank or t )?(?:test|reading)\b", re.IGNORECASE)


def search_findings() -> pd.DataFrame:
    """Each searched P value: registry level and reason, combinations tried, matches.

    Returns
    -------
    pandas.DataFrame
        Indexed by claim: ``printed``, ``level``, ``says_none_found`` (the reason says
        no test or reading gives it), ``tried``, ``matches`` and ``consistent`` (a
        claim is ``not_reproducible`` exactly when nothing matches, and says so).

    Examples
    --------
    >>> f = search_findings()
    >>> bool(f["consistent"].all())
    True
    >>> f.loc["t1_prior_hsct_p", "level"], int(f.loc["t1_prior_hsct_p", "matches"])
    ('not_reproducible', 0)
    """
    reg = load_published(STUDY).set_index("id")
    v = verdicts()
    search = test_search()
    counts = pd.DataFrame(
        {
            "tried": [*v["tried"], len(search)],
            "matches": [*v["matches"], int(search["reproduces"].sum())],
        },
        index=[*v.index, "reinf_peak_p"],
    )
    out = reg.loc[counts.index, ["value", "level", "reason"]].rename(columns={"value": "printed"})
    out["says_none_found"] = out["reason"].str.contains(NONE_FOUND)
    out = out.join(counts)
    found = out["matches"] > 0
    out["consistent"] = (found != (out["level"] == "not_reproducible")) & ~(
        found & out["says_none_found"]
    )
    return out.drop(columns="reason")
