"""The cohort kernel agrees with its plain-Python and numpy references."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from tests.reference.cohorts import COMPARISONS

IMPLEMENTATIONS = COMPARISONS["cohort_cells"]


def _frozen(*arrays: np.ndarray) -> list[np.ndarray]:
    out = []
    for array in arrays:
        view = array.view()
        view.flags.writeable = False
        out.append(view)
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple:
    n_customers = draw(st.integers(1, 10))
    n = draw(st.integers(1, 60))
    ints = st.lists
    codes = np.array(draw(ints(st.integers(0, n_customers - 1), min_size=n, max_size=n)))
    periods = np.array(draw(ints(st.integers(-3, 30), min_size=n, max_size=n)))
    amounts = np.array(draw(ints(st.integers(0, 5000), min_size=n, max_size=n))) / 100.0
    margins = np.array(draw(ints(st.integers(-500, 500), min_size=n, max_size=n))) / 100.0
    n_cohorts = draw(st.integers(1, 4))
    acquisition = np.array(
        draw(ints(st.integers(-3, 30), min_size=n_customers, max_size=n_customers))
    )
    cohort = np.array(
        draw(ints(st.integers(-1, n_cohorts - 1), min_size=n_customers, max_size=n_customers))
    )
    n_offsets = draw(st.integers(1, 12))
    last_period = draw(st.integers(-3, 31))
    arrays = _frozen(
        codes.astype(np.int64),
        periods.astype(np.int64),
        amounts,
        margins,
        acquisition.astype(np.int64),
        cohort.astype(np.int64),
    )
    return (*arrays, n_cohorts, n_offsets, last_period)


@pytest.mark.parametrize("name", sorted(set(IMPLEMENTATIONS) - {"python"}))
@given(case=cases())
def test_agrees_with_python_reference(name: str, case: tuple) -> None:
    expected = IMPLEMENTATIONS["python"](*case)
    got = IMPLEMENTATIONS[name](*case)
    for want, have in zip(expected, got, strict=True):
        assert have.dtype == want.dtype
        assert have.shape == want.shape
        np.testing.assert_allclose(have, want, rtol=0, atol=1e-9)


def test_hand_checked_cells() -> None:
    # customers 0 and 1 in cohort 0 (acquired in period 10), customer 2 in cohort 1 (period 11);
    # customer 3 is left out (-1).
    codes = np.array([0, 0, 0, 1, 2, 2, 3, 1])
    periods = np.array([10, 10, 12, 11, 11, 12, 10, 13])
    amounts = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0])
    case = (
        *_frozen(
            codes,
            periods,
            amounts,
            amounts / 2,
            np.array([10, 10, 11, 10]),
            np.array([0, 0, 1, -1]),
        ),
        2,
        3,
        12,  # period 13 lies after the observation: customer 1's last order is ignored
    )
    active, revenue, margin = IMPLEMENTATIONS["numba"](*case)
    # cohort 0: offset 0 = customer 0 twice (counts once), offset 1 = customer 1,
    # offset 2 = customer 0; cohort 1: offsets 0 and 1 = customer 2.
    assert active.tolist() == [[1, 1, 1], [1, 1, 0]]
    assert revenue.tolist() == [[1.0 + 2.0, 8.0, 4.0], [16.0, 32.0, 0.0]]
    assert margin.tolist() == [[1.5, 4.0, 2.0], [8.0, 16.0, 0.0]]


def test_agrees_on_larger_input() -> None:
    rng = np.random.default_rng(5)
    n, m = 20_000, 3_000
    codes = rng.integers(0, m, n)
    acquisition = rng.integers(0, 20, m)
    periods = acquisition[codes] + rng.integers(0, 15, n)
    amounts = rng.random(n)
    cohort = acquisition // 4
    case = (*_frozen(codes, periods, amounts, -amounts, acquisition, cohort), 5, 10, 25)
    want = IMPLEMENTATIONS["python"](*case)
    for name in ("numba", "numpy"):
        for have, expected in zip(IMPLEMENTATIONS[name](*case), want, strict=True):
            np.testing.assert_allclose(have, expected, rtol=1e-12)


def test_inputs_not_mutated() -> None:
    codes = np.array([1, 0, 1, 0])
    periods = np.array([5, 3, 1, 3])
    amounts = np.array([1.0, 2.0, 3.0, 4.0])
    copies = [a.copy() for a in (codes, periods, amounts)]
    IMPLEMENTATIONS["numba"](
        codes, periods, amounts, amounts, np.array([1, 3]), np.array([0, 0]), 1, 5, 10
    )
    for original, copy in zip((codes, periods, amounts), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


def test_kernel_runs_as_plain_python() -> None:
    """With NUMBA_DISABLE_JIT=1 the kernel is ordinary Python (coverage, debugging)."""
    script = textwrap.dedent(
        """
        import numpy as np
        from ecomstrat._kernels.cohorts import cohort_cells
        from tests.reference.cohorts import cohort_cells_python
        rng = np.random.default_rng(0)
        case = (rng.integers(0, 5, 50), rng.integers(0, 30, 50), rng.random(50),
                rng.random(50), rng.integers(0, 10, 5), np.array([0, 1, -1, 1, 0]), 2, 8, 25)
        assert not hasattr(cohort_cells, "py_func")
        for a, b in zip(cohort_cells(*case), cohort_cells_python(*case)):
            np.testing.assert_allclose(a, b)
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
