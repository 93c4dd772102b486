"""Exhaustive arrangements of a 0/1 covariate on fixed times: coverage and the best one."""

from itertools import combinations

import numpy as np
import pandas as pd

from carbook.reconstruct.binarycox import binary_cox, risk_sets
from carbook.reconstruct.covariates import FastTarget, score
from carbook.reconstruct.exhaustive import (
    _stratum_columns,
    best_arrangement,
    compositions,
    equivalence_classes,
    n_compositions,
)
from carbook.reconstruct.spec import Spec

TIME = np.array([1.0, 2, 2, 3, 4, 4, 5, 6, 7, 8, 8, 9])
EVENT = np.array([1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1])


def test_compositions_are_counted_and_bounded():
    sizes, k = [2, 1, 3, 1], 3
    comp = compositions(sizes, k)
    assert len(comp) == n_compositions(sizes, k) == len({tuple(r) for r in comp})
    assert (comp.sum(axis=1) == k).all() and (comp <= np.array(sizes)).all()


def _coefs(x: np.ndarray) -> set[float]:
    fit = binary_cox(risk_sets(TIME, EVENT), x)
    return set(np.round(fit["coef"][fit["converged"]], 9).tolist())


def test_class_compositions_reach_every_fit_of_every_arrangement():
    n, k = len(TIME), 4
    rows = np.arange(n)
    x = _stratum_columns(rows, equivalence_classes(TIME, EVENT), k, n)
    brute = np.zeros((n, 0))
    for c in combinations(range(n), k):
        col = np.zeros((n, 1))
        col[list(c)] = 1
        brute = np.hstack([brute, col])
    assert x.shape[1] < brute.shape[1]
    assert _coefs(x) == _coefs(brute)


def test_best_arrangement_is_the_best_placement():
    n = len(TIME)
    cohort = pd.DataFrame(
        {"stratum": ["a"] * 7 + ["b"] * 5, "z": [1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0]}
    )
    keep = np.ones(n, bool)
    nan = np.full(4, np.nan)
    lo, hi = nan.copy(), nan.copy()
    lo[0], hi[0] = 1.5, 1.6  # aim the HR at [1.5, 1.6)
    ft = FastTarget("demo", "z", keep, risk_sets(TIME, EVENT), lo, hi, lo, hi, 1.0)
    spec = Spec("demo", {"a": 7, "b": 5}, {}, [], {}, {})
    free = np.ones(n, bool)
    free[0] = False  # a fixed cell
    x, _met, loss = best_arrangement(spec, cohort, "z", [ft], free)
    assert x[0] == 1 and x[:7].sum() == 2 and x[7:].sum() == 2
    losses = []
    for a in combinations(range(1, 7), 1):
        for b in combinations(range(7, 12), 2):
            col = np.zeros((n, 1))
            col[[0, *a, *b]] = 1
            losses.append(score(ft, col)[1][0])
    assert loss == min(losses)
