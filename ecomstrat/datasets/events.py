"""Simulated site events around a simulated transaction log (for the AARRR demo and tests)."""

from __future__ import annotations

import numpy as np

from ecomstrat._typing import AnyArray, FloatArray, IntArray
from ecomstrat._validation import check_non_negative, check_unit_interval, invalid
from ecomstrat.datasets.simulate import Simulation, _check_seed
from ecomstrat.frames.events import EventLog

__all__ = ["CHANNELS", "simulate_events"]

#: Acquisition channels of the simulated actors, with their shares.
#: (The paid ones are those of :func:`~ecomstrat.datasets.campaigns.simulate_campaigns`.)
CHANNELS: dict[str, float] = {"organic": 0.4, "search": 0.3, "social": 0.2, "email": 0.1}
#: Channels whose sessions start with an ad impression and a click.
_PAID = ("search", "social")
_NS_PER_MINUTE = 60_000_000_000


def simulate_events(
    simulation: Simulation,
    *,
    seed: int | None = 0,
    prospects_per_customer: float = 2.0,
    browse_sessions_per_order: float = 1.0,
    signup_probability: float = 0.3,
    activation_probability: float = 0.4,
    referral_probability: float = 0.15,
    referral_conversion: float = 0.3,
    cart_probability: float = 0.3,
    checkout_probability: float = 0.4,
    reminder_probability: float = 0.6,
    recovered_share: float = 0.1,
) -> EventLog:
    """Site events of a simulated customer base: visits, page views, ads, signups, referrals.

    Every order of ``simulation.log`` becomes a session ending in a ``purchase`` event (with
    the order's amount); customers also browse without buying, and prospects (new ids after
    the customers') visit without ever buying. Each actor has one channel (:data:`CHANNELS`);
    sessions in paid channels start with an ``impression`` and a ``click``, and paid actors
    see further impressions. Customers sign up and activate in their first purchase session;
    prospects sign up with ``signup_probability`` and then activate with
    ``activation_probability``. Buyers send a ``referral`` with ``referral_probability``,
    which brings a new actor (channel ``"referral"``, a ``referral_signup``) with
    ``referral_conversion``. Sessions carry ids; a browsing session has a geometric number of
    page views (one in two is a bounce).

    Carts (:mod:`ecomstrat.metrics.carts`): every order's session has a ``cart`` and a
    ``checkout`` event (2 and 1 minutes before its purchase); a browsing session ends with a
    ``cart`` with ``cart_probability``, followed by a ``checkout`` with
    ``checkout_probability``, and such a left cart gets a ``cart_reminder`` an hour later with
    ``reminder_probability``. A ``recovered_share`` of the orders were recovered carts: a
    ``cart`` 2 to 72 hours before the order and a ``cart_reminder`` an hour after it.

    Parameters
    ----------
    simulation : Simulation
        From :func:`~ecomstrat.datasets.simulate_transactions`.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same events.
    prospects_per_customer, browse_sessions_per_order : float
        Non-buying visitors per customer, and mean browsing sessions per order (>= 0).
    signup_probability, activation_probability, referral_probability, referral_conversion
        Probabilities in [0, 1].
    cart_probability, checkout_probability, reminder_probability, recovered_share
        Probabilities in [0, 1] of the cart events (see above).

    Returns
    -------
    EventLog
        Events in time order, actor ids ints (customers keep their ids), with sessions,
        channels and amounts (NaN except on purchases); no event after
        ``simulation.observation_end``.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> sim = simulate_transactions(200, seed=1)
    >>> events = simulate_events(sim, seed=1)
    >>> int((events.event_names[events.event_codes] == "purchase").sum()) == sim.log.n_transactions
    True
    >>> simulate_events(sim, seed=1).times.tolist() == events.times.tolist()
    True
    """
    if not isinstance(simulation, Simulation):
        raise invalid(
            "simulation", f"<{type(simulation).__name__}>", "must be a Simulation",
            "Use ecomstrat.datasets.simulate_transactions().",
        )  # fmt: skip
    prospects_ratio = check_non_negative("prospects_per_customer", prospects_per_customer)
    browse = check_non_negative("browse_sessions_per_order", browse_sessions_per_order)
    p_signup = check_unit_interval("signup_probability", signup_probability)
    p_activate = check_unit_interval("activation_probability", activation_probability)
    p_refer = check_unit_interval("referral_probability", referral_probability)
    p_convert = check_unit_interval("referral_conversion", referral_conversion)
    p_cart = check_unit_interval("cart_probability", cart_probability)
    p_checkout = check_unit_interval("checkout_probability", checkout_probability)
    p_remind = check_unit_interval("reminder_probability", reminder_probability)
    p_recovered = check_unit_interval("recovered_share", recovered_share)
    rng = np.random.default_rng(_check_seed(seed))
    log = simulation.log
    end = np.int64(simulation.observation_end.astype(np.int64))
    start = np.int64(log.times.min().astype(np.int64))
    n = log.n_customers
    names = list(CHANNELS)
    weights = np.array(list(CHANNELS.values()))
    n_prospects = round(prospects_ratio * n)
    channel = rng.choice(len(names), size=n + n_prospects, p=weights / weights.sum())

    # sessions: (actor, start ns, pages, purchase amount or NaN)
    order_actor = np.asarray(log.customer_ids[log.customer_index], dtype=np.int64)
    order_time = log.times.astype(np.int64)
    order_pages = 2 + rng.geometric(0.5, log.n_transactions)
    order_start = order_time - order_pages * _NS_PER_MINUTE
    acquired = np.asarray(simulation.acquired_at.astype(np.int64))
    n_browse = rng.poisson(browse, log.n_transactions)
    browse_actor = np.repeat(order_actor, n_browse)
    low = acquired[browse_actor]
    browse_start = low + (rng.random(browse_actor.size) * (end - low)).astype(np.int64)
    prospect_sessions = 1 + rng.poisson(0.5, n_prospects)
    prospect_actor = np.repeat(np.arange(n, n + n_prospects, dtype=np.int64), prospect_sessions)
    prospect_first = start + (rng.random(n_prospects) * (end - start)).astype(np.int64)
    prospect_start = prospect_first[prospect_actor - n] + (
        rng.random(prospect_actor.size) * (end - prospect_first[prospect_actor - n])
    ).astype(np.int64)
    is_first = np.ones(prospect_actor.size, dtype=bool)
    is_first[1:] = prospect_actor[1:] != prospect_actor[:-1]
    prospect_start = np.where(is_first, prospect_first[prospect_actor - n], prospect_start)
    browse_pages = rng.geometric(0.5, browse_actor.size + prospect_actor.size)

    actor = np.concatenate([order_actor, browse_actor, prospect_actor])
    begin = np.concatenate([order_start, browse_start, prospect_start])
    pages = np.concatenate([order_pages, browse_pages])
    amount = np.concatenate([log.amounts, np.full(browse_actor.size + prospect_actor.size, np.nan)])
    session_channel = channel[actor]
    rows = _session_events(actor, begin, pages, amount, session_channel, names)

    # signups, activations, referrals, extra impressions
    extra: list[tuple[IntArray, IntArray, list[str] | str, FloatArray | None, IntArray]] = []
    first_row = np.flatnonzero(np.r_[True, order_actor[1:] != order_actor[:-1]])
    buyers = order_actor[first_row]
    first_buy = order_time[first_row]
    extra.append((buyers, first_buy - 30_000_000_000, "signup", None, channel[buyers]))
    extra.append((buyers, first_buy + 1_000_000_000, "activation", None, channel[buyers]))
    prospects = np.arange(n, n + n_prospects, dtype=np.int64)
    signed = prospects[rng.random(n_prospects) < p_signup]
    signed_at = prospect_first[signed - n] + 2 * _NS_PER_MINUTE
    extra.append((signed, signed_at, "signup", None, channel[signed]))
    active = signed[rng.random(signed.size) < p_activate]
    extra.append((active, prospect_first[active - n] + 5 * _NS_PER_MINUTE, "activation", None,
                  channel[active]))  # fmt: skip
    referrers = buyers[rng.random(buyers.size) < p_refer]
    referred_at = order_time[first_row][np.isin(buyers, referrers)] + 3_600_000_000_000
    extra.append((referrers, referred_at, "referral", None, channel[referrers]))
    converted = referred_at[rng.random(referrers.size) < p_convert]
    newcomers = np.arange(n + n_prospects, n + n_prospects + converted.size, dtype=np.int64)
    joined = converted + (86_400_000_000_000 * rng.random(converted.size)).astype(np.int64)
    referral = len(names)
    extra.extend(
        (newcomers, joined, kind, None, np.full(newcomers.size, referral))
        for kind in ("visit", "referral_signup", "signup")
    )
    paid = np.flatnonzero(np.isin(channel, [names.index(c) for c in _PAID]))
    seen = rng.poisson(5.0, paid.size)
    viewer = np.repeat(paid, seen).astype(np.int64)
    viewer_low = np.where(viewer < n, acquired[np.minimum(viewer, n - 1)], start)
    viewed_at = viewer_low + (rng.random(viewer.size) * (end - viewer_low)).astype(np.int64)
    extra.append((viewer, viewed_at, "impression", None, channel[viewer]))
    # carts (drawn after every other event, so that the other events do not change)
    extra.append((order_actor, order_time - 2 * _NS_PER_MINUTE, "cart", None,
                  channel[order_actor]))  # fmt: skip
    extra.append((order_actor, order_time - _NS_PER_MINUTE, "checkout", None,
                  channel[order_actor]))  # fmt: skip
    left_actor = np.concatenate([browse_actor, prospect_actor])
    left_end = np.concatenate([browse_start, prospect_start]) + browse_pages * _NS_PER_MINUTE
    carted = rng.random(left_actor.size) < p_cart
    left_who, left_at = left_actor[carted], left_end[carted]
    extra.append((left_who, left_at, "cart", None, channel[left_who]))
    checked = rng.random(left_who.size) < p_checkout
    extra.append((left_who[checked], left_at[checked] + _NS_PER_MINUTE, "checkout", None,
                  channel[left_who[checked]]))  # fmt: skip
    reminded = rng.random(left_who.size) < p_remind
    extra.append((left_who[reminded], left_at[reminded] + 60 * _NS_PER_MINUTE, "cart_reminder",
                  None, channel[left_who[reminded]]))  # fmt: skip
    back = rng.random(order_actor.size) < p_recovered
    back_who = order_actor[back]
    back_cart = order_time[back] - (
        (2 + 70 * rng.random(back_who.size)) * 60 * _NS_PER_MINUTE
    ).astype(np.int64)
    extra.append((back_who, back_cart, "cart", None, channel[back_who]))
    extra.append((back_who, back_cart + 60 * _NS_PER_MINUTE, "cart_reminder", None,
                  channel[back_who]))  # fmt: skip

    actors, times, kinds, amounts, channels, sessions = rows
    next_session = int(sessions.max()) + 1 if sessions.size else 0
    all_actors = [actors]
    all_times = [times]
    all_kinds: list[AnyArray] = [np.asarray(kinds, dtype=object)]
    all_amounts = [amounts]
    all_channels = [channels]
    all_sessions = [sessions]
    for who, when, kind, _, via in extra:
        all_actors.append(who)
        all_times.append(when)
        all_kinds.append(np.full(who.size, kind, dtype=object))
        all_amounts.append(np.full(who.size, np.nan))
        all_channels.append(via)
        all_sessions.append(np.arange(next_session, next_session + who.size, dtype=np.int64))
        next_session += who.size
    when_all = np.minimum(np.concatenate(all_times), end)
    when_all = np.maximum(when_all, start) // 1_000_000_000 * 1_000_000_000  # whole seconds
    order = np.argsort(when_all, kind="stable")
    label = np.array([*names, "referral"], dtype=object)
    return EventLog.from_arrays(
        np.concatenate(all_actors)[order],
        np.concatenate(all_kinds)[order].astype(str),
        when_all[order].astype("datetime64[ns]"),
        session_ids=np.concatenate(all_sessions)[order],
        channels=label[np.concatenate(all_channels)[order]],
        amounts=np.concatenate(all_amounts)[order],
    )


