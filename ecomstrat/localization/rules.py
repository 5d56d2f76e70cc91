"""The rule objects a :class:`~ecomstrat.localization.MarketProfile` is made of.

Each is a small frozen attrs class, validated on construction. Amounts are exact Decimals:

* legal amounts (thresholds, flat duties, national fees) carry their own currency, because the
  law states them in one (EUR 150, USD 50, NOK 3,000) whatever the market's currency is;
* commercial parameters (shipping, payment, service, returns, entry costs, carrier fees) are in
  the market's currency.

Rates are fractions in [0, 1]. Every object carries a :class:`Provenance`: where the value
comes from, how strong that evidence is, and the dates between which it is in force.
"""

from __future__ import annotations

import datetime
import decimal
import difflib
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, Literal, TypeAlias, TypeVar, cast, get_args

import attrs

from ecomstrat._validation import invalid
from ecomstrat.domain.country import check_country
from ecomstrat.domain.currency import check_currency
from ecomstrat.domain.money import AmountLike, Money, to_decimal
from ecomstrat.exceptions import CurrencyMismatchError, InvalidInputError, UnknownCodeError

__all__ = [
    "Basis",
    "BorderFees",
    "CurrencyRules",
    "DutyBand",
    "DutyRules",
    "EntryCosts",
    "Evidence",
    "FlatDuty",
    "FxTerms",
    "ImportFee",
    "Limit",
    "PaymentMethod",
    "PaymentMix",
    "Per",
    "Provenance",
    "RegionalTax",
    "ReturnTerms",
    "ScheduledChange",
    "ServiceCosts",
    "ShippingRates",
    "TaxCollection",
    "TaxRules",
    "Threshold",
    "TransportMode",
    "Valuation",
]

#: What a threshold is tested on: the goods' intrinsic value (price without transport and
#: insurance), their customs value (after the valuation basis), or the amount of tax itself.
Basis: TypeAlias = Literal["intrinsic", "customs_value", "tax_amount"]
#: Whether a threshold applies to the whole consignment or to each item separately.
Per: TypeAlias = Literal["consignment", "item"]
#: Evidence labels: primary text seen, secondary source, background knowledge, unverified or
#: conflicting, or a value the user supplied.
Evidence: TypeAlias = Literal["P", "S", "K", "?", "user"]
#: How a consignment travels: by a commercial carrier (courier, express) or by mail (post).
TransportMode: TypeAlias = Literal["courier", "post"]

#: Rounding modes a currency rule may use (all of :mod:`decimal`'s but ROUND_05UP).
ROUNDINGS: Final = (
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_DOWN,
    decimal.ROUND_UP,
    decimal.ROUND_FLOOR,
    decimal.ROUND_CEILING,
)
#: Precision of the few divisions (FX conversion, tax-inclusive gross-up, allocation).
DIVISION = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN)

_R = TypeVar("_R")


# ---------------------------------------------------------------------------------------------
# Converters (named functions, as mypy's attrs plugin requires) and validators.


def to_date(name: str, value: object) -> datetime.date:
    """Return ``value`` (a date or an ISO 8601 date string) as a :class:`datetime.date`."""
    if isinstance(value, datetime.datetime):
        raise invalid(name, value, "must be a date, not a datetime", "Use value.date().")
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise invalid(name, value, "must be a datetime.date or an ISO 8601 date", "E.g. '2026-07-01'.")


def to_optional_date(value: datetime.date | str | None) -> datetime.date | None:
    """:func:`to_date` for an optional date (a converter)."""
    return None if value is None else to_date("date", value)


def _dec(value: AmountLike) -> Decimal:
    return to_decimal("value", value)


def _opt_dec(value: AmountLike | None) -> Decimal | None:
    return None if value is None else to_decimal("value", value)


def _currency(value: str) -> str:
    return check_currency(value)


def _opt_currency(value: str | None) -> str | None:
    return None if value is None else check_currency(value)


