"""Wall time to calibrate the wudhikarn2021 cohort, against the issue's 60 s goal.

Baseline: the goal itself (60 s on one core of this machine for the default
budget). Also reports the cost of one evaluation of all targets, the unit the
search spends its time on.

Run: ``make bench``.
"""

from __future__ import annotations

import time

import numpy as np

from carbook.reconstruct.engine import derive
from carbook.reconstruct.run import BUDGET
from carbook.reconstruct.spec import load_spec
from carbook.reconstruct.targets import Evaluator
from carbook.studies.models import reconstruct
from carbook.studies.wudhikarn2021 import model as wudhikarn2021

GOAL_S = 60.0


def main() -> None:
    """Print one evaluation's cost and the full calibration's wall time."""
    spec = load_spec("wudhikarn2021")
    cohort, model = wudhikarn2021.build(spec, np.random.default_rng(1))
    derive(spec, cohort)
    ev = Evaluator(spec.targets, model.endpoints)
    start = time.perf_counter()
    for _ in range(200):
        ev.loss(cohort)
    per_eval_ms = (time.perf_counter() - start) / 200 * 1000

    start = time.perf_counter()
    _, report = reconstruct("wudhikarn2021", seed=1, budget=BUDGET, progress=False)
    wall = time.perf_counter() - start
    met = int(report["within"].sum())
    print("Calibration of the wudhikarn2021 synthetic cohort (seed 1)")
    print(f"  one evaluation of {len(ev.parts)} printed numbers: {per_eval_ms:.2f} ms")
    print(
        f"  budget {BUDGET} iterations: {wall:.1f} s (goal {GOAL_S:.0f} s; ratio "
        f"{wall / GOAL_S:.2f} of the goal); {met}/{len(report)} printed numbers met"
    )


if __name__ == "__main__":
    main()
