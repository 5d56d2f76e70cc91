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
6. **Tax** (``_tax``): supply VAT on the sale price under a scheme; otherwise import tax on
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

import datetime
import decimal
from collections.abc import Mapping, Sequence
from decimal import Decimal
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
from ecomstrat.domain.currency import minor_units
from ecomstrat.domain.money import AmountLike, Money, to_decimal
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames._export import Tabular
from ecomstrat.localization.profiles import MarketProfile
from ecomstrat.localization.rules import (
    DIVISION,
    ROUNDINGS,
    FxTerms,
    Threshold,
    json_value,
    to_date,
)

__all__ = [
    "CostKind",
    "CostLine",
    "CostStage",
    "LandedCost",
    "LandedCostBatch",
    "OrderLine",
    "Presentation",
    "cash_increment",
    "landed_cost",
    "landed_cost_batch",
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

    Examples
    --------
    >>> OrderLine(Money("40", "EUR"), quantity=2, category="61")
    OrderLine(value=Money('40', 'EUR'), quantity=2, category='61')
    """

    value: Money | Decimal = attrs.field(converter=_line_value, validator=_non_negative_value)
    quantity: int = attrs.field(default=1, converter=_quantity)
    category: str | None = attrs.field(default=None, converter=_category)


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

    def within(self, value: Decimal) -> bool:
        return value <= self.limit if self.inclusive else value < self.limit


@attrs.frozen
class _Fee:
    name: str
    amount: Decimal
    per_category: bool
    ceiling: _Test | None
    merchant: bool
    in_base: bool
    rule: str


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
    return _Test(money.amount, t.basis, t.per, t.inclusive, t.describe(), t.rule)


def _plan(
    profile: MarketProfile,
    presentation: Presentation,
    origin: str | None,
    fx: Mapping[str, AmountLike] | None,
    shipping_paid_by: str,
) -> _Plan:
    terms = profile.fx.with_rates(fx) if fx else profile.fx
    market = profile.currency.code
    dm_duty = profile.duty_threshold(origin)
    dm_tax = profile.tax_threshold(origin)
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
        fees.append(
            _Fee(
                fee.name,
                amount.amount,
                fee.per == "category",
                ceiling,
                fee.payer == "merchant",
                fee.in_tax_base,
                fee.rule,
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
        """Whether line ``i`` is within ``test`` (per item, or with its whole consignment)."""
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
    """A flat duty per category or consignment, if the consignment is within its ceiling."""
    if plan.flat is None or not plan.flat[2].within(goods.value_of(plan.flat[2], None)):
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
    """Step 5: national fees on low-value parcels, per consignment or per category."""
    lines: list[_Line] = []
    in_base = buyer = _ZERO
    categories = {it.category for it in goods.items}
    for fee in plan.fees:
        if fee.ceiling is not None and not fee.ceiling.within(goods.value_of(fee.ceiling, None)):
            continue
        count = len(categories) if fee.per_category else 1
        amount = plan.q(fee.amount * count)
        stage: CostStage = "merchant" if fee.merchant else duty.stage
        rule = f"{fee.rule}: {count} x {plan.text(fee.amount)} {plan.currency}"
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
    plan: _Plan, goods: _Goods, col: _Collection, base: _ImportBase, lines: Sequence[int]
) -> tuple[Decimal, Decimal, list[_Line]]:
    """Tax (and excise) charged at checkout under the scheme on ``lines``."""
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
        base_total = tx = _ZERO
        for i in lines:
            value = items[i].value + goods.freight[i]
            base_total += value
            tx += items[i].tax_rate * value * factor
        tax = plan.q(tx)
        rates = sorted({percent(items[i].tax_rate) for i in lines})
        rule = f"{scheme_rule}: {'/'.join(rates)} x price incl. transport {plan.text(base_total)}"
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
            scheme_tax, scheme_excise, found = _scheme_tax(plan, goods, col, base, scheme)
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
        ISO 3166-1 code of the goods' origin, for origin-specific thresholds (Canada's CUSMA,
        Korea's KORUS, the US suspension for China). None: an origin with no special rule.
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

    Returns
    -------
    LandedCost
        Itemised lines, each naming its rule; ``total`` is their exact sum.

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
    plan, day = _prepare(profile, presentation, shipping_paid_by, origin, as_of, fx)
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
        raw = _compute(plan, goods)
    cur = plan.currency
    return LandedCost(
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


def _prepare(
    profile: MarketProfile,
    presentation: str,
    shipping_paid_by: str,
    origin: str | None,
    as_of: datetime.date | str | None,
    fx: Mapping[str, AmountLike] | None,
) -> tuple[_Plan, datetime.date]:
    """Check the options shared by the exact and the batch calculation; resolve the plan.

    A date past a scheduled change warns at the caller of the public function.
    """
    shown = cast(Presentation, check_choice("presentation", presentation, ["DDP", "DAP"]))
    check_choice("shipping_paid_by", shipping_paid_by, ["buyer", "merchant"])
    day = order_date(profile, as_of, stacklevel=5)
    if origin is not None:
        origin = check_country(origin, "origin")
    return _plan(profile, shown, origin, fx, shipping_paid_by), day


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
    fees = np.zeros((len(plan.fees), len(FEE_COLUMNS)))
    for i, fee in enumerate(plan.fees):
        fees[i, :5] = _test_row(fee.ceiling, scale)
        fees[i, 5] = float(fee.amount * scale)
        fees[i, 6] = fee.per_category
        fees[i, 7] = fee.merchant
        fees[i, 8] = fee.in_base
    bands = np.zeros((len(plan.bands), len(BAND_COLUMNS)))
    for i, band in enumerate(plan.bands):
        bands[i] = [
            band.up_to is not None,
            float((band.up_to or _ZERO) * scale),
            float(band.rate),
            float(band.deduction * scale),
        ]
    return params, tests, fees, bands


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
        As in :func:`landed_cost`.
    parallel : bool, optional
        Force the parallel (True) or serial (False) kernel; default: parallel from
        ``PARALLEL_MIN_ORDERS`` orders (:mod:`ecomstrat._kernels.landed_cost`).

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
    plan, day = _prepare(profile, presentation, shipping_paid_by, origin, as_of, fx)
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
        "duty_rate": (duty_rate, profile.duty.rate_for(category)),
        "tax_rate": (tax_rate, profile.tax.rate_for(category)),
        "excise_rate": (excise_rate, profile.tax.excise_for(category)),
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
