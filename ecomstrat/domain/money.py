"""Money: an exact decimal amount in one ISO 4217 currency."""

from __future__ import annotations

import decimal
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Self, TypeAlias

import attrs

from ecomstrat._validation import check_choice, invalid
from ecomstrat.domain._records import Record
from ecomstrat.domain.currency import check_currency, minor_units as _exponent
from ecomstrat.exceptions import CurrencyMismatchError

__all__ = ["AmountLike", "Money"]

#: What :class:`Money` accepts as an amount (floats go through ``Decimal(str(x))``).
AmountLike: TypeAlias = Decimal | int | str | float

#: Exact context: +, -, * and quantize never round (the decimal docs' recipe for exact results).
_EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_ROUNDINGS = [
    decimal.ROUND_CEILING,
    decimal.ROUND_DOWN,
    decimal.ROUND_FLOOR,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_UP,
    decimal.ROUND_05UP,
]


def to_decimal(name: str, value: object) -> Decimal:
    """Return ``value`` (Decimal, int, str or float) as a finite Decimal, exactly, else raise.

    A float goes through ``Decimal(str(value))``, so ``0.1`` becomes ``Decimal('0.1')``.
    """
    if isinstance(value, float):
        value = str(value)
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise invalid(name, value, "must be a Decimal, int or numeric string", "E.g. '12.50'.")
    try:
        number = Decimal(value)
    except decimal.InvalidOperation:
        raise invalid(name, value, "must be a number", "E.g. '12.50'.") from None
    if not number.is_finite():
        raise invalid(name, value, "must be a finite number")
    return number


def _amount(value: AmountLike) -> Decimal:
    return to_decimal("amount", value)


def _currency(value: str) -> str:
    return check_currency(value)


def _factor(op: str, value: object) -> Decimal | int:
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float):
        fix = f"Floats are inexact: use Decimal({str(value)!r}) instead."
    elif isinstance(value, Money):
        fix = "Money can only be scaled by an int or Decimal, not by Money."
    else:
        fix = "Use an int or Decimal."
    raise TypeError(f"Money {op} {value!r} is not supported. {fix}")


