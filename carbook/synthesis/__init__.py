"""Numbers gathered across studies, for comparison chapters.

``rates`` builds the table of response rates after re-treatment from the registries and
per-patient tables; ``meta`` pools proportions (random effects on the logit scale);
``forest`` draws them.
"""

from __future__ import annotations

from carbook.synthesis.forest import explore, forest_plot
from carbook.synthesis.meta import leave_one_out, logit_effects, pool_proportions
from carbook.synthesis.rates import (
    B_ALL_CART_RETREATMENT,
    CART_ONE_PER_STUDY,
    DEFAULT_POOL,
    RETREATMENT_ROWS,
    ROW_SETS,
    check_independent,
    registry_claims,
    retreatment_table,
    salvage_cr_rates,
)

__all__ = [
    "B_ALL_CART_RETREATMENT",
    "CART_ONE_PER_STUDY",
    "DEFAULT_POOL",
    "RETREATMENT_ROWS",
    "ROW_SETS",
    "check_independent",
    "explore",
    "forest_plot",
    "leave_one_out",
    "logit_effects",
    "pool_proportions",
    "registry_claims",
    "retreatment_table",
    "salvage_cr_rates",
]
