"""Market profiles: the rules and costs of selling into one country on one date, and their data.

A :class:`MarketProfile` is the companion of :class:`~ecomstrat.domain.Market`: where the market
says *where* and *in which currency and languages* a shop sells, the profile says what it costs
to deliver an order there — customs valuation, duty and tax rates, the separate duty and tax de
minimis rules, who collects the tax, carrier fees, payment fees, shipping, returns, customer
service and entry costs. Each part is a small frozen object (see
:mod:`ecomstrat.localization.rules`) carrying its :class:`~ecomstrat.localization.Provenance`.

The reference data, ``markets.toml`` (read with :mod:`tomllib`), holds these parts for the EU
member states, the UK, US, Canada, Australia, New Zealand, Japan, South Korea, China
(cross-border e-commerce channel), Brazil, India, Mexico, Switzerland, Norway and Singapore.
Every value has a ``source``, an ``evidence`` label, a ``verified_on`` date and the dates it is
in force, so the table can hold a rule's history and its announced changes.

Profiles are snapshots: :func:`market_profile` resolves the dated reference data for one
``as_of`` date, and the profile remembers the window in which that snapshot holds. Using it on
a date past a known scheduled change emits a :class:`MarketDataWarning`.

.. warning::
   Rates and thresholds change often and some rows rest on secondary sources. They are
   reference data to verify, not tax advice; commercial values (shipping, payment and service
   costs, carrier fees, return rates, entry costs) are illustrative defaults.

Your own data goes in a TOML file of the same shape (see ``docs/howto-override-market.md``):
``load_market_profiles(path)`` merges it over the built-in table, block by block.

Examples
--------
>>> de = market_profile("DE", as_of="2026-03-01")
>>> de.market
Market(country='DE', currency='EUR', languages=('de',))
>>> de.tax.standard_rate, de.valuation.basis, de.collection.scheme
(Decimal('0.19'), 'CIF', 'IOSS')
>>> de.valid_until
datetime.date(2026, 7, 1)
>>> de.with_overrides({"returns": {"rate": "0.30"}}).returns.rate
Decimal('0.30')
>>> table = load_market_profiles()
>>> len(table.countries) >= 41, "DE" in table.countries
(True, True)
>>> [market_profile("FI", as_of=day).tax.standard_rate for day in ("2024-08-31", "2024-09-01")]
[Decimal('0.24'), Decimal('0.255')]
>>> [market_profile("EE", as_of=day).tax.standard_rate for day in ("2024-06-30", "2025-07-01")]
[Decimal('0.22'), Decimal('0.24')]
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import itertools
import os
import tomllib
import warnings
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

import attr
import attrs
import numpy as np

from ecomstrat._typing import AnyArray
from ecomstrat._validation import check_choice, invalid
from ecomstrat.domain.country import check_country, country_name
from ecomstrat.domain.market import Market
from ecomstrat.domain.money import AmountLike, Money
from ecomstrat.exceptions import EcomstratWarning, InvalidInputError, UnknownCodeError
from ecomstrat.frames._export import Tabular
from ecomstrat.localization.rules import (
    BorderFees,
    CurrencyRules,
    DutyRules,
    EntryCosts,
    FlatDuty,
    FxTerms,
    ImportFee,
    Limit,
    PaymentMix,
    Provenance,
    RegionalTax,
    ReturnTerms,
    ScheduledChange,
    ServiceCosts,
    ShippingRates,
    TaxCollection,
    TaxRules,
    Threshold,
    Valuation,
    build,
    build_each,
    json_value,
    to_date,
    to_optional_date,
)

__all__ = [
    "MarketDataWarning",
    "MarketProfile",
    "MarketRules",
    "MarketTable",
    "Source",
    "load_market_profiles",
    "market_profile",
]

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
    "limits": (Limit, "many"),
    "regions": (RegionalTax, "many"),
}


class MarketDataWarning(EcomstratWarning):
    """A market profile is used outside the dates its rules were resolved for."""


def _country(value: str) -> str:
    return check_country(value)


def _languages(value: Iterable[str]) -> tuple[str, ...]:
    return Market("US", "USD", value).languages


def _as_of(value: datetime.date | str) -> datetime.date:
    return to_date("as_of", value)


def _thresholds(value: Iterable[Threshold | Mapping[str, Any]]) -> tuple[Threshold, ...]:
    return build_each(Threshold, value, "threshold")


def _fees(value: Iterable[ImportFee | Mapping[str, Any]]) -> tuple[ImportFee, ...]:
    return build_each(ImportFee, value, "import_fees")


def _regions(value: Iterable[RegionalTax | Mapping[str, Any]]) -> tuple[RegionalTax, ...]:
    return build_each(RegionalTax, value, "regions")


def _limits(value: Iterable[Limit | Mapping[str, Any]]) -> tuple[Limit, ...]:
    return build_each(Limit, value, "limits")


def _changes(value: Iterable[ScheduledChange]) -> tuple[ScheduledChange, ...]:
    return tuple(sorted(value, key=lambda c: c.on))


@attrs.frozen
class MarketProfile:
    """What selling one order into a country costs, under the rules in force on ``as_of``.

    Build one with :func:`market_profile` (reference data) and
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
    regions : sequence of RegionalTax
        Sales taxes of the destination regions (Canada's provinces and territories, Brazil's
        states, US state base rates), chosen by :meth:`for_region` or the ``region`` argument
        of :func:`~ecomstrat.localization.landed_cost`.
    limits : sequence of Limit
        Per-order, annual and registration limits; crossing one warns
        (:class:`~ecomstrat.localization.LimitWarning`), see
        :func:`~ecomstrat.localization.check_limits`.
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
    limits: tuple[Limit, ...] = attrs.field(default=(), converter=_limits)
    regions: tuple[RegionalTax, ...] = attrs.field(default=(), converter=_regions)
    as_of: datetime.date = attrs.field(factory=datetime.date.today, converter=_as_of)
    valid_from: datetime.date | None = attrs.field(default=None, converter=to_optional_date)
    valid_until: datetime.date | None = attrs.field(default=None, converter=to_optional_date)
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

    def region_tax(self, region: str) -> RegionalTax:
        """The tax of destination ``region`` (ISO 3166-2 code, any case).

        Raises
        ------
        UnknownCodeError
            If the profile has no such region (the message lists the valid ones and the
            close matches).

        Examples
        --------
        >>> market_profile("CA", as_of="2026-03-01").region_tax("ca-on").describe()
        'Ontario (CA-ON): HST 13%'
        """
        codes = {r.region: r for r in self.regions}
        if not codes:
            raise invalid(
                "region",
                region,
                f"cannot be chosen: the {self.country} profile has no regional tax table",
                "Leave region=None, or add 'regions' with with_overrides(...).",
            )
        code = region.strip().upper() if isinstance(region, str) else region
        return codes[check_choice("region", code, codes)]

    def for_region(self, region: str | None) -> MarketProfile:
        """A copy whose tax is that of destination ``region`` (None: this profile).

        The region's combined rate replaces ``tax.standard_rate`` and its components name the
        tax (``"GST + QST"``, ``"ICMS + FECP"``); category rates stay the national ones. A
        region whose tax the seller collects (US sales tax) also replaces the collection
        scheme: the seller charges it at checkout on the price incl. transport (duty the
        seller passes on is left out of its base).

        Examples
        --------
        >>> qc = market_profile("CA", as_of="2026-03-01").for_region("CA-QC")
        >>> qc.tax.standard_rate, qc.tax.name
        (Decimal('0.14975'), 'GST + QST')
        """
        if region is None:
            return self
        r = self.region_tax(region)
        tax = attrs.evolve(
            self.tax,
            standard_rate=r.rate,
            name=r.tax_name,
            rule=f"{self.tax.rule}; {r.rule or 'regional tax'}: {r.describe()}",
            provenance=r.provenance,
        )
        if r.collected_by == "market":
            return attrs.evolve(self, tax=tax)
        # A sales tax on the sale price incl. transport: duty the seller passes on is left out.
        tax = attrs.evolve(tax, base_includes_duty=False)
        scheme = TaxCollection(
            scheme=r.region,
            registered=True,
            base="supply",
            rule=f"{r.rule or 'sales tax collected by the seller'}: {r.describe()}",
            provenance=r.provenance,
        )
        return attrs.evolve(self, tax=tax, collection=scheme)

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
        *,
        rate: AmountLike | None = None,
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
        >>> gb = market_profile("GB", as_of="2026-03-01").with_fx("USD", rate="0.79")
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
            if key == "regions" and isinstance(value, Mapping):
                changes[key] = _override_regions(self.regions, value, where)
                continue
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
        return attr.asdict(self, retain_collection_types=False, value_serializer=json_value)


