"""The covariates-given-times phase alone, on the committed seed-1 wudhikarn2021 cohort.

With the committed times held fixed, runs ``search._solve_groups`` (aimed swaps,
exhaustive where small) once and reports the printed parts met before and after
(all 191, and the 116 of Table 2 and Table 3's univariate HRs), the CPU time, and
checks that no part met before is lost and that no time column moved.

Run: ``.venv/bin/python benchmarks/bench_covariates.py`` (not part of ``make bench``).
"""

from __future__ import annotations

import time

import numpy as np

from carbook.reconstruct.proofs import proofs
from carbook.reconstruct.run import load_cohort
from carbook.reconstruct.search import _solve_groups
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import Evaluator, inconsistent_p_targets
from carbook.studies.wudhikarn2021.model import build

STUDY = "wudhikarn2021"
TIMES = ["t_rr", "t_last", "t_post", "dead"]


def main(seed: int = 1, n_iter: int = 1500) -> None:
    """Solve the HR groups of the committed cohort with its times fixed; print the counts."""
    spec = load_spec(STUDY)
    cohort = load_cohort(STUDY, seed)
    cohort["stratum"] = np.where(cohort["progressed"] == 1, "progressed", "not_progressed")
    model = build(spec, np.random.default_rng(seed))[1]
    excluded = proofs(spec.targets, cohort, model.endpoints)
    ev = Evaluator(spec.targets, model.endpoints, excluded, inconsistent_p_targets(spec.targets))
    uni = {t.claim for t in spec.targets if t.kind == "cox_hr" and t.claim[:3] in ("t2_", "t3_")}
    times = cohort[TIMES].copy()
    before = ev.report(cohort)
    start = time.process_time()
    _solve_groups(spec, model, cohort, np.random.default_rng(0), n_iter, 0.5)
    cpu = time.process_time() - start
    after = ev.report(cohort)
    u = before["claim"].isin(uni)
    print(
        f"seed {seed}: all parts {before['within'].sum()} -> {after['within'].sum()} of "
        f"{len(before)}; univariate HR parts {before.loc[u, 'within'].sum()} -> "
        f"{after.loc[u, 'within'].sum()} of {u.sum()}; {cpu:.1f} s CPU"
    )
    lost = before["within"] & ~after["within"]
    print("parts lost:", before.loc[lost, ["claim", "part"]].values.tolist())
    print("times unchanged:", cohort[TIMES].equals(times))


if __name__ == "__main__":
    main()
