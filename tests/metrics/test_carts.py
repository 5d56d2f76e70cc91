"""Cart abandonment: hand-worked episodes, grouping, errors, properties, report part."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.datasets import simulate_transactions
from ecomstrat.datasets.events import simulate_events
from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames.events import EventLog
from ecomstrat.metrics.carts import CART_EVENT_TYPES, cart_abandonment
from ecomstrat.metrics.engagement import wilson_interval
from ecomstrat.report.carts import carts_overview

NAN = float("nan")
LATE = "2024-12-31"  # judge every episode


def _log(rows, *, channels=None, amounts=True):
    actors, kinds, times, values = zip(*rows, strict=True)
    return EventLog.from_arrays(
        list(actors),
        list(kinds),
        list(times),
        channels=channels,
        amounts=list(values) if amounts else None,
    )


# a: cart, checkout, bought an hour later -> kept (not abandoned)
# b: cart, checkout, reminder next day, bought 6 h after the reminder -> abandoned, recovered
# c: cart, reminder, never bought -> abandoned, reminded, lost
# d: cart on the 5th, cart again on the 6th (same episode: within 7 days of the 5th),
#    purchase on the 20th (after the window ending on the 12th) -> one abandoned episode
ROWS = [
    ("a", "cart", "2024-01-01T00:00", NAN),
    ("a", "checkout", "2024-01-01T00:30", NAN),
    ("a", "purchase", "2024-01-01T01:00", 20.0),
    ("b", "cart", "2024-01-02T00:00", NAN),
    ("b", "checkout", "2024-01-02T00:10", NAN),
    ("b", "cart_reminder", "2024-01-03T00:00", NAN),
    ("b", "purchase", "2024-01-03T06:00", 35.0),
    ("c", "cart", "2024-01-04T00:00", NAN),
    ("c", "cart_reminder", "2024-01-04T12:00", NAN),
    ("d", "cart", "2024-01-05T00:00", NAN),
    ("d", "cart", "2024-01-06T00:00", NAN),
    ("d", "purchase", "2024-01-20T00:00", 50.0),
]


def test_hand_worked_episodes():
    carts = cart_abandonment(_log(ROWS), observation_end=LATE)
    assert carts.n_rows == 1
    assert carts.carts.tolist() == [4.0]  # a, b, c, d (d's second cart joins its first)
    assert carts.abandoned.tolist() == [3.0]  # b (reminded first), c, d
    assert carts.abandonment_rate.tolist() == [0.75]  # 3 / 4
    low, high = wilson_interval(3, n=4)
    assert carts.abandonment_lower[0] == pytest.approx(float(low))
    assert carts.abandonment_upper[0] == pytest.approx(float(high))
    assert carts.checkouts.tolist() == [2.0]  # a, b
    assert carts.checkout_abandoned.tolist() == [1.0]  # b
    assert carts.checkout_abandonment_rate.tolist() == [0.5]  # 1 / 2
    assert carts.reminders_sent.tolist() == [2.0]  # b, c
    assert carts.reminded.tolist() == [2.0]
    assert carts.recovered.tolist() == [1.0]  # b
    assert carts.recovery_rate.tolist() == [0.5]  # 1 / 2
    assert carts.revenue_recovered.tolist() == [35.0]  # b's purchase
    assert carts.median_hours_to_recovery.tolist() == [6.0]  # 00:00 -> 06:00 on the 3rd
    assert carts.open_carts == 0
    assert carts.window_days == 7.0


def test_window_is_inclusive_and_tunable():
    # purchase exactly 7 days after the cart closes it; one second later does not
    on_time = _log([("a", "cart", "2024-01-01", NAN), ("a", "purchase", "2024-01-08", 1.0)])
    late = _log([("a", "cart", "2024-01-01", NAN), ("a", "purchase", "2024-01-08T00:00:01", 1.0)])
    assert cart_abandonment(on_time).abandoned.tolist() == [0.0]
    assert cart_abandonment(late, observation_end=LATE).abandoned.tolist() == [1.0]
    # with a 10-day window the late purchase closes the episode
    assert cart_abandonment(late, window_days=10).abandoned.tolist() == [0.0]


def test_a_purchase_ends_the_episode_and_a_later_cart_opens_another():
    # cart, purchase an hour later (kept); cart the next day, never bought (abandoned)
    log = _log(
        [
            ("a", "cart", "2024-01-01T00:00", NAN),
            ("a", "purchase", "2024-01-01T01:00", 10.0),
            ("a", "cart", "2024-01-02T00:00", NAN),
        ]
    )
    carts = cart_abandonment(log, observation_end=LATE)
    assert carts.carts.tolist() == [2.0]
    assert carts.abandoned.tolist() == [1.0]  # 1 / 2
    # a reminder after the purchase belongs to no episode: not counted
    log = _log([*ROWS, ("a", "cart_reminder", "2024-01-01T02:00", NAN)])
    assert cart_abandonment(log, observation_end=LATE).reminders_sent.tolist() == [2.0]


def test_open_episodes_are_left_out_until_their_window_ends():
    # x: judged (bought); y: cart on the 10th, the log ends on the 10th -> open
    log = _log(
        [
            ("x", "cart", "2024-01-01", NAN),
            ("x", "purchase", "2024-01-01T01:00", 5.0),
            ("y", "cart", "2024-01-10", NAN),
        ]
    )
    carts = cart_abandonment(log)  # judged at the last event, the 10th
    assert (carts.carts.tolist(), carts.open_carts) == ([1.0], 1)
    assert carts.abandonment_rate.tolist() == [0.0]  # 0 / 1
    carts = cart_abandonment(log, observation_end="2024-01-17")  # y's window is over
    assert (carts.carts.tolist(), carts.open_carts) == ([2.0], 0)
    assert carts.abandonment_rate.tolist() == [0.5]  # 1 / 2


def test_by_channel_and_period_split_the_overall_row():
    channels = ["web", "web", "web", "app", "app", "app", "app", None, None, "web", "web", "web"]
    log = _log(ROWS, channels=channels)
    by_channel = cart_abandonment(log, by="channel", observation_end=LATE)
    # groups by the channel of the opening cart, in code order: none (c), web (a, d), app (b)
    assert by_channel.channel.tolist() == ["", "web", "app"]
    assert by_channel.carts.tolist() == [1.0, 2.0, 1.0]
    assert by_channel.abandoned.tolist() == [1.0, 1.0, 1.0]  # c; d; b
    assert by_channel.abandonment_rate.tolist() == [1.0, 0.5, 1.0]  # 1/1, 1/2, 1/1
    assert by_channel.recovered.tolist() == [0.0, 0.0, 1.0]
    by_week = cart_abandonment(log, by="period", period="week", observation_end=LATE)
    # ISO weeks: Mon 2024-01-01 holds every cart
    assert by_week.period.astype("datetime64[D]").tolist() == [
        np.datetime64("2024-01-01", "D").item()
    ]
    assert by_week.carts.tolist() == [4.0]
    both = cart_abandonment(log, by=["period", "channel"], observation_end=LATE)
    assert both.carts.sum() == 4.0
    frame = both.to_pandas()
    assert list(frame.columns[:3]) == ["period", "channel", "carts"]


def test_event_name_mapping_and_missing_amounts():
    renamed = [
        (a, {"cart": "add_to_cart", "purchase": "order"}.get(k, k), t, v) for a, k, t, v in ROWS
    ]
    log = _log(renamed, amounts=False)
    carts = cart_abandonment(
        log, event_names={"add_to_cart": "cart", "order": "purchase"}, observation_end=LATE
    )
    assert carts.carts.tolist() == [4.0]
    assert carts.recovered.tolist() == [1.0]
    assert math.isnan(carts.revenue_recovered[0])  # no amounts in the log
    # without the mapping there are no carts: zero episodes, rates undefined
    empty = cart_abandonment(log, observation_end=LATE)
    assert empty.carts.tolist() == [0.0]
    assert math.isnan(empty.abandonment_rate[0])


def test_bad_input_is_named():
    log = _log(ROWS)
    with pytest.raises(InvalidInputError, match="events"):
        cart_abandonment(ROWS)
    with pytest.raises(InvalidInputError, match="event_names"):
        cart_abandonment(log, event_names={"x": "basket"})
    with pytest.raises(InvalidInputError, match="by"):
        cart_abandonment(log, by="channel")  # no channels
    with pytest.raises(InvalidInputError, match="window_days"):
        cart_abandonment(log, window_days=0)
    with pytest.raises(InvalidInputError, match="period"):
        cart_abandonment(log, period="day")
    with pytest.raises(InvalidInputError, match="confidence"):
        cart_abandonment(log, confidence=1.5)


@st.composite
def cart_logs(draw):
    n = draw(st.integers(1, 40))
    actors = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    kinds = draw(st.lists(st.sampled_from(CART_EVENT_TYPES), min_size=n, max_size=n))
    hours = draw(st.lists(st.integers(0, 24 * 40), min_size=n, max_size=n))
    channels = draw(st.lists(st.sampled_from(["web", "app", None]), min_size=n, max_size=n))
    times = np.datetime64("2024-01-01", "ns") + np.array(hours) * np.timedelta64(1, "h")
    amounts = [10.0 if k == "purchase" else NAN for k in kinds]
    return EventLog.from_arrays(actors, kinds, times, channels=channels, amounts=amounts)


@given(cart_logs(), st.sampled_from([None, "period", "channel"]), st.sampled_from([1.0, 7.0]))
def test_rates_are_shares_and_counts_nest(events, by, window):
    carts = cart_abandonment(events, by=by, window_days=window, observation_end="2024-03-31")
    for rate, low, high in (
        (carts.abandonment_rate, carts.abandonment_lower, carts.abandonment_upper),
        (carts.checkout_abandonment_rate, carts.checkout_lower, carts.checkout_upper),
        (carts.recovery_rate, carts.recovery_lower, carts.recovery_upper),
    ):
        defined = ~np.isnan(rate)
        assert ((rate[defined] >= 0) & (rate[defined] <= 1)).all()
        assert (low[defined] <= rate[defined] + 1e-12).all()
        assert (rate[defined] <= high[defined] + 1e-12).all()
    assert (carts.recovered <= carts.reminded).all()
    assert (carts.reminded <= carts.abandoned).all()
    assert (carts.recovered <= carts.abandoned).all()
    assert (carts.abandoned <= carts.carts).all()
    assert (carts.checkout_abandoned <= carts.checkouts).all()
    assert (carts.checkouts <= carts.carts).all()
    assert (carts.reminders_sent >= carts.reminded).all()
    overall = cart_abandonment(events, window_days=window, observation_end="2024-03-31")
    assert carts.carts.sum() == overall.carts[0]
    assert carts.recovered.sum() == overall.recovered[0]
    assert carts.revenue_recovered.sum() == pytest.approx(overall.revenue_recovered[0])
    # every opening cart event is one episode at most
    n_cart_events = int((events.event_names[events.event_codes] == "cart").sum())
    assert overall.carts[0] + overall.open_carts <= n_cart_events


@pytest.fixture(scope="module")
def simulated():
    simulation = simulate_transactions(300, seed=3)
    return simulation, simulate_events(simulation, seed=3)


def test_simulated_carts_are_consistent_with_the_orders(simulated):
    simulation, events = simulated
    names = events.event_names[events.event_codes]
    assert {"cart", "checkout", "cart_reminder"} <= set(names.tolist())
    assert (names == "purchase").sum() == simulation.log.n_transactions
    again = simulate_events(simulation, seed=3)
    np.testing.assert_array_equal(again.times, events.times)
    carts = cart_abandonment(events)
    # every order has its cart: at least as many kept episodes as buyers' orders bunch into
    assert 0 < carts.abandoned[0] < carts.carts[0]
    assert 0 < carts.recovered[0] < carts.reminded[0]
    assert carts.revenue_recovered[0] > 0
    assert carts.median_hours_to_recovery[0] > 0


def test_report_part(simulated):
    _, events = simulated
    part = carts_overview(events)
    titles = [s.title for s in part.sections()]
    assert titles == [
        "Cart abandonment",
        "Cart abandonment by channel",
        "Cart abandonment by month",
    ]
    data = part.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["overall"]["carts"] == [float(part.overall.carts[0])]
    assert sum(data["by_channel"]["carts"]) == data["overall"]["carts"][0]
    assert part.sections()[0].rows[0][1] == f"{round(float(part.overall.carts[0])):,}"


def test_report_part_without_carts_says_why():
    log = EventLog.from_arrays(["a", "a"], ["visit", "purchase"], ["2024-01-01", "2024-01-02"])
    with pytest.raises(EmptyInputError, match="no cart events"):
        carts_overview(log)
    with pytest.raises(InvalidInputError, match="events"):
        carts_overview("events.csv")
