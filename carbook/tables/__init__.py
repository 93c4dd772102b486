"""Table 1 machinery: proportion confidence intervals and tests for tables and ranks.

Every function names the R function whose default it matches. The reference values
are produced by ``tests/r/tables_reference.R`` and committed in
``tests/fixtures/tables_*.csv``; the tests compare against those files, so they
never need R. Modules by concern: :mod:`~carbook.tables.proportions`,
:mod:`~carbook.tables.contingency`, :mod:`~carbook.tables.ranks`.
"""

from carbook.tables._common import TestResult
from carbook.tables.contingency import (
    chisq_test,
    expected_counts,
    fisher_exact,
    fisher_midp,
    gtsummary_test,
    test_battery,
)
from carbook.tables.proportions import CI_METHODS, proportion_ci
from carbook.tables.ranks import median_test, sign_test, wilcoxon_ranksum, wilcoxon_signed_rank

__all__ = [
    "CI_METHODS",
    "TestResult",
    "chisq_test",
    "expected_counts",
    "fisher_exact",
    "fisher_midp",
    "gtsummary_test",
    "median_test",
    "proportion_ci",
    "sign_test",
    "test_battery",
    "wilcoxon_ranksum",
    "wilcoxon_signed_rank",
]
