"""Copied next to the generated notebooks by ``make nbval`` (see the Makefile).

nbval starts one kernel per notebook and gives up after one failed start
("Kernel didn't respond in 60 seconds"); every cell of that notebook then errors
without running. With two xdist workers starting kernels at once this happened once
on this machine (CI of b7cd93b: wudhikarn2021_survival, 39 cells, kernel stderr
discarded by nbval), while the same notebooks passed before and after. A failed
*start* is retried (twice, said on stderr); a cell that fails still fails.
"""

import sys

import nbval.kernel

_start = nbval.kernel.start_new_kernel


def _start_with_retry(*args, **kwargs):
    for attempt in (1, 2, 3):
        try:
            return _start(*args, **kwargs)
        except RuntimeError as err:
            if attempt == 3:
                raise
            print(f"nbval: kernel start failed ({err}); retrying", file=sys.stderr)
    raise AssertionError("unreachable")


nbval.kernel.start_new_kernel = _start_with_retry