def _user(fields: Iterable[str]) -> Provenance:
    return Provenance(
        source="user override",
        evidence="user",
        verified_on=None,
        note=f"changed: {', '.join(sorted(fields))}",
    )


def _override_regions(
    current: tuple[RegionalTax, ...], value: Mapping[str, Any], where: str
) -> tuple[RegionalTax, ...]:
    """Regions patched one by one: ``{"US-CA": {"components": {...}}}`` (a new code adds one)."""
    regions = {r.region: r for r in current}
    for key, patch in value.items():
        here = f"{where}[{key!r}]"
        code = str(key).strip().upper()
        if isinstance(patch, RegionalTax):
            regions[code] = patch
            continue
        if not isinstance(patch, Mapping):
            raise invalid(here, patch, "must be a mapping of keys to new values")
        base = regions.get(code)
        data: dict[str, Any] = {"region": code, **({"name": code} if base is None else {})}
        if base is not None:
            data.update({n: getattr(base, n) for n in attrs.fields_dict(RegionalTax)})
        data.update(patch)
        data["provenance"] = _user(patch)
        regions[code] = build(RegionalTax, data, here)
    return tuple(sorted(regions.values(), key=lambda r: r.region))


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


# ---------------------------------------------------------------------------------------------
# The reference table and its TOML files.

