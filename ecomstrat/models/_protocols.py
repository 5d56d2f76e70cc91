"""What consumers need from a fitted model, and the discounting conventions, written once.

Every consumer of fitted models (the CLV, the lifecycle policy, the scorers, the report)
types its argument with one of these protocols:

- :class:`AliveModel`: ``probability_alive(data)``;
- :class:`TransactionModel`: a continuous-time purchase model (BG/NBD, MBG/NBD, Pareto/NBD…)
  with ``time_unit``, ``conditional_expected_purchases(t, data)`` and
  ``probability_of_purchases(n, t)``;
- :class:`DiscountedTransactionModel`: one that also integrates discounted future purchases
  itself, ``expected_residual_purchases(data, *, annual_discount_rate, horizon)``, which the
  CLV uses instead of its generic quadrature.

Discount rates are fractions in [0, 1] everywhere (``annual_discount_rate`` in continuous
time, ``discount_rate_per_period`` in discrete time), checked by :func:`check_discount_rate`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Protocol, TypeAlias, runtime_checkable

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import check_finite, check_number, invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames._foreign import Table
from ecomstrat.frames.summary import CustomerSummary

__all__ = [
    "AliveModel",
    "DiscountedTransactionModel",
    "RFMData",
    "TimeLike",
    "TransactionModel",
    "check_discount_rate",
    "check_horizon",
    "continuous_discount_rate",
    "discounting",
]

#: Per-customer (frequency, recency, T): a summary (converted to the model's time unit) or
#: three equal-length arrays already in the model's time unit.
RFMData: TypeAlias = (
    CustomerSummary
    | Table
    | tuple[Sequence[float] | AnyArray, Sequence[float] | AnyArray, Sequence[float] | AnyArray]
)
#: A time (or times) in the model's time unit.
TimeLike: TypeAlias = float | Sequence[float] | AnyArray


@runtime_checkable
class AliveModel(Protocol):
    """Anything that gives each customer a probability of being alive.

    Every fitted purchase model of :mod:`ecomstrat.models` satisfies it.
    """

    def probability_alive(self, data: CustomerSummary, /) -> FloatArray:
        """``P(alive | history)`` for each customer of ``data``, in ``[0, 1]``."""
        ...


@runtime_checkable
class TransactionModel(AliveModel, Protocol):
    """A fitted continuous-time purchase model: conditional expectations, P(alive), pmf."""

    @property
    def time_unit(self) -> TimeUnit:
        """Unit of ``t``, recency and ``T`` (and of the rate parameters)."""
        ...

    def conditional_expected_purchases(self, t: TimeLike, data: RFMData) -> FloatArray:
        """E[purchases in (T, T + t] | each customer's history]."""
        ...

    def probability_of_purchases(self, n: TimeLike, t: TimeLike) -> FloatArray:
        """P(a new customer makes exactly ``n`` repeat purchases in (0, t])."""
        ...


@runtime_checkable
class DiscountedTransactionModel(TransactionModel, Protocol):
    """A transaction model that integrates its discounted future purchases itself."""

    def expected_residual_purchases(
        self, data: RFMData, *, annual_discount_rate: float, horizon: float = math.inf
    ) -> FloatArray:
        """``∫_0^horizon e^{-δt} dE[Y(t) | history]`` per customer (DERT for ``inf``).

        ``horizon`` is in the model's time unit; ``δ`` is
        :func:`continuous_discount_rate` of ``annual_discount_rate``.
        """
        ...


def check_discount_rate(name: str, value: float, *, horizon: float | None = None) -> float:
    """A discount rate: a finite fraction in [0, 1], and > 0 when ``horizon`` is infinite.

    The one rule for ``annual_discount_rate`` and ``discount_rate_per_period`` (the name says
    the unit). Without discounting an infinite horizon counts every future purchase of an
    immortal customer, which diverges.

    Raises
    ------
    InvalidInputError
        Naming ``name`` and the value.

    Examples
    --------
    >>> check_discount_rate("annual_discount_rate", 0.1, horizon=math.inf)
    0.1
    >>> check_discount_rate("discount_rate_per_period", 0.0, horizon=52.0)
    0.0
    """
    rate = check_finite(name, value)
    if not 0.0 <= rate <= 1.0:
        raise invalid(
            name, value, "must lie in [0, 1]", "Give the rate as a fraction (0.1 for 10%)."
        )
    if rate == 0.0 and horizon == math.inf:
        raise invalid(
            name,
            value,
            "must be > 0 over an infinite horizon",
            "Give a positive rate, or a finite horizon.",
        )
    return rate


def check_horizon(value: float) -> float:
    """A horizon ``> 0`` (``math.inf`` for the whole future), naming ``horizon``."""
    horizon = check_number("horizon", value)
    if not horizon > 0.0:
        raise invalid("horizon", value, "must be > 0 (math.inf for the whole future)")
    return horizon


def continuous_discount_rate(annual_discount_rate: float, time_unit: TimeUnit | str) -> float:
    """Continuously compounded rate per ``time_unit`` equivalent to an annual rate.

    ``δ = ln(1 + annual_discount_rate)`` per year, divided by the number of ``time_unit`` in
    a (mean Gregorian) year, so that ``e^{-δ t}`` over one year equals
    ``1 / (1 + annual_discount_rate)``.

    Parameters
    ----------
    annual_discount_rate : float
        Effective annual rate as a fraction, in [0, 1] (``0.1`` for 10%).
    time_unit : TimeUnit or str
        Unit the rate is expressed per.

    Returns
    -------
    float

    Raises
    ------
    InvalidInputError
        If the rate is negative, above 1 or not finite.

    Examples
    --------
    >>> round(continuous_discount_rate(0.10, "year"), 6)
    0.09531
    >>> round(continuous_discount_rate(0.10, "week") * TimeUnit.WEEK.per("year"), 6)
    0.09531
    """
    rate = check_discount_rate("annual_discount_rate", annual_discount_rate)
    return math.log1p(rate) / TimeUnit.parse(time_unit).per(TimeUnit.YEAR)


@functools.lru_cache(maxsize=256, typed=True)
def _discounting(annual_discount_rate: float, horizon: float, unit: str) -> tuple[float, float]:
    H = check_horizon(horizon)
    rate = check_discount_rate("annual_discount_rate", annual_discount_rate, horizon=H)
    return H, continuous_discount_rate(rate, unit)


def discounting(annual_discount_rate: float, horizon: float, unit: TimeUnit) -> tuple[float, float]:
    """``(horizon, δ per unit)`` after :func:`check_horizon` and :func:`check_discount_rate`.

    Memoised (``functools.lru_cache``, thread-safe; exceptions are not cached) for the
    one-customer methods, which see the same options call after call; unhashable arguments
    go through the checks uncached, which name them. The unit is keyed by its value (a
    string hashes faster than an enum member).
    """
    try:
        return _discounting(annual_discount_rate, horizon, unit.value)
    except TypeError:  # unhashable
        return _discounting.__wrapped__(annual_discount_rate, horizon, unit.value)
