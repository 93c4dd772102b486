"""Batch univariate Cox screen vs looping lifelines CoxPHFitter.

Baseline: lifelines 0.30.3 ``CoxPHFitter().fit`` once per covariate (Efron ties),
which is how a fellow would write the screen. Reports the wall-time ratio, the
largest disagreement in coefficients, and the smallest log-likelihood gain of the
batch fit over lifelines' fit (>= 0 means the batch fit is never worse). Goal
(issue 4): at least 50x faster, equal answers (|diff| <= 1e-6).

Where the coefficients differ by more than 1e-6 it is lifelines that stops early on
a nearly flat likelihood: the worst case of the 100-covariate screen was refitted
with R's ``coxph(..., control = coxph.control(eps = 1e-12))``, which agrees with
``cox_batch`` to 2e-13 (see the issue note).

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_cox_screen.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter

from carbook.survival import cox_batch

LUNG = pd.read_csv(Path(__file__).parents[1] / "data" / "validation" / "lung.csv")


def _screen(n_cov: int, seed: int = 2021) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """A Table-2-sized screen: 56 patients, ``n_cov`` covariates (real times, lung data)."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(LUNG), 56, replace=False)
    d = LUNG.iloc[rows].reset_index(drop=True)
    x = pd.DataFrame({f"x{j}": rng.integers(0, 2, 56) for j in range(n_cov)})
    x["age"] = d["age"]
    return d["time"], d["status"], x


def _best_of(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print one row per screen size: times, ratio, agreement."""
    rows = []
    for n_cov in (19, 100):
        t, e, x = _screen(n_cov)
        data = x.assign(time=t, event=e)

        def loop(cols=x.columns, data=data) -> pd.DataFrame:
            fits = {
                c: CoxPHFitter().fit(
                    data[["time", "event", c]], "time", "event", fit_options={"precision": 1e-12}
                )
                for c in cols
            }
            return pd.DataFrame(
                {c: (f.params_[c], f.log_likelihood_) for c, f in fits.items()},
                index=["coef", "loglik"],
            ).T

        batch_s = _best_of(lambda t=t, e=e, x=x: cox_batch(t, e, x), repeat=20)
        loop_s = _best_of(loop, repeat=2)
        ours, theirs = cox_batch(t, e, x), loop()
        diff = (ours["coef"] - theirs["coef"]).abs().max()
        gain = (ours["loglik"] - theirs["loglik"]).min()
        rows.append(
            {
                "covariates": x.shape[1],
                "lifelines_loop_s": round(loop_s, 4),
                "cox_batch_s": round(batch_s, 5),
                "ratio": round(loop_s / batch_s, 1),
                "max_abs_coef_diff": f"{diff:.1e}",
                "min_loglik_gain": f"{gain:.1e}",
            }
        )
    print("Univariate Cox screen: carbook.survival.cox_batch vs a loop of lifelines CoxPHFitter")
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