def _countries(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    return tuple(sorted({check_country(code, "origins") for code in value}))


def _places(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    return tuple(sorted({check_country(code, "ships_from") for code in value}))


def _modes(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    modes = get_args(TransportMode)
    out = set()
    for mode in value:
        if mode not in modes:
            raise invalid("modes", mode, f"must be one of {', '.join(map(repr, modes))}")
        out.add(mode)
    return tuple(sorted(out))


def _categories(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    out = set()
    for key in value:
        if not isinstance(key, str) or not key.strip():
            raise invalid(
                "excluded_categories", key, "must be a non-blank string", "E.g. 'alcohol'."
            )
        out.add(key.strip())
    return tuple(sorted(out))


def _pairs(
    value: Mapping[str, AmountLike] | Iterable[tuple[str, AmountLike]],
) -> tuple[tuple[str, Decimal], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    out: dict[str, Decimal] = {}
    for key, rate in items:
        if not isinstance(key, str) or not key.strip():
            raise invalid("category", key, "must be a non-blank string", "E.g. '61' or 'apparel'.")
        out[key.strip()] = to_decimal(f"rate of {key!r}", rate)
    return tuple(sorted(out.items()))


def _unit(instance: object, attribute: attrs.Attribute[Any], value: Decimal | None) -> None:
    if value is not None and not Decimal(0) <= value <= Decimal(1):
        raise invalid(
            attribute.name, value, "must lie in [0, 1]", "Give rates as fractions (0.2, not 20)."
        )


def _unit_pairs(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[tuple[str, Decimal], ...]
) -> None:
    for key, rate in value:
        if not Decimal(0) <= rate <= Decimal(1):
            raise invalid(
                f"{attribute.name}[{key!r}]",
                rate,
                "must lie in [0, 1]",
                "Give rates as fractions (0.2, not 20).",
            )


def _non_negative(instance: object, attribute: attrs.Attribute[Any], value: Decimal | None) -> None:
    if value is not None and value < 0:
        raise invalid(attribute.name, value, "must be >= 0")


def _positive_pairs(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[tuple[str, Decimal], ...]
) -> None:
    for key, rate in value:
        if rate <= 0:
            raise invalid(f"{attribute.name}[{key!r}]", rate, "must be > 0")


def _one_of(*options: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in options:
            close = difflib.get_close_matches(str(value), options, n=2)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise UnknownCodeError(
                f"{attribute.name}={value!r} is not known: valid values are"
                f" {', '.join(map(repr, options))}.{hint}"
            )

    return check


def _flag(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise invalid(attribute.name, value, "must be True or False")


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise invalid(attribute.name, value, "must be a string")


def build(cls: type[_R], data: Any, where: str) -> _R:
    """Build ``cls(**data)``; unknown or missing keys and bad values name ``where``.

    Examples
    --------
    >>> build(ServiceCosts, {"contacts_per_order": "0.1", "cost_per_contact": 6}, "service")
    ServiceCosts(contacts_per_order=Decimal('0.1'), cost_per_contact=Decimal('6'))
    >>> build(ServiceCosts, {"contacts": 1}, "service")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ecomstrat.exceptions.UnknownCodeError: service: unknown key(s) 'contacts'; valid keys are ...
    """
    if isinstance(data, cls):
        return data
    if not isinstance(data, Mapping):
        raise invalid(where, data, "must be a mapping (a dict or a TOML table)")
    fields = attrs.fields_dict(cast(type[attrs.AttrsInstance], cls))
    unknown = sorted(set(data) - set(fields))
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(fields), n=2)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise UnknownCodeError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; valid keys are"
            f" {', '.join(map(repr, fields))}.{hint}"
        )
    missing = [n for n, f in fields.items() if f.default is attrs.NOTHING and n not in data]
    if missing:
        raise InvalidInputError(f"{where}: missing key(s) {', '.join(map(repr, missing))}.")
    try:
        return cls(**data)
    except InvalidInputError as error:
        raise type(error)(f"{where}: {error}") from None


def build_each(cls: type[_R], items: Iterable[Any], where: str) -> tuple[_R, ...]:
    """:func:`build` for each item, naming ``where[i]`` in errors (a converter's body)."""
    return tuple(build(cls, item, f"{where}[{i}]") for i, item in enumerate(items))


def json_value(instance: object, field: object, value: Any) -> Any:
    """``value`` as JSON-able data: Money and Decimal as text, dates in ISO 8601.

    The signature is that of an :func:`attr.asdict` ``value_serializer``.
    """
    if isinstance(value, Money):
        return format(value.amount, "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------------------------------------
# Provenance and dates.


@attrs.frozen
class Provenance:
    """Where a value comes from and when it is in force.

    Parameters
    ----------
    source : str
        Citation: the legal text, authority page or vendor document.
    url : str
        Address of the source, if any.
    effective_from, effective_to : datetime.date, optional
        The value is in force on ``effective_from <= day < effective_to`` (``None``: open).
    verified_on : datetime.date, optional
        When the value was last checked against ``source``.
    evidence : {"P", "S", "K", "?", "user"}
        Primary text seen, secondary source, background knowledge (not re-verified),
        unverified or conflicting sources, or supplied by the user.
    illustrative : bool
        True for commercial example values with no authoritative source (shipping rates,
        payment fees, service costs): replace them with your own.
    note : str
        Anything a reader should know (conflicts, scope, what is not modelled).

    Examples
    --------
    >>> p = Provenance("Council Regulation (EU) 2026/382", effective_from="2026-07-01",
    ...                effective_to="2028-07-01", evidence="S")
    >>> p.in_force(datetime.date(2026, 6, 30)), p.in_force(datetime.date(2026, 7, 1))
    (False, True)
    """

    source: str = attrs.field(default="unsourced", validator=_text)
    url: str = attrs.field(default="", validator=_text)
    effective_from: datetime.date | None = attrs.field(default=None, converter=to_optional_date)
    effective_to: datetime.date | None = attrs.field(default=None, converter=to_optional_date)
    verified_on: datetime.date | None = attrs.field(default=None, converter=to_optional_date)
    evidence: Evidence = attrs.field(default="?", validator=_one_of(*get_args(Evidence)))
    illustrative: bool = attrs.field(default=False, validator=_flag)
    note: str = attrs.field(default="", validator=_text)

    def __attrs_post_init__(self) -> None:
        start, end = self.effective_from, self.effective_to
        if start is not None and end is not None and end <= start:
            raise invalid(
                "effective_to", str(end), f"must be after effective_from={start.isoformat()}"
            )

    def in_force(self, day: datetime.date) -> bool:
        """Whether the value applies on ``day``."""
        start, end = self.effective_from, self.effective_to
        return (start is None or start <= day) and (end is None or day < end)

    def cite(self) -> str:
        """One-line citation: source, address, evidence label and verification date."""
        where = f" <{self.url}>" if self.url else ""
        label = "illustrative default" if self.illustrative else f"evidence {self.evidence}"
        checked = f", verified {self.verified_on.isoformat()}" if self.verified_on else ""
        return f"{self.source}{where} [{label}{checked}]"


#: Provenance of a value built in code without a source.
UNSOURCED: Final = Provenance()


def _provenance(value: Provenance | Mapping[str, Any]) -> Provenance:
    return build(Provenance, value, "provenance")


def _on(value: datetime.date | str) -> datetime.date:
    return to_date("on", value)


@attrs.frozen
class ScheduledChange:
    """A dated change to a market's rules that the data knows of.

    ``disputed`` says what the sources disagree on about the change (empty when nothing):
    a landed cost dated on or after it warns with
    :class:`~ecomstrat.localization.MarketDataWarning`.

    Examples
    --------
    >>> ScheduledChange("2027-07-01", "US de minimis repealed by statute").on
    datetime.date(2027, 7, 1)
    """

    on: datetime.date = attrs.field(converter=_on)
    description: str = attrs.field(validator=_text)
    source: str = attrs.field(default="", validator=_text)
    disputed: str = attrs.field(default="", validator=_text)


# ---------------------------------------------------------------------------------------------
# Customs and tax rules.


@attrs.frozen
class Threshold:
    """A de minimis or scheme ceiling: an amount, what it is tested on, and for whom.

    Parameters
    ----------
    amount : Decimal
        The limit, >= 0, in ``currency``.
    currency : str
        ISO 4217 code the law states the limit in (converted with the order's FX rates).
    basis : {"intrinsic", "customs_value", "tax_amount"}
        Tested on the goods' intrinsic value, on their customs value, or on the computed tax
        (or duty) amount itself (a revenue waiver such as Switzerland's).
    per : {"consignment", "item"}
        Tested on the whole consignment or on each item (unit value) separately.
    inclusive : bool
        True: a value equal to ``amount`` is within the limit (``<=``); False: ``<``.
    origins, excluded_origins : sequence of str
        ISO 3166-1 codes of the origins the rule is limited to, or excluded from.
    ships_from : sequence of str
        ISO 3166-1 codes of the places of direct shipment the rule is limited to (Canada's
        CUSMA thresholds follow the country the parcel is shipped from, not the goods'
        origin); empty: any place.
    modes : sequence of {"courier", "post"}
        Transport modes the rule is limited to; empty: any mode.
    excluded_categories : sequence of str
        Goods categories (matched against an order line's ``category``) that leave the
        low-value regime: a line of such a category is never within the limit (alcohol,
        tobacco, excise goods, food, restricted goods, as the rule says). Not for a threshold
        on the tax amount.
    rule : str
        The legal rule, quoted in cost lines (e.g. "Council Reg. 1186/2009 art. 23").

    Examples
    --------
    >>> t = Threshold("150", "EUR", "intrinsic", rule="EU duty relief")
    >>> t.within(Decimal("150")), t.within(Decimal("150.01"))
    (True, False)
    >>> Threshold("800", "USD", "intrinsic", excluded_origins=["CN", "HK"]).applies_to("CN")
    False
    >>> cusma = Threshold("150", "CAD", "customs_value", ships_from=["US", "MX"], modes="courier")
    >>> cusma.applies_to(None, mode="courier", ships_from="US"), cusma.applies_to("US", mode="post")
    (True, False)
    """

    amount: Decimal = attrs.field(converter=_dec, validator=_non_negative)
    currency: str = attrs.field(converter=_currency)
    basis: Basis = attrs.field(validator=_one_of(*get_args(Basis)))
    per: Per = attrs.field(default="consignment", validator=_one_of(*get_args(Per)))
    inclusive: bool = attrs.field(default=True, validator=_flag)
    origins: tuple[str, ...] = attrs.field(default=(), converter=_countries)
    excluded_origins: tuple[str, ...] = attrs.field(default=(), converter=_countries)
    rule: str = attrs.field(default="", validator=_text)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )
    ships_from: tuple[str, ...] = attrs.field(default=(), converter=_places)
    modes: tuple[str, ...] = attrs.field(default=(), converter=_modes)
    excluded_categories: tuple[str, ...] = attrs.field(default=(), converter=_categories)

    def __attrs_post_init__(self) -> None:
        if self.basis == "tax_amount" and self.per == "item":
            raise invalid("per", self.per, "a threshold on the tax amount applies per consignment")
        if self.basis == "tax_amount" and self.excluded_categories:
            raise invalid(
                "excluded_categories",
                list(self.excluded_categories),
                "applies to a threshold on a value, not on the tax amount",
            )

    def applies_to(
        self, origin: str | None, *, mode: str | None = None, ships_from: str | None = None
    ) -> bool:
        """Whether the rule covers goods from ``origin`` sent by ``mode`` from ``ships_from``.

        ``origin`` None: an origin with no special rule. ``ships_from`` None: shipped directly
        from ``origin``. ``mode`` None: any mode (a mode-limited rule is not ruled out).
        """
        place = origin if ships_from is None else ships_from
        if self.ships_from and (place is None or place not in self.ships_from):
            return False
        if self.modes and mode is not None and mode not in self.modes:
            return False
        if self.origins:
            return origin is not None and origin in self.origins
        return origin is None or origin not in self.excluded_origins

    def excludes(self, category: str | None) -> bool:
        """Whether goods of ``category`` are left out of the rule (``excluded_categories``)."""
        return category is not None and category in self.excluded_categories

    def within(self, value: Decimal, limit: Decimal | None = None) -> bool:
        """Whether ``value`` passes the test against ``limit`` (default: ``amount``)."""
        bound = self.amount if limit is None else limit
        return value <= bound if self.inclusive else value < bound

    def describe(self) -> str:
        """``'<= 150 EUR intrinsic value per consignment'``."""
        sign = "<=" if self.inclusive else "<"
        what = {"intrinsic": "intrinsic value", "customs_value": "customs value"}.get(
            self.basis, "tax amount"
        )
        return f"{what} {sign} {format(self.amount, 'f')} {self.currency} per {self.per}"


def _threshold(value: Threshold | Mapping[str, Any]) -> Threshold:
    return build(Threshold, value, "threshold")


def _opt_threshold(value: Threshold | Mapping[str, Any] | None) -> Threshold | None:
    return None if value is None else build(Threshold, value, "ceiling")


@attrs.frozen
class Valuation:
    """How the customs value is built from the transaction.

    Parameters
    ----------
    basis : {"FOB", "CIF"}
        FOB: goods only (international freight and insurance excluded); CIF: goods plus
        freight and insurance to the border.
    goods_factor : Decimal
        Share of the price taken as the goods' value, in [0, 1] (Japan values personal-use
        imports at 60 % of the overseas retail price); 1 elsewhere.
    rule : str
        The legal rule quoted in cost lines.
    """

    basis: Literal["FOB", "CIF"] = attrs.field(validator=_one_of("FOB", "CIF"))
    goods_factor: Decimal = attrs.field(default=Decimal(1), converter=_dec, validator=_unit)
    rule: str = attrs.field(default="", validator=_text)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )


@attrs.frozen
class DutyBand:
    """One band of a value-banded duty schedule (Brazil's simplified regime).

    ``duty = rate × value − deduction`` (never below zero) for values up to ``up_to``
    (inclusive; ``None`` for the open top band), amounts in the schedule's currency.
    """

    up_to: Decimal | None = attrs.field(converter=_opt_dec, validator=_non_negative)
    rate: Decimal = attrs.field(converter=_dec, validator=_unit)
    deduction: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_non_negative)


def _bands(value: Iterable[DutyBand | Mapping[str, Any]]) -> tuple[DutyBand, ...]:
    return build_each(DutyBand, value, "bands")


@attrs.frozen
class DutyRules:
    """Customs duty: ad valorem rates, an optional value-banded schedule and a surcharge.

    Parameters
    ----------
    default_rate : Decimal
        Ad valorem rate for goods without a category rate. Duty rates depend on the HS code
        and origin: the shipped defaults are illustrative; give your own per category.
    category_rates : mapping of str to Decimal
        Rates by product category or HS chapter (keys are free text, e.g. ``"61"``).
    bands : sequence of DutyBand
        A value-banded schedule replacing the ad valorem rates (Brazil's RTS).
    bands_currency : str, optional
        Currency of the band bounds and deductions.
    bands_basis : {"intrinsic", "customs_value"}
        What the band is chosen on.
    bands_need_scheme : bool
        The bands apply only when the seller collects under the market's scheme (Remessa
        Conforme); otherwise ``default_rate`` applies.
    bands_cover_tax : bool
        The band rate is a global rate covering duty and tax (Mexico's simplified courier
        regime): no separate tax is due on consignments within a band.
    surcharge_rate, surcharge_name, surcharge_in_tax_base
        A charge levied as a share of the duty (India's Social Welfare Surcharge, 10 % of
        BCD), and whether it enters the import-tax base.
    rule : str
        The legal rule quoted in cost lines.
    """

    default_rate: Decimal = attrs.field(converter=_dec, validator=_unit)
    category_rates: tuple[tuple[str, Decimal], ...] = attrs.field(
        default=(), converter=_pairs, validator=_unit_pairs
    )
    bands: tuple[DutyBand, ...] = attrs.field(default=(), converter=_bands)
    bands_currency: str | None = attrs.field(default=None, converter=_opt_currency)
    bands_basis: Basis = attrs.field(
        default="customs_value", validator=_one_of("intrinsic", "customs_value")
    )
    bands_need_scheme: bool = attrs.field(default=False, validator=_flag)
    bands_cover_tax: bool = attrs.field(default=False, validator=_flag)
    surcharge_rate: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_unit)
    surcharge_name: str = attrs.field(default="surcharge on duty", validator=_text)
    surcharge_in_tax_base: bool = attrs.field(default=True, validator=_flag)
    rule: str = attrs.field(default="", validator=_text)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if self.bands and self.bands_currency is None:
            raise invalid("bands_currency", None, "is needed with bands", "E.g. 'USD'.")

    def rate_for(self, category: str | None) -> Decimal:
        """The duty rate of ``category`` (``default_rate`` when it has none)."""
        return dict(self.category_rates).get(category or "", self.default_rate)


@attrs.frozen
class FlatDuty:
    """A flat duty per item category (distinct tariff subheading) or per consignment.

    The EU's interim measure: EUR 3 per item category in low-value consignments, replacing the
    EUR 150 duty relief from 1 July 2026.

    Parameters
    ----------
    amount, currency
        The duty per category (or consignment) and the currency the law states it in.
    ceiling : Threshold
        Consignments within it bear the flat duty; above it, the ad valorem duty applies.
    per : {"category", "consignment"}
        Charged per distinct tariff subheading or once per consignment.
    scope : {"all", "scheme"}
        ``all``: every consignment within the ceiling, whether or not the seller uses the
        market's collection scheme. ``scheme``: only consignments collected under the scheme
        (IOSS) by a registered seller; the others pay the ad valorem duty.
    rule : str
        The legal rule quoted in cost lines.

    Examples
    --------
    >>> flat = FlatDuty(3, "EUR", {"amount": 150, "currency": "EUR", "basis": "intrinsic"})
    >>> flat.scope, attrs.evolve(flat, scope="scheme").scope
    ('all', 'scheme')
    """

    amount: Decimal = attrs.field(converter=_dec, validator=_non_negative)
    currency: str = attrs.field(converter=_currency)
    ceiling: Threshold = attrs.field(converter=_threshold)
    per: Literal["category", "consignment"] = attrs.field(
        default="category", validator=_one_of("category", "consignment")
    )
    scope: Literal["all", "scheme"] = attrs.field(default="all", validator=_one_of("all", "scheme"))
    rule: str = attrs.field(default="", validator=_text)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )


@attrs.frozen
class TaxRules:
    """Import VAT / GST (or a sales tax collected like one).

    Parameters
    ----------
    standard_rate : Decimal
        The standard rate (0 where there is no such tax, e.g. the US at federal level).
    category_rates : mapping of str to Decimal
        Reduced or other rates by product category.
    name : str
        What the tax is called in cost lines ("VAT", "GST", "ICMS", "IGST").
    method : {"standard", "gross_up"}
        ``standard``: tax = rate × base. ``gross_up``: the tax is part of its own base (Brazil's
        ICMS "por dentro"): tax = base / (1 − rate) × rate.
    base_includes_freight : bool
        Add international transport and insurance to the base when the customs value leaves
        them out (FOB countries such as Australia and New Zealand).
    base_includes_duty : bool
        Add duty, excise and other import charges to the base (VAT Directive art. 86).
    excise_rates : mapping of str to Decimal
        Ad valorem consumption tax by category (China), levied on a tax-inclusive base
        ``(customs value + duty) / (1 − rate) × rate`` and added to the VAT base.
    rule : str
        The legal rule quoted in cost lines.
    """

    standard_rate: Decimal = attrs.field(converter=_dec, validator=_unit)
    category_rates: tuple[tuple[str, Decimal], ...] = attrs.field(
        default=(), converter=_pairs, validator=_unit_pairs
    )
    name: str = attrs.field(default="VAT", validator=_text)
    method: Literal["standard", "gross_up"] = attrs.field(
        default="standard", validator=_one_of("standard", "gross_up")
    )
    base_includes_freight: bool = attrs.field(default=True, validator=_flag)
    base_includes_duty: bool = attrs.field(default=True, validator=_flag)
    excise_rates: tuple[tuple[str, Decimal], ...] = attrs.field(
        default=(), converter=_pairs, validator=_unit_pairs
    )
    rule: str = attrs.field(default="", validator=_text)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if self.method == "gross_up" and self.standard_rate >= 1:
            raise invalid("standard_rate", self.standard_rate, "must be < 1 to gross up")
        for key, rate in self.excise_rates:
            if rate >= 1:
                raise invalid(f"excise_rates[{key!r}]", rate, "must be < 1")

    def rate_for(self, category: str | None) -> Decimal:
        """The tax rate of ``category`` (``standard_rate`` when it has none)."""
        return dict(self.category_rates).get(category or "", self.standard_rate)

    def excise_for(self, category: str | None) -> Decimal:
        """The consumption-tax rate of ``category`` (0 when it has none)."""
        return dict(self.excise_rates).get(category or "", Decimal(0))


@attrs.frozen
class TaxCollection:
    """Who collects the tax: the seller at checkout under a scheme, else the carrier at the border.

    Parameters
    ----------
    scheme : str
        Name of the scheme (``"IOSS"``, ``"UK low-value (<= GBP 135)"``, ``"VOEC"``…).
    ceiling : Threshold, optional
        Consignments (or items, with ``per="item"``) within it fall under the scheme; None:
        all of them.
    registered : bool
        Whether the seller uses the scheme. When False, tax is collected at the border.
    base : {"supply", "import"}
        ``supply``: VAT on the sale price (goods + transport + insurance), as under IOSS, the
        UK, Australian, New Zealand, Norwegian and Singapore rules. ``import``: the customs
        computation (value + duty…), collected at checkout together with the duty (Brazil's
        Remessa Conforme, China's CBEC channel).
    duty_exempt : bool
        Goods under the scheme bear no customs duty (Norway's VOEC, China's CBEC channel).
    tax_factor : Decimal
        Share of the statutory tax due under the scheme (China CBEC: 0.7).
    rule : str
        The legal rule quoted in cost lines.
    """

    scheme: str = attrs.field(validator=_text)
    ceiling: Threshold | None = attrs.field(default=None, converter=_opt_threshold)
    registered: bool = attrs.field(default=True, validator=_flag)
    base: Literal["supply", "import"] = attrs.field(
        default="supply", validator=_one_of("supply", "import")
    )
    duty_exempt: bool = attrs.field(default=False, validator=_flag)
    tax_factor: Decimal = attrs.field(default=Decimal(1), converter=_dec, validator=_unit)
    rule: str = attrs.field(default="", validator=_text)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if self.ceiling is not None and self.ceiling.basis == "tax_amount":
            raise invalid("ceiling.basis", "tax_amount", "a scheme ceiling is tested on a value")


def _opt_floor(value: Threshold | Mapping[str, Any] | None) -> Threshold | None:
    return None if value is None else build(Threshold, value, "floor")


@attrs.frozen
class ImportFee:
    """A national charge on imports: a fixed amount, or a share of the customs value.

    The fee of one consignment (or of each item category) is ``amount + rate × customs
    value``, kept between ``minimum`` and ``maximum`` when they are given; it applies to
    consignments within ``ceiling`` (low-value parcel fees) and above ``floor`` (fees of a
    formal entry, lodged only above a border threshold). ``payer="merchant"`` marks charges
    owed by the seller or platform that may not be shown to the buyer (France's *taxe sur les
    petits colis*, Romania's RON 25 fee).

    Parameters
    ----------
    name : str
        Name shown on the cost line.
    amount : Decimal
        Fixed part, >= 0, in ``currency``.
    currency : str
        ISO 4217 code of ``amount``, ``minimum`` and ``maximum``.
    per : {"consignment", "category"}
        Charged once per consignment or per distinct item category.
    ceiling : Threshold, optional
        The fee applies only to consignments within it.
    floor : Threshold, optional
        The fee applies only to consignments *not* within it (above it): Australia's import
        processing charge on declarations above AUD 1,000, the US formal-entry MPF above
        USD 2,500.
    rate : Decimal
        Ad valorem part, a fraction of the consignment's customs value (US MPF: 0.003464).
    minimum, maximum : Decimal, optional
        Bounds of the fee, in ``currency`` (US MPF: the fiscal year's minimum and maximum).
    payer : {"buyer", "merchant"}
        Who bears the fee.
    in_tax_base : bool
        The fee enters the import-tax base.
    rule : str
        The legal rule quoted in cost lines.

    Examples
    --------
    >>> mpf = ImportFee("MPF", 0, "USD", rate="0.003464", minimum="33.58", maximum="651.50",
    ...                 floor={"amount": 2500, "currency": "USD", "basis": "customs_value"})
    >>> mpf.bounded(Decimal("5000") * mpf.rate), mpf.bounded(Decimal("20000") * mpf.rate)
    (Decimal('33.58'), Decimal('69.280000'))
    """

    name: str = attrs.field(validator=_text)
    amount: Decimal = attrs.field(converter=_dec, validator=_non_negative)
    currency: str = attrs.field(converter=_currency)
    per: Literal["consignment", "category"] = attrs.field(
        default="consignment", validator=_one_of("consignment", "category")
    )
    ceiling: Threshold | None = attrs.field(default=None, converter=_opt_threshold)
    payer: Literal["buyer", "merchant"] = attrs.field(
        default="buyer", validator=_one_of("buyer", "merchant")
    )
    in_tax_base: bool = attrs.field(default=False, validator=_flag)
    rule: str = attrs.field(default="", validator=_text)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )
    floor: Threshold | None = attrs.field(default=None, converter=_opt_floor)
    rate: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_unit)
    minimum: Decimal | None = attrs.field(default=None, converter=_opt_dec, validator=_non_negative)
    maximum: Decimal | None = attrs.field(default=None, converter=_opt_dec, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and high < low:
            raise invalid("maximum", high, f"must be >= minimum={low}")
        if self.rate > 0 and self.per == "category":
            raise invalid("per", self.per, "an ad valorem fee is charged per consignment")
        for t, name in ((self.ceiling, "ceiling"), (self.floor, "floor")):
            if t is not None and t.basis == "tax_amount":
                raise invalid(f"{name}.basis", "tax_amount", "a fee is tested on a value")

    def bounded(self, amount: Decimal) -> Decimal:
        """``amount`` kept between ``minimum`` and ``maximum`` (those that are given)."""
        if self.minimum is not None and amount < self.minimum:
            amount = self.minimum
        if self.maximum is not None and amount > self.maximum:
            amount = self.maximum
        return amount


def _region_code(value: str) -> str:
    code = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", code):
        raise invalid(
            "region", value, "must be an ISO 3166-2 subdivision code", "E.g. 'CA-ON', 'BR-RJ'."
        )
    check_country(code[:2], "region")
    return code


def _components(
    value: Mapping[str, AmountLike] | Iterable[tuple[str, AmountLike]],
) -> tuple[tuple[str, Decimal], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    out: dict[str, Decimal] = {}
    for key, rate in items:
        if not isinstance(key, str) or not key.strip():
            raise invalid("components", key, "must name each tax", "E.g. {'QST': '0.09975'}.")
        out[key.strip()] = to_decimal(f"rate of {key!r}", rate)
    return tuple(out.items())  # in the order given: the first is the main tax


@attrs.frozen
class RegionalTax:
    """The sales tax of one destination region (province, state), replacing the national rate.

    The components are charged on the same base as the market's tax and add up to the rate
    that replaces ``TaxRules.standard_rate`` for orders to the region (category rates stay the
    national ones). Under a gross-up method (Brazil's ICMS "por dentro") the whole rate, ICMS
    plus Rio de Janeiro's FECP, enters the divisor.

    Parameters
    ----------
    region : str
        ISO 3166-2 subdivision code (``"CA-ON"``, ``"BR-RJ"``, ``"US-CA"``).
    name : str
        The region's name.
    components : mapping of str to Decimal
        Each tax and its rate, in order (``{"GST": 0.05, "QST": 0.09975}``,
        ``{"ICMS": 0.17, "FECP": 0.02}``, ``{"HST": 0.13}``).
    collected_by : {"market", "seller"}
        ``market``: charged where the market's tax is charged (at checkout under its scheme,
        else at the border: Canada's CBSA collects HST, PST and QST on casual imports).
        ``seller``: the seller charges it at checkout on the sale price incl. transport, as a
        US sales tax; the market's scheme, if any, is replaced for orders to the region.
    rule : str
        The legal rule quoted in cost lines.

    Examples
    --------
    >>> qc = RegionalTax("ca-qc", "Quebec", {"GST": "0.05", "QST": "0.09975"})
    >>> qc.region, qc.rate, qc.tax_name
    ('CA-QC', Decimal('0.14975'), 'GST + QST')
    """

    region: str = attrs.field(converter=_region_code)
    name: str = attrs.field(validator=_text)
    components: tuple[tuple[str, Decimal], ...] = attrs.field(
        converter=_components, validator=_unit_pairs
    )
    collected_by: Literal["market", "seller"] = attrs.field(
        default="market", validator=_one_of("market", "seller")
    )
    rule: str = attrs.field(default="", validator=_text)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if not self.components:
            raise invalid("components", [], "must name at least one tax", "E.g. {'HST': 0.13}.")
        if self.rate >= 1:
            raise invalid("components", self.rate, "must add up to less than 1")

    @property
    def country(self) -> str:
        """ISO 3166-1 alpha-2 code of the region's country."""
        return self.region[:2]

    @property
    def rate(self) -> Decimal:
        """The combined rate: the sum of the components."""
        return sum((rate for _, rate in self.components), Decimal(0))

    @property
    def tax_name(self) -> str:
        """The components' names joined (``"GST + QST"``)."""
        return " + ".join(name for name, _ in self.components)

    def describe(self) -> str:
        """``'Quebec (CA-QC): GST 5% + QST 9.975%'``."""
        parts = " + ".join(
            f"{name} {format((rate * 100).normalize(), 'f')}%" for name, rate in self.components
        )
        return f"{self.name} ({self.region}): {parts}"


# ---------------------------------------------------------------------------------------------
# Money, FX and commercial parameters (amounts in the market's currency).


@attrs.frozen
class CurrencyRules:
    """The market's currency and how amounts in it are rounded.

    Parameters
    ----------
    code : str
        ISO 4217 code; cost lines use its ISO minor unit.
    rounding : str
        :mod:`decimal` rounding mode of each cost line (half-even by default).
    cash_increment : Decimal, optional
        Step of cash payments, overriding CLDR's currency data (needed for euro countries
        that round cash to 0.05, which CLDR does not distinguish).
    """

    code: str = attrs.field(converter=_currency)
    rounding: str = attrs.field(default=decimal.ROUND_HALF_EVEN, validator=_one_of(*ROUNDINGS))
    cash_increment: Decimal | None = attrs.field(
        default=None, converter=_opt_dec, validator=_non_negative
    )
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )


@attrs.frozen
class BorderFees:
    """Carrier charges when duty or tax is advanced at the border (market currency).

    Parameters
    ----------
    brokerage_fixed, brokerage_rate
        DAP: the carrier's clearance / disbursement fee collected from the buyer on delivery,
        a fixed amount plus a share of the duties and taxes advanced.
    ddp_surcharge, ddp_rate
        DDP: the carrier's charge to the merchant for paying duties and taxes on its behalf
        (duty and tax forwarding surcharge), a fixed amount plus a share of what it advanced.
    """

    brokerage_fixed: Decimal = attrs.field(
        default=Decimal(0), converter=_dec, validator=_non_negative
    )
    brokerage_rate: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_unit)
    ddp_surcharge: Decimal = attrs.field(
        default=Decimal(0), converter=_dec, validator=_non_negative
    )
    ddp_rate: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_unit)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )


