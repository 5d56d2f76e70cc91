"""AARRR KPIs: a hand-worked event log, groupings, mappings and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.exceptions import InvalidInputError, UnknownCodeError
from ecomstrat.frames.events import EventLog
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.aarrr import EVENT_TYPES, KPI_DEFINITIONS, aarrr_kpis, session_index
from ecomstrat.metrics.engagement import wilson_interval

NAN = math.nan

# actor, event type, time, channel, amount
ROWS = [
    ("a", "impression", "2024-01-01T09:59:00", "paid", NAN),
    ("a", "click", "2024-01-01T09:59:30", "paid", NAN),
    ("a", "visit", "2024-01-01T10:00", "paid", NAN),
    ("a", "page_view", "2024-01-01T10:02", "paid", NAN),
    ("a", "signup", "2024-01-01T10:03", "paid", NAN),
    ("a", "purchase", "2024-01-01T10:05", "paid", 40.0),
    ("a", "visit", "2024-02-10T12:00", "paid", NAN),
    ("a", "purchase", "2024-02-10T12:03", "paid", 20.0),
    ("b", "impression", "2024-01-02T08:00", "paid", NAN),
    ("b", "visit", "2024-01-03T09:00", "organic", NAN),
    ("b", "signup", "2024-01-03T09:01", "organic", NAN),
    ("b", "activation", "2024-01-03T09:02", "organic", NAN),
    ("b", "referral", "2024-01-20T12:00", "organic", NAN),
    ("c", "visit", "2024-01-05T15:00", "organic", NAN),
    ("c", "visit", "2024-02-15T15:00", "organic", NAN),
    ("c", "page_view", "2024-02-15T15:05", "organic", NAN),
    ("d", "referral_signup", "2024-02-01T08:00", "referral", NAN),
    ("d", "visit", "2024-02-01T08:00", "referral", NAN),
]


def _events(rows=ROWS, *, amounts: bool = True, names: dict[str, str] | None = None) -> EventLog:
    rename = names or {}
    return EventLog.from_arrays(
        [r[0] for r in rows],
        [rename.get(r[1], r[1]) for r in rows],
        [r[2] for r in rows],
        channels=[r[3] for r in rows],
        amounts=[r[4] for r in rows] if amounts else None,
    )


@pytest.fixture(scope="module")
def overall():
    return aarrr_kpis(_events(), spend={"paid": 100.0})


def test_hand_worked_overall(overall):
    value = overall.value_of
    # impressions: a, b = 2; clicks: a = 1
    assert value("click_through_rate") == 1 / 2
    # visitors (visit or page view): a, b, c, d = 4; signed up: a, b
    assert value("signup_rate") == 2 / 4
    # purchasers among visitors: a
    assert value("conversion_rate") == 1 / 4
    # sessions (30 min timeout) with pages: a Jan 1 (2 pages), a Feb 10 (1), b Jan 3 (1),
    # c Jan 5 (1), c Feb 15 (2), d Feb 1 (1): 4 of 6 have one page view
    assert value("bounce_rate") == 4 / 6
    # spend 100 / new customers 1 (a's first purchase)
    assert value("cost_per_acquisition") == 100.0
    # signed up a, b; activation events exist, and only b has one
    assert value("activation_rate") == 1 / 2
    assert value("active_users") == 4
    # January's actors a, b, c; a and c are back in February
    assert value("retention_rate") == 2 / 3
    # purchasers: a with 2 purchases
    assert value("repurchase_rate") == 1.0
    # visitors with two sessions with pages: a, c
    assert value("revisit_rate") == 2 / 4
    # revenue 40 + 20 = 60 over 4 active users and 2 purchases
    assert value("arpu") == 15.0
    assert value("average_order_value") == 30.0
    # referrers: b; 1 referral signup of 1 referral; K = 1 signup / 4 users
    assert value("referral_rate") == 1 / 4
    assert value("referral_conversion_rate") == 1.0
    assert value("viral_coefficient") == 0.25


def test_rows_are_in_definition_order_with_definitions(overall):
    assert overall.kpi.tolist() == list(KPI_DEFINITIONS)
    assert set(overall.stage.tolist()) == {
        "acquisition", "activation", "retention", "revenue", "referral",
    }  # fmt: skip
    for kpi, definition, source in zip(
        overall.kpi, overall.definition, overall.source, strict=True
    ):
        assert definition == KPI_DEFINITIONS[str(kpi)].definition
        assert source


def test_rates_carry_the_wilson_interval(overall):
    rows = overall.kpi == "click_through_rate"
    low, high = wilson_interval(1, n=2)
    assert overall.lower[rows][0] == pytest.approx(float(low))
    assert overall.upper[rows][0] == pytest.approx(float(high))
    for kpi in ("active_users", "arpu", "average_order_value", "viral_coefficient"):
        assert math.isnan(overall.lower[overall.kpi == kpi][0])


def test_by_channel():
    table = aarrr_kpis(_events(), by="channel", spend={"paid": 100.0})
    value = table.value_of
    # paid events: all of a's, and b's impression
    assert value("active_users", channel="paid") == 2
    assert value("click_through_rate", channel="paid") == 1 / 2
    assert value("conversion_rate", channel="paid") == 1.0  # a of visitor a
    assert value("bounce_rate", channel="paid") == 1 / 2  # a's sessions: 2 pages, 1 page
    assert value("activation_rate", channel="paid") == 0.0  # a signed up, never activated
    assert value("retention_rate", channel="paid") == 1 / 2  # January a, b; February a
    assert value("arpu", channel="paid") == 30.0  # 60 / 2
    assert value("cost_per_acquisition", channel="paid") == 100.0
    assert "cost_per_acquisition" not in table.kpi[table.channel == "organic"].tolist()
    assert value("active_users", channel="referral") == 1


def test_by_period():
    table = aarrr_kpis(_events(), by="period")
    feb = "2024-02-01"
    assert table.period is not None
    assert table.value_of("active_users", period=feb) == 3  # a, c, d
    assert table.value_of("retention_rate", period=feb) == 2 / 3  # a, c of a, b, c
    assert math.isnan(table.value_of("retention_rate", period="2024-01-01"))
    assert table.value_of("arpu", period=feb) == pytest.approx(20 / 3)
    assert table.value_of("bounce_rate", period=feb) == 2 / 3  # a (1), c (2), d (1)
    frame = table.to_pandas()
    assert list(frame.columns[:3]) == ["period", "stage", "kpi"]


def test_by_period_and_channel():
    table = aarrr_kpis(_events(), by=("period", "channel"), period="week")
    assert table.period is not None
    assert table.channel is not None
    assert table.period_unit == "week"
    assert {"period", "channel", "kpi"} <= set(table.columns())


def test_user_event_names_are_mapped():
    names = {"page_view": "pv", "purchase": "order_completed"}
    events = _events(names=names)
    mapping = {"pv": "page_view", "order_completed": "purchase"}
    mapped = aarrr_kpis(events, event_names=mapping)
    expected = aarrr_kpis(_events())
    np.testing.assert_array_equal(mapped.value, expected.value)
    unmapped = aarrr_kpis(events)  # "pv" and "order_completed" are not read
    assert unmapped.value_of("conversion_rate") == 0.0
    with pytest.raises(UnknownCodeError, match="page_veiw"):
        aarrr_kpis(events, event_names={"pv": "page_veiw"})


def test_revenue_from_joined_transactions():
    log = TransactionLog.from_arrays(
        ["a", "a", "z"],
        ["2024-01-01T10:05", "2024-02-10T12:03", "2024-01-10"],
        [40.0, 20.0, 99.0],  # z has no events: not counted
    )
    table = aarrr_kpis(_events(amounts=False), transactions=log)
    assert table.value_of("arpu") == 15.0  # 60 / 4
    assert table.value_of("average_order_value") == 30.0  # 60 / 2 orders
    without = aarrr_kpis(_events(amounts=False))
    assert "arpu" not in without.kpi.tolist()
    ints = TransactionLog.from_arrays([1], ["2024-01-01"], [1.0])
    with pytest.raises(InvalidInputError, match="same kind"):
        aarrr_kpis(_events(amounts=False), transactions=ints)


def test_sessions_from_ids_or_timeout():
    events = EventLog.from_arrays(
        ["a", "a", "a"],
        ["visit", "page_view", "visit"],
        ["2024-01-01T10:00", "2024-01-01T10:29", "2024-01-01T11:00"],
    )
    assert session_index(events).tolist() == [0, 0, 1]  # 31 minutes > 30
    assert session_index(events, timeout_minutes=45).tolist() == [0, 0, 0]
    given = EventLog.from_arrays(
        ["a", "a", "a"], ["visit"] * 3, ["2024-01-01"] * 3, session_ids=["s", "t", "s"]
    )
    assert session_index(given).tolist() == [0, 1, 0]


def test_bad_arguments():
    events = _events()
    with pytest.raises(UnknownCodeError):
        aarrr_kpis(events, by="campaign")
    with pytest.raises(InvalidInputError, match="period"):
        aarrr_kpis(events, period="day")
    with pytest.raises(InvalidInputError, match="spend"):
        aarrr_kpis(events, spend=-1.0)
    with pytest.raises(InvalidInputError, match="events"):
        aarrr_kpis("events.csv")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="channels"):
        aarrr_kpis(EventLog.from_arrays(["a"], ["visit"], ["2024-01-01"]), by="channel")


def test_more_clicks_than_impressions_have_no_interval():
    events = EventLog.from_arrays(["a"] * 3, ["impression", "click", "click"], ["2024-01-01"] * 3)
    table = aarrr_kpis(events)
    assert table.value_of("click_through_rate") == 2.0
    row = table.kpi == "click_through_rate"
    assert math.isnan(table.lower[row][0])


def test_vocabulary_is_documented():
    assert "page_view" in EVENT_TYPES
    assert "referral_signup" in EVENT_TYPES


@st.composite
def event_logs(draw):
    n = draw(st.integers(1, 40))
    actors = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    kinds = draw(st.lists(st.sampled_from(EVENT_TYPES), min_size=n, max_size=n))
    minutes = draw(st.lists(st.integers(0, 60 * 24 * 90), min_size=n, max_size=n))
    channels = draw(st.lists(st.sampled_from(["a", "b", None]), min_size=n, max_size=n))
    times = np.datetime64("2024-01-01", "ns") + np.array(minutes) * np.timedelta64(1, "m")
    return EventLog.from_arrays(actors, kinds, times, channels=channels)


#: Rates whose numerator counts actors or sessions within the denominator's.
PROPORTIONS = [
    k for k, d in KPI_DEFINITIONS.items()
    if d.rate and k not in ("click_through_rate", "referral_conversion_rate")
]  # fmt: skip


@given(event_logs(), st.sampled_from([None, "period", "channel"]))
def test_rates_lie_in_the_unit_interval_and_inside_their_interval(events, by):
    table = aarrr_kpis(events, by=by)
    for i in range(table.n_rows):
        value = float(table.value[i])
        if str(table.kpi[i]) in PROPORTIONS and not math.isnan(value):
            assert 0.0 <= value <= 1.0
            assert table.lower[i] <= value + 1e-12
            assert value <= table.upper[i] + 1e-12
        if KPI_DEFINITIONS[str(table.kpi[i])].rate and not math.isnan(table.lower[i]):
            assert 0.0 <= table.lower[i] <= value + 1e-12 <= table.upper[i] + 2e-12 <= 1 + 3e-12
