"""Benchmark the GGom/NBD fits: ``python -m benchmarks.ggomnbd [--customers N] [--repeats K]``.

Run from the project root. Simulates two customer bases from a GGom/NBD process (purchase rates
``λ ~ Gamma(r, α_i)``, Gompertz lifetimes with ``η ~ Gamma(s, β_i)``, two binary covariates
``gender`` and ``channel`` acting on ``α_i`` and ``β_i`` as in CLVTools) — one with
Gompertz lifetimes (``b = 0.05``), one next to the Pareto/NBD limit (``b = 1e-6``) — and times,
in the same run and on the same data:

* ``ParetoNBD().fit`` and ``GGomNBD().fit`` (no covariates);
* ``CovariateParetoNBD(...).fit`` and ``CovariateGGomNBD(...).fit`` (both covariates on both
  processes);
* the GGom/NBD predictions P(alive) and the 52-week conditional expectation.

Every fit is run once untimed first (numba compile or cache load), then ``--repeats`` times
(``--repeats 1``: the one run is timed, after a warm-up of the kernels); medians are printed
with the log-likelihoods and whether the GGom/NBD's maximum was interior.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import time
import warnings
from statistics import median
from typing import Any

import numpy as np

#: The simulated process: (r, α₀, b, s, β₀), γ_purchase and γ_dropout for (gender, channel).
PARAMS = (1.4, 48.0, 0.05, 0.6, 5.0)
#: The second base: nearly the Pareto/NBD limit (b β_Pareto with β_Pareto = 40 weeks).
PARETO_PARAMS = (1.4, 48.0, 1e-6, 0.6, 4e-5)
GAMMA_PURCHASE = (0.3, 0.6)
GAMMA_DROPOUT = (-0.5, 0.7)


def simulate(
    n: int, *, seed: int = 1, weeks: float = 104.0, params: tuple[float, ...] = PARAMS
) -> dict[str, Any]:
    """``x, t_x, T`` (weeks) and binary ``gender``, ``channel`` of ``n`` GGom/NBD customers.

    First purchases are spread uniformly over the first half of ``weeks``; the lifetime of a
    customer with propensity ``η`` is ``log(1 + E / η) / b`` with ``E ~ Exp(1)`` (Gompertz
    survival ``exp(−η (e^(bt) − 1))``).
    """
    r, alpha0, b, s, beta0 = params
    rng = np.random.default_rng(seed)
    gender = rng.integers(0, 2, n).astype(np.float64)
    channel = rng.integers(0, 2, n).astype(np.float64)
    alpha = alpha0 * np.exp(-(GAMMA_PURCHASE[0] * gender + GAMMA_PURCHASE[1] * channel))
    beta = beta0 * np.exp(-(GAMMA_DROPOUT[0] * gender + GAMMA_DROPOUT[1] * channel))
    rate = rng.gamma(r, 1.0 / alpha)
    eta = rng.gamma(s, 1.0 / beta)
    lifetime = np.log1p(rng.exponential(1.0, n) / eta) / b
    T = weeks - rng.uniform(0.0, weeks / 2, n)
    active = np.minimum(lifetime, T)
    x = rng.poisson(rate * active).astype(np.float64)
    # the last of x uniform purchase times on (0, active): active · U^(1/x)
    t_x = np.where(x > 0, active * rng.uniform(size=n) ** (1.0 / np.maximum(x, 1.0)), 0.0)
    return {"x": x, "t_x": t_x, "T": T, "gender": gender, "channel": channel}


def _time(call: Any, repeats: int) -> tuple[float, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        result = call()  # compile / cache load on the first call
        seconds = [time.perf_counter() - start] if repeats == 1 else []
        for _ in range(repeats if repeats > 1 else 0):
            start = time.perf_counter()
            result = call()
            seconds.append(time.perf_counter() - start)
    return median(seconds), result


def main(argv: list[str] | None = None) -> None:
    from ecomstrat.models.ggomnbd import GGomNBD

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    warm = simulate(500, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GGomNBD().fit((warm["x"], warm["t_x"], warm["T"]), time_unit="week")
    for label, params in (("Gompertz", PARAMS), ("near-Pareto/NBD", PARETO_PARAMS)):
        print(
            f"{args.customers} simulated customers, {label} lifetimes (b = {params[2]:g}),"
            f" median of {args.repeats}:"
        )
        _run(simulate(args.customers, params=params), args.repeats)


def _run(data: dict[str, Any], repeats: int) -> None:
    from ecomstrat.exceptions import ConvergenceError
    from ecomstrat.frames.covariates import CustomerCovariates
    from ecomstrat.models.covariate_paretonbd import CovariateParetoNBD
    from ecomstrat.models.ggomnbd import CovariateGGomNBD, GGomNBD
    from ecomstrat.models.paretonbd import ParetoNBD

    n = data["x"].shape[0]
    cbs = (data["x"], data["t_x"], data["T"])
    covariates = CustomerCovariates.from_arrays(
        np.arange(n), {"gender": data["gender"], "channel": data["channel"]}
    )
    both = ("gender", "channel")
    cases = {
        "ParetoNBD fit": lambda: ParetoNBD().fit(cbs, time_unit="week"),
        "GGomNBD fit": lambda: GGomNBD().fit(cbs, time_unit="week"),
        "CovariateParetoNBD fit": lambda: CovariateParetoNBD(purchase=both, dropout=both).fit(
            cbs, covariates, time_unit="week"
        ),
        "CovariateGGomNBD fit": lambda: CovariateGGomNBD(purchase=both, dropout=both).fit(
            cbs, covariates, time_unit="week"
        ),
    }
    fitted: dict[str, Any] = {}
    for name, call in cases.items():
        try:
            seconds, model = _time(call, repeats)
        except ConvergenceError as error:  # the Pareto/NBD on Gompertz data may not converge
            print(f"  {name:24s} did not converge: {str(error)[:120]}")
            continue
        fitted[name] = model
        assert model.fit is not None
        print(
            f"  {name:24s} {seconds:8.2f} s  LL {model.fit.log_likelihood:.4f}"
            f"  boundary={model.fit.diagnostics.at_boundary}  {model!r}"
        )
    plain = fitted["GGomNBD fit"]
    seconds, _ = _time(lambda: plain.probability_alive(cbs), repeats)
    print(f"  {'GGomNBD probability_alive':24s} {seconds:8.3f} s")
    seconds, _ = _time(lambda: plain.conditional_expected_purchases(52, cbs), repeats)
    print(f"  {'GGomNBD conditional (52)':24s} {seconds:8.3f} s")


if __name__ == "__main__":
    main()