@attrs.frozen
class PaymentMethod:
    """A payment method's share of orders and its fee (``rate × amount + fixed``)."""

    name: str = attrs.field(validator=_text)
    share: Decimal = attrs.field(converter=_dec, validator=_unit)
    rate: Decimal = attrs.field(converter=_dec, validator=_unit)
    fixed: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_non_negative)


def _methods(value: Iterable[PaymentMethod | Mapping[str, Any]]) -> tuple[PaymentMethod, ...]:
    return build_each(PaymentMethod, value, "methods")


@attrs.frozen
class PaymentMix:
    """The local payment-method mix; shares add up to 1.

    Examples
    --------
    >>> mix = PaymentMix([{"name": "card", "share": "0.7", "rate": "0.029", "fixed": "0.30"},
    ...                   {"name": "wallet", "share": "0.3", "rate": "0.034", "fixed": "0.35"}])
    >>> mix.rate, mix.fixed
    (Decimal('0.0305'), Decimal('0.315'))
    """

    methods: tuple[PaymentMethod, ...] = attrs.field(converter=_methods)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if not self.methods:
            raise invalid("methods", [], "must hold at least one payment method")
        total = sum((m.share for m in self.methods), Decimal(0))
        if total != 1:
            raise invalid(
                "methods", [m.name for m in self.methods], f"shares add up to {total}, not 1"
            )

    @property
    def rate(self) -> Decimal:
        """Expected percentage fee per order (share-weighted)."""
        return sum((m.share * m.rate for m in self.methods), Decimal(0))

    @property
    def fixed(self) -> Decimal:
        """Expected fixed fee per order (share-weighted)."""
        return sum((m.share * m.fixed for m in self.methods), Decimal(0))


