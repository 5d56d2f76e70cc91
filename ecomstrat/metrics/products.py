"""Product performance from order lines: revenue, margin, returns, repeat buyers, ABC classes.

:func:`product_performance` totals :class:`~ecomstrat.OrderLines` per product (or per
category, with ``by=`` a mapping) over a period: revenue net of returns, units, margin,
return rate, customers and the share of them who bought the product again.
:func:`abc_classes` ranks the products by revenue into Pareto classes A / B / C;
:func:`product_classes` sorts them into star / steady / declining / underperformer from the
revenue growth between two periods and the margin; :func:`first_product_cohorts` shows which
products, bought in a customer's first purchase, bring customers who come back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import check_finite, check_unit_interval, invalid
from ecomstrat.frames._arrays import factorize, frozen_view
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import to_datetime64
from ecomstrat.frames.order_lines import OrderLines
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.engagement import wilson_interval

__all__ = [
    "AbcClasses",
    "FirstProductCohorts",
    "ProductClasses",
    "ProductPerformance",
    "abc_classes",
    "first_product_cohorts",
    "product_classes",
    "product_performance",
]

#: The classes of :func:`product_classes`, in the order the rules are tried.
PRODUCT_CLASSES = ("declining", "underperformer", "star", "steady")


def _frozen(obj: Any) -> None:
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if isinstance(value, np.ndarray):
            object.__setattr__(obj, field.name, frozen_view(value))


def _check_lines(lines: object) -> OrderLines:
    if not isinstance(lines, OrderLines):
        raise invalid(
            "lines",
            f"<{type(lines).__name__}>",
            "must be OrderLines",
            "Build them with OrderLines.from_arrays or an ecomstrat.io adapter.",
        )
    return lines


def _groups(lines: OrderLines, by: object) -> tuple[IntArray, AnyArray]:
    """Group code of each line and the distinct group ids (products, or categories)."""
    if isinstance(by, str):
        if by != "product":
            raise invalid("by", by, "must be 'product' or a mapping product id -> category")
        return lines.product_index, lines.product_ids
    if not isinstance(by, Mapping):
        raise invalid("by", f"<{type(by).__name__}>", "must be 'product' or a mapping")
    labels = []
    for pid in lines.product_ids.tolist():
        if pid not in by:
            raise invalid("by", f"<mapping without {pid!r}>", "must give every product a group")
        labels.append(by[pid])
    group_of_product, group_ids = factorize("by", np.array(labels))
    return group_of_product[lines.product_index], group_ids


def _instant(name: str, value: object) -> np.datetime64:
    stamps, _ = to_datetime64(name, [value])
    return np.datetime64(stamps[0], "ns")


def _period_mask(
    lines: OrderLines, start: object, end: object, name: str = "period"
) -> tuple[AnyArray, np.datetime64 | None, np.datetime64 | None]:
    """Lines with ``start <= time < end`` (all lines when both are None)."""
    mask = np.ones(lines.n_lines, dtype=bool)
    if start is None and end is None:
        return mask, None, None
    if lines.times is None:
        raise invalid(
            f"{name}_start" if start is not None else f"{name}_end",
            str(start if start is not None else end),
            "needs order lines with times",
            "Give times= to OrderLines.from_arrays (or time= to the adapter).",
        )
    t0 = None if start is None else _instant(f"{name}_start", start)
    t1 = None if end is None else _instant(f"{name}_end", end)
    if t0 is not None and t1 is not None and not t0 < t1:
        raise invalid(f"{name}_end", str(t1), f"must be after {name}_start ({t0})")
    if t0 is not None:
        mask &= lines.times >= t0
    if t1 is not None:
        mask &= lines.times < t1
    return mask, t0, t1


def _line_costs(
    lines: OrderLines, gross_margin_rate: float | None, unit_costs: Mapping[Any, float] | None
) -> tuple[float | None, FloatArray | None]:
    """The margin rate, or each product's unit cost (only one of them; both None: no margin)."""
    if gross_margin_rate is not None and unit_costs is not None:
        raise invalid("unit_costs", "<given>", "excludes gross_margin_rate: give one of them")
    if gross_margin_rate is not None:
        rate = check_finite("gross_margin_rate", gross_margin_rate)
        if not rate <= 1.0:
            raise invalid("gross_margin_rate", gross_margin_rate, "must be <= 1 (a fraction)")
        return rate, None
    if unit_costs is None:
        return None, None
    if not isinstance(unit_costs, Mapping):
        raise invalid("unit_costs", f"<{type(unit_costs).__name__}>", "must map product -> cost")
    costs = np.empty(lines.n_products, dtype=np.float64)
    for i, pid in enumerate(lines.product_ids.tolist()):
        if pid not in unit_costs:
            raise invalid("unit_costs", f"<mapping without {pid!r}>", "needs every product")
        cost = check_finite(f"unit_costs[{pid!r}]", unit_costs[pid])
        if cost < 0:
            raise invalid(f"unit_costs[{pid!r}]", cost, "must be >= 0")
        costs[i] = cost
    return None, costs


