"""Survival estimators in numpy, matched to R's conventions.

lifelines is the book's tool for fitting models step by step. These functions
exist because (1) R's default KM interval (``conf.type = "log"``) and R's median
rule differ from lifelines' defaults, and the papers used R; (2) the cohort
reconstruction evaluates thousands of candidate cohorts, so its objective needs
estimators without per-call overhead. Every function is tested against R
(``tests/r/survival_reference.R``) and, where lifelines offers the same estimator,
against lifelines.
"""

from carbook.survival.cif import cif_log_log, cuminc, cuminc_arrays
from carbook.survival.cox import (
    cox_arrays,
    cox_batch,
    cox_multi,
    cox_multi_arrays,
    cox_tests,
    wald_table,
)
from carbook.survival.cox_td import cox_switch
from carbook.survival.km import (
    ConfType,
    km,
    km_arrays,
    km_quantile,
    median_followup,
    quantile_crossing,
    step_at,
)

__all__ = [
    "ConfType",
    "cif_log_log",
    "cox_arrays",
    "cox_batch",
    "cox_multi",
    "cox_multi_arrays",
    "cox_switch",
    "cox_tests",
    "cuminc",
    "cuminc_arrays",
    "km",
    "km_arrays",
    "km_quantile",
    "median_followup",
    "quantile_crossing",
    "step_at",
    "wald_table",
]
