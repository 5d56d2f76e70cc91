"""Market costing profile: the rules and costs of selling into one country on one date.

A :class:`MarketProfile` is the companion of :class:`~ecomstrat.domain.Market`: where the market
says *where* and *in which currency and languages* a shop sells, the profile says what it costs
to deliver an order there — customs valuation, duty and tax rates, the separate duty and tax de
minimis rules, who collects the tax, carrier fees, payment fees, shipping, returns, customer
service and entry costs. Each part is a small frozen object (see
:mod:`ecomstrat.localization.rules`) carrying its :class:`Provenance`.

Profiles are snapshots: :func:`ecomstrat.localization.markets.market_profile` resolves the dated
reference data for one ``as_of`` date, and the profile remembers the window in which that
snapshot holds. Using it on a date past a known scheduled change emits a
:class:`MarketDataWarning`.

Examples
--------
>>> from ecomstrat.localization.markets import market_profile
>>> de = market_profile("DE", as_of="2026-03-01")
>>> de.market
Market(country='DE', currency='EUR', languages=('de',))
>>> de.tax.standard_rate, de.valuation.basis, de.collection.scheme
(Decimal('0.19'), 'CIF', 'IOSS')
>>> de.valid_until
datetime.date(2026, 7, 1)
>>> de.with_overrides({"returns": {"rate": "0.30"}}).returns.rate
Decimal('0.30')
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, Literal, TypeAlias

import attr
import attrs

from ecomstrat._validation import invalid
from ecomstrat.domain.country import check_country, country_name
from ecomstrat.domain.market import Market
from ecomstrat.domain.money import AmountLike, Money, to_decimal
from ecomstrat.exceptions import EcomstratWarning, UnknownCodeError
from ecomstrat.localization.rules import (
    BorderFees,
    CurrencyRules,
    DutyRules,
    EntryCosts,
    FlatDuty,
    FxTerms,
    ImportFee,
    PaymentMix,
    Provenance,
    ReturnTerms,
    ScheduledChange,
    ServiceCosts,
    ShippingRates,
    TaxCollection,
    TaxRules,
    Threshold,
    Valuation,
    build,
    to_date,
)

__all__ = [
    "BLOCKS",
    "MarketDataWarning",
    "MarketProfile",
    "OrderLine",
    "Presentation",
]

#: DDP: duties and taxes paid by the seller and charged at checkout; DAP: paid by the buyer
#: on delivery (DDU, as carriers still call it).
Presentation: TypeAlias = Literal["DDP", "DAP"]

Kind: TypeAlias = Literal["one", "optional", "many"]

#: The parts of a profile: name -> (class, how many are in force at a time).
BLOCKS: Final[dict[str, tuple[type[Any], Kind]]] = {
    "currency": (CurrencyRules, "one"),
    "valuation": (Valuation, "one"),
    "duty": (DutyRules, "one"),
    "duty_de_minimis": (Threshold, "many"),
    "flat_duty": (FlatDuty, "optional"),
    "tax": (TaxRules, "one"),
    "tax_de_minimis": (Threshold, "many"),
    "collection": (TaxCollection, "optional"),
    "import_fees": (ImportFee, "many"),
    "border_fees": (BorderFees, "one"),
    "payments": (PaymentMix, "one"),
    "shipping": (ShippingRates, "one"),
    "returns": (ReturnTerms, "one"),
    "service": (ServiceCosts, "one"),
    "entry": (EntryCosts, "one"),
    "fx": (FxTerms, "one"),
}


class MarketDataWarning(EcomstratWarning):
    """A market profile is used outside the dates its rules were resolved for."""


def _country(value: str) -> str:
    return check_country(value)


def _languages(value: Iterable[str]) -> tuple[str, ...]:
    return Market("US", "USD", value).languages


def _opt_date(value: datetime.date | str | None) -> datetime.date | None:
    return None if value is None else to_date("date", value)


def _as_of(value: datetime.date | str) -> datetime.date:
    return to_date("as_of", value)


def _thresholds(value: Iterable[Threshold | Mapping[str, Any]]) -> tuple[Threshold, ...]:
    return tuple(build(Threshold, t, f"threshold[{i}]") for i, t in enumerate(value))


def _fees(value: Iterable[ImportFee | Mapping[str, Any]]) -> tuple[ImportFee, ...]:
    return tuple(build(ImportFee, f, f"import_fees[{i}]") for i, f in enumerate(value))


def _changes(value: Iterable[ScheduledChange]) -> tuple[ScheduledChange, ...]:
    return tuple(sorted(value, key=lambda c: c.on))


@attrs.frozen
class MarketProfile:
    """What selling one order into a country costs, under the rules in force on ``as_of``.

    Build one with :func:`ecomstrat.localization.markets.market_profile` (reference data) and
    adjust it with :meth:`with_overrides` or :meth:`with_fx`; constructing it directly is for
    markets the data does not cover.

    Parameters
    ----------
    country : str
        ISO 3166-1 code (stored as alpha-2).
    name : str
        Display name.
    languages : sequence of str
        BCP 47 tags, in order of use.
    currency : CurrencyRules
        Currency and rounding of cost lines.
    valuation : Valuation
        FOB or CIF customs value.
    duty : DutyRules
        Duty rates (default and per category), bands, surcharge.
    duty_de_minimis, tax_de_minimis : sequence of Threshold
        The duty relief and the tax relief, which are separate rules with their own amount,
        currency, basis and scope; the first that applies to the order's origin is used.
    flat_duty : FlatDuty, optional
        A flat duty replacing the ad valorem duty for low-value consignments (EU from
        2026-07-01).
    tax : TaxRules
        VAT / GST rates, method (standard or tax-inclusive gross-up) and base.
    collection : TaxCollection, optional
        The scheme under which the seller collects tax at checkout (IOSS, UK ≤ GBP 135,
        Australian and New Zealand low-value GST, VOEC, Singapore OVR, Brazil's Remessa
        Conforme, China's CBEC channel); None: tax is collected at the border.
    import_fees : sequence of ImportFee
        National charges on low-value parcels.
    border_fees : BorderFees
        Brokerage / clearance and DDP carrier fees (market currency).
    payments : PaymentMix
        Local payment methods, their shares and fees.
    shipping : ShippingRates
        Shipping cost (base + per kg) and insurance.
    returns : ReturnTerms
        Return rate, return freight and handling, recoverability of duty and tax.
    service : ServiceCosts
        Customer contacts per order × cost per contact.
    entry : EntryCosts
        One-time, monthly and per-order (marketplace) entry costs.
    fx : FxTerms
        Merchant currency, exchange rates into the market currency and conversion fee.
    as_of : datetime.date
        The date the rules were resolved for.
    valid_from, valid_until : datetime.date, optional
        The window around ``as_of`` in which no known change occurs (``valid_until``
        exclusive).
    changes : sequence of ScheduledChange
        The known dated changes of this market's rules.
    data_version : str
        Version of the reference data the profile came from.
    """

    country: str = attrs.field(converter=_country)
    name: str
    languages: tuple[str, ...] = attrs.field(converter=_languages)
    currency: CurrencyRules
    valuation: Valuation
    duty: DutyRules
    tax: TaxRules
    payments: PaymentMix
    shipping: ShippingRates
    returns: ReturnTerms
    service: ServiceCosts
    entry: EntryCosts
    duty_de_minimis: tuple[Threshold, ...] = attrs.field(default=(), converter=_thresholds)
    tax_de_minimis: tuple[Threshold, ...] = attrs.field(default=(), converter=_thresholds)
    flat_duty: FlatDuty | None = None
    collection: TaxCollection | None = None
    import_fees: tuple[ImportFee, ...] = attrs.field(default=(), converter=_fees)
    border_fees: BorderFees = attrs.field(factory=BorderFees)
    fx: FxTerms = attrs.field(factory=FxTerms)
    as_of: datetime.date = attrs.field(factory=datetime.date.today, converter=_as_of)
    valid_from: datetime.date | None = attrs.field(default=None, converter=_opt_date)
    valid_until: datetime.date | None = attrs.field(default=None, converter=_opt_date)
    changes: tuple[ScheduledChange, ...] = attrs.field(default=(), converter=_changes)
    data_version: str = "user"

    def __attrs_post_init__(self) -> None:
        for name, (cls, kind) in BLOCKS.items():
            value = getattr(self, name)
            items = value if kind == "many" else ((value,) if value is not None else ())
            for item in items:
                if not isinstance(item, cls):
                    raise invalid(
                        name, item, f"must be a {cls.__name__}", "Use with_overrides(...)."
                    )
        if self.fx.rate(self.currency.code) is not None:
            raise invalid(
                "fx.rates",
                self.currency.code,
                "must not rate the market's own currency (rates are market units per unit)",
            )

    @property
    def market(self) -> Market:
        """The :class:`~ecomstrat.domain.Market` this profile costs."""
        return Market(self.country, self.currency.code, self.languages)

    @property
    def country_name(self) -> str:
        """English short name of the country (ISO 3166-1)."""
        return country_name(self.country)

    @property
    def merchant_currency(self) -> str:
        """The merchant's booking currency (the market's when ``fx`` names none)."""
        return self.fx.merchant_currency or self.currency.code

    def duty_threshold(self, origin: str | None = None) -> Threshold | None:
        """The duty de minimis for goods from ``origin`` (first rule that applies), if any."""
        return next((t for t in self.duty_de_minimis if t.applies_to(origin)), None)

    def tax_threshold(self, origin: str | None = None) -> Threshold | None:
        """The tax de minimis for goods from ``origin`` (first rule that applies), if any."""
        return next((t for t in self.tax_de_minimis if t.applies_to(origin)), None)

    def to_money(self, amount: Decimal | AmountLike) -> Money:
        """``amount`` as Money in the market's currency (unrounded)."""
        return Money(amount, self.currency.code)

    def check_date(self, day: datetime.date, *, stacklevel: int = 3) -> None:
        """Warn (:class:`MarketDataWarning`) if ``day`` lies outside the profile's window."""
        late = self.valid_until is not None and day >= self.valid_until
        early = self.valid_from is not None and day < self.valid_from
        if not (late or early):
            return
        crossed = [
            c for c in self.changes if (self.as_of < c.on <= day) or (day < c.on <= self.as_of)
        ]
        what = "; ".join(f"{c.on.isoformat()}: {c.description}" for c in crossed)
        window = (
            f"{self.valid_from.isoformat() if self.valid_from else '...'} to"
            f" {self.valid_until.isoformat() if self.valid_until else '...'}"
        )
        warnings.warn(
            f"the {self.country} profile was resolved for {self.as_of.isoformat()} (rules hold"
            f" {window}) but is used for {day.isoformat()}, across scheduled change(s)"
            f"{': ' + what if what else ''}. Resolve it again with"
            f" market_profile({self.country!r}, as_of={day.isoformat()!r}).",
            MarketDataWarning,
            stacklevel=stacklevel,
        )

    def with_fx(
        self,
        merchant_currency: str,
        rate: AmountLike | None = None,
        *,
        conversion_fee: AmountLike | None = None,
        rates: Mapping[str, AmountLike] | None = None,
    ) -> MarketProfile:
        """A copy for a merchant booking in ``merchant_currency``.

        Parameters
        ----------
        merchant_currency : str
            ISO 4217 code of the merchant's currency.
        rate : Decimal, optional
            Market-currency units per unit of ``merchant_currency`` (needed unless it is the
            market's currency).
        conversion_fee : Decimal, optional
            Replaces the conversion fee (a fraction).
        rates : mapping, optional
            Further rates (market-currency units per unit), e.g. for thresholds in USD.

        Examples
        --------
        >>> from ecomstrat.localization.markets import market_profile
        >>> gb = market_profile("GB", as_of="2026-03-01").with_fx("USD", "0.79")
        >>> gb.merchant_currency, gb.fx.rate("USD")
        ('USD', Decimal('0.79'))
        """
        fx = attrs.evolve(self.fx, merchant_currency=merchant_currency)
        extra: dict[str, AmountLike] = dict(rates or {})
        if fx.merchant_currency != self.currency.code:
            if rate is None and fx.rate(str(fx.merchant_currency)) is None:
                raise invalid(
                    "rate",
                    None,
                    f"is needed: {merchant_currency} is not the market's currency"
                    f" {self.currency.code}",
                    f"Give {self.currency.code} per {merchant_currency}, e.g. '0.92'.",
                )
            if rate is not None:
                extra[str(fx.merchant_currency)] = rate
        elif rate is not None:
            raise invalid("rate", rate, "must be None when the merchant uses the market currency")
        fx = fx.with_rates(extra)
        if conversion_fee is not None:
            fx = attrs.evolve(fx, conversion_fee=conversion_fee)
        return attrs.evolve(self, fx=fx)

    def with_overrides(self, overrides: Mapping[str, Any]) -> MarketProfile:
        """A copy with parts replaced: ``{"tax": {"standard_rate": "0.2"}, ...}``.

        A dict for a single part (``tax``, ``duty``, ``returns``…) changes only the keys it
        names; a list for a many-valued part (``duty_de_minimis``, ``tax_de_minimis``,
        ``import_fees``) replaces the whole list; ``None`` removes an optional part
        (``flat_duty``, ``collection``). The changed parts are labelled ``evidence="user"``.
        Top-level keys ``name`` and ``languages`` are accepted too.

        Raises
        ------
        UnknownCodeError
            For an unknown part or key (valid ones are listed).
        InvalidInputError
            For a value out of range (the message names the part and key).

        Examples
        --------
        >>> from ecomstrat.localization.markets import market_profile
        >>> gb = market_profile("GB", as_of="2026-03-01")
        >>> gb.with_overrides({"tax": {"standard_rate": "0.25"}}).tax.standard_rate
        Decimal('0.25')
        >>> gb.with_overrides({"tax": {"standard_rate": 20}})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ecomstrat.exceptions.InvalidInputError: overrides['tax']: standard_rate=Decimal('20') ...
        """
        if not isinstance(overrides, Mapping):
            raise invalid("overrides", overrides, "must be a mapping of part name to values")
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            where = f"overrides[{key!r}]"
            if key in ("name", "languages"):
                changes[key] = value
                continue
            if key not in BLOCKS:
                raise UnknownCodeError(
                    f"{where}: {key!r} is not a part of a market profile; valid parts are"
                    f" {', '.join(map(repr, ['name', 'languages', *BLOCKS]))}."
                )
            cls, kind = BLOCKS[key]
            changes[key] = _override(getattr(self, key), cls, kind, value, where)
        return attrs.evolve(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The profile as plain JSON-able data (decimals as strings, dates in ISO 8601)."""
        return attr.asdict(self, retain_collection_types=False, value_serializer=_encode)


def _encode(instance: Any, field: attrs.Attribute[Any] | None, value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _user(fields: Iterable[str]) -> Provenance:
    return Provenance(
        source="user override",
        evidence="user",
        verified_on=None,
        note=f"changed: {', '.join(sorted(fields))}",
    )


def _override(current: Any, cls: type[Any], kind: Kind, value: Any, where: str) -> Any:
    if kind == "many":
        if isinstance(value, Mapping | str) or value is None:
            raise invalid(where, value, "must be a list of tables (it replaces the whole list)")
        items = []
        for i, item in enumerate(value):
            if isinstance(item, cls):
                items.append(item)
            else:
                data = dict(item) if isinstance(item, Mapping) else item
                if isinstance(data, dict):
                    data.setdefault("provenance", _user(data))
                items.append(build(cls, data, f"{where}[{i}]"))
        return tuple(items)
    if value is None:
        if kind == "optional":
            return None
        raise invalid(where, None, "is required and cannot be removed")
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise invalid(where, value, "must be a mapping of keys to new values")
    if current is None:
        return build(cls, {**value, "provenance": _user(value)}, where)
    fields = attrs.fields_dict(cls)
    unknown = sorted(set(value) - set(fields))
    if unknown:
        build(cls, value, where)  # raises, listing the valid keys
    data = {name: getattr(current, name) for name in fields}
    data.update(value)
    data["provenance"] = _user(value)
    return build(cls, data, where)


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