@attrs.frozen
class ShippingRates:
    """Outbound shipping cost: ``base + per_kg × weight``; insurance as a share of goods."""

    base: Decimal = attrs.field(converter=_dec, validator=_non_negative)
    per_kg: Decimal = attrs.field(converter=_dec, validator=_non_negative)
    insurance_rate: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_unit)
    default_weight_kg: Decimal = attrs.field(
        default=Decimal(1), converter=_dec, validator=_non_negative
    )
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )


@attrs.frozen
class ReturnTerms:
    """Cross-border returns: how often, what a return costs, what tax is not recovered.

    The expected return cost of an order is
    ``rate × (return_freight + handling + duty not recovered + tax not recovered)``; duty and
    tax count only when the merchant collected or paid them (DDP, or a scheme collecting
    import taxes). Supply VAT under IOSS-like schemes is adjusted in the next return.
    """

    rate: Decimal = attrs.field(converter=_dec, validator=_unit)
    return_freight: Decimal = attrs.field(converter=_dec, validator=_non_negative)
    handling: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_non_negative)
    duty_recoverable: bool = attrs.field(default=False, validator=_flag)
    tax_recoverable: bool = attrs.field(default=False, validator=_flag)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )


@attrs.frozen
class ServiceCosts:
    """Local-language customer service: contacts per order × cost per contact."""

    contacts_per_order: Decimal = attrs.field(converter=_dec, validator=_non_negative)
    cost_per_contact: Decimal = attrs.field(converter=_dec, validator=_non_negative)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )

    @property
    def per_order(self) -> Decimal:
        """Expected service cost of one order."""
        return self.contacts_per_order * self.cost_per_contact


