"""Wall time to calibrate the wudhikarn2021 cohort, against the issue's 60 s goal.

Baseline: the goal itself (60 s on one core of this machine for the default
budget). Also reports the cost of one evaluation of all targets, the unit the
search spends its time on. The ratio is taken on CPU seconds of this process
(``time.process_time``): on a machine shared with other jobs the wall time also
counts their turns on the cores.

Measured by ``time.process_time`` around ``reconstruct`` (seed 1, one process, the
machine shared with three other jobs): 109.6 s CPU before the issue-10 part-2
speed-ups (validated data files cached by content, each kind of covariate column
fitted once in the hazard-ratio phase, Newton steps on moving columns only, cheaper
change checks), 69.1 s after; seed 2 86.9 -> 56.5 s. Every committed cohort
regenerates byte-identical.

Issue-10 part 3 (pure speed, same bytes): the Evaluator remembers each target's
values for its last input states and every fit by the values of the arrays fitted
(a rejected move's undone state, or a move outside a fit's population, no longer
refits), univariate Cox batches refit only the columns that moved
(``reconstruct/coxcolumns.py``), Cox targets read their row of the batch's Wald
table, and ``efron_terms`` sums its three terms side by side. Measured back to back
on this machine (load average about 1): seed 1 65.9 -> 45.8 s CPU (ratio 1.10 ->
0.76 of the goal), seed 2 61.2 -> 42.5 s; Cox batch fits per seed-1 run 18,869 ->
9,065, Efron evaluations 116,185 -> 53,745. The wudhikarn2021 seed-1 and
seed-2 and the zhang2021 and xu2023 seed-1 cohorts regenerate byte-identical
(``cmp``). CPU seconds on a shared machine vary by a third with the other jobs'
load: compare runs made back to back.

Issue-10 part 4 adds two deterministic phases at the end (a placement, then passes
over every single swap, at most ``budget`` swaps tried). With the first neighbours
(Table 1 swaps, flips, outcome and progression swaps), on a quiet machine: seed 1
38.0 s -> 58.1 s CPU (ratio 0.63 -> 0.97), 124 -> 129 printed numbers met. With the
wider neighbours (nudges, interior steps, CD19 and site swaps: 133 met), measured back
to back with the session-start code on a machine then running about 1.5 times slower
(one full evaluation 15.8 ms, against 9.7 ms earlier): start code 55.7 s, this code
92.1 s. Scaled to the quiet machine, about 63 s: ratio about 1.05, just over the goal.
Stopping after one full pass would save about a third of the swap time and lose the
partial second pass's gains (seeds 2-4: +1, +1, +2 printed numbers).

Issue-10 part 5 (the CR rule of ``post.cr_min_post`` and the CR exchanges of the
every-swap pass), measured back to back with the session-start code (35672c1, run from a
worktree with ``PYTHONPATH`` set to it) on a machine then about 1.35 times slower than
the quiet one (one full evaluation 12.9-13.6 ms): start 84.3 s CPU (133 met), this code
87.9 s (130 met: the CR rule changes the random stream). Scaled, both about 63 s: the
ratio stays about 1.05. A worktree alone is not enough: the virtual environment's
editable install imports ``carbook`` from the main checkout.

Issue-10 part 6 (2026-12-02; start witness with the time-to-progression window,
``poststart.TTR``), on a quiet machine (one full evaluation 11.6 ms): seed 1 54.7 s CPU,
ratio 0.91 of the goal, 133/191 met. The code before it (937b9ce) measured the same
day at 13.5 ms per evaluation: 60.0 s, ratio 1.00, 130 met. A 20-seed ensemble with
``--jobs 2`` took 10 min 51 s wall (1194 s user CPU, 60 s a cohort) for 937b9ce.

Issue-10 part 7 (2026-12-02, another machine: AMD EPYC, OpenBLAS SkylakeX kernels).
Measured back to back, from worktrees with ``PYTHONPATH`` set: efa018f 47.7 s CPU
(ratio 0.80, 133 met, 8.5 ms per evaluation); 0b42cfa, the Cox fits without BLAS,
51.0 s (0.85, 133 met); the annealing walk of the last hazard-ratio phase, 60.6 s
(1.01, 136 met). A second pair, the machine slower by then (10.9-11.4 ms per
evaluation): 0b42cfa 59.0 s (0.98), the walk 60.9 s (1.01). Timed phase by phase in
one run each (``time.process_time`` at each phase's end), the walk adds about 3 s to
the last hazard-ratio phase (3.6 -> 6.5 s); the other phases cost the same. A
20-seed ensemble with ``--jobs 2`` took 9 min 52 s wall (1107 s user CPU) with the
walk, 9 min 45 s (963 s) without.

Then numpy's AVX-512 exp and log were switched off (``NPY_DISABLE_CPU_FEATURES``, set
by the Makefile and ``python -m carbook``; carbook/_cpu.py), which moves seed 1 to 135
met. Back to back, both with that setting, the machine's speed drifting (9.3-13.8 ms
per evaluation): 0b42cfa 63.8 and 56.6 s CPU (132 met), 0e816c7 65.9 and 52.3 s
(ratios 1.10 and 0.87; 135 met); ``make bench`` just before gave 71.1 s at 14.0 ms.
On this machine the run-to-run spread is larger than the walk's cost, and one
evaluation took the same time with numpy's AVX-512 maths on and off (10.4-13.2 ms
either way, three runs of 200 each). 20 seeds with ``--jobs 2``: 10 min 54 s wall,
1087 s user CPU.

Issue-10 part 8 (2026-12-02, another machine: AMD EPYC family 25, no AVX-512, about
twice as slow: 22.6-23.4 ms per evaluation). Back to back, 8c79e06 from a worktree
with ``PYTHONPATH`` set, then the blasts placement (``reconstruct/rankplace.py``) and
blasts swaps: 122.8 s CPU (ratio 2.05, 135 met), then 125.6 s (2.09, 138 met). The
placement's 600 draws cost about 4.5 s alone (timed on the committed cohort); the swap
passes stay within their budget. 20 seeds with ``--jobs 2``: 21 min 8 s wall, 2447 s
user CPU.

Issue-10 part 9 (2026-12-03, Intel Xeon with AVX-512, 2 cores; 6.1-6.2 ms per
evaluation). Back to back, the placements of 0/1 covariates on nested populations
(``reconstruct/nestedplace.py``) off (47d60ce's model) and on: 41.7 s CPU (ratio 0.70,
136 met), then 49.1 s (0.82, 144 met). 20 seeds with ``--jobs 2``: 9 min 15 s wall,
959 s user CPU. Then the walks over the corticosteroid columns
(``reconstruct/blockplace.py``): 50.4 s CPU (0.84, 150 met; 5.7 ms per evaluation);
20 seeds: 9 min 46 s wall, 1012 s user CPU.

Issue-10 part 10 (2026-12-03, the same machine running about 1.6 times slower: 9.2-9.3
ms per evaluation). Back to back, ddef355 from a fresh clone with its own virtual
environment, then the joint descents of ``nestedplace`` (age over 40 and Ph placed,
the lines swap placement): 77.4 s CPU (150 met), then 83.7 s (151 met), 8% more.
Scaled by the evaluation time to the earlier 5.7 ms, about 54 s: ratio about 0.9.
20 seeds with ``--jobs 2``: 15 min 29 s wall, 1604 s user CPU (the first minutes
shared with two orphaned workers of a cancelled run; not comparable with the above).
With the burden and ICANS swap placements: 20 seeds in 17 min 45 s wall, 1,344 s user
CPU (the first 12 minutes shared the two cores with a CI run). The machine was quick
again after it; back to back, 7438fb6 (fresh clone) 59.3 s CPU at 6.7 ms per
evaluation, then this code 59.7 s at 5.9 ms: ratio 0.99 of the goal, 151 met.

Issue-10 part 11 (2026-12-03, the same machine, 6.3-7.9 ms per evaluation). Table
5's first-infusion CRS and ICANS held as facts, and the 12 given blinatumomab or
inotuzumab pinned to start-witness records (``exposed.py``: about 0.2 s a cohort once
its 738 choices are cached, 0.5 s before). Back to back with 7132287 (a worktree,
``PYTHONPATH`` set) while the machine was slow: 70.1 s CPU at 7.09 ms (ratio 1.17,
151 met), then this code's first version 68.2 s at 7.18 ms (1.14, 156 met). Quicker
later, with the final code: 7132287 64.1 s (1.07, 151 met), this code 63.4 s at 6.52
ms (1.06, 152 met) and 66.6 s at 6.28 ms (1.11). The code costs about what it did;
at this machine's speed today the 60 s goal is missed by 6-11%. 20 seeds with
``--jobs 2``: 10 min 44 s wall, 1,234 s user CPU.

Issue-10 part 12 (2026-12-03, the same machine, 6.1-6.6 ms per evaluation). Prior
blinatumomab and inotuzumab as one column (Table 4's 12 and Table 1's footnote kept
as facts) and its placement (``levelplace``, about 1 s a cohort). Back to back with
430e428 (a worktree, ``PYTHONPATH`` set): 430e428 63.4 s CPU (ratio 1.06, 152 met),
this code 55.7 s (0.93, 159 met; met counts of SYNTHETIC cohorts); again in the other
order, this code 54.7 s (0.91), 430e428 63.6 s (1.06). Where the 8-9 s went was not
isolated (one column of four levels in place of two 0/1 columns changes the
every-swap pass's swaps and the search's path). 20 seeds with ``--jobs 2``: 10 min
34 s wall, 1,248 s user CPU. Then ``nestedplace.inner_solutions`` stopped refitting
the arrangement it had just scored (the same cohorts, byte for byte): back to back,
this code 47.0 s CPU at 6.31 ms per evaluation (ratio 0.78, 159 met), 430e428 59.9 s
at 6.53 ms (1.00, 152 met). A profile of the seed-1 calibration (``cProfile``, 76 s
with its overhead): the every-swap pass 24 s (its second pass reaches the 12,000-swap
cap after 4,898 swaps, none kept; run on to 30,000, seed 1 gains one part and seed 2
none), the placements 25 s (nested 9, the three steroid walks 8, CD19 4), the
annealing phases 20 s. With the dose's median built untied (``split_median``; a
new path for the stream): this code 41.1 s CPU (ratio 0.69, 158 met), then 430e428
54.5 s (0.91, 152 met) back to back, the machine quicker than before. 20 seeds with
``--jobs 2``: 7 min 40 s wall, 895 s user CPU.

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
        ev.achieved_full(cohort)  # every target afresh (the search recomputes changed ones)
    per_eval_ms = (time.perf_counter() - start) / 200 * 1000

    start, cpu_start = time.perf_counter(), time.process_time()
    _, report = reconstruct("wudhikarn2021", seed=1, budget=BUDGET, progress=False)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    met = int(report["within"].sum())
    print("Calibration of the wudhikarn2021 synthetic cohort (seed 1)")
    print(f"  one full evaluation of {len(ev.parts)} printed numbers: {per_eval_ms:.2f} ms")
    print(
        f"  budget {BUDGET} iterations: {cpu:.1f} s CPU, {wall:.1f} s wall (goal {GOAL_S:.0f} s; "
        f"ratio {cpu / GOAL_S:.2f} of the goal); {met}/{len(report)} printed numbers met"
    )


if __name__ == "__main__":
    main()