#: Keys of a block entry that describe its provenance rather than the rule.
_PROVENANCE_KEYS: Final = frozenset(
    {
        "source",
        "url",
        "effective_from",
        "effective_to",
        "verified_on",
        "evidence",
        "illustrative",
        "note",
    }
)
_MARKET_KEYS: Final = frozenset({"name", "languages", "groups", "changes", "covers_from", *BLOCKS})
SCHEMA: Final = 1


@attrs.frozen
class Source:
    """A cited source: title, address and the evidence level of what was read there."""

    key: str
    title: str
    url: str = ""
    evidence: str = "?"


@attrs.frozen
class _Entry:
    """One dated version of a block (or one member of a many-valued block)."""

    value: Any
    provenance: Provenance
    where: str


@attrs.frozen
class _Market:
    code: str
    name: str
    languages: tuple[str, ...]
    blocks: Mapping[str, tuple[_Entry, ...]]
    changes: tuple[ScheduledChange, ...]
    covers_from: datetime.date | None = None


@attrs.frozen(eq=False)
class MarketRules(Tabular):
    """Every dated rule of a :class:`MarketTable` (see :meth:`MarketTable.rules`), a row each.

    Attributes
    ----------
    where : ndarray of str
        Where the rule is defined in the data, e.g. ``markets.DE.tax[0]`` or
        ``groups.EU.flat_duty[0]`` (a group's rule serves all its markets).
    block : ndarray of str
        The part of a profile it fills (``tax``, ``flat_duty``, ``regions``…).
    markets : ndarray of str
        The markets using it, comma-separated.
    effective_from, effective_to : ndarray of str
        ISO dates it is in force between (empty: open).
    evidence : ndarray of str
        P primary text seen, S secondary source, K background knowledge, ? unverified or
        disputed, user supplied.
    illustrative : ndarray of bool
        Commercial example values, not facts.
    source, url, note : ndarray of str
        The citation, its address, and the compiler's note.
    """

    where: AnyArray
    block: AnyArray
    markets: AnyArray
    effective_from: AnyArray
    effective_to: AnyArray
    evidence: AnyArray
    illustrative: AnyArray
    source: AnyArray
    url: AnyArray
    note: AnyArray

    def __repr__(self) -> str:
        return f"MarketRules({len(self.where)} rules)"

    def columns(self) -> dict[str, AnyArray]:
        """The rules as named columns."""
        return {field.name: getattr(self, field.name) for field in attrs.fields(MarketRules)}