def _totals(
    lines: OrderLines,
    mask: AnyArray,
    codes: IntArray,
    n_groups: int,
    rate: float | None,
    costs: FloatArray | None,
) -> dict[str, Any]:
    """Per-group sums over the lines in ``mask`` (arrays of length ``n_groups``)."""
    if lines.amounts is None:
        raise invalid(
            "lines", repr(lines), "have no amounts", "Give amounts= (the value of each line)."
        )
    g = codes[mask]
    qty = lines.quantities[mask]
    amounts = lines.amounts[mask]
    returned = (
        np.zeros_like(qty) if lines.returned_quantities is None else lines.returned_quantities[mask]
    )
    gross = np.bincount(g, weights=amounts, minlength=n_groups)
    revenue = gross - np.bincount(g, weights=amounts * returned / qty, minlength=n_groups)
    revenue = np.maximum(revenue, 0.0)  # rounding: never below 0
    out: dict[str, Any] = {
        "gross_revenue": gross,
        "revenue": revenue,
        "units": np.bincount(g, weights=qty, minlength=n_groups),
        "returned_units": np.bincount(g, weights=returned, minlength=n_groups),
        "lines": np.bincount(g, minlength=n_groups),
        "margin": None,
    }
    if rate is not None:
        out["margin"] = rate * revenue
    elif costs is not None:
        cost = costs[lines.product_index[mask]] * (qty - returned)
        out["margin"] = revenue - np.bincount(g, weights=cost, minlength=n_groups)
    orders = lines.order_index[mask]
    pairs = np.unique(g * np.int64(lines.n_orders) + orders)
    pair_group = pairs // lines.n_orders
    out["orders"] = np.bincount(pair_group, minlength=n_groups).astype(np.int64)
    out["customers"] = out["repeat_customers"] = None
    if lines.customer_index is not None:
        owner = np.empty(lines.n_orders, dtype=np.int64)
        owner[lines.order_index] = lines.customer_index
        keys = pair_group * np.int64(lines.n_customers) + owner[pairs % lines.n_orders]
        who, n_orders = np.unique(keys, return_counts=True)
        who_group = who // lines.n_customers
        out["customers"] = np.bincount(who_group, minlength=n_groups).astype(np.int64)
        out["repeat_customers"] = np.bincount(
            who_group, weights=n_orders >= 2, minlength=n_groups
        ).astype(np.int64)
    return out