@attrs.frozen(repr=False)
class Money(Record):
    """An exact amount of money in an ISO 4217 currency.

    The amount is kept exactly as given (``Decimal('12.5')`` stays 12.5); call :meth:`round` to
    quantize it to the currency's minor unit. Equality is by value: ``1.0 USD == 1.00 USD``.
    ``+``, ``-`` and comparisons need one currency (else
    :class:`~ecomstrat.exceptions.CurrencyMismatchError`); ``*`` and ``/`` take an int or a
    Decimal. Sums, differences and products are exact; ``/`` uses the current decimal context.

    Parameters
    ----------
    amount
        A Decimal, int, numeric string or float; a float is read via ``Decimal(str(x))``.
        Negative amounts (refunds, differences) are allowed.
    currency
        ISO 4217 code, any case, of a currency with a minor unit (not XAU, XDR…).

    Examples
    --------
    >>> price = Money("19.99", "usd")
    >>> price
    Money('19.99', 'USD')
    >>> print(price * 3 - Money("0.975", "USD"))
    58.995 USD
    >>> (price * 3 - Money("0.975", "USD")).round()
    Money('59.00', 'USD')
    """

    amount: Decimal = attrs.field(converter=_amount)
    currency: str = attrs.field(converter=_currency)

    @classmethod
    def zero(cls, currency: str) -> Self:
        """Zero in ``currency``, with its minor unit (``Money('0.00', 'USD')``)."""
        return cls.from_minor(0, currency)

    @classmethod
    def from_minor(cls, units: int, currency: str) -> Self:
        """Build from a count of minor units: ``Money.from_minor(1250, 'USD')`` is 12.50 USD.

        Examples
        --------
        >>> Money.from_minor(1250, "USD"), Money.from_minor(1250, "JPY")
        (Money('12.50', 'USD'), Money('1250', 'JPY'))
        """
        if isinstance(units, bool) or not isinstance(units, int):
            raise invalid("units", units, "must be an int", "Use Money(amount, currency).")
        return cls(Decimal(units).scaleb(-_exponent(currency), _EXACT), currency)

    @property
    def minor_units(self) -> int:
        """The amount as a whole number of minor units (cents for USD, yen for JPY).

        Raises :class:`~ecomstrat.exceptions.InvalidInputError` if the amount is finer than
        the minor unit; call :meth:`round` first.
        """
        scaled = self.amount.scaleb(_exponent(self.currency), _EXACT)
        if scaled != scaled.to_integral_value(context=_EXACT):
            raise invalid(
                "amount",
                self.amount,
                f"must be a whole number of {self.currency} minor units",
                "Call .round() first.",
            )
        return int(scaled)

    def round(
        self,
        *,
        rounding: str = decimal.ROUND_HALF_EVEN,
        increment: AmountLike | None = None,
    ) -> Money:
        """Quantize to the minor unit, or to a multiple of ``increment`` (cash rounding).

        Parameters
        ----------
        rounding
            A :mod:`decimal` rounding mode; banker's rounding (half-even) by default.
        increment
            Optional rounding step, a positive multiple of the minor unit, e.g. ``'0.05'``
            for Swiss francs in cash.

        Examples
        --------
        >>> half = Money("0.125", "USD")
        >>> half.round(), half.round(rounding=decimal.ROUND_HALF_UP)
        (Money('0.12', 'USD'), Money('0.13', 'USD'))
        >>> Money("12.38", "CHF").round(increment="0.05")
        Money('12.40', 'CHF')
        """
        check_choice("rounding", rounding, _ROUNDINGS)
        unit = Decimal(1).scaleb(-_exponent(self.currency))
        amount = self.amount
        if increment is not None:
            step = to_decimal("increment", increment)
            if step <= 0 or _EXACT.remainder(step, unit) != 0:
                raise invalid(
                    "increment",
                    increment,
                    f"must be a positive multiple of the {self.currency} minor unit {unit}",
                    "E.g. Decimal('0.05').",
                )
            # ROUND_05UP keeps enough information for one correct final rounding
            # (the decimal docs' guard against double rounding).
            digits = max(amount.adjusted() - step.adjusted(), 0) + 3
            steps = decimal.Context(prec=digits, rounding=decimal.ROUND_05UP).divide(amount, step)
            amount = _EXACT.multiply(steps.quantize(Decimal(1), rounding, _EXACT), step)
        return Money(amount.quantize(unit, rounding, _EXACT), self.currency)

    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return self.amount.is_zero()

    def is_negative(self) -> bool:
        """Whether the amount is below zero."""
        return self.amount < 0

    def _peer(self, other: object, verb: str) -> Money | None:
        """``other`` if it is Money in this currency, None if it is no Money; else raise."""
        if not isinstance(other, Money):
            return None
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot {verb} {self!r} and {other!r}: currencies differ"
                f" ({self.currency} vs {other.currency}). Convert one amount first."
            )
        return other

    def __add__(self, other: Money) -> Money:
        peer = self._peer(other, "add")
        if peer is None:
            return NotImplemented
        return Money(_EXACT.add(self.amount, peer.amount), self.currency)

    def __radd__(self, other: object) -> Money:
        # Lets sum() start from its default 0.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        peer = self._peer(other, "subtract")
        if peer is None:
            return NotImplemented
        return Money(_EXACT.subtract(self.amount, peer.amount), self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        return Money(_EXACT.multiply(self.amount, _factor("*", factor)), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: int | Decimal) -> Money:
        divisor = _factor("/", divisor)
        if divisor == 0:
            raise ZeroDivisionError(f"cannot divide {self!r} by zero.")
        return Money(self.amount / divisor, self.currency)

    def __neg__(self) -> Money:
        return Money(self.amount.copy_negate(), self.currency)

    def __abs__(self) -> Money:
        return Money(self.amount.copy_abs(), self.currency)

    def _compare(self, other: object, op: Callable[[Decimal, Decimal], bool]) -> bool:
        peer = self._peer(other, "compare")
        return NotImplemented if peer is None else op(self.amount, peer.amount)

    def __lt__(self, other: Money) -> bool:
        return self._compare(other, operator.lt)

    def __le__(self, other: Money) -> bool:
        return self._compare(other, operator.le)

    def __gt__(self, other: Money) -> bool:
        return self._compare(other, operator.gt)

    def __ge__(self, other: Money) -> bool:
        return self._compare(other, operator.ge)

    def __repr__(self) -> str:
        return f"Money({format(self.amount, 'f')!r}, {self.currency!r})"

    def __str__(self) -> str:
        return f"{format(self.amount, 'f')} {self.currency}"
