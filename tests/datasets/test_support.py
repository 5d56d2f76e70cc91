"""Simulated service tickets: deterministic, consistent with the simulated orders."""

from __future__ import annotations

import numpy as np
import pytest

from ecomstrat.datasets import simulate_transactions
from ecomstrat.datasets.support import simulate_tickets
from ecomstrat.exceptions import InvalidInputError


def test_simulate_tickets_is_deterministic_and_consistent() -> None:
    sim = simulate_transactions(500, seed=4)
    t = simulate_tickets(sim, seed=4)
    again = simulate_tickets(sim, seed=4)
    assert t.opened.tolist() == again.opened.tolist()
    assert t.resolved is not None
    assert again.resolved is not None
    assert np.array_equal(t.resolved, again.resolved, equal_nan=True)
    end = np.datetime64(sim.observation_end, "ns")
    assert (t.opened <= end).all()
    assert (np.diff(t.opened.astype(np.int64)) >= 0).all()
    resolved = t.resolved[~np.isnat(t.resolved)]
    assert (resolved <= end).all()
    assert set(t.channel_names.tolist()) <= {"email", "chat", "phone"}
    assert t.customer_ids is not None
    assert set(t.customer_ids.tolist()) <= set(sim.log.customer_ids.tolist())
    # About 15% of orders lead to a ticket (binomial: within 5 standard deviations).
    n, p = sim.log.n_transactions, 0.15
    assert abs(t.n_tickets - n * p) < 5 * (n * p * (1 - p)) ** 0.5 + 0.05 * n * p
    assert simulate_tickets(sim, seed=5).opened.tolist() != t.opened.tolist()


def test_simulate_tickets_bad_input() -> None:
    sim = simulate_transactions(50, seed=1)
    with pytest.raises(InvalidInputError, match="simulation"):
        simulate_tickets(object(), seed=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="tickets_per_order"):
        simulate_tickets(sim, tickets_per_order=1.5)
    with pytest.raises(InvalidInputError, match="simulation"):
        simulate_tickets(sim, tickets_per_order=0.0)
