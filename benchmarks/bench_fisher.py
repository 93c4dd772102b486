"""Exact Fisher for r×c tables: carbook.tables.fisher_exact vs R's fisher.test.

Baseline: R 4.2.2 ``fisher.test`` (FEXACT, default workspace) on the same tables,
timed by ``tests/r/parity_reference.R`` (mean of 5 runs, committed in
``tests/fixtures/parity_fisher_R_timing.csv``) with R's P values in
``tests/fixtures/parity_tables.csv``. Goals (issue 11): every table up to 5×5
with n <= 500 in <= 1 s; R's P to 1e-10 relative.

Second part: random tables up to 5×5 and n <= 500 (balanced and skewed), with a
work cap so that a table beyond reach is reported as refused instead of running
for minutes. R's fisher.test fails with "FEXACT error" at its default workspace
on many of the larger balanced ones too (a 5×5 with n = 100 took R 58 s with
workspace = 2e8 on this machine).

Times are CPU seconds (``time.process_time``): the machine's two cores are shared
with other work, so wall time measures the neighbours. R's are ``system.time``
elapsed on a quieter moment of the same machine.

Run: ``.venv/bin/python benchmarks/bench_fisher.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from carbook.tables import fisher_exact

FIX = Path(__file__).parents[1] / "tests" / "fixtures"


def _best_of(func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        func()
        times.append(time.process_time() - start)
    return min(times)


def against_r() -> pd.DataFrame:
    """The parity tables: our time and P against R's."""
    timing = pd.read_csv(FIX / "parity_fisher_R_timing.csv")
    ref = pd.read_csv(FIX / "parity_tables.csv")
    ref = ref[ref["quantity"] == "fisher_p"].set_index("case")["value"]
    rows = []
    for r in timing.itertuples():
        t = pd.read_csv(FIX / "parity" / f"table_{r.table}.csv").to_numpy()
        secs = _best_of(lambda t=t: fisher_exact(t))
        p = fisher_exact(t).pvalue
        rows.append(
            {
                "table": r.table,
                "dim": r.dim,
                "n": r.n,
                "carbook_s": round(secs, 4),
                "R_s": round(r.r_seconds, 4),
                "ratio": round(secs / max(r.r_seconds, 1e-4), 1),
                "rel_err_vs_R": f"{abs(p - ref[r.table]) / ref[r.table]:.1e}",
            }
        )
    return pd.DataFrame(rows)


def sweep(seed: int = 2026, cap: float = 2e7) -> pd.DataFrame:
    """Random r×c tables, r, c in 2..5, n in (30, 100, 200, 500)."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(2, 6):
        for c in range(r, 6):
            for n in (30, 100, 200, 500):
                for shape in ("balanced", "skewed"):
                    w = rng.dirichlet(np.full(r * c, 0.5))
                    if shape == "balanced":
                        w = np.ones(r * c)
                    t = rng.multinomial(n, w / w.sum()).reshape(r, c)
                    t = t[t.sum(axis=1) > 0][:, t[t.sum(axis=1) > 0].sum(axis=0) > 0]
                    if min(t.shape) < 2:
                        continue
                    start = time.process_time()
                    try:
                        fisher_exact(t, max_tables=cap)
                        status = "answered"
                    except ValueError:
                        status = "refused (work cap)"
                    rows.append(
                        {
                            "dim": f"{r}x{c}",
                            "n": n,
                            "shape": shape,
                            "cpu_seconds": round(time.process_time() - start, 3),
                            "status": status,
                        }
                    )
    return pd.DataFrame(rows)


def main() -> None:
    """Print both tables and the share of random tables answered within 1 s."""
    print("fisher_exact vs R fisher.test on the parity tables")
    print(against_r().to_string(index=False))
    s = sweep()
    ok = (s["status"] == "answered") & (s["cpu_seconds"] <= 1)
    print("\nRandom tables up to 5x5, n <= 500")
    print(s.to_string(index=False))
    print(f"\nanswered within 1 s: {ok.sum()}/{len(s)}")


if __name__ == "__main__":
    main()