def _count(value: int | str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise invalid("word_count", value, "must be a whole number")
    try:
        return int(value)
    except ValueError:
        raise invalid("word_count", value, "must be a whole number") from None


def _non_negative_int(instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if value < 0:
        raise invalid(attribute.name, value, "must be >= 0")


@attrs.frozen
class EntryCosts:
    """One-time and monthly costs of entering the market, plus a marketplace commission.

    One-time: translation (``translation_per_word × word_count``), domain, tax registration
    and other set-up. Monthly: tax intermediary / fiscal representative, marketplace
    subscription and other fixed costs. ``marketplace_commission`` is a share of each order.
    """

    translation_per_word: Decimal = attrs.field(
        default=Decimal(0), converter=_dec, validator=_non_negative
    )
    word_count: int = attrs.field(default=0, converter=_count, validator=_non_negative_int)
    domain: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_non_negative)
    tax_registration: Decimal = attrs.field(
        default=Decimal(0), converter=_dec, validator=_non_negative
    )
    other_one_time: Decimal = attrs.field(
        default=Decimal(0), converter=_dec, validator=_non_negative
    )
    intermediary_monthly: Decimal = attrs.field(
        default=Decimal(0), converter=_dec, validator=_non_negative
    )
    marketplace_monthly: Decimal = attrs.field(
        default=Decimal(0), converter=_dec, validator=_non_negative
    )
    other_monthly: Decimal = attrs.field(
        default=Decimal(0), converter=_dec, validator=_non_negative
    )
    marketplace_commission: Decimal = attrs.field(
        default=Decimal(0), converter=_dec, validator=_unit
    )
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )

    @property
    def translation(self) -> Decimal:
        """Translation cost: per-word price × word count."""
        return self.translation_per_word * self.word_count

    @property
    def one_time(self) -> Decimal:
        """All one-time costs."""
        return self.translation + self.domain + self.tax_registration + self.other_one_time

    @property
    def monthly(self) -> Decimal:
        """All fixed monthly costs."""
        return self.intermediary_monthly + self.marketplace_monthly + self.other_monthly


