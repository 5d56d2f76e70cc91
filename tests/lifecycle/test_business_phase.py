"""Business lifecycle phase and diffusion fits: hand-worked series, Bass recovery, invariants."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ecomstrat.exceptions import EcomstratError, InvalidInputError
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle import (
    PhaseRules,
    SeriesTooShortError,
    business_phase,
    diffusion_fit,
    monthly_activity,
)

START = np.datetime64("2023-01", "M")


def _log(counts: list[int], *, amount: float = 10.0, prefix: str = "c") -> TransactionLog:
    """``counts[i]`` distinct new customers in month ``i``, each ordering ``amount`` on day 10."""
    ids, times = [], []
    for i, c in enumerate(counts):
        day = (START + i).astype("datetime64[D]") + 9
        ids += [f"{prefix}{i}-{j}" for j in range(c)]
        times += [day] * c
    return TransactionLog.from_arrays(ids, np.array(times), np.full(len(ids), amount))


def _end(n_months: int) -> str:
    """Last day of month ``n_months - 1`` (the series' last complete month)."""
    return str((START + n_months).astype("datetime64[D]") - 1)


# ----------------------------------------------------------------------------- monthly series


def test_monthly_activity_by_hand() -> None:
    # a: Jan 10 + Feb 5; b: Jan 5; c: Feb 7; d: Mar 1 (March incomplete at Mar 15: dropped)
    log = TransactionLog.from_arrays(
        ["a", "b", "a", "c", "d"],
        ["2024-01-02", "2024-01-09", "2024-02-01", "2024-02-20", "2024-03-01"],
        [10.0, 5.0, 5.0, 7.0, 1.0],
    )
    m = monthly_activity(log, observation_end="2024-03-15")
    assert m.period.astype("datetime64[M]").astype(str).tolist() == ["2024-01", "2024-02"]
    assert m.new_customers.tolist() == [2, 1]  # a, b; then c
    assert m.active_customers.tolist() == [2, 2]  # a, b; then a, c
    assert m.revenue.tolist() == [15.0, 12.0]
    assert m.cumulative_customers.tolist() == [2, 3]
    # at 2024-03-31 March is complete: d is new
    assert monthly_activity(log, observation_end="2024-03-31").new_customers.tolist() == [2, 1, 1]
    # orders after observation_end are ignored: at 2024-01-31 only January
    assert monthly_activity(log, observation_end="2024-01-31").revenue.tolist() == [15.0]


# ----------------------------------------------------------------------------- the four phases


def test_growth_series() -> None:
    # c_i = 10 + 2i over 24 months; last 6 months 46..56: slope 2, mean 51 -> 2/51 = +3.92% >= 3%
    result = business_phase(_log([10 + 2 * i for i in range(24)]), observation_end=_end(24))
    assert result.phase == "growth"
    assert result.revenue_trend == pytest.approx(2 / 51)
    assert result.active_trend == pytest.approx(2 / 51)
    assert result.trend == pytest.approx(2 / 51)
    # before: 34..44, mean 39 -> 2/39; acceleration 2/51 - 2/39 < 0: slowing
    assert result.acceleration == pytest.approx(2 / 51 - 2 / 39)
    assert any("slowing" in r for r in result.reasons)
    assert result.age_months == 24


def test_maturity_series() -> None:
    # 20 customers every month: trend 0, between -2% and +3%
    result = business_phase(_log([20] * 24), observation_end=_end(24))
    assert result.phase == "maturity"
    assert result.trend == 0.0
    assert result.acceleration == 0.0


def test_decline_series() -> None:
    # c_i = 60 - 2i; last 6 months 24..14: slope -2, mean 19 -> -2/19 = -10.5% <= -2%
    result = business_phase(_log([60 - 2 * i for i in range(24)]), observation_end=_end(24))
    assert result.phase == "decline"
    assert result.trend == pytest.approx(-2 / 19)


def test_start_up_series() -> None:
    # 8 months old (< 12), c_i = 5 + i: last 6 months 7..12, slope 1, mean 9.5 -> +10.5%
    result = business_phase(_log([5 + i for i in range(8)]), observation_end=_end(8))
    assert result.phase == "start-up"
    assert result.trend == pytest.approx(1 / 9.5)
    assert math.isnan(result.acceleration)  # 8 < 2 x 6 months
    # a young business that declines is in decline, not a start-up
    falling = business_phase(_log([20 - 2 * i for i in range(8)]), observation_end=_end(8))
    assert falling.phase == "decline"


def test_rules_are_overridable() -> None:
    # the growth series' +3.92% is maturity when growth needs +5% a month
    log = _log([10 + 2 * i for i in range(24)])
    rules = PhaseRules(growth_rate=0.05)
    assert business_phase(log, observation_end=_end(24), rules=rules).phase == "maturity"
    # window 3: last 3 months 52..56, slope 2, mean 54 -> 2/54
    short = business_phase(log, observation_end=_end(24), window_months=3)
    assert short.trend == pytest.approx(2 / 54)
    with pytest.raises(InvalidInputError, match="window_months"):
        PhaseRules(window_months=0)
    with pytest.raises(InvalidInputError, match="growth_rate"):
        PhaseRules(growth_rate=-0.1)


def test_too_short_says_how_many_months() -> None:
    log = _log([5] * 6)
    with pytest.raises(SeriesTooShortError, match="at least 7"):
        business_phase(log, observation_end=_end(6))
    assert isinstance(SeriesTooShortError("x"), EcomstratError)
    assert business_phase(log, observation_end=_end(6), window_months=5).phase == "start-up"


def test_by_label() -> None:
    up = _log([10 + 2 * i for i in range(24)], prefix="u")
    down = _log([60 - 2 * i for i in range(24)], prefix="d")
    log = TransactionLog.from_arrays(
        np.concatenate(
            [up.customer_ids[up.customer_index], down.customer_ids[down.customer_index]]
        ),
        np.concatenate([up.times, down.times]),
        np.concatenate([up.amounts, down.amounts]),
    )
    labels = ["FR"] * up.n_transactions + ["DE"] * down.n_transactions
    labels[-1] = "IT"  # one order in Italy: too short
    result = business_phase(log, observation_end=_end(24), by=labels)
    assert result.groups == ("DE", "FR", "IT")
    assert result.columns()["phase"].tolist() == ["decline", "growth", "too short"]
    assert result.of("FR").trend == pytest.approx(2 / 51)
    with pytest.raises(InvalidInputError, match="by"):
        business_phase(log, by=["FR"])
    with pytest.raises(InvalidInputError, match="group"):
        result.of("ES")


# ----------------------------------------------------------------------------------- diffusion


def _bass_new(p: float, q: float, m: float, months: int) -> np.ndarray:
    t = np.arange(months + 1, dtype=np.float64)
    e = np.exp(-(p + q) * t)
    cumulative = np.round(m * (1 - e) / (1 + (q / p) * e))
    return np.diff(cumulative).astype(np.int64)


def test_bass_recovers_known_parameters() -> None:
    # p = 0.02, q = 0.4, m = 50,000 over 30 months, rounded to whole customers
    fit = diffusion_fit(_bass_new(0.02, 0.4, 50_000, 30))
    assert fit.parameters["p"] == pytest.approx(0.02, rel=0.01)
    assert fit.parameters["q"] == pytest.approx(0.4, rel=0.01)
    assert fit.market_potential == pytest.approx(50_000, rel=0.001)
    assert fit.remaining == pytest.approx(50_000 - fit.acquired, abs=50)
    assert fit.remaining_lower <= fit.remaining <= fit.remaining_upper
    assert all(se > 0 for se in fit.standard_errors.values())


def test_bass_recovers_from_noisy_counts() -> None:
    # Poisson counts around the Bass curve (p = 0.01, q = 0.3, m = 20,000, 24 months):
    # the curve is still rising (F(24) ~ 0.97), within 10% of each parameter
    rng = np.random.default_rng(7)
    expected = _bass_new(0.01, 0.3, 20_000, 24)
    fit = diffusion_fit(rng.poisson(expected))
    assert fit.parameters["p"] == pytest.approx(0.01, rel=0.1)
    assert fit.parameters["q"] == pytest.approx(0.3, rel=0.1)
    assert fit.market_potential == pytest.approx(20_000, rel=0.1)


def test_logistic_recovers_known_parameters() -> None:
    # N(t) = 8,000 / (1 + exp(-0.5 (t - 10))) at t = 0..24
    t = np.arange(25, dtype=np.float64)
    new = np.diff(np.round(8_000 / (1 + np.exp(-0.5 * (t - 10))))).astype(np.int64)
    fit = diffusion_fit(new, model="logistic")
    assert fit.parameters["r"] == pytest.approx(0.5, rel=0.02)
    # the fit counts from the first month's customers (a constant offset), so m is m - N(0)
    assert fit.market_potential == pytest.approx(8_000 - round(8_000 / (1 + math.exp(5))), rel=0.01)


def test_diffusion_too_short_and_bad_input() -> None:
    with pytest.raises(SeriesTooShortError, match="at least 6"):
        diffusion_fit([5, 10, 20, 30, 20])
    with pytest.raises(SeriesTooShortError, match="no customer"):
        diffusion_fit([0] * 8)
    with pytest.raises(InvalidInputError, match="model"):
        diffusion_fit([1] * 8, model="gompertz")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="data"):
        diffusion_fit([1, 2, -3, 4, 5, 6])
    with pytest.raises(InvalidInputError, match="observation_end"):
        diffusion_fit([1] * 8, observation_end="2024-01-01")


