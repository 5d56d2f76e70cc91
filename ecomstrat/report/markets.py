"""Report sections on market entry: "which market next?" for candidate markets side by side.

:func:`market_section` turns market-entry results into report sections (comparison, landed
cost of an average order, sensitivity); :func:`demo_market_entries` builds the three-market
example used by ``ecomstrat demo``.

Examples
--------
>>> from ecomstrat.report import render
>>> sections = market_section()
>>> [s.title for s in sections]  # doctest: +NORMALIZE_WHITESPACE
['Which market next? (USD)', 'Landed cost of an average order (USD)',
 'Payback under stress (months)']
>>> print(render(sections[:1]))  # doctest: +ELLIPSIS
Which market next? (USD)
========================
...
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ecomstrat._validation import invalid
from ecomstrat.domain.money import Money
from ecomstrat.localization import (
    MarketComparison,
    MarketEntry,
    compare_markets,
    market_entry,
    market_profile,
)
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

__all__ = [
    "DEMO_AS_OF",
    "MarketsOverview",
    "demo_market_entries",
    "market_entries",
    "market_section",
]

#: Date of the demo scenario (fixed, so the demo report does not change with the calendar).
DEMO_AS_OF = datetime.date(2026, 9, 1)
#: Illustrative exchange rates of the demo: market-currency units per US dollar.
_DEMO_RATES = {"DE": "0.91", "GB": "0.79", "AU": "1.55"}

_ROWS = (
    ("goods", ("goods",)),
    ("shipping and insurance", ("shipping", "insurance")),
    ("duty and charges", ("duty", "charges")),
    ("VAT / GST", ("tax", "excise")),
    ("carrier fees", ("brokerage", "ddp_surcharge")),
    ("payment and FX fees", ("payment_fee", "fx_cost")),
    ("expected returns", ("returns",)),
    ("customer service", ("service",)),
)


def demo_market_entries(*, as_of: datetime.date | str = DEMO_AS_OF) -> MarketComparison:
    """A US merchant weighing Germany, the UK and Australia (illustrative figures).

    60 orders a month of an 85 USD basket (0.8 kg) at a 55 % product margin, sold DDP, with
    fixed illustrative exchange rates; everything else comes from the reference data.
    """
    entries = []
    for code, rate in _DEMO_RATES.items():
        profile = market_profile(code, as_of=as_of).with_fx("USD", rate=rate)
        entries.append(
            market_entry(
                profile,
                monthly_orders=60,
                average_basket=Money("85", "USD"),
                gross_margin_rate=0.55,
                weight_kg="0.8",
            )
        )
    return compare_markets(entries)


def market_entries(
    countries: Sequence[str],
    *,
    currency: str,
    average_basket: float | str,
    gross_margin_rate: float,
    monthly_orders: float = 60.0,
    weight_kg: float | str | None = None,
    fx: Mapping[str, float | str] | None = None,
    as_of: datetime.date | str | None = None,
) -> MarketComparison:
    """Compare built-in market profiles for a merchant selling in ``currency``.

    Parameters
    ----------
    countries : sequence of str
        ISO 3166 codes of the candidate markets (``["DE", "GB", "AU"]``).
    currency : str
        The merchant's currency (ISO 4217).
    average_basket : float or str
        Goods value of an average order, in ``currency``.
    gross_margin_rate : float
        Gross (product) margin as a share of the basket, in [0, 1].
    monthly_orders : float, default 60
        Expected orders a month in each market.
    weight_kg : float or str, optional
        Weight of an average order.
    fx : mapping of str to float or str, optional
        Exchange rates: units of a market's currency per 1 ``currency``, by ISO 4217 code
        (``{"EUR": "0.91"}``); needed for every market whose currency is not ``currency``.
    as_of : datetime.date or str, optional
        Date of the rules (default: today).

    Returns
    -------
    MarketComparison

    Examples
    --------
    >>> table = market_entries(["DE", "GB"], currency="USD", average_basket=80,
    ...                        gross_margin_rate=0.5, fx={"EUR": "0.91", "GBP": "0.79"},
    ...                        as_of="2026-03-01")
    >>> sorted(table.columns()["country"].tolist())
    ['DE', 'GB']
    """
    rates = {str(k).upper(): v for k, v in (fx or {}).items()}
    entries = []
    for code in countries:
        profile = market_profile(code, as_of=as_of)
        local = profile.currency.code
        if local == currency:
            profile = profile.with_fx(currency)
        elif local in rates:
            profile = profile.with_fx(currency, rate=str(rates[local]))
        else:
            raise invalid(
                "fx",
                dict(rates),
                f"has no rate for {local}, the currency of {profile.country}",
                f"Give the {local} per 1 {currency}, e.g. fx={{'{local}': '0.9'}}"
                f" (ecomstrat report: --fx {local}=0.9).",
            )
        entries.append(
            market_entry(
                profile,
                monthly_orders=monthly_orders,
                average_basket=Money(str(average_basket), currency),
                gross_margin_rate=gross_margin_rate,
                weight_kg=None if weight_kg is None else str(weight_kg),
                as_of=as_of,
            )
        )
    return compare_markets(entries)


def market_section(
    entries: MarketComparison | Sequence[MarketEntry] | None = None,
) -> list[Section]:
    """Sections comparing candidate markets: economics, landed cost, payback under stress.

    Parameters
    ----------
    entries : MarketComparison or sequence of MarketEntry, optional
        The candidates (in one merchant currency). Default: :func:`demo_market_entries`.

    Returns
    -------
    list of Section
        "Which market next?" (contribution, margin, break-even, verdict per market), the
        landed cost of an average order line by line, and payback months in each
        sensitivity scenario.
    """
    if entries is None:
        table = demo_market_entries()
    elif isinstance(entries, MarketComparison):
        table = entries
    else:
        table = compare_markets(entries)
    cur = table.currency
    items = table.entries
    names = [e.country for e in items]
    overview = Section(
        f"Which market next? ({cur})",
        [
            (
                f"{e.name} ({e.country})",
                _money(e.contribution_per_order),
                fmt.share(e.contribution_margin),
                _optional(e.break_even_orders, 0),
                e.verdict(),
            )
            for e in items
        ],
        header=["market", "contribution/order", "margin", "break-even orders/mo", "verdict"],
        notes=[
            "Contribution per order = product margin kept after returns minus localization"
            " costs (payment, FX, returns, service, carrier fees the merchant bears).",
            f"Rules as of {items[0].as_of.isoformat()}. Rates and thresholds are reference"
            " data to verify; commercial costs are illustrative defaults.",
        ],
    )
    landed = [e.landed.converted(cur, rate=e.exchange_rate) for e in items]
    rows = []
    for label, kinds in _ROWS:
        rows.append(
            (label, *(_money(sum((c.amount(k) for k in kinds), Money.zero(cur))) for c in landed))
        )
    rows.append(("total", *(_money(c.total) for c in landed)))
    cost = Section(
        f"Landed cost of an average order ({cur})",
        rows,
        header=["", *names],
        notes=[f"{e.country}: " + "; ".join(_scheme(e)) for e in items],
    )
    scenario_names = [s.name for s in items[0].sensitivity]
    stress = Section(
        "Payback under stress (months)",
        [
            (
                name,
                *(
                    _optional(
                        next((s.payback_months for s in e.sensitivity if s.name == name), None),
                        1,
                    )
                    for e in items
                ),
            )
            for name in scenario_names
        ],
        header=["scenario", *names],
        notes=[
            "'never': the market does not cover its monthly fixed costs.",
            *(f"{e.country}: {note}" for e in items for note in _scenario_notes(e)),
        ],
    )
    return [overview, cost, stress]


def _scenario_notes(entry: MarketEntry) -> list[str]:
    """Notes of ``entry``'s sensitivity rows; a "+x"/"-x" pair with one note becomes "±x"."""
    notes: dict[str, list[str]] = {}
    for scenario in entry.sensitivity:
        if scenario.note:
            notes.setdefault(scenario.note, []).append(scenario.name)
    out = []
    for note, names in notes.items():
        if len(names) == 2 and " +" in names[0] and names[0].replace(" +", " -", 1) == names[1]:
            names = [names[0].replace(" +", " ±", 1)]
        out.append(f"{', '.join(names)}: {note}")
    return out


