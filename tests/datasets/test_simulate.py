"""Tests of the synthetic BG/NBD + Gamma-Gamma transaction log generator."""

from __future__ import annotations

import math
from typing import assert_type

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy import integrate, stats
from scipy.special import betaln, gammaln, hyp2f1

from ecomstrat.datasets import Simulation, SimulationParameters, simulate_transactions
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames.summary import CustomerSummary

CDNOW = SimulationParameters()
START = np.datetime64("2024-01-01", "ns")
#: Standard errors a simulated mean may stray from its closed form (fixed seeds: no flakiness).
Z = 3.0


# --- closed forms (Fader, Hardie & Lee 2005, Marketing Science 24(2)) ------------------------


def expected_repeats(params: SimulationParameters, t: float) -> float:
    """E[X(t)], FHL 2005 eq. 9."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def repeat_pmf(params: SimulationParameters, t: float, x: int) -> float:
    """P(X(t) = x), FHL 2005 eq. 8."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    log_a, log_z = math.log(alpha / (alpha + t)), math.log(t / (alpha + t))

    def nbd(j: int) -> float:
        return math.exp(gammaln(r + j) - gammaln(r) - gammaln(j + 1) + r * log_a + j * log_z)

    out = math.exp(betaln(a, b + x) - betaln(a, b)) * nbd(x)
    if x > 0:
        tail = 1 - sum(nbd(j) for j in range(x))
        out += math.exp(betaln(a + 1, b + x - 1) - betaln(a, b)) * tail
    return out


