"""The AARRR part of the report: overview, sections, pipeline and CLI integration."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from ecomstrat.cli import main
from ecomstrat.datasets import simulate_transactions
from ecomstrat.datasets.events import CHANNELS, simulate_events
from ecomstrat.frames.events import EventLog
from ecomstrat.report.aarrr import aarrr_overview, campaign_spend, revenue_log
from ecomstrat.report.pipeline import ReportOptions, build_report


@pytest.fixture(scope="module")
def simulation():
    return simulate_transactions(300, seed=5)


@pytest.fixture(scope="module")
def events(simulation):
    return simulate_events(simulation, seed=5)


def test_simulated_events_are_deterministic_and_built_on_the_orders(simulation, events):
    again = simulate_events(simulation, seed=5)
    np.testing.assert_array_equal(again.times, events.times)
    np.testing.assert_array_equal(again.actor_index, events.actor_index)
    other = simulate_events(simulation, seed=6)
    assert other.n_events != events.n_events or not np.array_equal(other.times, events.times)
    names = events.event_names[events.event_codes]
    purchases = names == "purchase"
    # every order is a purchase event, with its amount
    assert purchases.sum() == simulation.log.n_transactions
    assert events.amounts is not None
    assert events.amounts[purchases].sum() == pytest.approx(simulation.log.amounts.sum())
    assert np.isnan(events.amounts[~purchases]).all()
    assert events.times.max() <= simulation.observation_end
    assert set(events.channel_names.tolist()) <= {*CHANNELS, "referral"}
    assert {"visit", "page_view", "impression", "click", "signup", "referral"} <= set(
        events.event_names.tolist()
    )


def test_overview_sections_and_dict(events):
    part = aarrr_overview(events)
    titles = [s.title for s in part.sections()]
    assert titles == ["AARRR funnel KPIs", "AARRR by channel", "AARRR by month"]
    data = part.to_dict()
    json.dumps(data, allow_nan=False)  # NaN became None
    assert data["n_events"] == events.n_events
    kpis = data["overall"]["kpi"]
    assert "bounce_rate" in kpis
    assert "viral_coefficient" in kpis
    conversion = data["overall"]["value"][kpis.index("conversion_rate")]
    assert 0 < conversion < 1


def test_observation_end_drops_later_events(events):
    end = "2024-06-30"
    part = aarrr_overview(events, observation_end=end)
    assert part.n_events == int((events.times <= np.datetime64(end, "ns")).sum())


def test_revenue_comes_from_the_log_without_amounts(simulation):
    log = simulation.log
    first = np.flatnonzero(np.r_[True, np.diff(log.customer_index) != 0])
    events = EventLog.from_arrays(
        log.customer_ids[log.customer_index[first]],
        ["purchase"] * first.size,
        log.times[first],
    )
    assert revenue_log(events, log) is log
    part = aarrr_overview(events, transactions=revenue_log(events, log))
    arpu = part.overall.value_of("arpu")
    # every order falls in the events' span only up to the last first purchase
    kept = log.times <= events.times.max()
    assert arpu == pytest.approx(log.amounts[kept].sum() / log.n_customers)
    strings = EventLog.from_arrays(["x"], ["visit"], ["2024-01-01"])
    assert revenue_log(strings, log) is None


def test_campaign_spend_is_none_without_campaigns():
    assert campaign_spend(None) is None
    assert campaign_spend([]) is None


def test_build_report_adds_the_part_after_acquisition(simulation, events):
    options = ReportOptions(interval_draws=0)
    with_events = build_report(simulation.log, options=options, events=events)
    names = list(with_events.parts)
    assert names.index("acquisition") < names.index("aarrr") < names.index("scorers")
    without = build_report(simulation.log, options=options)
    assert without.parts["aarrr"].reason == "no events given (--events FILE)."


def test_cli_report_with_events_file(simulation, events, tmp_path, capsys):
    orders = tmp_path / "orders.csv"
    log = simulation.log
    with orders.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "time", "amount"])
        for i, t, a in zip(log.customer_index, log.times, log.amounts, strict=True):
            writer.writerow([int(log.customer_ids[i]), str(t)[:19], f"{a:.2f}"])
    path = tmp_path / "events.csv"
    columns = events.columns()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["who", "what", "when", "via", "value"])
        for who, what, when, via, value in zip(
            columns["actor_id"], columns["event_type"], columns["time"], columns["channel"],
            columns["amount"], strict=True,
        ):  # fmt: skip
            writer.writerow([who, what, str(when)[:19], via, "" if math.isnan(value) else value])
    argv = [
        "report", str(orders), "--json", "--events", str(path), "--event-customer-id", "who",
        "--event-type", "what", "--event-time", "when", "--event-channel", "via",
        "--event-amount", "value",
    ]  # fmt: skip
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["settings"]["events"] == str(path)
    overall = report["aarrr"]["overall"]
    assert overall["value"][overall["kpi"].index("active_users")] == events.n_actors
    assert main([*argv[:3], "--events", str(path)]) == 2  # default columns are absent
    assert "--event-customer-id" in capsys.readouterr().err
