"""Domain objects: one record at a time (money, customers, orders, campaigns, markets).

All are frozen attrs classes, validated on construction, compared and hashed by value, and
convertible to and from plain JSON-able dicts (``to_dict`` / ``from_dict``).
"""

from ecomstrat.domain.campaign import Campaign
from ecomstrat.domain.country import check_country, country_name
from ecomstrat.domain.currency import check_currency, minor_units
from ecomstrat.domain.customer import Customer
from ecomstrat.domain.market import Market
from ecomstrat.domain.money import AmountLike, Money
from ecomstrat.domain.order import Order
from ecomstrat.domain.time_unit import TimeUnit

__all__ = [
    "AmountLike",
    "Campaign",
    "Customer",
    "Market",
    "Money",
    "Order",
    "TimeUnit",
    "check_country",
    "check_currency",
    "country_name",
    "minor_units",
]
