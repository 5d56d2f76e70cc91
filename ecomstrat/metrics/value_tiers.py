"""Value tiers: split customers by their value (CLV or historical) and say what each tier holds.

Two ways to tier: by rank (:func:`value_tiers`: the top 1 %, the next customers up to the top
10 %, the rest) or by value thresholds (:func:`value_tiers_by_threshold`: high, mid, low). Tier
code 0 is always the most valuable tier. Ties are resolved the same way every time, whatever
the order of the input: see each function.

Examples
--------
>>> tiers = value_tiers([500.0, 40.0, 30.0, 20.0, 10.0], top_shares=(0.2, 0.6))
>>> tiers.labels().tolist()
['top 20%', 'top 60%', 'top 60%', 'rest', 'rest']
>>> tiers.value_shares["top 20%"]
0.8333333333333334
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import (
    check_array_finite,
    check_array_non_negative,
    check_finite,
    check_non_empty,
    check_same_length,
    invalid,
    shown,
)
from ecomstrat.frames._arrays import frozen_view, unique_ids
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._labels import LabelCodes, LabelledAssignment

__all__ = [
    "ValueConcentration",
    "ValueTiers",
    "check_top_shares",
    "top_value_share",
    "value_concentration",
    "value_tiers",
    "value_tiers_by_threshold",
]

#: Default rank tiers: the top 1 % and the top 10 % of customers by value.
TOP_SHARES = (0.01, 0.10)


@attrs.frozen(eq=False, repr=False)
class ValueTiers(LabelledAssignment):
    """The value tier of each customer, and how customers and value spread over the tiers.

    ``labels()``, ``counts``, ``shares`` (of the customers) and ``ids_in(tier)`` come from
    the labelled-assignment base shared with lifecycle stages and RFM segments;
    :attr:`value_shares` is the share of the value.

    Parameters
    ----------
    customer_ids : ndarray
        One id per customer (``0..n-1`` when none were given).
    values : ndarray of float64
        The value each customer was tiered by.
    codes : ndarray of int8
        Tier of each customer: 0 is the most valuable tier.
    names : tuple of str
        Tier labels indexed by code.
    """

    _label_column: ClassVar[str] = "tier"

    customer_ids: AnyArray
    values: FloatArray
    codes: LabelCodes
    names: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        check_same_length(customer_ids=self.customer_ids, values=self.values)
        self._freeze_codes()
        for field in ("customer_ids", "values"):
            object.__setattr__(self, field, frozen_view(getattr(self, field)))

    @property
    def total_value(self) -> float:
        """Sum of the values of all customers."""
        return float(self.values.sum())

    @property
    def value_shares(self) -> dict[str, float]:
        """Share of the total value each tier holds (sums to 1; NaN when the total is 0)."""
        sums = np.bincount(self.codes, weights=self.values, minlength=len(self.names))
        total = float(sums.sum())
        if total == 0:
            return dict.fromkeys(self.names, math.nan)
        return {name: float(s) / total for name, s in zip(self.names, sums, strict=True)}

    def _more_columns(self) -> dict[str, AnyArray]:
        return {"value": self.values}


def check_top_shares(top_shares: object) -> tuple[float, ...]:
    """``top_shares`` as floats, checked: at least one, strictly increasing, each in (0, 1).

    Examples
    --------
    >>> check_top_shares([0.01, 0.1])
    (0.01, 0.1)
    """
    if isinstance(top_shares, str) or not isinstance(top_shares, Sequence | np.ndarray):
        raise invalid(
            "top_shares", shown(top_shares), "must be a sequence of shares", "E.g. (0.01, 0.10)."
        )
    shares = tuple(check_finite(f"top_shares[{i}]", s) for i, s in enumerate(top_shares))
    check_non_empty("top_shares", shares)
    for i, s in enumerate(shares):
        if not 0 < s < 1:
            raise invalid(f"top_shares[{i}]", s, "must lie in (0, 1)", "Give 1 % as 0.01.")
        if i and s <= shares[i - 1]:
            raise invalid(
                "top_shares",
                shares,
                "must be strictly increasing (the smallest, most valuable tier first)",
            )
    return shares


def value_tiers(
    values: Sequence[float] | AnyArray,
    *,
    top_shares: Sequence[float] = TOP_SHARES,
    customer_ids: Sequence[Any] | AnyArray | None = None,
    names: Sequence[str] | None = None,
) -> ValueTiers:
    """Tier customers by rank: the top ``top_shares[0]``, then up to ``top_shares[1]``, …, rest.

    With ``n`` customers, the tier of share ``s`` has room for ``k = ceil(s * n)`` customers
    counted from the top. Customer ``i`` is in the first tier whose room holds every customer
    worth at least as much as ``i`` (``#{j : v_j >= v_i} <= k``). So tied customers always
    share a tier, and a tie across a boundary falls into the *lower* tier: a tier never holds
    more than its room, and may hold fewer.

    Parameters
    ----------
    values : array-like of float
        Per-customer value (CLV or historical spend), finite and >= 0.
    top_shares : sequence of float, default (0.01, 0.10)
        Cumulative shares of customers, strictly increasing, in (0, 1).
    customer_ids : array-like, optional
        Ids aligned with ``values`` (default ``0..n-1``).
    names : sequence of str, optional
        Tier labels, one more than ``top_shares``; default ``"top 1%"``, ``"top 10%"``,
        ``"rest"`` (``"top 10%"`` holds the customers of the top 10 % not in the top 1 %).

    Returns
    -------
    ValueTiers
        Tier 0 is the top ``top_shares[0]``; the last tier, the rest.

    Raises
    ------
    InvalidInputError
        If ``values`` is empty or has a negative or non-finite value, or ``top_shares`` is
        not strictly increasing within (0, 1).

    Examples
    --------
    >>> t = value_tiers([9.0, 5.0, 5.0, 1.0], top_shares=(0.25, 0.5))
    >>> t.codes.tolist(), t.names
    ([0, 2, 2, 2], ('top 25%', 'top 50%', 'rest'))
    """
    v, ids = _values(values, customer_ids)
    shares = check_top_shares(top_shares)
    labels = _names(names, len(shares) + 1, [*(f"top {s * 100:g}%" for s in shares), "rest"])
    n = v.size
    # round() first: 0.07 * 100 is 7.000000000000001, whose ceiling would be 8.
    room = np.array([math.ceil(round(s * n, 9)) for s in shares], dtype=np.int64)
    ordered = np.sort(v)
    at_least = n - np.searchsorted(ordered, v, side="left")
    codes = np.searchsorted(room, at_least, side="left").astype(np.int8)
    return ValueTiers(ids, v, codes, labels)


def value_tiers_by_threshold(
    values: Sequence[float] | AnyArray,
    *,
    thresholds: Sequence[float],
    customer_ids: Sequence[Any] | AnyArray | None = None,
    names: Sequence[str] | None = None,
) -> ValueTiers:
    """Tier customers by value thresholds: tier 0 from ``thresholds[0]`` up, and so on.

    Customer ``i`` is in tier ``#{t in thresholds : v_i < t}``: a value equal to a threshold
    belongs to the tier above it.

    Parameters
    ----------
    values : array-like of float
        Per-customer value, finite and >= 0.
    thresholds : sequence of float
        Lower bounds of the tiers, strictly decreasing (highest first).
    customer_ids : array-like, optional
        Ids aligned with ``values`` (default ``0..n-1``).
    names : sequence of str, optional
        Tier labels, one more than ``thresholds``; default ``("high", "mid", "low")`` for two
        thresholds, ``("high", "low")`` for one, ``tier 1``, ``tier 2``… otherwise.

    Returns
    -------
    ValueTiers
        Tier 0 holds the values from ``thresholds[0]`` up.

    Raises
    ------
    InvalidInputError
        If the thresholds are not strictly decreasing, or ``values`` is invalid.

    Examples
    --------
    >>> t = value_tiers_by_threshold([250.0, 100.0, 40.0, 0.0], thresholds=(200, 50))
    >>> t.labels().tolist(), t.counts
    (['high', 'mid', 'low', 'low'], {'high': 1, 'mid': 1, 'low': 2})
    """
    v, ids = _values(values, customer_ids)
    cut = np.asarray([float(t) for t in thresholds], dtype=np.float64)
    check_non_empty("thresholds", cut)
    if not np.isfinite(cut).all():
        raise invalid("thresholds", tuple(cut.tolist()), "must be finite numbers")
    if (np.diff(cut) >= 0).any():
        raise invalid(
            "thresholds",
            tuple(cut.tolist()),
            "must be strictly decreasing (the highest tier's lower bound first)",
            f"Did you mean {tuple(sorted(set(cut.tolist()), reverse=True))}?",
        )
    defaults = {1: ["high", "low"], 2: ["high", "mid", "low"]}
    fallback = defaults.get(cut.size, [f"tier {i + 1}" for i in range(cut.size + 1)])
    labels = _names(names, cut.size + 1, fallback)
    codes = (v[:, None] < cut[None, :]).sum(axis=1).astype(np.int8)
    return ValueTiers(ids, v, codes, labels)


def _top_count(share: float, n: int) -> int:
    """How many customers the top ``share`` of ``n`` is: ``ceil(share n)``, at least one."""
    return max(1, math.ceil(round(share * n, 9)))


def top_value_share(values: FloatArray, share: float) -> float | None:
    """Share of the total held by the ``ceil(share n)`` largest values (None: total <= 0)."""
    total = float(values.sum())
    if values.size == 0 or total <= 0:
        return None
    k = _top_count(share, values.size)
    return float(np.partition(values, values.size - k)[values.size - k :].sum()) / total


@attrs.frozen(eq=False, repr=False)
class ValueConcentration(Tabular):
    """How concentrated value is: the Lorenz curve of the customers, most valuable first.

    Attributes
    ----------
    customer_share : ndarray of float64
        ``k / n`` for ``k = 0 … n``.
    value_share : ndarray of float64
        Share of the total value held by the ``k`` most valuable customers (0 … 1).
    gini : float
        The Gini coefficient: 0 when every customer is worth the same, ``1 - 1/n`` when one
        holds everything; twice the area between the curve and the diagonal.
    """

    customer_share: FloatArray
    value_share: FloatArray
    gini: float

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "customer_share", frozen_view(self.customer_share))
        object.__setattr__(self, "value_share", frozen_view(self.value_share))

    def __repr__(self) -> str:
        return f"ValueConcentration({self.n_customers:,} customers, Gini {self.gini:.3f})"

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return int(self.customer_share.size - 1)

    def top_share(self, share: float) -> float:
        """Share of the value held by the top ``share`` of the customers (``ceil(share n)``)."""
        if not 0 < check_finite("share", share) <= 1:
            raise invalid("share", share, "must lie in (0, 1]", "The top 10% is 0.1.")
        return float(self.value_share[_top_count(share, self.n_customers)])

    def columns(self) -> dict[str, AnyArray]:
        """``customer_share`` and ``value_share``: the ``n + 1`` points of the curve."""
        return {"customer_share": self.customer_share, "value_share": self.value_share}


def value_concentration(values: Sequence[float] | AnyArray) -> ValueConcentration:
    """The Lorenz curve and Gini coefficient of per-customer values.

    Parameters
    ----------
    values : array-like of float
        One value per customer (finite, >= 0, not all 0): predicted CLV, revenue, margin.

    Returns
    -------
    ValueConcentration

    Notes
    -----
    With the values sorted in decreasing order, ``value_share[k]`` is the sum of the first
    ``k`` over the total. The Gini coefficient is ``2 A - 1`` with ``A`` the trapezoid area
    under the curve, which equals the sample Gini ``Σ_i Σ_j |v_i − v_j| / (2 n² mean)``
    (Gini 1912).

    Examples
    --------
    >>> c = value_concentration([0.0, 0.0, 0.0, 8.0])
    >>> c.gini, c.top_share(0.25)
    (0.75, 1.0)
    """
    v, _ = _values(values, None, "Measure the concentration of a non-negative value.")
    total = float(v.sum())
    if total <= 0:
        raise invalid("values", "<all 0>", "must not all be 0: there is no value to share out")
    n = v.size
    share = np.concatenate(([0.0], np.cumsum(np.sort(v)[::-1]) / total))
    share[-1] = 1.0  # exact, whatever the rounding of the sum
    area = float(np.sum(share[:-1] + share[1:])) / (2.0 * n)
    customers = np.arange(n + 1, dtype=np.float64) / n
    return ValueConcentration(customers, share, max(0.0, 2.0 * area - 1.0))


def _values(
    values: Sequence[float] | AnyArray,
    customer_ids: Sequence[Any] | AnyArray | None,
    fix: str = "Tier by a non-negative value (clip it first).",
) -> tuple[FloatArray, AnyArray]:
    try:
        v = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise invalid("values", "non-numeric values", "must be numbers") from error
    if v.ndim != 1:
        raise invalid("values", f"array of shape {v.shape}", "must be one-dimensional")
    check_non_empty("values", v)
    ids = np.arange(v.size) if customer_ids is None else np.asarray(customer_ids)
    check_same_length(values=v, customer_ids=ids)
    check_array_finite("values", v, ids)
    check_array_non_negative("values", v, ids, fix)
    unique_ids("customer_ids", ids)
    return v, ids


def _names(names: Sequence[str] | None, count: int, default: Sequence[str]) -> tuple[str, ...]:
    labels = tuple(default) if names is None else tuple(str(n) for n in names)
    if len(labels) != count:
        raise invalid("names", labels, f"must hold {count} labels, one per tier")
    return labels
