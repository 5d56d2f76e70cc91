"""The lifecycle kernel agrees with its plain-Python and numpy references."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

from tests.reference.lifecycle import COMPARISONS

IMPLEMENTATIONS = COMPARISONS["stage_codes"]


def _readonly(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


@st.composite
def cases(draw: st.DrawFn) -> tuple[Any, ...]:
    n_customers = draw(st.integers(1, 10))
    n = draw(st.integers(1, 60))
    codes = np.array(draw(st.lists(st.integers(0, n_customers - 1), min_size=n, max_size=n)))
    days = np.array(draw(st.lists(st.integers(0, 400), min_size=n, max_size=n)))
    as_of = np.array(sorted(draw(st.lists(st.integers(-5, 420), min_size=1, max_size=4))))
    use_model = draw(st.booleans())
    model = np.array(
        draw(
            st.lists(
                st.booleans(), min_size=as_of.size * n_customers, max_size=as_of.size * n_customers
            )
        ),
        dtype=bool,
    ).reshape(as_of.size, n_customers)
    churn_after = float(draw(st.integers(1, 150)))
    new_window = float(draw(st.integers(1, int(churn_after))))
    reactivation = float(draw(st.integers(1, int(churn_after))))
    factor = draw(st.sampled_from([1.0, 1.5, 2.0, 3.0]))
    trend = draw(st.sampled_from([7.0, 30.0, 45.5, 90.0]))
    _readonly(codes, days, as_of, model)
    return (
        codes,
        days,
        n_customers,
        as_of,
        model,
        use_model,
        new_window,
        churn_after,
        reactivation,
        factor,
        trend,
    )


@pytest.mark.parametrize("name", sorted(set(IMPLEMENTATIONS) - {"python"}))
@given(case=cases())
def test_agrees_with_python_reference(name: str, case: tuple[Any, ...]) -> None:
    expected = IMPLEMENTATIONS["python"](*case)
    got = IMPLEMENTATIONS[name](*case)
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, expected)


def test_agrees_on_simulated_log() -> None:
    # A realistic log: 3,000 simulated customers staged at four dates by every implementation.
    from ecomstrat.datasets import simulate_transactions
    from ecomstrat.domain.time_unit import TimeUnit
    from ecomstrat.frames._time import period_index

    log = simulate_transactions(3_000, seed=5).log
    days = period_index(log.times, TimeUnit.DAY)
    as_of = np.array([int(days.min()) + 100 * k for k in range(1, 5)])
    empty = np.zeros((0, 0), dtype=bool)
    _readonly(days, as_of, empty)
    case = (log.customer_index, days, log.n_customers, as_of, empty, False)
    thresholds = (60.0, 200.0, 45.0, 2.0, 90.0)
    want = IMPLEMENTATIONS["python"](*case, *thresholds)
    for name in ("numba", "numba-parallel", "numpy"):
        np.testing.assert_array_equal(IMPLEMENTATIONS[name](*case, *thresholds), want)
    assert len(np.unique(want)) >= 5  # the data exercise most stages


def test_long_history_uses_sort_path() -> None:
    # One customer with 2,000 orders (> the insertion-sort size): same result as the reference.
    rng = np.random.default_rng(3)
    days = rng.integers(0, 3_000, 2_000)
    codes = np.zeros(2_000, dtype=np.int64)
    as_of = np.array([500, 1_500, 2_999, 5_000])
    empty = np.zeros((0, 0), dtype=bool)
    _readonly(days, codes, as_of, empty)
    args = (codes, days, 1, as_of, empty, False, 30.0, 400.0, 30.0, 2.0, 60.0)
    np.testing.assert_array_equal(IMPLEMENTATIONS["numba"](*args), IMPLEMENTATIONS["python"](*args))


def test_inputs_not_mutated() -> None:
    codes = np.array([1, 0, 1, 0])
    days = np.array([50, 30, 10, 30])
    copies = [codes.copy(), days.copy()]
    empty = np.zeros((0, 0), dtype=bool)
    IMPLEMENTATIONS["numba"](codes, days, 2, np.array([60]), empty, False, 5.0, 10.0, 5.0, 2.0, 7.0)
    np.testing.assert_array_equal(codes, copies[0])
    np.testing.assert_array_equal(days, copies[1])


def test_kernel_runs_as_plain_python() -> None:
    """With NUMBA_DISABLE_JIT=1 the kernel is ordinary Python (coverage, debugging)."""
    script = textwrap.dedent(
        """
        import numpy as np
        from ecomstrat._kernels.lifecycle import stage_codes
        from tests.reference.lifecycle import stage_codes_python
        rng = np.random.default_rng(0)
        case = (rng.integers(0, 6, 80), rng.integers(0, 300, 80), 6, np.array([100, 250, 310]),
                np.zeros((0, 0), dtype=bool), False, 20.0, 90.0, 20.0, 1.5, 30.0)
        np.testing.assert_array_equal(stage_codes(*case), stage_codes_python(*case))
        assert not hasattr(stage_codes, "py_func")
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
