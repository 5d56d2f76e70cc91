"""Landed cost of an order: goods, transport, duty, tax, fees and merchant costs, line by line.

The pipeline (one order, in the market's currency), one function a step:

1. **Convert** (``_convert``) every amount to the market's currency with the profile's FX rates
   (plus ``fx``) and round it to the ISO 4217 minor unit.
2. **Customs value** (``_customs_value``) = goods × ``goods_factor`` (+ transport and insurance
   on a CIF basis).
3. **Collection** (``_collection``): goods within the scheme's ceiling (IOSS, UK ≤ GBP 135,
   VOEC…) are taxed by the seller at checkout; the rest at the border.
4. **Duty** (``_duty``): a flat per-category duty for low-value consignments (EU from
   2026-07-01), a value-banded schedule (Brazil, Mexico) or ad valorem rates on the customs
   value — unless the duty de minimis exempts the goods (tested on intrinsic value, customs
   value or the duty amount, per consignment or per item). A surcharge on duty (India's SWS)
   follows.
5. **National fees** (``_national_fees``) on low-value parcels (France, Romania).
6. **Tax** (``_tax``): supply VAT on the sale price under a scheme, with the duty and charges
   the buyer pays at checkout (VAT Directive art. 78(a)); otherwise import tax on
   customs value + transport (FOB countries) + duty and charges (VAT Directive art. 86), unless
   the tax de minimis exempts it; Brazil grosses it up (ICMS "por dentro"); China's CBEC
   channel levies 70 % of it; a consumption tax is levied on a tax-inclusive base.
7. **Carrier fees** (``_carrier_fees``) when duty or tax is advanced at the border: under DAP
   the buyer pays the carrier's clearance fee on delivery; under DDP the carrier bills the
   merchant a surcharge.
8. **Merchant costs** (``_merchant_costs``): payment fee on the checkout amount, FX conversion
   cost, expected return cost, customer service.

Each line is rounded once, with the market's rounding mode (half-even unless the profile says
otherwise), and names the rule that produced it; ``total`` is the exact sum of the lines.
Intermediate values are exact decimals; the few divisions (FX, gross-up, allocation of
transport over lines) carry 40 significant digits.

:func:`landed_cost_batch` costs many single-line orders with the numba kernel of
:mod:`ecomstrat._kernels.landed_cost`, which follows the same steps in float64.

Examples
--------
>>> from ecomstrat.localization import market_profile
>>> de = market_profile("DE", as_of="2026-03-01")
>>> cost = landed_cost(de, Money("200.00", "EUR"), shipping=Money("10.00", "EUR"))
>>> cost.amount("duty"), cost.amount("tax")
(Money('8.40', 'EUR'), Money('41.50', 'EUR'))
>>> print(cost.line("tax").rule)  # doctest: +ELLIPSIS
VAT Directive arts. 85-86: ... base 218.40 (customs value 210.00 + duty 8.40) x 19%
"""

from __future__ import annotations

import contextvars
import csv
import datetime
import decimal
import io
import os
import re
import tomllib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias, cast, get_args

import attr
import attrs
import numpy as np
from babel.core import get_global

from ecomstrat._kernels import landed_cost as kernel
from ecomstrat._kernels.landed_cost import (
    BAND_COLUMNS,
    FEE_COLUMNS,
    N_PARAMS,
    PARALLEL_MIN_ORDERS,
    TEST_COLUMNS,
    P,
    T,
)
from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import (
    check_array_finite,
    check_array_non_negative,
    check_choice,
    check_non_empty,
    invalid,
)
from ecomstrat.domain.country import check_country
from ecomstrat.domain.currency import check_currency, minor_units
from ecomstrat.domain.money import AmountLike, Money, to_decimal
from ecomstrat.exceptions import EcomstratWarning, InvalidInputError, UnknownCodeError
from ecomstrat.frames._export import Tabular
from ecomstrat.localization.profiles import MarketDataWarning, MarketProfile
from ecomstrat.localization.rules import (
    DIVISION,
    ROUNDINGS,
    FxTerms,
    Limit,
    Provenance,
    Threshold,
    TransportMode,
    json_value,
    to_date,
)

__all__ = [
    "CostKind",
    "CostLine",
    "CostStage",
    "LandedCost",
    "LandedCostBatch",
    "LimitWarning",
    "OrderLine",
    "Presentation",
    "ShelfPrice",
    "SplitLandedCost",
    "TariffRate",
    "TariffTable",
    "cash_increment",
    "check_limits",
    "landed_cost",
    "landed_cost_batch",
    "landed_cost_split",
    "load_tariff",
    "price_for_shelf_price",
]

#: What a cost line is for.
CostKind: TypeAlias = Literal[
    "goods",
    "shipping",
    "insurance",
    "duty",
    "excise",
    "tax",
    "charges",
    "brokerage",
    "ddp_surcharge",
    "payment_fee",
    "fx_cost",
    "returns",
    "service",
]
#: Who pays a line and when: the buyer at checkout, the buyer on delivery (to the carrier),
#: or the merchant (costs the buyer never sees).
CostStage: TypeAlias = Literal["checkout", "delivery", "merchant"]
#: DDP: duties and taxes paid by the seller and charged at checkout; DAP: paid by the buyer
#: on delivery (DDU, as carriers still call it).
Presentation: TypeAlias = Literal["DDP", "DAP"]

KINDS: Final[tuple[str, ...]] = get_args(CostKind)
#: Columns of a :class:`LandedCostBatch` (the kernel's output rows): the cost kinds, then the
#: sums by stage and the total.
COLUMNS: Final[tuple[str, ...]] = (*KINDS, *get_args(CostStage), "total")
_EXACT: Final = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_MODES: Final = {mode: i for i, mode in enumerate(ROUNDINGS)}
_BASES: Final = {"intrinsic": 0, "customs_value": 1, "tax_amount": 2}


# ---------------------------------------------------------------------------------------------
# Orders.


def _line_value(value: Money | AmountLike) -> Money | Decimal:
    if isinstance(value, Money):
        return value
    return to_decimal("value", value)


