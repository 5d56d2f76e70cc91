"""The transaction log: one row per order, customers factorized to a dense integer index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import (
    as_float_array,
    check_array_finite,
    check_array_non_negative,
    check_non_empty,
    check_same_length,
    invalid,
    shown,
)
from ecomstrat.domain.currency import check_currency
from ecomstrat.exceptions import CurrencyMismatchError, EmptyInputError
from ecomstrat.frames._arrays import as_ids, factorize, frozen_view, unique_ids
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, to_datetime64

if TYPE_CHECKING:
    from ecomstrat.domain.money import Money
    from ecomstrat.domain.order import Order

__all__ = ["TransactionLog"]


@attrs.frozen(eq=False, repr=False)
class TransactionLog(Tabular):
    """Orders as columns: who bought, when, and for how much.

    Build it with :meth:`from_arrays`, :meth:`from_orders` or an adapter in :mod:`ecomstrat.io`
    (pandas, polars, Arrow, CSV). The constructor itself takes already-factorized customers
    and checks every invariant. Arrays are stored as read-only views, never copied needlessly
    and never modified; like a pandas or Arrow view, the log sees later changes the caller makes
    to arrays it was built from without a copy, so do not modify them afterwards.

    Parameters
    ----------
    customer_index : ndarray of int64
        Position of each order's customer in ``customer_ids``.
    customer_ids : ndarray
        The distinct original customer ids; each must have at least one order.
    times : ndarray of datetime64[ns]
        Order times: UTC instants when ``timezone="UTC"``, wall-clock times when ``None``.
    amounts : ndarray of float64
        Order values (finite, >= 0) in ``currency``.
    margins : ndarray of float64, optional
        Gross margin of each order, in ``currency`` (may be negative).
    currency : str, optional
        ISO 4217 code of ``amounts`` and ``margins``.
    timezone : {None, "UTC"}
        How to read ``times``.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "b", "a"], ["2024-01-01", "2024-01-03", "2024-02-01"], [10.0, 5.0, 7.5]
    ... )
    >>> log.n_customers, log.n_transactions
    (2, 3)
    >>> log.customer_ids[log.customer_index].tolist()
    ['a', 'b', 'a']
    """

    customer_index: IntArray
    customer_ids: AnyArray
    times: DatetimeArray
    amounts: FloatArray
    margins: FloatArray | None = None
    currency: str | None = None
    timezone: str | None = None

    def __attrs_post_init__(self) -> None:
        self._check(factorized=False)

    @classmethod
    def _from_factorized(
        cls,
        customer_index: IntArray,
        customer_ids: AnyArray,
        times: DatetimeArray,
        amounts: FloatArray,
        margins: FloatArray | None = None,
        currency: str | None = None,
        timezone: str | None = None,
    ) -> TransactionLog:
        """The constructor for ``(codes, uniques)`` of :func:`~ecomstrat.frames._arrays.factorize`.

        Those codes lie in range, the ids are distinct and each has an order by construction,
        so only the other invariants are checked: rechecking the ids would hash every distinct
        id again (for 5 million string ids, 1.6 s, as long as factorising them).
        """
        log = cls.__new__(cls)
        fields = (customer_index, customer_ids, times, amounts, margins, currency, timezone)
        for field, value in zip(attrs.fields(cls), fields, strict=True):
            object.__setattr__(log, field.name, value)
        log._check(factorized=True)
        return log

    def _check(self, *, factorized: bool) -> None:
        """Check every invariant (those of the customers only when not ``factorized``)."""
        n = check_same_length(
            customer_index=self.customer_index, times=self.times, amounts=self.amounts
        )
        if n == 0:
            raise EmptyInputError("the transaction log is empty: at least one order is needed.")
        self._check_dtypes()
        if not factorized:
            self._check_customers()
        if np.isnat(self.times).any():
            raise invalid("times", "NaT", "times must not be missing")
        if self.margins is not None:
            check_same_length(amounts=self.amounts, margins=self.margins)
        amounts_ok = bool(np.isfinite(self.amounts).all() and (self.amounts >= 0).all())
        margins_ok = self.margins is None or bool(np.isfinite(self.margins).all())
        if not (amounts_ok and margins_ok):  # locate the culprit by customer only on failure
            labels = self.customer_ids[self.customer_index]
            check_array_finite("amounts", self.amounts, labels)
            check_array_non_negative(
                "amounts", self.amounts, labels, "Record refunds as returns, not negative orders."
            )
            if self.margins is not None:
                check_array_finite("margins", self.margins, labels)
        if self.currency is not None:
            object.__setattr__(self, "currency", check_currency(self.currency))
        utc = isinstance(self.timezone, str) and self.timezone == "UTC"
        if self.timezone is not None and not utc:
            raise invalid("timezone", shown(self.timezone), "must be None (naive) or 'UTC'")
        for field in ("customer_index", "customer_ids", "times", "amounts", "margins"):
            value = getattr(self, field)
            if value is not None:
                object.__setattr__(self, field, frozen_view(value))

    def _check_customers(self) -> None:
        m = len(self.customer_ids)
        codes = self.customer_index
        if codes.min() < 0 or codes.max() >= m:
            bad = int(codes.min()) if codes.min() < 0 else int(codes.max())
            raise invalid("customer_index", bad, f"must lie in [0, {m}) (len(customer_ids))")
        unique_ids("customer_ids", self.customer_ids)
        orders = np.bincount(codes, minlength=m)
        if (orders == 0).any():
            raise invalid(
                "customer_ids",
                self.customer_ids[int(np.argmin(orders))],
                "has no order in the log: every customer needs one",
            )

    def _check_dtypes(self) -> None:
        expected = {
            "customer_index": np.dtype(np.int64),
            "times": NS,
            "amounts": np.dtype(np.float64),
            "margins": np.dtype(np.float64),
        }
        for field, dtype in expected.items():
            value = getattr(self, field)
            if value is not None and (not isinstance(value, np.ndarray) or value.dtype != dtype):
                got = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
                raise invalid(
                    field,
                    f"<{got}>",
                    f"must be a numpy array of {dtype}",
                    "Use TransactionLog.from_arrays to convert.",
                )

    @classmethod
    def from_arrays(
        cls,
        customer_ids: Sequence[Any] | AnyArray,
        times: Sequence[Any] | AnyArray,
        amounts: Sequence[float] | AnyArray,
        *,
        margins: Sequence[float] | AnyArray | None = None,
        currency: str | None = None,
        timezone: str | None = None,
    ) -> TransactionLog:
        """Build a log from one entry per order (any order, duplicates allowed).

        Parameters
        ----------
        customer_ids : array-like of int or str
            The customer of each order.
        times : array-like of datetime64, datetime, date or ISO 8601 str
            When each order was placed. Aware datetimes are converted to UTC.
        amounts : array-like of float
            Order values, finite and >= 0.
        margins : array-like of float, optional
            Gross margin per order.
        currency : str, optional
            ISO 4217 code of the amounts.
        timezone : {None, "UTC"}
            For ``datetime64`` input only: ``"UTC"`` if the values are UTC instants.
        """
        ids = as_ids("customer_ids", customer_ids)
        check_non_empty("customer_ids", ids)
        stamps, tz = to_datetime64("times", times, timezone)
        values = _float_column("amounts", amounts)
        check_same_length(customer_ids=ids, times=stamps, amounts=values)
        codes, uniques = factorize("customer_ids", ids)
        margin_values = None if margins is None else _float_column("margins", margins)
        return cls._from_factorized(codes, uniques, stamps, values, margin_values, currency, tz)

    @classmethod
    def from_orders(cls, orders: Iterable[Order], *, net_of_returns: bool = True) -> TransactionLog:
        """Build a log from :class:`~ecomstrat.Order` objects (all in one currency).

        ``net_of_returns`` subtracts each order's returned amount from its value. Margins are
        kept when every order has a cost.
        """
        rows = list(orders)
        if not rows:
            raise EmptyInputError("orders is empty: at least one order is needed.")
        currency = rows[0].amount.currency
        for i, order in enumerate(rows):
            if order.amount.currency != currency:
                raise CurrencyMismatchError(
                    f"orders[{i}] (order {order.order_id!r}) is in {order.amount.currency} but"
                    f" orders[0] is in {currency}: a log holds one currency. Convert first."
                )

        def value(order: Order) -> Money:
            return order.net_amount if net_of_returns else order.amount

        amounts = np.array([float(value(o).amount) for o in rows], dtype=np.float64)
        margins = None
        if all(o.cost is not None for o in rows):
            margins = np.array(
                [float((value(o) - o.cost).amount) for o in rows if o.cost is not None],
                dtype=np.float64,
            )
        ids = np.array([o.customer_id for o in rows], dtype=object)
        if all(isinstance(i, str) for i in ids) or all(isinstance(i, int) for i in ids):
            ids = np.array(ids.tolist())
        times = np.array([o.time for o in rows], dtype=object)
        return cls.from_arrays(ids, times, amounts, margins=margins, currency=currency)

    @property
    def n_transactions(self) -> int:
        """Number of orders."""
        return int(self.customer_index.shape[0])

    @property
    def n_customers(self) -> int:
        """Number of distinct customers."""
        return int(self.customer_ids.shape[0])

    def __len__(self) -> int:
        return self.n_transactions

    def __repr__(self) -> str:
        span = f"{self.times.min()} .. {self.times.max()}"
        tz = f", timezone={self.timezone!r}" if self.timezone else ""
        cur = f", currency={self.currency!r}" if self.currency else ""
        return (
            f"TransactionLog({self.n_transactions} orders, {self.n_customers} customers,"
            f" {span}{cur}{tz})"
        )

    def _export_timezone(self) -> str | None:
        return self.timezone

    def columns(self) -> dict[str, AnyArray]:
        """The log as named columns, one entry per order, with the original customer ids."""
        out: dict[str, AnyArray] = {
            "customer_id": self.customer_ids[self.customer_index],
            "time": self.times,
            "amount": self.amounts,
        }
        if self.margins is not None:
            out["margin"] = self.margins
        return out


def _float_column(name: str, values: Sequence[float] | AnyArray) -> FloatArray:
    return as_float_array(name, values, ndim=1)
