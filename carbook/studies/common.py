"""Reproductions shared by studies: counts and proportions from published counts."""

from __future__ import annotations

import pandas as pd

from carbook.scorecard import reproduction
from carbook.tables import CI_METHODS, proportion_ci

__all__ = ["from_counts"]


def from_counts(counts: pd.DataFrame, ci_method: str) -> list[dict[str, object]]:
    """Reproduce printed counts and percents (with 95% CI) from a counts table.

    A printed count is reproduced by its ``value``: the result of its formula over
    other counts where it has one (e.g. 35 + 8 + 2 for 45 CRs), otherwise the primary
    count itself (it is the datum). A printed percent is recomputed as
    ``100 * value / denominator`` with its CI by ``ci_method`` (see
    :data:`carbook.tables.CI_METHODS`).

    Examples
    --------
    >>> c = pd.DataFrame({"event": ["cr"], "count": [34], "formula": [""], "value": [34],
    ...                   "denominator": [43], "count_claim": ["cr_n"],
    ...                   "percent_claim": ["cr_pct"]})
    >>> [r["claim_id"] for r in from_counts(c, "clopper_pearson")]
    ['cr_n', 'cr_pct']
    """
    if ci_method not in CI_METHODS:
        raise ValueError(f"ci_method must be one of {sorted(CI_METHODS)}, got {ci_method!r}")
    rows = []
    for row in counts.itertuples():
        if row.count_claim:
            how = f"= {row.formula}" if row.formula else "primary count"
            rows.append(reproduction(row.count_claim, row.value, method=how))
        if row.percent_claim:
            est, lo, hi = proportion_ci(int(row.value), int(row.denominator), ci_method)
            how = f"{row.value}/{row.denominator}; 95% CI {ci_method}: {CI_METHODS[ci_method]}"
            rows.append(reproduction(row.percent_claim, 100 * est, 100 * lo, 100 * hi, how))
    return rows