@attrs.frozen(eq=False, repr=False)
class ProductPerformance(Tabular):
    """Sales, margin, returns and buyers of each product (or category) over a period.

    One row per product with at least one line in the period, sorted by revenue (largest
    first; ties in order of first appearance). Columns: ``revenue`` (line amounts net of
    returns: each line loses ``amount x returned / quantity``), ``gross_revenue``, ``units``
    and ``returned_units``, ``return_rate = returned_units / units`` with its Wilson interval
    (NaN bounds when units are not whole numbers), ``margin`` (see
    :func:`product_performance`), ``orders`` holding it, ``customers`` who bought it,
    ``repeat_customers`` who bought it in two or more orders, ``repeat_rate =
    repeat_customers / customers`` with its Wilson interval, and ``revenue_share`` of the
    period's total revenue. The customer columns are None without customer ids, ``margin``
    without a margin rate or unit costs.
    """

    product_ids: AnyArray
    revenue: FloatArray
    gross_revenue: FloatArray
    units: FloatArray
    returned_units: FloatArray
    return_rate: FloatArray
    return_rate_low: FloatArray
    return_rate_high: FloatArray
    orders: IntArray
    revenue_share: FloatArray
    margin: FloatArray | None
    customers: IntArray | None
    repeat_customers: IntArray | None
    repeat_rate: FloatArray | None
    repeat_rate_low: FloatArray | None
    repeat_rate_high: FloatArray | None
    period_start: np.datetime64 | None = None
    period_end: np.datetime64 | None = None
    by: str = "product"

    _pandas_index: ClassVar[str | None] = "product_id"

    def __attrs_post_init__(self) -> None:
        _frozen(self)

    def __len__(self) -> int:
        return int(self.product_ids.shape[0])

    def __repr__(self) -> str:
        return f"ProductPerformance({len(self)} {self.by}s, revenue {self.revenue.sum():.2f})"

    @property
    def total_revenue(self) -> float:
        """Revenue of all products in the period (net of returns)."""
        return float(self.revenue.sum())

    def columns(self) -> dict[str, AnyArray]:
        """One row per product, in the documented order (optional columns when present)."""
        out: dict[str, AnyArray] = {
            "product_id": self.product_ids,
            "revenue": self.revenue,
            "revenue_share": self.revenue_share,
            "gross_revenue": self.gross_revenue,
        }
        if self.margin is not None:
            out["margin"] = self.margin
        out.update(
            units=self.units,
            returned_units=self.returned_units,
            return_rate=self.return_rate,
            return_rate_low=self.return_rate_low,
            return_rate_high=self.return_rate_high,
            orders=self.orders,
        )
        if self.customers is not None:
            out["customers"] = self.customers
            out["repeat_customers"] = np.asarray(self.repeat_customers)
            out["repeat_rate"] = np.asarray(self.repeat_rate)
            out["repeat_rate_low"] = np.asarray(self.repeat_rate_low)
            out["repeat_rate_high"] = np.asarray(self.repeat_rate_high)
        return out


