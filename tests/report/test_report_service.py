"""The service part of the report: numbers, sections, JSON."""

from __future__ import annotations

import json

from ecomstrat.datasets import simulate_transactions
from ecomstrat.datasets.support import simulate_tickets
from ecomstrat.frames.tickets import Tickets
from ecomstrat.report.service import service_overview
from ecomstrat.report.text import render


def test_service_overview_on_simulated_tickets() -> None:
    sim = simulate_transactions(400, seed=2)
    tickets = simulate_tickets(sim, seed=2)
    part = service_overview(
        tickets,
        observation_end=sim.observation_end,
        cost_per_contact={"email": 5.0, "chat": 4.0, "phone": 8.0},
        self_service_cost_per_contact=0.1,
        resolution_rate=0.3,
    )
    data = part.to_dict()
    json.dumps(data)  # JSON-able
    assert data["tickets"] == tickets.n_tickets
    assert data["levels"]["group"] == ["all"]
    assert sorted(data["by_channel"]["group"]) == ["chat", "email", "phone"]
    assert data["self_service"] is not None
    text = render(part.sections())
    for title in ("Service levels (SLA 24 h)", "Ticket backlog", "Top ticket categories",
                  "Service cost by channel", "Self-service"):  # fmt: skip
        assert title in text


def test_service_overview_minimal_tickets() -> None:
    t = Tickets.from_arrays(["2024-01-01", "2024-01-03"], resolved=["2024-01-01T05:00", None])
    part = service_overview(t, observation_end="2024-01-04")
    # Only the levels and the backlog without channels, categories or costs.
    assert [s.title for s in part.sections()] == [
        "Service levels (SLA 24 h)",
        "Ticket backlog (open at period end)",
    ]
    data = part.to_dict()
    assert data["by_channel"] is None
    assert data["cost"] is None
    # 2 eligible (both opened >= 24 h before Jan 4), 1 within -> 0.5.
    assert data["levels"]["share_within_sla"] == [0.5]
