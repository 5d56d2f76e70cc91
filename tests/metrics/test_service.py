"""Service levels: SLA share, resolution times, backlog, top categories, cost per channel."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames.tickets import Tickets
from ecomstrat.metrics.engagement import self_service_saving, wilson_interval
from ecomstrat.metrics.service import (
    service_cost_by_channel,
    service_levels,
    ticket_backlog,
    top_categories,
)

END = "2024-01-10T00:00"


def _tickets() -> Tickets:
    """Six tickets, observation end 2024-01-10 00:00 (Jan 1 is a Monday).

    ====  ===========  ============  ============  =======  ========
    id    opened       first resp.   resolved      channel  category
    ====  ===========  ============  ============  =======  ========
    A     01-01 00:00  00:30         01-01 06:00   email    late       6 h
    B     01-01 00:00  02:00         01-02 12:00   chat     late      36 h
    C     01-02 00:00  01:00         01-03 00:00   email    refund    24 h (= SLA)
    D     01-05 00:00  -             -             chat     late      open
    E     01-09 12:00  13:00         01-09 14:00   email    -          2 h, too recent
    F     01-08 00:00  -             01-11 00:00   -        refund    after the end
    ====  ===========  ============  ============  =======  ========
    """
    return Tickets.from_arrays(
        ["2024-01-01T00:00", "2024-01-01T00:00", "2024-01-02T00:00", "2024-01-05T00:00",
         "2024-01-09T12:00", "2024-01-08T00:00"],
        first_response=["2024-01-01T00:30", "2024-01-01T02:00", "2024-01-02T01:00", None,
                        "2024-01-09T13:00", None],
        resolved=["2024-01-01T06:00", "2024-01-02T12:00", "2024-01-03T00:00", None,
                  "2024-01-09T14:00", "2024-01-11T00:00"],
        channel=["email", "chat", "email", "chat", "email", None],
        category=["late", "late", "refund", "late", None, "refund"],
        ticket_ids=list("ABCDEF"),
    )  # fmt: skip


def test_service_levels_hand_worked() -> None:
    levels = service_levels(_tickets(), observation_end=END)
    # Resolved by the end: A, B, C, E (F's resolution comes after it) -> 4 of 6.
    assert levels.tickets.tolist() == [6]
    assert levels.resolved.tolist() == [4]
    # Eligible = opened at least 24 h before Jan 10: all but E (12 h) -> 5.
    # Within 24 h: A (6 h) and C (24 h, the bound counts) -> 2 / 5 = 0.4.
    assert levels.eligible.tolist() == [5]
    assert levels.within_sla.tolist() == [2]
    assert levels.share_within_sla[0] == pytest.approx(0.4)
    low, high = wilson_interval(2, n=5)
    assert levels.share_low[0] == pytest.approx(float(low))
    assert levels.share_high[0] == pytest.approx(float(high))
    # Resolution hours sorted [2, 6, 24, 36]: median (6 + 24) / 2 = 15;
    # p90 at position 0.9 x 3 = 2.7: 24 + 0.7 x (36 - 24) = 32.4.
    assert levels.median_resolution_hours[0] == pytest.approx(15.0)
    assert levels.p90_resolution_hours[0] == pytest.approx(32.4)
    # First response hours [0.5, 2, 1, 1] -> sorted [0.5, 1, 1, 2], median 1.
    assert levels.median_first_response_hours[0] == pytest.approx(1.0)
    assert str(levels.observation_end) == "2024-01-10T00:00:00.000000000"
    assert list(levels.columns())[:2] == ["group", "tickets"]


def test_service_levels_by_channel() -> None:
    levels = service_levels(_tickets(), observation_end=END, by="channel")
    assert levels.groups.tolist() == ["email", "chat", "(none)"]
    # email: A, C, E; all resolved; eligible A, C; both within -> 1.0.
    # chat: B, D; B resolved; both eligible; none within -> 0.0.
    # (none): F; open at the end; eligible; not within -> 0.0; no resolution time.
    assert levels.tickets.tolist() == [3, 2, 1]
    assert levels.resolved.tolist() == [3, 1, 0]
    assert levels.eligible.tolist() == [2, 2, 1]
    assert levels.within_sla.tolist() == [2, 0, 0]
    assert levels.share_within_sla.tolist() == [1.0, 0.0, 0.0]
    # email resolution hours [6, 24, 2] -> median 6; chat [36] -> 36.
    assert levels.median_resolution_hours[:2].tolist() == [6.0, 36.0]
    assert math.isnan(levels.median_resolution_hours[2])


def test_service_levels_sla_and_default_end() -> None:
    # SLA 48 h: eligible = opened by Jan 8 00:00 -> A, B, C, D, F (F exactly at the bound);
    # within 48 h: A, B, C -> 3 / 5.
    levels = service_levels(_tickets(), sla_hours=48, observation_end=END)
    assert (levels.eligible[0], levels.within_sla[0]) == (5, 3)
    # Default end = latest recorded time, F's resolution (Jan 11): F resolved in 72 h.
    default = service_levels(_tickets())
    assert str(default.observation_end).startswith("2024-01-11T00:00")
    assert default.resolved.tolist() == [5]


def test_service_levels_nothing_eligible_is_nan() -> None:
    t = Tickets.from_arrays(["2024-01-01T00:00"], resolved=["2024-01-01T01:00"])
    levels = service_levels(t, observation_end="2024-01-01T02:00")
    assert levels.eligible.tolist() == [0]
    assert math.isnan(levels.share_within_sla[0])
    assert math.isnan(levels.share_low[0])
    assert levels.median_resolution_hours.tolist() == [1.0]


def test_backlog_hand_worked() -> None:
    b = ticket_backlog(_tickets(), observation_end=END)
    # Week of Jan 1, counted at Jan 8 00:00: opened before A, B, C, D; resolved before
    # A, B, C -> open 1 (D). F opens exactly at Jan 8 and counts in the next week.
    # Week of Jan 8, counted at the end (Jan 10): opened 6, resolved A, B, C, E -> open 2.
    assert b.open.tolist() == [1, 2]
    assert b.opened.tolist() == [4, 2]
    assert b.resolved.tolist() == [3, 1]
    assert [str(x)[:10] for x in b.period_start] == ["2024-01-01", "2024-01-08"]
    assert str(b.as_of[-1]).startswith("2024-01-10")
    daily = ticket_backlog(_tickets(), freq="day", observation_end=END)
    assert len(daily.open) == 10
    assert daily.open[0] == 1
    with pytest.raises(InvalidInputError, match="freq"):
        ticket_backlog(_tickets(), freq="year")


def test_top_categories_hand_worked() -> None:
    top = top_categories(_tickets(), k=5)
    # late: A, B, D (3 / 6 = 0.5); refund: C, F (2 / 6); E has none and is not listed.
    assert top.categories.tolist() == ["late", "refund"]
    assert top.tickets.tolist() == [3, 2]
    assert top.share.tolist() == pytest.approx([0.5, 2 / 6])
    # late: [6, 36] -> 21 h; refund: C 24 h, F 72 h -> 48 h.
    assert top.median_resolution_hours.tolist() == [21.0, 48.0]
    assert top_categories(_tickets(), k=1).categories.tolist() == ["late"]


def test_cost_per_channel_and_self_service() -> None:
    cost = service_cost_by_channel(_tickets(), cost_per_contact={"email": 5.0, "chat": 4.0})
    # email 3 x 5 = 15, chat 2 x 4 = 8 (F has no channel) -> 23.
    assert cost.channels.tolist() == ["email", "chat"]
    assert cost.cost.tolist() == [15.0, 8.0]
    assert cost.total == 23.0
    shift = self_service_saving(cost, shift_share=0.5, self_service_cost_per_contact=0.1)
    # 1.5 x (5 - 0.1) + 1 x (4 - 0.1) = 7.35 + 3.9 = 11.25.
    assert shift.total_saving == pytest.approx(11.25)
    with pytest.raises(InvalidInputError, match="cost_per_contact"):
        service_cost_by_channel(_tickets(), cost_per_contact={"email": 5.0})


def test_bad_input() -> None:
    bare = Tickets.from_arrays(["2024-01-01"])
    with pytest.raises(InvalidInputError, match="resolution"):
        service_levels(bare)
    with pytest.raises(InvalidInputError, match="resolution"):
        ticket_backlog(bare)
    with pytest.raises(InvalidInputError, match="categor"):
        top_categories(bare)
    with pytest.raises(InvalidInputError, match="channel"):
        service_cost_by_channel(bare, cost_per_contact={"email": 1.0})
    with pytest.raises(InvalidInputError, match="by"):
        service_levels(_tickets(), by="product")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="by"):
        service_levels(Tickets.from_arrays(["2024-01-01"], resolved=[None]), by="channel")
    with pytest.raises(InvalidInputError, match="sla_hours"):
        service_levels(_tickets(), sla_hours=0)
    with pytest.raises(InvalidInputError, match="tickets"):
        service_levels([1, 2])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="k"):
        top_categories(_tickets(), k=0)


@st.composite
def _random_tickets(draw: st.DrawFn) -> Tickets:
    n = draw(st.integers(1, 30))
    opened = draw(st.lists(st.integers(0, 500), min_size=n, max_size=n))
    delays = draw(st.lists(st.one_of(st.none(), st.integers(0, 100)), min_size=n, max_size=n))
    channels = draw(st.lists(st.sampled_from(["a", "b", None]), min_size=n, max_size=n))
    base = np.datetime64("2024-01-01T00:00", "ns")
    hour = np.timedelta64(3_600 * 10**9, "ns")
    starts = base + np.array(opened) * hour
    resolved = np.array(
        [np.datetime64("NaT", "ns") if d is None else s + d * hour for s, d in
         zip(starts, delays, strict=True)], dtype="datetime64[ns]",
    )  # fmt: skip
    return Tickets.from_arrays(starts, resolved=resolved, channel=channels)


@given(_random_tickets(), st.floats(0.5, 100), st.integers(0, 700))
def test_invariants(tickets: Tickets, sla: float, end_hours: int) -> None:
    end = np.datetime64("2024-01-01T00:00", "ns") + np.timedelta64(end_hours * 3_600, "s")
    if not (tickets.opened <= end).any():
        end = tickets.opened.max()
    levels = service_levels(tickets, sla_hours=sla, observation_end=end)
    share = levels.share_within_sla
    ok = ~np.isnan(share)
    assert ((share[ok] >= 0) & (share[ok] <= 1)).all()
    assert (levels.share_low[ok] <= share[ok] + 1e-12).all()
    assert (share[ok] <= levels.share_high[ok] + 1e-12).all()
    assert (levels.within_sla <= levels.eligible).all()
    assert (levels.eligible <= levels.tickets).all()
    assert (levels.resolved <= levels.tickets).all()
    p90, median = levels.p90_resolution_hours, levels.median_resolution_hours
    both = ~np.isnan(p90)
    assert (p90[both] >= median[both] - 1e-9).all()
    by = service_levels(tickets, sla_hours=sla, observation_end=end, by="channel")
    for field in ("tickets", "resolved", "eligible", "within_sla"):
        assert getattr(by, field).sum() == getattr(levels, field)[0]
    queue = ticket_backlog(tickets, freq="day", observation_end=end)
    assert (queue.open >= 0).all()
    # At the observation end, the open tickets are those seen and not resolved yet.
    assert queue.open[-1] == levels.tickets[0] - levels.resolved[0]
    assert queue.opened.sum() == levels.tickets[0]