@attrs.frozen
class MarketTable(Tabular):
    """A versioned table of dated market rules; :meth:`profile` resolves one market on a date.

    Get it from :func:`load_market_profiles`. As a table (:meth:`columns`, ``to_pandas()``…)
    it lists the markets it covers: country, name, languages and the date its data starts.

    Attributes
    ----------
    version : str
        Version of the data (of the last file merged in).
    compiled_on : datetime.date, optional
        When the data was compiled.
    disclaimer : str
        What the data is and is not.
    sources : mapping of str to Source
        The cited sources by key.
    """

    version: str
    compiled_on: datetime.date | None
    disclaimer: str
    sources: Mapping[str, Source]
    _markets: Mapping[str, _Market] = attrs.field(alias="markets", repr=False)
    _groups: Mapping[str, Any] = attrs.field(alias="groups", factory=dict, repr=False)

    _pandas_index = "country"

    def columns(self) -> dict[str, AnyArray]:
        """The covered markets, one row each, sorted by country.

        Examples
        --------
        >>> columns = load_market_profiles().columns()
        >>> columns["country"][:2].tolist(), columns["name"][:2].tolist()
        (['AT', 'AU'], ['Austria', 'Australia'])
        """
        markets = [self._markets[code] for code in self.countries]
        starts = [m.covers_from.isoformat() if m.covers_from else "NaT" for m in markets]
        return {
            "country": np.array([m.code for m in markets], dtype=np.str_),
            "name": np.array([m.name for m in markets], dtype=np.str_),
            "languages": np.array([",".join(m.languages) for m in markets], dtype=np.str_),
            "covers_from": np.array(starts, dtype="datetime64[D]"),
        }

    @property
    def countries(self) -> tuple[str, ...]:
        """ISO 3166-1 alpha-2 codes of the markets in the table, sorted."""
        return tuple(sorted(self._markets))

    def names(self) -> dict[str, str]:
        """Display name of each market."""
        return {code: m.name for code, m in sorted(self._markets.items())}

    def rules(self) -> MarketRules:
        """Every dated rule of the table, once each, with the markets using it and its source.

        A rule a group defines (the EU's flat duty, the euro defaults) is one row listing all
        the markets of the group.

        Examples
        --------
        >>> rules = load_market_profiles().rules()
        >>> row = rules.where.tolist().index("groups.EU.flat_duty[0]")
        >>> str(rules.effective_from[row]), str(rules.evidence[row]), len(rules.markets[row])
        ('2026-07-01', '?', 80)
        """
        users: dict[str, list[str]] = {}
        first: dict[str, tuple[str, _Entry]] = {}
        for code in self.countries:
            for block, entries in self._markets[code].blocks.items():
                for entry in entries:
                    users.setdefault(entry.where, []).append(code)
                    first.setdefault(entry.where, (block, entry))
        order = sorted(first, key=lambda w: (not w.startswith("groups."), w))
        rows = [(w, *first[w], users[w]) for w in order]

        def text(values: Iterable[object]) -> AnyArray:
            return np.array([str(v) for v in values], dtype=np.str_)

        def day(value: datetime.date | None) -> str:
            return "" if value is None else value.isoformat()

        return MarketRules(
            where=text(w for w, _, _, _ in rows),
            block=text(b for _, b, _, _ in rows),
            markets=text(",".join(u) for _, _, _, u in rows),
            effective_from=text(day(e.provenance.effective_from) for _, _, e, _ in rows),
            effective_to=text(day(e.provenance.effective_to) for _, _, e, _ in rows),
            evidence=text(e.provenance.evidence for _, _, e, _ in rows),
            illustrative=np.array([e.provenance.illustrative for _, _, e, _ in rows], dtype=bool),
            source=text(e.provenance.source for _, _, e, _ in rows),
            url=text(e.provenance.url for _, _, e, _ in rows),
            note=text(e.provenance.note for _, _, e, _ in rows),
        )

    def profile(
        self,
        country: str,
        *,
        as_of: datetime.date | str | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> MarketProfile:
        """Resolve the rules of ``country`` in force on ``as_of`` (default: today).

        Raises
        ------
        UnknownCodeError
            If ``country`` is not an ISO 3166-1 code, or not in the table (the message lists
            the covered markets and close matches).
        InvalidInputError
            If the data has no rule in force on ``as_of`` for a required part.
        """
        market = self._market(country)
        day = datetime.date.today() if as_of is None else to_date("as_of", as_of)
        if market.covers_from is not None and day < market.covers_from:
            raise invalid(
                "as_of",
                day.isoformat(),
                f"is before {market.covers_from.isoformat()}, where the reference data for"
                f" {market.code} starts",
                "Choose a later date or supply the earlier rules in your own TOML file.",
            )
        parts: dict[str, Any] = {}
        for name, (_cls, kind) in BLOCKS.items():
            entries = [e for e in market.blocks.get(name, ()) if e.provenance.in_force(day)]
            if kind == "many":
                parts[name] = tuple(e.value for e in entries)
            elif entries:
                parts[name] = entries[0].value
            elif kind == "one" and name not in ("fx", "border_fees"):
                covered = _coverage(market.blocks.get(name, ()))
                raise invalid(
                    "as_of",
                    day.isoformat(),
                    f"no {name!r} rule of {market.code} is in force on that date (the data"
                    f" covers {covered})",
                    "Choose a date in that range or add the rule with your own TOML file.",
                )
        changes = _all_changes(market)
        before = [c.on for c in changes if c.on <= day]
        if market.covers_from is not None:
            before.append(market.covers_from)
        after = [c.on for c in changes if c.on > day]
        profile = MarketProfile(
            country=market.code,
            name=market.name,
            languages=market.languages,
            as_of=day,
            valid_from=max(before) if before else None,
            valid_until=min(after) if after else None,
            changes=changes,
            data_version=self.version,
            **parts,
        )
        return profile.with_overrides(overrides) if overrides else profile

    def profiles(
        self, countries: Iterable[str] | None = None, *, as_of: datetime.date | str | None = None
    ) -> dict[str, MarketProfile]:
        """Profiles of ``countries`` (default: all) resolved on ``as_of``."""
        codes = self.countries if countries is None else [self._market(c).code for c in countries]
        return {code: self.profile(code, as_of=as_of) for code in codes}

    def merged(self, other: MarketTable) -> MarketTable:
        """A copy with the markets of ``other`` merged in, block by block (``other`` wins)."""
        markets = dict(self._markets)
        for code, market in other._markets.items():
            base = markets.get(code)
            if base is None:
                markets[code] = market
                continue
            markets[code] = _Market(
                code,
                market.name or base.name,
                market.languages or base.languages,
                {**base.blocks, **market.blocks},
                tuple(
                    {(c.on, c.description): c for c in (*base.changes, *market.changes)}.values()
                ),
                market.covers_from or base.covers_from,
            )
        return MarketTable(
            version=other.version or self.version,
            compiled_on=other.compiled_on or self.compiled_on,
            disclaimer=self.disclaimer,
            sources={**self.sources, **other.sources},
            markets=markets,
            groups={**self._groups, **other._groups},
        )

    def _market(self, country: str) -> _Market:
        code = check_country(country)
        market = self._markets.get(code)
        if market is None:
            raise UnknownCodeError(
                f"country={country!r} ({code}) is not in the market reference data: covered"
                f" markets are {', '.join(self.countries)}. Build a MarketProfile yourself or"
                " add the market in your own TOML file (load_market_profiles(path))."
            )
        return market


def _coverage(entries: Iterable[_Entry]) -> str:
    spans = [
        f"{p.effective_from.isoformat() if p.effective_from else '...'} to"
        f" {p.effective_to.isoformat() if p.effective_to else '...'}"
        for p in (e.provenance for e in entries)
    ]
    return ", ".join(spans) if spans else "no dates"


def _all_changes(market: _Market) -> tuple[ScheduledChange, ...]:
    """Explicit changes plus every start and end date of a block version, merged by date.

    The start of the data (``covers_from``) is not a change and is left out.
    """
    by_day: dict[datetime.date, list[str]] = {}
    disputed: dict[datetime.date, list[str]] = {}
    sources: dict[datetime.date, list[str]] = {}
    for change in market.changes:
        by_day.setdefault(change.on, []).append(change.description)
        if change.disputed:
            disputed.setdefault(change.on, []).append(change.disputed)
        if change.source:
            sources.setdefault(change.on, []).append(change.source)
    for name, entries in market.blocks.items():
        for entry in entries:
            p = entry.provenance
            label = f"{name} ({p.note})" if p.note else name
            for day, verb in ((p.effective_from, "takes effect"), (p.effective_to, "ends")):
                if day is not None and day != market.covers_from:
                    text = f"{label} {verb}"
                    if text not in by_day.get(day, []):
                        by_day.setdefault(day, []).append(text)
    return tuple(
        ScheduledChange(
            day,
            "; ".join(texts),
            "; ".join(sources.get(day, [])),
            "; ".join(disputed.get(day, [])),
        )
        for day, texts in sorted(by_day.items())
    )


# ---------------------------------------------------------------------------------------------
# Reading TOML.


class _Reader:
    """Turns the parsed TOML document into entries, naming the place of every error."""

    def __init__(
        self,
        document: Mapping[str, Any],
        origin: str,
        sources: Mapping[str, Source],
        groups: Mapping[str, Any] | None = None,
    ):
        self.document = document
        self.origin = origin
        self.groups = {**(groups or {}), **document.get("groups", {})}
        meta = document.get("meta", {})
        if not isinstance(meta, Mapping):
            raise self.error("meta", "must be a table")
        schema = meta.get("schema", SCHEMA)
        if schema != SCHEMA:
            raise self.error("meta.schema", f"is {schema!r}; this ecomstrat reads schema {SCHEMA}")
        self.meta = meta
        self.sources = dict(sources)
        for key, data in document.get("sources", {}).items():
            if not isinstance(data, Mapping) or "title" not in data:
                raise self.error(f"sources.{key}", "must be a table with a 'title'")
            self.sources[key] = Source(
                key, str(data["title"]), str(data.get("url", "")), str(data.get("evidence", "?"))
            )

    def error(self, where: str, rule: str) -> InvalidInputError:
        return InvalidInputError(f"{self.origin}: {where} {rule}.")

    def table(self) -> MarketTable:
        groups = self.groups
        markets: dict[str, _Market] = {}
        for key, data in self.document.get("markets", {}).items():
            where = f"markets.{key}"
            if not isinstance(data, Mapping):
                raise self.error(where, "must be a table")
            unknown = sorted(set(data) - _MARKET_KEYS)
            if unknown:
                raise UnknownCodeError(
                    f"{self.origin}: {where} has unknown key(s) {', '.join(map(repr, unknown))};"
                    f" valid keys are {', '.join(map(repr, sorted(_MARKET_KEYS)))}."
                )
            try:
                code = check_country(key, where)
            except InvalidInputError as error:
                raise type(error)(f"{self.origin}: {error}") from None
            blocks: dict[str, tuple[_Entry, ...]] = {}
            changes: list[ScheduledChange] = []
            for group in data.get("groups", []):
                if group not in groups:
                    raise UnknownCodeError(
                        f"{self.origin}: {where}.groups names {group!r}, which is not defined;"
                        f" groups are {', '.join(map(repr, sorted(groups)))}."
                    )
                blocks.update(self.blocks(groups[group], f"groups.{group}"))
                changes += self.changes(groups[group], f"groups.{group}")
            blocks.update(self.blocks(data, where))
            changes += self.changes(data, where)
            languages = tuple(data.get("languages", ()))
            raw = data.get("covers_from")
            covers = None if raw is None else to_date(f"{where}.covers_from", raw)
            if covers is not None:
                blocks = {name: _starting(entries, covers) for name, entries in blocks.items()}
            markets[code] = _Market(
                code, str(data.get("name", "")), languages, blocks, tuple(changes), covers
            )
        compiled = self.meta.get("compiled_on")
        return MarketTable(
            version=str(self.meta.get("version", "")),
            compiled_on=None if compiled is None else to_date("meta.compiled_on", compiled),
            disclaimer=str(self.meta.get("disclaimer", "")),
            sources=self.sources,
            markets=markets,
            groups=groups,
        )

    def changes(self, data: Mapping[str, Any], where: str) -> list[ScheduledChange]:
        out = []
        for i, item in enumerate(data.get("changes", [])):
            here = f"{where}.changes[{i}]"
            source = self.cite(item.get("source", ""), here)[0] if item.get("source") else ""
            try:
                disputed = str(item.get("disputed", ""))
                out.append(ScheduledChange(item["on"], str(item["description"]), source, disputed))
            except (KeyError, TypeError) as error:
                raise self.error(here, f"needs 'on' and 'description' ({error})") from None
        return out

    def blocks(self, data: Mapping[str, Any], where: str) -> dict[str, tuple[_Entry, ...]]:
        out: dict[str, tuple[_Entry, ...]] = {}
        for name, (cls, kind) in BLOCKS.items():
            if name not in data:
                continue
            raw = data[name]
            items = [raw] if isinstance(raw, Mapping) else list(raw)
            entries = tuple(
                self.entry(cls, item, f"{where}.{name}[{i}]") for i, item in enumerate(items)
            )
            if kind != "many":
                _check_no_overlap(entries, f"{self.origin}: {where}.{name}")
            out[name] = entries
        return out

    def cite(self, key: str, where: str) -> tuple[str, str, str]:
        source = self.sources.get(key)
        if source is None:
            if key.startswith(("http://", "https://")):
                return key, key, "?"
            if not key:
                raise self.error(where, "needs a 'source'")
            return key, "", "?"
        return source.title, source.url, source.evidence

    def entry(self, cls: type[Any], item: Any, where: str) -> _Entry:
        if not isinstance(item, Mapping):
            raise self.error(where, "must be a table")
        title, url, evidence = self.cite(str(item.get("source", "")), where)
        if "verified_on" not in item:
            raise self.error(where, "needs 'verified_on' (the date the value was last checked)")
        try:
            provenance = Provenance(
                source=title,
                url=str(item.get("url", url)),
                effective_from=item.get("effective_from"),
                effective_to=item.get("effective_to"),
                verified_on=item.get("verified_on"),
                evidence=item.get("evidence", evidence),
                illustrative=bool(item.get("illustrative", False)),
                note=str(item.get("note", "")),
            )
        except InvalidInputError as error:
            raise type(error)(f"{self.origin}: {where}: {error}") from None
        fields = {k: v for k, v in item.items() if k not in _PROVENANCE_KEYS}
        fields["provenance"] = provenance
        try:
            value = build(cls, fields, f"{self.origin}: {where}")
        except InvalidInputError as error:
            raise type(error)(str(error)) from None
        return _Entry(value, provenance, where)


def _starting(entries: tuple[_Entry, ...], covers: datetime.date) -> tuple[_Entry, ...]:
    """Entries without a start date start where the market's data starts (``covers_from``)."""
    out = []
    for entry in entries:
        p = entry.provenance
        if p.effective_from is None and (p.effective_to is None or p.effective_to > covers):
            p = attrs.evolve(p, effective_from=covers)
            entry = _Entry(attrs.evolve(entry.value, provenance=p), p, entry.where)
        out.append(entry)
    return tuple(out)


def _check_no_overlap(entries: tuple[_Entry, ...], where: str) -> None:
    spans = sorted(
        (e.provenance.effective_from or datetime.date.min, e.provenance.effective_to, e.where)
        for e in entries
    )
    for (_, end, first), (start, _, second) in itertools.pairwise(spans):
        if end is None or end > start:
            raise InvalidInputError(
                f"{where}: versions {first} and {second} overlap; give each an effective_from"
                " and effective_to so that one version is in force on any date."
            )


@functools.cache
def _builtin() -> MarketTable:
    text = (
        importlib.resources.files("ecomstrat.localization")
        .joinpath("markets.toml")
        .read_text(encoding="utf-8")
    )
    return _Reader(tomllib.loads(text), "markets.toml (built-in)", {}).table()


def load_market_profiles(
    path: str | os.PathLike[str] | None = None, *, include_builtin: bool = True
) -> MarketTable:
    """Load the market reference table, optionally merged with your own TOML file.

    Parameters
    ----------
    path : str or path-like, optional
        A TOML file with the same layout as the built-in ``markets.toml``: ``[sources.*]``,
        ``[groups.*]`` and ``[markets.<ISO code>]`` tables whose blocks (``tax``, ``duty``,
        ``shipping``…) are lists of dated entries. Its markets are merged over the built-in
        ones block by block: a block you give replaces the built-in block of that market.
        Your file may cite the built-in sources and groups (``"EU"``, ``"EUR_DEFAULTS"``…).
    include_builtin : bool, default True
        Start from the built-in table (False: only your file).

    Returns
    -------
    MarketTable

    Raises
    ------
    InvalidInputError
        For a malformed file, naming the file and the offending table.

    Examples
    --------
    >>> table = load_market_profiles()
    >>> table.version
    '2026.11'
    >>> table.profile("NO", as_of="2026-03-01").collection.scheme
    'VOEC'
    """
    base = _builtin() if include_builtin else None
    if path is None:
        if base is None:
            raise invalid("path", None, "is needed when include_builtin=False")
        return base
    file = Path(path)
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise invalid("path", str(file), f"could not be read as TOML ({error})") from None
    own = _Reader(
        document,
        str(file),
        base.sources if base else {},
        base._groups if base else None,
    ).table()
    return base.merged(own) if base is not None else own


def market_profile(
    country: str,
    *,
    as_of: datetime.date | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    table: MarketTable | None = None,
) -> MarketProfile:
    """The costing profile of ``country`` under the rules in force on ``as_of``.

    Parameters
    ----------
    country : str
        ISO 3166-1 code (alpha-2 or alpha-3, any case).
    as_of : datetime.date or str, optional
        Date whose rules apply (default: today). Pass it explicitly for reproducible results.
    overrides : mapping, optional
        Partial replacements, as in :meth:`MarketProfile.with_overrides`.
    table : MarketTable, optional
        The table to read (default: the built-in one).

    Examples
    --------
    >>> gb = market_profile("gbr", as_of="2026-03-01")
    >>> gb.country, gb.currency.code, gb.tax.standard_rate, gb.collection.scheme
    ('GB', 'GBP', Decimal('0.2'), 'UK low-value consignments')
    >>> market_profile("ARG")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ecomstrat.exceptions.UnknownCodeError: country='ARG' (AR) is not in the market reference ...
    """
    return (table or _builtin()).profile(country, as_of=as_of, overrides=overrides)
