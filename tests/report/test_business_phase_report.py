"""The business-phase report part: JSON-able numbers, three sections, a typed error when short."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ecomstrat.datasets.simulate import simulate_transactions
from ecomstrat.exceptions import EcomstratError
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle import PhaseRules, SeriesTooShortError
from ecomstrat.report.business_phase import business_phase_overview
from ecomstrat.report.text import render


def _steady(months: int) -> TransactionLog:
    """20 new customers a month, each ordering 10.0 on the 10th, from 2023-01."""
    days = np.arange("2023-01", np.datetime64("2023-01") + months, dtype="datetime64[M]")
    times = np.repeat(days.astype("datetime64[D]") + 9, 20)
    return TransactionLog.from_arrays(np.arange(20 * months), times, np.full(20 * months, 10.0))


def test_hand_worked_part() -> None:
    # 24 flat months: trend 0 -> maturity; 480 customers acquired evenly (no curve to bend)
    end = "2024-12-31"
    part = business_phase_overview(_steady(24), observation_end=end, n_months_shown=12)
    data = part.to_dict()
    json.dumps(data)
    assert data["phase"] == "maturity"
    assert data["trend"] == 0.0
    assert data["diffusion"]["acquired"] == 480
    assert data["diffusion"]["remaining"] >= 0
    assert data["monthly"]["new_customers"] == [20] * 24
    phase, monthly, diffusion = part.sections()
    assert phase.rows[0] == ("phase", "maturity")
    assert len(monthly.rows) == 12
    assert monthly.rows[-1] == ("2024-12", "20", "20", "200.00", "480")
    assert "first 12 of 24 months" in monthly.notes[-1]
    assert diffusion.rows[1] == ("customers acquired N(T)", "480")


def test_short_log_raises_a_typed_error() -> None:
    with pytest.raises(SeriesTooShortError, match="at least 7") as caught:
        business_phase_overview(_steady(5), observation_end="2023-05-31")
    assert isinstance(caught.value, EcomstratError)  # the pipeline skips the part
    part = business_phase_overview(
        _steady(5), observation_end="2023-05-31", rules=PhaseRules(window_months=3)
    )
    assert part.to_dict()["phase"] == "start-up"
    # 5 months: enough for a 3-month window, not for a diffusion fit (6 months)
    assert part.diffusion is None
    assert "at least 6" in str(part.diffusion_skipped)
    assert [s.title for s in part.sections()] == ["Business phase", "Monthly activity"]


def test_logistic_and_demo_data() -> None:
    sim = simulate_transactions(500, seed=3)
    part = business_phase_overview(sim.log, model="logistic")
    text = render(part.sections())
    assert "Customer potential (logistic diffusion)" in text
    assert part.to_dict()["diffusion"]["acquired"] == 500
    assert part.to_dict()["phase"] in ("maturity", "decline")


def test_cdnow_master_part(shared_data: Path) -> None:
    rows = [line.split() for line in (shared_data / "cdnow_master.txt").read_text().splitlines()]
    rows = rows[1:]
    dates = np.array([f"{r[1][:4]}-{r[1][4:6]}-{r[1][6:]}" for r in rows], dtype="datetime64[ns]")
    log = TransactionLog.from_arrays([r[0] for r in rows], dates, [float(r[-1]) for r in rows])
    data = business_phase_overview(log).to_dict()
    # 18 complete months 1997-01..1998-06; trends over 1998-01..06: revenue -2.3%,
    # active -1.7% a month -> business trend -2.0% (at the decline threshold)
    assert data["age_months"] == 18
    assert data["phase"] in ("decline", "maturity")
    assert data["revenue_trend"] == pytest.approx(-0.0231, abs=5e-4)
    assert data["active_trend"] == pytest.approx(-0.0173, abs=5e-4)
    assert data["diffusion"]["acquired"] == 23_570
