"""Economics of entering a market: contribution per order, break-even volume and payback.

For an average order (``average_basket`` of goods, in the market's or the merchant's currency)
the landed cost is computed with :func:`~ecomstrat.localization.landed_cost`; duties
and taxes charged to the buyer pass through, and what the merchant bears is subtracted from
the product margin:

.. code-block:: text

    revenue              = basket, in the merchant's currency
    product margin       = revenue × gross_margin_rate         (COGS fixed in merchant currency)
    kept margin          = (1 − return rate) × product margin  (returned goods are restocked)
    localization costs   = payment fee + FX cost + expected return cost + customer service
                           + carrier fees borne by the merchant + merchant-paid import charges
                           + shipping when it is free to the buyer + marketplace commission
    contribution / order = kept margin − localization costs
    break-even orders    = monthly fixed costs / contribution per order
    payback months       = one-time costs / (orders × contribution − monthly fixed costs)

A market whose monthly contribution does not cover its fixed costs never pays back; the
result then carries the monthly shortfall. Sensitivity rows redo the calculation with the
merchant's currency 10 % stronger and weaker (local prices and costs fixed in the market's
currency, COGS fixed in the merchant's), the return rate and the duty rates 5 points higher
and lower.

Examples
--------
>>> from ecomstrat.localization import market_profile
>>> gb = market_profile("GB", as_of="2026-03-01").with_fx("USD", rate="0.79")
>>> entry = market_entry(gb, monthly_orders=300, average_basket=Money("80", "USD"),
...                      gross_margin_rate=0.55)
>>> entry.currency, entry.contribution_per_order, round(entry.payback_months, 1)
('USD', Money('30.14', 'USD'), 0.4)
>>> [s.name for s in entry.sensitivity][:3]
['base', 'USD +10%', 'USD -10%']
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray
from ecomstrat._validation import check_positive, check_unit_interval, invalid
from ecomstrat.domain.money import AmountLike, Money, to_decimal
from ecomstrat.exceptions import CurrencyMismatchError, EmptyInputError
from ecomstrat.frames._export import Tabular
from ecomstrat.localization.landed_cost import (
    LandedCost,
    Presentation,
    landed_cost,
    order_date,
    percent,
)
from ecomstrat.localization.profiles import MarketProfile
from ecomstrat.localization.rules import DIVISION, json_value

__all__ = ["MarketComparison", "MarketEntry", "Scenario", "compare_markets", "market_entry"]


@attrs.frozen
class Scenario:
    """One row of the sensitivity table."""

    name: str
    contribution_per_order: Money
    monthly_contribution: Money
    break_even_orders: float | None
    payback_months: float | None


@attrs.frozen
class MarketEntry:
    """Unit economics of entering one market, in the merchant's currency.

    Attributes
    ----------
    country, name : str
        The market.
    currency : str
        The merchant's currency, of every Money below.
    as_of : datetime.date
        Date whose rules were applied.
    presentation : {"DDP", "DAP"}
    monthly_orders : float
        Expected orders a month.
    gross_margin_rate : float
        Gross (product) margin as a share of the basket at the base exchange rate.
    landed : LandedCost
        Landed cost of the average order, in the market's currency.
    exchange_rate : Decimal
        Market-currency units per unit of the merchant's currency (1 when they are the same);
        ``landed.converted(currency, rate=exchange_rate)`` shows the landed cost in ``currency``.
    revenue_per_order : Money
        The basket in the merchant's currency.
    margin_per_order : Money
        Product margin kept after expected returns.
    costs : tuple of (str, Money)
        Localization costs per order by kind.
    localization_cost_per_order, contribution_per_order : Money
    one_time_cost, monthly_fixed_cost, monthly_contribution : Money
        ``monthly_contribution`` is after fixed costs.
    break_even_orders : float or None
        Orders a month that cover the fixed costs; None when an order contributes nothing.
    payback_months : float or None
        Months to recover the one-time costs; None: never.
    monthly_shortfall : Money or None
        When it never pays back, what is missing each month.
    sensitivity : tuple of Scenario
        The base case and the FX, return-rate and duty-rate variations.
    """

    country: str
    name: str
    currency: str
    as_of: datetime.date
    presentation: Presentation
    monthly_orders: float
    gross_margin_rate: float
    landed: LandedCost
    exchange_rate: Decimal
    revenue_per_order: Money
    margin_per_order: Money
    costs: tuple[tuple[str, Money], ...]
    localization_cost_per_order: Money
    contribution_per_order: Money
    one_time_cost: Money
    monthly_fixed_cost: Money
    monthly_contribution: Money
    break_even_orders: float | None
    payback_months: float | None
    monthly_shortfall: Money | None
    sensitivity: tuple[Scenario, ...] = ()

    @property
    def pays_back(self) -> bool:
        """Whether the one-time costs are ever recovered."""
        return self.payback_months is not None

    @property
    def contribution_margin(self) -> float:
        """Contribution per order (after localization costs) as a share of revenue."""
        revenue = self.revenue_per_order.amount
        return float(self.contribution_per_order.amount / revenue) if revenue else math.nan

    def verdict(self) -> str:
        """One phrase: when it pays back, or how much is missing each month."""
        if self.payback_months is not None:
            return f"pays back in {self.payback_months:,.1f} months"
        short = self.monthly_shortfall or Money.zero(self.currency)
        return f"never: short {float(short.amount):,.2f} {self.currency} a month"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""

        def plain(value: Any) -> Any:
            return json_value(self, None, value)

        data = {
            f.name: plain(getattr(self, f.name))
            for f in attrs.fields(MarketEntry)
            if f.name not in ("landed", "costs", "sensitivity")
        }
        data["costs"] = {kind: plain(money) for kind, money in self.costs}
        data["landed"] = self.landed.to_dict()
        data["sensitivity"] = [
            {f.name: plain(getattr(s, f.name)) for f in attrs.fields(Scenario)}
            for s in self.sensitivity
        ]
        return data


# ---------------------------------------------------------------------------------------------


def _basket_in_market(profile: MarketProfile, basket: Money) -> Decimal:
    market = profile.currency.code
    return profile.fx.convert(basket, market, market, field="average_basket").amount


def _merchant_rate(profile: MarketProfile) -> Decimal:
    merchant = profile.merchant_currency
    market = profile.currency.code
    if merchant == market:
        return Decimal(1)
    rate = profile.fx.rate(merchant)
    if rate is None:
        raise CurrencyMismatchError(
            f"profile.fx.merchant_currency is {merchant} but no {merchant} rate is given:"
            f" call profile.with_fx({merchant!r}, rate=...) ({market} per {merchant})."
        )
    return rate


@attrs.frozen
class _Inputs:
    basket_market: Decimal
    cogs: Decimal
    monthly_orders: Decimal
    options: Mapping[str, Any]


def _economics(
    profile: MarketProfile, inputs: _Inputs, name: str
) -> tuple[Scenario, LandedCost, dict[str, Any]]:
    merchant = profile.merchant_currency
    rate = _merchant_rate(profile)

    def to_merchant(amount: Decimal) -> Money:
        return Money(DIVISION.divide(amount, rate), merchant).round()

    landed = landed_cost(
        profile, Money(inputs.basket_market, profile.currency.code), **inputs.options
    )
    revenue = to_merchant(inputs.basket_market)
    margin = revenue - Money(inputs.cogs, merchant)
    kept = (margin * (Decimal(1) - profile.returns.rate)).round()
    costs: dict[str, Money] = {}
    for line in landed.lines:
        if line.stage == "merchant":
            costs[line.kind] = costs.get(line.kind, Money.zero(merchant)) + to_merchant(
                line.amount.amount
            )
    commission = profile.entry.marketplace_commission
    if commission:
        costs["marketplace_commission"] = (revenue * commission).round()
    local = sum(costs.values(), Money.zero(merchant))
    contribution = kept - local
    fixed = to_merchant(profile.entry.monthly)
    one_time = to_merchant(profile.entry.one_time)
    monthly = (contribution * inputs.monthly_orders - fixed).round()
    positive = contribution.amount > 0
    break_even = float(fixed.amount / contribution.amount) if positive else None
    payback = None
    if monthly.amount > 0:
        payback = float(one_time.amount / monthly.amount)
    details = {
        "revenue": revenue,
        "kept": kept,
        "costs": tuple(costs.items()),
        "local": local,
        "fixed": fixed,
        "one_time": one_time,
    }
    return Scenario(name, contribution, monthly, break_even, payback), landed, details


def _shift_rates(profile: MarketProfile, shift: Decimal) -> MarketProfile:
    def clip(rate: Decimal) -> Decimal:
        return min(max(rate + shift, Decimal(0)), Decimal(1))

    duty = profile.duty
    return attrs.evolve(
        profile,
        duty=attrs.evolve(
            duty,
            default_rate=clip(duty.default_rate),
            category_rates=tuple((k, clip(v)) for k, v in duty.category_rates),
        ),
    )


def market_entry(
    profile: MarketProfile,
    *,
    monthly_orders: float,
    average_basket: Money | AmountLike,
    gross_margin_rate: float,
    weight_kg: AmountLike | None = None,
    shipping: Money | AmountLike | None = None,
    free_shipping: bool = False,
    category: str | None = None,
    origin: str | None = None,
    presentation: Presentation = "DDP",
    as_of: datetime.date | str | None = None,
    fx_shock: float = 0.10,
    return_rate_shift: float = 0.05,
    duty_rate_shift: float = 0.05,
) -> MarketEntry:
    """Contribution per order, break-even volume and payback of entering ``profile``'s market.

    Parameters
    ----------
    profile : MarketProfile
        The market; set the merchant's currency and rate with
        :meth:`~ecomstrat.localization.MarketProfile.with_fx` to compare markets in one
        currency.
    monthly_orders : float
        Expected orders a month, > 0.
    average_basket : Money or number
        Goods value of an average order, excluding import taxes (a bare number is in the
        merchant's currency).
    gross_margin_rate : float
        Gross (product) margin as a share of the basket at the base exchange rate, in [0, 1].
    weight_kg, shipping, category, origin, presentation, as_of
        As in :func:`~ecomstrat.localization.landed_cost`.
    free_shipping : bool, default False
        The merchant absorbs shipping (it becomes a localization cost).
    fx_shock, return_rate_shift, duty_rate_shift : float
        Sizes of the sensitivity variations: the merchant's currency ``±fx_shock`` (relative),
        the return rate and every duty rate ``±shift`` (absolute, clipped to [0, 1]).

    Returns
    -------
    MarketEntry

    Raises
    ------
    InvalidInputError
        For orders <= 0, a margin or shift outside [0, 1], a negative basket.
    CurrencyMismatchError
        When the basket or the merchant's currency has no exchange rate.
    """
    check_positive("monthly_orders", monthly_orders)
    margin_rate = Decimal(str(check_unit_interval("gross_margin_rate", gross_margin_rate)))
    shock = Decimal(str(check_unit_interval("fx_shock", fx_shock)))
    ret_shift = Decimal(str(check_unit_interval("return_rate_shift", return_rate_shift)))
    duty_shift = Decimal(str(check_unit_interval("duty_rate_shift", duty_rate_shift)))
    merchant = profile.merchant_currency
    basket = (
        average_basket
        if isinstance(average_basket, Money)
        else Money(to_decimal("average_basket", average_basket), merchant)
    )
    if basket.amount <= 0:
        raise invalid("average_basket", basket, "must be > 0")
    day = order_date(profile, as_of, stacklevel=4)
    basket_market = _basket_in_market(profile, basket)
    rate = _merchant_rate(profile)
    revenue_base = Money(DIVISION.divide(basket_market, rate), merchant).round()
    cogs = (revenue_base * (Decimal(1) - margin_rate)).round().amount
    options = {
        "weight_kg": weight_kg,
        "shipping": shipping,
        "category": category,
        "origin": origin,
        "presentation": presentation,
        "shipping_paid_by": "merchant" if free_shipping else "buyer",
    }
    inputs = _Inputs(basket_market, cogs, Decimal(str(float(monthly_orders))), options)
    base, landed, details = _economics(profile, inputs, "base")
    scenarios = [base]
    if merchant != profile.currency.code:
        for sign, label in ((1, "+"), (-1, "-")):
            shocked = profile.fx.with_rates({merchant: rate * (1 + sign * shock)})
            name = f"{merchant} {label}{percent(shock)}"
            scenarios.append(_economics(attrs.evolve(profile, fx=shocked), inputs, name)[0])
    for sign in (1, -1):
        new_rate = min(max(profile.returns.rate + sign * ret_shift, Decimal(0)), Decimal(1))
        changed = attrs.evolve(profile, returns=attrs.evolve(profile.returns, rate=new_rate))
        name = f"returns {'+' if sign > 0 else '-'}{_points(ret_shift)}"
        scenarios.append(_economics(changed, inputs, name)[0])
    for sign, label in ((1, "+"), (-1, "-")):
        name = f"duty {label}{_points(duty_shift)}"
        scenarios.append(_economics(_shift_rates(profile, sign * duty_shift), inputs, name)[0])
    shortfall = None
    if base.payback_months is None:
        shortfall = -base.monthly_contribution if base.monthly_contribution.amount <= 0 else None
        if shortfall is None:
            shortfall = Money.zero(merchant)
    return MarketEntry(
        country=profile.country,
        name=profile.name,
        currency=merchant,
        as_of=day,
        presentation=presentation,
        monthly_orders=float(monthly_orders),
        gross_margin_rate=float(margin_rate),
        landed=landed,
        exchange_rate=rate,
        revenue_per_order=details["revenue"],
        margin_per_order=details["kept"],
        costs=details["costs"],
        localization_cost_per_order=details["local"],
        contribution_per_order=base.contribution_per_order,
        one_time_cost=details["one_time"],
        monthly_fixed_cost=details["fixed"],
        monthly_contribution=base.monthly_contribution,
        break_even_orders=base.break_even_orders,
        payback_months=base.payback_months,
        monthly_shortfall=shortfall,
        sensitivity=tuple(scenarios),
    )


def _points(rate: Decimal) -> str:
    return f"{percent(rate)[:-1]} pts"


# ---------------------------------------------------------------------------------------------
# Side-by-side comparison.


@attrs.frozen
class MarketComparison(Tabular):
    """Candidate markets side by side, best payback first, in one currency.

    :meth:`columns` gives equal-length numpy arrays (money as float64, undefined values NaN);
    :meth:`to_pandas` turns them into a DataFrame indexed by country.
    """

    currency: str
    entries: tuple[MarketEntry, ...]

    _pandas_index = "country"

    def columns(self) -> dict[str, AnyArray]:
        """The comparison as named arrays."""

        def money(get: Any) -> AnyArray:
            return np.array([float(get(e).amount) for e in self.entries], dtype=np.float64)

        def optional(values: Iterable[float | None]) -> AnyArray:
            return np.array([math.nan if v is None else v for v in values], dtype=np.float64)

        return {
            "country": np.array([e.country for e in self.entries], dtype=np.str_),
            "name": np.array([e.name for e in self.entries], dtype=np.str_),
            "revenue_per_order": money(lambda e: e.revenue_per_order),
            "duties_and_taxes_per_order": np.array(
                [float(e.landed.duties_and_taxes.amount) for e in self.entries],
                dtype=np.float64,
            ),
            "localization_cost_per_order": money(lambda e: e.localization_cost_per_order),
            "contribution_per_order": money(lambda e: e.contribution_per_order),
            "contribution_margin": np.array(
                [e.contribution_margin for e in self.entries], dtype=np.float64
            ),
            "monthly_contribution": money(lambda e: e.monthly_contribution),
            "monthly_fixed_cost": money(lambda e: e.monthly_fixed_cost),
            "one_time_cost": money(lambda e: e.one_time_cost),
            "break_even_orders": optional(e.break_even_orders for e in self.entries),
            "payback_months": optional(e.payback_months for e in self.entries),
        }

    @property
    def best(self) -> MarketEntry:
        """The market that pays back soonest (first in the table)."""
        return self.entries[0]


def compare_markets(entries: Sequence[MarketEntry]) -> MarketComparison:
    """Put candidate markets side by side, sorted by payback (never last).

    Raises
    ------
    EmptyInputError
        If ``entries`` is empty.
    CurrencyMismatchError
        If the entries are in different merchant currencies.

    Examples
    --------
    >>> from ecomstrat.localization import market_profile
    >>> def entry(code, rate):
    ...     profile = market_profile(code, as_of="2026-03-01").with_fx("USD", rate=rate)
    ...     return market_entry(profile, monthly_orders=300, average_basket=80,
    ...                         gross_margin_rate=0.55)
    >>> table = compare_markets([entry("DE", "0.91"), entry("GB", "0.79")])
    >>> table.columns()["country"].tolist(), table.best.country
    (['GB', 'DE'], 'GB')
    """
    items = list(entries)
    if not items:
        raise EmptyInputError("entries is empty: at least one MarketEntry is needed.")
    currencies = sorted({e.currency for e in items})
    if len(currencies) > 1:
        raise CurrencyMismatchError(
            f"entries are in {', '.join(currencies)}: compare markets in one merchant currency"
            " (profile.with_fx(currency, rate=...) for each)."
        )

    def key(e: MarketEntry) -> tuple[float, float]:
        months = math.inf if e.payback_months is None else e.payback_months
        return months, -float(e.monthly_contribution.amount)

    return MarketComparison(currencies[0], tuple(sorted(items, key=key)))
