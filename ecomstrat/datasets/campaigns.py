"""Seeded marketing campaigns over a log's acquisition window, for demos and examples.

The campaigns are consecutive flights that rotate through the channels, so their periods are
disjoint (within each channel and overall) and every customer is attributed, by the date of the
first order, to exactly one campaign (see :func:`~ecomstrat.metrics.acquisition.acquisition_table`).
Spend is drawn so that each channel has its own typical cost per acquired customer.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from ecomstrat._validation import check_positive, invalid
from ecomstrat.datasets.simulate import Simulation, _check_seed
from ecomstrat.domain.campaign import Campaign
from ecomstrat.domain.money import Money
from ecomstrat.frames.transaction_log import TransactionLog

__all__ = ["CHANNEL_CAC_FACTORS", "simulate_campaigns"]

#: Typical CAC of a channel as a multiple of the mean first-order value (illustrative values
#: for the demo, not benchmarks); channels not listed use 1.0.
CHANNEL_CAC_FACTORS: dict[str, float] = {
    "search": 0.9,
    "social": 1.3,
    "email": 0.4,
    "display": 1.6,
    "affiliate": 0.7,
}

#: Spread (sigma of the log-normal) of a flight's CAC around its channel's typical value.
_CAC_SPREAD = 0.25


def simulate_campaigns(
    simulation_or_log: Simulation | TransactionLog,
    *,
    seed: int | None = 0,
    channels: Sequence[str] = ("search", "social", "email"),
    flight_days: int = 14,
    cac_scale: float = 1.0,
    currency: str | None = None,
) -> list[Campaign]:
    """Campaigns that cover the acquisition window of a (simulated) customer base.

    The window runs from the first customer's first order to the last customer's first order
    (calendar dates of the log's times). It is cut into consecutive flights of ``flight_days``
    days; flight ``i`` belongs to ``channels[i % len(channels)]``. A flight's spend is
    (customers whose first order falls in it) × (mean first-order value) ×
    ``CHANNEL_CAC_FACTORS[channel]`` × ``cac_scale`` × a log-normal factor (sigma 0.25), rounded
    to the currency's minor unit; ``customers_acquired`` is that customer count.

    Parameters
    ----------
    simulation_or_log : Simulation or TransactionLog
        The customer base (e.g. from :func:`~ecomstrat.simulate_transactions`).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`; ``None`` draws fresh entropy.
    channels : sequence of str
        Distinct channel names, rotated over the flights.
    flight_days : int, default 14
        Length of each flight (>= 1); the last one ends on the window's last day.
    cac_scale : float, default 1.0
        Multiplies every CAC (> 0), to make acquisition dearer or cheaper.
    currency : str, optional
        Currency of the spend; defaults to the log's.

    Returns
    -------
    list of Campaign
        In date order, ids ``"<channel>-<nn>"``.

    Raises
    ------
    InvalidInputError
        For an empty or repeated channel list, a bad ``flight_days`` or ``cac_scale``, or a log
        without currency when none is given.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> sim = simulate_transactions(2_000, seed=4)
    >>> campaigns = simulate_campaigns(sim, seed=4)
    >>> [c.channel for c in campaigns[:4]], campaigns[0].spend.currency
    (['search', 'social', 'email', 'search'], 'USD')
    >>> sum(c.customers_acquired for c in campaigns)
    2000
    """
    log = simulation_or_log.log if isinstance(simulation_or_log, Simulation) else simulation_or_log
    if not isinstance(log, TransactionLog):
        raise invalid(
            "simulation_or_log", simulation_or_log, "must be a Simulation or a TransactionLog"
        )
    names = [str(c) for c in channels] if not isinstance(channels, str) else []
    if not names or len(set(names)) != len(names) or any(not c.strip() for c in names):
        raise invalid("channels", channels, "must be a non-empty list of distinct channel names")
    if isinstance(flight_days, bool) or not isinstance(flight_days, int) or flight_days < 1:
        raise invalid("flight_days", flight_days, "must be a whole number >= 1")
    scale = check_positive("cac_scale", cac_scale)
    code = currency if currency is not None else log.currency
    if code is None:
        raise invalid(
            "currency",
            None,
            "is needed: the log has no currency",
            "Pass currency='USD' (or build the log with one).",
        )
    rng = np.random.default_rng(_check_seed(seed))

    first_time = np.full(log.n_customers, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_time, log.customer_index, log.times.view(np.int64))
    first_day = first_time.view("datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    is_first = log.times.view(np.int64) == first_time[log.customer_index]
    first_value = float(log.amounts[is_first].sum() / is_first.sum())

    start, stop = int(first_day.min()), int(first_day.max())
    bounds = np.arange(start, stop + 1, flight_days, dtype=np.int64)
    flight = np.searchsorted(bounds, first_day, side="right") - 1
    acquired = np.bincount(flight, minlength=bounds.size)
    campaigns = []
    for i, begin in enumerate(bounds.tolist()):
        end = min(begin + flight_days - 1, stop)
        channel = names[i % len(names)]
        factor = CHANNEL_CAC_FACTORS.get(channel, 1.0) * scale
        cac = first_value * factor * float(rng.lognormal(0.0, _CAC_SPREAD))
        spend = Money(Decimal(repr(cac * int(acquired[i]))), code).round()
        campaigns.append(
            Campaign(
                f"{channel}-{i + 1:02d}",
                channel,
                spend,
                _date(begin),
                _date(end),
                int(acquired[i]),
            )
        )
    return campaigns


def _date(day: int) -> datetime.date:
    return datetime.date(1970, 1, 1) + datetime.timedelta(days=day)
