"""Every public function raises ValueError naming the argument on bad input."""

import numpy as np
import pandas as pd
import pytest

from carbook import cimatch, tables
from carbook import survival as sv

T, E = [1.0, 2.0, 3.0, 4.0], [1, 0, 1, 1]
X = pd.DataFrame({"a": [0, 1, 0, 1]})
KM = sv.km(T, E)

CASES = {
    "km: NaN time": (lambda: sv.km([1, np.nan], [1, 1]), "time contains NaN"),
    "km: infinite time": (lambda: sv.km([1, np.inf], [1, 1]), "time contains NaN or infinite"),
    "km: negative time": (lambda: sv.km([1, -2], [1, 1]), "time must be non-negative"),
    "km: event code 2": (lambda: sv.km([1, 2], [1, 2]), "event must be 0"),
    "km: NaN event": (lambda: sv.km([1, 2], [1, np.nan]), "event must be 0"),
    "km: lengths differ": (lambda: sv.km([1, 2, 3], [1, 1]), "time and event must have equal"),
    "km: conf = 95": (lambda: sv.km(T, E, conf=95), "conf must be strictly between 0 and 1"),
    "km: conf = 0": (lambda: sv.km(T, E, conf=0), "conf must be strictly between"),
    "km: strings": (lambda: sv.km(["a", "b"], [1, 1]), "time must be numeric"),
    "km: empty": (lambda: sv.km([], []), "time must not be empty"),
    "km: unknown conf_type": (lambda: sv.km(T, E, conf_type="arcsin"), "conf_type must be"),
    "km_arrays: NaN time": (
        lambda: sv.km_arrays(np.array([1.0, np.nan]), np.array([1.0, 1.0])),
        "time contains NaN",
    ),
    "km_quantile: p outside (0, 1)": (lambda: sv.km_quantile(KM, 1.5), "p must be strictly"),
    "km_quantile: unknown rule": (lambda: sv.km_quantile(KM, rule="mean"), "rule must be one of"),
    "median_followup: negative time": (
        lambda: sv.median_followup([-1, 2], [1, 0]),
        "time must be non-negative",
    ),
    "step_at: NaN times": (lambda: sv.step_at(KM, [1.0, np.nan]), "times contains NaN"),
    "cuminc: NaN status": (lambda: sv.cuminc([1, 2, 3], [1, np.nan, 2]), "status contains NaN"),
    "cuminc: code outside declared codes": (
        lambda: sv.cuminc([1, 2, 3], [1, 3, 2], codes=[1, 2]),
        "status has codes",
    ),
    "cuminc: cause 0": (lambda: sv.cuminc([1, 2, 3], [1, 0, 2], cause=0), "cause must be"),
    "cuminc: conf = 95": (lambda: sv.cuminc([1, 2, 3], [1, 0, 2], conf=95), "conf must be"),
    "cuminc: strings": (lambda: sv.cuminc([1, 2], ["a", "b"]), "status must be numeric"),
    "cuminc: non-whole status": (lambda: sv.cuminc([1, 2], [1, 1.5]), "status must hold whole"),
    "cuminc_arrays: lengths differ": (
        lambda: sv.cuminc_arrays(np.array([1.0, 2.0]), np.array([1])),
        "time and status must have equal",
    ),
    "cif_log_log: conf = 95": (lambda: sv.cif_log_log(0.3, 0.01, conf=95), "conf must be"),
    "cox_batch: NaN covariate": (
        lambda: sv.cox_batch(T, E, pd.DataFrame({"a": [0, np.nan, 1, 0]})),
        "x has NaN in columns",
    ),
    "cox_batch: infinite covariate": (
        lambda: sv.cox_batch(T, E, pd.DataFrame({"a": [0, np.inf, 1, 0]})),
        "x has infinite values",
    ),
    "cox_batch: string covariate": (
        lambda: sv.cox_batch(T, E, pd.DataFrame({"a": ["u", "v", "u", "v"]})),
        "x has non-numeric columns",
    ),
    "cox_batch: rows differ": (lambda: sv.cox_batch(T, E, X.iloc[:3]), "x has 3 rows"),
    "cox_batch: not a DataFrame": (lambda: sv.cox_batch(T, E, [[0], [1]]), "x must be a pandas"),
    "cox_multi: no events": (lambda: sv.cox_multi(T, [0, 0, 0, 0], X), "event has no events"),
    "cox_tests: negative time": (lambda: sv.cox_tests([1, -2, 3, 4], E, X), "time must be non"),
    "cox_switch: lengths differ": (
        lambda: sv.cox_switch(T, E, [1.0]),
        "switch must have the length",
    ),
    "cox_switch: negative switch": (
        lambda: sv.cox_switch(T, E, [-1.0, None, None, None]),
        "switch must be non-negative",
    ),
    "cox_switch: strings": (
        lambda: sv.cox_switch(T, E, ["a", "b", "c", "d"]),
        "switch must be numeric",
    ),
    "fisher_exact: infinite cell": (
        lambda: tables.fisher_exact([[1, np.inf], [2, 3]]),
        "table contains",
    ),
    "fisher_exact: NaN cell": (
        lambda: tables.fisher_exact([[1, np.nan], [2, 3]]),
        "table contains",
    ),
    "fisher_exact: negative cell": (
        lambda: tables.fisher_exact([[1, -1], [2, 3]]),
        "table contains neg",
    ),
    "fisher_exact: fractional cell": (
        lambda: tables.fisher_exact([[1, 0.5], [2, 3]]),
        "table must hold",
    ),
    "fisher_exact: strings": (
        lambda: tables.fisher_exact([["a", "b"], ["c", "d"]]),
        "table must hold",
    ),
    "chisq_test: one row": (lambda: tables.chisq_test([1, 2, 3]), "table must be a 2-D"),
    "proportion_ci: conf = 95": (lambda: tables.proportion_ci(3, 10, conf=95), "conf must be"),
    "proportion_ci: x > n": (lambda: tables.proportion_ci(11, 10), r"x \(11\) must not exceed"),
    "proportion_ci: NaN x": (lambda: tables.proportion_ci(np.nan, 10), "x must be a whole number"),
    "proportion_ci: string n": (lambda: tables.proportion_ci(3, "ten"), "n must be a whole number"),
    "proportion_ci: unknown method": (
        lambda: tables.proportion_ci(3, 10, method="exactish"),
        "method must be one of",
    ),
    "wilcoxon_ranksum: NaN": (
        lambda: tables.wilcoxon_ranksum([1, np.nan], [2, 3]),
        "x contains NaN",
    ),
    "wilcoxon_ranksum: strings": (
        lambda: tables.wilcoxon_ranksum([1, 2], ["a"]),
        "y must be numeric",
    ),
    "wilcoxon_signed_rank: lengths differ": (
        lambda: tables.wilcoxon_signed_rank([1, 2, 3], [1, 2]),
        "x and y must have equal length",
    ),
    "km_transform_check: low above high": (
        lambda: cimatch.km_transform_check("50", "70", "40"),
        r"low \(70\) <= value \(50\) <= high \(40\)",
    ),
}


@pytest.mark.parametrize(("call", "message"), CASES.values(), ids=list(CASES))
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_at_least_twenty_kinds():
    assert len(CASES) >= 20
