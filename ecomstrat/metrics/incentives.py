"""Incentive economics: whether a loyalty programme or a discount pays for itself.

Two questions a merchant asks before rewarding customers:

* :func:`discount_break_even`: by how much must order volume grow for a price discount to keep
  the gross profit it gives away?
* :func:`loyalty_programme_roi`: does the extra customer lifetime value a loyalty programme
  brings (better retention, more frequent purchases) exceed what its rewards and running cost?
  The uplifts are either given or measured by :func:`measure_loyalty_uplift`, which compares
  members with non-members matched on their purchase behaviour before enrolment.

Every result is a frozen table (``columns()``, ``to_pandas()``…) with a sensitivity table.
See :doc:`/incentives`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import (
    as_float_array,
    check_array_finite,
    check_array_non_negative,
    check_finite,
    check_non_empty,
    check_non_negative,
    check_positive,
    check_unit_interval,
    invalid,
    shown,
)
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import as_ids, freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._ids import IdIndex
from ecomstrat.frames._time import to_instant
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.formula_clv import retention_clv

__all__ = [
    "DiscountBreakEven",
    "DiscountSensitivity",
    "LoyaltyProgrammeROI",
    "LoyaltySensitivity",
    "LoyaltyUplift",
    "discount_break_even",
    "loyalty_programme_roi",
    "measure_loyalty_uplift",
]

#: Default grids of the sensitivity tables.
PRICE_DISCOUNTS = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30)
GROSS_MARGIN_RATES = (0.20, 0.30, 0.40, 0.50, 0.60)
UPLIFT_SCALES = (0.0, 0.5, 1.0, 1.5, 2.0)
REDEMPTION_RATES = (0.25, 0.50, 0.75, 1.00)

#: Pre-enrolment matching cells: order-count buckets [1], [2], [3, 4], [5, ∞) and recency
#: quarters of the pre-enrolment window.
FREQUENCY_BUCKET_EDGES = (2, 3, 5)
RECENCY_BUCKETS = 4

_DAY = np.timedelta64(1, "D")


def _grid(name: str, values: Sequence[float] | AnyArray, low: float, high: float) -> FloatArray:
    grid = as_float_array(name, values, ndim=1)
    check_non_empty(name, grid)
    check_array_finite(name, grid)
    bad = (grid < low) | (grid > high)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(f"{name}[{i}]", float(grid[i]), f"must lie in [{low}, {high}]")
    return grid


# ------------------------------------------------------------------------------------ discount


@attrs.frozen(eq=False)
class DiscountSensitivity(Tabular):
    """Break-even volume uplift over a grid of discounts × gross margins (one row per pair).

    ``required_volume_uplift`` is ``inf`` where the discount is at least the margin: each
    discounted order then makes no gross profit, and no volume recovers the profit lost.
    """

    price_discount: FloatArray
    gross_margin_rate: FloatArray
    required_volume_uplift: FloatArray

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    def columns(self) -> dict[str, AnyArray]:
        """``price_discount``, ``gross_margin_rate``, ``required_volume_uplift``."""
        return {
            "price_discount": self.price_discount,
            "gross_margin_rate": self.gross_margin_rate,
            "required_volume_uplift": self.required_volume_uplift,
        }


@attrs.frozen(eq=False)
class DiscountBreakEven(Tabular):
    """The volume a discount needs to keep gross profit (see :func:`discount_break_even`).

    Attributes
    ----------
    price_discount, gross_margin_rate : float
        The discount and the gross margin, as shares of the undiscounted price.
    required_volume_uplift : float
        ``d / (m − d)``: relative growth in units (orders) needed to keep gross profit.
    break_even_volume_factor : float
        ``m / (m − d) = 1 + required_volume_uplift``.
    discounted_margin_rate : float
        ``m − d``, the gross margin left on each discounted sale, as a share of the list price.
    sensitivity : DiscountSensitivity
        The uplift over a grid of discounts × margins.
    """

    price_discount: float
    gross_margin_rate: float
    required_volume_uplift: float
    break_even_volume_factor: float
    discounted_margin_rate: float
    sensitivity: DiscountSensitivity

    def columns(self) -> dict[str, AnyArray]:
        """One row: the scalar fields (the sensitivity table is :attr:`sensitivity`)."""
        return {
            name: np.array([getattr(self, name)])
            for name in (
                "price_discount",
                "gross_margin_rate",
                "required_volume_uplift",
                "break_even_volume_factor",
                "discounted_margin_rate",
            )
        }


def discount_break_even(
    price_discount: float,
    *,
    gross_margin_rate: float,
    price_discounts: Sequence[float] | AnyArray = PRICE_DISCOUNTS,
    gross_margin_rates: Sequence[float] | AnyArray = GROSS_MARGIN_RATES,
) -> DiscountBreakEven:
    """The volume uplift a price discount needs to keep the same gross profit.

    With price ``p``, gross margin rate ``m`` (gross profit per unit ``m·p``) and a discount
    ``d`` off the price (the unit cost is unchanged), a discounted unit earns ``(m − d)·p``.
    Volume ``Q`` must grow to ``Q'`` with ``Q'(m − d) = Q·m``:

    ``required_volume_uplift = Q'/Q − 1 = d / (m − d)``.

    Parameters
    ----------
    price_discount : float
        The discount as a share of the list price, in [0, 1); must be below the margin.
    gross_margin_rate : float
        Gross margin (price − unit variable cost) as a share of the list price, in (0, 1].
    price_discounts, gross_margin_rates : sequence of float
        Grids of the sensitivity table (every discount against every margin); a discount at
        or above a margin gives ``inf`` there.

    Returns
    -------
    DiscountBreakEven

    Raises
    ------
    InvalidInputError
        If ``price_discount >= gross_margin_rate`` (no volume can then recover the profit:
        every discounted sale loses money or earns nothing), or a rate lies outside its range.

    Notes
    -----
    The break-even sales change of a price change, ``%ΔQ = −ΔP / (CM + ΔP)`` with ``ΔP = −d``
    and contribution margin ``CM = m``: Nagle, Hogan & Zale (2011), *The Strategy and Tactics of
    Pricing*, 5th ed., ch. 9 ("Financial analysis: break-even sales changes"). It covers gross
    profit only: promotion costs, cannibalised full-price sales and forward buying (Blattberg &
    Neslin (1990), *Sales Promotion*) make the true hurdle higher. See :doc:`/incentives`.

    Examples
    --------
    >>> r = discount_break_even(0.10, gross_margin_rate=0.40)  # 0.10 / (0.40 − 0.10)
    >>> round(r.required_volume_uplift, 4), round(r.break_even_volume_factor, 4)
    (0.3333, 1.3333)
    >>> len(r.sensitivity.columns()["required_volume_uplift"])  # 6 discounts × 5 margins
    30
    """
    margin = check_finite("gross_margin_rate", gross_margin_rate)
    if not 0.0 < margin <= 1.0:
        raise invalid("gross_margin_rate", gross_margin_rate, "must lie in (0, 1]", "E.g. 0.4.")
    discount = check_unit_interval("price_discount", price_discount)
    if discount >= margin:
        raise invalid(
            "price_discount",
            price_discount,
            f"must be below gross_margin_rate={margin!r}",
            "At or above the margin every discounted sale earns nothing or loses money:"
            " no volume uplift can break even.",
        )
    d_grid = _grid("price_discounts", price_discounts, 0.0, 1.0)
    m_grid = _grid("gross_margin_rates", gross_margin_rates, 0.0, 1.0)
    d_all, m_all = (a.ravel() for a in np.meshgrid(d_grid, m_grid, indexing="ij"))
    left = m_all - d_all
    uplift = np.divide(d_all, left, out=np.full(d_all.size, np.inf), where=left > 0)
    return DiscountBreakEven(
        price_discount=discount,
        gross_margin_rate=margin,
        required_volume_uplift=discount / (margin - discount),
        break_even_volume_factor=margin / (margin - discount),
        discounted_margin_rate=margin - discount,
        sensitivity=DiscountSensitivity(d_all, m_all, uplift),
    )


# ------------------------------------------------------------------------- uplift measurement


@attrs.frozen(eq=False)
class LoyaltyUplift(Tabular):
    """Retention and purchase frequency of members against matched non-members.

    Both groups are customers who bought in the ``window_days`` before enrolment; each member
    is matched to the non-members of the same cell (order-count bucket × recency bucket before
    enrolment), and the non-members of a cell weigh ``members in the cell / non-members in the
    cell`` (coarsened exact matching), so the control group has the members' pre-enrolment mix.

    Attributes
    ----------
    members_matched, controls_matched : int
        Members and non-members in cells holding both.
    members_unmatched : int
        Members left out: no order before enrolment (no profile to match on), or in a cell
        with no non-member.
    member_retention_rate, control_retention_rate : float
        Share (weighted for the controls) of customers who ordered in the ``window_days``
        after enrolment: the annual retention rate when the window is a year.
    retention_uplift : float
        ``member_retention_rate − control_retention_rate`` (percentage points as a fraction).
    member_orders_per_retained, control_orders_per_retained : float
        Orders in the window per customer who ordered in it.
    frequency_uplift : float
        ``member_orders_per_retained / control_orders_per_retained − 1``.
    control_revenue_per_retained : float
        Revenue in the window per retained control customer: the base revenue per period.
    window_days : float
        Length of the windows before and after enrolment.
    """

    members_matched: int
    controls_matched: int
    members_unmatched: int
    member_retention_rate: float
    control_retention_rate: float
    retention_uplift: float
    member_orders_per_retained: float
    control_orders_per_retained: float
    frequency_uplift: float
    control_revenue_per_retained: float
    window_days: float

    def columns(self) -> dict[str, AnyArray]:
        """One row of the fields."""
        return {f.name: np.array([getattr(self, f.name)]) for f in attrs.fields(type(self))}


def _cells(orders: IntArray, days_since_last: FloatArray, window_days: float) -> IntArray:
    """Matching cell of each customer: frequency bucket × recency bucket."""
    frequency = np.searchsorted(np.array(FREQUENCY_BUCKET_EDGES), orders, side="right")
    quarter = window_days / RECENCY_BUCKETS
    recency = np.minimum((days_since_last // quarter).astype(np.int64), RECENCY_BUCKETS - 1)
    return (frequency * RECENCY_BUCKETS + recency).astype(np.int64)


def measure_loyalty_uplift(
    log: TransactionLog,
    *,
    member_ids: Sequence[Any] | AnyArray,
    enrolment_date: object,
    window_days: float = 365.0,
    observation_end: object = None,
) -> LoyaltyUplift:
    """Measure the retention and frequency uplift of loyalty members over matched non-members.

    Parameters
    ----------
    log : TransactionLog
        Orders of members and non-members, covering ``window_days`` before and after
        ``enrolment_date``.
    member_ids : array-like
        Ids of the programme members (ids absent from the log are counted as unmatched).
    enrolment_date : datetime, date, str or numpy.datetime64
        The day the members enrolled (one date for all: a programme launch). Pre-enrolment
        profiles use the orders in ``[enrolment − window, enrolment)``; outcomes the orders in
        ``[enrolment, enrolment + window)``.
    window_days : float, default 365
        Length of both windows in days; with a year the retention is annual, as
        :func:`loyalty_programme_roi` needs.
    observation_end : datetime, date, str or numpy.datetime64, optional
        End of the data (default: the last order); must not fall before the outcome window
        ends, so that a customer who did not come back is not just unobserved.

    Returns
    -------
    LoyaltyUplift

    Raises
    ------
    InvalidInputError
        If the log ends before the outcome window does, or starts after the profile window.
    EmptyInputError
        If no member can be matched.

    Notes
    -----
    Matching: every customer with an order in the profile window falls in a cell of order-count
    bucket (1, 2, 3–4, 5+ orders) × recency bucket (the quarter of the window in which the last
    order fell); members are compared with the non-members of their cell, weighted to the
    members' cell mix — coarsened exact matching, Iacus, King & Porro (2012), "Causal inference
    without balance checking: coarsened exact matching", *Political Analysis* 20(1). This
    balances observed past behaviour only: members who self-select into a programme differ in
    ways the log does not show, so the uplift is an upper bound of the causal effect unless
    enrolment was randomised (Leenheer, van Heerde, Bijmolt & Smidts (2007), "Do loyalty
    programs really enhance behavioral loyalty?", *IJRM* 24(1)). See :doc:`/incentives`.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["m", "n", "m", "m", "n"],
    ...     ["2023-12-01", "2023-12-02", "2024-02-01", "2024-03-01", "2024-02-01"],
    ...     [10.0, 10.0, 10.0, 10.0, 10.0],
    ... )
    >>> u = measure_loyalty_uplift(log, member_ids=["m"], enrolment_date="2024-01-01",
    ...                            window_days=100, observation_end="2024-04-10")
    >>> u.retention_uplift, u.frequency_uplift  # both retained; 2 orders against 1
    (0.0, 1.0)
    """
    window = check_positive("window_days", window_days)
    start = to_instant("enrolment_date", enrolment_date, log.timezone)
    span = np.timedelta64(round(window * 86_400e9), "ns")
    if observation_end is None:
        end = np.datetime64(log.times.max(), "ns")
    else:
        end = to_instant("observation_end", observation_end, log.timezone)
    if end < start + span - _DAY:
        raise invalid(
            "enrolment_date",
            str(enrolment_date),
            f"leaves less than window_days={window!r} of data after it (observation ends"
            f" {str(end)[:10]})",
            "Choose an earlier enrolment date, a shorter window_days, or give observation_end.",
        )
    members = as_ids("member_ids", member_ids)
    check_non_empty("member_ids", members)
    index = IdIndex("customer_ids")
    index.encode(log.customer_ids)
    member_codes = index.encode(members)
    is_member = np.zeros(log.n_customers, dtype=bool)
    is_member[member_codes[member_codes < log.n_customers]] = True
    n = log.n_customers
    before = (log.times >= start - span) & (log.times < start)
    after = (log.times >= start) & (log.times < start + span)
    pre_orders = np.bincount(log.customer_index[before], minlength=n)
    last = np.full(n, np.datetime64("NaT"), dtype=log.times.dtype)
    order = np.argsort(log.times[before], kind="stable")
    last[log.customer_index[before][order]] = log.times[before][order]
    days_since = np.where(pre_orders > 0, (start - last) / _DAY, 0.0)
    post_orders = np.bincount(log.customer_index[after], minlength=n).astype(np.float64)
    post_revenue = np.bincount(
        log.customer_index[after], weights=log.amounts[after], minlength=n
    ).astype(np.float64)
    eligible = pre_orders > 0
    cells = _cells(pre_orders, days_since, window)
    n_cells = (len(FREQUENCY_BUCKET_EDGES) + 1) * RECENCY_BUCKETS
    m_count = np.bincount(cells[eligible & is_member], minlength=n_cells)
    c_count = np.bincount(cells[eligible & ~is_member], minlength=n_cells)
    common = (m_count > 0) & (c_count > 0)
    member = eligible & is_member & common[cells]
    control = eligible & ~is_member & common[cells]
    if not member.any():
        raise EmptyInputError(
            "no member could be matched: members need an order in the window_days before"
            " enrolment, and a non-member with the same pre-enrolment profile."
        )
    weight: FloatArray = np.where(
        control, m_count[cells] / np.maximum(c_count[cells], 1), 0.0
    ).astype(np.float64)
    retained = post_orders > 0
    member_retention = float(retained[member].mean())
    control_retention = float((weight * retained).sum() / weight.sum())
    member_freq = _per_retained(post_orders, member.astype(np.float64), retained)
    control_freq = _per_retained(post_orders, weight, retained)
    control_revenue = _per_retained(post_revenue, weight, retained)
    return LoyaltyUplift(
        members_matched=int(member.sum()),
        controls_matched=int(control.sum()),
        members_unmatched=int(np.unique(members).size - member.sum()),
        member_retention_rate=member_retention,
        control_retention_rate=control_retention,
        retention_uplift=member_retention - control_retention,
        member_orders_per_retained=member_freq,
        control_orders_per_retained=control_freq,
        frequency_uplift=member_freq / control_freq - 1.0,
        control_revenue_per_retained=control_revenue,
        window_days=window,
    )


def _per_retained(values: FloatArray, weight: FloatArray, retained: AnyArray) -> float:
    kept = weight * retained
    if kept.sum() <= 0:
        raise EmptyInputError(
            "no matched customer of one group ordered after enrolment: the frequency uplift"
            " cannot be measured. Use a longer window_days or give the uplifts."
        )
    return float((kept * values).sum() / kept.sum())


# --------------------------------------------------------------------------------- loyalty ROI


def _retention_factor(retention: FloatArray | float, discount: float) -> Any:
    """``r / (1 + d − r)``: :func:`~ecomstrat.metrics.formula_clv.retention_clv` of a margin of 1.

    Element by element for an array of retention rates.
    """
    rates = np.asarray(retention, dtype=np.float64)
    values = [
        retention_clv(1.0, retention_rate=float(r), discount_rate_per_period=discount)
        for r in rates.reshape(-1)
    ]
    return np.asarray(values).reshape(rates.shape) if rates.ndim else values[0]


@attrs.frozen(eq=False)
class LoyaltySensitivity(Tabular):
    """Programme value per member over a grid of uplift scales × redemption rates.

    ``uplift_scale`` multiplies both the retention and the frequency uplift (0: the programme
    changes nothing; 1: the uplifts given or measured).
    """

    uplift_scale: FloatArray
    retention_uplift: FloatArray
    frequency_uplift: FloatArray
    redemption_rate: FloatArray
    incremental_clv: FloatArray
    programme_cost: FloatArray
    net_value_per_member: FloatArray
    roi: FloatArray

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    def columns(self) -> dict[str, AnyArray]:
        """One row per (uplift scale, redemption rate)."""
        return {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}


@attrs.frozen(eq=False)
class LoyaltyProgrammeROI(Tabular):
    """What a loyalty programme adds per member (see :func:`loyalty_programme_roi`).

    Money fields are present values per member, in the currency of the revenue.

    Attributes
    ----------
    base_retention_rate, member_retention_rate : float
        Annual retention without and with the programme (``r`` and ``r + Δr``).
    base_annual_revenue, member_annual_revenue : float
        Revenue per retained customer per year without and with it (``R`` and ``R(1 + f)``).
    retention_uplift, frequency_uplift : float
        ``Δr`` (absolute) and ``f`` (relative).
    gross_margin_rate, reward_cost_rate, redemption_rate, annual_discount_rate : float
        The inputs.
    base_clv, member_clv : float
        ``m·R·r/(1+d−r)`` and ``m·R(1+f)·r'/(1+d−r')``.
    incremental_clv : float
        ``member_clv − base_clv``.
    reward_cost : float
        Present value of redeemed rewards: ``c·ρ·R(1+f)·r'/(1+d−r')``.
    running_cost : float
        Present value of the other cost per member: ``a·r'/(1+d−r')``.
    programme_cost : float
        ``reward_cost + running_cost``.
    net_value_per_member : float
        ``incremental_clv − programme_cost``: the programme pays when it is > 0.
    roi : float
        ``net_value_per_member / programme_cost``; without cost, ``±inf`` by the sign of
        the net value, or 0 when it is 0.
    n_members : int
        Members the totals are for.
    total_net_value : float
        ``n_members × net_value_per_member − fixed_programme_cost``.
    sensitivity : LoyaltySensitivity
        The value over uplift scales × redemption rates.
    """

    base_retention_rate: float
    member_retention_rate: float
    base_annual_revenue: float
    member_annual_revenue: float
    retention_uplift: float
    frequency_uplift: float
    gross_margin_rate: float
    reward_cost_rate: float
    redemption_rate: float
    annual_discount_rate: float
    base_clv: float
    member_clv: float
    incremental_clv: float
    reward_cost: float
    running_cost: float
    programme_cost: float
    net_value_per_member: float
    roi: float
    n_members: int
    fixed_programme_cost: float
    total_net_value: float
    sensitivity: LoyaltySensitivity

    @property
    def pays(self) -> bool:
        """Whether the programme adds value: ``total_net_value > 0``."""
        return self.total_net_value > 0

    def columns(self) -> dict[str, AnyArray]:
        """One row: the scalar fields (the sensitivity table is :attr:`sensitivity`)."""
        return {
            f.name: np.array([getattr(self, f.name)])
            for f in attrs.fields(type(self))
            if f.name != "sensitivity"
        }


def _value(
    *,
    revenue: float,
    retention: float,
    retention_uplift: FloatArray,
    frequency_uplift: FloatArray,
    margin: float,
    reward: float,
    redemption: FloatArray,
    running: float,
    discount: float,
) -> tuple[FloatArray, ...]:
    """``(member_clv, incremental_clv, reward_cost, running_cost, net, roi)``, broadcast."""
    base = margin * revenue * _retention_factor(retention, discount)
    factor = _retention_factor(retention + retention_uplift, discount)
    member_revenue = revenue * (1.0 + frequency_uplift)
    member_clv = margin * member_revenue * factor
    incremental = member_clv - base
    reward_cost = reward * redemption * member_revenue * factor
    running_cost = running * factor
    cost = reward_cost + running_cost
    net = incremental - cost
    # Without cost, the ROI is +inf for a gain, -inf for a loss, 0 when nothing changes.
    no_cost = np.select([net > 0, net < 0], [np.inf, -np.inf], 0.0)
    with np.errstate(over="ignore"):  # a subnormal cost: the ROI is +-inf, as it should be
        roi = np.where(cost > 0, net / np.where(cost > 0, cost, 1.0), no_cost)
    return member_clv, incremental, reward_cost, running_cost, net, roi


def loyalty_programme_roi(
    measured: LoyaltyUplift | None = None,
    *,
    gross_margin_rate: float,
    reward_cost_rate: float,
    redemption_rate: float,
    annual_discount_rate: float = 0.10,
    base_retention_rate: float | None = None,
    base_annual_revenue: float | None = None,
    base_clv: float | Sequence[float] | AnyArray | None = None,
    retention_uplift: float | None = None,
    frequency_uplift: float | None = None,
    annual_cost_per_member: float = 0.0,
    n_members: int = 1,
    fixed_programme_cost: float = 0.0,
    uplift_scales: Sequence[float] | AnyArray = UPLIFT_SCALES,
    redemption_rates: Sequence[float] | AnyArray = REDEMPTION_RATES,
) -> LoyaltyProgrammeROI:
    """Loyalty-programme value: incremental customer lifetime value minus programme cost.

    Per member, with annual retention ``r``, revenue ``R`` per retained year, gross margin rate
    ``m`` and annual discount rate ``d``, the retention-based lifetime value is
    ``CLV = m·R·r / (1 + d − r)`` (margin received at the end of each year the customer is
    still there). The programme raises retention to ``r' = r + Δr`` and purchase frequency by
    ``f`` (order value unchanged, so revenue becomes ``R(1 + f)``); it returns a share ``c`` of
    member revenue as rewards, of which a share ``ρ`` is redeemed, and costs ``a`` a year per
    member to run. With ``g(x) = x / (1 + d − x)``:

    * ``incremental_clv = m·R(1 + f)·g(r') − m·R·g(r)``
    * ``programme_cost = (c·ρ·R(1 + f) + a)·g(r')``
    * ``net_value_per_member = incremental_clv − programme_cost``; ``roi = net / cost``.

    Rewards are paid on all member revenue, not only the incremental part: the subsidy to
    customers who would have bought anyway is a cost of the programme.

    Parameters
    ----------
    measured : LoyaltyUplift, optional
        Uplifts measured by :func:`measure_loyalty_uplift`; its control group gives the base
        retention and revenue unless they are given. Given uplifts override the measured ones.
    gross_margin_rate : float
        ``m``, in (0, 1].
    reward_cost_rate : float
        ``c``: cost of the rewards earned, as a share of member revenue, in [0, 1].
    redemption_rate : float
        ``ρ``: share of earned rewards redeemed, in [0, 1] (unredeemed points cost nothing).
    annual_discount_rate : float, default 0.10
        ``d`` > 0.
    base_retention_rate : float, optional
        ``r``, annual retention without the programme, in [0, 1).
    base_annual_revenue : float, optional
        ``R`` >= 0.
    base_clv : float or array-like, optional
        Instead of ``base_annual_revenue``: per-member lifetime values without the programme
        (e.g. from :func:`~ecomstrat.customer_lifetime_value`); their mean sets
        ``R = mean / (m·g(r))``, so that the formula reproduces it.
    retention_uplift : float, optional
        ``Δr``, absolute (0.05: from 60 % to 65 %); ``r + Δr`` must lie in [0, 1].
    frequency_uplift : float, optional
        ``f`` > −1, relative (0.1: 10 % more orders).
    annual_cost_per_member : float, default 0
        ``a``: running cost per member per year (platform, communication).
    n_members : int, default 1
        Members the total is for.
    fixed_programme_cost : float, default 0
        One-off cost (launch), subtracted from the total.
    uplift_scales, redemption_rates : sequence of float
        Grids of the sensitivity table.

    Returns
    -------
    LoyaltyProgrammeROI

    Raises
    ------
    InvalidInputError
        If a rate lies outside its range, an input is missing (neither given nor measured),
        or both ``base_annual_revenue`` and ``base_clv`` are given.

    Notes
    -----
    Retention-based CLV: Gupta & Lehmann (2003), "Customers as assets", *Journal of
    Interactive Marketing* 17(1), and Gupta, Lehmann & Stuart (2004), "Valuing customers",
    *JMR* 41(1). Programme economics (incremental margin from retention and frequency against
    reward cost including the subsidy to existing buyers, and breakage): Blattberg, Kim &
    Neslin (2008), *Database Marketing*, ch. 22 "Loyalty programs"; Kumar & Reinartz (2018),
    *Customer Relationship Management*, 3rd ed., ch. on loyalty programmes. See
    :doc:`/incentives`.

    Examples
    --------
    >>> r = loyalty_programme_roi(
    ...     gross_margin_rate=0.4, reward_cost_rate=0.05, redemption_rate=0.5,
    ...     annual_discount_rate=0.1, base_retention_rate=0.6, base_annual_revenue=100.0,
    ...     retention_uplift=0.1, frequency_uplift=0.1,
    ... )
    >>> round(r.base_clv, 2), round(r.member_clv, 2)  # 40·0.6/0.5 and 44·0.7/0.4
    (48.0, 77.0)
    >>> round(r.programme_cost, 3), round(r.net_value_per_member, 3)  # 2.75·1.75
    (4.812, 24.188)
    """
    margin = check_finite("gross_margin_rate", gross_margin_rate)
    if not 0.0 < margin <= 1.0:
        raise invalid("gross_margin_rate", gross_margin_rate, "must lie in (0, 1]", "E.g. 0.4.")
    reward = check_unit_interval("reward_cost_rate", reward_cost_rate)
    redemption = check_unit_interval("redemption_rate", redemption_rate)
    discount = check_positive("annual_discount_rate", annual_discount_rate)
    running = check_non_negative("annual_cost_per_member", annual_cost_per_member)
    fixed = check_non_negative("fixed_programme_cost", fixed_programme_cost)
    if isinstance(n_members, bool) or not isinstance(n_members, int | np.integer):
        raise invalid("n_members", shown(n_members), "must be a whole number >= 1")
    if n_members < 1:
        raise invalid("n_members", n_members, "must be >= 1")
    if measured is not None and not isinstance(measured, LoyaltyUplift):
        raise invalid(
            "measured",
            shown(measured),
            "must be a LoyaltyUplift",
            "Build it with measure_loyalty_uplift(...).",
        )

    def pick(name: str, given: float | None, attribute: str) -> float:
        if given is not None:
            return check_finite(name, given)
        if measured is None:
            raise invalid(name, None, "is needed", "Give it, or pass measure_loyalty_uplift(...).")
        return float(getattr(measured, attribute))

    retention = pick("base_retention_rate", base_retention_rate, "control_retention_rate")
    if not 0.0 <= retention < 1.0:
        raise invalid("base_retention_rate", retention, "must lie in [0, 1)")
    d_retention = pick("retention_uplift", retention_uplift, "retention_uplift")
    if not 0.0 <= retention + d_retention <= 1.0:
        raise invalid(
            "retention_uplift",
            d_retention,
            f"must keep base_retention_rate + retention_uplift in [0, 1] (r={retention!r})",
        )
    f_uplift = pick("frequency_uplift", frequency_uplift, "frequency_uplift")
    if f_uplift <= -1.0:
        raise invalid("frequency_uplift", f_uplift, "must be > -1 (a relative change)")
    revenue = _base_revenue(measured, base_annual_revenue, base_clv, margin, retention, discount)

    member_clv, incremental, reward_cost, running_cost, net, roi = _value(
        revenue=revenue,
        retention=retention,
        retention_uplift=np.asarray(d_retention),
        frequency_uplift=np.asarray(f_uplift),
        margin=margin,
        reward=reward,
        redemption=np.asarray(redemption),
        running=running,
        discount=discount,
    )
    scales = _grid("uplift_scales", uplift_scales, 0.0, np.inf)
    redemptions = _grid("redemption_rates", redemption_rates, 0.0, 1.0)
    s_all, p_all = (a.ravel() for a in np.meshgrid(scales, redemptions, indexing="ij"))
    r_all = np.clip(s_all * d_retention, -retention, 1.0 - retention)
    f_all = np.maximum(s_all * f_uplift, -1.0 + 1e-12)
    grid = _value(
        revenue=revenue,
        retention=retention,
        retention_uplift=r_all,
        frequency_uplift=f_all,
        margin=margin,
        reward=reward,
        redemption=p_all,
        running=running,
        discount=discount,
    )
    base = margin * revenue * float(_retention_factor(retention, discount))
    return LoyaltyProgrammeROI(
        base_retention_rate=retention,
        member_retention_rate=retention + d_retention,
        base_annual_revenue=revenue,
        member_annual_revenue=revenue * (1.0 + f_uplift),
        retention_uplift=d_retention,
        frequency_uplift=f_uplift,
        gross_margin_rate=margin,
        reward_cost_rate=reward,
        redemption_rate=redemption,
        annual_discount_rate=discount,
        base_clv=base,
        member_clv=float(member_clv),
        incremental_clv=float(incremental),
        reward_cost=float(reward_cost),
        running_cost=float(running_cost),
        programme_cost=float(reward_cost + running_cost),
        net_value_per_member=float(net),
        roi=float(roi),
        n_members=int(n_members),
        fixed_programme_cost=fixed,
        total_net_value=int(n_members) * float(net) - fixed,
        sensitivity=LoyaltySensitivity(
            s_all, r_all, f_all, p_all, grid[1], grid[2] + grid[3], grid[4], grid[5]
        ),
    )


def _base_revenue(
    measured: LoyaltyUplift | None,
    base_annual_revenue: float | None,
    base_clv: float | Sequence[float] | AnyArray | None,
    margin: float,
    retention: float,
    discount: float,
) -> float:
    if base_annual_revenue is not None and base_clv is not None:
        raise invalid(
            "base_clv", "<given>", "must not be given with base_annual_revenue", "Give one."
        )
    if base_clv is not None:
        values = as_float_array("base_clv", base_clv)
        values = values.reshape(-1)
        check_non_empty("base_clv", values)
        check_array_finite("base_clv", values)
        check_array_non_negative("base_clv", values)
        if retention <= 0.0:
            raise invalid(
                "base_retention_rate",
                retention,
                "must be > 0 with base_clv (a customer never retained has no lifetime value)",
            )
        return float(values.mean()) / (margin * float(_retention_factor(retention, discount)))
    if base_annual_revenue is not None:
        return check_non_negative("base_annual_revenue", base_annual_revenue)
    if measured is None:
        raise invalid(
            "base_annual_revenue",
            None,
            "is needed",
            "Give it (or base_clv), or pass measure_loyalty_uplift(...).",
        )
    return measured.control_revenue_per_retained