def test_diffusion_on_log_has_periods() -> None:
    fit = diffusion_fit(_log([10 + 2 * i for i in range(12)]), observation_end=_end(12))
    assert fit.acquired == sum(10 + 2 * i for i in range(12))
    assert list(fit.columns()) == ["period", "month", "new_customers", "cumulative", "fitted"]


@settings(deadline=None, max_examples=25)
@given(
    st.lists(st.integers(0, 500), min_size=6, max_size=24).filter(lambda xs: sum(xs) > 0),
    st.sampled_from(["bass", "logistic"]),
)
def test_diffusion_invariants(new: list[int], model: str) -> None:
    fit = diffusion_fit(new, model=model)  # type: ignore[arg-type]
    assert fit.remaining >= 0
    assert fit.market_potential >= fit.acquired - 1e-6 * fit.acquired
    assert np.all(np.diff(fit.cumulative) >= 0)
    assert np.all(np.diff(fit.fitted) >= -1e-9)  # the fitted curve never falls
    if not math.isnan(fit.remaining_lower):
        assert 0 <= fit.remaining_lower <= fit.remaining <= fit.remaining_upper


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 400), st.floats(0, 100)),
        min_size=1,
        max_size=40,
    )
)
def test_monthly_series_invariants(orders: list[tuple[int, int, float]]) -> None:
    ids = [f"c{c}" for c, _, _ in orders]
    times = np.array([np.datetime64("2024-01-01") + d for _, d, _ in orders])
    log = TransactionLog.from_arrays(ids, times, [a for _, _, a in orders])
    m = monthly_activity(log, observation_end="2025-02-28")  # every month complete
    assert np.all(m.new_customers <= m.active_customers)
    assert np.all(np.diff(m.cumulative_customers) >= 0)
    assert m.cumulative_customers[-1] == log.n_customers
    assert m.revenue.sum() == pytest.approx(sum(a for _, _, a in orders))


# ------------------------------------------------------------------------------------- CDNOW


def _cdnow(path: Path) -> TransactionLog:
    rows = [line.split() for line in path.read_text().splitlines()[1:]]
    dates = np.array([f"{r[1][:4]}-{r[1][4:6]}-{r[1][6:]}" for r in rows], dtype="datetime64[ns]")
    return TransactionLog.from_arrays([r[0] for r in rows], dates, [float(r[-1]) for r in rows])


def test_cdnow_master_reads_as_decline(shared_data: Path) -> None:
    # one cohort acquired in Jan-Mar 1997, then no new customer: 18 months to 1998-06
    log = _cdnow(shared_data / "cdnow_master.txt")
    result = business_phase(log)
    assert result.monthly.new_customers.tolist()[:3] == [7846, 8476, 7248]
    assert result.monthly.new_customers[3:].sum() == 0
    assert result.phase in ("decline", "maturity")
    assert result.trend < 0
    fit = diffusion_fit(log)
    assert fit.acquired == 23_570
    assert fit.remaining < 0.01 * fit.acquired  # the curve has flattened