@attrs.frozen
class FxTerms:
    """Exchange rates into the market's currency and the cost of converting.

    Parameters
    ----------
    merchant_currency : str, optional
        The currency the merchant books in (None: the market's own).
    rates : mapping of str to Decimal
        For each other currency, how many units of the **market's** currency one unit of it
        buys (e.g. in a BRL market ``{"USD": "5.40"}``). Used for the merchant currency, for
        thresholds stated in another currency, and for amounts given in one. For customs,
        use the customs authority's rate (EU: the ECB rate of the penultimate Wednesday of
        the previous month).
    conversion_fee : Decimal
        Share of the checkout amount lost converting it to the merchant's currency (PSP or
        merchant-of-record FX fee), in [0, 1].
    """

    merchant_currency: str | None = attrs.field(default=None, converter=_opt_currency)
    rates: tuple[tuple[str, Decimal], ...] = attrs.field(
        default=(), converter=_pairs, validator=_positive_pairs
    )
    conversion_fee: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_unit)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        for code, _ in self.rates:
            check_currency(code, "rates")

    def rate(self, code: str) -> Decimal | None:
        """Market-currency units per unit of ``code`` (None if unknown)."""
        return dict(self.rates).get(code)

    def with_rates(self, rates: Mapping[str, AmountLike]) -> FxTerms:
        """A copy with ``rates`` added (replacing rates of the same currencies)."""
        merged = {**dict(self.rates), **{check_currency(k, "fx"): v for k, v in rates.items()}}
        return attrs.evolve(self, rates=merged)

    def convert(self, money: Money, to: str, market: str, *, field: str = "amount") -> Money:
        """Convert ``money`` to ``to`` (unrounded) through the market's currency ``market``.

        Raises :class:`~ecomstrat.exceptions.CurrencyMismatchError` naming ``field`` when a
        rate is missing.

        Examples
        --------
        >>> fx = FxTerms(merchant_currency="USD", rates={"USD": "0.92"})
        >>> fx.convert(Money("100", "USD"), "EUR", "EUR")
        Money('92.00', 'EUR')
        >>> fx.convert(Money("92", "EUR"), "USD", "EUR")
        Money('100', 'USD')
        """
        to = check_currency(to, "to")
        if money.currency == to:
            return money
        amount = money.amount
        if money.currency != market:
            amount = amount * self._need(money.currency, market, field)
        if to != market:
            amount = DIVISION.divide(amount, self._need(to, market, field))
        return Money(amount, to)

    def _need(self, code: str, market: str, field: str) -> Decimal:
        rate = self.rate(code)
        if rate is None:
            raise CurrencyMismatchError(
                f"{field} is in {code} but the market's currency is {market} and no {code} rate"
                f" is given. Pass fx={{{code!r}: ...}} ({market} per {code}) or set the"
                " profile's fx.rates."
            )
        return rate


