"""Landed cost of an order: goods, transport, duty, tax, fees and merchant costs, line by line.

The pipeline (one order, in the market's currency):

1. **Convert** every amount to the market's currency with the profile's FX rates (plus ``fx``)
   and round it to the ISO 4217 minor unit.
2. **Customs value** = goods × ``goods_factor`` (+ transport and insurance on a CIF basis).
3. **Collection**: goods within the scheme's ceiling (IOSS, UK ≤ GBP 135, VOEC…) are taxed by
   the seller at checkout; the rest at the border.
4. **Duty**: a flat per-category duty for low-value consignments (EU from 2026-07-01), a
   value-banded schedule (Brazil, Mexico) or ad valorem rates on the customs value — unless the
   duty de minimis exempts the goods (tested on intrinsic value, customs value or the duty
   amount, per consignment or per item). A surcharge on duty (India's SWS) follows.
5. **National fees** on low-value parcels (France, Romania).
6. **Tax**: supply VAT on the sale price under a scheme; otherwise import tax on customs value
   + transport (FOB countries) + duty and charges (VAT Directive art. 86), unless the tax de
   minimis exempts it; Brazil grosses it up (ICMS "por dentro"); China's CBEC channel levies
   70 % of it; a consumption tax is levied on a tax-inclusive base.
7. **Carrier fees** when duty or tax is advanced at the border: under DAP the buyer pays the
   carrier's clearance fee on delivery; under DDP the carrier bills the merchant a surcharge.
8. **Merchant costs**: payment fee on the checkout amount, FX conversion cost, expected return
   cost, customer service.

Each line is rounded once, with the market's rounding mode (half-even unless the profile says
otherwise), and names the rule that produced it; ``total`` is the exact sum of the lines.
Intermediate values are exact decimals; the few divisions (FX, gross-up, allocation of
transport over lines) carry 40 significant digits.

Examples
--------
>>> from ecomstrat.localization.markets import market_profile
>>> de = market_profile("DE", as_of="2026-03-01")
>>> cost = landed_cost(Money("200.00", "EUR"), de, shipping=Money("10.00", "EUR"))
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
from typing import Any, Final, Literal, TypeAlias, cast

import attr
import attrs
import numpy as np
from babel.core import get_global

from ecomstrat._kernels.landed_cost import (
    BAND_COLUMNS,
    COLUMNS,
    FEE_COLUMNS,
    N_PARAMS,
    PARALLEL_MIN_ORDERS,
    TEST_COLUMNS,
    P,
    T,
    landed_cost_batch,
    landed_cost_batch_parallel,
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
from ecomstrat.localization.profiles import MarketProfile, OrderLine, Presentation
from ecomstrat.localization.rules import DIVISION, ROUNDINGS, FxTerms, Threshold, to_date

__all__ = [
    "CostKind",
    "CostLine",
    "LandedCost",
    "LandedCostBatch",
    "Stage",
    "cash_increment",
    "landed_cost",
    "landed_cost_batch_of",
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
Stage: TypeAlias = Literal["checkout", "delivery", "merchant"]

KINDS: Final[tuple[str, ...]] = COLUMNS[:13]
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
# Results.


def _pct(rate: Decimal) -> str:
    text = format((rate * 100).normalize(), "f")
    return f"{text}%"


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
    stage: Stage
    label: str
    rule: str


@attrs.frozen
class LandedCost:
    """Itemised landed cost of one order, in the market's currency.

    ``total`` is exactly the sum of the lines; ``checkout``, ``on_delivery`` and
    ``merchant_cost`` split it by who pays when.

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
        >>> from ecomstrat.localization.markets import market_profile
        >>> ch = market_profile("CH", as_of="2026-03-01")
        >>> cost = landed_cost(Money("101.00", "CHF"), ch, shipping=Money("12.00", "CHF"),
        ...                    presentation="DAP")
        >>> cost.on_delivery, cost.cash_amount("delivery")
        (Money('20.33', 'CHF'), Money('20.35', 'CHF'))
        """
        check_choice("stage", stage, ["checkout", "delivery"])
        due = self.checkout if stage == "checkout" else self.on_delivery
        return due.round(decimal.ROUND_HALF_UP, increment=self.cash_step)

    def converted(self, to: str, rate: AmountLike) -> LandedCost:
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
        data = attr.asdict(self, retain_collection_types=False, value_serializer=_encode)
        for name in ("total", "checkout", "on_delivery", "merchant_cost"):
            data[name] = _fmt(getattr(self, name).amount)
        return data

    def _sum(self, keep: Any) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            if keep(line):
                total = total + line.amount
        return total


def _encode(instance: Any, field: Any, value: Any) -> Any:
    if isinstance(value, Decimal):
        return _fmt(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def cash_increment(currency: str, override: Decimal | None = None) -> Decimal:
    """Step of cash amounts in ``currency``: CLDR's cash rounding (via babel) or ``override``.

    CLDR gives ``(digits, rounding, cash_digits, cash_rounding)`` per currency; the step is
    ``cash_rounding × 10**-cash_digits`` (or ``10**-cash_digits`` when ``cash_rounding`` is 0).
    It is never finer than the ISO 4217 minor unit, which is what amounts are kept in (ISO and
    CLDR disagree for a few currencies, e.g. IQD: ISO 3 decimals, CLDR 0).

    Examples
    --------
    >>> cash_increment("CHF"), cash_increment("SEK"), cash_increment("EUR")
    (Decimal('0.05'), Decimal('1'), Decimal('0.01'))
    >>> cash_increment("EUR", Decimal("0.05"))
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
        return value.quantize(Decimal(1).scaleb(-self.exponent), self.rounding, _EXACT)


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
# The exact calculation.


