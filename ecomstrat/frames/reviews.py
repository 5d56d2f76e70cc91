"""Product reviews: one row per review (product, rating, time), optionally author and answer.

Who wrote the review and when the merchant answered are optional.

Products and customers are factorised to dense int64 codes (in order of first appearance),
so that the rating metrics (:mod:`ecomstrat.metrics.reviews`) count with ``bincount``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, DatetimeArray, IntArray
from ecomstrat._validation import check_non_empty, check_same_length, invalid, shown
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import as_ids, factorize, freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, to_datetime64

__all__ = ["Reviews"]


def _shown(value: object) -> object:
    """A short tuple as itself, anything else as :func:`shown` gives it."""
    return value if isinstance(value, tuple) and len(value) <= 4 else shown(value)


def _scale(scale: object) -> tuple[int, int]:
    """``(lowest, highest)`` star of the rating scale, whole numbers, lowest < highest."""
    try:
        low, high = cast("tuple[Any, Any]", scale)
    except (TypeError, ValueError):
        raise invalid("scale", _shown(scale), "must be a pair (lowest, highest)") from None
    whole = all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in (low, high))
    if not whole or low >= high:
        raise invalid("scale", _shown(scale), "must be two whole numbers, lowest < highest",
                      "E.g. (1, 5).")  # fmt: skip
    return int(low), int(high)


def _ratings(values: object, low: int, high: int) -> IntArray:
    from ecomstrat._validation import as_float_array

    array = as_float_array("ratings", values, ndim=1)
    bad = ~np.isfinite(array) | (array != np.round(array)) | (array < low) | (array > high)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(
            f"ratings[{i}]",
            float(array[i]),
            f"must be a whole number from {low} to {high} ({int(bad.sum())} such value(s))",
            "Drop reviews without a rating, or pass the scale you use, e.g. scale=(1, 10).",
        )
    return array.astype(np.int64)


def _optional_times(
    name: str, values: Sequence[Any] | AnyArray, timezone: str | None, n: int
) -> tuple[DatetimeArray, str | None]:
    """Times with missing entries (None, NaT, NaN, "") kept as NaT; the timezone found."""
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):
        raise invalid(name, f"<{type(values).__name__}>", "must be one-dimensional") from None
    if array.ndim != 1:
        raise invalid(name, shown(values), "must be a one-dimensional sequence of times")
    check_same_length(times=np.empty(n), **{name: array})
    out = np.full(n, np.datetime64("NaT", "ns"))
    if array.dtype.kind == "M":
        present = ~np.isnat(array)
        given: AnyArray = array[present]
        tz = timezone
    else:
        items = array.astype(object)
        present = np.array(
            [not (v is None or v == "" or (isinstance(v, float) and v != v)
                  or (isinstance(v, np.datetime64) and np.isnat(v))) for v in items],
            dtype=bool,
        )  # fmt: skip
        given = items[present]
        tz = None
    if present.any():
        parsed, tz = to_datetime64(name, given, tz if array.dtype.kind == "M" else None)
        out[present] = parsed
    return out, tz


@attrs.frozen(eq=False, repr=False)
class Reviews(Tabular):
    """Product reviews as columns: product, rating, time, and optionally customer and answer.

    Build it with :meth:`from_arrays` or an adapter in :mod:`ecomstrat.io.reviews` (pandas,
    polars, CSV). The constructor takes already-factorised columns and checks every
    invariant; arrays are stored as read-only views.

    Parameters
    ----------
    product_index : ndarray of int64
        Position of each review's product in ``product_ids``.
    product_ids : ndarray
        The distinct product ids (int or str), in order of first appearance.
    ratings : ndarray of int64
        Stars of each review, whole numbers on ``scale``.
    times : ndarray of datetime64[ns]
        When each review was posted.
    customer_index : ndarray of int64, optional
        Position of each review's author in ``customer_ids``.
    customer_ids : ndarray, optional
        The distinct customer ids, in order of first appearance.
    answered : ndarray of datetime64[ns], optional
        When the merchant answered each review; NaT where it was not answered. Never
        before the review.
    scale : (int, int)
        Lowest and highest star, default ``(1, 5)``.
    timezone : {None, "UTC"}
        How to read ``times`` and ``answered``.

    Examples
    --------
    >>> reviews = Reviews.from_arrays(
    ...     ["mug", "mug", "tee"], [5, 2, 4],
    ...     ["2024-01-01", "2024-01-03", "2024-01-02"],
    ...     customer_ids=["a", "b", "a"], answered=[None, "2024-01-04", None],
    ... )
    >>> reviews.n_reviews, reviews.n_products, reviews.product_ids.tolist()
    (3, 2, ['mug', 'tee'])
    >>> reviews.is_answered.tolist()
    [False, True, False]
    """

    product_index: IntArray
    product_ids: AnyArray
    ratings: IntArray
    times: DatetimeArray
    customer_index: IntArray | None = None
    customer_ids: AnyArray | None = None
    answered: DatetimeArray | None = None
    scale: tuple[int, int] = (1, 5)
    timezone: str | None = None

    def __attrs_post_init__(self) -> None:
        n = check_same_length(
            product_index=self.product_index, ratings=self.ratings, times=self.times
        )
        if n == 0:
            raise EmptyInputError("the reviews are empty: at least one review is needed.")
        low, high = _scale(self.scale)
        object.__setattr__(self, "scale", (low, high))
        for field in ("product_index", "ratings", "customer_index"):
            value = getattr(self, field)
            if value is not None and (
                not isinstance(value, np.ndarray) or value.dtype != np.int64 or value.shape != (n,)
            ):
                raise invalid(field, f"<{type(value).__name__}>",
                              f"must be an int64 array of {n} values",
                              "Use Reviews.from_arrays to convert.")  # fmt: skip
        for field in ("times", "answered"):
            value = getattr(self, field)
            if value is not None and (
                not isinstance(value, np.ndarray) or value.dtype != NS or value.shape != (n,)
            ):
                raise invalid(field, "<array>", f"must be datetime64[ns] of {n} values",
                              "Use Reviews.from_arrays to convert.")  # fmt: skip
        if np.isnat(self.times).any():
            i = int(np.argmax(np.isnat(self.times)))
            raise invalid(f"times[{i}]", "NaT", "must not be missing")
        _check_codes("product_index", self.product_index, len(self.product_ids))
        bad = (self.ratings < low) | (self.ratings > high)
        if bad.any():
            i = int(np.argmax(bad))
            raise invalid(f"ratings[{i}]", int(self.ratings[i]),
                          f"must lie on the scale {low}..{high}")  # fmt: skip
        if (self.customer_index is None) != (self.customer_ids is None):
            raise invalid("customer_ids", shown(self.customer_ids),
                          "goes with customer_index: give both")  # fmt: skip
        if self.customer_index is not None and self.customer_ids is not None:
            _check_codes("customer_index", self.customer_index, len(self.customer_ids))
        if self.answered is not None:
            early = ~np.isnat(self.answered) & (self.answered < self.times)
            if early.any():
                i = int(np.argmax(early))
                raise invalid(
                    f"answered[{i}]", str(self.answered[i]),
                    f"is before the review it answers ({self.times[i]})",
                    "Check the columns are not swapped; use NaT for unanswered reviews.",
                )  # fmt: skip
        utc = isinstance(self.timezone, str) and self.timezone == "UTC"
        if self.timezone is not None and not utc:
            raise invalid("timezone", shown(self.timezone), "must be None (naive) or 'UTC'")
        freeze_arrays(self)

    @classmethod
    def from_arrays(
        cls,
        product_ids: Sequence[Any] | AnyArray,
        ratings: Sequence[float] | AnyArray,
        times: Sequence[Any] | AnyArray,
        *,
        customer_ids: Sequence[Any] | AnyArray | None = None,
        answered: Sequence[Any] | AnyArray | None = None,
        scale: tuple[int, int] = (1, 5),
        timezone: str | None = None,
    ) -> Reviews:
        """Build the reviews from one entry per review (any order).

        Parameters
        ----------
        product_ids : array-like of int or str
            The product reviewed.
        ratings : array-like of int
            Stars given, whole numbers on ``scale``.
        times : array-like of datetime64, datetime, date or ISO 8601 str
            When each review was posted.
        customer_ids : array-like of int or str, optional
            Who wrote each review (needed to join reviews to lifecycle stages or tiers).
        answered : array-like of times, optional
            When the merchant answered each review; None, NaT or "" where not answered.
        scale : (int, int), default (1, 5)
            Lowest and highest star.
        timezone : {None, "UTC"}
            For ``datetime64`` input only: ``"UTC"`` if the values are UTC instants.

        Raises
        ------
        InvalidInputError
            If columns differ in length, a rating is off the scale or not whole, a time is
            missing, or an answer precedes its review.
        EmptyInputError
            If there is no review.
        """
        low, high = _scale(scale)
        ids = as_ids("product_ids", product_ids)
        check_non_empty("product_ids", ids)
        stamps, tz = to_datetime64("times", times, timezone)
        stars = _ratings(ratings, low, high)
        n = check_same_length(product_ids=ids, ratings=stars, times=stamps)
        product_index, product_uniques = factorize("product_ids", ids)
        customer_index, customer_uniques = None, None
        if customer_ids is not None:
            authors = as_ids("customer_ids", customer_ids)
            check_same_length(product_ids=ids, customer_ids=authors)
            customer_index, customer_uniques = factorize("customer_ids", authors)
        answers = None
        if answered is not None:
            answers, answer_tz = _optional_times("answered", answered, timezone, n)
            if (~np.isnat(answers)).any() and answer_tz != tz:
                raise invalid("answered", f"timezone {answer_tz!r}",
                              f"must be expressed like times (timezone {tz!r})")  # fmt: skip
        return cls(product_index, product_uniques, stars, stamps, customer_index,
                   customer_uniques, answers, (low, high), tz)  # fmt: skip

    @property
    def n_reviews(self) -> int:
        """Number of reviews."""
        return int(self.times.shape[0])

    @property
    def n_products(self) -> int:
        """Number of distinct products reviewed."""
        return int(self.product_ids.shape[0])

    @property
    def is_answered(self) -> AnyArray:
        """Whether the merchant answered each review (all False without ``answered``)."""
        if self.answered is None:
            return np.zeros(self.n_reviews, dtype=bool)
        return ~np.isnat(self.answered)

    def __len__(self) -> int:
        return self.n_reviews

    def __repr__(self) -> str:
        span = f"{self.times.min()} .. {self.times.max()}"
        return (
            f"Reviews({self.n_reviews} reviews, {self.n_products} products,"
            f" scale {self.scale[0]}-{self.scale[1]}, {span})"
        )

    def _export_timezone(self) -> str | None:
        return self.timezone

    def columns(self) -> dict[str, AnyArray]:
        """The reviews as named columns, with the original ids."""
        out: dict[str, AnyArray] = {
            "product_id": self.product_ids[self.product_index],
            "rating": self.ratings,
            "time": self.times,
        }
        if self.customer_index is not None and self.customer_ids is not None:
            out["customer_id"] = self.customer_ids[self.customer_index]
        if self.answered is not None:
            out["answered"] = self.answered
        return out


def _check_codes(name: str, codes: IntArray, m: int) -> None:
    if codes.size and codes.min() < 0:
        raise invalid(name, int(codes.min()), "must be >= 0")
    if codes.size and codes.max() >= m:
        raise invalid(name, int(codes.max()), f"must be < {m} (the number of ids)")