# ---------------------------------------------------------------------------------------------
# Limits: per-order and annual ceilings that do not change the arithmetic but must be watched.


@attrs.frozen
class Limit:
    """An order, annual or registration limit that warns rather than changes the costing.

    Parameters
    ----------
    name : str
        Short name (``"CBEC annual limit per person"``, ``"VOEC registration"``).
    amount : Decimal
        The limit, >= 0, in ``currency``.
    currency : str
        ISO 4217 code the law states the limit in.
    per : {"order", "year"}
        Tested on one order, or on a 12-month (or calendar-year) aggregate.
    subject : {"buyer", "seller"}
        Whose aggregate the limit counts: the buyer's purchases (China's CBEC quota) or the
        seller's sales or turnover (registration thresholds).
    basis : {"intrinsic", "customs_value"}
        For per-order limits checked by :func:`~ecomstrat.localization.landed_cost`: the
        goods' value or their customs value (after the valuation basis).
    inclusive : bool
        True: a value equal to ``amount`` is still within the limit ("exceeds" crosses it);
        False: reaching ``amount`` crosses it ("CHF 100,000 or more").
    consequence : str
        What happens when the limit is crossed (quoted in the warning).
    rule : str
        The legal rule.

    Examples
    --------
    >>> cbec = Limit("CBEC order limit", 5000, "CNY", "order", "buyer", basis="customs_value")
    >>> cbec.crossed_by(Decimal("5000")), cbec.crossed_by(Decimal("5000.01"))
    (False, True)
    >>> Limit("AU GST registration", 75000, "AUD", "year", "seller",
    ...       inclusive=False).crossed_by(Decimal("75000"))
    True
    """

    name: str = attrs.field(validator=_text)
    amount: Decimal = attrs.field(converter=_dec, validator=_non_negative)
    currency: str = attrs.field(converter=_currency)
    per: Literal["order", "year"] = attrs.field(validator=_one_of("order", "year"))
    subject: Literal["buyer", "seller"] = attrs.field(validator=_one_of("buyer", "seller"))
    basis: Literal["intrinsic", "customs_value"] = attrs.field(
        default="intrinsic", validator=_one_of("intrinsic", "customs_value")
    )
    inclusive: bool = attrs.field(default=True, validator=_flag)
    consequence: str = attrs.field(default="", validator=_text)
    rule: str = attrs.field(default="", validator=_text)
    provenance: Provenance = attrs.field(
        default=UNSOURCED, converter=_provenance, repr=False, eq=False
    )

    def crossed_by(self, value: Decimal) -> bool:
        """Whether ``value`` (in ``currency``) lies beyond the limit."""
        return value > self.amount if self.inclusive else value >= self.amount

    def describe(self) -> str:
        """The limit as text, e.g. ``"CNY 5000 per order (buyer), crossed above it"``."""
        edge = "above it" if self.inclusive else "on reaching it"
        return (
            f"{self.currency} {format(self.amount, 'f')} per {self.per} ({self.subject}),"
            f" crossed {edge}"
        )
