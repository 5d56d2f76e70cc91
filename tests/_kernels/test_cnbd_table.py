"""The (M)BG/CNBD-k entries of the comparison table: the kernels agree with the plain reference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.reference.cnbd import COMPARISONS

PARAMS = (0.85, 1.45, 0.79, 2.42)  # r, α, a, b


def histories(seed: int, n: int = 5) -> list[tuple[int, float, float, float]]:
    """(x, t_x, T, litt) per customer; the first has no repeat purchase, the second bought at T."""
    rng = np.random.default_rng(seed)
    rows = [(0, 0.0, 30.0, 0.0), (3, 25.0, 25.0, 3 * math.log(25.0 / 3))]
    for _ in range(n - 2):
        T = float(rng.uniform(5.0, 60.0))
        x = int(rng.poisson(3.0))
        t_x = float(rng.uniform(0.05, 0.95) * T) if x else 0.0
        rows.append((x, t_x, T, x * math.log(t_x / x) if x else 0.0))
    return rows


def agree(name: str, *args: float) -> None:
    entry = COMPARISONS[name]
    assert entry["numba"](*args) == pytest.approx(entry["python"](*args), rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("shift", [0, 1])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_customer_kernels_match_reference(k: int, shift: int) -> None:
    for x, t_x, T, litt in histories(10 * k + shift):
        agree("cnbd_loglik", k, *PARAMS, shift, x, t_x, T, litt)
        agree("cnbd_p_alive", k, *PARAMS, shift, x, t_x, T)
        for t in (4.0, 26.0):
            agree("cnbd_conditional", k, *PARAMS, shift, t, x, t_x, T)
            agree("cnbd_exact_conditional", k, *PARAMS, shift, t, x, t_x, T)
        for n in range(3):
            agree("cnbd_conditional_pmf", k, *PARAMS, shift, 13.0, x, t_x, T, n)


@pytest.mark.parametrize("shift", [0, 1])
@pytest.mark.parametrize("k", [1, 3])
def test_new_customer_kernels_match_reference(k: int, shift: int) -> None:
    for n in range(5):
        agree("cnbd_pmf", k, *PARAMS, shift, 7.0, n)
    agree("cnbd_unconditional", k, *PARAMS, shift, 7.0, 300)


@pytest.mark.parametrize("shift", [0, 1])
def test_exact_conditional_reference_is_the_approximation_at_k_1(shift: int) -> None:
    # with k = 1 the Erlang gaps are exponential and the BG/NBD formula is exact
    exact = COMPARISONS["cnbd_exact_conditional"]["python"]
    approximate = COMPARISONS["cnbd_conditional"]["python"]
    for x, t_x, T, _ in histories(7):
        want = approximate(1, *PARAMS, shift, 10.0, x, t_x, T)
        assert exact(1, *PARAMS, shift, 10.0, x, t_x, T) == pytest.approx(want, rel=1e-12)
