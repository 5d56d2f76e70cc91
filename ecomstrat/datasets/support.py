"""Simulated customer-service tickets of a simulated customer base (for the demo and tests)."""

from __future__ import annotations

import numpy as np

from ecomstrat._typing import DatetimeArray, FloatArray
from ecomstrat._validation import check_unit_interval, invalid
from ecomstrat.datasets.simulate import Simulation, _check_seed
from ecomstrat.frames._time import NS
from ecomstrat.frames.tickets import Tickets

__all__ = ["TICKET_CATEGORIES", "TICKET_CHANNELS", "simulate_tickets"]

#: Contact channels with their shares and mean hours to a first response.
TICKET_CHANNELS: dict[str, tuple[float, float]] = {
    "email": (0.5, 8.0),
    "chat": (0.3, 0.25),
    "phone": (0.2, 0.05),
}
#: Ticket categories with their shares and median hours from first response to resolution.
TICKET_CATEGORIES: dict[str, tuple[float, float]] = {
    "delivery": (0.35, 12.0),
    "returns": (0.25, 30.0),
    "payment": (0.15, 6.0),
    "product question": (0.15, 2.0),
    "account": (0.10, 4.0),
}
_NS_PER_HOUR = 3_600 * 10**9


def simulate_tickets(
    simulation: Simulation,
    *,
    seed: int | None = 0,
    tickets_per_order: float = 0.15,
    unresolved_share: float = 0.03,
) -> Tickets:
    """Service tickets opened by the customers of a simulated transaction log.

    Each order opens a ticket with probability ``tickets_per_order`` (at most one per
    order), an exponential number of days after it (mean 3). The channel is drawn from
    :data:`TICKET_CHANNELS` and the category from :data:`TICKET_CATEGORIES`; the first response
    comes an exponential time after opening (the channel's mean), and the resolution a
    log-normal time after that (the category's median, log-sd 1). A share
    ``unresolved_share`` of tickets is never resolved (abandoned), and responses or
    resolutions after ``simulation.observation_end`` are NaT (not yet); tickets that would
    open after it are dropped.

    Parameters
    ----------
    simulation : Simulation
        From :func:`~ecomstrat.datasets.simulate_transactions`.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same tickets.
    tickets_per_order : float, default 0.15
        Probability that an order leads to a ticket, in [0, 1].
    unresolved_share : float, default 0.03
        Probability that a ticket is never resolved, in [0, 1].

    Returns
    -------
    Tickets
        In order of opening, with ticket ids ``0..n-1``, the customers' ids, channels and
        categories.

    Raises
    ------
    InvalidInputError
        If an argument is out of range, or no ticket results (too few orders).

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> sim = simulate_transactions(300, seed=1)
    >>> tickets = simulate_tickets(sim, seed=1)
    >>> sorted(tickets.channel_names.tolist())
    ['chat', 'email', 'phone']
    >>> simulate_tickets(sim, seed=1).opened.tolist() == tickets.opened.tolist()
    True
    """
    if not isinstance(simulation, Simulation):
        raise invalid(
            "simulation", f"<{type(simulation).__name__}>", "must be a Simulation",
            "Use ecomstrat.datasets.simulate_transactions().",
        )  # fmt: skip
    rate = check_unit_interval("tickets_per_order", tickets_per_order)
    abandoned = check_unit_interval("unresolved_share", unresolved_share)
    rng = np.random.default_rng(_check_seed(seed))
    log = simulation.log
    end = np.array([simulation.observation_end]).astype(NS)[0]
    chosen = np.flatnonzero(rng.random(log.n_transactions) < rate)
    delay = rng.exponential(3.0 * 24 * _NS_PER_HOUR, chosen.size).astype(np.int64)
    opened = log.times[chosen] + delay.astype("timedelta64[ns]")
    keep = opened <= end
    chosen, opened = chosen[keep], opened[keep]
    n = int(chosen.size)
    if n == 0:
        raise invalid(
            "simulation", repr(simulation), "yields no ticket",
            "Simulate more customers or raise tickets_per_order.",
        )  # fmt: skip
    order = np.argsort(opened, kind="stable")
    chosen, opened = chosen[order], opened[order]
    channel_names = list(TICKET_CHANNELS)
    channel_share = np.array([TICKET_CHANNELS[c][0] for c in channel_names])
    channel = rng.choice(len(channel_names), size=n, p=channel_share / channel_share.sum())
    category_names = list(TICKET_CATEGORIES)
    category_share = np.array([TICKET_CATEGORIES[c][0] for c in category_names])
    category = rng.choice(len(category_names), size=n, p=category_share / category_share.sum())
    response_mean = np.array([TICKET_CHANNELS[c][1] for c in channel_names])[channel]
    response_hours = rng.exponential(1.0, n) * response_mean
    resolve_median = np.array([TICKET_CATEGORIES[c][1] for c in category_names])[category]
    resolve_hours = resolve_median * np.exp(rng.normal(0.0, 1.0, n))
    never = rng.random(n) < abandoned

    def after(start: DatetimeArray, hours: FloatArray) -> DatetimeArray:
        steps = np.round(hours * _NS_PER_HOUR).astype(np.int64).astype("timedelta64[ns]")
        return np.asarray(start + steps, dtype=NS)

    first_response = after(opened, response_hours)
    resolved = after(first_response, resolve_hours)
    nat = np.datetime64("NaT", "ns")
    resolved = np.where(never | (resolved > end), nat, resolved).astype(NS)
    first_response = np.where(first_response > end, nat, first_response).astype(NS)
    customers = log.customer_ids[log.customer_index[chosen]]
    return Tickets.from_arrays(
        opened,
        first_response=first_response,
        resolved=resolved,
        channel=np.array(channel_names, dtype=object)[channel],
        category=np.array(category_names, dtype=object)[category],
        customer_ids=customers,
        ticket_ids=np.arange(n, dtype=np.int64),
        timezone=log.timezone,
    )