def _rate(k: AnyArray, n: AnyArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(n > 0, k / np.where(n > 0, n, 1), np.nan).astype(np.float64)


def _whole(values: AnyArray) -> bool:
    return bool(np.all(values == np.round(values)))


def product_performance(
    lines: OrderLines,
    *,
    period_start: object = None,
    period_end: object = None,
    gross_margin_rate: float | None = None,
    unit_costs: Mapping[Any, float] | None = None,
    by: str | Mapping[Any, Any] = "product",
    confidence: float = 0.95,
) -> ProductPerformance:
    """Revenue, units, margin, returns, customers and repeat buyers of each product.

    Parameters
    ----------
    lines : OrderLines
        With amounts; times when a period is given; customer ids for the customer columns;
        returned quantities for returns (none returned without them).
    period_start, period_end : datetime-like, optional
        Keep the lines with ``period_start <= time < period_end`` (either bound optional).
    gross_margin_rate : float, optional
        Margin as a share of revenue: ``margin = gross_margin_rate x revenue``.
    unit_costs : mapping product id -> float, optional
        Cost of one unit of each product instead:
        ``margin = revenue - unit_cost x (units - returned_units)`` (returned units are taken
        as restocked). Give at most one of ``gross_margin_rate`` and ``unit_costs``.
    by : "product" or mapping product id -> category
        Group the lines per product, or per category (every product must be mapped).
    confidence : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    ProductPerformance

    Notes
    -----
    The repeat-purchase rate of a product is the share of its customers who bought it in at
    least two distinct orders of the period. Wilson (1927) intervals (see
    :func:`~ecomstrat.metrics.engagement.wilson_interval`) treat customers, and units for
    returns, as independent trials — units of one order are not quite, so read the return
    interval as a lower bound of the uncertainty. ABC and growth classes build on this table
    (:func:`abc_classes`, :func:`product_classes`).

    Examples
    --------
    >>> lines = OrderLines.from_arrays(
    ...     ["o1", "o1", "o2", "o3"], ["A", "B", "A", "A"],
    ...     quantities=[2, 1, 1, 1], amounts=[20.0, 5.0, 10.0, 10.0],
    ...     customer_ids=["x", "x", "x", "y"], returned_quantities=[1, 0, 0, 0],
    ... )
    >>> perf = product_performance(lines, gross_margin_rate=0.4)
    >>> perf.product_ids.tolist(), perf.revenue.tolist(), perf.margin.tolist()
    (['A', 'B'], [30.0, 5.0], [12.0, 2.0])
    >>> perf.return_rate.tolist(), perf.repeat_rate.tolist()
    ([0.25, 0.0], [0.5, 0.0])
    """
    lines = _check_lines(lines)
    confidence = check_unit_interval("confidence", confidence)
    codes, group_ids = _groups(lines, by)
    mask, t0, t1 = _period_mask(lines, period_start, period_end)
    if not mask.any():
        raise invalid("period_start", str(t0), f"leaves no line before period_end ({t1})")
    rate, costs = _line_costs(lines, gross_margin_rate, unit_costs)
    tot = _totals(lines, mask, codes, len(group_ids), rate, costs)
    keep = np.flatnonzero(tot["lines"] > 0)
    keep = keep[np.argsort(-tot["revenue"][keep], kind="stable")]

    def pick(key: str) -> Any:
        value = tot[key]
        return None if value is None else np.ascontiguousarray(value[keep])

    units, returned = pick("units"), pick("returned_units")
    return_rate = np.clip(_rate(returned, units), 0.0, 1.0)
    if _whole(units) and _whole(returned):
        r_low, r_high = wilson_interval(returned, n=units, confidence=confidence)
    else:
        r_low = r_high = np.full(len(keep), np.nan)
    revenue = pick("revenue")
    total = float(revenue.sum())
    share = revenue / total if total > 0 else np.zeros_like(revenue)
    customers, repeat = pick("customers"), pick("repeat_customers")
    repeat_rate = low = high = None
    if customers is not None:
        repeat_rate = _rate(repeat, customers)
        low, high = wilson_interval(repeat, n=customers, confidence=confidence)
    return ProductPerformance(
        group_ids[keep],
        revenue,
        pick("gross_revenue"),
        units,
        returned,
        return_rate,
        r_low,
        r_high,
        pick("orders"),
        share,
        pick("margin"),
        customers,
        repeat,
        repeat_rate,
        low,
        high,
        t0,
        t1,
        "product" if isinstance(by, str) else "category",
    )


@attrs.frozen(eq=False, repr=False)
class AbcClasses(Tabular):
    """Products ranked by revenue with their cumulative share and Pareto class A / B / C.

    ``share_before`` is the revenue share of the products ranked above; a product is
    ``A`` when ``share_before < thresholds[0]``, ``B`` when ``share_before < thresholds[1]``,
    else ``C`` — so A is the smallest set of top products making at least ``thresholds[0]``
    of revenue (the product that crosses the line belongs to the class it completes).
    """

    product_ids: AnyArray
    revenue: FloatArray
    revenue_share: FloatArray
    cumulative_share: FloatArray
    abc_class: AnyArray
    thresholds: tuple[float, float] = (0.8, 0.95)

    _pandas_index: ClassVar[str | None] = "product_id"

    def __attrs_post_init__(self) -> None:
        _frozen(self)

    def __len__(self) -> int:
        return int(self.product_ids.shape[0])

    def __repr__(self) -> str:
        a, b, c = (self.counts()[k][0] for k in "ABC")
        return f"AbcClasses(A={a}, B={b}, C={c}, thresholds={self.thresholds})"

    def counts(self) -> dict[str, tuple[int, float]]:
        """Per class: number of products and share of revenue."""
        return {
            k: (
                int((self.abc_class == k).sum()),
                float(self.revenue_share[self.abc_class == k].sum()),
            )
            for k in "ABC"
        }

    def columns(self) -> dict[str, AnyArray]:
        """One row per product, by rank: id, revenue, share, cumulative share, class."""
        return {
            "product_id": self.product_ids,
            "revenue": self.revenue,
            "revenue_share": self.revenue_share,
            "cumulative_share": self.cumulative_share,
            "abc_class": self.abc_class,
        }


def abc_classes(
    performance: ProductPerformance, *, thresholds: Sequence[float] = (0.8, 0.95)
) -> AbcClasses:
    """ABC (Pareto) classes of products by their share of revenue.

    Parameters
    ----------
    performance : ProductPerformance
        From :func:`product_performance` (revenue net of returns, total > 0).
    thresholds : pair of float, default (0.8, 0.95)
        Cumulative revenue shares closing classes A and B (``0 < a < b <= 1``): A makes the
        first 80 % of revenue, B up to 95 %, C the rest.

    Returns
    -------
    AbcClasses

    Notes
    -----
    ABC inventory classification after the Pareto principle (Dickie, 1951, "ABC inventory
    analysis shoots for dollars, not pennies", *Factory Management and Maintenance*); the
    80 / 95 % cut-offs are the common convention, not a law — pass your own.

    Examples
    --------
    >>> lines = OrderLines.from_arrays(
    ...     [1, 2, 3, 4], ["A", "B", "C", "D"], amounts=[70.0, 15.0, 10.0, 5.0]
    ... )
    >>> abc = abc_classes(product_performance(lines))
    >>> abc.abc_class.tolist(), abc.cumulative_share.round(2).tolist()
    (['A', 'A', 'B', 'C'], [0.7, 0.85, 0.95, 1.0])

    B is in A: the 70 % before it is short of 80 %; D is in C: 95 % precede it.
    """
    if not isinstance(performance, ProductPerformance):
        raise invalid(
            "performance", f"<{type(performance).__name__}>", "must be a ProductPerformance"
        )
    pair = tuple(thresholds)
    if len(pair) != 2:
        raise invalid("thresholds", pair, "must be two cumulative shares (a, b)")
    a = check_unit_interval("thresholds[0]", pair[0])
    b = check_unit_interval("thresholds[1]", pair[1])
    if not 0.0 < a < b:
        raise invalid("thresholds", pair, "must satisfy 0 < a < b <= 1")
    total = performance.total_revenue
    if not total > 0:
        raise invalid("performance", repr(performance), "has no revenue to classify")
    order = np.argsort(-performance.revenue, kind="stable")
    revenue = performance.revenue[order]
    share = revenue / total
    cumulative = np.minimum(np.cumsum(share), 1.0)
    before = cumulative - share
    classes = np.where(before < a - 1e-12, "A", np.where(before < b - 1e-12, "B", "C"))
    return AbcClasses(performance.product_ids[order], revenue, share, cumulative, classes, (a, b))


@attrs.frozen(eq=False, repr=False)
class ProductClasses(Tabular):
    """Star / steady / declining / underperformer class of each product (rules in the docs).

    One row per product with lines in either period, in order of current revenue.
    ``growth = (current - previous) / previous`` (``inf`` for products new in the current
    period, 0 when both are 0); ``margin_rate = margin / current revenue`` (NaN without
    current revenue).
    """

    product_ids: AnyArray
    previous_revenue: FloatArray
    current_revenue: FloatArray
    growth: FloatArray
    margin_rate: FloatArray
    product_class: AnyArray
    growth_threshold: float
    margin_threshold: float

    _pandas_index: ClassVar[str | None] = "product_id"

    def __attrs_post_init__(self) -> None:
        _frozen(self)

    def __len__(self) -> int:
        return int(self.product_ids.shape[0])

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={n}" for k, n in self.counts().items())
        return f"ProductClasses({counts})"

    def counts(self) -> dict[str, int]:
        """Number of products in each class."""
        return {k: int((self.product_class == k).sum()) for k in PRODUCT_CLASSES}

    def columns(self) -> dict[str, AnyArray]:
        """One row per product."""
        return {
            "product_id": self.product_ids,
            "previous_revenue": self.previous_revenue,
            "current_revenue": self.current_revenue,
            "growth": self.growth,
            "margin_rate": self.margin_rate,
            "product_class": self.product_class,
        }


def _pair(name: str, value: object) -> tuple[object, object]:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise invalid(name, str(value), "must be a pair (start, end) of times")
    return value[0], value[1]


def product_classes(
    lines: OrderLines,
    *,
    current: Sequence[object],
    previous: Sequence[object],
    growth_threshold: float = 0.1,
    margin_threshold: float = 0.2,
    gross_margin_rate: float | None = None,
    unit_costs: Mapping[Any, float] | None = None,
    by: str | Mapping[Any, Any] = "product",
) -> ProductClasses:
    """Classify products as star, steady, declining or underperformer.

    Rules, tried in this order for each product (``g`` the growth threshold, ``m`` the
    margin threshold):

    1. **declining**: revenue growth ``<= -g``;
    2. **underperformer**: margin rate ``< m`` (or no current revenue to rate);
    3. **star**: growth ``>= g``;
    4. **steady**: the rest (growth within ``(-g, g)``, margin at least ``m``).

    Parameters
    ----------
    lines : OrderLines
        With amounts and times.
    current, previous : pair of datetime-like
        ``(start, end)`` of the two periods compared (start included, end excluded).
    growth_threshold : float, default 0.1
        ``g`` (> 0): revenue growth of 10 % or more makes a star.
    margin_threshold : float, default 0.2
        ``m``: a margin rate below 20 % of revenue makes an underperformer.
    gross_margin_rate, unit_costs : optional
        How margin is computed (as in :func:`product_performance`); one is needed.
    by : "product" or mapping product id -> category

    Returns
    -------
    ProductClasses

    Notes
    -----
    A growth / margin reading of the BCG growth-share matrix (Henderson, 1970, "The product
    portfolio", BCG Perspectives), per product rather than per business unit and with margin
    in place of relative market share, which order lines do not show.

    Examples
    --------
    >>> lines = OrderLines.from_arrays(
    ...     [1, 2, 3, 4], ["A", "B", "A", "B"], amounts=[10.0, 10.0, 20.0, 5.0],
    ...     times=["2024-01-05", "2024-01-06", "2024-02-05", "2024-02-06"],
    ... )
    >>> classes = product_classes(
    ...     lines, current=("2024-02-01", "2024-03-01"), previous=("2024-01-01", "2024-02-01"),
    ...     gross_margin_rate=0.3,
    ... )
    >>> classes.product_class.tolist(), classes.growth.tolist()
    (['star', 'declining'], [1.0, -0.5])
    """
    lines = _check_lines(lines)
    g = check_finite("growth_threshold", growth_threshold)
    if not g > 0:
        raise invalid("growth_threshold", growth_threshold, "must be > 0")
    m = check_finite("margin_threshold", margin_threshold)
    rate, costs = _line_costs(lines, gross_margin_rate, unit_costs)
    if rate is None and costs is None:
        raise invalid("gross_margin_rate", None, "or unit_costs is needed to classify by margin")
    cur_start, cur_end = _pair("current", current)
    prev_start, prev_end = _pair("previous", previous)
    codes, group_ids = _groups(lines, by)
    n = len(group_ids)
    cur_mask, _, _ = _period_mask(lines, cur_start, cur_end, "current")
    prev_mask, _, _ = _period_mask(lines, prev_start, prev_end, "previous")
    if not (cur_mask | prev_mask).any():
        raise invalid("current", str(current), "and previous hold no line")
    cur = _totals(lines, cur_mask, codes, n, rate, costs)
    prev = _totals(lines, prev_mask, codes, n, rate, costs)
    keep = np.flatnonzero((cur["lines"] > 0) | (prev["lines"] > 0))
    keep = keep[np.argsort(-cur["revenue"][keep], kind="stable")]
    now, before = cur["revenue"][keep], prev["revenue"][keep]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        growth = np.where(
            before > 0,
            (now - before) / np.where(before > 0, before, 1.0),
            np.where(now > 0, np.inf, 0.0),
        )
    margin_rate = _rate(cur["margin"][keep], now)
    classes = np.where(
        growth <= -g,
        "declining",
        np.where(~(margin_rate >= m), "underperformer", np.where(growth >= g, "star", "steady")),
    ).astype("<U14")
    return ProductClasses(
        group_ids[keep], before, now, growth.astype(np.float64), margin_rate, classes, g, m
    )


@attrs.frozen(eq=False, repr=False)
class FirstProductCohorts(Tabular):
    """Per product: customers whose first purchase held it, and how many came back.

    Sorted by ``first_customers`` (largest first). ``came_back_rate = came_back /
    first_customers`` with its Wilson interval.
    """

    product_ids: AnyArray
    first_customers: IntArray
    came_back: IntArray
    came_back_rate: FloatArray
    came_back_low: FloatArray
    came_back_high: FloatArray

    _pandas_index: ClassVar[str | None] = "product_id"

    def __attrs_post_init__(self) -> None:
        _frozen(self)

    def __len__(self) -> int:
        return int(self.product_ids.shape[0])

    def __repr__(self) -> str:
        return f"FirstProductCohorts({len(self)} products, {int(self.first_customers.sum())})"

    def ranked(self, *, min_customers: int = 1, best: bool = True) -> IntArray:
        """Row positions with at least ``min_customers``, by came-back rate (best first)."""
        rows = np.flatnonzero(self.first_customers >= min_customers)
        key = -self.came_back_rate[rows] if best else self.came_back_rate[rows]
        return rows[np.argsort(key, kind="stable")]

    def columns(self) -> dict[str, AnyArray]:
        """One row per product."""
        return {
            "product_id": self.product_ids,
            "first_customers": self.first_customers,
            "came_back": self.came_back,
            "came_back_rate": self.came_back_rate,
            "came_back_low": self.came_back_low,
            "came_back_high": self.came_back_high,
        }


def first_product_cohorts(
    lines: OrderLines,
    *,
    log: TransactionLog | None = None,
    by: str | Mapping[Any, Any] = "product",
    confidence: float = 0.95,
) -> FirstProductCohorts:
    """Which products, in a customer's first purchase, bring customers who come back.

    Parameters
    ----------
    lines : OrderLines
        With customer ids and times. A customer's first purchase is every order at their
        earliest time in ``lines``.
    log : TransactionLog, optional
        The full purchase history: a customer came back if they have any purchase later
        than their first one in ``lines`` or in ``log``. Without it, ``lines`` alone.
    by : "product" or mapping product id -> category
    confidence : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    FirstProductCohorts

    Notes
    -----
    Acquisition cohorts keyed by first product rather than first month (Fader, 2012,
    *Customer Centricity*, on products that acquire valuable customers). Customers who first
    bought near the end of the data had less time to come back: compare products on cohorts
    of the same age, or cut the lines to a common window first.

    Examples
    --------
    >>> lines = OrderLines.from_arrays(
    ...     [1, 2, 3, 4], ["A", "B", "A", "C"], customer_ids=["x", "y", "x", "z"],
    ...     times=["2024-01-01", "2024-01-02", "2024-03-01", "2024-01-03"],
    ... )
    >>> cohorts = first_product_cohorts(lines)
    >>> cohorts.product_ids.tolist(), cohorts.came_back.tolist()
    (['A', 'B', 'C'], [1, 0, 0])
    """
    lines = _check_lines(lines)
    confidence = check_unit_interval("confidence", confidence)
    if lines.customer_index is None or lines.customer_ids is None:
        raise invalid("lines", repr(lines), "have no customer ids", "Give customer_ids=.")
    if lines.times is None:
        raise invalid("lines", repr(lines), "have no times", "Give times= (order times).")
    if log is not None and not isinstance(log, TransactionLog):
        raise invalid("log", f"<{type(log).__name__}>", "must be a TransactionLog")
    codes, group_ids = _groups(lines, by)
    n_cust = lines.n_customers
    stamps = lines.times.view(np.int64)
    first = np.full(n_cust, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, lines.customer_index, stamps)
    last = np.full(n_cust, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, lines.customer_index, stamps)
    if log is not None:
        log_last = np.full(log.n_customers, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(log_last, log.customer_index, log.times.view(np.int64))
        position = {cid: i for i, cid in enumerate(log.customer_ids.tolist())}
        for i, cid in enumerate(lines.customer_ids.tolist()):
            j = position.get(cid)
            if j is not None:
                last[i] = max(last[i], log_last[j])
    came = last > first
    at_first = stamps == first[lines.customer_index]
    pairs = np.unique(codes[at_first] * np.int64(n_cust) + lines.customer_index[at_first])
    group, cust = pairs // n_cust, pairs % n_cust
    n_groups = len(group_ids)
    firsts = np.bincount(group, minlength=n_groups).astype(np.int64)
    back = np.bincount(group, weights=came[cust], minlength=n_groups).astype(np.int64)
    keep = np.flatnonzero(firsts > 0)
    keep = keep[np.argsort(-firsts[keep], kind="stable")]
    firsts, back = firsts[keep], back[keep]
    low, high = wilson_interval(back, n=firsts, confidence=confidence)
    return FirstProductCohorts(group_ids[keep], firsts, back, back / firsts, low, high)