@attrs.frozen
class _Item:
    value: Decimal  # rounded, market currency
    quantity: int
    category: str | None
    duty_rate: Decimal
    tax_rate: Decimal
    excise_rate: Decimal


def _compute(
    plan: _Plan, items: Sequence[_Item], S: Decimal, N: Decimal
) -> tuple[list[tuple[str, Decimal, Stage, str, str]], Decimal]:
    """Lines as (kind, amount, stage, label, rule) and the customs value; see module doc."""
    p = plan.profile
    cur = plan.currency
    n = len(items)
    intrinsic = sum((it.value for it in items), _ZERO)
    F = S + N
    weights = [
        DIVISION.divide(it.value, intrinsic) if intrinsic > 0 else DIVISION.divide(_ONE, n)
        for it in items
    ]
    freight = [F * w for w in weights]
    cv_items = [
        plan.goods_factor * it.value + (freight[i] if plan.cif else _ZERO)
        for i, it in enumerate(items)
    ]
    customs_value = plan.goods_factor * intrinsic + (F if plan.cif else _ZERO)

    def value_of(test: _Test, i: int | None) -> Decimal:
        if i is None:
            return intrinsic if test.basis == "intrinsic" else customs_value
        base = items[i].value if test.basis == "intrinsic" else cv_items[i]
        return DIVISION.divide(base, items[i].quantity)

    def passes(test: _Test, i: int) -> bool:
        return test.within(value_of(test, i if test.per == "item" else None))

    def m(amount: Decimal) -> str:
        return _fmt(plan.q(amount))

    lines: list[tuple[str, Decimal, Stage, str, str]] = []
    ship_stage: Stage = "merchant" if plan.shipping_by_merchant else "checkout"
    lines.append(("goods", intrinsic, "checkout", "goods", f"intrinsic value of {n} line(s)"))
    lines.append(("shipping", S, ship_stage, "shipping", "transport to the destination"))
    lines.append(("insurance", N, ship_stage, "insurance", "transport insurance"))

    # Collection: which lines fall under the seller's scheme.
    if plan.pos_all:
        in_pos = [True] * n
    elif plan.pos is not None:
        in_pos = [passes(plan.pos, i) for i in range(n)]
    else:
        in_pos = [False] * n
    collection = p.collection
    import_scheme = collection is not None and collection.base == "import"
    scheme_name = collection.scheme if collection is not None else ""
    exempt_pos = collection is not None and collection.duty_exempt
    dutiable = [not (in_pos[i] and exempt_pos) for i in range(n)]

    # Duty.
    duty_exact = [_ZERO] * n
    duty_rule = ""
    band_applied = False
    scheme_whole = plan.pos_on and all(in_pos)
    cats = {items[i].category for i in range(n) if dutiable[i]}
    if plan.flat is not None and plan.flat[2].within(value_of(plan.flat[2], None)):
        amount, per_category, ceiling, rule = plan.flat
        count = len(cats) if per_category else (1 if any(dutiable) else 0)
        total_flat = amount * count
        share = (
            [DIVISION.divide(_ONE, sum(dutiable)) if dutiable[i] else _ZERO for i in range(n)]
            if any(dutiable)
            else [_ZERO] * n
        )
        duty_exact = [total_flat * s for s in share]
        duty_rule = (
            f"{rule}: {count} categor{'y' if count == 1 else 'ies'} x {m(amount)} {cur}"
            f" ({ceiling.text})"
        )
    elif plan.bands and (scheme_whole or not plan.bands_need_scheme):
        value = sum(
            (
                (items[i].value if plan.bands_basis == "intrinsic" else cv_items[i])
                for i in range(n)
                if dutiable[i]
            ),
            _ZERO,
        )
        band = next((b for b in plan.bands if b.up_to is None or value <= b.up_to), None)
        if band is not None:
            band_applied = True
            total_band = max(band.rate * value - band.deduction, _ZERO)
            weights_d = [cv_items[i] if dutiable[i] else _ZERO for i in range(n)]
            total_w = sum(weights_d, _ZERO)
            duty_exact = [
                total_band * DIVISION.divide(wd, total_w) if total_w > 0 else _ZERO
                for wd in weights_d
            ]
            bound = "open" if band.up_to is None else f"<= {_fmt(plan.q(band.up_to))} {cur}"
            duty_rule = (
                f"{p.duty.rule}: band {bound}: {_pct(band.rate)} x {m(value)}"
                f" - {m(band.deduction)} {cur}"
            )
    if not duty_rule:
        exempt = [False] * n
        dm = plan.dm_duty
        note = ""
        if dm is not None and dm.basis != "tax_amount":
            exempt = [passes(dm, i) for i in range(n)]
            if any(exempt):
                note = f"; de minimis: {dm.text} ({dm.rule})"
        duty_exact = [
            items[i].duty_rate * cv_items[i] if dutiable[i] and not exempt[i] else _ZERO
            for i in range(n)
        ]
        rates = sorted({_pct(items[i].duty_rate) for i in range(n)})
        duty_rule = (
            f"{p.duty.rule}: {'/'.join(rates)} x customs value {_fmt(plan.q(customs_value))}{note}"
        )
        if not any(dutiable):
            duty_rule = f"{scheme_name}: goods under the scheme bear no duty"
    duty = plan.q(sum(duty_exact, _ZERO))
    dm = plan.dm_duty
    if dm is not None and dm.basis == "tax_amount" and duty > 0 and dm.within(duty):
        duty_rule += f"; {_fmt(duty)} waived: {dm.text} ({dm.rule})"
        duty = _ZERO
        duty_exact = [_ZERO] * n
    total_duty_exact = sum(duty_exact, _ZERO)
    duty_share = [
        DIVISION.divide(d, total_duty_exact) if total_duty_exact > 0 else _ZERO for d in duty_exact
    ]
    duty_at_checkout = plan.presentation == "DDP" or (
        import_scheme and all(in_pos[i] for i in range(n) if dutiable[i])
    )
    duty_stage: Stage = "checkout" if duty_at_checkout else "delivery"
    lines.append(("duty", duty, duty_stage, "duty", duty_rule))

    # Surcharge on duty.
    surcharge = plan.q(p.duty.surcharge_rate * duty)
    if p.duty.surcharge_rate > 0:
        lines.append(
            (
                "charges",
                surcharge,
                duty_stage,
                p.duty.surcharge_name,
                f"{p.duty.surcharge_name}: {_pct(p.duty.surcharge_rate)} x duty {_fmt(duty)}",
            )
        )
    in_base_charges = surcharge if p.duty.surcharge_in_tax_base else _ZERO

    # National fees on low-value parcels.
    fee_lines_buyer = _ZERO
    all_cats = {it.category for it in items}
    for fee in plan.fees:
        if fee.ceiling is not None and not fee.ceiling.within(value_of(fee.ceiling, None)):
            continue
        count = len(all_cats) if fee.per_category else 1
        amount = plan.q(fee.amount * count)
        stage: Stage = "merchant" if fee.merchant else duty_stage
        lines.append(
            ("charges", amount, stage, fee.name, f"{fee.rule}: {count} x {m(fee.amount)} {cur}")
        )
        if fee.in_base:
            in_base_charges += amount
        if not fee.merchant:
            fee_lines_buyer += amount

    # Tax.
    tax_rules = p.tax
    extra_freight = [
        freight[i] if (tax_rules.base_includes_freight and not plan.cif) else _ZERO
        for i in range(n)
    ]
    cover = band_applied and plan.bands_cover_tax
    pos_idx = [i for i in range(n) if in_pos[i]]
    border_idx = [i for i in range(n) if not in_pos[i]]
    factor = collection.tax_factor if (collection is not None and pos_idx) else _ONE
    total_w_border = sum((weights[i] for i in border_idx), _ZERO)

    def import_base(i: int, others: Decimal, total_w: Decimal) -> Decimal:
        base = cv_items[i] + extra_freight[i]
        if tax_rules.base_includes_duty:
            share_other = DIVISION.divide(weights[i], total_w) if total_w > 0 else _ZERO
            base += duty * duty_share[i] + others * share_other
        return base

    def excise_of(i: int, base: Decimal) -> Decimal:
        x = items[i].excise_rate
        return DIVISION.divide(base * x, _ONE - x) if x > 0 else _ZERO

    excise_checkout = excise_border = _ZERO
    tax_pos = tax_border = _ZERO
    tax_lines: list[tuple[str, Decimal, Stage, str, str]] = []
    if pos_idx and not cover:
        if import_scheme:
            total_w_pos = sum((weights[i] for i in pos_idx), _ZERO)
            ex = tx = _ZERO
            parts = []
            for i in pos_idx:
                base = import_base(i, in_base_charges, total_w_pos)
                x = items[i].excise_rate
                t = items[i].tax_rate
                if tax_rules.method == "gross_up":
                    tx += DIVISION.divide(base * t, _ONE - t) * factor
                else:
                    tx += DIVISION.divide(base * t, _ONE - x) * factor
                ex += DIVISION.divide(base * x, _ONE - x) * factor
                parts.append(base)
            excise_checkout = plan.q(ex)
            tax_pos = plan.q(tx)
            how = "gross-up / (1 - rate)" if tax_rules.method == "gross_up" else "x rate"
            fct = f" x {_pct(factor)} of the statutory amount" if factor != 1 else ""
            rule = (
                f"{collection.rule if collection else ''}: {tax_rules.name} on base"
                f" {_fmt(plan.q(sum(parts, _ZERO)))} {how}{fct}"
            )
        else:
            base_total = _ZERO
            tx = _ZERO
            for i in pos_idx:
                base = items[i].value + freight[i]
                base_total += base
                tx += items[i].tax_rate * base * factor
            tax_pos = plan.q(tx)
            rates = sorted({_pct(items[i].tax_rate) for i in pos_idx})
            rule = (
                f"{collection.rule if collection else ''}: {'/'.join(rates)} x price incl."
                f" transport {_fmt(plan.q(base_total))}"
            )
        if excise_checkout > 0:
            tax_lines.append(
                (
                    "excise",
                    excise_checkout,
                    "checkout",
                    "consumption tax",
                    f"{scheme_name}: consumption tax on a tax-inclusive base",
                )
            )
        tax_lines.append(("tax", tax_pos, "checkout", f"{tax_rules.name} ({scheme_name})", rule))

    border_stage: Stage = "checkout" if plan.presentation == "DDP" else "delivery"
    if border_idx and not cover:
        exempt_tax = [False] * n
        dmt = plan.dm_tax
        note = ""
        if dmt is not None and dmt.basis != "tax_amount":
            exempt_tax = [passes(dmt, i) for i in range(n)]
            if any(exempt_tax[i] for i in border_idx):
                note = f"; de minimis: {dmt.text} ({dmt.rule})"
        ex = tx = _ZERO
        base_total = _ZERO
        for i in border_idx:
            if exempt_tax[i]:
                continue
            base = import_base(i, in_base_charges, total_w_border)
            t = items[i].tax_rate
            e_i = excise_of(i, base)
            ex += e_i
            full = base + e_i if tax_rules.base_includes_duty else base
            base_total += full
            if tax_rules.method == "gross_up":
                tx += DIVISION.divide(full * t, _ONE - t)
            else:
                tx += full * t
        excise_border = plan.q(ex)
        tax_border = plan.q(tx)
        rates = sorted({_pct(items[i].tax_rate) for i in border_idx})
        if tax_rules.method == "gross_up":
            how = f"/ (1 - {'/'.join(rates)}) x {'/'.join(rates)}"
        else:
            how = f"x {'/'.join(rates)}"
        what = f"customs value {m(sum((cv_items[i] for i in border_idx), _ZERO))}"
        if any(extra_freight[i] for i in border_idx):
            what += " + transport"
        if tax_rules.base_includes_duty and duty:
            what += f" + duty {_fmt(duty)}"
        if tax_rules.base_includes_duty and in_base_charges:
            what += f" + charges {_fmt(in_base_charges)}"
        rule = f"{tax_rules.rule}: base {m(base_total)} ({what}) {how}{note}"
        if (
            dmt is not None
            and dmt.basis == "tax_amount"
            and tax_border > 0
            and dmt.within(tax_border)
        ):
            rule += f"; {_fmt(tax_border)} waived: {dmt.text} ({dmt.rule})"
            tax_border = excise_border = _ZERO
        if excise_border > 0:
            tax_lines.append(
                (
                    "excise",
                    excise_border,
                    border_stage,
                    "consumption tax",
                    f"{tax_rules.rule}: consumption tax on a tax-inclusive base",
                )
            )
        tax_lines.append(("tax", tax_border, border_stage, tax_rules.name, rule))
    if cover:
        tax_lines.append(
            (
                "tax",
                _ZERO,
                duty_stage,
                tax_rules.name,
                f"{p.duty.rule}: the global rate covers {tax_rules.name}",
            )
        )
    if not tax_lines:
        tax_lines.append(("tax", _ZERO, "checkout", tax_rules.name, "no tax due"))
    lines.extend(tax_lines)

    # Carrier fees when something is paid at the border.
    scheme_collects_duty = import_scheme and all(in_pos[i] for i in range(n) if dutiable[i])
    duty_block = duty + surcharge + fee_lines_buyer
    at_border = tax_border + excise_border + (_ZERO if scheme_collects_duty else duty_block)
    if at_border > 0 and plan.presentation == "DAP":
        brokerage = plan.q(plan.brokerage_fixed + plan.brokerage_rate * at_border)
        if brokerage > 0:
            lines.append(
                (
                    "brokerage",
                    brokerage,
                    "delivery",
                    "carrier clearance fee",
                    f"carrier clearance fee {m(plan.brokerage_fixed)} + "
                    f"{_pct(plan.brokerage_rate)} x {m(at_border)} advanced (DAP: the buyer pays)",
                )
            )
    if at_border > 0 and plan.presentation == "DDP":
        ddp_fee = plan.q(plan.ddp_surcharge + plan.ddp_rate * at_border)
        if ddp_fee > 0:
            lines.append(
                (
                    "ddp_surcharge",
                    ddp_fee,
                    "merchant",
                    "DDP surcharge",
                    f"carrier DDP surcharge {m(plan.ddp_surcharge)} + "
                    f"{_pct(plan.ddp_rate)} x {m(at_border)} advanced (billed to the merchant)",
                )
            )

    # Merchant costs.
    checkout = sum((amount for _, amount, stage, _, _ in lines if stage == "checkout"), _ZERO)
    pay = plan.q(plan.pay_rate * checkout + plan.pay_fixed)
    lines.append(
        (
            "payment_fee",
            pay,
            "merchant",
            "payment fee",
            f"payment mix: {_pct(plan.pay_rate)} x checkout {_fmt(checkout)} + {m(plan.pay_fixed)}",
        )
    )
    fx_cost = plan.q(plan.fx_fee * checkout)
    lines.append(
        (
            "fx_cost",
            fx_cost,
            "merchant",
            "FX conversion",
            f"conversion fee {_pct(plan.fx_fee)} x checkout {_fmt(checkout)}"
            + (" (merchant books in the market currency)" if plan.same_currency else ""),
        )
    )
    lost_duty = _ZERO
    if duty_stage == "checkout" and not p.returns.duty_recoverable:
        lost_duty = duty_block
    lost_tax = _ZERO
    if not p.returns.tax_recoverable:
        lost_tax = (tax_pos + excise_checkout) if import_scheme else _ZERO
        if plan.presentation == "DDP":
            lost_tax += tax_border + excise_border
    ret = plan.q(plan.ret_rate * (plan.ret_fixed + lost_duty + lost_tax))
    lines.append(
        (
            "returns",
            ret,
            "merchant",
            "expected returns",
            f"{_pct(plan.ret_rate)} x (return freight and handling {m(plan.ret_fixed)}"
            f" + duty not recovered {m(lost_duty)} + tax not recovered {m(lost_tax)})",
        )
    )
    service = plan.q(plan.service)
    lines.append(
        (
            "service",
            service,
            "merchant",
            "customer service",
            f"{_fmt(p.service.contacts_per_order)} contacts x"
            f" {m(p.service.cost_per_contact)} per contact",
        )
    )
    return lines, customs_value


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
    order: OrderLike,
    profile: MarketProfile,
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
    order : Money, number, OrderLine or sequence of OrderLine
        The goods: a value (one line of ``quantity`` items of ``category``) or order lines.
        Bare numbers are in the market's currency; Money in another currency is converted
        with the profile's FX rates and ``fx``.
    profile : MarketProfile
        The market's rules and costs (see :func:`ecomstrat.localization.markets.market_profile`).
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
        of the profile's rules warns :class:`~ecomstrat.localization.profiles.MarketDataWarning`.
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

    >>> from ecomstrat.localization.markets import market_profile
    >>> fr = market_profile("FR", as_of="2026-03-01")
    >>> cost = landed_cost(Money("100.00", "EUR"), fr, shipping=Money("10.00", "EUR"))
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
    presentation = cast(Presentation, check_choice("presentation", presentation, ["DDP", "DAP"]))
    check_choice("shipping_paid_by", shipping_paid_by, ["buyer", "merchant"])
    day = profile.as_of if as_of is None else to_date("as_of", as_of)
    if as_of is not None:
        profile.check_date(day, stacklevel=3)
    if origin is not None:
        origin = check_country(origin, "origin")
    terms = profile.fx.with_rates(fx) if fx else profile.fx
    plan = _plan(profile, presentation, origin, fx, shipping_paid_by)
    lines_in = _order_lines(order, category, quantity)
    items = []
    for i, line in enumerate(lines_in):
        cat = line.category
        value = _money(f"order[{i}].value", line.value, profile, terms)
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
            S = plan.q(rates.base + rates.per_kg * weight)
        else:
            S = plan.q(_money("shipping", shipping, profile, terms))
        if insurance is None:
            N = plan.q(profile.shipping.insurance_rate * goods)
        else:
            N = plan.q(_money("insurance", insurance, profile, terms))
        raw, customs_value = _compute(plan, items, S, N)
    cur = plan.currency
    lines = tuple(
        CostLine(kind, Money(amount, cur), stage, label, rule)
        for kind, amount, stage, label, rule in raw
    )
    return LandedCost(
        country=profile.country,
        currency=cur,
        presentation=presentation,
        as_of=day,
        lines=lines,
        customs_value=Money(plan.q(customs_value), cur),
        cash_step=cash_increment(cur, profile.currency.cash_increment),
    )


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


