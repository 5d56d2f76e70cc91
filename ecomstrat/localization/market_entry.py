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
and lower, the price 10 % higher and lower (the landed cost recomputed, so a threshold can
switch; COGS fixed) and the conversion rate 10 % higher and lower (orders a month move with
it at the same traffic). A row whose lever leaves the economics exactly as in the base case
says so and why (``has_effect``, ``note``): an ad valorem duty shift does nothing where a
flat duty, a value band, a de minimis, a waiver or a duty-exempt scheme sets the duty, or
where the buyer pays the duty on delivery. A price row notes the duty, tax or fee rule the
new price switches to.

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
>>> de = market_profile("DE", as_of="2026-09-01")
>>> flat = market_entry(de, monthly_orders=300, average_basket=40, gross_margin_rate=0.55)
>>> print(next(s.label for s in flat.sensitivity if s.name == "duty +5 pts"))  # doctest: +ELLIPSIS
duty +5 pts: no effect — a flat 3 EUR per tariff subheading replaces the ad valorem duty (...)
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
    """One row of the sensitivity table.

    Attributes
    ----------
    name : str
        The lever and its size (``"duty +5 pts"``, ``"price -10%"``); the same in every market,
        so rows line up across a comparison.
    contribution_per_order, monthly_contribution : Money
    break_even_orders, payback_months : float or None
        As in :class:`MarketEntry`, with the lever moved.
    has_effect : bool
        False when the lever leaves the contribution per order and the monthly contribution
        exactly as in the base case.
    note : str
        Why the lever has no effect (``"no effect — ..."``), or which duty or tax rule the
        changed price switches to; empty otherwise.
    """

    name: str
    contribution_per_order: Money
    monthly_contribution: Money
    break_even_orders: float | None
    payback_months: float | None
    has_effect: bool = True
    note: str = ""

    @property
    def label(self) -> str:
        """The name followed by the note, if any (``"duty +5 pts: no effect — ..."``)."""
        return f"{self.name}: {self.note}" if self.note else self.name


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
        The base case and the FX, return-rate, duty-rate, price and conversion variations,
        in that order; a row whose lever has no effect says why in its ``note``.
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
    price_shift: float = 0.10,
    conversion_shift: float = 0.10,
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
        the return rate and every ad valorem duty rate ``±shift`` (absolute, clipped to
        [0, 1]; flat duties and value bands are not shifted, and the row says so).
    price_shift : float, default 0.10
        The basket's price ``±price_shift`` (relative, in [0, 1)): revenue and the landed cost
        are recomputed, so de minimis and scheme thresholds can switch; COGS stay fixed.
    conversion_shift : float, default 0.10
        The conversion rate ``±conversion_shift`` (relative, in [0, 1]). Volume enters only
        as ``monthly_orders``, so at the same traffic orders move in proportion:
        ``monthly_orders × (1 ± conversion_shift)``; the contribution per order and the
        break-even volume stay, the monthly contribution and payback move.

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
    price = Decimal(str(check_unit_interval("price_shift", price_shift)))
    if price == 1:
        raise invalid("price_shift", price_shift, "must be < 1", "E.g. 0.10 for prices ±10 %.")
    conversion = Decimal(str(check_unit_interval("conversion_shift", conversion_shift)))
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

    def vary(changed: MarketProfile, varied: _Inputs, name: str) -> tuple[Scenario, LandedCost]:
        scenario, cost, _ = _economics(changed, varied, name)
        return scenario, cost

    if merchant != profile.currency.code:
        for sign, label in ((1, "+"), (-1, "-")):
            shocked = profile.fx.with_rates({merchant: rate * (1 + sign * shock)})
            name = f"{merchant} {label}{percent(shock)}"
            row = vary(attrs.evolve(profile, fx=shocked), inputs, name)[0]
            scenarios.append(_effect(base, row, ""))
    for sign in (1, -1):
        new_rate = min(max(profile.returns.rate + sign * ret_shift, Decimal(0)), Decimal(1))
        changed = attrs.evolve(profile, returns=attrs.evolve(profile.returns, rate=new_rate))
        name = f"returns {'+' if sign > 0 else '-'}{_points(ret_shift)}"
        row = vary(changed, inputs, name)[0]
        same = new_rate == profile.returns.rate
        scenarios.append(
            _effect(base, row, f"the return rate is already {percent(new_rate)}" if same else "")
        )
    for sign, label in ((1, "+"), (-1, "-")):
        name = f"duty {label}{_points(duty_shift)}"
        row, shifted = vary(_shift_rates(profile, sign * duty_shift), inputs, name)
        shift = sign * duty_shift
        why = (
            "" if _moved(base, row) else _duty_no_effect(profile, landed, shifted, shift, category)
        )
        scenarios.append(_effect(base, row, why))
    for sign, label in ((1, "+"), (-1, "-")):
        name = f"price {label}{percent(price)}"
        factor = Decimal(1) + sign * price
        priced = Money(basket_market * factor, profile.currency.code).round().amount
        row, repriced = vary(profile, attrs.evolve(inputs, basket_market=priced), name)
        switched = _switches(profile, landed, repriced)
        moved = _moved(base, row)
        scenarios.append(attrs.evolve(row, note=switched) if moved else _effect(base, row, ""))
    for sign, label in ((1, "+"), (-1, "-")):
        name = f"conversion {label}{percent(conversion)}"
        orders = inputs.monthly_orders * (Decimal(1) + sign * conversion)
        row = vary(profile, attrs.evolve(inputs, monthly_orders=orders), name)[0]
        idle = base.contribution_per_order.amount == 0
        scenarios.append(_effect(base, row, "an order contributes nothing" if idle else ""))
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
# Why a lever has no effect, and which rule a changed price switches to.
#
# The reasons are read from the landed cost the engine computed (the duty and tax lines and
# the rules they quote) together with the profile, so they describe what the engine did.

