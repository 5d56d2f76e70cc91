"""Synthetic transaction logs with customer covariates: the Pareto/NBD process of CLVTools.

Each customer's covariates scale the Gamma rates of their purchase and dropout rates, as in
the covariate models of :mod:`ecomstrat.models` (``α_i = α₀ exp(−γ_purchase · x_i)``,
``β_i = β₀ exp(−γ_dropout · x_i)``), so a fit of
:class:`~ecomstrat.CovariateParetoNBD` on the result recovers the effects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import check_finite, check_non_negative, check_positive, invalid
from ecomstrat.datasets.simulate import Simulation, _check_count, _check_seed
from ecomstrat.frames._arrays import freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import to_instant
from ecomstrat.frames.covariates import CustomerCovariates
from ecomstrat.frames.transaction_log import TransactionLog

__all__ = [
    "CovariateSimulation",
    "simulate_covariate_transactions",
    "simulate_customer_covariates",
]

_SECONDS_PER_WEEK = 7 * 86_400

#: Purchase and dropout effects of each simulated covariate (CLVTools' apparel estimates,
#: README row 1 of the reference data: channel for ``offline``, gender for ``newsletter``).
DEFAULT_PURCHASE_EFFECTS: Mapping[str, float] = {"offline": 0.6241, "newsletter": 0.2859}
DEFAULT_DROPOUT_EFFECTS: Mapping[str, float] = {"offline": 0.7907, "newsletter": -0.6430}
#: Share of customers with each (binary) covariate equal to 1.
DEFAULT_SHARES: Mapping[str, float] = {"offline": 0.4, "newsletter": 0.5}


@attrs.frozen(eq=False, repr=False)
class CovariateSimulation(Tabular):
    """A simulated log, the customers' covariates and their latent rates.

    A table of customers (:meth:`columns`: ``customer_id``, the covariates,
    ``purchase_rate``, ``dropout_rate``, ``alive``).

    Attributes
    ----------
    log : TransactionLog
        The orders (weeks from ``start``; amounts from the Gamma-Gamma spend process).
    covariates : CustomerCovariates
        One row per customer: binary covariates named as the effects.
    observation_end : numpy.datetime64
        End of observation.
    purchase_rate, dropout_rate : ndarray of float64
        Each customer's ``λ`` and ``μ``, per week.
    alive : ndarray of bool
        Whether the customer's lifetime outlasts the observation.
    """

    _pandas_index: ClassVar[str | None] = "customer_id"

    log: TransactionLog
    covariates: CustomerCovariates
    observation_end: np.datetime64
    purchase_rate: FloatArray
    dropout_rate: FloatArray
    alive: AnyArray

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    def __len__(self) -> int:
        return int(self.purchase_rate.shape[0])

    def __repr__(self) -> str:
        return (
            f"CovariateSimulation({len(self):,} customers, {len(self.log):,} orders,"
            f" covariates {', '.join(self.covariates.names)})"
        )

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id``, one column per covariate, the latent rates and ``alive``."""
        return {
            **self.covariates.columns(),
            "purchase_rate": self.purchase_rate,
            "dropout_rate": self.dropout_rate,
            "alive": self.alive,
        }


