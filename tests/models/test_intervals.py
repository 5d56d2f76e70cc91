"""Parameter draws and prediction intervals that carry parameter uncertainty."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ecomstrat.datasets import simulate_transactions
from ecomstrat.exceptions import BoundaryEstimateWarning, InvalidInputError
from ecomstrat.frames.discrete import DiscretePatterns
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.metrics.clv import customer_lifetime_value, customer_lifetime_value_interval
from ecomstrat.models._uncertainty import PredictionInterval
from ecomstrat.models.bgbb import BGBB
from ecomstrat.models.bgnbd import BGNBD, MBGNBD
from ecomstrat.models.gamma_gamma import GammaGamma
from ecomstrat.models.paretonbd import ParetoNBD
from ecomstrat.models.sbg import SBG


@pytest.fixture(scope="module")
def summary() -> CustomerSummary:
    return simulate_transactions(1_500, seed=21).summary()


@pytest.fixture(scope="module")
def bgnbd(summary: CustomerSummary) -> Any:
    return BGNBD().fit(summary)


def _discrete() -> DiscretePatterns:
    rng = np.random.default_rng(2)
    p, theta = rng.beta(1.2, 0.8, size=(600, 1)), rng.beta(0.7, 2.8, size=(600, 1))
    alive = np.cumprod(rng.random((600, 6)) > theta, axis=1) > 0
    return DiscretePatterns.from_histories(alive & (rng.random((600, 6)) < p))


def test_draws_follow_the_log_normal_of_the_delta_method(bgnbd: Any) -> None:
    draws = bgnbd.parameter_draws(n_draws=40_000, seed=3)
    assert draws.shape == (40_000, 4)
    assert np.all(draws > 0)
    theta = np.array(bgnbd.params.to_tuple())
    logs = np.log(draws)
    log_cov = bgnbd.fit.covariance / np.outer(theta, theta)
    np.testing.assert_allclose(
        logs.mean(axis=0), np.log(theta), atol=0.03 * np.sqrt(np.diag(log_cov)).max()
    )
    np.testing.assert_allclose(
        np.cov(logs.T), log_cov, rtol=0.05, atol=0.02 * np.abs(log_cov).max()
    )
    np.testing.assert_array_equal(
        bgnbd.parameter_draws(n_draws=5, seed=3), bgnbd.parameter_draws(n_draws=5, seed=3)
    )


def test_draws_need_a_fit() -> None:
    model = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    with pytest.raises(InvalidInputError, match="from_params"):
        model.parameter_draws()
    with pytest.raises(InvalidInputError, match="from_params"):
        model.probability_alive_interval(([1], [2.0], [3.0]))


def test_boundary_estimates_are_refused() -> None:
    counts = [1000.0 * 0.7**k for k in range(8)]
    with pytest.warns(BoundaryEstimateWarning):
        fitted = SBG().fit(counts)
    with pytest.raises(InvalidInputError, match="penalty"):
        fitted.parameter_draws()
    assert SBG().fit(counts, penalty=0.5).parameter_draws(n_draws=3, seed=1).shape == (3, 2)


@pytest.mark.parametrize(
    ("keywords", "name"),
    [
        ({"level": 1.0}, "level"),
        ({"level": 0.0}, "level"),
        ({"level": "0.9"}, "level"),
        ({"n_draws": 0}, "n_draws"),
        ({"n_draws": 2.5}, "n_draws"),
        ({"seed": "x"}, "seed"),
    ],
)
def test_invalid_arguments_are_named(bgnbd: Any, keywords: dict[str, Any], name: str) -> None:
    with pytest.raises(InvalidInputError, match=name):
        bgnbd.probability_alive_interval(([1], [2.0], [3.0]), **keywords)


@pytest.mark.parametrize("model", [BGNBD(), MBGNBD(), ParetoNBD()], ids=type)
def test_rfm_intervals(model: Any, summary: CustomerSummary) -> None:
    fitted = model.fit(summary)
    for interval, point in (
        (
            fitted.probability_alive_interval(summary, n_draws=200, seed=1),
            fitted.probability_alive(summary),
        ),
        (
            fitted.conditional_expected_purchases_interval(26.0, summary, n_draws=200, seed=1),
            fitted.conditional_expected_purchases(26.0, summary),
        ),
    ):
        assert isinstance(interval, PredictionInterval)
        assert (interval.level, interval.n_draws, len(interval)) == (0.9, 200, summary.n_customers)
        np.testing.assert_array_equal(interval.estimate, point)
        np.testing.assert_array_equal(interval.customer_ids, summary.customer_ids)
        assert np.all(interval.lower <= interval.upper)
        inside = (interval.lower <= point + 1e-12) & (point <= interval.upper + 1e-12)
        assert inside.mean() > 0.95
        assert list(interval.columns()) == ["customer_id", "estimate", "lower", "upper"]


def test_interval_is_per_customer_and_reproducible(bgnbd: Any, summary: CustomerSummary) -> None:
    data = (summary.frequency, summary.recency, summary.T)
    whole = bgnbd.conditional_expected_purchases_interval(10.0, data, n_draws=100, seed=5)
    assert whole.customer_ids is None
    assert list(whole.columns()) == ["estimate", "lower", "upper"]
    part = bgnbd.conditional_expected_purchases_interval(
        10.0, tuple(c[7:9] for c in data), n_draws=100, seed=5
    )
    np.testing.assert_array_equal(part.lower, whole.lower[7:9])
    np.testing.assert_array_equal(part.upper, whole.upper[7:9])
    narrow = bgnbd.conditional_expected_purchases_interval(
        10.0, data, level=0.5, n_draws=100, seed=5
    )
    assert np.all(narrow.upper - narrow.lower <= whole.upper - whole.lower + 1e-12)


def test_more_data_gives_narrower_intervals() -> None:
    small = simulate_transactions(500, seed=4).summary()
    large = simulate_transactions(8_000, seed=4).summary()
    widths = []
    for data in (small, large):
        interval = (
            BGNBD()
            .fit(data)
            .conditional_expected_purchases_interval(26.0, small, n_draws=300, seed=2)
        )
        widths.append(float(np.median(interval.upper - interval.lower)))
    assert widths[1] < 0.5 * widths[0]


def test_bgbb_intervals() -> None:
    data = _discrete()
    fitted = BGBB().fit(data)
    alive = fitted.probability_alive_interval(data, n_draws=100, seed=1)
    np.testing.assert_array_equal(alive.estimate, fitted.probability_alive(data))
    expected = fitted.conditional_expected_purchases_interval(5, data, n_draws=100, seed=1)
    assert np.all(expected.lower <= expected.upper)
    assert np.all(expected.lower > 0)


def test_clv_interval(summary: CustomerSummary, bgnbd: Any) -> None:
    spend = GammaGamma().fit(summary)
    options: dict[str, Any] = {"horizon": 12, "gross_margin_rate": 0.3}
    point = customer_lifetime_value(summary, purchase_model=bgnbd, spend=spend, **options)
    interval = customer_lifetime_value_interval(
        summary, purchase_model=bgnbd, spend=spend, n_draws=100, seed=3, **options
    )
    np.testing.assert_allclose(interval.estimate, point.clv, rtol=1e-12)
    np.testing.assert_array_equal(interval.customer_ids, summary.customer_ids)
    assert np.all(interval.lower <= interval.upper)
    frame = interval.to_pandas()
    assert frame.index.name == "customer_id"
    # a known spend per customer: only the purchase model is drawn, and the spend model's
    # uncertainty widens the interval
    known = customer_lifetime_value_interval(
        summary, purchase_model=bgnbd, spend=point.expected_spend, n_draws=100, seed=3, **options
    )
    np.testing.assert_allclose(known.estimate, point.clv, rtol=1e-12)
    assert np.median(known.upper - known.lower) < np.median(interval.upper - interval.lower)
