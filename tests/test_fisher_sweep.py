"""fisher_exact against R's fisher.test on the random sweep and on tied tables.

Fixtures (R 4.2.2, no R needed here): ``fisher_sweep_tables.csv`` (80 random tables
up to 5×5, n <= 500, written by ``benchmarks/bench_fisher.py --write-tables``),
``fisher_sweep_R.csv`` (``tests/r/fisher_sweep_reference.R``: R's P, error or
timeout at workspace 200000 and 2e8) and ``fisher_ties_R.csv``
(``tests/r/fisher_ties_reference.R``).
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbook import tables
from carbook.tables.fisher import fisher_network_logp

FIX = Path(__file__).parent / "fixtures"
TABLES = pd.read_csv(FIX / "fisher_sweep_tables.csv").set_index("table")
R = pd.read_csv(FIX / "fisher_sweep_R.csv")
ANSWERED = R[R["outcome"] == "ok"].drop_duplicates("table").set_index("table")


def _table(row) -> np.ndarray:
    return np.array(row["cells"].split(), dtype=int).reshape(int(row["nrow"]), int(row["ncol"]))


def test_sweep_fixture_covers_every_table_at_both_workspaces():
    assert len(TABLES) == 80
    assert sorted(R.groupby("table").size().unique()) == [2]
    assert set(R["table"]) == set(TABLES.index)
    assert set(R["outcome"]) <= {"ok", "error", "timeout"}
    assert R.loc[R["outcome"] == "ok", "p_value"].notna().all()


def test_r_gives_one_p_per_table_whatever_the_workspace():
    both = R[R["outcome"] == "ok"].groupby("table")["p_value"]
    spread = (both.max() - both.min()) / both.min()
    assert (spread <= 1e-10).all()


# R answered s52 only at workspace = 2e8, and FEXACT merges pasts within its
# tol = 3.45254e-7 keeping one value, so its P is not exact in the tenth digit there:
# ours differs by 1.6e-10 relative, and two independent traversals of ours (columns
# in opposite orders: other nodes, other pasts) agree to the last digit (tested below).
R_INEXACT = {"s52_3x5_n200_balanced"}


# Beyond the default work cap (refused in about 10 s) but answered by R in 54 s at
# workspace = 2e8: about 1.5e8 path extensions, two CPU minutes here. Run on request.
SLOW = {"s75_5x5_n100_skewed": 3e8}
RUN_SLOW = os.environ.get("CARBOOK_SLOW") == "1"


def _sweep_case(name: str):
    if name in R_INEXACT:
        reason = "R's FEXACT merges pasts within 3.45e-7 (1.6e-10 relative off the exact sum)"
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason))
    if name in SLOW:
        reason = "two CPU minutes (R: 54 s at workspace = 2e8); run with CARBOOK_SLOW=1"
        return pytest.param(name, marks=pytest.mark.skipif(not RUN_SLOW, reason=reason))
    return name


@pytest.mark.parametrize("name", [_sweep_case(n) for n in ANSWERED.index])
def test_fisher_matches_r_on_every_sweep_table_r_answered(name):
    want = ANSWERED.loc[name]
    cap = SLOW.get(name, 2e7)
    got = tables.fisher_exact(_table(TABLES.loc[name]), max_tables=cap).pvalue
    assert abs(got - want["p_value"]) <= 1e-10 * want["p_value"], want["call"]


@pytest.mark.parametrize("name", ["s52_3x5_n200_balanced", "s58_4x4_n100_balanced"])
def test_two_traversals_of_the_network_give_the_same_p(name):
    t = _table(TABLES.loc[name])
    down = fisher_network_logp(t)
    up = fisher_network_logp(t, ascending=True)
    assert abs(np.expm1(up - down)) <= 1e-13


@pytest.mark.parametrize("row", pd.read_csv(FIX / "fisher_ties_R.csv").to_dict("records"))
def test_fisher_counts_tables_tied_with_the_observed_one_as_r_does(row):
    got = tables.fisher_exact(_table(row)).pvalue
    assert abs(got - row["p_value"]) <= 1e-10 * row["p_value"], row["call"]


def test_fisher_beyond_the_work_cap_names_the_size_and_the_monte_carlo_alternatives():
    big = _table(TABLES.loc["s78_5x5_n500_balanced"])
    with pytest.raises(ValueError, match=r"5x5 \(n = 500\)") as err:
        tables.fisher_exact(big, max_tables=1e5)
    assert "simulate.p.value = TRUE" in str(err.value)
    assert "MonteCarloMethod" in str(err.value)