def landed_cost_batch_of(
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
        ``PARALLEL_MIN_ORDERS`` orders.

    Returns
    -------
    LandedCostBatch

    Notes
    -----
    The first call compiles the kernel (a few seconds), later processes load it from numba's
    on-disk cache.

    Examples
    --------
    >>> from ecomstrat.localization.markets import market_profile
    >>> de = market_profile("DE", as_of="2026-03-01")
    >>> batch = landed_cost_batch_of(de, [100.0, 200.0], shipping=10.0)
    >>> batch["duty"].tolist(), batch["tax"].tolist()
    ([0.0, 8.4], [20.9, 41.5])
    """
    presentation = cast(Presentation, check_choice("presentation", presentation, ["DDP", "DAP"]))
    check_choice("shipping_paid_by", shipping_paid_by, ["buyer", "merchant"])
    day = profile.as_of if as_of is None else to_date("as_of", as_of)
    if as_of is not None:
        profile.check_date(day, stacklevel=3)
    if origin is not None:
        origin = check_country(origin, "origin")
    plan = _plan(profile, presentation, origin, fx, shipping_paid_by)
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
    use_parallel = n >= PARALLEL_MIN_ORDERS if parallel is None else parallel
    kernel = landed_cost_batch_parallel if use_parallel else landed_cost_batch
    out = np.empty((len(COLUMNS), n), dtype=np.float64)
    kernel(
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
    )
    out.flags.writeable = False
    return LandedCostBatch(profile.country, plan.currency, presentation, day, out)