def _non_negative_value(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    amount = value.amount if isinstance(value, Money) else value
    if isinstance(amount, Decimal) and amount < 0:
        raise invalid(attribute.name, value, "must be >= 0")


def _quantity(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid("quantity", value, "must be an int >= 1")
    return value


def _category(value: str | None) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise invalid("category", value, "must be a non-blank string or None")
    return None if value is None else value.strip()


def _hs_code(value: str | None) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise invalid("hs_code", value, "must be a non-blank string or None", "E.g. '6109.10'.")
    return None if value is None else value.strip()


@attrs.frozen
class OrderLine:
    """One line of an order to cost: its value, quantity and product category.

    Parameters
    ----------
    value : Money or Decimal
        Price of the line (unit price × quantity), excluding import taxes. A bare number is
        taken in the market's currency.
    quantity : int
        Number of items (per-item thresholds test ``value / quantity``).
    category : str, optional
        Product category or HS chapter, looked up in the duty and tax category rates; lines
        of different categories are distinct tariff subheadings for flat per-category duties.
    hs_code : str, optional
        HS / tariff code of the line: with a user tariff (``landed_cost(..., tariff=...)``,
        see :func:`load_tariff`) its duty rate replaces the category's duty rate.

    Examples
    --------
    >>> OrderLine(Money("40", "EUR"), quantity=2, category="61")
    OrderLine(value=Money('40', 'EUR'), quantity=2, category='61', hs_code=None)
    """

    value: Money | Decimal = attrs.field(converter=_line_value, validator=_non_negative_value)
    quantity: int = attrs.field(default=1, converter=_quantity)
    category: str | None = attrs.field(default=None, converter=_category)
    hs_code: str | None = attrs.field(default=None, converter=_hs_code)


# ---------------------------------------------------------------------------------------------
# Results.


def percent(rate: Decimal) -> str:
    """``Decimal("0.195")`` as ``"19.5%"`` (for rules and scenario names)."""
    return f"{format((rate * 100).normalize(), 'f')}%"


def _fmt(amount: Decimal) -> str:
    return format(amount, "f")


@attrs.frozen
class CostLine:
    """One line of a landed cost: what, how much, who pays when, and the rule behind it.

    Attributes
    ----------
    kind : str
        ``goods``, ``shipping``, ``insurance``, ``duty``, ``excise``, ``tax``, ``charges``,
        ``brokerage``, ``ddp_surcharge``, ``payment_fee``, ``fx_cost``, ``returns`` or
        ``service``.
    amount : Money
        Rounded to the currency's minor unit.
    stage : {"checkout", "delivery", "merchant"}
        Paid by the buyer at checkout, by the buyer to the carrier on delivery, or borne by
        the merchant.
    label : str
        Short name (``"VAT 19%"``, ``"IOSS VAT"``).
    rule : str
        The rule that produced the amount, with its arithmetic.
    """

    kind: str
    amount: Money
    stage: CostStage
    label: str
    rule: str


@attrs.frozen
class LandedCost(Tabular):
    """Itemised landed cost of one order, in the market's currency.

    ``total`` is exactly the sum of the lines; ``checkout``, ``on_delivery`` and
    ``merchant_cost`` split it by who pays when. As a table (:meth:`columns`,
    ``to_pandas()``…) it has one row per line.

    Attributes
    ----------
    country, currency : str
        Market and the currency of every line.
    presentation : {"DDP", "DAP"}
        Duties and taxes paid at checkout (DDP) or by the buyer on delivery (DAP).
    as_of : datetime.date
        Date whose rules were applied.
    lines : tuple of CostLine
    customs_value : Money
        Value duty was assessed on (after the valuation basis).
    cash_step : Decimal
        Step of cash payments in this market (CLDR, or the profile's override).
    """

    country: str
    currency: str
    presentation: Presentation
    as_of: datetime.date
    lines: tuple[CostLine, ...]
    customs_value: Money
    cash_step: Decimal

    def columns(self) -> dict[str, AnyArray]:
        """The lines as columns: kind, amount (float64, in ``currency``), stage, label, rule.

        Examples
        --------
        >>> from ecomstrat.localization import market_profile
        >>> cost = landed_cost(market_profile("DE", as_of="2026-03-01"), 200, shipping=10)
        >>> columns = cost.columns()
        >>> columns["kind"][:4].tolist(), columns["amount"][:4].tolist()
        (['goods', 'shipping', 'insurance', 'duty'], [200.0, 10.0, 0.0, 8.4])
        """
        return {
            "kind": np.array([line.kind for line in self.lines], dtype=np.str_),
            "amount": np.array([float(line.amount.amount) for line in self.lines]),
            "stage": np.array([line.stage for line in self.lines], dtype=np.str_),
            "label": np.array([line.label for line in self.lines], dtype=np.str_),
            "rule": np.array([line.rule for line in self.lines], dtype=np.str_),
        }

    @property
    def total(self) -> Money:
        """Sum of all lines: what the buyer pays plus what the merchant spends on the order."""
        return self._sum(lambda line: True)

    @property
    def checkout(self) -> Money:
        """What the buyer pays at checkout."""
        return self._sum(lambda line: line.stage == "checkout")

    @property
    def on_delivery(self) -> Money:
        """What the buyer pays the carrier on delivery (DAP duties, taxes and fees)."""
        return self._sum(lambda line: line.stage == "delivery")

    @property
    def buyer_total(self) -> Money:
        """Everything the buyer pays: checkout plus on delivery."""
        return self._sum(lambda line: line.stage != "merchant")

    @property
    def merchant_cost(self) -> Money:
        """Costs borne by the merchant (fees, FX, expected returns, service…)."""
        return self._sum(lambda line: line.stage == "merchant")

    @property
    def duties_and_taxes(self) -> Money:
        """Duty, excise, tax and official charges, whoever pays them."""
        return self._sum(lambda line: line.kind in ("duty", "excise", "tax", "charges"))

    def amount(self, kind: str) -> Money:
        """Sum of the lines of ``kind`` (zero if there is none)."""
        check_choice("kind", kind, KINDS)
        return self._sum(lambda line: line.kind == kind)

    def line(self, kind: str) -> CostLine:
        """The first line of ``kind``."""
        check_choice("kind", kind, KINDS)
        for line in self.lines:
            if line.kind == kind:
                return line
        raise invalid("kind", kind, "has no line in this landed cost")

    def cash_amount(self, stage: Literal["checkout", "delivery"] = "delivery") -> Money:
        """What a buyer paying ``stage`` in cash hands over: rounded half-up to the cash step.

        Cash rounding applies to the payable total only, never to card payments or to the tax
        lines themselves.

        Examples
        --------
        >>> from ecomstrat.localization import market_profile
        >>> ch = market_profile("CH", as_of="2026-03-01")
        >>> cost = landed_cost(ch, Money("101.00", "CHF"), shipping=Money("12.00", "CHF"),
        ...                    presentation="DAP")
        >>> cost.on_delivery, cost.cash_amount("delivery")
        (Money('20.33', 'CHF'), Money('20.35', 'CHF'))
        """
        check_choice("stage", stage, ["checkout", "delivery"])
        due = self.checkout if stage == "checkout" else self.on_delivery
        return due.round(rounding=decimal.ROUND_HALF_UP, increment=self.cash_step)

    def converted(self, to: str, *, rate: AmountLike) -> LandedCost:
        """The same lines in currency ``to``: each divided by ``rate`` and rounded half-even.

        ``rate`` is units of this landed cost's currency per unit of ``to``. The total of the
        result is again the exact sum of its (rounded) lines.
        """
        factor = to_decimal("rate", rate)
        if factor <= 0:
            raise invalid("rate", rate, "must be > 0")
        lines = tuple(
            attrs.evolve(
                line, amount=Money(DIVISION.divide(line.amount.amount, factor), to).round()
            )
            for line in self.lines
        )
        value = Money(DIVISION.divide(self.customs_value.amount, factor), to).round()
        step = Decimal(1).scaleb(-minor_units(to))
        return attrs.evolve(
            self, currency=value.currency, lines=lines, customs_value=value, cash_step=step
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data, with the totals."""
        data = attr.asdict(self, retain_collection_types=False, value_serializer=json_value)
        for name in ("total", "checkout", "on_delivery", "merchant_cost"):
            data[name] = _fmt(getattr(self, name).amount)
        return data

    def _sum(self, keep: Any) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            if keep(line):
                total = total + line.amount
        return total


def cash_increment(currency: str, *, override: Decimal | None = None) -> Decimal:
    """Step of cash amounts in ``currency``: CLDR's cash rounding (via babel) or ``override``.

    CLDR gives ``(digits, rounding, cash_digits, cash_rounding)`` per currency; the step is
    ``cash_rounding × 10**-cash_digits`` (or ``10**-cash_digits`` when ``cash_rounding`` is 0).
    It is never finer than the ISO 4217 minor unit, which is what amounts are kept in (ISO and
    CLDR disagree for a few currencies, e.g. IQD: ISO 3 decimals, CLDR 0).

    Examples
    --------
    >>> cash_increment("CHF"), cash_increment("SEK"), cash_increment("EUR")
    (Decimal('0.05'), Decimal('1'), Decimal('0.01'))
    >>> cash_increment("EUR", override=Decimal("0.05"))
    Decimal('0.05')
    """
    unit = Decimal(1).scaleb(-minor_units(currency))
    if override is not None and override > 0:
        step = override
    else:
        fractions = get_global("currency_fractions")
        _digits, _rounding, cash_digits, cash_rounding = fractions.get(
            currency, fractions["DEFAULT"]
        )
        step = Decimal(cash_rounding or 1).scaleb(-int(cash_digits))
    if step < unit or _EXACT.remainder(step, unit) != 0:
        return unit
    return step


# ---------------------------------------------------------------------------------------------
# The plan: a profile resolved for one calculation (thresholds in market currency, flags).


@attrs.frozen
class _Test:
    limit: Decimal
    basis: str
    per: str
    inclusive: bool
    text: str
    rule: str
    excluded: tuple[str, ...] = ()  # goods categories left out of the low-value regime

    def within(self, value: Decimal) -> bool:
        return value <= self.limit if self.inclusive else value < self.limit

    def excludes(self, category: str | None) -> bool:
        return category is not None and category in self.excluded


@attrs.frozen
class _Fee:
    name: str
    amount: Decimal
    per_category: bool
    ceiling: _Test | None
    merchant: bool
    in_base: bool
    rule: str
    floor: _Test | None = None  # the fee applies above it (a formal entry)
    rate: Decimal = _ZERO  # ad valorem part, on the consignment's customs value
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def applies(self, goods: _Goods) -> bool:
        """Whether the consignment is within the ceiling and above the floor."""
        if self.ceiling is not None and not self.ceiling.within(goods.value_of(self.ceiling, None)):
            return False
        return self.floor is None or not self.floor.within(goods.value_of(self.floor, None))

    def each(self, customs_value: Decimal) -> Decimal:
        """The fee of one consignment (or category): fixed + ad valorem part, within bounds."""
        amount = self.amount + self.rate * customs_value
        if self.minimum is not None and amount < self.minimum:
            amount = self.minimum
        if self.maximum is not None and amount > self.maximum:
            amount = self.maximum
        return amount


@attrs.frozen
class _Band:
    up_to: Decimal | None
    rate: Decimal
    deduction: Decimal


@attrs.frozen
class _Plan:
    profile: MarketProfile
    fx: FxTerms  # the profile's rates and the call's
    currency: str
    exponent: int
    rounding: str
    presentation: Presentation
    cif: bool
    goods_factor: Decimal
    dm_duty: _Test | None
    dm_tax: _Test | None
    flat: tuple[Decimal, bool, _Test, str] | None
    bands: tuple[_Band, ...]
    bands_basis: str
    bands_need_scheme: bool
    bands_cover_tax: bool
    bands_currency: str
    pos: _Test | None
    pos_on: bool
    pos_all: bool
    fees: tuple[_Fee, ...]
    brokerage_fixed: Decimal
    brokerage_rate: Decimal
    ddp_surcharge: Decimal
    ddp_rate: Decimal
    pay_rate: Decimal
    pay_fixed: Decimal
    fx_fee: Decimal
    ret_rate: Decimal
    ret_fixed: Decimal
    service: Decimal
    shipping_by_merchant: bool
    same_currency: bool

    def q(self, value: Decimal) -> Decimal:
        """``value`` rounded to the minor unit with the market's rounding mode."""
        return value.quantize(Decimal(1).scaleb(-self.exponent), self.rounding, _EXACT)

    def text(self, value: Decimal) -> str:
        """``value`` rounded to the minor unit, as text for a rule."""
        return _fmt(self.q(value))


def _limit(profile: MarketProfile, fx: FxTerms, t: Threshold, field: str) -> _Test:
    market = profile.currency.code
    money = fx.convert(Money(t.amount, t.currency), market, market, field=field)
    return _Test(
        money.amount,
        t.basis,
        t.per,
        t.inclusive,
        t.describe(),
        t.rule,
        t.excluded_categories,
    )


def _select(
    rules: Sequence[Threshold], origin: str | None, mode: str, ships_from: str | None
) -> Threshold | None:
    """The first de minimis rule covering the origin, transport mode and place of shipment."""
    return next((t for t in rules if t.applies_to(origin, mode=mode, ships_from=ships_from)), None)


def _plan(
    profile: MarketProfile,
    presentation: Presentation,
    origin: str | None,
    fx: Mapping[str, AmountLike] | None,
    shipping_paid_by: str,
    *,
    mode: str = "courier",
    ships_from: str | None = None,
) -> _Plan:
    terms = profile.fx.with_rates(fx) if fx else profile.fx
    market = profile.currency.code
    dm_duty = _select(profile.duty_de_minimis, origin, mode, ships_from)
    dm_tax = _select(profile.tax_de_minimis, origin, mode, ships_from)
    flat = None
    if profile.flat_duty is not None:
        f = profile.flat_duty
        amount = terms.convert(Money(f.amount, f.currency), market, market, field="flat_duty")
        flat_ceiling = _limit(profile, terms, f.ceiling, "flat_duty.ceiling")
        flat = (amount.amount, f.per == "category", flat_ceiling, f.rule)
    duty = profile.duty
    bands: tuple[_Band, ...] = ()
    if duty.bands:
        currency = str(duty.bands_currency)
        rate = _ONE if currency == market else terms._need(currency, market, "duty.bands")
        bands = tuple(
            _Band(
                None if b.up_to is None else b.up_to * rate,
                b.rate,
                b.deduction * rate,
            )
            for b in duty.bands
        )
    collection = profile.collection
    pos = None
    pos_on = collection is not None and collection.registered
    if pos_on and collection is not None and collection.ceiling is not None:
        pos = _limit(profile, terms, collection.ceiling, "collection.ceiling")
    fees = []
    for i, fee in enumerate(profile.import_fees):
        amount = terms.convert(
            Money(fee.amount, fee.currency), market, market, field=f"import_fees[{i}]"
        )
        ceiling: _Test | None = None
        if fee.ceiling is not None:
            ceiling = _limit(profile, terms, fee.ceiling, f"import_fees[{i}].ceiling")
        floor = None
        if fee.floor is not None:
            floor = _limit(profile, terms, fee.floor, f"import_fees[{i}].floor")
        bounds = [
            None
            if bound is None
            else terms.convert(
                Money(bound, fee.currency), market, market, field=f"import_fees[{i}]"
            ).amount
            for bound in (fee.minimum, fee.maximum)
        ]
        fees.append(
            _Fee(
                fee.name,
                amount.amount,
                fee.per == "category",
                ceiling,
                fee.payer == "merchant",
                fee.in_tax_base,
                fee.rule,
                floor=floor,
                rate=fee.rate,
                minimum=bounds[0],
                maximum=bounds[1],
            )
        )
    border = profile.border_fees
    merchant = profile.merchant_currency
    returns = profile.returns
    return _Plan(
        profile=profile,
        fx=terms,
        currency=market,
        exponent=minor_units(market),
        rounding=profile.currency.rounding,
        presentation=presentation,
        cif=profile.valuation.basis == "CIF",
        goods_factor=profile.valuation.goods_factor,
        dm_duty=None if dm_duty is None else _limit(profile, terms, dm_duty, "duty_de_minimis"),
        dm_tax=None if dm_tax is None else _limit(profile, terms, dm_tax, "tax_de_minimis"),
        flat=flat,
        bands=bands,
        bands_basis=duty.bands_basis,
        bands_need_scheme=duty.bands_need_scheme,
        bands_cover_tax=duty.bands_cover_tax,
        bands_currency=str(duty.bands_currency),
        pos=pos,
        pos_on=pos_on,
        pos_all=pos_on and pos is None,
        fees=tuple(fees),
        brokerage_fixed=border.brokerage_fixed,
        brokerage_rate=border.brokerage_rate,
        ddp_surcharge=border.ddp_surcharge,
        ddp_rate=border.ddp_rate,
        pay_rate=profile.payments.rate,
        pay_fixed=profile.payments.fixed,
        fx_fee=profile.fx.conversion_fee if merchant != market else _ZERO,
        ret_rate=returns.rate,
        ret_fixed=returns.return_freight + returns.handling,
        service=profile.service.per_order,
        shipping_by_merchant=shipping_paid_by == "merchant",
        same_currency=merchant == market,
    )


# ---------------------------------------------------------------------------------------------
# The exact calculation, one function a step of the module docstring.

#: A cost line before it becomes a CostLine: (kind, amount, stage, label, rule).
_Line: TypeAlias = tuple[str, Decimal, CostStage, str, str]


@attrs.frozen
class _Item:
    value: Decimal  # rounded, market currency
    quantity: int
    category: str | None
    duty_rate: Decimal
    tax_rate: Decimal
    excise_rate: Decimal


@attrs.frozen
class _Goods:
    """The order after steps 1 and 2: its lines, transport and customs values."""

    items: tuple[_Item, ...]
    shipping: Decimal
    insurance: Decimal
    intrinsic: Decimal
    weights: tuple[Decimal, ...]  # each line's share of the intrinsic value
    freight: tuple[Decimal, ...]  # transport and insurance allocated to each line
    customs_values: tuple[Decimal, ...]
    customs_value: Decimal

    @property
    def n(self) -> int:
        return len(self.items)

    def value_of(self, test: _Test, i: int | None) -> Decimal:
        """What ``test`` is tested on: the consignment's value (``i`` None) or item ``i``'s."""
        if i is None:
            return self.intrinsic if test.basis == "intrinsic" else self.customs_value
        base = self.items[i].value if test.basis == "intrinsic" else self.customs_values[i]
        return DIVISION.divide(base, self.items[i].quantity)

    def passes(self, test: _Test, i: int) -> bool:
        """Whether line ``i`` is within ``test`` (per item, or with its whole consignment).

        A line of a category the rule excludes (alcohol, tobacco…) is never within it.
        """
        if test.excludes(self.items[i].category):
            return False
        return test.within(self.value_of(test, i if test.per == "item" else None))


@attrs.frozen
class _Collection:
    """Step 3: which lines the seller's scheme covers."""

    in_scheme: tuple[bool, ...]
    import_scheme: bool  # the scheme collects import taxes (and duty), not supply VAT
    scheme: str
    dutiable: tuple[bool, ...]

    @property
    def collects_duty(self) -> bool:
        """The scheme collects the duty of every dutiable line at checkout."""
        covered = (s for s, d in zip(self.in_scheme, self.dutiable, strict=True) if d)
        return self.import_scheme and all(covered)


@attrs.frozen
class _Duty:
    """Step 4: the duty (rounded), its split over the lines, its stage and the surcharge."""

    amount: Decimal
    shares: tuple[Decimal, ...]
    band_applied: bool
    stage: CostStage
    surcharge: Decimal
    surcharge_in_base: Decimal
    lines: tuple[_Line, ...]


@attrs.frozen
class _Charges:
    """Step 5: national fees, the part of them in the tax base and the part the buyer pays."""

    in_tax_base: Decimal
    buyer: Decimal
    lines: tuple[_Line, ...]


@attrs.frozen
class _Tax:
    """Step 6: tax and excise collected under the scheme and at the border."""

    scheme_tax: Decimal
    scheme_excise: Decimal
    border_tax: Decimal
    border_excise: Decimal
    lines: tuple[_Line, ...]


def _convert(
    plan: _Plan,
    order: OrderLike,
    *,
    category: str | None,
    quantity: int,
    shipping: Money | AmountLike | None,
    insurance: Money | AmountLike | None,
    weight_kg: AmountLike | None,
) -> tuple[list[_Item], Decimal, Decimal]:
    """Step 1: the order's lines, shipping and insurance in the market's minor units."""
    profile = plan.profile
    items = []
    for i, line in enumerate(_order_lines(order, category, quantity)):
        cat = line.category
        value = _money(f"order[{i}].value", line.value, profile, plan.fx)
        items.append(
            _Item(
                plan.q(value),
                line.quantity,
                cat,
                profile.duty.rate_for(cat),
                profile.tax.rate_for(cat),
                profile.tax.excise_for(cat),
            )
        )
    with decimal.localcontext(_EXACT):
        goods = sum((it.value for it in items), _ZERO)
        if shipping is None:
            rates = profile.shipping
            weight = (
                rates.default_weight_kg if weight_kg is None else to_decimal("weight_kg", weight_kg)
            )
            if weight < 0:
                raise invalid("weight_kg", weight_kg, "must be >= 0")
            ship = plan.q(rates.base + rates.per_kg * weight)
        else:
            ship = plan.q(_money("shipping", shipping, profile, plan.fx))
        if insurance is None:
            insure = plan.q(profile.shipping.insurance_rate * goods)
        else:
            insure = plan.q(_money("insurance", insurance, profile, plan.fx))
    return items, ship, insure


def _customs_value(plan: _Plan, items: Sequence[_Item], S: Decimal, N: Decimal) -> _Goods:
    """Step 2: transport spread over the lines by value; customs value per line and in all."""
    n = len(items)
    intrinsic = sum((it.value for it in items), _ZERO)
    F = S + N
    weights = [
        DIVISION.divide(it.value, intrinsic) if intrinsic > 0 else DIVISION.divide(_ONE, n)
        for it in items
    ]
    freight = [F * w for w in weights]
    customs_values = [
        plan.goods_factor * it.value + (freight[i] if plan.cif else _ZERO)
        for i, it in enumerate(items)
    ]
    customs_value = plan.goods_factor * intrinsic + (F if plan.cif else _ZERO)
    return _Goods(
        tuple(items),
        S,
        N,
        intrinsic,
        tuple(weights),
        tuple(freight),
        tuple(customs_values),
        customs_value,
    )


def _goods_lines(plan: _Plan, goods: _Goods) -> list[_Line]:
    """The goods, shipping and insurance lines."""
    ship_stage: CostStage = "merchant" if plan.shipping_by_merchant else "checkout"
    return [
        ("goods", goods.intrinsic, "checkout", "goods", f"intrinsic value of {goods.n} line(s)"),
        ("shipping", goods.shipping, ship_stage, "shipping", "transport to the destination"),
        ("insurance", goods.insurance, ship_stage, "insurance", "transport insurance"),
    ]


def _collection(plan: _Plan, goods: _Goods) -> _Collection:
    """Step 3: which lines fall under the seller's scheme."""
    n = goods.n
    if plan.pos_all:
        in_scheme = [True] * n
    elif plan.pos is not None:
        in_scheme = [goods.passes(plan.pos, i) for i in range(n)]
    else:
        in_scheme = [False] * n
    collection = plan.profile.collection
    exempt = collection is not None and collection.duty_exempt
    return _Collection(
        in_scheme=tuple(in_scheme),
        import_scheme=collection is not None and collection.base == "import",
        scheme=collection.scheme if collection is not None else "",
        dutiable=tuple(not (in_scheme[i] and exempt) for i in range(n)),
    )


def _flat_duty(plan: _Plan, goods: _Goods, col: _Collection) -> tuple[list[Decimal], str] | None:
    """A flat duty per category or consignment, if the consignment is within its ceiling.

    A flat duty scoped to the scheme (``FlatDuty.scope == "scheme"``) applies only when the
    whole consignment is collected under it by a registered seller.
    """
    if plan.flat is None or not plan.flat[2].within(goods.value_of(plan.flat[2], None)):
        return None
    flat_rules = plan.profile.flat_duty
    scheme_only = flat_rules is not None and flat_rules.scope == "scheme"
    if scheme_only and not (plan.pos_on and all(col.in_scheme)):
        return None
    amount, per_category, ceiling, rule = plan.flat
    n, dutiable = goods.n, col.dutiable
    categories = {goods.items[i].category for i in range(n) if dutiable[i]}
    count = len(categories) if per_category else (1 if any(dutiable) else 0)
    total = amount * count
    share = (
        [DIVISION.divide(_ONE, sum(dutiable)) if dutiable[i] else _ZERO for i in range(n)]
        if any(dutiable)
        else [_ZERO] * n
    )
    text = (
        f"{rule}: {count} categor{'y' if count == 1 else 'ies'} x {plan.text(amount)}"
        f" {plan.currency} ({ceiling.text})"
    )
    return [total * s for s in share], text


def _band_duty(plan: _Plan, goods: _Goods, col: _Collection) -> tuple[list[Decimal], str] | None:
    """A value-banded duty, if the market has bands, they apply, and one covers the value."""
    whole_scheme = plan.pos_on and all(col.in_scheme)
    if not plan.bands or not (whole_scheme or not plan.bands_need_scheme):
        return None
    n, dutiable, cur = goods.n, col.dutiable, plan.currency
    intrinsic = plan.bands_basis == "intrinsic"
    value = sum(
        (
            (goods.items[i].value if intrinsic else goods.customs_values[i])
            for i in range(n)
            if dutiable[i]
        ),
        _ZERO,
    )
    band = next((b for b in plan.bands if b.up_to is None or value <= b.up_to), None)
    if band is None:
        return None
    total = max(band.rate * value - band.deduction, _ZERO)
    weights = [goods.customs_values[i] if dutiable[i] else _ZERO for i in range(n)]
    total_weight = sum(weights, _ZERO)
    exact = [
        total * DIVISION.divide(w, total_weight) if total_weight > 0 else _ZERO for w in weights
    ]
    bound = "open" if band.up_to is None else f"<= {plan.text(band.up_to)} {cur}"
    text = (
        f"{plan.profile.duty.rule}: band {bound}: {percent(band.rate)} x {plan.text(value)}"
        f" - {plan.text(band.deduction)} {cur}"
    )
    return exact, text


def _ad_valorem_duty(plan: _Plan, goods: _Goods, col: _Collection) -> tuple[list[Decimal], str]:
    """Rates × customs value per line, unless the duty de minimis exempts the line."""
    n, items, dutiable = goods.n, goods.items, col.dutiable
    exempt = [False] * n
    dm = plan.dm_duty
    note = ""
    if dm is not None and dm.basis != "tax_amount":
        exempt = [goods.passes(dm, i) for i in range(n)]
        if any(exempt):
            note = f"; de minimis: {dm.text} ({dm.rule})"
    exact = [
        items[i].duty_rate * goods.customs_values[i] if dutiable[i] and not exempt[i] else _ZERO
        for i in range(n)
    ]
    rates = sorted({percent(items[i].duty_rate) for i in range(n)})
    text = (
        f"{plan.profile.duty.rule}: {'/'.join(rates)} x customs value"
        f" {plan.text(goods.customs_value)}{note}"
    )
    if not any(dutiable):
        text = f"{col.scheme}: goods under the scheme bear no duty"
    return exact, text


def _duty(plan: _Plan, goods: _Goods, col: _Collection) -> _Duty:
    """Step 4: flat, banded or ad valorem duty, a waiver on the amount, then the surcharge."""
    flat = _flat_duty(plan, goods, col)
    band = None if flat is not None else _band_duty(plan, goods, col)
    exact, rule = flat or band or _ad_valorem_duty(plan, goods, col)
    duty = plan.q(sum(exact, _ZERO))
    dm = plan.dm_duty
    if dm is not None and dm.basis == "tax_amount" and duty > 0 and dm.within(duty):
        rule += f"; {_fmt(duty)} waived: {dm.text} ({dm.rule})"
        duty = _ZERO
        exact = [_ZERO] * goods.n
    total = sum(exact, _ZERO)
    shares = tuple(DIVISION.divide(d, total) if total > 0 else _ZERO for d in exact)
    stage: CostStage = "checkout" if plan.presentation == "DDP" or col.collects_duty else "delivery"
    lines: list[_Line] = [("duty", duty, stage, "duty", rule)]
    rules = plan.profile.duty
    surcharge = plan.q(rules.surcharge_rate * duty)
    if rules.surcharge_rate > 0:
        text = f"{rules.surcharge_name}: {percent(rules.surcharge_rate)} x duty {_fmt(duty)}"
        lines.append(("charges", surcharge, stage, rules.surcharge_name, text))
    return _Duty(
        amount=duty,
        shares=shares,
        band_applied=band is not None,
        stage=stage,
        surcharge=surcharge,
        surcharge_in_base=surcharge if rules.surcharge_in_tax_base else _ZERO,
        lines=tuple(lines),
    )


def _national_fees(plan: _Plan, goods: _Goods, duty: _Duty) -> _Charges:
    """Step 5: national fees, per consignment or per category.

    Low-value parcel fees apply within their ceiling; entry fees (US MPF, Australia's import
    processing charge, New Zealand's entry fee and levy) above their floor. An ad valorem fee
    (US formal-entry MPF) is its rate x the customs value, kept within its minimum and maximum.
    """
    lines: list[_Line] = []
    in_base = buyer = _ZERO
    categories = {it.category for it in goods.items}
    for fee in plan.fees:
        if not fee.applies(goods):
            continue
        count = len(categories) if fee.per_category else 1
        each = fee.each(goods.customs_value)
        amount = plan.q(each * count)
        stage: CostStage = "merchant" if fee.merchant else duty.stage
        rule = f"{fee.rule}: {count} x {plan.text(each)} {plan.currency}"
        if fee.rate > 0:
            low = "" if fee.minimum is None else f", min {plan.text(fee.minimum)}"
            high = "" if fee.maximum is None else f", max {plan.text(fee.maximum)}"
            rule += (
                f" ({percent(fee.rate)} x customs value {plan.text(goods.customs_value)}"
                f"{low}{high})"
            )
        if fee.floor is not None:
            rule += f"; charged above the floor ({fee.floor.text} is exempt)"
        lines.append(("charges", amount, stage, fee.name, rule))
        if fee.in_base:
            in_base += amount
        if not fee.merchant:
            buyer += amount
    return _Charges(in_base, buyer, tuple(lines))


@attrs.frozen
class _ImportBase:
    """The import-tax base of a line: customs value, transport left out of it, duty, charges."""

    goods: _Goods
    extra_freight: tuple[Decimal, ...]
    with_duty: bool
    duty: Decimal
    duty_shares: tuple[Decimal, ...]
    charges: Decimal

    def of(self, i: int, total_weight: Decimal) -> Decimal:
        """Line ``i``'s base; charges are spread by value over lines weighing ``total_weight``."""
        base = self.goods.customs_values[i] + self.extra_freight[i]
        if self.with_duty:
            weights = self.goods.weights
            share = DIVISION.divide(weights[i], total_weight) if total_weight > 0 else _ZERO
            base += self.duty * self.duty_shares[i] + self.charges * share
        return base


def _scheme_tax(
    plan: _Plan,
    goods: _Goods,
    col: _Collection,
    base: _ImportBase,
    lines: Sequence[int],
    in_price: tuple[Decimal, Decimal] = (_ZERO, _ZERO),
) -> tuple[Decimal, Decimal, list[_Line]]:
    """Tax (and excise) charged at checkout under the scheme on ``lines``.

    Supply VAT is due on the whole consideration (VAT Directive art. 78(a)): ``in_price`` holds
    the duty and the other buyer-borne charges (duty surcharge, national fees) the seller
    charges at checkout; duty goes to the lines it was assessed on, charges by value.
    """
    rules = plan.profile.tax
    collection = plan.profile.collection
    items = goods.items
    factor = collection.tax_factor if collection is not None else _ONE
    scheme_rule = collection.rule if collection else ""
    excise = _ZERO
    if col.import_scheme:
        total_weight = sum((goods.weights[i] for i in lines), _ZERO)
        ex = tx = _ZERO
        parts = []
        for i in lines:
            value = base.of(i, total_weight)
            x = items[i].excise_rate
            t = items[i].tax_rate
            if rules.method == "gross_up":
                tx += DIVISION.divide(value * t, _ONE - t) * factor
            else:
                tx += DIVISION.divide(value * t, _ONE - x) * factor
            ex += DIVISION.divide(value * x, _ONE - x) * factor
            parts.append(value)
        excise = plan.q(ex)
        tax = plan.q(tx)
        how = "gross-up / (1 - rate)" if rules.method == "gross_up" else "x rate"
        fct = f" x {percent(factor)} of the statutory amount" if factor != 1 else ""
        rule = f"{scheme_rule}: {rules.name} on base {plan.text(sum(parts, _ZERO))} {how}{fct}"
    else:
        duty_in, charges_in = in_price
        base_total = tx = added = _ZERO
        for i in lines:
            extra = duty_in * base.duty_shares[i] + charges_in * goods.weights[i]
            value = items[i].value + goods.freight[i] + extra
            base_total += value
            added += extra
            tx += items[i].tax_rate * value * factor
        tax = plan.q(tx)
        rates = sorted({percent(items[i].tax_rate) for i in lines})
        what = f"price incl. transport {plan.text(base_total)}"
        if added > 0:
            price = plan.text(base_total - added)
            what = (
                f"base {plan.text(base_total)} (price incl. transport {price} + duty and"
                f" charges paid at checkout {plan.text(added)}: VAT Directive art. 78(a))"
            )
        rule = f"{scheme_rule}: {'/'.join(rates)} x {what}"
    out: list[_Line] = []
    if excise > 0:
        text = f"{col.scheme}: consumption tax on a tax-inclusive base"
        out.append(("excise", excise, "checkout", "consumption tax", text))
    out.append(("tax", tax, "checkout", f"{rules.name} ({col.scheme})", rule))
    return tax, excise, out


def _border_tax(
    plan: _Plan, goods: _Goods, base: _ImportBase, lines: Sequence[int]
) -> tuple[Decimal, Decimal, list[_Line]]:
    """Import tax (and excise) on ``lines`` at the border, unless the tax de minimis exempts."""
    rules = plan.profile.tax
    items = goods.items
    exempt = [False] * goods.n
    dmt = plan.dm_tax
    note = ""
    if dmt is not None and dmt.basis != "tax_amount":
        exempt = [goods.passes(dmt, i) for i in range(goods.n)]
        if any(exempt[i] for i in lines):
            note = f"; de minimis: {dmt.text} ({dmt.rule})"
    total_weight = sum((goods.weights[i] for i in lines), _ZERO)
    ex = tx = base_total = _ZERO
    for i in lines:
        if exempt[i]:
            continue
        value = base.of(i, total_weight)
        t = items[i].tax_rate
        x = items[i].excise_rate
        e_i = DIVISION.divide(value * x, _ONE - x) if x > 0 else _ZERO
        ex += e_i
        full = value + e_i if rules.base_includes_duty else value
        base_total += full
        if rules.method == "gross_up":
            tx += DIVISION.divide(full * t, _ONE - t)
        else:
            tx += full * t
    excise = plan.q(ex)
    tax = plan.q(tx)
    rates = "/".join(sorted({percent(items[i].tax_rate) for i in lines}))
    how = f"/ (1 - {rates}) x {rates}" if rules.method == "gross_up" else f"x {rates}"
    what = f"customs value {plan.text(sum((goods.customs_values[i] for i in lines), _ZERO))}"
    if any(base.extra_freight[i] for i in lines):
        what += " + transport"
    if rules.base_includes_duty and base.duty:
        what += f" + duty {_fmt(base.duty)}"
    if rules.base_includes_duty and base.charges:
        what += f" + charges {_fmt(base.charges)}"
    rule = f"{rules.rule}: base {plan.text(base_total)} ({what}) {how}{note}"
    if dmt is not None and dmt.basis == "tax_amount" and tax > 0 and dmt.within(tax):
        rule += f"; {_fmt(tax)} waived: {dmt.text} ({dmt.rule})"
        tax = excise = _ZERO
    stage: CostStage = "checkout" if plan.presentation == "DDP" else "delivery"
    out: list[_Line] = []
    if excise > 0:
        text = f"{rules.rule}: consumption tax on a tax-inclusive base"
        out.append(("excise", excise, stage, "consumption tax", text))
    out.append(("tax", tax, stage, rules.name, rule))
    return tax, excise, out


def _tax(plan: _Plan, goods: _Goods, col: _Collection, duty: _Duty, charges: _Charges) -> _Tax:
    """Step 6: tax under the scheme, tax at the border, or none where a band covers it."""
    rules = plan.profile.tax
    n = goods.n
    no_freight = not (rules.base_includes_freight and not plan.cif)
    base = _ImportBase(
        goods=goods,
        extra_freight=tuple(_ZERO if no_freight else goods.freight[i] for i in range(n)),
        with_duty=rules.base_includes_duty,
        duty=duty.amount,
        duty_shares=duty.shares,
        charges=duty.surcharge_in_base + charges.in_tax_base,
    )
    scheme = [i for i in range(n) if col.in_scheme[i]]
    border = [i for i in range(n) if not col.in_scheme[i]]
    lines: list[_Line] = []
    scheme_tax = scheme_excise = border_tax = border_excise = _ZERO
    if plan.bands_cover_tax and duty.band_applied:
        text = f"{plan.profile.duty.rule}: the global rate covers {rules.name}"
        lines.append(("tax", _ZERO, duty.stage, rules.name, text))
    else:
        if scheme:
            # Duty and charges the buyer pays at checkout are part of the price a supply
            # scheme taxes (art. 78(a)); off with tax.base_includes_duty = False.
            in_price = (_ZERO, _ZERO)
            if rules.base_includes_duty and duty.stage == "checkout":
                in_price = (duty.amount, duty.surcharge + charges.buyer)
            scheme_tax, scheme_excise, found = _scheme_tax(plan, goods, col, base, scheme, in_price)
            lines += found
        if border:
            border_tax, border_excise, found = _border_tax(plan, goods, base, border)
            lines += found
    if not lines:
        lines.append(("tax", _ZERO, "checkout", rules.name, "no tax due"))
    return _Tax(scheme_tax, scheme_excise, border_tax, border_excise, tuple(lines))


def _carrier_fees(plan: _Plan, col: _Collection, tax: _Tax, duty_block: Decimal) -> list[_Line]:
    """Step 7: the carrier's fee on what it advances at the border (DAP: buyer; DDP: merchant)."""
    at_border = tax.border_tax + tax.border_excise + (_ZERO if col.collects_duty else duty_block)
    if at_border <= 0:
        return []
    advanced = plan.text(at_border)
    if plan.presentation == "DAP":
        brokerage = plan.q(plan.brokerage_fixed + plan.brokerage_rate * at_border)
        rule = (
            f"carrier clearance fee {plan.text(plan.brokerage_fixed)} + "
            f"{percent(plan.brokerage_rate)} x {advanced} advanced (DAP: the buyer pays)"
        )
        line: _Line = ("brokerage", brokerage, "delivery", "carrier clearance fee", rule)
    else:
        fee = plan.q(plan.ddp_surcharge + plan.ddp_rate * at_border)
        rule = (
            f"carrier DDP surcharge {plan.text(plan.ddp_surcharge)} + "
            f"{percent(plan.ddp_rate)} x {advanced} advanced (billed to the merchant)"
        )
        line = ("ddp_surcharge", fee, "merchant", "DDP surcharge", rule)
    return [line] if line[1] > 0 else []


def _merchant_costs(
    plan: _Plan,
    lines: Sequence[_Line],
    col: _Collection,
    duty: _Duty,
    tax: _Tax,
    duty_block: Decimal,
) -> list[_Line]:
    """Step 8: payment fee, FX cost, expected returns and customer service."""
    checkout = sum((amount for _, amount, stage, _, _ in lines if stage == "checkout"), _ZERO)
    pay = plan.q(plan.pay_rate * checkout + plan.pay_fixed)
    fx_cost = plan.q(plan.fx_fee * checkout)
    p = plan.profile
    lost_duty = duty_block if duty.stage == "checkout" and not p.returns.duty_recoverable else _ZERO
    lost_tax = _ZERO
    if not p.returns.tax_recoverable:
        lost_tax = (tax.scheme_tax + tax.scheme_excise) if col.import_scheme else _ZERO
        if plan.presentation == "DDP":
            lost_tax += tax.border_tax + tax.border_excise
    ret = plan.q(plan.ret_rate * (plan.ret_fixed + lost_duty + lost_tax))
    same = " (merchant books in the market currency)" if plan.same_currency else ""
    return [
        (
            "payment_fee",
            pay,
            "merchant",
            "payment fee",
            f"payment mix: {percent(plan.pay_rate)} x checkout {_fmt(checkout)}"
            f" + {plan.text(plan.pay_fixed)}",
        ),
        (
            "fx_cost",
            fx_cost,
            "merchant",
            "FX conversion",
            f"conversion fee {percent(plan.fx_fee)} x checkout {_fmt(checkout)}{same}",
        ),
        (
            "returns",
            ret,
            "merchant",
            "expected returns",
            f"{percent(plan.ret_rate)} x (return freight and handling {plan.text(plan.ret_fixed)}"
            f" + duty not recovered {plan.text(lost_duty)}"
            f" + tax not recovered {plan.text(lost_tax)})",
        ),
        (
            "service",
            plan.q(plan.service),
            "merchant",
            "customer service",
            f"{_fmt(p.service.contacts_per_order)} contacts x"
            f" {plan.text(p.service.cost_per_contact)} per contact",
        ),
    ]


def _compute(plan: _Plan, goods: _Goods) -> list[_Line]:
    """Steps 3 to 8 on the converted order: its cost lines, in order."""
    col = _collection(plan, goods)
    duty = _duty(plan, goods, col)
    charges = _national_fees(plan, goods, duty)
    tax = _tax(plan, goods, col, duty, charges)
    duty_block = duty.amount + duty.surcharge + charges.buyer
    lines = [*_goods_lines(plan, goods), *duty.lines, *charges.lines, *tax.lines]
    lines += _carrier_fees(plan, col, tax, duty_block)
    lines += _merchant_costs(plan, lines, col, duty, tax, duty_block)
    return lines


# ---------------------------------------------------------------------------------------------
# Public functions.

OrderLike: TypeAlias = Money | AmountLike | OrderLine | Sequence[OrderLine]


def _money(name: str, value: Money | AmountLike, profile: MarketProfile, fx: FxTerms) -> Decimal:
    market = profile.currency.code
    money = value if isinstance(value, Money) else Money(to_decimal(name, value), market)
    if money.is_negative():
        raise invalid(name, money, "must be >= 0")
    return fx.convert(money, market, market, field=name).amount


def _exclusions(plan: _Plan, goods: _Goods) -> dict[str, list[str]]:
    """Reasons, by the kind of line they affect, for lines whose category leaves a regime.

    Only lines the rule would otherwise cover are named (value within the limit).
    """
    collection = plan.profile.collection
    scheme = f"{collection.scheme} ceiling" if collection is not None else "scheme ceiling"
    tests = (
        ("duty", plan.dm_duty, "duty de minimis"),
        ("tax", plan.dm_tax, "tax de minimis"),
        ("tax", plan.pos, scheme),
    )
    out: dict[str, list[str]] = {}
    for kind, test, what in tests:
        if test is None or not test.excluded:
            continue
        for i, item in enumerate(goods.items):
            if not test.excludes(item.category):
                continue
            if not test.within(goods.value_of(test, i if test.per == "item" else None)):
                continue
            rule = f": {test.rule}" if test.rule else ""
            out.setdefault(kind, []).append(
                f"order[{i}] ({item.category}) leaves the low-value regime: the {what}"
                f" ({test.text}) excludes its category{rule}"
            )
    return out


def _with_exclusions(lines: list[_Line], reasons: Mapping[str, list[str]]) -> list[_Line]:
    """``lines`` with each reason appended to the rule of the (first duty / last tax) line."""
    out = list(lines)
    for kind, texts in reasons.items():
        where = [i for i, line in enumerate(out) if line[0] == kind]
        if not where:
            continue
        i = where[0] if kind == "duty" else where[-1]
        k, amount, stage, label, rule = out[i]
        out[i] = (k, amount, stage, label, "; ".join([rule, *texts]))
    return out


def landed_cost(
    profile: MarketProfile,
    order: OrderLike,
    *,
    shipping: Money | AmountLike | None = None,
    insurance: Money | AmountLike | None = None,
    weight_kg: AmountLike | None = None,
    category: str | None = None,
    quantity: int = 1,
    origin: str | None = None,
    as_of: datetime.date | str | None = None,
    presentation: Presentation = "DDP",
    shipping_paid_by: Literal["buyer", "merchant"] = "buyer",
    fx: Mapping[str, AmountLike] | None = None,
    mode: TransportMode = "courier",
    ships_from: str | None = None,
    region: str | None = None,
    tariff: TariffTable | None = None,
) -> LandedCost:
    """Cost one order landed in ``profile``'s market, line by line, in exact decimals.

    Parameters
    ----------
    profile : MarketProfile
        The market's rules and costs (see :func:`~ecomstrat.localization.market_profile`).
    order : Money, number, OrderLine or sequence of OrderLine
        The goods: a value (one line of ``quantity`` items of ``category``) or order lines.
        Bare numbers are in the market's currency; Money in another currency is converted
        with the profile's FX rates and ``fx``.
    shipping : Money or number, optional
        Transport charge to the destination. Default: the profile's rate,
        ``base + per_kg × weight_kg``.
    insurance : Money or number, optional
        Transport insurance. Default: the profile's ``insurance_rate`` × goods.
    weight_kg : number, optional
        Parcel weight for the default shipping (default: the profile's typical weight).
    category : str, optional
        Product category / HS chapter of a single-value order (rates from the profile).
    quantity : int, default 1
        Items in a single-value order (per-item thresholds test the unit value).
    origin : str, optional
        ISO 3166-1 code of the goods' origin, for origin-specific thresholds (Korea's KORUS,
        the US suspension for China). None: an origin with no special rule.
    as_of : datetime.date or str, optional
        Date of the order (default: the profile's ``as_of``). A date past a scheduled change
        of the profile's rules warns :class:`~ecomstrat.localization.MarketDataWarning`.
    presentation : {"DDP", "DAP"}, default "DDP"
        DDP: duties and taxes charged at checkout and paid by the merchant at the border
        (the carrier's DDP surcharge is the merchant's). DAP: the buyer pays them, and the
        carrier's clearance fee, on delivery. Tax collected under a scheme is charged at
        checkout either way.
    shipping_paid_by : {"buyer", "merchant"}, default "buyer"
        Whether shipping and insurance are charged to the buyer or absorbed (free shipping).
        Either way they count in the customs value where the basis is CIF.
    fx : mapping of str to number, optional
        Extra rates: units of the market's currency per unit of each currency.
    mode : {"courier", "post"}, default "courier"
        How the consignment travels: a commercial carrier (courier or express, the usual
        case for cross-border e-commerce parcels) or the postal service. Thresholds limited
        to a mode (Canada's CUSMA thresholds: courier only) apply only to it.
    ships_from : str, optional
        ISO 3166-1 code of the place of direct shipment, for thresholds keyed on it (Canada's
        CUSMA thresholds follow the place the parcel is shipped from, not the goods' origin).
        Default: ``origin`` (goods shipped from their country of origin).
    region : str, optional
        ISO 3166-2 code of the destination region (``"CA-ON"``, ``"BR-RJ"``, ``"US-CA"``):
        its tax replaces the national rate (see :meth:`MarketProfile.for_region`). None: the
        national rate. An unknown region raises, listing the valid ones.
    tariff : TariffTable, optional
        Your own tariff (:func:`load_tariff`): lines with an ``hs_code`` take their duty rate
        (ad valorem, or specific per item) from its longest matching row in force on the
        order's date, origin-specific rows first; the duty line's rule names the row.

    Returns
    -------
    LandedCost
        Itemised lines, each naming its rule; ``total`` is their exact sum. A line whose
        category leaves a low-value regime (a rule's ``excluded_categories``) is named, with
        the reason, in the rule of the duty or tax line it affects.

    Raises
    ------
    InvalidInputError
        For a negative amount, a bad presentation or date.
    CurrencyMismatchError
        When an amount or a threshold is in a currency without a rate.

    Examples
    --------
    An order of 100 EUR into the EU before July 2026: under IOSS the seller charges VAT at
    checkout on the price including transport, and the EUR 150 relief exempts it from duty.

    >>> from ecomstrat.localization import market_profile
    >>> fr = market_profile("FR", as_of="2026-03-01")
    >>> cost = landed_cost(fr, Money("100.00", "EUR"), shipping=Money("10.00", "EUR"))
    >>> for line in cost.lines[:5]:
    ...     print(f"{line.kind:9} {line.amount!s:>10}  {line.stage}")
    goods       100.00 EUR  checkout
    shipping     10.00 EUR  checkout
    insurance     0.00 EUR  checkout
    duty          0.00 EUR  checkout
    charges       2.00 EUR  merchant
    >>> cost.amount("tax"), cost.checkout
    (Money('22.00', 'EUR'), Money('132.00', 'EUR'))
    >>> cost.total == sum((line.amount for line in cost.lines), Money.zero("EUR"))
    True
    """
    plan, day = _prepare(
        profile,
        presentation,
        shipping_paid_by,
        origin,
        as_of,
        fx,
        mode=mode,
        ships_from=ships_from,
        region=region,
    )
    items, S, N = _convert(
        plan,
        order,
        category=category,
        quantity=quantity,
        shipping=shipping,
        insurance=insurance,
        weight_kg=weight_kg,
    )
    with decimal.localcontext(_EXACT):
        goods = _customs_value(plan, items, S, N)
        goods, notes = _apply_tariff(plan, goods, order, category, quantity, tariff, origin, day)
        raw = _with_exclusions(_compute(plan, goods), _exclusions(plan, goods))
    raw = _with_tariff_notes(raw, notes)
    cur = plan.currency
    cost = LandedCost(
        country=profile.country,
        currency=cur,
        presentation=plan.presentation,
        as_of=day,
        lines=tuple(
            CostLine(kind, Money(amount, cur), stage, label, rule)
            for kind, amount, stage, label, rule in raw
        ),
        customs_value=Money(plan.q(goods.customs_value), cur),
        cash_step=cash_increment(cur, override=profile.currency.cash_increment),
    )
    if _CHECK_LIMITS.get():
        _check_order_limits(profile, goods.intrinsic, goods.customs_value, fx, day, stacklevel=2)
    return cost


def _prepare(
    profile: MarketProfile,
    presentation: str,
    shipping_paid_by: str,
    origin: str | None,
    as_of: datetime.date | str | None,
    fx: Mapping[str, AmountLike] | None,
    *,
    mode: str = "courier",
    ships_from: str | None = None,
    region: str | None = None,
) -> tuple[_Plan, datetime.date]:
    """Check the options shared by the exact and the batch calculation; resolve the plan.

    A date past a scheduled change, or on or after a change whose reading is disputed, warns
    at the caller of the public function.
    """
    shown = cast(Presentation, check_choice("presentation", presentation, ["DDP", "DAP"]))
    check_choice("shipping_paid_by", shipping_paid_by, ["buyer", "merchant"])
    check_choice("mode", mode, get_args(TransportMode))
    day = order_date(profile, as_of, stacklevel=5)
    _warn_disputed(profile, day, stacklevel=4)
    if origin is not None:
        origin = check_country(origin, "origin")
    if ships_from is not None:
        ships_from = check_country(ships_from, "ships_from")
    profile = profile.for_region(region)  # the destination region's tax, before the plan
    plan = _plan(profile, shown, origin, fx, shipping_paid_by, mode=mode, ships_from=ships_from)
    return plan, day


def _warn_disputed(profile: MarketProfile, day: datetime.date, *, stacklevel: int) -> None:
    """Warn for each known change on or before ``day`` whose scope the sources dispute.

    Such a change is a :class:`~ecomstrat.localization.ScheduledChange` of the profile with
    a ``disputed`` text (Japan's 1 April 2028 reform: the consumption-tax exemption ends;
    whether the duty exemption and the 60 % valuation end too is not settled). The costing
    uses the data's reading; the warning says what may differ.
    """
    for change in profile.changes:
        if change.on > day or not change.disputed:
            continue
        for part in (p.strip() for p in change.disputed.split(";")):
            warnings.warn(
                f"{profile.country} on {day.isoformat()}: the change of {change.on.isoformat()}"
                f" is read from disputed sources: {part}"
                f"{f' ({change.source})' if change.source else ''}. Check the rules in force"
                " and override the profile if they differ.",
                MarketDataWarning,
                stacklevel=stacklevel,
            )


def order_date(
    profile: MarketProfile, as_of: datetime.date | str | None, *, stacklevel: int
) -> datetime.date:
    """The date rules apply at: ``as_of``, checked against the profile's window, else its own."""
    if as_of is None:
        return profile.as_of
    day = to_date("as_of", as_of)
    profile.check_date(day, stacklevel=stacklevel)
    return day


def _order_lines(order: OrderLike, category: str | None, quantity: int) -> list[OrderLine]:
    if isinstance(order, OrderLine):
        return [order]
    if isinstance(order, Money | Decimal | int | float | str) and not isinstance(order, bool):
        return [OrderLine(order, quantity, category)]
    if isinstance(order, Sequence):
        check_non_empty("order", order)
        lines: list[OrderLine] = []
        for i, line in enumerate(order):
            if not isinstance(line, OrderLine):
                raise invalid(f"order[{i}]", line, "must be an OrderLine", "E.g. OrderLine(...).")
            if category is not None and line.category is None:
                line = attrs.evolve(line, category=category)
            lines.append(line)
        return lines
    raise invalid("order", order, "must be Money, a number, an OrderLine or a list of them")


# ---------------------------------------------------------------------------------------------
# Batch costing: float64 arrays through the numba kernel.


@attrs.frozen
class LandedCostBatch(Tabular):
    """Landed costs of many single-line orders, as float64 columns in the market's currency.

    Each column holds one cost kind per order (``goods`` … ``service``), plus the ``checkout``,
    ``delivery``, ``merchant`` and ``total`` sums. Every value is rounded to the currency's
    minor unit and agrees with :func:`landed_cost` on the same order to within one minor unit
    per line.
    """

    country: str
    currency: str
    presentation: Presentation
    as_of: datetime.date
    values: FloatArray = attrs.field(repr=False, eq=False)

    @property
    def n_orders(self) -> int:
        """Number of orders."""
        return int(self.values.shape[1])

    def columns(self) -> dict[str, AnyArray]:
        """Each column by name (read-only views)."""
        return {name: self.values[i] for i, name in enumerate(COLUMNS)}

    def __getitem__(self, name: str) -> FloatArray:
        check_choice("column", name, COLUMNS)
        column: FloatArray = self.values[COLUMNS.index(name)]
        return column


def _as_floats(name: str, values: Any, n: int | None) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise invalid(name, values, "must be numbers (an array or a scalar)") from None
    if array.ndim == 0 and n is not None:
        array = np.full(n, float(array))
    if array.ndim != 1:
        raise invalid(name, f"<array of shape {array.shape}>", "must be one-dimensional")
    if n is not None and array.shape[0] != n:
        raise InvalidInputError(
            f"arrays must have equal lengths, got len(goods)={n}, len({name})={array.shape[0]}."
        )
    contiguous: FloatArray = np.ascontiguousarray(array)
    return contiguous


def _compact(values: FloatArray) -> FloatArray:
    """A one-element array when every value is the same (the kernel broadcasts it)."""
    if values.shape[0] > 1 and values[0] == values[-1] and (values == values[0]).all():
        return values[:1]
    return values


def _test_row(test: _Test | None, scale: Decimal) -> list[float]:
    if test is None:
        return [0.0, 0.0, 0.0, 0.0, 0.0]
    return [
        1.0,
        float(test.limit * scale),
        float(_BASES[test.basis]),
        1.0 if test.per == "item" else 0.0,
        1.0 if test.inclusive else 0.0,
    ]


def _params(plan: _Plan) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The plan as the kernel's parameter vector, test table, fee table and band table."""
    scale = Decimal(10) ** plan.exponent
    p = plan.profile
    params = np.zeros(N_PARAMS)
    params[P.SCALE] = float(scale)
    params[P.MODE] = _MODES[plan.rounding]
    params[P.CIF] = plan.cif
    params[P.GOODS_FACTOR] = float(plan.goods_factor)
    if plan.flat is not None:
        params[P.FLAT_ON] = 1
        params[P.FLAT_AMOUNT] = float(plan.flat[0] * scale)
        params[P.FLAT_PER_CATEGORY] = plan.flat[1]
        flat_rules = p.flat_duty
        params[P.FLAT_NEEDS_SCHEME] = flat_rules is not None and flat_rules.scope == "scheme"
    params[P.BANDS_NEED_SCHEME] = plan.bands_need_scheme
    params[P.BANDS_COVER_TAX] = plan.bands_cover_tax
    params[P.BANDS_BASIS] = 0 if plan.bands_basis == "intrinsic" else 1
    params[P.SURCHARGE_RATE] = float(p.duty.surcharge_rate)
    params[P.SURCHARGE_IN_BASE] = p.duty.surcharge_in_tax_base
    params[P.GROSS_UP] = p.tax.method == "gross_up"
    params[P.BASE_FREIGHT] = p.tax.base_includes_freight
    params[P.BASE_DUTY] = p.tax.base_includes_duty
    collection = p.collection
    params[P.POS_ON] = plan.pos_on
    params[P.POS_ALL] = plan.pos_all
    params[P.POS_IMPORT] = collection is not None and collection.base == "import"
    params[P.POS_DUTY_EXEMPT] = collection is not None and collection.duty_exempt
    params[P.POS_FACTOR] = float(collection.tax_factor) if collection is not None else 1.0
    params[P.DDP] = plan.presentation == "DDP"
    params[P.BROKERAGE_FIXED] = float(plan.brokerage_fixed * scale)
    params[P.BROKERAGE_RATE] = float(plan.brokerage_rate)
    params[P.DDP_SURCHARGE] = float(plan.ddp_surcharge * scale)
    params[P.DDP_RATE] = float(plan.ddp_rate)
    params[P.PAY_RATE] = float(plan.pay_rate)
    params[P.PAY_FIXED] = float(plan.pay_fixed * scale)
    params[P.FX_FEE] = float(plan.fx_fee)
    params[P.RET_RATE] = float(plan.ret_rate)
    params[P.RET_FIXED] = float(plan.ret_fixed * scale)
    params[P.DUTY_RECOVERABLE] = p.returns.duty_recoverable
    params[P.TAX_RECOVERABLE] = p.returns.tax_recoverable
    params[P.SERVICE] = float(plan.service * scale)
    params[P.SHIP_BY_MERCHANT] = plan.shipping_by_merchant
    params[P.INSURANCE_RATE] = float(p.shipping.insurance_rate)
    tests = np.zeros((len(T), len(TEST_COLUMNS)))
    tests[T.DM_DUTY] = _test_row(plan.dm_duty, scale)
    tests[T.DM_TAX] = _test_row(plan.dm_tax, scale)
    tests[T.FLAT] = _test_row(None if plan.flat is None else plan.flat[2], scale)
    tests[T.POS] = _test_row(plan.pos, scale)
    rows = []
    for fee in plan.fees:
        # A fee above a floor F is written by inclusion-exclusion, [within the ceiling] -
        # [within F] (``_batch_fees`` checks that within F implies within the ceiling): a row
        # of +amount tested on the ceiling and one of -amount tested on F. The kernel sums
        # fixed amounts in whole minor units, so the two rows cancel exactly below F.
        flags = [float(fee.per_category), float(fee.merchant), float(fee.in_base)]
        amount = float(fee.amount * scale)
        rows.append([*_test_row(fee.ceiling, scale), amount, *flags])
        if fee.floor is not None:
            rows.append([*_test_row(fee.floor, scale), -amount, *flags])
    fees = np.zeros((len(rows), len(FEE_COLUMNS)))
    for i, row in enumerate(rows):
        fees[i] = row
    bands = np.zeros((len(plan.bands), len(BAND_COLUMNS)))
    for i, band in enumerate(plan.bands):
        bands[i] = [
            band.up_to is not None,
            float((band.up_to or _ZERO) * scale),
            float(band.rate),
            float(band.deduction * scale),
        ]
    return params, tests, fees, bands


def _batch_fees(plan: _Plan, arrays: Mapping[str, FloatArray]) -> _Plan:
    """The plan's fees as fixed amounts the kernel can charge, or a typed error.

    An ad valorem fee (US formal-entry MPF) is charged as its minimum when no order it applies
    to exceeds the minimum; otherwise the batch refuses (the kernel charges fixed fees only).
    A fee with both a floor and a ceiling needs the floor below the ceiling on the same basis.
    """
    goods = arrays["goods"]
    if not any(f.rate > 0 or f.floor is not None for f in plan.fees):
        return plan
    insurance = arrays.get("insurance")
    if insurance is None:
        insurance = np.round(float(plan.profile.shipping.insurance_rate) * goods, plan.exponent)
    freight = arrays["shipping"] + insurance if plan.cif else 0.0
    cv = float(plan.goods_factor) * goods + freight
    fees = []
    for fee in plan.fees:
        floor, ceiling = fee.floor, fee.ceiling
        if (
            floor is not None
            and ceiling is not None
            and (floor.basis != ceiling.basis or floor.limit >= ceiling.limit)
        ):
            raise invalid(
                "profile.import_fees",
                fee.name,
                "has a floor and a ceiling the batch kernel cannot combine (the floor must"
                " lie below the ceiling, on the same basis)",
                "Cost these orders with landed_cost(...).",
            )
        if fee.rate > 0:
            applies = np.ones(goods.shape[0], dtype=bool)
            for test, above in ((fee.ceiling, False), (fee.floor, True)):
                if test is None:
                    continue
                value = goods if test.basis == "intrinsic" else cv
                within = value <= float(test.limit) if test.inclusive else value < float(test.limit)
                applies &= ~within if above else within
            raw = float(fee.amount) + float(fee.rate) * cv
            low = float(fee.minimum) if fee.minimum is not None else 0.0
            bad = applies & (raw > low + 0.5 * 10.0**-plan.exponent)
            if bad.any():
                i = int(np.argmax(bad))
                raise invalid(
                    f"goods[{i}]",
                    float(goods[i]),
                    f"makes the ad valorem fee {fee.name!r} exceed its minimum; the batch"
                    " kernel charges fixed fees only",
                    "Cost such orders with landed_cost(...).",
                )
            fee = attrs.evolve(fee, amount=fee.minimum or _ZERO, rate=_ZERO)
        fees.append(fee)
    return attrs.evolve(plan, fees=tuple(fees))


def _without_excluded(plan: _Plan, category: str | None) -> _Plan:
    """The plan for single-line orders of ``category``: rules excluding it dropped.

    A line of an excluded category is never within the rule, so for one-line orders the rule
    is as good as absent (a scheme ceiling: the scheme does not cover the orders).
    """
    if plan.dm_duty is not None and plan.dm_duty.excludes(category):
        plan = attrs.evolve(plan, dm_duty=None)
    if plan.dm_tax is not None and plan.dm_tax.excludes(category):
        plan = attrs.evolve(plan, dm_tax=None)
    if plan.pos is not None and plan.pos.excludes(category):
        plan = attrs.evolve(plan, pos=None, pos_on=False, pos_all=False)
    return plan


def landed_cost_batch(
    profile: MarketProfile,
    goods: Any,
    *,
    shipping: Any = None,
    insurance: Any = None,
    weight_kg: Any = None,
    quantity: Any = None,
    n_categories: Any = None,
    duty_rate: Any = None,
    tax_rate: Any = None,
    excise_rate: Any = None,
    category: str | None = None,
    origin: str | None = None,
    as_of: datetime.date | str | None = None,
    presentation: Presentation = "DDP",
    shipping_paid_by: Literal["buyer", "merchant"] = "buyer",
    fx: Mapping[str, AmountLike] | None = None,
    parallel: bool | None = None,
    mode: TransportMode = "courier",
    ships_from: str | None = None,
    region: str | None = None,
) -> LandedCostBatch:
    """Landed cost of many single-line orders at once (numba kernel over float64 arrays).

    Coerces and validates the inputs, resolves the profile for the batch as
    :func:`landed_cost` does, runs the kernel and wraps its columns. Amounts are in the
    market's currency.

    Parameters
    ----------
    profile : MarketProfile
    goods : array-like of float
        Value of each order's goods, >= 0.
    shipping, insurance : array-like of float or scalar, optional
        Per-order transport and insurance (default: the profile's rates, as in
        :func:`landed_cost`).
    weight_kg : array-like or scalar, optional
        Parcel weights for the default shipping.
    quantity : array-like of int, optional
        Items per order (per-item thresholds test ``goods / quantity``); default 1.
    n_categories : array-like of int, optional
        Distinct tariff subheadings per order, for per-category flat duties and fees;
        default 1.
    duty_rate, tax_rate, excise_rate : array-like or scalar, optional
        Per-order rates; default: the profile's rates for ``category``.
    category, origin, as_of, presentation, shipping_paid_by, fx
        As in :func:`landed_cost`. A ``category`` a de minimis rule or scheme ceiling
        excludes takes every order out of that rule.
    parallel : bool, optional
        Force the parallel (True) or serial (False) kernel; default: parallel from
        ``PARALLEL_MIN_ORDERS`` orders (:mod:`ecomstrat._kernels.landed_cost`).
    mode, ships_from
        As in :func:`landed_cost`: one transport mode and place of shipment for the batch,
        resolved with the thresholds before the kernel runs.
    region : str, optional
        As in :func:`landed_cost`: one destination region for the batch, resolved into the
        tax rate before the kernel runs. An ad valorem fee (US formal-entry MPF) is charged
        at its minimum; an order above it raises (cost it with :func:`landed_cost`).

    Returns
    -------
    LandedCostBatch

    Notes
    -----
    The first call compiles the kernel (a few seconds), later processes load it from numba's
    on-disk cache.

    Examples
    --------
    >>> from ecomstrat.localization import market_profile
    >>> de = market_profile("DE", as_of="2026-03-01")
    >>> batch = landed_cost_batch(de, [100.0, 200.0], shipping=10.0)
    >>> batch["duty"].tolist(), batch["tax"].tolist()
    ([0.0, 8.4], [20.9, 41.5])
    """
    plan, day = _prepare(
        profile,
        presentation,
        shipping_paid_by,
        origin,
        as_of,
        fx,
        mode=mode,
        ships_from=ships_from,
        region=region,
    )
    plan = _without_excluded(plan, category)
    values = _as_floats("goods", goods, None)
    n = values.shape[0]
    check_non_empty("goods", values)
    arrays: dict[str, FloatArray] = {"goods": values}
    if shipping is None:
        rates = profile.shipping
        weights = _as_floats(
            "weight_kg", float(rates.default_weight_kg) if weight_kg is None else weight_kg, n
        )
        arrays["weight_kg"] = weights
        arrays["shipping"] = float(rates.base) + float(rates.per_kg) * weights
    else:
        arrays["shipping"] = _as_floats("shipping", shipping, n)
    if insurance is not None:
        arrays["insurance"] = _as_floats("insurance", insurance, n)
    arrays["quantity"] = _as_floats("quantity", 1.0 if quantity is None else quantity, n)
    arrays["n_categories"] = _as_floats(
        "n_categories", 1.0 if n_categories is None else n_categories, n
    )
    defaults = {
        "duty_rate": (duty_rate, plan.profile.duty.rate_for(category)),
        "tax_rate": (tax_rate, plan.profile.tax.rate_for(category)),
        "excise_rate": (excise_rate, plan.profile.tax.excise_for(category)),
    }
    for name, (given, default) in defaults.items():
        arrays[name] = _as_floats(name, float(default) if given is None else given, n)
    for name, array in arrays.items():
        check_array_finite(name, array)
        check_array_non_negative(name, array)
    for name in ("quantity", "n_categories"):
        array = arrays[name]
        bad = (array < 1) | (array != np.floor(array))
        if bad.any():
            i = int(np.argmax(bad))
            raise invalid(f"{name}[{i}]", float(array[i]), "must be a whole number >= 1")
    gross_up = profile.tax.method == "gross_up"
    for name in ("duty_rate", "tax_rate", "excise_rate"):
        array = arrays[name]
        open_top = name == "excise_rate" or (gross_up and name == "tax_rate")
        ok = array < 1 if open_top else array <= 1
        if not ok.all():
            i = int(np.argmax(~ok))
            rule = "must lie in [0, 1)" if open_top else "must lie in [0, 1]"
            raise invalid(
                f"{name}[{i}]", float(array[i]), rule, "Give rates as fractions (0.2, not 20)."
            )
    plan = _batch_fees(plan, arrays)
    params, tests, fees, bands = _params(plan)
    out = np.empty((len(COLUMNS), n), dtype=np.float64)
    kernel.landed_cost_batch(
        values,
        _compact(arrays["quantity"]),
        _compact(arrays["n_categories"]),
        _compact(arrays["shipping"]),
        _compact(arrays.get("insurance", np.full(1, np.nan))),
        _compact(arrays["duty_rate"]),
        _compact(arrays["tax_rate"]),
        _compact(arrays["excise_rate"]),
        params,
        tests,
        fees,
        bands,
        out,
        parallel=n >= PARALLEL_MIN_ORDERS if parallel is None else parallel,
    )
    out.flags.writeable = False
    return LandedCostBatch(profile.country, plan.currency, plan.presentation, day, out)


# ---------------------------------------------------------------------------------------------
# Limits as warnings: per-order, annual and registration limits (issue 15).


class LimitWarning(EcomstratWarning):
    """An order, or an annual aggregate, crosses a per-order, annual or registration limit.

    The costing is not changed: the warning says which limit (see
    :class:`~ecomstrat.localization.Limit`) was crossed, by how much, and what follows.
    """


#: Whether :func:`landed_cost` checks per-order limits (off while a solver probes prices).
_CHECK_LIMITS: Final[contextvars.ContextVar[bool]] = contextvars.ContextVar(
    "ecomstrat_check_limits", default=True
)


def _limit_crossings(
    profile: MarketProfile,
    terms: FxTerms,
    per: str,
    value: Decimal,
    day: datetime.date,
    basis: str | None,
) -> list[tuple[Limit, Decimal]]:
    """The limits ``per`` order or year that ``value`` (market currency) crosses on ``day``."""
    market = profile.currency.code
    out = []
    for i, limit in enumerate(profile.limits):
        if limit.per != per or not limit.provenance.in_force(day):
            continue
        if basis is not None and limit.basis != basis:
            continue
        money = terms.convert(Money(value, market), limit.currency, market, field=f"limits[{i}]")
        if limit.crossed_by(money.amount):
            out.append((limit, money.amount))
    return out


def _warn_limit(
    profile: MarketProfile, limit: Limit, value: Decimal, what: str, level: int
) -> None:
    consequence = f": {limit.consequence}" if limit.consequence else ""
    shown = Money(value, limit.currency).round()
    warnings.warn(
        f"{profile.country}: {what} of {shown} crosses the {limit.name}"
        f" ({limit.describe()}){consequence}. Rule: {limit.rule or 'not stated'};"
        f" source: {limit.provenance.cite()}.",
        LimitWarning,
        stacklevel=level + 1,
    )


def _check_order_limits(
    profile: MarketProfile,
    intrinsic: Decimal,
    customs_value: Decimal,
    fx: Mapping[str, AmountLike] | None,
    day: datetime.date,
    *,
    stacklevel: int,
) -> tuple[Limit, ...]:
    """Warn for each per-order limit the order's value (by the limit's basis) crosses."""
    if not any(limit.per == "order" for limit in profile.limits):
        return ()
    terms = profile.fx.with_rates(fx) if fx else profile.fx
    crossed = []
    for basis, value in (("intrinsic", intrinsic), ("customs_value", customs_value)):
        for limit, amount in _limit_crossings(profile, terms, "order", value, day, basis):
            what = (
                "the order's goods value" if basis == "intrinsic" else "the order's customs value"
            )
            _warn_limit(profile, limit, amount, what, stacklevel + 1)
            crossed.append(limit)
    return tuple(crossed)


def check_limits(
    profile: MarketProfile,
    *,
    order_value: Money | AmountLike | None = None,
    annual_value: Money | AmountLike | None = None,
    as_of: datetime.date | str | None = None,
    fx: Mapping[str, AmountLike] | None = None,
) -> tuple[Limit, ...]:
    """Check an order and an annual aggregate against the profile's limits; warn when crossed.

    Parameters
    ----------
    profile : MarketProfile
        Its ``limits`` (China's CBEC CNY 5,000 per order and CNY 26,000 a year, Norway's VOEC
        registration at NOK 50,000, Australia's GST registration at AUD 75,000, Switzerland's
        CHF 100,000 registration limits…) are checked.
    order_value : Money or number, optional
        Value of one order, tested against the per-order limits (whatever their ``basis``:
        pass the value the limit is stated on, e.g. China's dutiable value). Bare numbers are
        in the market's currency.
    annual_value : Money or number, optional
        The 12-month (or calendar-year) aggregate *including* this order, tested against the
        per-year limits: the buyer's purchases for a buyer's quota, the seller's sales or
        turnover for a registration threshold (each limit's ``subject`` says which).
    as_of : datetime.date or str, optional
        Date whose limits apply (default: the profile's ``as_of``).
    fx : mapping of str to number, optional
        Extra rates, as in :func:`landed_cost`.

    Returns
    -------
    tuple of Limit
        The limits crossed, each also reported as a :class:`LimitWarning`.

    Notes
    -----
    :func:`landed_cost` checks the per-order limits itself, on the goods value or the customs
    value as the limit says. The annual limits need an aggregate only the caller knows.

    Examples
    --------
    >>> import warnings
    >>> from ecomstrat.localization import market_profile
    >>> no = market_profile("NO", as_of="2026-03-01")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     crossed = check_limits(no, annual_value=Money("50000", "NOK"))
    >>> [limit.name for limit in crossed], caught[0].category.__name__
    (['VOEC registration'], 'LimitWarning')
    >>> check_limits(no, annual_value=Money("49999.99", "NOK"))
    ()
    """
    day = order_date(profile, as_of, stacklevel=4)
    terms = profile.fx.with_rates(fx) if fx else profile.fx
    crossed: list[Limit] = []
    for name, per, given in (
        ("order_value", "order", order_value),
        ("annual_value", "year", annual_value),
    ):
        if given is None:
            continue
        value = _money(name, given, profile, terms)
        what = "the order value" if per == "order" else "the annual value"
        for limit, amount in _limit_crossings(profile, terms, per, value, day, None):
            _warn_limit(profile, limit, amount, what, 2)
            crossed.append(limit)
    return tuple(crossed)


# ---------------------------------------------------------------------------------------------
# User tariff data: HS code prefix x origin -> ad valorem or specific duty (issue 15).


def _hs_prefix(value: str) -> str:
    digits = "".join(ch for ch in str(value) if ch not in " .-")
    if not digits.isdigit() or not 2 <= len(digits) <= 12:
        raise invalid(
            "hs_prefix",
            value,
            "must be 2 to 12 digits (dots, dashes and spaces are ignored)",
            "E.g. '61', '6109' or '6109.10'.",
        )
    return digits


def _opt_origin(value: str | None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check_country(value, "origin")


def _opt_rate(value: AmountLike | None) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_decimal("rate", value)


def _opt_code(value: str | None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check_currency(value, "currency")


def _tariff_provenance(value: Provenance | Mapping[str, Any] | None) -> Provenance:
    if value is None:
        return Provenance(source="user tariff table", evidence="user")
    if isinstance(value, Provenance):
        return value
    return Provenance(**{"source": "user tariff table", "evidence": "user", **value})


@attrs.frozen
class TariffRate:
    """One row of a user tariff: an HS code prefix (and origin) and its duty, in force on dates.

    Parameters
    ----------
    hs_prefix : str
        HS / tariff code prefix, 2 to 12 digits (``"61"``, ``"6109"``, ``"6109.10"``).
    rate : Decimal, optional
        Ad valorem duty as a fraction of the line's customs value (0.12 for 12 %).
    specific : Decimal, optional
        Specific duty per item (per unit of the line's ``quantity``), in ``currency``.
    currency : str, optional
        Currency of ``specific`` (default: the market's).
    origin : str, optional
        ISO 3166-1 code of the origin the row is limited to (None: any origin).
    provenance : Provenance
        Dates (``effective_from`` inclusive, ``effective_to`` exclusive) and source;
        evidence ``"user"``.
    """

    hs_prefix: str = attrs.field(converter=_hs_prefix)
    rate: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    specific: Decimal | None = attrs.field(default=None, converter=_opt_rate)
    currency: str | None = attrs.field(default=None, converter=_opt_code)
    origin: str | None = attrs.field(default=None, converter=_opt_origin)
    provenance: Provenance = attrs.field(
        factory=lambda: _tariff_provenance(None), converter=_tariff_provenance, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if self.rate is None and self.specific is None:
            raise invalid(
                "rate", None, f"row {self.hs_prefix!r} needs a rate, a specific duty or both"
            )
        if self.rate is not None and not _ZERO <= self.rate <= 10:
            raise invalid(
                "rate", self.rate, "must lie in [0, 10]", "Give rates as fractions (0.12, not 12)."
            )
        if self.specific is not None and self.specific < 0:
            raise invalid("specific", self.specific, "must be >= 0")

    def describe(self) -> str:
        """The row as text: prefix, origin, duty and dates."""
        parts = []
        if self.rate is not None:
            parts.append(percent(self.rate))
        if self.specific is not None:
            parts.append(f"{_fmt(self.specific)} {self.currency or ''} per item".replace("  ", " "))
        p = self.provenance
        dates = (
            f"{p.effective_from.isoformat() if p.effective_from else '...'} to"
            f" {p.effective_to.isoformat() if p.effective_to else '...'}"
        )
        return (
            f"HS {self.hs_prefix}* from {self.origin or 'any origin'}: {' + '.join(parts)}"
            f" (in force {dates}; evidence {p.evidence})"
        )


_TARIFF_KEYS: Final = ("hs_prefix", "rate", "specific", "currency", "origin")
_TARIFF_PROVENANCE: Final = (
    "effective_from",
    "effective_to",
    "source",
    "url",
    "note",
    "verified_on",
)


def _tariff_row(row: Any, where: str) -> TariffRate:
    if isinstance(row, TariffRate):
        return row
    if not isinstance(row, Mapping):
        raise invalid(where, row, "must be a mapping (a dict, a CSV row or a TOML table)")
    keys = {str(k).strip(): v for k, v in row.items() if k is not None}
    unknown = sorted(set(keys) - {*_TARIFF_KEYS, *_TARIFF_PROVENANCE})
    if unknown:
        raise UnknownCodeError(
            f"{where}: unknown column(s) {', '.join(map(repr, unknown))}; valid columns are"
            f" {', '.join(map(repr, (*_TARIFF_KEYS, *_TARIFF_PROVENANCE)))}."
        )
    if "hs_prefix" not in keys:
        raise InvalidInputError(f"{where}: missing column 'hs_prefix'.")
    dated: dict[str, Any] = {"source": "user tariff table", "evidence": "user"}
    for key in _TARIFF_PROVENANCE:
        value = keys.get(key)
        if value not in (None, ""):
            dated[key] = str(value) if key in ("source", "url", "note") else value
    try:
        provenance = Provenance(**dated)
        return TariffRate(
            **{k: v for k, v in keys.items() if k in _TARIFF_KEYS}, provenance=provenance
        )
    except InvalidInputError as error:
        raise type(error)(f"{where}: {error}") from None


@attrs.frozen
class TariffTable(Tabular):
    """A tariff the user supplies: HS code prefixes (by origin) to duties, dated.

    Build it with :func:`load_tariff`; pass it to :func:`landed_cost` as ``tariff=``. A line
    with an ``hs_code`` then takes its duty from the matching row instead of the profile's
    category rate: the longest matching prefix wins, and at equal length a row for the
    line's origin beats a row for any origin; only rows in force on the order's date count.
    No tariff schedule ships with ecomstrat. As a table it has one row per tariff row.

    Examples
    --------
    >>> table = load_tariff([{"hs_prefix": "61", "rate": "0.12"},
    ...                      {"hs_prefix": "6109", "rate": "0.08"},
    ...                      {"hs_prefix": "6109", "rate": "0", "origin": "TR"}])
    >>> table.lookup("6109.10.00", origin="TR").rate, table.lookup("610910").rate
    (Decimal('0'), Decimal('0.08'))
    >>> table.lookup("6110").rate, table.lookup("42") is None
    (Decimal('0.12'), True)
    """

    rates: tuple[TariffRate, ...]

    def __attrs_post_init__(self) -> None:
        seen: dict[tuple[str, str | None], list[Provenance]] = {}
        for row in self.rates:
            key = (row.hs_prefix, row.origin)
            for other in seen.get(key, []):
                p = row.provenance
                start = max(
                    p.effective_from or datetime.date.min, other.effective_from or datetime.date.min
                )
                ends = [d for d in (p.effective_to, other.effective_to) if d is not None]
                if not ends or start < min(ends):
                    raise InvalidInputError(
                        f"tariff rows for HS {row.hs_prefix} from {row.origin or 'any origin'}"
                        " overlap in time; give each an effective_from and effective_to so that"
                        " one row is in force on any date."
                    )
            seen.setdefault(key, []).append(row.provenance)

    def lookup(
        self,
        hs_code: str,
        *,
        origin: str | None = None,
        on: datetime.date | str | None = None,
    ) -> TariffRate | None:
        """The row that applies to ``hs_code`` from ``origin`` on ``on`` (None: no row)."""
        code = _hs_prefix(hs_code)
        country = _opt_origin(origin)
        day = None if on is None else to_date("on", on)
        best: TariffRate | None = None
        for row in self.rates:
            if not code.startswith(row.hs_prefix):
                continue
            if row.origin is not None and row.origin != country:
                continue
            if day is not None and not row.provenance.in_force(day):
                continue
            rank = (len(row.hs_prefix), row.origin is not None)
            if best is None or rank > (len(best.hs_prefix), best.origin is not None):
                best = row
        return best

    def columns(self) -> dict[str, AnyArray]:
        """The rows: hs_prefix, origin, rate, specific (float64, NaN if none), currency, dates."""

        def num(value: Decimal | None) -> float:
            return float("nan") if value is None else float(value)

        def day(value: datetime.date | None) -> str:
            return "NaT" if value is None else value.isoformat()

        rows = self.rates
        return {
            "hs_prefix": np.array([r.hs_prefix for r in rows], dtype=np.str_),
            "origin": np.array([r.origin or "" for r in rows], dtype=np.str_),
            "rate": np.array([num(r.rate) for r in rows], dtype=np.float64),
            "specific": np.array([num(r.specific) for r in rows], dtype=np.float64),
            "currency": np.array([r.currency or "" for r in rows], dtype=np.str_),
            "effective_from": np.array(
                [day(r.provenance.effective_from) for r in rows], dtype="datetime64[D]"
            ),
            "effective_to": np.array(
                [day(r.provenance.effective_to) for r in rows], dtype="datetime64[D]"
            ),
        }


def load_tariff(
    source: str | os.PathLike[str] | Iterable[Mapping[str, Any] | TariffRate],
) -> TariffTable:
    """Load a tariff table you supply: a CSV or TOML file, or rows as mappings.

    Columns (CSV header, TOML keys of each ``[[rates]]`` table, or mapping keys):
    ``hs_prefix`` (required), ``rate`` (ad valorem fraction), ``specific`` (amount per item)
    and its ``currency``, ``origin`` (ISO 3166-1; blank: any origin), ``effective_from``,
    ``effective_to`` (ISO dates; blank: open), ``source``, ``url``, ``note``, ``verified_on``.
    Every row is labelled evidence ``"user"``.

    Parameters
    ----------
    source : path or iterable of mappings
        A ``.csv`` or ``.toml`` file, or the rows themselves.

    Returns
    -------
    TariffTable

    Raises
    ------
    InvalidInputError
        For an unreadable file, a bad value or overlapping rows, naming the row.
    UnknownCodeError
        For an unknown column (valid ones are listed).

    Examples
    --------
    >>> table = load_tariff([{"hs_prefix": "6109", "rate": "0.12", "origin": "",
    ...                       "effective_from": "2026-01-01"}])
    >>> table.rates[0].describe()
    'HS 6109* from any origin: 12% (in force 2026-01-01 to ...; evidence user)'
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise invalid("source", str(path), f"could not be read ({error})") from None
        suffix = path.suffix.lower()
        if suffix == ".csv":
            rows: list[Any] = list(csv.DictReader(io.StringIO(text)))
        elif suffix == ".toml":
            try:
                document = tomllib.loads(text)
            except tomllib.TOMLDecodeError as error:
                raise invalid("source", str(path), f"is not valid TOML ({error})") from None
            rows = list(document.get("rates", []))
            if not isinstance(document.get("rates", []), list):
                raise invalid("source", str(path), "needs its rows as [[rates]] tables")
        else:
            raise invalid("source", str(path), "must be a .csv or .toml file, or rows")
        where = str(path)
    elif isinstance(source, Mapping):
        raise invalid("source", source, "must be a path or an iterable of rows (mappings)")
    else:
        rows = list(source)
        where = "rows"
    return TariffTable(tuple(_tariff_row(row, f"{where}[{i}]") for i, row in enumerate(rows)))


def _apply_tariff(
    plan: _Plan,
    goods: _Goods,
    order: OrderLike,
    category: str | None,
    quantity: int,
    tariff: TariffTable | None,
    origin: str | None,
    day: datetime.date,
) -> tuple[_Goods, list[str]]:
    """Each line with an ``hs_code``: its duty rate from the user tariff (before the duty step).

    A specific duty (per item) becomes the equivalent rate on the line's customs value, so the
    duty step multiplies it back to the same amount. Without a tariff, nothing changes.
    """
    if tariff is None:
        return goods, []
    lines = _order_lines(order, category, quantity)
    if not isinstance(tariff, TariffTable):
        raise invalid("tariff", tariff, "must be a TariffTable", "Build one with load_tariff(...).")
    country = None if origin is None else check_country(origin, "origin")
    items = list(goods.items)
    notes = []
    for i, line in enumerate(lines):
        if line.hs_code is None:
            continue
        row = tariff.lookup(line.hs_code, origin=country, on=day)
        if row is None:
            notes.append(f"HS {line.hs_code}: no user tariff row, category rate kept")
            continue
        rate = row.rate if row.rate is not None else _ZERO
        text = row.describe()
        if row.specific is not None:
            money = Money(row.specific * line.quantity, row.currency or plan.currency)
            amount = plan.fx.convert(
                money, plan.currency, plan.currency, field="tariff specific"
            ).amount
            value = goods.customs_values[i]
            if value > 0:
                rate += DIVISION.divide(amount, value)
                text += (
                    f" = {plan.text(amount)} {plan.currency} for {line.quantity} item(s),"
                    " shown above as the equivalent rate on the line's customs value"
                )
            elif amount > 0:
                text += "; specific duty not charged on a zero customs value"
        items[i] = attrs.evolve(items[i], duty_rate=rate)
        notes.append(f"HS {line.hs_code}: {text}")
    return attrs.evolve(goods, items=tuple(items)), notes


def _with_tariff_notes(raw: Sequence[_Line], notes: list[str]) -> list[_Line]:
    """``raw`` with the user tariff rows named in the (first) duty line's rule."""
    if not notes:
        return list(raw)
    out = []
    done = False
    for kind, amount, stage, label, rule in raw:
        if kind == "duty" and not done:
            rule = f"{rule}; user tariff: {'; '.join(notes)}"
            done = True
        out.append((kind, amount, stage, label, rule))
    return out


# ---------------------------------------------------------------------------------------------
# Split shipments: each parcel its own consignment (issue 15).


@attrs.frozen
class SplitLandedCost(Tabular):
    """Landed cost of one order shipped as several parcels, each its own consignment.

    Thresholds (de minimis, scheme ceilings, flat duties, national fees) are tested on each
    parcel; the totals are the exact sums of the parcels' totals. As a table it has one row
    per parcel.

    Attributes
    ----------
    country, currency, presentation, as_of
        As in :class:`LandedCost`.
    parcels : tuple of LandedCost
        Each parcel's itemised landed cost.
    """

    country: str
    currency: str
    presentation: Presentation
    as_of: datetime.date
    parcels: tuple[LandedCost, ...]

    def _sum(self, name: str) -> Money:
        total = Money.zero(self.currency)
        for parcel in self.parcels:
            total = total + getattr(parcel, name)
        return total

    @property
    def total(self) -> Money:
        """Sum of every parcel's lines."""
        return self._sum("total")

    @property
    def checkout(self) -> Money:
        """What the buyer pays at checkout, all parcels."""
        return self._sum("checkout")

    @property
    def on_delivery(self) -> Money:
        """What the buyer pays carriers on delivery, all parcels."""
        return self._sum("on_delivery")

    @property
    def buyer_total(self) -> Money:
        """Everything the buyer pays, all parcels."""
        return self._sum("buyer_total")

    @property
    def merchant_cost(self) -> Money:
        """Costs borne by the merchant, all parcels."""
        return self._sum("merchant_cost")

    @property
    def duties_and_taxes(self) -> Money:
        """Duty, excise, tax and official charges, all parcels."""
        return self._sum("duties_and_taxes")

    def amount(self, kind: str) -> Money:
        """Sum of the lines of ``kind`` over all parcels."""
        total = Money.zero(self.currency)
        for parcel in self.parcels:
            total = total + parcel.amount(kind)
        return total

    def columns(self) -> dict[str, AnyArray]:
        """One row per parcel: its number, the cost kinds and the sums (float64).

        Columns: ``parcel``, every cost kind (``goods`` … ``service``), ``checkout``,
        ``delivery``, ``merchant``, ``buyer_total`` and ``total``.
        """
        out: dict[str, AnyArray] = {"parcel": np.arange(len(self.parcels), dtype=np.int64)}
        for kind in KINDS:
            out[kind] = np.array([float(p.amount(kind).amount) for p in self.parcels])
        sums = {
            "checkout": "checkout",
            "delivery": "on_delivery",
            "merchant": "merchant_cost",
            "buyer_total": "buyer_total",
            "total": "total",
        }
        for column, name in sums.items():
            out[column] = np.array([float(getattr(p, name).amount) for p in self.parcels])
        return out


def _per_parcel(name: str, value: Any, n: int) -> list[Any]:
    if value is None or isinstance(value, Money | Decimal | int | float | str):
        return [value] * n
    if isinstance(value, Sequence):
        if len(value) != n:
            raise invalid(name, value, f"must give one value per parcel ({n}), or one for all")
        return list(value)
    raise invalid(name, value, "must be a value, or a sequence with one value per parcel")


def landed_cost_split(
    profile: MarketProfile,
    parcels: Sequence[OrderLike],
    *,
    shipping: Money | AmountLike | Sequence[Money | AmountLike | None] | None = None,
    insurance: Money | AmountLike | Sequence[Money | AmountLike | None] | None = None,
    weight_kg: AmountLike | Sequence[AmountLike | None] | None = None,
    category: str | None = None,
    quantity: int = 1,
    origin: str | None = None,
    as_of: datetime.date | str | None = None,
    presentation: Presentation = "DDP",
    shipping_paid_by: Literal["buyer", "merchant"] = "buyer",
    fx: Mapping[str, AmountLike] | None = None,
    mode: TransportMode = "courier",
    ships_from: str | None = None,
    region: str | None = None,
    tariff: TariffTable | None = None,
) -> SplitLandedCost:
    """Landed cost of one order shipped in several parcels, each cleared as its own consignment.

    Parameters
    ----------
    profile : MarketProfile
    parcels : sequence of order-like
        Each parcel's goods, as :func:`landed_cost`'s ``order`` (a value, an OrderLine or a
        list of them).
    shipping, insurance, weight_kg : value or sequence, optional
        One value for every parcel, or one per parcel (None: the profile's default).
    category, quantity, origin, as_of, presentation, shipping_paid_by, fx
        As in :func:`landed_cost`, for every parcel.
    mode, ships_from, region, tariff
        As in :func:`landed_cost`, for every parcel.

    Returns
    -------
    SplitLandedCost
        The per-parcel landed costs and their totals.

    Notes
    -----
    Every parcel is costed as a separate order, so the merchant's per-order costs (the fixed
    part of the payment fee, customer service, expected returns) count once per parcel.
    Per-order limits (:class:`LimitWarning`) are tested once, on the whole order, since a
    transaction stays one transaction however it ships. Customs may treat parcels sent
    together to one buyer as one consignment, and the EU and UK rules forbid splitting a
    consignment to obtain a relief: compare with :func:`landed_cost` on the whole order.
    The batch path (:func:`landed_cost_batch`) costs single consignments only.

    Examples
    --------
    A GBP 200 order into the UK as two GBP 100 parcels: each is within the GBP 135 ceiling,
    so the seller charges 20 % VAT at checkout and no duty is due; as one consignment it
    pays duty at the border.

    >>> from ecomstrat.localization import market_profile
    >>> gb = market_profile("GB", as_of="2026-03-01")
    >>> split = landed_cost_split(gb, [100, 100], shipping=0)
    >>> [parcel.amount("tax") for parcel in split.parcels]
    [Money('20.00', 'GBP'), Money('20.00', 'GBP')]
    >>> split.buyer_total
    Money('240.00', 'GBP')
    """
    if isinstance(parcels, str) or not isinstance(parcels, Sequence):
        raise invalid("parcels", parcels, "must be a sequence of orders, one per parcel")
    check_non_empty("parcels", parcels)
    n = len(parcels)
    ships = _per_parcel("shipping", shipping, n)
    insures = _per_parcel("insurance", insurance, n)
    weights = _per_parcel("weight_kg", weight_kg, n)
    token = _CHECK_LIMITS.set(False)
    try:
        costs = tuple(
            landed_cost(
                profile,
                parcel,
                shipping=ships[i],
                insurance=insures[i],
                weight_kg=weights[i],
                category=category,
                quantity=quantity,
                origin=origin,
                as_of=as_of,
                presentation=presentation,
                shipping_paid_by=shipping_paid_by,
                fx=fx,
                mode=mode,
                ships_from=ships_from,
                region=region,
                tariff=tariff,
            )
            for i, parcel in enumerate(parcels)
        )
    finally:
        _CHECK_LIMITS.reset(token)
    first = costs[0]
    intrinsic = sum((c.amount("goods").amount for c in costs), _ZERO)
    customs = sum((c.customs_value.amount for c in costs), _ZERO)
    _check_order_limits(profile, intrinsic, customs, fx, first.as_of, stacklevel=2)
    return SplitLandedCost(first.country, first.currency, first.presentation, first.as_of, costs)


# ---------------------------------------------------------------------------------------------
# Duty-inclusive pricing: the net price for a target shelf price (issue 15).


@attrs.frozen
class ShelfPrice:
    """The net goods price whose landed buyer total equals a target shelf price, or why none does.

    Attributes
    ----------
    target : Money
        The shelf price asked for: everything the buyer pays (goods, shipping charged to them,
        duties, taxes and charges), in the market's currency.
    cost : LandedCost, optional
        The landed cost at the solution (its ``buyer_total`` equals ``target``); None when no
        net price reaches the target exactly.
    below, above : LandedCost, optional
        When there is no exact solution: the landed costs at the two neighbouring net prices,
        one minor unit apart, whose buyer totals fall just below and just above the target.
        ``below`` is None when even a zero net price costs the buyer more than the target.
    reason : str
        Why there is no exact solution (a threshold's grey zone, or the rounding of the
        duty and tax lines), or ``""``.
    """

    target: Money
    cost: LandedCost | None
    below: LandedCost | None = None
    above: LandedCost | None = None
    reason: str = ""

    @property
    def exact(self) -> bool:
        """Whether a net price lands exactly on the target."""
        return self.cost is not None

    @property
    def net_price(self) -> Money | None:
        """The net goods price of the solution (None when there is none)."""
        return None if self.cost is None else self.cost.amount("goods")


_NUMBER = re.compile(r"\d[\d.,]*")


def _regime(cost: LandedCost) -> set[tuple[str, str, str, bool, str]]:
    """The buyer's lines with their amounts blanked: what changes only at a threshold."""
    return {
        (line.kind, line.stage, line.label, line.amount.is_zero(), _NUMBER.sub("#", line.rule))
        for line in cost.lines
        if line.stage != "merchant"
    }


def _gap_reason(target: Money, below: LandedCost, above: LandedCost) -> str:
    lo, hi = below.buyer_total, above.buyer_total
    head = (
        f"no net price gives a buyer total of {target}: net {below.amount('goods')} gives"
        f" {lo} and net {above.amount('goods')} (one minor unit more) gives {hi}"
    )
    before, after = _regime(below), _regime(above)
    if before == after:
        return (
            f"{head}; the duty and tax lines are rounded one by one, so the total moves in steps"
            " of more than one minor unit here. Pick either neighbour."
        )
    changed = [
        f"{line.label} {line.amount} ({line.rule})"
        for line in above.lines
        if line.stage != "merchant"
        and (line.kind, line.stage, line.label, line.amount.is_zero(), _NUMBER.sub("#", line.rule))
        not in before
    ]
    return (
        f"{head}; a threshold lies between them: from net {above.amount('goods')} on,"
        f" {'; '.join(changed) or 'another regime applies'}. Totals strictly between {lo} and"
        f" {hi} are a grey zone no net price reaches: price at {lo} or at {hi}."
    )


def price_for_shelf_price(
    profile: MarketProfile,
    shelf_price: Money | AmountLike,
    *,
    shipping: Money | AmountLike | None = None,
    insurance: Money | AmountLike | None = None,
    weight_kg: AmountLike | None = None,
    category: str | None = None,
    quantity: int = 1,
    hs_code: str | None = None,
    origin: str | None = None,
    as_of: datetime.date | str | None = None,
    presentation: Presentation = "DDP",
    shipping_paid_by: Literal["buyer", "merchant"] = "buyer",
    fx: Mapping[str, AmountLike] | None = None,
    mode: TransportMode = "courier",
    ships_from: str | None = None,
    region: str | None = None,
    tariff: TariffTable | None = None,
) -> ShelfPrice:
    """The net goods price whose duty- and tax-inclusive buyer total equals ``shelf_price``.

    Solves :func:`landed_cost` backwards, exactly to the minor unit: the buyer total of a
    one-line order is found for net prices in minor units by bracketing and bisection, and
    the answer is verified with :func:`landed_cost` itself.

    Parameters
    ----------
    profile : MarketProfile
    shelf_price : Money or number
        The target: everything the buyer pays, i.e. the goods, the shipping charged to them,
        and (DDP) the duties, taxes and charges. A bare number is in the market's currency;
        it must be a whole number of minor units.
    shipping, insurance, weight_kg, category, quantity, origin, as_of, presentation
        As in :func:`landed_cost` (shipping defaults to the profile's rate and counts in the
        target when the buyer pays it: pass ``shipping=0`` for a goods-only shelf price).
    shipping_paid_by, fx, mode, ships_from, region, tariff
        As in :func:`landed_cost`.
    hs_code : str, optional
        HS code of the line, for ``tariff``.

    Returns
    -------
    ShelfPrice
        ``net_price`` and ``cost`` when a net price lands on the target; otherwise the two
        neighbouring net prices (``below``, ``above``) and the ``reason``.

    Notes
    -----
    The buyer total is piecewise linear in the net price, rounded to the minor unit, and
    jumps where a threshold is crossed (a de minimis, a scheme ceiling, a flat duty's
    ceiling). Totals inside a jump are reached by no net price: the *grey zone*. The solver
    then returns the nearest feasible prices on both sides, naming the line that jumps,
    rather than a price that misses the target. Within a linear piece, rounding each duty
    and tax line can also skip a minor unit of total; the reason says so. Where the total
    falls as the price rises (a flat duty replaced by a lower ad valorem duty above its
    ceiling), more than one net price may reach the target: the solver returns one of them.
    Exact path only: :func:`landed_cost_batch` has no reverse solver.

    Examples
    --------
    A shelf price of EUR 119.00 in Germany under IOSS, no shipping, 19 % VAT, no duty:

    >>> from ecomstrat.localization import market_profile
    >>> de = market_profile("DE", as_of="2026-03-01")
    >>> price = price_for_shelf_price(de, Money("119.00", "EUR"), shipping=0)
    >>> price.net_price, price.cost.amount("tax")
    (Money('100.00', 'EUR'), Money('19.00', 'EUR'))
    """
    market = profile.currency.code
    terms = profile.fx.with_rates(fx) if fx else profile.fx
    goal = _money("shelf_price", shelf_price, profile, terms)
    exponent = minor_units(market)
    unit = Decimal(1).scaleb(-exponent)
    if goal != goal.quantize(unit, rounding=decimal.ROUND_DOWN):
        raise invalid(
            "shelf_price",
            shelf_price,
            f"must be a whole number of {market} minor units ({unit}) once converted",
            "Round the target shelf price first.",
        )
    target = Money(goal, market)
    options: dict[str, Any] = {
        "shipping": shipping,
        "insurance": insurance,
        "weight_kg": weight_kg,
        "origin": origin,
        "as_of": as_of,
        "presentation": presentation,
        "shipping_paid_by": shipping_paid_by,
        "fx": fx,
        "mode": mode,
        "ships_from": ships_from,
        "region": region,
        "tariff": tariff,
    }
    memo: dict[int, LandedCost] = {}

    def cost_at(units: int) -> LandedCost:
        if units not in memo:
            line = OrderLine(
                Money(Decimal(units).scaleb(-exponent), market),
                quantity=quantity,
                category=category,
                hs_code=hs_code,
            )
            memo[units] = landed_cost(profile, line, **options)
        return memo[units]

    def total(units: int) -> Decimal:
        return cost_at(units).buyer_total.amount

    token = _CHECK_LIMITS.set(False)
    try:
        lo, hi = 0, int(goal.scaleb(exponent))
        if total(lo) > goal:
            return ShelfPrice(
                target,
                None,
                None,
                cost_at(lo),
                f"no net price gives a buyer total of {target}: even a net price of zero costs"
                f" the buyer {cost_at(lo).buyer_total} (shipping and fixed charges)",
            )
        if total(lo) < goal:
            # total(hi) >= goal: the goods line alone is worth the target.
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if total(mid) < goal:
                    lo = mid
                else:
                    hi = mid
        else:
            hi = lo
    finally:
        _CHECK_LIMITS.reset(token)
    if total(hi) == goal:
        # Verify with the public function (which also checks the per-order limits).
        line = OrderLine(
            Money(Decimal(hi).scaleb(-exponent), market),
            quantity=quantity,
            category=category,
            hs_code=hs_code,
        )
        cost = landed_cost(profile, line, **options)
        if cost.buyer_total != target:  # pragma: no cover - the search and the engine agree
            raise AssertionError("price_for_shelf_price: verification failed")
        return ShelfPrice(target, cost)
    below, above = cost_at(lo), cost_at(hi)
    return ShelfPrice(target, None, below, above, _gap_reason(target, below, above))
