"""Customer lifetime value: integral accuracy, properties, units and input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import InvalidInputError, UnknownCodeError
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.metrics.clv import (
    LifetimeValues,
    customer_lifetime_value,
    expected_residual_purchases_by_quadrature,
)
from ecomstrat.models._protocols import RFMData, TimeLike, continuous_discount_rate
from ecomstrat.models.bgnbd import BGNBD, MBGNBD, FittedBGNBD
from ecomstrat.models.gamma_gamma import GammaGamma, NonPositiveSpendWarning

BGNBD_WEEKS = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
SPEND = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)


@pytest.fixture(scope="module")
def summary() -> CustomerSummary:
    return CustomerSummary.from_arrays(
        [2, 1, 0, 50, 7, 3],
        [30.43, 1.71, 0.0, 38.0, 12.0, 38.86],
        [38.86, 38.86, 38.86, 39.0, 80.0, 38.86],
        [22.35, 11.77, 0.0, 5.0, 40.0, 12.5],
        customer_ids=["a", "b", "c", "d", "e", "f"],
        time_unit="week",
    )


class OnlyConditional:
    """A transaction model offering just the TransactionModel protocol (no closed-form rate)."""

    def __init__(self, model: FittedBGNBD) -> None:
        self._model = model

    @property
    def time_unit(self) -> TimeUnit:
        return self._model.time_unit

    def conditional_expected_purchases(self, t: TimeLike, data: RFMData) -> np.ndarray:
        return self._model.conditional_expected_purchases(t, data)

    def probability_alive(self, data: RFMData) -> np.ndarray:
        return self._model.probability_alive(data)

    def probability_of_purchases(self, n: TimeLike, t: TimeLike) -> np.ndarray:
        return self._model.probability_of_purchases(n, t)


@pytest.mark.parametrize(
    "model",
    [BGNBD_WEEKS, MBGNBD.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614, time_unit="week")],
)
def test_discounted_purchases_match_brute_force_stieltjes_sum(model, summary) -> None:
    horizon = TimeUnit.MONTH.convert(24.0, to="week")
    delta = continuous_discount_rate(0.15, "week")
    result = customer_lifetime_value(
        summary, purchase_model=model, spend=SPEND, horizon=24, annual_discount_rate=0.15
    )
    # Midpoint Stieltjes sum Σ e^{-δ t_mid} ΔE on 40,000 steps: error O(h^2) ~ 1e-10.
    grid = np.linspace(0.0, horizon, 40_001)
    E = np.array([model.conditional_expected_purchases(t, summary) for t in grid])
    middle = 0.5 * (grid[1:] + grid[:-1])
    brute = (np.exp(-delta * middle)[:, None] * np.diff(E, axis=0)).sum(axis=0)
    np.testing.assert_allclose(result.discounted_purchases, brute, rtol=1e-8)
    np.testing.assert_allclose(result.expected_purchases, E[-1], rtol=1e-12)
    np.testing.assert_allclose(
        result.clv, result.expected_spend * result.discounted_purchases, rtol=1e-15
    )


def test_generic_quadrature_matches_closed_form_rate(summary) -> None:
    generic = customer_lifetime_value(
        summary,
        purchase_model=OnlyConditional(BGNBD_WEEKS),
        spend=SPEND,
        horizon=3,
        horizon_unit="year",
    )
    closed = customer_lifetime_value(
        summary, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=3, horizon_unit="year"
    )
    assert "integration by parts" in generic.method
    assert "closed-form" in closed.method
    np.testing.assert_allclose(generic.clv, closed.clv, rtol=1e-10)
    direct = expected_residual_purchases_by_quadrature(
        summary, purchase_model=BGNBD_WEEKS, annual_discount_rate=0.0, horizon=100.0
    )
    np.testing.assert_allclose(
        direct, BGNBD_WEEKS.conditional_expected_purchases(100.0, summary), rtol=1e-15
    )


def test_hand_checked_discounting(summary) -> None:
    # One year ahead is worth 1 / (1 + rate): δ per week times weeks per year = ln(1.1).
    delta = continuous_discount_rate(0.10, "week")
    assert math.exp(-delta * TimeUnit.WEEK.per("year")) == pytest.approx(1 / 1.1, rel=1e-14)
    # Without discounting, CLV = gross margin rate × spend × E[Y(H)].
    result = customer_lifetime_value(
        summary,
        purchase_model=BGNBD_WEEKS,
        spend=SPEND,
        horizon=52,
        horizon_unit="week",
        annual_discount_rate=0.0,
        gross_margin_rate=0.25,
    )
    np.testing.assert_allclose(
        result.clv,
        0.25
        * SPEND.conditional_expected_spend(summary)
        * BGNBD_WEEKS.conditional_expected_purchases(52.0, summary),
        rtol=1e-12,
    )
    assert result.discount_rate == 0.0
    assert result.time_unit is TimeUnit.WEEK


def test_horizon_units_agree(summary) -> None:
    months = customer_lifetime_value(summary, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=12)
    year = customer_lifetime_value(
        summary, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=1, horizon_unit="year"
    )
    days = customer_lifetime_value(
        summary, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=365.2425, horizon_unit="day"
    )
    np.testing.assert_allclose(months.clv, year.clv, rtol=1e-12)
    np.testing.assert_allclose(days.clv, year.clv, rtol=1e-12)
    # The same model fitted in days gives the same CLV (alpha scales by 7).
    in_days = BGNBD.from_params(r=0.243, alpha=7 * 4.414, a=0.793, b=2.426, time_unit="day")
    np.testing.assert_allclose(
        customer_lifetime_value(summary, purchase_model=in_days, spend=SPEND, horizon=12).clv,
        months.clv,
        rtol=1e-9,
    )


@settings(max_examples=25)
@given(
    margin=st.floats(0.01, 1.0),
    rate_low=st.floats(0.0, 0.5),
    rate_step=st.floats(0.01, 0.5),
    horizon=st.floats(0.5, 120.0),
)
def test_linear_in_margin_and_decreasing_in_rate(margin, rate_low, rate_step, horizon) -> None:
    summary = CustomerSummary.from_arrays(
        [2, 0, 9], [30.43, 0.0, 20.0], [38.86, 38.86, 40.0], [22.35, 0.0, 8.0], time_unit="week"
    )
    full = customer_lifetime_value(
        summary, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=horizon, gross_margin_rate=1.0
    )
    part = customer_lifetime_value(
        summary, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=horizon, gross_margin_rate=margin
    )
    np.testing.assert_allclose(part.clv, margin * full.clv, rtol=1e-14)
    low = customer_lifetime_value(
        summary,
        purchase_model=BGNBD_WEEKS,
        spend=SPEND,
        horizon=horizon,
        annual_discount_rate=rate_low,
    )
    high = customer_lifetime_value(
        summary,
        purchase_model=BGNBD_WEEKS,
        spend=SPEND,
        horizon=horizon,
        annual_discount_rate=min(1.0, rate_low + rate_step),
    )
    assert (high.clv < low.clv).all()
    assert (low.clv > 0).all()
    longer = customer_lifetime_value(
        summary, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=2 * horizon
    )
    assert (longer.clv > full.clv).all()


def test_per_customer_margin_and_spend(summary) -> None:
    margins = np.linspace(0.1, 0.6, 6)
    spend = np.full(6, 20.0)
    result = customer_lifetime_value(
        summary, purchase_model=BGNBD_WEEKS, spend=spend, horizon=6, gross_margin_rate=margins
    )
    np.testing.assert_allclose(result.clv, margins * 20.0 * result.discounted_purchases)
    np.testing.assert_array_equal(result.gross_margin_rate, margins)


def test_result_container(summary) -> None:
    result = customer_lifetime_value(summary, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=12)
    assert isinstance(result, LifetimeValues)
    assert len(result) == 6
    assert result.total == pytest.approx(float(result.clv.sum()))
    assert repr(result).startswith("LifetimeValues(6 customers, horizon=12 month(s)")
    assert result.clv.dtype == np.float64
    frame = pytest.importorskip("pandas") and result.to_pandas()
    assert list(frame.index) == ["a", "b", "c", "d", "e", "f"]
    assert list(frame.columns) == [
        "clv",
        "expected_purchases",
        "discounted_purchases",
        "expected_spend",
        "gross_margin_rate",
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"horizon": 0}, "horizon=0 is invalid: must be > 0"),
        ({"horizon": -3}, "horizon=-3 is invalid: must be > 0"),
        ({"horizon": math.inf}, "horizon=inf is invalid: must be a finite number"),
        ({"horizon": 12, "annual_discount_rate": -0.1}, "annual_discount_rate=-0.1 is invalid"),
        ({"horizon": 12, "annual_discount_rate": 10}, r"must lie in \[0, 1\]"),
        (
            {"horizon": 12, "gross_margin_rate": 0.0},
            r"gross_margin_rate=0.0 is invalid: must lie in \(0, 1\]",
        ),
        (
            {"horizon": 12, "gross_margin_rate": 30},
            r"gross_margin_rate=30.0 is invalid: must lie in \(0, 1\]",
        ),
        (
            {"horizon": 12, "gross_margin_rate": [0.2, 0.2, 1.5, 0.2, 0.2, 0.2]},
            r"gross_margin_rate\[2\]=1.5 \(customer 'c'\) is invalid",
        ),
        ({"horizon": 12, "gross_margin_rate": [0.2, 0.3]}, r"one fraction per customer \(6\)"),
        ({"horizon": 12, "horizon_unit": "fortnight"}, "time_unit='fortnight' is not known"),
    ],
)
def test_invalid_inputs(summary, kwargs, match) -> None:
    with pytest.raises(InvalidInputError, match=match):
        customer_lifetime_value(summary, purchase_model=BGNBD_WEEKS, spend=SPEND, **kwargs)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (
            (None, SPEND),
            {"horizon": 12},
            r"^purchase_model=None is invalid: must be a fitted purchase model \(with time_unit,"
            r" conditional_expected_purchases, probability_alive and probability_of_purchases\)\."
            r" E\.g\. BGNBD\(\)\.fit",
        ),
        ((SPEND, SPEND), {"horizon": 12}, r"^purchase_model='<FittedGammaGamma>' is invalid"),
        ((BGNBD_WEEKS, SPEND), {"horizon": "12"}, r"^horizon='12' is invalid: must be a number"),
        ((BGNBD_WEEKS, SPEND), {"horizon": None}, r"^horizon=None is invalid: must be a number"),
        ((BGNBD_WEEKS, "5"), {"horizon": 12}, r"^spend='5' is invalid: must be numbers, not str"),
        (
            (BGNBD_WEEKS, SPEND),
            {"horizon": 12, "gross_margin_rate": "0.3"},
            r"^gross_margin_rate='0.3' is invalid: must be numbers, not str",
        ),
        (
            (BGNBD_WEEKS, SPEND),
            {"horizon": 12, "annual_discount_rate": True},
            r"^annual_discount_rate=True is invalid: must be a number, not bool",
        ),
    ],
)
def test_junk_arguments_are_refused(summary, args, kwargs, match) -> None:
    with pytest.raises(InvalidInputError, match=match):
        customer_lifetime_value(summary, purchase_model=args[0], spend=args[1], **kwargs)


def test_invalid_spend(summary) -> None:
    with pytest.raises(InvalidInputError, match=r"expected_spend\[1\]=0.0 \(customer 'b'\)"):
        customer_lifetime_value(
            summary, purchase_model=BGNBD_WEEKS, spend=[5.0, 0.0, 1, 1, 1, 1], horizon=12
        )
    infinite_mean = GammaGamma.from_params(p=2.0, q=0.9, gamma=10.0)
    with pytest.raises(InvalidInputError, match=r"expected_spend\[2\]=inf \(customer 'c'\)"):
        customer_lifetime_value(
            summary, purchase_model=BGNBD_WEEKS, spend=infinite_mean, horizon=12
        )
    with pytest.raises(InvalidInputError, match="one expected spend per customer"):
        customer_lifetime_value(summary, purchase_model=BGNBD_WEEKS, spend=[1.0, 2.0], horizon=12)
    with pytest.raises(InvalidInputError, match="data='tuple' is invalid"):
        customer_lifetime_value(
            ([1], [1.0], [2.0]),  # type: ignore[arg-type]
            purchase_model=BGNBD_WEEKS,
            spend=SPEND,
            horizon=12,
        )


def test_non_positive_spenders_get_the_population_mean_spend(summary) -> None:
    zero = CustomerSummary.from_arrays(
        summary.frequency,
        summary.recency,
        summary.T,
        [22.35, 0.0, 0.0, 5.0, 40.0, 12.5],  # b bought again for nothing
        customer_ids=summary.customer_ids,
        time_unit="week",
    )
    with pytest.warns(
        NonPositiveSpendWarning,
        match=r"^1 repeat buyer\(s\) with monetary <= 0 get the population mean spend p\*gamma/"
        r"\(q-1\) = 35.219, like one-time buyers, the first monetary\[1\]=0.0 \(customer 'b'\)",
    ) as caught:
        result = customer_lifetime_value(
            zero, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=12, gross_margin_rate=0.3
        )
    assert caught[0].filename == __file__  # the warning points at the caller
    assert result.expected_spend[1] == SPEND.params.mean_spend == result.expected_spend[2]
    assert np.isfinite(result.clv).all()
    assert (result.clv > 0).all()
    plain = customer_lifetime_value(
        summary, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=12, gross_margin_rate=0.3
    )
    others = [0, 2, 3, 4, 5]
    np.testing.assert_array_equal(result.clv[others], plain.clv[others])
    assert result.clv[1] == pytest.approx(
        0.3 * SPEND.params.mean_spend * result.discounted_purchases[1]
    )
    with pytest.raises(
        InvalidInputError, match=r"^monetary\[1\]=0.0 \(customer 'b'\) is invalid: must be > 0"
    ):
        customer_lifetime_value(
            zero, purchase_model=BGNBD_WEEKS, spend=SPEND, horizon=12, non_positive="raise"
        )
    with pytest.raises(UnknownCodeError, match=r"^non_positive='population_mean' is not known"):
        customer_lifetime_value(
            summary,
            purchase_model=BGNBD_WEEKS,
            spend=[1.0] * 6,
            horizon=12,
            non_positive="population_mean",  # type: ignore[arg-type]
        )
