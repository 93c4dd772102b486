"""Fisher's exact P of an r×c table in exact integer arithmetic (a one-off check).

Independent of ``carbook.tables.fisher`` (no import from carbook, no floating point
in the sum): written to settle s52_3x5_n200_balanced of the sweep, where
carbook's P and R's (``fisher.test(x, workspace = 2e8)``) differ by 1.6e-10
relative.

A table with margins R_i, C_j has probability ``prod R_i! / N! * W`` with
``W = prod_j C_j! / prod_i x_ij!``, a product of multinomial coefficients, so
``W`` is an integer and the P value is ``prod R_i! / N! * sum W`` over the tables
with ``W <= T``. The sum is a network walk column by column in Python integers:
a node is the sorted row remainders, its pasts are a dict {W so far: number of
paths}, merged only when equal; the least and the largest completion ``W`` of a
node are computed exactly by exhaustive memoized recursion (no relaxation), and
the summed ``W`` of all completions of a node is ``N'! / prod r_i!``. A past
whose every completion has ``W <= T`` adds that sum at once; one whose least
completion exceeds ``T`` is dropped; the others go one column further. Every
comparison is between integers, so the result is exact.

"As or more extreme" in R's FEXACT: ``log P <= log P_obs + 3.45254e-7``. The sum
is computed at ``T = W_obs`` and at ``T = floor(W_obs * (1 + 3.46e-7))`` (>
``W_obs * exp(3.45254e-7)``); when both give the same sum, no table lies in
between and the P value does not depend on where in that band the cut falls.

Run: ``.venv/bin/python benchmarks/fisher_exact_integer.py`` (writes
``tests/fixtures/fisher_exact_integer.csv``; a few CPU minutes).
"""

from __future__ import annotations

import bisect
import math
import sys
import time
from collections import defaultdict
from fractions import Fraction
from functools import cache
from pathlib import Path

FIX = Path(__file__).parents[1] / "tests" / "fixtures"
CASES = ("s52_3x5_n200_balanced", "s58_4x4_n100_balanced")


@cache
def _fact(k: int) -> int:
    return math.factorial(k)


def _multinom(total: int, parts: tuple[int, ...]) -> int:
    out = _fact(total)
    for p in parts:
        out //= _fact(p)
    return out


@cache
def _fills(total: int, caps: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Every tuple 0 <= v <= caps with sum ``total``."""
    if len(caps) == 1:
        return ((total,),) if total <= caps[0] else ()
    rest = sum(caps[1:])
    out = []
    for v in range(max(0, total - rest), min(caps[0], total) + 1):
        out.extend((v, *tail) for tail in _fills(total - v, caps[1:]))
    return tuple(out)


class ExactFisher:
    """The exact sum of ``W`` over the tables with given margins and ``W <= T``."""

    def __init__(self, rows: tuple[int, ...], cols: tuple[int, ...]) -> None:
        self.rows, self.cols = rows, cols

    @cache  # noqa: B019 - one-off script, instances live for the run
    def extremes(self, node: tuple[int, ...], j: int) -> tuple[int, int]:
        """(least, largest) completion ``W`` from column ``j`` of a node, exhaustively."""
        if j == len(self.cols) - 1:
            w = _multinom(self.cols[j], node)
            return w, w
        lo = hi = None
        for f in _fills(self.cols[j], node):
            m = _multinom(self.cols[j], f)
            a, b = self.extremes(tuple(sorted(r - x for r, x in zip(node, f, strict=True))), j + 1)
            lo = m * a if lo is None else min(lo, m * a)
            hi = m * b if hi is None else max(hi, m * b)
        return lo, hi

    @staticmethod
    def completions(node: tuple[int, ...]) -> int:
        """Summed ``W`` of every completion of a node: ``N'! / prod r_i!``."""
        return _multinom(sum(node), node)

    def total(self, threshold: int) -> tuple[int, int]:
        """(sum of ``W`` over tables with ``W <= threshold``, past paths expanded)."""
        stage = {tuple(sorted(self.rows)): {1: 1}}
        acc, opened = 0, 0
        last = len(self.cols) - 1
        for j, col in enumerate(self.cols):
            new: dict = defaultdict(lambda: defaultdict(int))
            for node, pasts in stage.items():
                ws = sorted(pasts)
                pref = [0]
                for w in ws:
                    pref.append(pref[-1] + w * pasts[w])
                for f in _fills(col, node):
                    m = _multinom(col, f)
                    child = tuple(sorted(r - x for r, x in zip(node, f, strict=True)))
                    lo, hi = (1, 1) if j == last else self.extremes(child, j + 1)
                    tot = 1 if j == last else self.completions(child)
                    k_in = bisect.bisect_right(ws, threshold // (m * hi))
                    k_out = bisect.bisect_right(ws, threshold // (m * lo))
                    acc += pref[k_in] * m * tot
                    for w in ws[k_in:k_out]:
                        new[child][w * m] += pasts[w]
                    opened += k_out - k_in
            stage = new
        assert not stage  # the last column is forced: nothing left open
        return acc, opened


def exact_p(cells: list[list[int]]) -> tuple[Fraction, dict]:
    """Exact P (a Fraction) of R's FEXACT rule, and what the run measured."""
    rows = tuple(sum(r) for r in cells)
    cols = tuple(sum(c) for c in zip(*cells, strict=True))
    n = sum(rows)
    w_obs = 1
    for j, c in enumerate(cols):
        w_obs *= _multinom(c, tuple(r[j] for r in cells))
    net = ExactFisher(rows, cols)
    start = time.process_time()
    s_tie, opened = net.total(w_obs)
    s_band, _ = net.total(w_obs * 1_000_000_346 // 1_000_000_000)
    scale = Fraction(math.prod(_fact(r) for r in rows), _fact(n))
    info = {
        "band_empty": s_tie == s_band,
        "opened": opened,
        "cpu_s": round(time.process_time() - start, 1),
    }
    return scale * s_tie, info


def main() -> None:
    """Exact P of the cases; write the fixture."""
    import csv

    with open(FIX / "fisher_sweep_tables.csv") as fh:
        tabs = {r["table"]: r for r in csv.DictReader(fh)}
    names = sys.argv[1:] or list(CASES)
    out = []
    for name in names:
        r = tabs[name]
        v = [int(x) for x in r["cells"].split()]
        nr, nc = int(r["nrow"]), int(r["ncol"])
        cells = [v[i * nc : (i + 1) * nc] for i in range(nr)]
        p, info = exact_p(cells)
        digits = f"{p.numerator * 10**40 // p.denominator}"
        p_str = f"0.{digits.zfill(40)}"
        print(name, p_str, info, flush=True)
        out.append(
            {
                "table": name,
                "p_exact_40_digits": p_str,
                "band_empty": info["band_empty"],
                "past_paths_opened": info["opened"],
                "cpu_seconds": info["cpu_s"],
                "call": f"benchmarks/fisher_exact_integer.py {name} (Python ints, exact)",
            }
        )
    with open(FIX / "fisher_exact_integer.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]))
        w.writeheader()
        w.writerows(out)


if __name__ == "__main__":
    main()