def alive_probability(params: SimulationParameters, t: float) -> float:
    """P(active at t): E over p ~ Beta(a, b) of (alpha / (alpha + p t))^r."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b

    def integrand(p: float) -> float:
        return float((alpha / (alpha + p * t)) ** r * stats.beta.pdf(p, a, b))

    value, _ = integrate.quad(integrand, 0.0, 1.0, limit=200)
    return float(value)


def within(sample: np.ndarray, expected: float, z: float = Z) -> bool:
    se = sample.std(ddof=1) / math.sqrt(sample.size)
    return abs(sample.mean() - expected) <= z * se


def repeats_by(sim: Simulation, cutoff: np.datetime64) -> np.ndarray:
    """Repeat purchases per customer made up to ``cutoff``."""
    log = sim.log
    kept = log.times <= cutoff
    return np.bincount(log.customer_index[kept], minlength=log.n_customers) - 1


def simulate_naive(n: int, params: SimulationParameters, length: float, seed: int):
    """Reference: the BG/NBD story told one customer and one purchase at a time."""
    rng = np.random.default_rng(seed)
    counts, recency = np.zeros(n, dtype=np.int64), np.zeros(n)
    for i in range(n):
        rate = rng.gamma(params.r, 1 / params.alpha)
        dropout = rng.beta(params.a, params.b)
        now = 0.0
        while rate > 0:
            now += rng.exponential(1 / rate)
            if now > length:
                break
            counts[i] += 1
            recency[i] = now
            if rng.random() < dropout:
                break
    return counts, recency


@pytest.fixture(scope="module")
def cohort() -> Simulation:
    """200,000 customers all acquired at START and observed for exactly 78 weeks."""
    return simulate_transactions(200_000, seed=20240101, acquisition_span=0.0)


# --- determinism and shape ---------------------------------------------------------------------


def logs_equal(one: Simulation, two: Simulation) -> bool:
    a, b = one.log, two.log
    return (
        a.n_transactions == b.n_transactions
        and np.array_equal(a.customer_index, b.customer_index)
        and np.array_equal(a.times, b.times)
        and np.array_equal(a.amounts, b.amounts)
    )


def test_same_seed_gives_identical_log() -> None:
    one, two = simulate_transactions(500, seed=7), simulate_transactions(500, seed=7)
    assert logs_equal(one, two)
    assert np.array_equal(one.purchase_rate, two.purchase_rate)
    assert np.array_equal(one.alive, two.alive)


def test_different_seed_gives_different_log() -> None:
    assert not logs_equal(simulate_transactions(500, seed=7), simulate_transactions(500, seed=8))


def test_single_customer() -> None:
    sim = simulate_transactions(1, seed=3)
    assert sim.log.customer_ids.tolist() == [0]
    assert sim.acquired_at.shape == sim.alive.shape == (1,)
    assert sim.summary().n_customers == 1


def test_layout_and_types() -> None:
    sim = simulate_transactions(2_000, seed=11)
    log = sim.log
    assert_type(sim, Simulation)
    assert_type(sim.summary(), CustomerSummary)
    assert log.customer_ids.dtype == np.int64
    assert np.array_equal(log.customer_ids, np.arange(2_000))
    assert log.currency == "USD"
    assert sim.observation_end == np.datetime64("2025-06-30", "ns")  # 2024-01-01 + 78 weeks
    assert sim.acquired_at.dtype == np.dtype("datetime64[ns]")
    assert np.array_equal(log.times, log.times.astype("datetime64[s]"))  # whole seconds
    # Times spread within the day (same-day purchases do occur and collapse in summaries).
    assert np.unique(log.times.astype("datetime64[h]").astype(np.int64) % 24).size == 24
    assert np.array_equal(np.round(log.amounts, 2), log.amounts)
    first = np.full(2_000, log.times.max())
    np.minimum.at(first, log.customer_index, log.times)
    assert np.array_equal(sim.acquired_at, first)
    assert (sim.acquired_at < START + np.timedelta64(12 * 7, "D")).all()
    assert not sim.purchase_rate.flags.writeable
    assert "2000 customers" in repr(sim)


def test_start_and_units() -> None:
    params = SimulationParameters(r=0.5, alpha=10.0, time_unit="day")
    sim = simulate_transactions(
        300,
        parameters=params,
        seed=2,
        start="2023-03-01T12:00",
        acquisition_span=5.0,
        observation_length=30.0,
        currency=None,
    )
    assert sim.observation_end == np.datetime64("2023-03-31T12:00", "ns")
    assert sim.log.currency is None
    assert (sim.log.times >= np.datetime64("2023-03-01T12:00")).all()
    days = sim.summary()
    weeks = sim.summary(time_unit="week")
    assert days.time_unit is TimeUnit.DAY
    assert weeks.time_unit is TimeUnit.WEEK
    np.testing.assert_allclose(weeks.T * 7, days.T)


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("r", 0.0),
        ("alpha", -1.0),
        ("a", math.nan),
        ("b", math.inf),
        ("p", -2.0),
        ("q", 0),
        ("gamma", math.nan),
    ],
)
def test_invalid_parameters_name_the_parameter(field: str, value: float) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{field}=.*is invalid"):
        SimulationParameters(**{field: value})


def test_unknown_time_unit() -> None:
    with pytest.raises(InvalidInputError, match="time_unit"):
        SimulationParameters(time_unit="fortnight")


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_customers": 0}, "n_customers"),
        ({"n_customers": -5}, "n_customers"),
        ({"n_customers": 2.5}, "n_customers"),
        ({"n_customers": True}, "n_customers"),
        ({"acquisition_span": -1.0}, "acquisition_span"),
        ({"acquisition_span": math.nan}, "acquisition_span"),
        ({"observation_length": 0.0}, "observation_length"),
        ({"acquisition_span": 80.0}, "acquisition_span"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"parameters": {"r": 1.0}}, "parameters"),
        ({"start": "not a date"}, "start"),
        ({"currency": "XXX"}, "currency"),
    ],
)
def test_invalid_arguments_name_the_argument(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{name}="):
        simulate_transactions(**kwargs)  # type: ignore[arg-type]


# --- the model's closed forms ------------------------------------------------------------------


def test_latent_traits_follow_their_priors(cohort: Simulation) -> None:
    p = CDNOW
    assert within(cohort.purchase_rate, p.r / p.alpha)
    assert within(cohort.dropout_probability, p.a / (p.a + p.b))
    assert within(cohort.spend_scale, p.q / p.gamma)
    ks = stats.kstest(cohort.dropout_probability, stats.beta(p.a, p.b).cdf)
    assert ks.pvalue > 0.001


@pytest.mark.parametrize("weeks", [13, 39, 78])
def test_mean_repeats_match_bgnbd_expectation(cohort: Simulation, weeks: int) -> None:
    x = repeats_by(cohort, START + np.timedelta64(weeks * 7, "D"))
    assert within(x, expected_repeats(CDNOW, float(weeks)))


def test_share_without_repeats_matches_pmf(cohort: Simulation) -> None:
    t = 78.0
    zero = (repeats_by(cohort, cohort.observation_end) == 0).astype(np.float64)
    assert repeat_pmf(CDNOW, t, 0) == pytest.approx((CDNOW.alpha / (CDNOW.alpha + t)) ** CDNOW.r)
    assert within(zero, repeat_pmf(CDNOW, t, 0))


def test_repeat_distribution_matches_pmf(cohort: Simulation) -> None:
    t, top = 78.0, 12
    x = repeats_by(cohort, cohort.observation_end)
    pmf = np.array([repeat_pmf(CDNOW, t, k) for k in range(top)])
    assert pmf @ np.arange(top) + (1 - pmf.sum()) * top < expected_repeats(CDNOW, t)
    observed = np.append(np.bincount(np.minimum(x, top), minlength=top + 1)[:top], (x >= top).sum())
    expected = np.append(pmf, 1 - pmf.sum()) * x.size
    assert stats.chisquare(observed, expected).pvalue > 0.001


def test_alive_share_matches_model(cohort: Simulation) -> None:
    x = repeats_by(cohort, cohort.observation_end)
    assert (x[~cohort.alive] >= 1).all()  # dropout only ever follows a repeat purchase
    assert within(cohort.alive.astype(np.float64), alive_probability(CDNOW, 78.0))


def test_mean_spend_matches_gamma_gamma(cohort: Simulation) -> None:
    p = CDNOW
    mean = p.p * p.gamma / (p.q - 1)
    log = cohort.log
    # First purchases: one independent draw per customer.
    first = np.ones(log.n_transactions, dtype=bool)
    first[1:] = log.customer_index[1:] != log.customer_index[:-1]
    assert within(log.amounts[first], mean)
    # All transactions: a ratio estimate with a customer-clustered standard error.
    spend = np.bincount(log.customer_index, weights=log.amounts)
    count = np.bincount(log.customer_index).astype(np.float64)
    ratio = spend.sum() / count.sum()
    se = math.sqrt(((spend - ratio * count) ** 2).sum()) / count.sum()
    assert abs(ratio - mean) <= Z * se
    # Given nu, a transaction's mean value is p / nu.
    scaled = log.amounts * cohort.spend_scale[log.customer_index] / p.p
    assert within(scaled[first], 1.0)


def test_matches_one_customer_at_a_time_reference() -> None:
    n, length = 20_000, 78.0
    counts, recency = simulate_naive(n, CDNOW, length, seed=5)
    sim = simulate_transactions(n, seed=6, acquisition_span=0.0, observation_length=length)
    x = repeats_by(sim, sim.observation_end)
    last = np.full(n, START)
    np.maximum.at(last, sim.log.customer_index, sim.log.times)
    t_x = (last - START) / np.timedelta64(7, "D")
    assert stats.ks_2samp(x, counts).pvalue > 0.001
    assert stats.ks_2samp(t_x[x > 0], recency[counts > 0]).pvalue > 0.001


def test_summary_is_consistent(cohort: Simulation) -> None:
    summary = cohort.summary()
    assert summary.time_unit is TimeUnit.WEEK
    assert (summary.recency >= 0).all()
    assert (summary.recency <= summary.T).all()
    np.testing.assert_allclose(summary.T, 78.0)
    orders = np.bincount(cohort.log.customer_index)
    assert (summary.frequency <= orders - 1).all()  # same-day orders collapse
    assert (summary.frequency < orders - 1).any()


# --- invariants on arbitrary inputs ------------------------------------------------------------


positive = st.floats(min_value=0.05, max_value=5.0)


@given(
    n=st.integers(1, 25),
    seed=st.integers(0, 2**32 - 1),
    params=st.builds(
        SimulationParameters,
        r=positive,
        alpha=st.floats(0.5, 20.0),
        a=positive,
        b=positive,
        p=positive,
        q=positive,
        gamma=st.floats(0.5, 50.0),
        time_unit=st.sampled_from(list(TimeUnit)),
    ),
    length=st.floats(0.01, 100.0),
    span_share=st.floats(0.0, 1.0),
)
def test_invariants(
    n: int, seed: int, params: SimulationParameters, length: float, span_share: float
) -> None:
    sim = simulate_transactions(
        n,
        parameters=params,
        seed=seed,
        acquisition_span=length * span_share,
        observation_length=length,
    )
    log = sim.log
    orders = np.bincount(log.customer_index, minlength=n)
    assert log.n_customers == n
    assert (orders >= 1).all()
    owner_start = sim.acquired_at[log.customer_index]
    assert (log.times >= owner_start).all()
    assert (log.times <= sim.observation_end).all()
    assert (sim.acquired_at <= sim.observation_end).all()
    assert (log.amounts > 0).all()
    assert np.isfinite(log.amounts).all()
    assert sim.alive.dtype == np.bool_
    assert (orders[~sim.alive] >= 2).all()
    assert ((sim.dropout_probability >= 0) & (sim.dropout_probability <= 1)).all()
    summary = sim.summary()
    assert (summary.frequency >= 0).all()
    assert ((summary.recency >= 0) & (summary.recency <= summary.T)).all()
