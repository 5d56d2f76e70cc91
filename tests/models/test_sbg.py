"""sBG: published estimates, kernels vs references, properties, recovery, inputs."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames.discrete import SurvivorCounts
from ecomstrat.models.sbg import SBG, FittedSBG, SBGParams, lifetime_patterns
from tests.reference.discrete import COMPARISONS, sbg_loglik_python

# Fader & Hardie (2007), "How to Project Customer Retention", J. Interactive Marketing 21(1),
# Table 1: customers of a 1,000-strong cohort still active at the start of years 0..12.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]
# The paper fits years 0-7 (the first 8 counts) and reports these estimates.
PUBLISHED = {"regular": (REGULAR, 0.704, 1.182), "high end": (HIGH_END, 0.668, 3.806)}

needs_mpmath = pytest.mark.skipif(
    importlib.util.find_spec("mpmath") is None, reason="mpmath is not installed"
)

params_strategy = st.tuples(st.floats(0.05, 20.0), st.floats(0.05, 20.0))

#: sBG with alpha = beta = 1 (uniform churn probabilities).
UNIT = SBG.from_params(alpha=1, beta=1)


def simulate(alpha: float, beta: float, cohort_size: int, periods: int, seed: int) -> np.ndarray:
    """Survivor counts of a cohort whose churn probabilities are drawn from Beta(α, β)."""
    rng = np.random.default_rng(seed)
    theta = rng.beta(alpha, beta, cohort_size)
    lifetime = rng.geometric(theta)  # T: the period in which each customer churns
    return np.array([(lifetime > t).sum() for t in range(periods + 1)], dtype=np.float64)


# --- published numbers ------------------------------------------------------------------


@pytest.mark.parametrize("segment", sorted(PUBLISHED))
def test_reproduces_published_estimates(segment: str) -> None:
    counts, alpha, beta = PUBLISHED[segment]
    fitted = SBG().fit(counts[:8])
    assert (round(fitted.params.alpha, 3), round(fitted.params.beta, 3)) == (alpha, beta)
    assert fitted.fit is not None
    assert fitted.fit.diagnostics.converged
    assert fitted.fit.diagnostics.n_customers == 1000


@pytest.mark.parametrize("segment", sorted(PUBLISHED))
def test_published_estimates_project_the_holdout_years(segment: str) -> None:
    """F&H (2007), Figure 3: the fit on years 0-7 tracks years 8-12 (a fit check, not a table)."""
    counts, alpha, beta = PUBLISHED[segment]
    projected = SBG.from_params(alpha=alpha, beta=beta).projected_survivors(
        np.arange(13), cohort_size=1000
    )
    np.testing.assert_allclose(projected, counts, atol=20)  # of 1,000
    np.testing.assert_allclose(projected[8:], counts[8:], rtol=0.05)


def test_survival_by_hand() -> None:
    model = SBG.from_params(alpha=0.704, beta=1.182)
    # r(1) = β/(α+β) = 1.182/1.886, r(2) = 2.182/2.886
    r1, r2 = 1.182 / 1.886, 2.182 / 2.886
    np.testing.assert_allclose(model.survival([0, 1, 2]), [1.0, r1, r1 * r2], rtol=1e-14)
    np.testing.assert_allclose(model.churn_probability([1, 2]), [1 - r1, r1 * (1 - r2)])
    assert SBG.from_params(alpha=2.0, beta=3.0).expected_lifetime() == 4.0  # (α+β−1)/(α−1)
    assert SBG.from_params(alpha=0.7, beta=3.0).expected_lifetime() == math.inf


# --- kernels against the plain-Python references ----------------------------------------


@st.composite
def lifetimes(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    size = draw(st.integers(1, 10))
    churned = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)), float)
    periods = np.array(draw(st.lists(st.integers(1, 40), min_size=size, max_size=size)), float)
    periods[churned == 0] -= draw(st.integers(0, 1))  # censored rows may have t = 0
    return periods, churned


@given(theta=params_strategy, data=lifetimes())
def test_loglik_kernel_matches_reference(theta: tuple, data: tuple) -> None:
    impl = COMPARISONS["sbg_loglik_terms"]
    want_ll, want_grad = impl["python"](*theta, *data)
    got_ll, got_grad = impl["numba"](*theta, *data)
    np.testing.assert_allclose(got_ll, want_ll, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(got_grad, want_grad, rtol=1e-9, atol=1e-10)


@given(theta=params_strategy, t=st.lists(st.integers(0, 200), min_size=1, max_size=10))
def test_survival_and_churn_kernels_match_reference(theta: tuple, t: list[int]) -> None:
    periods = np.array(t, dtype=np.float64)
    surv = COMPARISONS["sbg_survival"]
    np.testing.assert_allclose(
        surv["numba"](*theta, periods), surv["python"](*theta, periods), rtol=1e-11
    )
    churn = COMPARISONS["sbg_churn_probability"]
    later = periods + 1
    np.testing.assert_allclose(
        churn["numba"](*theta, later), churn["python"](*theta, later), rtol=1e-9, atol=1e-300
    )


@needs_mpmath
@given(
    theta=params_strategy,
    survived=st.lists(st.integers(0, 100), min_size=1, max_size=5),
    rate=st.floats(0.005, 3.0),
)
def test_derl_kernel_matches_hyp2f1(theta: tuple, survived: list[int], rate: float) -> None:
    impl = COMPARISONS["sbg_derl"]
    s = np.array(survived, dtype=np.float64)
    np.testing.assert_allclose(
        impl["numba"](*theta, s, rate), impl["python"](*theta, s, rate), rtol=1e-12
    )


@needs_mpmath
@pytest.mark.parametrize("rate", [1e-13, 1e-9, 1e-6, 9.9e-5, 1e-4, 0.01, 0.1, 10.0, 1e6])
@pytest.mark.parametrize(("alpha", "beta"), [(0.05, 0.05), (0.668, 3.806), (1.0, 1.0), (30, 900)])
def test_discounted_survival_series_at_extreme_rates(
    alpha: float, beta: float, rate: float
) -> None:
    impl = COMPARISONS["log_discounted_survival"]
    assert impl["numba"](alpha, beta, rate) == pytest.approx(
        impl["python"](alpha, beta, rate), rel=1e-13
    )


@needs_mpmath
@given(
    x=st.floats(1e-3, 1e4),
    eps=st.one_of(st.floats(-0.999, 0.999), st.floats(-1e-9, 1e-9), st.floats(1.0, 1e3)).filter(
        lambda e: e == 0.0 or abs(e) > 1e-300
    ),  # eps = α − 1 is never subnormal
)
def test_lgamma_shift_matches_high_precision(x: float, eps: float) -> None:
    import mpmath

    from ecomstrat._kernels.sbg import lgamma_shift

    if x + eps <= 1e-3:
        eps = -x / 2
    # enough digits that x + eps is exact, plus 40
    digits = 40 + (int(-math.log10(abs(eps))) + 5 if eps else 0)
    with mpmath.workdps(digits):
        want = float(mpmath.loggamma(mpmath.mpf(x) + mpmath.mpf(eps)) - mpmath.loggamma(x))
    # relative accuracy, except near the zeros of Γ(x + eps) − Γ(x) at finite eps (x = 1,
    # eps = 1…) where rounding of the O(1) parts leaves an absolute error of a few ulps
    assert lgamma_shift(x, eps) == pytest.approx(want, rel=1e-13, abs=1e-15 * abs(eps))


def test_gradient_matches_finite_differences() -> None:
    periods, churned, weights = lifetime_patterns(SurvivorCounts.from_counts(REGULAR))
    theta = np.array([0.9, 2.1])

    def total(th: np.ndarray) -> float:
        return float(weights @ sbg_loglik_python(*th, periods, churned)[0])

    _, gradient = COMPARISONS["sbg_loglik_terms"]["numba"](*theta, periods, churned)
    analytic = weights @ gradient
    for k in range(2):
        step = np.zeros(2)
        step[k] = 1e-6 * theta[k]
        numeric = (total(theta + step) - total(theta - step)) / (2 * step[k])
        assert analytic[k] == pytest.approx(numeric, rel=1e-6)


# --- properties -------------------------------------------------------------------------


@given(theta=params_strategy)
def test_survival_falls_and_retention_rises(theta: tuple) -> None:
    model = SBG.from_params(alpha=theta[0], beta=theta[1])
    t = np.arange(0, 60)
    survival = model.survival(t)
    assert survival[0] == 1.0
    assert np.all((survival > 0) & (survival <= 1))
    assert np.all(np.diff(survival) <= 0)
    retention = model.retention_rate(t[1:])
    assert np.all((retention > 0) & (retention < 1))
    assert np.all(np.diff(retention) > 0)
    np.testing.assert_allclose(survival[1:] / survival[:-1], retention, rtol=1e-12)
    churn = model.churn_probability(t[1:])
    assert np.all((churn >= 0) & (churn <= 1))
    np.testing.assert_allclose(churn, survival[:-1] - survival[1:], rtol=1e-9, atol=1e-15)


@given(theta=params_strategy, rate=st.floats(0.01, 1.0))
def test_derl_identities(theta: tuple, rate: float) -> None:
    model = SBG.from_params(alpha=theta[0], beta=theta[1])
    survived = np.arange(0, 30)
    derl = model.expected_residual_lifetime(survived, discount_rate_per_period=rate)
    assert np.all(np.diff(derl) > 0)  # the longer they stayed, the more loyal
    assert np.all((derl > 0) & (derl <= (1 + rate) / rate))
    # DERL(s) = r(s+1) (1 + DERL(s+1)/(1 + d)): renew now, then be worth DERL(s+1) next period
    renew = model.retention_rate(survived[:-1] + 1)
    np.testing.assert_allclose(derl[:-1], renew * (1 + derl[1:] / (1 + rate)), rtol=1e-12)


def test_derl_tends_to_expected_residual_lifetime() -> None:
    """As d -> 0, DERL(0) -> Σ_{t>=1} S(t) = E[T] − 1 when α > 1."""
    model = SBG.from_params(alpha=3.0, beta=4.0)  # E[T] = 6/2 = 3
    derl = model.expected_residual_lifetime(0, discount_rate_per_period=1e-6)
    assert derl == pytest.approx(model.expected_lifetime() - 1, rel=1e-4)
    tiny = model.expected_residual_lifetime(0, discount_rate_per_period=1e-12)
    assert tiny == pytest.approx(model.expected_lifetime() - 1, rel=1e-9)
    assert derl.shape == ()


def test_extreme_but_valid_inputs_stay_finite() -> None:
    for alpha, beta in [(1e-3, 1e-3), (1e3, 1e-3), (1e-3, 1e3), (500.0, 500.0)]:
        model = SBG.from_params(alpha=alpha, beta=beta)
        t = np.array([0, 1, 10, 1000, 10**6])
        for values in (
            model.survival(t),
            model.churn_probability(t[1:]),
            model.retention_rate(t[1:]),
            model.expected_residual_lifetime(t, discount_rate_per_period=0.05),
        ):
            assert np.all(np.isfinite(values))
            assert np.all(values >= 0)


# --- fitting ----------------------------------------------------------------------------


def test_recovers_simulated_parameters() -> None:
    alpha, beta = 0.8, 2.5
    counts = simulate(alpha, beta, cohort_size=20_000, periods=12, seed=11)
    fitted = SBG().fit(counts)
    assert fitted.fit is not None
    for name, value in (("alpha", alpha), ("beta", beta)):
        estimate, error = getattr(fitted.params, name), fitted.fit.standard_errors[name]
        assert abs(estimate - value) < 4 * error, (name, estimate, error)
        assert error < 0.25 * value


def test_cohorts_add_up() -> None:
    """Several cohorts: the log-likelihood is the sum, and the fit pools them."""
    a = simulate(0.8, 2.5, 5_000, 10, seed=1)
    b = simulate(0.8, 2.5, 3_000, 5, seed=2)
    both = SurvivorCounts.from_cohorts([a, b])
    model = SBG.from_params(alpha=0.9, beta=2.0)
    assert model.log_likelihood(both) == pytest.approx(
        model.log_likelihood(a) + model.log_likelihood(b), rel=1e-13
    )
    fitted = SBG().fit(both)
    assert fitted.fit is not None
    assert fitted.fit.log_likelihood == pytest.approx(fitted.log_likelihood(both), rel=1e-12)
    assert fitted.fit.diagnostics.n_customers == 8_000
    assert abs(fitted.params.alpha - 0.8) < 4 * fitted.fit.standard_errors["alpha"]


def test_fit_accepts_initial_values_and_returns_frozen_results() -> None:
    fitted = SBG().fit(REGULAR[:8], initial=SBGParams(3.0, 0.2))
    assert isinstance(fitted, FittedSBG)
    assert round(fitted.params.alpha, 3) == 0.704
    with pytest.raises(AttributeError):
        fitted.params = SBGParams(1, 1)  # type: ignore[misc]
    assert SBG.from_params(alpha=1, beta=2).fit is None
    assert SBGParams(1, 2).to_dict() == {"alpha": 1.0, "beta": 2.0}
    from_mapping = SBG().fit(REGULAR[:8], initial={"beta": 0.5, "alpha": 0.5})
    assert from_mapping.params.alpha == pytest.approx(fitted.params.alpha, rel=1e-5)
    assert repr(from_mapping).startswith("FittedSBG(alpha=0.704")
    assert repr(from_mapping).endswith(f"log_likelihood={from_mapping.fit.log_likelihood:.6g})")


def test_degenerate_counts_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="nobody churned"):
        SBG().fit([100, 100, 100])
    with pytest.raises(InvalidInputError, match="everybody churned in period 1"):
        SBG().fit([100, 0, 0])


# --- inputs -----------------------------------------------------------------------------


def test_lifetime_patterns_from_counts() -> None:
    periods, churned, weights = lifetime_patterns(SurvivorCounts.from_counts([10, 6, 6, 1]))
    rows = list(zip(periods.tolist(), churned.tolist(), weights.tolist(), strict=True))
    # churned 4 in period 1, none in period 2 (dropped), 5 in period 3; 1 survives 3 periods
    assert rows == [(1.0, 1.0, 4.0), (3.0, 1.0, 5.0), (3.0, 0.0, 1.0)]


def test_survivor_counts_frame() -> None:
    s = SurvivorCounts.from_cohorts([[10, 6, 1], [5, 5]])
    assert s.n_cohorts == 2
    assert len(s) == 5
    assert s.columns()["period"].tolist() == [0, 1, 2, 0, 1]
    assert s.cohort.tolist() == [0, 0, 0, 1, 1]
    assert not s.survivors.flags.writeable
    assert "2 cohort(s)" in repr(s)


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: SurvivorCounts.from_counts([100, 120]), r"survivors\[1\]=120.0 .* never increase"),
        (lambda: SurvivorCounts.from_counts([0, 0]), r"survivors\[0\]=0.0 .* cohort size"),
        (lambda: SurvivorCounts.from_counts([100, -1]), r"survivors\[1\]=-1.0 .* >= 0"),
        (lambda: SurvivorCounts.from_counts([100, math.nan]), r"survivors\[1\]=nan"),
        (lambda: SurvivorCounts.from_counts([100]), r"survivors\[0\]=100.0 .* only count"),
        (lambda: SurvivorCounts.from_cohorts([[100, 50], [7]]), r"survivors\[2\]=7.0 .* only"),
        (lambda: SurvivorCounts([10, 5, 8, 4], [1, 1, 0, 0]), r"cohort\[2\]=0 .* not decrease"),
        (lambda: SurvivorCounts([10, 5], [0, 0.5]), r"cohort\[1\]=0.5 .* whole"),
        (lambda: SurvivorCounts([10, 5], [0]), r"len\(cohort\)=1"),
        (lambda: SBG().fit([[10, 5], [8, 4]]), r"counts=.* one-dimensional. .* from_cohorts"),
        (lambda: SBGParams(0, 1), r"alpha=0.0 .* > 0"),
        (lambda: SBGParams(1, math.inf), r"beta=inf .* finite"),
        (lambda: SBG().fit(REGULAR, initial=(1.0,)), r"initial=.* two values"),
        (lambda: SBG().fit(REGULAR, initial={"alpha": 1.0}), r"initial=.* keys .*'beta'"),
        (lambda: UNIT.survival([1, -1]), r"t\[1\]=-1.0 .* >= 0"),
        (lambda: UNIT.retention_rate(0), r"t=0.0 .* >= 1"),
        (lambda: UNIT.churn_probability([1.5]), r"t\[0\]=1.5 .* whole"),
        (lambda: UNIT.projected_survivors(1, cohort_size=0), "cohort_size"),
        (
            lambda: UNIT.expected_residual_lifetime(1, discount_rate_per_period=0),
            r"discount_rate_per_period=0 .* must be > 0 over an infinite horizon",
        ),
        (
            lambda: UNIT.expected_residual_lifetime(1, discount_rate_per_period=1.1),
            r"discount_rate_per_period=1.1 .* must lie in \[0, 1\]",
        ),
        (
            lambda: UNIT.expected_residual_lifetime(-1, discount_rate_per_period=0.1),
            r"periods_survived=-1.0",
        ),
    ],
)
def test_invalid_inputs_name_the_field(build, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match=match):
        build()


def test_empty_inputs() -> None:
    with pytest.raises(EmptyInputError):
        SurvivorCounts.from_counts([])
    with pytest.raises(EmptyInputError):
        SurvivorCounts.from_cohorts([])
