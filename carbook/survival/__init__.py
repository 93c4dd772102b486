"""Survival estimators in numpy, matched to R's conventions.

lifelines is the book's tool for fitting models step by step. These functions
exist because (1) R's default KM interval (``conf.type = "log"``) and R's median
rule differ from lifelines' defaults, and the papers used R; (2) the cohort
reconstruction evaluates thousands of candidate cohorts, so its objective needs
estimators without per-call overhead. Every function is tested against R
(``tests/r/survival_reference.R``, ``cox_tests_reference.R`` and the parity suite
``parity_reference.R``) and, where lifelines offers the same estimator, against
lifelines. Quantiles follow one of two named R rules (:data:`QUANTILE_RULES`);
Cox fits report Wald, likelihood-ratio and score tests and flag what R warns
about. For a log-rank test in a chapter use lifelines' ``logrank_test`` or
``multivariate_logrank_test`` (checked against ``survdiff`` in the parity suite);
:func:`logrank_arrays` is the same two-group test without per-call overhead, for
the reconstruction's search.
"""

from carbook.survival.cif import cif_log_log, cuminc, cuminc_arrays
from carbook.survival.cox import (
    cox_arrays,
    cox_batch,
    cox_batch_arrays,
    cox_multi,
    cox_multi_arrays,
    cox_tests,
    wald_table,
)
from carbook.survival.cox_td import cox_switch
from carbook.survival.km import (
    QUANTILE_RULES,
    ConfType,
    QuantileRule,
    km,
    km_arrays,
    km_quantile,
    median_followup,
    quantile_crossing,
    quantile_findq,
    step_at,
)
from carbook.survival.logrank import logrank_arrays

__all__ = [
    "QUANTILE_RULES",
    "ConfType",
    "QuantileRule",
    "cif_log_log",
    "cox_arrays",
    "cox_batch",
    "cox_batch_arrays",
    "cox_multi",
    "cox_multi_arrays",
    "cox_switch",
    "cox_tests",
    "cuminc",
    "cuminc_arrays",
    "km",
    "km_arrays",
    "km_quantile",
    "logrank_arrays",
    "median_followup",
    "quantile_crossing",
    "quantile_findq",
    "step_at",
    "wald_table",
]