_NO_EFFECT = "no effect — "
_STAGES = {"checkout": "at checkout", "delivery": "on delivery", "merchant": "by the merchant"}


def _moved(base: Scenario, row: Scenario) -> bool:
    return (
        row.contribution_per_order != base.contribution_per_order
        or row.monthly_contribution != base.monthly_contribution
    )


def _effect(base: Scenario, row: Scenario, reason: str) -> Scenario:
    """``row``, marked as having no effect (with ``reason``) when it equals the base case."""
    if _moved(base, row):
        return row
    why = reason or "the merchant's contribution does not depend on this lever here"
    return attrs.evolve(row, has_effect=False, note=_NO_EFFECT + why)


def _duty_regime(profile: MarketProfile, landed: LandedCost) -> tuple[str, str]:
    """How the engine set the duty: a short name, and why an ad valorem shift leaves it alone.

    The second item is empty when the ad valorem rates do set the duty.
    """
    line = landed.line("duty")
    rule = line.rule
    zero = line.amount.is_zero()
    flat = profile.flat_duty
    if flat is not None and rule.startswith(f"{flat.rule}: ") and " categor" in rule:
        per = "tariff subheading" if flat.per == "category" else "consignment"
        amount = f"{format(flat.amount, 'f')} {flat.currency}"
        return (
            f"flat {amount} per {per}",
            f"a flat {amount} per {per} replaces the ad valorem duty ({flat.ceiling.describe()})",
        )
    if profile.duty.bands and ": band " in rule:
        bound, _, rest = rule.split(": band ", 1)[1].partition(": ")
        rate = rest.split(" x ", 1)[0]
        covers = (
            f"; the band's global rate also stands for {profile.tax.name}"
            if profile.duty.bands_cover_tax
            else ""
        )
        return (
            f"band {bound} at {rate}",
            f"the value band {bound} sets the duty at {rate}, not the ad valorem rates{covers}",
        )
    if "bear no duty" in rule:
        scheme = rule.split(":", 1)[0]
        return f"exempt under {scheme}", f"goods under {scheme} bear no duty"
    if zero and "; de minimis: " in rule:
        detail = rule.split("; de minimis: ", 1)[1]
        return "exempt (de minimis)", f"the basket is within the duty de minimis, {detail}"
    if zero and " waived: " in rule:
        detail = rule.split(" waived: ", 1)[1]
        return "waived", f"the duty is waived, {detail}"
    return "ad valorem", ""


def _duty_no_effect(
    profile: MarketProfile,
    base: LandedCost,
    shifted: LandedCost,
    shift: Decimal,
    category: str | None,
) -> str:
    """Why shifting every duty rate leaves the contribution as it is."""
    if shifted.amount("duty") == base.amount("duty"):
        reason = _duty_regime(profile, base)[1] or _duty_regime(profile, shifted)[1]
        if reason:
            return reason
        rate = profile.duty.rate_for(category)
        if min(max(rate + shift, Decimal(0)), Decimal(1)) == rate:
            return f"the duty rate is already {percent(rate)}"
        return "the duty does not change"
    stage = base.line("duty").stage
    if stage == "delivery":
        return (
            f"the buyer pays the duty on delivery ({base.presentation}); no merchant cost"
            " depends on it"
        )
    return "the duty changes but no merchant cost depends on it"


def _tax_regime(landed: LandedCost) -> str:
    parts = []
    for line in landed.lines:
        if line.kind != "tax":
            continue
        zero = line.amount.is_zero()
        if zero and "; de minimis: " in line.rule:
            parts.append(f"{line.label} exempt (de minimis)")
        elif zero and " waived: " in line.rule:
            parts.append(f"{line.label} waived")
        elif zero and "covers" in line.rule:
            parts.append(f"{line.label} within the band's global rate")
        elif zero and line.rule == "no tax due":
            parts.append("no tax")
        else:
            parts.append(f"{line.label} {_STAGES[line.stage]}")
    return ", ".join(parts) or "no tax"


def _charges(landed: LandedCost) -> str:
    names = sorted({x.label for x in landed.lines if x.kind == "charges" and x.amount.amount})
    return ", ".join(names) or "none"


def _switches(profile: MarketProfile, base: LandedCost, repriced: LandedCost) -> str:
    """Which duty, tax or fee rule the changed price switches to ('' : none)."""
    changes = []
    for what, get in (
        ("duty", lambda cost: _duty_regime(profile, cost)[0]),
        ("tax", _tax_regime),
        ("charges", _charges),
    ):
        before, after = get(base), get(repriced)
        if before != after:
            changes.append(f"{what} {before} → {after}")
    return "crosses a threshold: " + "; ".join(changes) if changes else ""


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
