"""Which market next? A US shop weighs Germany, the UK and Australia.

Run it from anywhere: ``python examples/market_entry.py`` (a few seconds). It prints the
landed cost of one order in each market, the entry economics side by side, and how the
verdict moves with the exchange rate, returns and duty. Rates and thresholds come from the
built-in reference data (verify them); shipping, payment and service costs are illustrative,
overridden here with the shop's own figures where it has them.
"""

from __future__ import annotations

from ecomstrat.domain.money import Money
from ecomstrat.localization import (
    OrderLine,
    compare_markets,
    landed_cost,
    market_entry,
    market_profile,
)
from ecomstrat.report.markets import market_section
from ecomstrat.report.text import render

AS_OF = "2026-09-01"
#: Market-currency units per US dollar (illustrative; use your PSP's or customs' rates).
USD_RATES = {"DE": "0.91", "GB": "0.79", "AU": "1.55"}
#: The shop's own figures, replacing illustrative defaults (market currency).
OWN_DATA = {
    "DE": {"shipping": {"base": "7.50", "per_kg": "1.80"}, "returns": {"rate": "0.22"}},
    "GB": {"shipping": {"base": "6.90", "per_kg": "1.60"}},
    "AU": {"shipping": {"base": "17.00", "per_kg": "5.50"}},
}


def main() -> None:
    profiles = {
        code: market_profile(code, as_of=AS_OF, overrides=OWN_DATA[code]).with_fx("USD", rate=rate)
        for code, rate in USD_RATES.items()
    }

    # One order: a jacket (HS 62) and a pair of trainers (HS 64), 95 USD together.
    order = [
        OrderLine(Money("60.00", "USD"), category="62"),
        OrderLine(Money("35.00", "USD"), category="64"),
    ]
    for profile in profiles.values():
        cost = landed_cost(profile, order, weight_kg="1.4")
        print(f"\n{profile.name}: one order, {cost.presentation}, rules of {cost.as_of}")
        for line in cost.lines:
            print(f"  {line.kind:13} {line.amount!s:>14}  {line.stage:9} {line.label}")
        print(
            f"  {'total':13} {cost.total!s:>14}  (buyer {cost.buyer_total},"
            f" merchant {cost.merchant_cost})"
        )

    entries = [
        market_entry(
            profile,
            monthly_orders=80,
            average_basket=Money("95", "USD"),
            gross_margin_rate=0.58,
            weight_kg="1.4",
        )
        for profile in profiles.values()
    ]
    table = compare_markets(entries)
    print()
    print(render(market_section(table)))
    best = table.best
    print(f"\nNext market: {best.name}, {best.verdict()}.")


if __name__ == "__main__":
    main()
