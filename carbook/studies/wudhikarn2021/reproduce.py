"""Every number this book recomputes for wudhikarn2021, gathered for the scorecard."""

from __future__ import annotations

import pandas as pd

from carbook.data import load_counts
from carbook.records import reproduction, reproductions
from carbook.studies.common import from_counts
from carbook.studies.wudhikarn2021.expansion import first_match, test_search
from carbook.studies.wudhikarn2021.patients import reproduce_table4, reproduce_table5
from carbook.studies.wudhikarn2021.synthetic import reproduce_synthetic
from carbook.studies.wudhikarn2021.table1 import reproduce_p_values

__all__ = ["reproduce"]


def reproduce() -> pd.DataFrame:
    """Every wudhikarn2021 number that published counts and tables allow.

    Percents carry a Clopper-Pearson 95% CI (R's ``binom.test``); the paper prints
    none for them, so only the point estimates are compared.

    Examples
    --------
    >>> rep = reproduce().set_index("claim_id")
    >>> float(round(rep.loc["res_cr_pct", "reproduced"], 1))
    83.3
    """
    counts = load_counts("wudhikarn2021")
    rows = from_counts(counts, "clopper_pearson")
    rows += reproduce_p_values() + reproduce_table4() + reproduce_table5()
    rows += _findings(counts) + reproduce_synthetic()
    return reproductions(rows)


def _findings(counts: pd.DataFrame) -> list[dict[str, object]]:
    """Recomputed values shown next to numbers the paper's own data contradict."""
    search = test_search()
    hit = first_match(search)
    value = counts.set_index("event")["value"]
    cr, salvaged = int(value["salvage_cr"]), int(value["salvage"])
    return [
        reproduction(
            "reinf_peak_p",
            hit["pvalue"],
            method=(
                f"{hit['test']}, {hit['design']}: MSK16 first peak {hit['msk16']}, MSK36 "
                f"{hit['msk36']}, non-expanders {hit['non_expanders']} (first match in the "
                f"declared order; {int(search['reproduces'].sum())} of {len(search)} "
                "test x reading combinations print .15)"
            ),
            selected=f"{hit['test']} under one reading of the unrecorded peaks",
        ),
        reproduction(
            "disc_salvage_response_pct", 100 * cr / salvaged, method=f"{cr}/{salvaged} (Results)"
        ),
    ]
