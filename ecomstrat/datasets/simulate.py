"""Synthetic transaction logs drawn from the BG/NBD purchase process with Gamma-Gamma spend."""

from __future__ import annotations

import operator
from typing import ClassVar

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, BoolArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import check_non_negative, check_positive, invalid, positive_field
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.frames._arrays import frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, to_instant
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.summary import rfm_summary

__all__ = ["Simulation", "SimulationParameters", "simulate_transactions"]

_SECONDS_PER_DAY = 86_400


@attrs.frozen
class SimulationParameters:
    """Population parameters of the BG/NBD purchase process and the Gamma-Gamma spend model.

    Parameters
    ----------
    r, alpha : float
        Shape and rate of the Gamma distribution of purchase rates ``λ`` (per ``time_unit``).
    a, b : float
        Parameters of the Beta distribution of dropout probabilities ``p``.
    p : float
        Shape of the Gamma distribution of each transaction's value given ``ν``.
    q, gamma : float
        Shape and rate of the Gamma distribution of the spend scale ``ν``.
    time_unit : TimeUnit or str
        Unit in which ``λ`` (and hence ``alpha``) is expressed.

    Raises
    ------
    InvalidInputError
        If a parameter is not a finite number > 0.

    Notes
    -----
    The defaults are the published estimates on the CDNOW data set, in weeks: BG/NBD
    ``r=0.243, alpha=4.414, a=0.793, b=2.426`` (Fader, Hardie & Lee 2005, "Counting your
    customers the easy way", Marketing Science 24(2)) and Gamma-Gamma ``p=6.25, q=3.74,
    gamma=15.44`` (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves", Journal of
    Marketing Research 42(4); Fader & Hardie 2013, "The Gamma-Gamma model of monetary value").

    Examples
    --------
    >>> SimulationParameters().time_unit
    <TimeUnit.WEEK: 'week'>
    >>> SimulationParameters(r=0.5, time_unit="day").r
    0.5
    """

    r: float = attrs.field(default=0.243, validator=positive_field)
    alpha: float = attrs.field(default=4.414, validator=positive_field)
    a: float = attrs.field(default=0.793, validator=positive_field)
    b: float = attrs.field(default=2.426, validator=positive_field)
    p: float = attrs.field(default=6.25, validator=positive_field)
    q: float = attrs.field(default=3.74, validator=positive_field)
    gamma: float = attrs.field(default=15.44, validator=positive_field)
    time_unit: TimeUnit = attrs.field(default=TimeUnit.WEEK, converter=to_time_unit)


