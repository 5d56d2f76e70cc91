"""One customer, fast: scalar methods equal the vectorised ones, CLV equals the library's CLV.

Timings are in ``benchmarks/one_customer.py`` (no timing assertions here).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ecomstrat as es
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.models.gamma_gamma import NonPositiveSpendWarning

MODELS = {
    "bgnbd": es.BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week"),
    "mbgnbd": es.MBGNBD.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614, time_unit="week"),
    "paretonbd": es.ParetoNBD.from_params(
        r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week"
    ),
}
SPEND = es.GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)


@st.composite
def customers(draw: st.DrawFn) -> tuple[float, float, float]:
    x = float(draw(st.integers(0, 40)))
    T = draw(st.floats(0.01, 400.0))
    t_x = draw(st.floats(0.0, 1.0)) * T if x > 0 else 0.0
    return x, t_x, T


@pytest.mark.parametrize("name", sorted(MODELS))
@settings(max_examples=30)
@given(customer=customers(), t=st.floats(0.0, 300.0), rate=st.sampled_from([0.0, 0.1, 0.5]))
def test_scalar_methods_equal_the_vectorised_ones(
    name: str, customer: tuple[float, float, float], t: float, rate: float
) -> None:
    model = MODELS[name]
    columns = tuple(np.array([value]) for value in customer)
    assert model.probability_alive_one(*customer) == model.probability_alive(columns)[0]
    assert (
        model.conditional_expected_purchases_one(t, *customer)
        == model.conditional_expected_purchases(t, columns)[0]
    )
    horizon = 52.0 if rate == 0.0 else math.inf
    one = model.expected_residual_purchases_one(
        *customer, annual_discount_rate=rate, horizon=horizon
    )
    many = model.expected_residual_purchases(columns, annual_discount_rate=rate, horizon=horizon)
    assert one == many[0]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_numpy_scalars_and_ints_are_accepted(name: str) -> None:
    model = MODELS[name]
    want = model.probability_alive_one(2.0, 30.43, 38.86)
    assert model.probability_alive_one(np.int64(2), np.float64(30.43), 38.86) == want
    assert model.probability_alive_one(np.array(2), 30.43, np.float32(38.86)) == pytest.approx(want)
    assert isinstance(model.conditional_expected_purchases_one(10, 2, 30, 39), float)


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((-1, 0.0, 10.0), "frequency"),
        ((1.5, 1.0, 10.0), "frequency"),
        ((math.nan, 1.0, 10.0), "frequency"),
        (("2", 1.0, 10.0), "frequency"),
        ((True, 1.0, 10.0), "frequency"),
        ((2, 11.0, 10.0), "recency"),
        ((2, -1.0, 10.0), "recency"),
        ((0, 1.0, 10.0), "recency"),
        ((2, 1.0, 0.0), "T"),
        ((2, 1.0, math.inf), "T"),
        ((2, 1.0, None), "T"),
    ],
)
def test_typed_errors_name_the_argument(name: str, args: tuple[Any, ...], match: str) -> None:
    model = MODELS[name]
    with pytest.raises(InvalidInputError, match=match):
        model.probability_alive_one(*args)
    with pytest.raises(InvalidInputError, match=match):
        model.conditional_expected_purchases_one(1.0, *args)
    with pytest.raises(InvalidInputError, match=match):
        model.expected_residual_purchases_one(*args, annual_discount_rate=0.1)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_typed_errors_for_options(name: str) -> None:
    model = MODELS[name]
    for t in (-1.0, math.nan, math.inf, "1"):
        with pytest.raises(InvalidInputError, match="t="):
            model.conditional_expected_purchases_one(t, 2, 30.0, 39.0)
    with pytest.raises(InvalidInputError, match="annual_discount_rate"):
        model.expected_residual_purchases_one(2, 30.0, 39.0, annual_discount_rate=0.0)
    with pytest.raises(InvalidInputError, match="annual_discount_rate"):
        model.expected_residual_purchases_one(2, 30.0, 39.0, annual_discount_rate=[0.1])
    with pytest.raises(InvalidInputError, match="horizon"):
        model.expected_residual_purchases_one(2, 30.0, 39.0, annual_discount_rate=0.1, horizon=0)


def _summary() -> es.CustomerSummary:
    rng = np.random.default_rng(3)
    n = 40
    x = rng.integers(0, 8, n).astype(float)
    T = rng.uniform(5.0, 60.0, n)
    t_x = np.where(x > 0, rng.uniform(0.0, 1.0, n) * T, 0.0)
    monetary = np.where(x > 0, rng.gamma(3.0, 10.0, n), 0.0)
    return es.CustomerSummary.from_arrays(x, t_x, T, monetary, time_unit="week")


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize(
    "options",
    [
        {"horizon": 12},
        {"horizon": 1.5, "horizon_unit": "year", "annual_discount_rate": 0.0},
        {"horizon": 26, "horizon_unit": es.TimeUnit.WEEK, "gross_margin_rate": 0.3},
    ],
)
def test_clv_of_one_customer_equals_the_library_clv(name: str, options: dict[str, Any]) -> None:
    summary = _summary()
    model = MODELS[name]
    want = es.customer_lifetime_value(summary, purchase_model=model, spend=SPEND, **options).clv
    for i in range(summary.n_customers):
        row = (summary.frequency[i], summary.recency[i], summary.T[i], summary.monetary[i])
        got = es.customer_lifetime_value_one(*row, purchase_model=model, spend=SPEND, **options)
        assert got == want[i]
        assert isinstance(got, float)
    spends = np.linspace(5.0, 50.0, summary.n_customers)
    want = es.customer_lifetime_value(summary, purchase_model=model, spend=spends, **options).clv
    for i in (0, 7, 19):
        row = (summary.frequency[i], summary.recency[i], summary.T[i], summary.monetary[i])
        got = es.customer_lifetime_value_one(
            *row, purchase_model=model, spend=float(spends[i]), **options
        )
        assert got == want[i]


def test_clv_of_a_non_positive_spender_follows_the_non_positive_option() -> None:
    model = MODELS["bgnbd"]
    summary = es.CustomerSummary.from_arrays([2.0], [10.0], [30.0], [0.0], time_unit="week")
    with pytest.warns(NonPositiveSpendWarning):
        want = es.customer_lifetime_value(summary, purchase_model=model, spend=SPEND, horizon=12)
    with pytest.warns(NonPositiveSpendWarning):
        got = es.customer_lifetime_value_one(
            2, 10.0, 30.0, 0.0, purchase_model=model, spend=SPEND, horizon=12
        )
    assert got == want.clv[0]
    with pytest.raises(InvalidInputError, match="monetary"):
        es.customer_lifetime_value_one(
            2, 10.0, 30.0, 0.0, purchase_model=model, spend=SPEND, horizon=12, non_positive="raise"
        )


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"purchase_model": es.BGBB.from_params(alpha=1, beta=1, gamma=1, delta=1)}, "purchase"),
        ({"horizon": 0}, "horizon"),
        ({"horizon": math.nan}, "horizon"),
        ({"horizon_unit": "fortnight"}, "time_unit"),
        ({"gross_margin_rate": 1.5}, "gross_margin_rate"),
        ({"gross_margin_rate": [0.3]}, "gross_margin_rate"),
        ({"annual_discount_rate": -0.1}, "annual_discount_rate"),
        ({"spend": -3.0}, "expected_spend"),
        ({"spend": "10"}, "spend"),
        ({"non_positive": "drop"}, "non_positive"),
    ],
)
def test_clv_typed_errors(options: dict[str, Any], match: str) -> None:
    keywords: dict[str, Any] = {
        "purchase_model": MODELS["bgnbd"],
        "spend": SPEND,
        "horizon": 12,
    } | options
    with pytest.raises(ValueError, match=match):
        es.customer_lifetime_value_one(2, 10.0, 30.0, 20.0, **keywords)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_thread_safe(name: str) -> None:
    model = MODELS[name]
    rng = np.random.default_rng(9)
    rows = [
        (float(x), float(u * T) if x > 0 else 0.0, float(T))
        for x, u, T in zip(
            rng.integers(0, 10, 400), rng.uniform(size=400), rng.uniform(1, 80, 400), strict=True
        )
    ]

    def score(row: tuple[float, float, float]) -> tuple[float, float, float]:
        return (
            model.probability_alive_one(*row),
            model.conditional_expected_purchases_one(13.0, *row),
            es.customer_lifetime_value_one(
                *row, 25.0, purchase_model=model, spend=SPEND, horizon=6
            ),
        )

    serial = [score(row) for row in rows]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(score, rows))
    assert parallel == serial
