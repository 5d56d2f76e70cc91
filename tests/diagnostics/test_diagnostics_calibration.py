"""Calibration diagnostics: period transactions (actual vs expected) and mixing distributions."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats
from scipy.integrate import trapezoid

import ecomstrat as es
from ecomstrat.datasets import simulate_transactions
from ecomstrat.diagnostics.calibration import (
    Heterogeneity,
    PeriodTransactions,
    heterogeneity,
    period_transactions,
)
from ecomstrat.exceptions import InvalidInputError, UnknownCodeError
from ecomstrat.frames.discrete import DiscretePatterns
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.models.bgbb import BGBB
from ecomstrat.models.bgnbd import BGNBD, MBGNBD
from ecomstrat.models.gamma_gamma import GammaGamma
from ecomstrat.models.paretonbd import ParetoNBD
from ecomstrat.models.sbg import SBG

#: Published estimates: BG/NBD and Pareto/NBD on the CDNOW sample in weeks (Fader, Hardie & Lee
#: 2005), BG/BB on the donors (Fader, Hardie & Shang 2010), sBG "regular" (Fader & Hardie
#: 2007) and Gamma-Gamma on CDNOW (Fader & Hardie 2013).
BG = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
MBG = MBGNBD.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614, time_unit="week")
PARETO = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week")
BB = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
SURVIVAL = SBG.from_params(alpha=0.704, beta=1.182)
SPEND = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)
CONTINUOUS = (BG, MBG, PARETO)


def one_age(actual: list[int], age: float = 39.0) -> tuple[np.ndarray, ...]:
    """``actual[k]`` customers with ``k`` repeat purchases, all observed for ``age``."""
    x = np.repeat(np.arange(len(actual), dtype=np.float64), actual)
    t_x = np.where(x > 0, age / 2, 0.0)
    return x, t_x, np.full(len(x), age)


# ----------------------------------------------------------------------- expected counts


@pytest.mark.parametrize("model", CONTINUOUS, ids=lambda m: m.name)
def test_one_age_expected_is_n_times_the_model_pmf(model) -> None:
    data = one_age([50, 20, 10, 5, 5, 3, 2, 4, 1])
    result = period_transactions(model, data)
    n = len(data[0])
    pmf = model.probability_of_purchases(np.arange(7), 39.0)
    np.testing.assert_allclose(result.expected[:7] / n, pmf, rtol=1e-12)
    assert result.expected[7] / n == pytest.approx(1.0 - pmf.sum(), rel=1e-9)
    assert result.expected.sum() == pytest.approx(n, rel=1e-12)
    assert result.actual.tolist() == [50, 20, 10, 5, 5, 3, 2, 5]
    assert result.n_customers == n == 100
    assert (result.model, result.time_unit) == (model.name, "week")


def test_customers_of_several_ages_add_their_probabilities() -> None:
    T = np.array([10.0, 39.0, 10.0, 25.5, 39.0])
    x = np.array([0.0, 3.0, 1.0, 0.0, 9.0])
    t_x = np.where(x > 0, 5.0, 0.0)
    result = period_transactions(BG, (x, t_x, T), max_purchases=3)
    by_customer = BG.probability_of_purchases(np.arange(3)[:, None], T[None, :])
    np.testing.assert_allclose(result.expected[:3], by_customer.sum(axis=1), rtol=1e-12)
    assert result.expected.sum() == pytest.approx(5.0, rel=1e-12)
    assert result.labels == ("0", "1", "2", "3+")
    assert result.actual.tolist() == [2, 1, 0, 2]


@settings(max_examples=25)
@given(
    params=st.tuples(*[st.floats(0.05, 10.0) for _ in range(4)]),
    ages=st.lists(st.floats(0.5, 100.0), min_size=1, max_size=30),
    top=st.integers(1, 12),
)
def test_expected_counts_add_up_to_the_customers(params, ages, top) -> None:
    r, alpha, a, b = params
    model = BGNBD.from_params(r=r, alpha=alpha, a=a, b=b, time_unit="week")
    T = np.array(ages)
    data = (np.zeros(len(T)), np.zeros(len(T)), T)
    result = period_transactions(model, data, max_purchases=top)
    assert len(result.expected) == len(result.actual) == len(result.labels) == top + 1
    assert (result.expected >= 0).all()
    assert result.expected.sum() == pytest.approx(len(T), rel=1e-9)
    assert result.actual.tolist() == [len(T)] + [0] * top


def test_a_summary_is_converted_to_the_model_unit() -> None:
    data = one_age([30, 12, 5, 3], age=39.0)
    in_weeks = CustomerSummary.from_arrays(*data, time_unit="week")
    in_days = in_weeks.to_unit("day")
    for summary in (in_weeks, in_days):
        result = period_transactions(BG, summary)
        np.testing.assert_allclose(
            result.expected[:7], 50 * BG.probability_of_purchases(np.arange(7), 39.0), rtol=1e-9
        )


# ----------------------------------------------------------------------------- chi-square


def test_chi_square_by_hand_without_pooling() -> None:
    actual = [560, 210, 80, 50, 30, 20, 10, 40]
    result = period_transactions(BG, one_age(actual))
    expected = 1000 * np.append(
        BG.probability_of_purchases(np.arange(7), 39.0),
        1.0 - BG.probability_of_purchases(np.arange(7), 39.0).sum(),
    )
    assert expected.min() >= 5  # no pooling
    chi = float(np.sum((np.array(actual) - expected) ** 2 / expected))
    assert result.chi_square == pytest.approx(chi, rel=1e-9)
    assert result.degrees_of_freedom == 8 - 1 - 4
    assert result.p_value == pytest.approx(stats.chi2.sf(chi, 3), rel=1e-9)


def test_tail_cells_are_pooled_until_each_expects_five() -> None:
    actual = [110, 45, 20, 10, 5, 4, 2, 4]
    result = period_transactions(BG, one_age(actual))
    e = result.expected
    # 200 customers at T = 39: 114.8, 39.9, 17.1, 9.1, 5.5, 3.7, 2.6, 7.4 expected; the last
    # two cells are merged while any expects < 5, leaving 0, 1, 2, 3, 4, 5+.
    assert e[5] < 5 <= e[4]
    assert e[5] + e[6] + e[7] >= 5
    cells_e = np.append(e[:5], e[5:].sum())
    cells_a = np.append(actual[:5], sum(actual[5:]))
    chi = float(np.sum((cells_a - cells_e) ** 2 / cells_e))
    assert result.chi_square == pytest.approx(chi, rel=1e-12)
    assert result.degrees_of_freedom == 6 - 1 - 4
    assert result.p_value == pytest.approx(stats.chi2.sf(chi, 1), rel=1e-12)


def test_too_few_cells_leave_the_statistic_but_no_p_value() -> None:
    result = period_transactions(BG, one_age([25, 8, 4, 2, 1]))
    # 40 customers: 22.95, 7.98 and 9.07 for 2+ after pooling; 3 cells - 1 - 4 parameters
    e = result.expected
    cells_e = np.array([e[0], e[1], e[2:].sum()])
    cells_a = np.array([25, 8, 7])
    assert result.chi_square == pytest.approx(np.sum((cells_a - cells_e) ** 2 / cells_e))
    assert result.degrees_of_freedom == -2
    assert math.isnan(result.p_value)


def test_one_customer_pools_everything_into_one_cell() -> None:
    result = period_transactions(BG, ([0.0], [0.0], [39.0]))
    assert result.chi_square == 0.0
    assert result.degrees_of_freedom == -4
    assert math.isnan(result.p_value)
    assert result.max_share_gap == pytest.approx(1 - BG.probability_of_purchases(0, 39.0))


@pytest.mark.parametrize("seed", range(5))
def test_data_simulated_from_the_model_pass_the_test(seed: int) -> None:
    summary = simulate_transactions(2_000, seed=seed).summary()
    model = BGNBD().fit(summary)
    result = period_transactions(model, summary)
    assert result.expected.sum() == pytest.approx(2_000, rel=1e-12)
    assert result.degrees_of_freedom == 8 - 1 - 4
    # a 1 % test of the true model class (p = 0.30, 0.82, 0.14, 0.46, 0.37 at seeds 0-4)
    assert result.p_value > 0.01, result
    assert result.max_share_gap < 0.02


def test_with_the_true_parameters_the_statistic_has_all_cells_as_freedom() -> None:
    # Known parameters: Pearson's statistic is chi-square with cells - 1 = 7 degrees of
    # freedom; its mean over 30 simulated data sets is close to 7 (sd of the mean ~0.7).
    model = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    values = [
        period_transactions(model, simulate_transactions(1_000, seed=100 + s).summary())
        for s in range(30)
    ]
    assert {v.degrees_of_freedom for v in values} == {3}
    assert np.mean([v.chi_square for v in values]) == pytest.approx(7.0, abs=2.0)


# ----------------------------------------------------------------------------- BG/BB data


def test_bgbb_weighted_patterns_count_their_customers() -> None:
    patterns = DiscretePatterns([0, 1, 2, 6], [0, 3, 5, 6], [6, 6, 6, 6], [300, 120, 50, 30])
    result = period_transactions(BB, patterns, max_purchases=6)
    assert result.time_unit == "opportunity"
    assert result.n_customers == 500
    assert result.actual.tolist() == [300, 120, 50, 0, 0, 0, 30]
    pmf = BB.probability_of_purchases(np.arange(7), 6)
    np.testing.assert_allclose(result.expected, 500 * pmf, rtol=1e-9, atol=1e-9)
    # the same customers one row each
    rows = tuple(
        np.repeat(c, patterns.weights.astype(int))
        for c in (patterns.frequency, patterns.recency, patterns.periods)
    )
    expanded = period_transactions(BB, rows, max_purchases=6)
    np.testing.assert_array_equal(expanded.actual, result.actual)
    np.testing.assert_allclose(expanded.expected, result.expected, rtol=1e-12)
    assert expanded.chi_square == pytest.approx(result.chi_square, rel=1e-12)


def test_bgbb_open_bucket_beyond_the_opportunities_is_empty() -> None:
    x, t_x, n = [0, 1, 2, 3], [0, 2, 4, 4], [4, 4, 4, 5]
    result = period_transactions(BB, (x, t_x, n), max_purchases=7)
    assert result.expected[6] == pytest.approx(0.0, abs=1e-12)
    assert result.expected[7] == pytest.approx(0.0, abs=1e-12)
    by_hand = BB.probability_of_purchases(np.arange(5), 4) * 3
    by_hand = np.append(by_hand, 0.0) + BB.probability_of_purchases(np.arange(6), 5)
    np.testing.assert_allclose(result.expected[:6], by_hand, rtol=1e-12)
    assert result.expected.sum() == pytest.approx(4.0, rel=1e-12)


@pytest.mark.reference_data
def test_bgbb_on_the_donations(shared_data: Path) -> None:
    table = np.loadtxt(shared_data / "donations.csv", delimiter=",", skiprows=1)
    patterns = DiscretePatterns(table[:, 0], table[:, 1], table[:, 2], table[:, 3])
    result = period_transactions(BB, patterns, max_purchases=6)
    assert result.n_customers == 11_104
    assert result.actual.sum() == 11_104
    assert result.expected.sum() == pytest.approx(11_104, rel=1e-12)
    assert result.max_share_gap < 0.01


# ------------------------------------------------------------------------------- CDNOW


@pytest.mark.reference_data
def test_cdnow_bgnbd_expects_the_non_repeaters(shared_data: Path) -> None:
    log = es.read_csv(
        shared_data / "cdnow_master.txt",
        delimiter="whitespace",
        time="date",
        amount="dollar_value",
        time_format="%Y%m%d",
    )
    split = es.calibration_holdout_summary(
        log, calibration_end="1997-09-30", observation_end="1998-06-30", time_unit="week"
    )
    model = BGNBD().fit(split.calibration)
    result = period_transactions(model, split.calibration)
    assert result.n_customers == 23_570
    assert result.actual.tolist() == [14119, 4442, 2064, 1084, 605, 348, 272, 636]
    # 14,058.9 expected vs 14,119 actual: 0.4 % apart; every bucket within 1.1 % of customers
    assert result.expected[0] == pytest.approx(14_119, rel=0.02)
    assert result.expected.sum() == pytest.approx(23_570, rel=1e-12)
    assert result.max_share_gap < 0.015
    assert result.degrees_of_freedom == 3


# ----------------------------------------------------------------------------- the table


def test_period_transactions_table() -> None:
    result = period_transactions(BG, one_age([5, 2, 1]), max_purchases=2)
    assert isinstance(result, PeriodTransactions)
    columns = result.columns()
    assert list(columns) == ["purchases", "actual", "expected"]
    assert columns["purchases"].tolist() == ["0", "1", "2+"]
    assert columns["actual"].tolist() == [5, 2, 1]
    assert result.actual.dtype == np.int64
    with pytest.raises(ValueError):
        result.expected[0] = 1.0  # read-only
    assert repr(result).startswith("PeriodTransactions(BG/NBD, 8 customers")


def test_inputs_are_not_mutated() -> None:
    data = one_age([5, 2, 1])
    copies = tuple(a.copy() for a in data)
    period_transactions(BG, data)
    for before, after in zip(copies, data, strict=True):
        np.testing.assert_array_equal(before, after)


# ----------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("model", [SPEND, SURVIVAL, "BG/NBD", None], ids=repr)
def test_only_purchase_models_have_period_transactions(model) -> None:
    with pytest.raises(InvalidInputError, match=r"^model=.*BG/NBD, MBG/NBD, Pareto/NBD or BG/BB"):
        period_transactions(model, one_age([5, 2, 1]))


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "7", None])
def test_max_purchases_must_be_a_whole_number_from_one(value) -> None:
    with pytest.raises(InvalidInputError, match=r"^max_purchases="):
        period_transactions(BG, one_age([5, 2, 1]), max_purchases=value)


def test_bad_data_name_the_argument() -> None:
    with pytest.raises(InvalidInputError, match=r"^recency\[0\]="):
        period_transactions(BG, ([1.0], [50.0], [39.0]))
    with pytest.raises(InvalidInputError, match=r"^data="):
        period_transactions(BG, "customers")
    with pytest.raises(InvalidInputError, match=r"^weights\[1\]=0.5"):
        period_transactions(BB, DiscretePatterns([0, 1], [0, 1], [3, 3], [2.0, 0.5]))
    with pytest.raises(InvalidInputError, match=r"^data="):
        period_transactions(BB, DiscretePatterns([0, 1], [0, 1], [3, 3], [0.0, 0.0]))
    with pytest.raises(InvalidInputError, match=r"^recency\[0\]="):
        period_transactions(BB, ([2], [1], [6]))


# -------------------------------------------------------------------------- heterogeneity

ALL_MODELS = (BG, MBG, PARETO, BB, SURVIVAL, SPEND)


def _gamma_pdf(x: np.ndarray, shape: float, rate: float) -> np.ndarray:
    return np.exp(shape * math.log(rate) + (shape - 1) * np.log(x) - rate * x - math.lgamma(shape))


def _beta_pdf(x: np.ndarray, a: float, b: float) -> np.ndarray:
    log_b = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return np.exp((a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - log_b)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (BG, {"lambda": ("gamma", 0.243, 4.414), "p": ("beta", 0.793, 2.426)}),
        (MBG, {"lambda": ("gamma", 0.525, 6.183), "p": ("beta", 0.891, 1.614)}),
        (PARETO, {"lambda": ("gamma", 0.553, 10.578), "mu": ("gamma", 0.606, 11.669)}),
        (BB, {"p": ("beta", 1.204, 0.750), "theta": ("beta", 0.657, 2.783)}),
        (SURVIVAL, {"theta": ("beta", 0.704, 1.182)}),
        (SPEND, {"nu": ("gamma", 3.74, 15.44)}),
    ],
    ids=lambda v: getattr(v, "name", ""),
)
def test_mixing_distributions_by_closed_form(model, expected) -> None:
    h = heterogeneity(model)
    assert isinstance(h, Heterogeneity)
    assert h.model == model.name
    for name, (family, u, v) in expected.items():
        d = h[name]
        assert d.family == family
        assert len(d.grid) == len(d.density) == 200
        assert (np.diff(d.grid) >= 0).all()
        assert np.isfinite(d.density).all()
        if family == "gamma":
            assert d.shape == {"shape": u, "rate": v}
            assert d.mean == pytest.approx(u / v, rel=1e-12)
            assert d.sd == pytest.approx(math.sqrt(u) / v, rel=1e-12)
            np.testing.assert_allclose(d.density, _gamma_pdf(d.grid, u, v), rtol=1e-9)
            low, high = stats.gamma.ppf([0.005, 0.995], u, scale=1 / v)
        else:
            assert d.shape == {"a": u, "b": v}
            assert d.mean == pytest.approx(u / (u + v), rel=1e-12)
            sd = math.sqrt(u * v / ((u + v) ** 2 * (u + v + 1)))
            assert d.sd == pytest.approx(sd, rel=1e-12)
            np.testing.assert_allclose(d.density, _beta_pdf(d.grid, u, v), rtol=1e-9)
            low, high = stats.beta.ppf([0.005, 0.995], u, v)
        assert d.grid[0] == pytest.approx(low, rel=1e-9)
        assert d.grid[-1] == pytest.approx(high, rel=1e-9)
        # the grid covers 99 % of the mass, and is dense in log x where a shape < 1 makes the
        # density infinite at 0: the trapezoid rule finds it
        assert trapezoid(d.density, d.grid) == pytest.approx(0.99, abs=0.005)


def test_meanings_carry_the_time_unit() -> None:
    assert heterogeneity(BG)["lambda"].meaning == "purchase rate per week while alive"
    assert heterogeneity(BG)["p"].meaning == ("probability of dropping out at each repeat purchase")
    assert "first purchase" in heterogeneity(MBG)["p"].meaning
    daily = ParetoNBD.from_params(r=0.5, alpha=70.0, s=0.6, beta=80.0, time_unit="day")
    assert heterogeneity(daily)["mu"].meaning == "dropout rate per day"
    assert heterogeneity(daily).time_unit == "day"
    assert heterogeneity(BB).time_unit == "opportunity"
    assert heterogeneity(BB)["p"].meaning.endswith("at each opportunity while alive")


def test_gamma_gamma_mean_spend_is_a_scaled_inverse_gamma() -> None:
    d = heterogeneity(SPEND, points=300)["mean_spend"]
    p, q, g = 6.25, 3.74, 15.44
    assert d.family == "inverse_gamma"
    assert d.shape == {"shape": q, "scale": pytest.approx(p * g)}
    assert d.mean == pytest.approx(p * g / (q - 1), rel=1e-12)  # 35.22, the population mean
    assert d.mean == pytest.approx(SPEND.params.mean_spend, rel=1e-12)
    assert d.sd == pytest.approx(p * g / ((q - 1) * math.sqrt(q - 2)), rel=1e-12)
    # change of variables m = p / nu: f_m(m) = f_nu(p / m) p / m**2
    by_hand = _gamma_pdf(p / d.grid, q, g) * p / d.grid**2
    np.testing.assert_allclose(d.density, by_hand, rtol=1e-9)
    assert trapezoid(d.density, d.grid) == pytest.approx(0.99, abs=0.005)
    # and against draws of nu
    nu = np.random.default_rng(3).gamma(q, 1 / g, 200_000)
    assert np.quantile(p / nu, 0.5) == pytest.approx(
        stats.invgamma.ppf(0.5, q, scale=p * g), rel=0.01
    )


@pytest.mark.parametrize(
    ("q", "mean", "sd"), [(1.5, 2 * 6.0 * 2.0, math.inf), (0.8, math.inf, math.nan)]
)
def test_undefined_spend_moments_are_inf_or_nan(q: float, mean: float, sd: float) -> None:
    d = heterogeneity(GammaGamma.from_params(p=6.0, q=q, gamma=2.0))["mean_spend"]
    assert d.mean == mean
    assert d.sd == sd or (math.isnan(d.sd) and math.isnan(sd))
    assert np.isfinite(d.grid).all()
    assert np.isfinite(d.density).all()


@pytest.mark.parametrize(("a", "b"), [(0.02, 0.5), (0.5, 0.02), (0.001, 0.001), (0.3, 0.3)])
def test_beta_with_infinite_edges_stays_inside_and_finite(a: float, b: float) -> None:
    model = SBG.from_params(alpha=a, beta=b)
    d = heterogeneity(model)["theta"]
    assert d.grid[0] > 0
    assert d.grid[-1] < 1
    assert np.isfinite(d.density).all()
    assert (d.density > 0).all()
    assert (np.diff(d.grid) >= 0).all()


def test_gamma_with_a_tiny_shape_stays_positive_and_finite() -> None:
    model = BGNBD.from_params(r=0.002, alpha=1.0, a=1.0, b=1.0, time_unit="week")
    d = heterogeneity(model)["lambda"]
    assert d.grid[0] > 0
    assert np.isfinite(d.density).all()


def test_heterogeneity_table_and_lookup() -> None:
    h = heterogeneity(PARETO, points=50)
    columns = h.columns()
    assert list(columns) == ["parameter", "value", "density"]
    assert columns["parameter"].tolist() == ["lambda"] * 50 + ["mu"] * 50
    assert columns["parameter"].dtype.kind == "U"
    np.testing.assert_array_equal(columns["value"][50:], h["mu"].grid)
    assert h.parameters == ("lambda", "mu")
    with pytest.raises(UnknownCodeError, match=r"parameter='p' is not known.*'lambda', 'mu'"):
        h["p"]
    assert "lambda ~ gamma(shape=0.553, rate=10.58)" in repr(h)


@pytest.mark.parametrize("model", [None, "BG/NBD", 3.0], ids=repr)
def test_heterogeneity_needs_a_fitted_model(model) -> None:
    with pytest.raises(InvalidInputError, match=r"^model=.*Gamma-Gamma model"):
        heterogeneity(model)


@pytest.mark.parametrize("value", [1, 0, 2.5, False, "200"])
def test_points_must_be_a_whole_number_from_two(value) -> None:
    with pytest.raises(InvalidInputError, match=r"^points="):
        heterogeneity(BG, points=value)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.name)
def test_every_model_has_a_heterogeneity(model) -> None:
    h = heterogeneity(model, points=2)
    for d in h.distributions:
        assert len(d.grid) == 2
        assert d.grid[0] < d.grid[1]
        assert np.isfinite(d.mean)
        assert d.mean > 0
