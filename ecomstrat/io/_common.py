"""Checks and conversions shared by the adapters; numpy only.

Every adapter describes a row to the user the way their library addresses it
(``df['amount'].iloc[3]``, ``table['amount'][3]``, ``orders.csv line 5``) through a
:data:`Where` callable, so messages point at the cell to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from ecomstrat._typing import AnyArray, BoolArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames._foreign import missing_column
from ecomstrat.frames._time import _MIXED, to_ns
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog

__all__ = [
    "MIXED",
    "OrderColumns",
    "Where",
    "check_amounts",
    "check_missing",
    "datetime_ns",
    "make_log",
    "make_summary",
    "missing_column",
    "one_kind_ids",
]


class OrderColumns(NamedTuple):
    """Which columns of a table of orders hold the customer, time, amount and margin."""

    customer_id: str
    time: str
    amount: str
    margin: str | None

    def mapping(self) -> dict[str, str | None]:
        """Argument name -> column name (``margin`` is None when no column is mapped)."""
        return self._asdict()

    def names(self) -> list[str]:
        """The mapped columns, each once, in argument order."""
        return list(dict.fromkeys(n for n in self.mapping().values() if n is not None))


#: Maps a row position to how the user addresses that cell, e.g. ``"df['time'].iloc[3]"``.
Where = Callable[[int], str]

#: The rule broken by mixing naive and timezone-aware times (worded as in ``frames``).
MIXED = _MIXED.rstrip(".")


def check_missing(missing: BoolArray, where: Where, shown: str, what: str) -> None:
    """Raise naming the first row flagged in ``missing``."""
    if missing.any():
        i = int(np.argmax(missing))
        raise InvalidInputError(
            f"{where(i)}={shown} is invalid: every row needs a {what}"
            f" ({int(missing.sum())} missing in all). Drop or fill those rows first."
        )


def check_amounts(values: FloatArray, where: Where, *, non_negative: bool) -> FloatArray:
    """Return float64 ``values`` after checking they are finite (and >= 0 if asked)."""
    check_missing(np.isnan(values), where, "NaN", "value")
    infinite = np.isinf(values)
    if infinite.any():
        i = int(np.argmax(infinite))
        raise invalid(where(i), float(values[i]), "must be a finite number")
    if non_negative:
        negative = values < 0
        if negative.any():
            i = int(np.argmax(negative))
            raise invalid(
                where(i),
                float(values[i]),
                f"must be >= 0 ({int(negative.sum())} in all)",
                "Record refunds as returns, not as negative orders.",
            )
    return values


def datetime_ns(values: AnyArray, where: Where) -> DatetimeArray:
    """Return ``datetime64`` values of any unit as ``datetime64[ns]``, checking NaT and range.

    Nanosecond input is returned as is (no copy).
    """
    check_missing(np.isnat(values), where, "NaT", "time")
    return to_ns(values, where)


def one_kind_ids(uniques: AnyArray, arg: str) -> AnyArray:
    """Return distinct ids as a native numpy array: int64 for integers, ``str_`` for strings."""
    if uniques.dtype.kind in "iu":
        return uniques
    if uniques.dtype.kind == "U":
        return uniques
    values = uniques.tolist()
    if all(isinstance(v, str) for v in values):
        return np.array(values, dtype=str)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    kinds = sorted({type(v).__name__ for v in values})
    raise invalid(
        arg,
        f"ids of types {', '.join(kinds)}",
        "customer ids must be all integers or all strings",
        "Convert the column to one type first.",
    )


def make_log(
    codes: IntArray,
    uniques: AnyArray,
    times: DatetimeArray,
    timezone: str | None,
    amounts: tuple[FloatArray, Where],
    margins: tuple[FloatArray, Where] | None,
    currency: str | None,
) -> TransactionLog:
    """Check the amounts (>= 0) and margins, then build the :class:`TransactionLog`.

    ``codes`` and ``uniques`` come from :func:`~ecomstrat.frames._arrays.factorize`;
    ``amounts`` and ``margins`` are the values with how to name their cells; the log checks
    every other invariant.
    """
    checked = None if margins is None else check_amounts(*margins, non_negative=False)
    return TransactionLog._from_factorized(
        codes.astype(np.int64, copy=False),
        uniques,
        times,
        check_amounts(*amounts, non_negative=True),
        checked,
        currency,
        timezone,
    )


def make_summary(
    column: Callable[[str, str], tuple[FloatArray, Where]],
    names: Mapping[str, str | None],
    ids: Callable[[], AnyArray | None],
    time_unit: TimeUnit | str,
) -> CustomerSummary:
    """Read and check the summary columns, then the ids, and build the :class:`CustomerSummary`.

    ``names`` maps ``frequency``, ``recency``, ``T`` and ``monetary`` to the user's column
    names (``monetary`` may be ``None``); ``column(arg, name)`` reads one as float64 with how
    to name its cells; ``ids()`` reads the ids (``None``: row numbers) after the columns, so a
    missing column is reported first.
    """
    arrays = {
        arg: check_amounts(*column(arg, name), non_negative=False)
        for arg, name in names.items()
        if name is not None
    }
    return CustomerSummary.from_arrays(
        arrays["frequency"],
        arrays["recency"],
        arrays["T"],
        arrays.get("monetary"),
        customer_ids=ids(),
        time_unit=time_unit,
    )