def _session_events(
    actor: IntArray,
    begin: IntArray,
    pages: IntArray,
    amount: FloatArray,
    channel: IntArray,
    names: list[str],
) -> tuple[IntArray, IntArray, object, FloatArray, IntArray, IntArray]:
    """Each session's events: [impression, click,] visit, page views, [purchase]."""
    session = np.arange(actor.size, dtype=np.int64)
    paid = np.isin(channel, [names.index(c) for c in _PAID])
    bought = ~np.isnan(amount)
    # page-type events: the visit (landing page) then pages - 1 page views, a minute apart
    owner = np.repeat(session, pages)
    step = np.arange(owner.size) - np.repeat(np.cumsum(pages) - pages, pages)
    page_kind = np.where(step == 0, "visit", "page_view").astype(object)
    page_time = begin[owner] + step * _NS_PER_MINUTE
    ads = session[paid]
    parts_session = [owner, ads, ads, session[bought]]
    parts_time = [
        page_time,
        begin[ads] - 30_000_000_000,
        begin[ads] - 5_000_000_000,
        begin[bought] + pages[bought] * _NS_PER_MINUTE,
    ]
    parts_kind = [
        page_kind,
        np.full(ads.size, "impression", dtype=object),
        np.full(ads.size, "click", dtype=object),
        np.full(int(bought.sum()), "purchase", dtype=object),
    ]
    parts_amount = [
        np.full(owner.size + 2 * ads.size, np.nan),
        amount[bought],
    ]
    sessions = np.concatenate(parts_session)
    return (
        actor[sessions],
        np.concatenate(parts_time),
        np.concatenate(parts_kind),
        np.concatenate(parts_amount),
        channel[sessions],
        sessions,
    )