def _scheme(entry: MarketEntry) -> list[str]:
    tax = entry.landed.line("tax")
    duty = entry.landed.line("duty")
    where = {"checkout": "charged at checkout", "delivery": "paid by the buyer on delivery"}
    out = [f"{tax.label} {where.get(tax.stage, 'borne by the merchant')}"]
    if duty.amount.is_zero():
        out.append("no duty")
    else:
        out.append(f"duty under {duty.rule.split(':')[0]}")
    return out


def _money(money: Money) -> str:
    return fmt.number(float(money.amount))


def _optional(value: float | None, digits: int) -> str:
    return "never" if value is None else fmt.number(value, digits)


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


@attrs.frozen(eq=False)
class MarketsOverview:
    """A market comparison as report content: JSON numbers and text sections."""

    comparison: MarketComparison
    assumptions: tuple[str, ...] = attrs.field(default=(), converter=_strings)

    def to_dict(self) -> dict[str, Any]:
        """The comparison's columns as a JSON-able dict (NaN becomes ``None``)."""
        return fmt.json_columns(self.comparison.columns())

    def sections(self) -> list[Section]:
        """The sections of :func:`market_section`; ``assumptions`` become notes of the first."""
        sections = market_section(self.comparison)
        if self.assumptions:
            first = sections[0]
            sections[0] = attrs.evolve(first, notes=(*self.assumptions, *first.notes))
        return sections
