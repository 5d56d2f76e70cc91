"""Static-covariate Pareto/NBD and BG/NBD against the same-run fits without covariates.

Simulates ``--customers`` customers (default 10^5) from each fitted process with two binary
covariates (apparel's Gender/Channel shares: 0.6 and 0.5), ages in whole days up to 104 weeks,
and times, in this process, the fits and the per-customer predictions with and without the
covariates (medians of ``--repeats`` runs, after one warm-up run on 2,000 customers).

Run::

    .venv/bin/python -m benchmarks.covariates [--customers 100000] [--repeats 3]

Pareto/NBD: CLVTools' apparel estimates with Gender and Channel in both processes (README row
1); BG/NBD: the no-covariate apparel fit with the pointwise file's coefficients.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from statistics import median
from typing import Any

import numpy as np

PNBD = {"r": 1.8378, "alpha": 92.9123, "s": 0.5920, "beta": 49.6227}
PNBD_COEFFICIENTS = {
    "purchase.gender": 0.2859,
    "purchase.channel": 0.6241,
    "dropout.gender": -0.6430,
    "dropout.channel": 0.7907,
}
BGNBD_PARAMS = {"r": 0.607311, "alpha": 20.956729, "a": 1.275543, "b": 8.860816}
BGNBD_COEFFICIENTS = {
    "purchase.gender": 0.3,
    "purchase.channel": 0.6,
    "dropout.gender": -0.2,
    "dropout.channel": 0.3,
}


def _design(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gender = (rng.random(n) < 0.6).astype(float)
    channel = (rng.random(n) < 0.5).astype(float)
    T = np.ceil(rng.random(n) * 728.0) / 7.0  # whole days, up to 104 weeks
    return gender, channel, T


def simulate_pnbd(n: int, seed: int) -> tuple[tuple[np.ndarray, ...], dict[str, np.ndarray]]:
    """``(x, t_x, T)`` and covariates from the Pareto/NBD with static covariates."""
    rng = np.random.default_rng(seed)
    gender, channel, T = _design(n, rng)
    c = PNBD_COEFFICIENTS
    alpha = PNBD["alpha"] * np.exp(
        -(c["purchase.gender"] * gender + c["purchase.channel"] * channel)
    )
    beta = PNBD["beta"] * np.exp(-(c["dropout.gender"] * gender + c["dropout.channel"] * channel))
    lam = rng.gamma(PNBD["r"], 1.0 / alpha)
    mu = rng.gamma(PNBD["s"], 1.0 / beta)
    alive_for = np.minimum(rng.exponential(1.0 / mu), T)
    x = rng.poisson(lam * alive_for).astype(float)
    # the last of x uniform times on [0, L] is L·U^(1/x)
    t_x = np.where(x > 0, alive_for * rng.random(n) ** (1.0 / np.maximum(x, 1.0)), 0.0)
    ids = np.arange(n)
    return (x, t_x, T), {"customer_id": ids, "gender": gender, "channel": channel}


def simulate_bgnbd(n: int, seed: int) -> tuple[tuple[np.ndarray, ...], dict[str, np.ndarray]]:
    """``(x, t_x, T)`` and covariates from the BG/NBD with static covariates."""
    rng = np.random.default_rng(seed)
    gender, channel, T = _design(n, rng)
    c = BGNBD_COEFFICIENTS
    alpha = BGNBD_PARAMS["alpha"] * np.exp(
        -(c["purchase.gender"] * gender + c["purchase.channel"] * channel)
    )
    scale = np.exp(c["dropout.gender"] * gender + c["dropout.channel"] * channel)
    lam = rng.gamma(BGNBD_PARAMS["r"], 1.0 / alpha)
    p = rng.beta(BGNBD_PARAMS["a"] * scale, BGNBD_PARAMS["b"] * scale)
    arrivals = rng.poisson(lam * T)  # purchases by T of a customer who never drops out
    active = rng.geometric(p)  # the purchase after which the customer drops out
    x = np.minimum(arrivals, active).astype(float)
    # the x-th of `arrivals` uniform times on [0, T] is T·Beta(x, arrivals − x + 1)
    safe = np.maximum(x, 1.0)
    t_x = np.where(x > 0, T * rng.beta(safe, np.maximum(arrivals - safe + 1.0, 1.0)), 0.0)
    ids = np.arange(n)
    return (x, t_x, T), {"customer_id": ids, "gender": gender, "channel": channel}


def _time(work: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return median(times), result


def _case(simulate: Any, plain: Any, covariate: Any, size: int, repeats: int) -> dict[str, Any]:
    """Time one model with and without covariates on ``size`` simulated customers."""
    data, cov = simulate(size, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_plain, fit_plain = _time(lambda: plain.fit(data, time_unit="week"), repeats)
        t_cov, fit_cov = _time(lambda: covariate.fit(data, cov, time_unit="week"), repeats)
    p_plain, _ = _time(lambda: fit_plain.probability_alive(data), repeats)
    p_cov, _ = _time(lambda: fit_cov.probability_alive(data, covariates=cov), repeats)
    c_plain, _ = _time(lambda: fit_plain.conditional_expected_purchases(52, data), repeats)
    c_cov, _ = _time(
        lambda: fit_cov.conditional_expected_purchases(52, data, covariates=cov), repeats
    )
    return {
        "fit_s": {"covariates": t_cov, "no_covariates": t_plain, "ratio": t_cov / t_plain},
        "probability_alive_s": {"covariates": p_cov, "no_covariates": p_plain,
                                "ratio": p_cov / p_plain},
        "conditional_expected_s": {"covariates": c_cov, "no_covariates": c_plain,
                                   "ratio": c_cov / c_plain},
        "log_likelihood": {"covariates": fit_cov.fit.log_likelihood,
                           "no_covariates": fit_plain.fit.log_likelihood},
        "patterns": {"covariates": fit_cov.fit.diagnostics.n_patterns,
                     "no_covariates": fit_plain.fit.diagnostics.n_patterns},
        "estimates": fit_cov.params.to_dict() | fit_cov.coefficients,
        "at_boundary": fit_cov.fit.diagnostics.at_boundary,
    }  # fmt: skip


def run(customers: int, repeats: int) -> dict[str, Any]:
    """Both models at ``customers`` customers (after a warm-up at 2,000)."""
    from ecomstrat import BGNBD, ParetoNBD
    from ecomstrat.models.covariate_bgnbd import CovariateBGNBD
    from ecomstrat.models.covariate_paretonbd import CovariateParetoNBD

    both = ("gender", "channel")
    cases = {
        "pnbd": (simulate_pnbd, ParetoNBD(), CovariateParetoNBD(purchase=both, dropout=both)),
        "bgnbd": (simulate_bgnbd, BGNBD(), CovariateBGNBD(purchase=both, dropout=both)),
    }
    out: dict[str, Any] = {"customers": customers, "repeats": repeats}
    for name, (simulate, plain, covariate) in cases.items():
        _case(simulate, plain, covariate, 2_000, 1)  # compile / load the kernels
        out[name] = _case(simulate, plain, covariate, customers, repeats)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.customers, args.repeats), indent=2))


if __name__ == "__main__":
    main()
