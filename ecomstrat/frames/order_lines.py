"""Order lines: what each order held, one row per (order, product) line, ids factorised."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
)
from ecomstrat.frames._arrays import as_ids, factorize, freeze_arrays, unique_ids
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, to_datetime64

__all__ = ["OrderLines"]


def _codes(name: str, values: object) -> tuple[IntArray, AnyArray]:
    """Codes and distinct ids (an :class:`~ecomstrat.frames._ids.IdIndex`; not rehashed later)."""
    return factorize(name, values)


@attrs.frozen(eq=False, repr=False)
class OrderLines(Tabular):
    """The lines of orders: which product (or category) each order held, how many, for how much.

    The basket data beside a :class:`~ecomstrat.TransactionLog` (which has one row per order
    and no product dimension). Build it with :meth:`from_arrays` or an adapter in
    :mod:`ecomstrat.io` (:func:`~ecomstrat.io.order_lines_from_pandas`, ``..._from_polars``,
    ``..._from_csv``). Order, product and customer ids are factorised to dense int64 codes
    (numbered in order of first appearance); arrays are stored as read-only views.

    Parameters
    ----------
    order_index : ndarray of int64
        Position of each line's order in ``order_ids``.
    order_ids : ndarray
        The distinct order ids.
    product_index : ndarray of int64
        Position of each line's product in ``product_ids``.
    product_ids : ndarray
        The distinct product (or category) ids.
    quantities : ndarray of float64
        Units on each line (finite, > 0).
    amounts : ndarray of float64, optional
        Value of each line (finite, >= 0).
    customer_index : ndarray of int64, optional
        Position of each line's customer in ``customer_ids``; one customer per order.
    customer_ids : ndarray, optional
        The distinct customer ids (given together with ``customer_index``).
    times : ndarray of datetime64[ns], optional
        When each line's order was placed (the same for every line of an order).
    returned_quantities : ndarray of float64, optional
        Units of each line returned (finite, ``0 <= returned <= quantity``).

    Examples
    --------
    >>> lines = OrderLines.from_arrays(
    ...     ["o1", "o1", "o2"], ["milk", "bread", "milk"], customer_ids=["a", "a", "b"]
    ... )
    >>> lines.n_lines, lines.n_orders, lines.n_products, lines.n_customers
    (3, 2, 2, 2)
    >>> lines.product_ids.tolist(), lines.quantities.tolist()
    (['milk', 'bread'], [1.0, 1.0, 1.0])
    """

    order_index: IntArray
    order_ids: AnyArray
    product_index: IntArray
    product_ids: AnyArray
    quantities: FloatArray
    amounts: FloatArray | None = None
    customer_index: IntArray | None = None
    customer_ids: AnyArray | None = None
    times: DatetimeArray | None = None
    returned_quantities: FloatArray | None = None

    def __attrs_post_init__(self) -> None:
        n = check_same_length(
            order_index=self.order_index,
            product_index=self.product_index,
            quantities=self.quantities,
        )
        if n == 0:
            raise invalid("order_index", "<empty>", "must hold at least one line")
        for name, codes, ids in (
            ("order_index", self.order_index, self.order_ids),
            ("product_index", self.product_index, self.product_ids),
        ):
            _check_codes(name, codes, len(ids))
        unique_ids("order_ids", self.order_ids)
        unique_ids("product_ids", self.product_ids)
        check_array_finite("quantities", self.quantities)
        if (self.quantities <= 0).any():
            i = int(np.argmax(self.quantities <= 0))
            raise invalid(
                f"quantities[{i}]", float(self.quantities[i]), "must be > 0", "Drop returned lines."
            )
        if self.amounts is not None:
            check_same_length(order_index=self.order_index, amounts=self.amounts)
            check_array_finite("amounts", self.amounts)
            check_array_non_negative("amounts", self.amounts)
        if (self.customer_index is None) != (self.customer_ids is None):
            raise invalid(
                "customer_ids",
                "<given without customer_index>" if self.customer_index is None else None,
                "customer_index and customer_ids come together",
            )
        if self.customer_index is not None and self.customer_ids is not None:
            check_same_length(order_index=self.order_index, customer_index=self.customer_index)
            _check_codes("customer_index", self.customer_index, len(self.customer_ids))
            unique_ids("customer_ids", self.customer_ids)
            owner = np.full(len(self.order_ids), -1, dtype=np.int64)
            owner[self.order_index] = self.customer_index
            clash = owner[self.order_index] != self.customer_index
            if clash.any():
                i = int(np.argmax(clash))
                raise invalid(
                    f"customer_ids[{i}]",
                    self.customer_ids[self.customer_index[i]],
                    f"differs from another line of order {self.order_ids[self.order_index[i]]!r}:"
                    " an order has one customer",
                )
        self._check_times_and_returns()
        freeze_arrays(self)

    def _check_times_and_returns(self) -> None:
        if self.times is not None:
            if not isinstance(self.times, np.ndarray) or self.times.dtype != NS:
                raise invalid("times", "<array>", "must be datetime64[ns]", "Use from_arrays.")
            check_same_length(order_index=self.order_index, times=self.times)
            if np.isnat(self.times).any():
                raise invalid("times", "NaT", "times must not be missing")
            first = np.full(len(self.order_ids), np.datetime64("NaT"), dtype=NS)
            first[self.order_index] = self.times
            clash = first[self.order_index] != self.times
            if clash.any():
                i = int(np.argmax(clash))
                raise invalid(
                    f"times[{i}]",
                    str(self.times[i]),
                    f"differs from another line of order {self.order_ids[self.order_index[i]]!r}:"
                    " an order has one time",
                )
        if self.returned_quantities is not None:
            returned = self.returned_quantities
            check_same_length(order_index=self.order_index, returned_quantities=returned)
            check_array_finite("returned_quantities", returned)
            check_array_non_negative("returned_quantities", returned)
            over = returned > self.quantities
            if over.any():
                i = int(np.argmax(over))
                raise invalid(
                    f"returned_quantities[{i}]",
                    float(returned[i]),
                    f"must be <= the line's quantity ({float(self.quantities[i])})",
                )

    @classmethod
    def from_arrays(
        cls,
        order_ids: Sequence[Any] | AnyArray,
        product_ids: Sequence[Any] | AnyArray,
        *,
        quantities: Sequence[float] | AnyArray | None = None,
        amounts: Sequence[float] | AnyArray | None = None,
        customer_ids: Sequence[Any] | AnyArray | None = None,
        times: Sequence[Any] | AnyArray | None = None,
        returned_quantities: Sequence[float] | AnyArray | None = None,
    ) -> OrderLines:
        """Build order lines from one entry per line (any order; an order may repeat a product).

        Parameters
        ----------
        order_ids : array-like of int or str
            The order of each line.
        product_ids : array-like of int or str
            The product (or category) of each line.
        quantities : array-like of float, optional
            Units per line (> 0); 1 when omitted.
        amounts : array-like of float, optional
            Value per line (>= 0).
        customer_ids : array-like of int or str, optional
            The customer of each line (the same for every line of an order); needed by
            :func:`~ecomstrat.metrics.affinity.next_best_products`.
        times : array-like of datetime64, datetime, date or ISO 8601 str, optional
            When each line's order was placed (aware datetimes are converted to UTC); needed
            by the period filters of :func:`~ecomstrat.metrics.products.product_performance`.
        returned_quantities : array-like of float, optional
            Units of each line returned (``0 <= returned <= quantity``).
        """
        orders = as_ids("order_ids", order_ids)
        check_non_empty("order_ids", orders)
        products = as_ids("product_ids", product_ids)
        n = check_same_length(order_ids=orders, product_ids=products)
        qty = (
            np.ones(n, dtype=np.float64)
            if quantities is None
            else as_float_array("quantities", quantities, ndim=1)
        )
        values = None if amounts is None else as_float_array("amounts", amounts, ndim=1)
        check_same_length(order_ids=orders, quantities=qty)
        order_index, order_uniques = _codes("order_ids", orders)
        product_index, product_uniques = _codes("product_ids", products)
        customer_index = customer_uniques = None
        if customer_ids is not None:
            customers = as_ids("customer_ids", customer_ids)
            check_same_length(order_ids=orders, customer_ids=customers)
            customer_index, customer_uniques = _codes("customer_ids", customers)
        stamps = None
        if times is not None:
            stamps, _ = to_datetime64("times", times)
            check_same_length(order_ids=orders, times=stamps)
        returned = None
        if returned_quantities is not None:
            returned = as_float_array("returned_quantities", returned_quantities, ndim=1)
            check_same_length(order_ids=orders, returned_quantities=returned)
        return cls(
            order_index,
            order_uniques,
            product_index,
            product_uniques,
            qty,
            values,
            customer_index,
            customer_uniques,
            stamps,
            returned,
        )

    @property
    def n_lines(self) -> int:
        """Number of lines."""
        return int(self.order_index.shape[0])

    @property
    def n_orders(self) -> int:
        """Number of distinct orders (baskets)."""
        return int(self.order_ids.shape[0])

    @property
    def n_products(self) -> int:
        """Number of distinct products (or categories)."""
        return int(self.product_ids.shape[0])

    @property
    def n_customers(self) -> int:
        """Number of distinct customers (0 without customer ids)."""
        return 0 if self.customer_ids is None else int(self.customer_ids.shape[0])

    def __len__(self) -> int:
        return self.n_lines

    def __repr__(self) -> str:
        who = f", {self.n_customers} customers" if self.customer_ids is not None else ""
        return (
            f"OrderLines({self.n_lines} lines, {self.n_orders} orders,"
            f" {self.n_products} products{who})"
        )

    def columns(self) -> dict[str, AnyArray]:
        """One row per line, with the original ids.

        Columns ``order_id``, ``customer_id`` (if any), ``time`` (if any), ``product_id``,
        ``quantity``, ``amount`` (if any) and ``returned_quantity`` (if any).
        """
        out: dict[str, AnyArray] = {"order_id": self.order_ids[self.order_index]}
        if self.customer_ids is not None and self.customer_index is not None:
            out["customer_id"] = self.customer_ids[self.customer_index]
        if self.times is not None:
            out["time"] = self.times
        out["product_id"] = self.product_ids[self.product_index]
        out["quantity"] = self.quantities
        if self.amounts is not None:
            out["amount"] = self.amounts
        if self.returned_quantities is not None:
            out["returned_quantity"] = self.returned_quantities
        return out


def _check_codes(name: str, codes: object, n_ids: int) -> None:
    if not isinstance(codes, np.ndarray) or codes.dtype != np.int64 or codes.ndim != 1:
        got = codes.dtype if isinstance(codes, np.ndarray) else type(codes).__name__
        raise invalid(
            name,
            f"<{got}>",
            "must be a one-dimensional numpy array of int64",
            "Use OrderLines.from_arrays to factorise ids.",
        )
    if codes.size and (codes.min() < 0 or codes.max() >= n_ids):
        bad = int(codes.min()) if codes.min() < 0 else int(codes.max())
        raise invalid(name, bad, f"must lie in [0, {n_ids})")
