"""Convergence is judged at the point, not by the optimiser's message.

For every model, a fit started at its own estimate returns that estimate (relative 1e-8):
the estimate is a maximum whatever L-BFGS-B reports from there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from ecomstrat.datasets.simulate import SimulationParameters, simulate_transactions
from ecomstrat.exceptions import ConvergenceError
from ecomstrat.frames.discrete import DiscretePatterns
from ecomstrat.models.bgbb import BGBB
from ecomstrat.models.bgnbd import BGNBD, MBGNBD
from ecomstrat.models.gamma_gamma import GammaGamma
from ecomstrat.models.paretonbd import ParetoNBD
from ecomstrat.models.sbg import SBG


def _spread(centre: float) -> st.SearchStrategy[float]:
    """Values within a factor 2 of ``centre`` (log-uniform)."""
    return st.floats(np.log(centre / 2.0), np.log(centre * 2.0)).map(np.exp)


def _btyd_base(draw: st.DrawFn) -> Any:
    parameters = SimulationParameters(
        r=draw(_spread(0.5)), alpha=draw(_spread(5.0)), a=draw(_spread(0.8)), b=draw(_spread(3.0))
    )
    seed = draw(st.integers(0, 2**16))
    return simulate_transactions(3_000, parameters=parameters, seed=seed).summary()


def _pareto_base(draw: st.DrawFn) -> Any:
    """Pareto/NBD histories: Poisson purchases at rate λ until an exponential lifetime ends."""
    r, alpha, s, beta = (draw(_spread(c)) for c in (0.6, 10.0, 0.6, 12.0))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n = 3_000
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.gamma(s, 1.0 / beta, n)
    T = rng.uniform(26.0, 78.0, n)
    active = np.minimum(rng.exponential(1.0 / dropout), T)
    x = rng.poisson(rate * active).astype(np.float64)
    t_x = np.array(
        [rng.uniform(0.0, a, int(k)).max() if k else 0.0 for a, k in zip(active, x, strict=True)]
    )
    return (x, t_x, T)


def _spend_base(draw: st.DrawFn) -> Any:
    parameters = SimulationParameters(
        p=draw(_spread(6.0)), q=draw(_spread(4.0)), gamma=draw(_spread(15.0))
    )
    seed = draw(st.integers(0, 2**16))
    return simulate_transactions(3_000, parameters=parameters, seed=seed).summary()


def _bgbb_base(draw: st.DrawFn) -> DiscretePatterns:
    alpha, beta, gamma, delta = (draw(_spread(c)) for c in (1.2, 0.75, 0.65, 2.8))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n, periods = 3_000, 6
    p = rng.beta(alpha, beta, n)
    alive_through = rng.geometric(rng.beta(gamma, delta, n)) - 1
    alive = np.arange(1, periods + 1)[None, :] <= alive_through[:, None]
    buys = rng.random((n, periods)) < p[:, None]
    return DiscretePatterns.from_histories((alive & buys).astype(np.int8))


def _sbg_base(draw: st.DrawFn) -> Any:
    alpha, beta = draw(_spread(0.7)), draw(_spread(1.2))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    lifetime = rng.geometric(rng.beta(alpha, beta, 2_000))
    return np.array([(lifetime > t).sum() for t in range(9)], dtype=np.float64)


#: model name -> (simulated base, fit(data, initial)).
CASES: dict[str, tuple[Callable[[st.DrawFn], Any], Callable[[Any, Any], Any]]] = {
    "bgnbd": (_btyd_base, lambda data, initial: BGNBD().fit(data, initial=initial)),
    "mbgnbd": (_btyd_base, lambda data, initial: MBGNBD().fit(data, initial=initial)),
    "paretonbd": (
        _pareto_base,
        lambda data, initial: ParetoNBD().fit(data, time_unit="week", initial=initial),
    ),
    "gamma_gamma": (_spend_base, lambda data, initial: GammaGamma().fit(data, initial=initial)),
    "bgbb": (_bgbb_base, lambda data, initial: BGBB().fit(data, initial=initial)),
    "sbg": (_sbg_base, lambda data, initial: SBG().fit(data, initial=initial)),
}


@pytest.mark.parametrize("model", sorted(CASES))
@given(data=st.data())
@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
def test_refitting_from_the_estimate_returns_it(model: str, data: st.DataObject) -> None:
    simulate, fit = CASES[model]
    base = data.draw(st.composite(lambda draw: simulate(draw))())
    try:
        fitted = fit(base, None)
    except ConvergenceError as error:
        # A base whose likelihood rises towards infinite parameters (e.g. MBG/NBD with a + b
        # growing without bound) has no finite estimate to refit from; the fit says so.
        assume("without bound" not in str(error))
        raise
    assert fitted.fit.diagnostics.converged
    assume(not fitted.fit.diagnostics.at_boundary)
    again = fit(base, fitted.params)
    first, second = fitted.params.to_dict(), again.params.to_dict()
    for name, value in first.items():
        assert second[name] == pytest.approx(value, rel=1e-8), name
    assert again.fit.diagnostics.converged
    assert again.fit.log_likelihood == pytest.approx(fitted.fit.log_likelihood, rel=1e-12)
    # the point is a maximum: a gradient at rounding level and positive curvature
    assert again.fit.diagnostics.gradient_norm <= 1e-6 * again.fit.diagnostics.n_customers
    assert again.fit.diagnostics.min_curvature > 0.0