@attrs.frozen(eq=False, repr=False)
class Simulation(Tabular):
    """A simulated transaction log together with the latent traits that generated it.

    The per-customer arrays are aligned with ``log.customer_ids``, which are ``0..n-1``; as a
    table (:meth:`columns`), one row per customer with those traits.

    Parameters
    ----------
    log : TransactionLog
        The simulated orders, amounts rounded to cents.
    parameters : SimulationParameters
        The population parameters used.
    observation_end : numpy.datetime64
        End of the observation window; no purchase falls after it.
    acquired_at : ndarray of datetime64[ns]
        Time of each customer's first purchase.
    purchase_rate : ndarray of float64
        ``λ``, purchases per ``parameters.time_unit`` while active.
    dropout_probability : ndarray of float64
        ``p``, probability of becoming inactive after each repeat purchase.
    spend_scale : ndarray of float64
        ``ν``, the rate of the Gamma distribution of the customer's transaction values.
    alive : ndarray of bool
        Whether the customer is still active at ``observation_end``.
    """

    _pandas_index: ClassVar[str | None] = "customer_id"

    log: TransactionLog
    parameters: SimulationParameters
    observation_end: np.datetime64
    acquired_at: DatetimeArray
    purchase_rate: FloatArray
    dropout_probability: FloatArray
    spend_scale: FloatArray
    alive: BoolArray

    def __attrs_post_init__(self) -> None:
        for field in (
            "acquired_at",
            "purchase_rate",
            "dropout_probability",
            "spend_scale",
            "alive",
        ):
            object.__setattr__(self, field, frozen_view(getattr(self, field)))

    def __repr__(self) -> str:
        return (
            f"Simulation({self.log.n_customers} customers, {self.log.n_transactions} orders,"
            f" observation_end={self.observation_end}, alive={int(self.alive.sum())})"
        )

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id`` and the latent traits, one row per customer."""
        return {
            "customer_id": self.log.customer_ids,
            "acquired_at": self.acquired_at,
            "purchase_rate": self.purchase_rate,
            "dropout_probability": self.dropout_probability,
            "spend_scale": self.spend_scale,
            "alive": self.alive,
        }

    def _export_timezone(self) -> str | None:
        return self.log.timezone

    def summary(self, *, time_unit: TimeUnit | str | None = None) -> CustomerSummary:
        """RFM summary of the log at ``observation_end`` (daily purchase periods).

        Parameters
        ----------
        time_unit : TimeUnit or str, optional
            Unit of ``recency`` and ``T``; defaults to ``parameters.time_unit``.
        """
        unit = self.parameters.time_unit if time_unit is None else time_unit
        return rfm_summary(self.log, observation_end=self.observation_end, time_unit=unit)


def simulate_transactions(
    n_customers: int = 10_000,
    *,
    parameters: SimulationParameters | None = None,
    seed: int | None = 0,
    start: object = "2024-01-01",
    acquisition_span: float = 12.0,
    observation_length: float = 78.0,
    currency: str | None = "USD",
) -> Simulation:
    """Simulate a transaction log from the BG/NBD purchase and Gamma-Gamma spend processes.

    Each customer draws ``λ ~ Gamma(r, rate=alpha)``, ``p ~ Beta(a, b)`` and
    ``ν ~ Gamma(q, rate=gamma)``, makes a first purchase at an acquisition time uniform on
    [``start``, ``start + acquisition_span``), then repeat purchases as a Poisson process of
    rate ``λ``; after each *repeat* purchase the customer becomes inactive with probability
    ``p``. Every transaction's value is ``Gamma(p, rate=ν)``. Purchases stop at
    ``start + observation_length``.

    Parameters
    ----------
    n_customers : int
        Number of customers (>= 1); their ids are ``0..n_customers-1``.
    parameters : SimulationParameters, optional
        Population parameters; defaults to the CDNOW estimates in weeks.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same log.
        ``None`` draws fresh entropy.
    start : datetime, date, str or numpy.datetime64
        Start of the acquisition window (naive wall-clock time).
    acquisition_span : float
        Length of the acquisition window, in ``parameters.time_unit`` (>= 0).
    observation_length : float
        Time from ``start`` to the observation end, in ``parameters.time_unit``
        (> 0 and >= ``acquisition_span``).
    currency : str, optional
        ISO 4217 code attached to the log.

    Returns
    -------
    Simulation
        The log (times at second resolution, amounts rounded to cents and at least one cent)
        with the latent traits of each customer.

    Raises
    ------
    InvalidInputError
        If an argument is out of range.

    Notes
    -----
    This is exactly the generative process whose likelihood is the BG/NBD model (Fader,
    Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science 24(2)): no
    dropout at the first purchase, so ``P(X(t)=0) = (alpha/(alpha+t))**r``. Spend follows the
    Gamma-Gamma model (Fader, Hardie & Lee 2005, JMR 42(4); Fader & Hardie 2013), whose mean
    transaction value is ``p * gamma / (q - 1)``.

    The simulation is vectorised: the number of repeat purchases in a customer's window is
    ``min(N, K)`` with ``N ~ Poisson(λ·window)`` the purchases of an immortal customer and
    ``K ~ Geometric(p)`` the repeat purchase after which the customer drops out. The first
    ``c = min(N, K)`` of ``N`` sorted uniform times are drawn as ``S_j / (S_c + G)``, with
    ``S_j`` partial sums of exponentials and ``G ~ Gamma(N - c + 1)``, so the cost is one draw
    per simulated purchase.

    Examples
    --------
    >>> sim = simulate_transactions(1_000, seed=1)
    >>> sim.log.n_customers, sim.log.currency
    (1000, 'USD')
    >>> s = sim.summary()
    >>> bool((s.recency <= s.T).all()), bool(s.T.max() <= 78.0)
    (True, True)
    """
    n = _check_count(n_customers)
    params = SimulationParameters() if parameters is None else parameters
    if not isinstance(params, SimulationParameters):
        raise invalid(
            "parameters",
            params,
            "must be a SimulationParameters",
            "Build one with SimulationParameters(r=..., alpha=..., ...).",
        )
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

    acquired = span * rng.random(n)
    window = length - acquired
    rate = rng.gamma(params.r, 1.0 / params.alpha, n)
    dropout = rng.beta(params.a, params.b, n)
    scale = rng.gamma(params.q, 1.0 / params.gamma, n)
    repeats, immortal, alive = _repeat_counts(rng, rate * window, dropout)

    # Rows grouped by customer: the first purchase, then the repeats in time order.
    per_customer = repeats + 1
    owner = np.repeat(np.arange(n, dtype=np.int64), per_customer)
    first_row = np.cumsum(per_customer) - per_customer
    fraction = _order_statistics(rng, repeats, immortal, first_row, owner)
    offset = acquired[owner] + window[owner] * fraction

    unit_seconds = params.time_unit.days * _SECONDS_PER_DAY
    end_seconds = np.floor(length * unit_seconds)
    seconds = np.minimum(np.floor(offset * unit_seconds), end_seconds)
    times = origin + seconds.astype(np.int64).astype("timedelta64[s]").astype("timedelta64[ns]")
    acquired_at = times[first_row]
    amounts = rng.gamma(params.p, 1.0 / scale[owner])
    amounts = np.maximum(np.round(amounts, 2), 0.01)

    log = TransactionLog.from_arrays(owner, times, amounts, currency=currency)
    observation_end = origin + np.timedelta64(int(end_seconds), "s").astype("timedelta64[ns]")
    return Simulation(
        log, params, observation_end, acquired_at.astype(NS), rate, dropout, scale, alive
    )


def _check_count(n_customers: int) -> int:
    try:
        if isinstance(n_customers, bool):
            raise TypeError
        n = operator.index(n_customers)
    except TypeError as error:
        raise invalid("n_customers", n_customers, "must be a whole number") from error
    if n < 1:
        raise invalid("n_customers", n_customers, "must be >= 1")
    return n


def _check_seed(seed: int | None) -> int | None:
    if seed is None:
        return None
    try:
        if isinstance(seed, bool):
            raise TypeError
        value = operator.index(seed)
    except TypeError as error:
        raise invalid("seed", seed, "must be a whole number or None") from error
    if value < 0:
        raise invalid("seed", seed, "must be >= 0")
    return value


def _repeat_counts(
    rng: np.random.Generator, expected: FloatArray, dropout: FloatArray
) -> tuple[IntArray, IntArray, BoolArray]:
    """Repeat purchases ``min(N, K)``, events ``N`` of an immortal customer, and ``N < K``.

    ``K = floor(E / -log(1 - p)) + 1`` with ``E ~ Exp(1)`` is Geometric(p) on {1, 2, ...};
    ``K <= N`` exactly when ``E < N · -log(1 - p)``, which avoids forming ``K`` when it is huge.
    """
    immortal = rng.poisson(expected)
    hazard = rng.standard_exponential(expected.shape[0])
    with np.errstate(divide="ignore"):  # p == 1 gives an infinite hazard: K = 1
        decay = -np.log1p(-dropout)
    threshold = np.multiply(immortal, decay, out=np.zeros_like(decay), where=immortal > 0)
    dropped = hazard < threshold
    k = np.floor(np.divide(hazard, decay, out=np.zeros_like(decay), where=dropped)) + 1.0
    repeats = np.where(dropped, np.minimum(k, immortal), immortal).astype(np.int64)
    return repeats, immortal, ~dropped


def _order_statistics(
    rng: np.random.Generator,
    repeats: IntArray,
    immortal: IntArray,
    first_row: IntArray,
    owner: IntArray,
) -> FloatArray:
    """Fraction of each customer's window at each purchase: 0 for the first, then sorted.

    The repeats are the first ``c`` of ``N`` sorted uniforms (all of them when ``c == N``).
    ``U_(j) = S_j / S_(N+1)`` with ``S`` partial sums of exponentials, and the ``N + 1 - c``
    gaps after the ``c``-th sum to ``Gamma(N + 1 - c)``, so ``S_(N+1) = S_c + Gamma(N + 1 - c)``.
    """
    gaps = rng.standard_exponential(owner.shape)
    gaps[first_row] = 0.0
    partial = np.cumsum(gaps)
    partial -= np.repeat(partial[first_row], repeats + 1)
    unseen = rng.standard_gamma((immortal - repeats + 1).astype(np.float64))
    total = partial[first_row + repeats] + unseen
    fraction: FloatArray = np.divide(
        partial, total[owner], out=np.zeros_like(partial), where=partial > 0
    )
    return fraction