def simulate_covariate_transactions(
    n_customers: int = 10_000,
    *,
    r: float = 1.8378,
    alpha: float = 92.9123,
    s: float = 0.5920,
    beta: float = 49.6227,
    purchase_effects: Mapping[str, float] | None = None,
    dropout_effects: Mapping[str, float] | None = None,
    shares: Mapping[str, float] | None = None,
    seed: int | None = 0,
    start: object = "2024-01-01",
    acquisition_span: float = 12.0,
    observation_length: float = 104.0,
    currency: str | None = "USD",
) -> CovariateSimulation:
    """Simulate orders of customers whose covariates change their purchase and dropout rates.

    Each customer draws binary covariates ``x_i`` (``shares`` of ones), then
    ``λ ~ Gamma(r, rate=α₀ exp(−γ_purchase · x_i))`` and
    ``μ ~ Gamma(s, rate=β₀ exp(−γ_dropout · x_i))``; they first buy at a time uniform on
    [``start``, ``start + acquisition_span``) weeks, live an exponential lifetime of rate
    ``μ`` and buy again as a Poisson process of rate ``λ`` while alive, until ``start +
    observation_length`` weeks. Positive effects mean more purchases (``purchase_effects``)
    and a shorter life (``dropout_effects``), as in CLVTools.

    Parameters
    ----------
    n_customers : int
        Number of customers (>= 1); their ids are ``0..n_customers-1``.
    r, alpha, s, beta : float
        Pareto/NBD parameters of a customer whose covariates are all 0 (rates per week); the
        defaults are CLVTools' estimates on its apparel data.
    purchase_effects, dropout_effects : mapping of str to float, optional
        Coefficient of each covariate (the same names in both; default: ``offline`` and
        ``newsletter`` with CLVTools' apparel estimates for channel and gender).
    shares : mapping of str to float, optional
        Share of customers with each covariate equal to 1, in [0, 1] (default 0.4 offline,
        0.5 newsletter).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng` (``None`` for fresh entropy).
    start : datetime, date, str or numpy.datetime64
        Start of the acquisition window.
    acquisition_span, observation_length : float
        In weeks; ``0 <= acquisition_span <= observation_length``.
    currency : str, optional
        ISO 4217 code of the log.

    Returns
    -------
    CovariateSimulation

    Raises
    ------
    InvalidInputError
        If an argument is out of range, or the effects and shares name different covariates.

    Notes
    -----
    The Pareto/NBD process (Schmittlein, Morrison & Colombo 1987) with static covariates as
    the R package CLVTools parameterises them (its ``pnbd`` documentation); spend per
    order is Gamma-Gamma (shape 6.25, scale drawn from Gamma(3.74, rate 15.44)).

    Examples
    --------
    >>> sim = simulate_covariate_transactions(1_000, seed=1)
    >>> sim.covariates.names
    ('offline', 'newsletter')
    >>> len(sim), sim.log.n_customers
    (1000, 1000)
    """
    n = _check_count(n_customers)
    shape_r, rate_alpha, shape_s, rate_beta = (
        check_positive(name, value)
        for name, value in (("r", r), ("alpha", alpha), ("s", s), ("beta", beta))
    )
    purchase = dict(DEFAULT_PURCHASE_EFFECTS if purchase_effects is None else purchase_effects)
    dropout = dict(DEFAULT_DROPOUT_EFFECTS if dropout_effects is None else dropout_effects)
    share = dict(DEFAULT_SHARES if shares is None else shares)
    names = tuple(share)
    for argument, given in (("purchase_effects", purchase), ("dropout_effects", dropout)):
        if set(given) != set(names):
            raise invalid(
                argument,
                given,
                f"must name the covariates of shares ({', '.join(names)})",
                "Give one effect per covariate in both mappings (0 for none).",
            )
        for key, value in given.items():
            check_finite(f"{argument}[{key!r}]", value)
    for key, value in share.items():
        if not 0.0 <= check_finite(f"shares[{key!r}]", value) <= 1.0:
            raise invalid(f"shares[{key!r}]", value, "must lie in [0, 1]")
    span = check_non_negative("acquisition_span", acquisition_span)
    length = check_positive("observation_length", observation_length)
    if span > length:
        raise invalid(
            "acquisition_span",
            acquisition_span,
            f"must be <= observation_length={observation_length}",
            "Customers must be acquired before the observation ends.",
        )
    origin = to_instant("start", start, None)
    rng = np.random.default_rng(_check_seed(seed))

    x = (rng.random((n, len(names))) < np.array([share[k] for k in names])).astype(np.float64)
    gamma_purchase = np.array([purchase[k] for k in names])
    gamma_dropout = np.array([dropout[k] for k in names])
    rate = rng.gamma(shape_r, 1.0 / (rate_alpha * np.exp(-x @ gamma_purchase)))
    death = rng.gamma(shape_s, 1.0 / (rate_beta * np.exp(-x @ gamma_dropout)))
    acquired = span * rng.random(n)
    lifetime = rng.standard_exponential(n) / death
    window = length - acquired
    active = np.minimum(lifetime, window)
    repeats = rng.poisson(rate * active)

    owner = np.repeat(np.arange(n, dtype=np.int64), repeats + 1)
    first_row = np.cumsum(repeats + 1) - (repeats + 1)
    fraction = rng.random(owner.shape[0])
    fraction[first_row] = 0.0
    order = np.lexsort((fraction, owner))
    offset = acquired[owner] + active[owner] * fraction[order]

    end_seconds = np.floor(length * _SECONDS_PER_WEEK)
    seconds = np.minimum(np.floor(offset * _SECONDS_PER_WEEK), end_seconds)
    times = origin + seconds.astype(np.int64).astype("timedelta64[s]").astype("timedelta64[ns]")
    scale = rng.gamma(3.74, 1.0 / 15.44, n)
    amounts = np.maximum(np.round(rng.gamma(6.25, 1.0 / scale[owner]), 2), 0.01)

    log = TransactionLog.from_arrays(owner, times, amounts, currency=currency)
    ids = np.arange(n, dtype=np.int64)
    covariates = CustomerCovariates.from_arrays(ids, {k: x[:, j] for j, k in enumerate(names)})
    observation_end = origin + np.timedelta64(int(end_seconds), "s").astype("timedelta64[ns]")
    return CovariateSimulation(log, covariates, observation_end, rate, death, lifetime > window)


def simulate_customer_covariates(
    simulation: Simulation, *, seed: int | None = 0
) -> CustomerCovariates:
    """Binary covariates of simulated customers, associated with their latent traits.

    ``offline`` (bought in a store) is 1 with probability 0.25, or 0.55 for customers whose
    purchase rate is above the median; ``newsletter`` (subscribed) with probability 0.35, or
    0.65 for customers whose dropout probability is below the median. Observational data:
    the covariates carry information on the traits without causing them, which a covariate
    model picks up as effects (the report's demo uses them).

    Parameters
    ----------
    simulation : Simulation
        From :func:`~ecomstrat.datasets.simulate_transactions`.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    CustomerCovariates
        One row per simulated customer (ids ``0..n-1``).

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> sim = simulate_transactions(1_000, seed=2)
    >>> cov = simulate_customer_covariates(sim, seed=2)
    >>> cov.names, cov.values.shape
    (('offline', 'newsletter'), (1000, 2))
    """
    if not isinstance(simulation, Simulation):
        raise invalid(
            "simulation",
            type(simulation).__name__,
            "must be a Simulation",
            "Simulate one with ecomstrat.datasets.simulate_transactions().",
        )
    rng = np.random.default_rng(_check_seed(seed))
    rate = simulation.purchase_rate
    loyal = simulation.dropout_probability
    offline = rng.random(len(rate)) < np.where(rate > np.median(rate), 0.55, 0.25)
    newsletter = rng.random(len(rate)) < np.where(loyal < np.median(loyal), 0.65, 0.35)
    ids = np.arange(len(rate), dtype=np.int64)
    columns = {"offline": offline.astype(np.float64), "newsletter": newsletter.astype(np.float64)}
    return CustomerCovariates.from_arrays(ids, columns)
