"""carbook.survival.portable: LAPACK's answers, and the same bits whatever BLAS kernel runs.

OpenBLAS chooses its kernel from the CPU; ``OPENBLAS_CORETYPE`` forces one, which is
how these tests play three machines on one. Before the Cox fits used ``portable``,
the committed seed-1 wudhikarn2021 cohort came out different on another machine
(and under SkylakeX, Haswell and Sandybridge here), and its regeneration test failed.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbook._cpu import DISABLE
from carbook.survival import portable

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


def _spd(n: int, values: list[float]) -> np.ndarray:
    a = np.array(values[: n * n]).reshape(n, n)
    return a @ a.T + n * np.eye(n)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.integers(1, 6), st.lists(finite, min_size=42, max_size=42))
def test_solve_inv_cholesky_agree_with_lapack(n, values):
    a = _spd(n, values)
    b = np.array(values[-n:])
    np.testing.assert_allclose(portable.solve(a, b), np.linalg.solve(a, b), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(portable.inv(a), np.linalg.inv(a), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(portable.cholesky(a), np.linalg.cholesky(a), rtol=1e-9, atol=1e-9)
    assert portable.quad(b, a) == pytest.approx(float(b @ a @ b), rel=1e-12)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.integers(1, 6), st.lists(finite, min_size=42, max_size=42))
def test_general_matrices_need_pivoting_and_agree_with_lapack(n, values):
    a = np.array(values[: n * n]).reshape(n, n) + np.diag(np.arange(n) * 1e-3)
    if np.linalg.cond(a) > 1e8:  # near-singular: both answers are rounding noise
        return
    b = np.array(values[-n:])
    np.testing.assert_allclose(portable.solve(a, b), np.linalg.solve(a, b), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(portable.inv(a), np.linalg.inv(a), rtol=1e-6, atol=1e-9)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.integers(1, 5), st.lists(finite, min_size=60, max_size=60))
def test_matvec_and_dot_agree_with_blas(p, values):
    x = np.array(values[: 10 * p]).reshape(10, p)
    b = np.array(values[-p:])
    np.testing.assert_allclose(portable.matvec(x, b), x @ b, rtol=1e-12, atol=1e-9)
    assert portable.dot(x[:, 0], x[:, 0]) == pytest.approx(float(x[:, 0] @ x[:, 0]), rel=1e-12)


def test_solve_needs_pivoting_and_takes_several_right_hand_sides():
    a = np.array([[0.0, 1.0], [1.0, 0.0]])  # a zero first pivot: rows must swap
    assert portable.solve(a, np.array([2.0, 3.0])).tolist() == [3.0, 2.0]
    assert portable.solve(a, np.eye(2)).tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_singular_and_indefinite_matrices_raise_as_numpy():
    with pytest.raises(np.linalg.LinAlgError, match="Singular"):
        portable.solve(np.ones((2, 2)), np.ones(2))
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        portable.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        portable.cholesky(np.array([[np.nan]]))


def test_overflow_and_empty_matrices_give_numpys_answers():
    assert portable.dot(np.array([1e308, 1e308]), np.ones(2)) == np.inf
    assert np.isnan(portable.dot(np.array([np.inf, -np.inf]), np.ones(2)))
    assert portable.inv(np.zeros((0, 0))).shape == (0, 0)
    assert portable.cholesky(np.zeros((0, 0))).shape == (0, 0)
    assert portable.solve(np.zeros((0, 0)), np.zeros(0)).shape == (0,)


@pytest.mark.parametrize(
    ("call", "args", "message"),
    [
        (portable.solve, (np.ones((2, 3)), np.ones(2)), "solve: a must be a square matrix"),
        (portable.solve, (np.eye(2), np.arange(4.0)), "solve: b of shape"),
        (portable.solve, (np.eye(2), np.ones((1, 2))), "solve: b of shape"),
        (portable.inv, (np.ones(3),), "inv: a must be a square matrix"),
        (portable.matvec, (np.ones((3, 2)), np.ones(3)), "matvec: shapes"),
        (portable.dot, (np.ones(3), np.ones(2)), "dot: shapes"),
    ],
)
def test_bad_shapes_raise_value_errors_naming_the_function(call, args, message):
    with pytest.raises(ValueError, match=message):
        call(*args)


# A multivariable Cox fit, printed to the last bit, next to the same products through
# BLAS (which show that the forced kernels really differ). carbook is imported first,
# as by python -m carbook, which switches numpy's AVX-512 maths off (carbook._cpu).
_FIT = textwrap.dedent(
    """
    from carbook._cpu import portable_numpy
    assert portable_numpy()
    import numpy as np
    from carbook.survival import cox_multi_arrays
    rng = np.random.default_rng(7)
    n = 300
    x = np.column_stack([rng.normal(50, 12, n), rng.integers(0, 2, n), rng.gamma(2, 30, n)])
    t = np.round(rng.exponential(20, n) * np.exp(-0.01 * x[:, 0]), 1)
    e = (rng.random(n) < 0.7).astype(float)
    beta, info = cox_multi_arrays(t, e, x)
    w = rng.normal(size=(n, 3))
    print(repr(beta.tolist()), repr(info.ravel().tolist()))
    print("blas", repr((w @ beta).tolist()), repr(np.linalg.inv(info).ravel().tolist()))
    """
)


def _run(core: str, disable: str = "") -> tuple[str, str]:
    env = {**os.environ, "OPENBLAS_CORETYPE": core, "NPY_DISABLE_CPU_FEATURES": disable}
    out = subprocess.run(
        [sys.executable, "-c", _FIT], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return out[0], out[1]


@pytest.mark.skipif(platform.machine() != "x86_64", reason="OpenBLAS x86-64 kernels")
def test_cox_fits_are_bit_identical_under_different_blas_kernels_and_simd():
    """Three BLAS kernels, and numpy without AVX2 as on an older CPU."""
    runs = {core: _run(core) for core in ("Haswell", "Sandybridge", "Prescott")}
    runs["no AVX2"] = _run("Haswell", "X86_V3")
    ours = {fit for fit, _ in runs.values()}
    blas = {raw for _, raw in runs.values()}
    if len(blas) == 1:
        pytest.skip("the forced OpenBLAS kernels give identical bits here: nothing to compare")
    assert len(ours) == 1, runs


def test_the_command_line_switches_numpys_avx512_maths_off():
    code = (
        "import carbook.__main__\n"
        "from carbook._cpu import avx512_maths\n"
        "import os\n"
        "print(avx512_maths(), os.environ['NPY_DISABLE_CPU_FEATURES'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", *DISABLE.split()]


def test_portable_numpy_keeps_features_already_disabled_and_is_late_after_numpy():
    code = (
        "from carbook._cpu import portable_numpy\n"
        "import os\n"
        "first = portable_numpy()\n"
        "import numpy\n"
        "print(first, portable_numpy(), os.environ['NPY_DISABLE_CPU_FEATURES'])"
    )
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": "AVX512_SPR X86_V3"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "False", "AVX512_SPR", "X86_V3", "X86_V4", "AVX512_ICL"]
