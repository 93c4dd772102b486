"""numpy's maths the same on every x86-64 CPU: AVX-512 exp and log switched off.

numpy 2.4 computes float64 ``exp``, ``log``, ``log1p`` and ``expm1`` with its own
AVX-512 code on CPUs that have it, and with the C library elsewhere; the two round
differently in the last bit (measured on 10^6 random arguments: every hash of the
four differs, while sums, cumulative sums and ``reduceat`` agree). A calibration that
compares such numbers can take another path, so a committed cohort would regenerate
only on machines like the one that made it. numpy reads ``NPY_DISABLE_CPU_FEATURES``
once, when it is imported; :func:`portable_numpy` sets it for processes that import
carbook before numpy (``python -m carbook``, and the ensemble's workers, which inherit
it), and the Makefile exports it for the tests. Features a CPU lacks are ignored.
With BLAS out of the Cox fits (:mod:`carbook.survival.portable`), this is what makes a
seed's cohort the same bytes on any x86-64 machine.

This module imports no numpy, so that it can run before numpy is imported.
"""

from __future__ import annotations

import os
import sys

__all__ = ["DISABLE", "avx512_maths", "portable_numpy"]

#: numpy 2.4's names for the AVX-512 feature groups (also in the Makefile)
DISABLE = "X86_V4 AVX512_ICL AVX512_SPR"


def portable_numpy() -> bool:
    """Ask numpy, not yet imported, to leave out its AVX-512 maths; True if in time.

    Features already listed in ``NPY_DISABLE_CPU_FEATURES`` are kept.
    """
    if "numpy" in sys.modules:
        return False
    have = os.environ.get("NPY_DISABLE_CPU_FEATURES", "").split()
    os.environ["NPY_DISABLE_CPU_FEATURES"] = " ".join(
        have + [f for f in DISABLE.split() if f not in have]
    )
    return True


def avx512_maths() -> bool:
    """True if this process's numpy runs its AVX-512 maths (cohorts may then differ).

    Examples
    --------
    >>> isinstance(avx512_maths(), bool)
    True
    """
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # another numpy layout: nothing to tell
        return False
    if "X86_V4" in __cpu_features__:  # numpy 2.4's group, which its dispatch follows
        return bool(__cpu_features__["X86_V4"])
    return bool(__cpu_features__.get("AVX512F"))
