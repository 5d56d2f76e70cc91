"""The RFM kernel agrees with its plain-Python and numpy references."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from tests.reference import COMPARISONS

IMPLEMENTATIONS = COMPARISONS["rfm_split"]


@st.composite
def logs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int, int]:
    n_customers = draw(st.integers(1, 12))
    n = draw(st.integers(1, 80))
    codes = np.array(draw(st.lists(st.integers(0, n_customers - 1), min_size=n, max_size=n)))
    periods = np.array(draw(st.lists(st.integers(-5, 60), min_size=n, max_size=n)))
    amounts = (
        np.array(draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n)), dtype=np.float64)
        / 100
    )
    calibration_end = draw(st.integers(-6, 61))
    observation_end = calibration_end + draw(st.integers(0, 20))
    return codes, periods, amounts, n_customers, calibration_end, observation_end


@pytest.mark.parametrize("name", sorted(set(IMPLEMENTATIONS) - {"python"}))
@given(case=logs())
def test_agrees_with_python_reference(name: str, case: tuple) -> None:
    expected = IMPLEMENTATIONS["python"](*case)
    got = IMPLEMENTATIONS[name](*case)
    for want, have in zip(expected, got, strict=True):
        assert have.dtype == want.dtype
        np.testing.assert_allclose(have, want, rtol=0, atol=1e-9)


def test_large_segment_uses_sort_path() -> None:
    # One customer with many orders exercises the argsort branch (> insertion-sort size).
    rng = np.random.default_rng(3)
    periods = rng.integers(0, 500, 5_000)
    codes = np.zeros(5_000, dtype=np.int64)
    amounts = rng.random(5_000)
    got = IMPLEMENTATIONS["numba"](codes, periods, amounts, 1, 300, 450)
    want = IMPLEMENTATIONS["python"](codes, periods, amounts, 1, 300, 450)
    for have, expected in zip(got, want, strict=True):
        np.testing.assert_allclose(have, expected, rtol=1e-12)
    assert got[0][0] == np.unique(periods[periods <= 300]).size


def test_inputs_not_mutated() -> None:
    codes = np.array([1, 0, 1, 0])
    periods = np.array([5, 3, 1, 3])
    amounts = np.array([1.0, 2.0, 3.0, 4.0])
    copies = [a.copy() for a in (codes, periods, amounts)]
    IMPLEMENTATIONS["numba"](codes, periods, amounts, 2, 10, 10)
    for original, copy in zip((codes, periods, amounts), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


def test_kernel_runs_as_plain_python() -> None:
    """With NUMBA_DISABLE_JIT=1 the kernel is ordinary Python (coverage, debugging)."""
    script = textwrap.dedent(
        """
        import numpy as np
        from ecomstrat._kernels.rfm import rfm_split
        from tests.reference import rfm_split_python
        rng = np.random.default_rng(0)
        case = (rng.integers(0, 5, 50), rng.integers(0, 30, 50), rng.random(50), 5, 20, 25)
        for a, b in zip(rfm_split(*case), rfm_split_python(*case)):
            np.testing.assert_allclose(a, b)
        assert not hasattr(rfm_split, "py_func")
        """
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
