"""The per-customer-parameter kernels (static covariates) agree with the plain references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat._kernels import covariates as kernels
from tests.reference.covariates import COMPARISONS

RTOL = 1e-10
PREDICTIONS = {
    "alive": kernels.ALIVE,
    "conditional": kernels.CONDITIONAL,
    "conditional_pmf": kernels.CONDITIONAL_PMF,
    "discounted": kernels.DISCOUNTED,
}


def close(got: np.ndarray, want: np.ndarray) -> None:
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-300)


def customers(seed: int, n: int = 6) -> dict[str, np.ndarray]:
    """Histories and per-customer parameters; row 0 bought at T, row 1 never repeated."""
    rng = np.random.default_rng(seed)
    T = rng.uniform(8.0, 60.0, n)
    x = rng.poisson(2.5, n).astype(float)
    x[0], x[1] = 4.0, 0.0
    t_x = np.where(x > 0, rng.uniform(0.05, 0.95, n) * T, 0.0)
    t_x[0] = T[0]
    return {
        "x": x,
        "t_x": t_x,
        "T": T,
        # α_i and β_i on both sides of each other (series and quadrature branches)
        "alpha": np.exp(rng.uniform(0.0, 3.5, n)),
        "beta": np.exp(rng.uniform(0.0, 3.5, n)),
        "a": np.exp(rng.uniform(-1.0, 1.0, n)),
        "b": np.exp(rng.uniform(-0.5, 2.0, n)),
        "n": rng.integers(0, 4, n).astype(float),
        "t": rng.uniform(1.0, 40.0, n),
    }


def head(model: str, c: dict[str, np.ndarray]) -> tuple[object, ...]:
    """The shared shapes and the per-customer parameter arrays of ``model``."""
    if model == "pnbd":
        return (0.55, 0.8, c["alpha"], c["beta"])
    return (0.55, c["alpha"], c["a"], c["b"])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("model", ["pnbd", "bgnbd"])
def test_loglik_terms_match_reference(model: str, seed: int) -> None:
    c = customers(seed)
    entry = COMPARISONS[f"covariate_{model}_loglik_terms"]
    args = (*head(model, c), c["x"], c["t_x"], c["T"])
    got, want = entry["numba"](*args), entry["python"](*args)
    assert got.shape == want.shape == (6, 6 if model == "pnbd" else 5)
    close(got, want)


@pytest.mark.parametrize("seed", [3, 4])
@pytest.mark.parametrize("kind", list(PREDICTIONS))
@pytest.mark.parametrize("model", ["pnbd", "bgnbd"])
def test_predictions_match_reference(model: str, kind: str, seed: int) -> None:
    c = customers(seed, n=4)
    entry = COMPARISONS[f"covariate_{model}_predict"]
    args = (PREDICTIONS[kind], *head(model, c), c["x"], c["t_x"], c["T"])
    horizons = (math.inf, 52.0) if kind == "discounted" else (math.inf,)
    for horizon in horizons:
        options = {"n": c["n"], "t": c["t"], "delta": 0.01, "horizon": horizon}
        close(entry["numba"](*args, **options), entry["python"](*args, **options))


@pytest.mark.parametrize("kind", [kernels.NEW_EXPECTED, kernels.NEW_PMF])
@pytest.mark.parametrize("model", ["pnbd", "bgnbd"])
def test_new_customer_match_reference(model: str, kind: int) -> None:
    c = customers(5, n=3)
    share = np.array([0.5, 0.3, 0.2])
    entry = COMPARISONS[f"covariate_{model}_new"]
    n, t = np.array([0.0, 1.0, 3.0]), np.array([0.0, 6.0, 30.0])
    args = (kind, *head(model, c), share, n, t)
    close(entry["numba"](*args), entry["python"](*args))


def test_hand_worked_bgnbd_rows() -> None:
    # Customer 0 never repeated: log L = r log(α/(α+T)) = 0.5 log(4/16) = −log 2.
    # Customer 1 (x = 2, t_x = 5, T = 10, α = 5, a = 1, b = 2): the odds of having dropped out
    # are a/(b+x−1) ((α+T)/(α+t_x))^(r+x) = 1/3 · 1.5³ = 1.125, P(alive) = 1/2.125 = 8/17.
    alpha, a, b = np.array([4.0, 5.0]), np.array([0.7, 1.0]), np.array([3.0, 2.0])
    x, t_x, T = np.array([0.0, 2.0]), np.array([0.0, 5.0]), np.array([12.0, 10.0])
    assert kernels.bgnbd_loglik_terms(0.5, alpha, a, b, x, t_x, T)[0, 0] == pytest.approx(
        -math.log(2.0), rel=1e-15
    )
    alive = kernels.bgnbd_predict(kernels.ALIVE, 1.0, alpha, a, b, x, t_x, T)
    assert alive[0] == 1.0  # no repeat purchase: no dropout opportunity yet
    assert alive[1] == pytest.approx(8.0 / 17.0, rel=1e-14)


def test_pnbd_purchase_at_T_is_alive() -> None:
    # t_x = T: A0 vanishes, G = −inf and P(alive) = 1 exactly.
    alpha, beta, x, t_x, T = (np.array([v]) for v in (3.0, 7.0, 2.0, 9.0, 9.0))
    terms = kernels.pnbd_loglik_terms(0.5, 0.9, alpha, beta, x, t_x, T)
    assert terms[0, 5] == -math.inf
    alive = kernels.pnbd_predict(kernels.ALIVE, 0.5, 0.9, alpha, beta, x, t_x, T)
    assert alive[0] == 1.0


@given(seed=st.integers(0, 2**32 - 1))
def test_rows_depend_only_on_their_own_parameters(seed: int) -> None:
    """Permuting the customers (parameters with them) permutes every output row alike."""
    c = customers(seed, n=7)
    order = np.random.default_rng(seed).permutation(7)
    columns = ("x", "t_x", "T")
    for model in ("pnbd", "bgnbd"):
        r, *rest = head(model, c)
        shuffled = [v[order] if isinstance(v, np.ndarray) else v for v in rest]
        loglik = getattr(kernels, f"{model}_loglik_terms")
        predict = getattr(kernels, f"{model}_predict")
        whole = loglik(r, *rest, *(c[k] for k in columns))
        permuted = loglik(r, *shuffled, *(c[k][order] for k in columns))
        np.testing.assert_array_equal(permuted, whole[order])
        for kind in PREDICTIONS.values():
            options = {"n": c["n"], "t": c["t"], "delta": 0.02}
            moved = {"n": c["n"][order], "t": c["t"][order], "delta": 0.02}
            whole_p = predict(kind, r, *rest, *(c[k] for k in columns), **options)
            permuted_p = predict(kind, r, *shuffled, *(c[k][order] for k in columns), **moved)
            np.testing.assert_array_equal(permuted_p, whole_p[order])
