"""What the CLV computation needs from a fitted purchase model, and the discounting convention.

Any fitted transaction model (BG/NBD, MBG/NBD, Pareto/NBD…) that offers these members can be
used by :func:`ecomstrat.metrics.clv.customer_lifetime_value`; models with a closed-form
purchase *rate* also offer :meth:`DiscountedTransactionModel.discounted_expected_purchases`,
which the CLV uses instead of its generic quadrature.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol, TypeAlias, runtime_checkable

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import check_finite, invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames.summary import CustomerSummary

__all__ = [
    "DiscountedTransactionModel",
    "RFMData",
    "TimeLike",
    "TransactionModel",
    "continuous_discount_rate",
]

#: Per-customer (frequency, recency, T): a summary (converted to the model's time unit) or
#: three equal-length arrays already in the model's time unit.
RFMData: TypeAlias = (
    CustomerSummary
    | tuple[Sequence[float] | AnyArray, Sequence[float] | AnyArray, Sequence[float] | AnyArray]
)
#: A time (or times) in the model's time unit.
TimeLike: TypeAlias = float | Sequence[float] | AnyArray


@runtime_checkable
class TransactionModel(Protocol):
    """A fitted purchase-count model: conditional expectations and P(alive) per customer."""

    @property
    def time_unit(self) -> TimeUnit:
        """Unit of ``t``, recency and ``T`` (and of the rate parameters)."""
        ...

    def conditional_expected_purchases(self, t: TimeLike, data: RFMData) -> FloatArray:
        """E[purchases in (T, T + t] | each customer's history]."""
        ...

    def probability_alive(self, data: RFMData) -> FloatArray:
        """P(customer still active at T | history)."""
        ...


@runtime_checkable
class DiscountedTransactionModel(TransactionModel, Protocol):
    """A transaction model that integrates discounted future purchases itself."""

    def discounted_expected_purchases(
        self, data: RFMData, *, horizon: float, discount_rate: float
    ) -> FloatArray:
        """``∫_0^horizon e^{-discount_rate t} dE[Y(t) | history]`` per customer.

        ``horizon`` (possibly ``inf``) and ``discount_rate`` (continuous, per unit of time) are
        in the model's time unit.
        """
        ...


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
    rate = check_finite("annual_discount_rate", annual_discount_rate)
    if not 0.0 <= rate <= 1.0:
        raise invalid(
            "annual_discount_rate",
            annual_discount_rate,
            "must lie in [0, 1]",
            "Give the rate as a fraction (0.1 for 10% a year).",
        )
    return math.log1p(rate) / TimeUnit.parse(time_unit).per(TimeUnit.YEAR)
