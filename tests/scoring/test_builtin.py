"""The built-in scorers on a hand-checked base, through the registry."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.special import hyp2f1

from ecomstrat import CustomerSummary
from ecomstrat.exceptions import InvalidInputError, PluginWarning, UnknownCodeError
from ecomstrat.metrics.clv import customer_lifetime_value
from ecomstrat.models.bgnbd import BGNBD
from ecomstrat.models.gamma_gamma import FrequencyMonetaryCorrelationWarning, GammaGamma
from ecomstrat.models.paretonbd import FittedParetoNBD, ParetoNBD
from ecomstrat.scoring import (
    ChurnRiskScorer,
    CLVScorer,
    LeadScorer,
    RFMScorer,
    ScorerRegistry,
    ScoringContext,
)
from ecomstrat.scoring.builtin import DEFAULT_LEAD_WEIGHTS

#: Pareto/NBD estimates on CDNOW, in weeks (Fader, Hardie & Lee 2005, "A note on deriving the
#: Pareto/NBD model and related expressions").
R, ALPHA, S, BETA = 0.553, 10.578, 0.606, 11.669


@pytest.fixture(scope="module")
def model() -> FittedParetoNBD:
    return ParetoNBD.from_params(r=R, alpha=ALPHA, s=S, beta=BETA, time_unit="week")


@pytest.fixture(scope="module")
def weeks() -> CustomerSummary:
    """Customers of the Pareto/NBD docs: (x, t_x, T) in weeks, with total spend."""
    return CustomerSummary(
        np.array([1, 2, 3]),
        frequency=np.array([2, 0, 10]),
        recency=np.array([30.43, 0.0, 35.0]),
        T=np.array([38.86, 38.86, 38.86]),
        monetary=np.array([20.0, 0.0, 30.0]),
        total_value=np.array([60.0, 25.0, 330.0]),
        time_unit="week",
    )


def p_alive_closed_form(x: float, t_x: float, T: float) -> float:
    """Fader & Hardie (2005) note, eq. (18)-(19), for alpha < beta (as on CDNOW)."""
    a = R + x + S
    z = BETA - ALPHA

    def term(t: float) -> float:
        return float(hyp2f1(a, R + x, a + 1, z / (BETA + t)) / (BETA + t) ** a)

    a0 = term(t_x) - term(T)
    return float(1.0 / (1.0 + S / a * (ALPHA + T) ** (R + x) * (BETA + T) ** S * a0))


def test_the_hand_checked_base(summary: CustomerSummary) -> None:
    # conftest.ORDERS, observed to 2024-04-01, in days
    assert summary.frequency.tolist() == [0, 1, 2, 4, 0]
    assert summary.recency.tolist() == [0.0, 10.0, 30.0, 50.0, 0.0]
    assert summary.T.tolist() == [5.0, 40.0, 60.0, 55.0, 90.0]
    assert summary.total_value is not None
    assert summary.total_value.tolist() == [20.0, 50.0, 90.0, 400.0, 10.0]


def test_rfm_score_by_hand(registry: ScorerRegistry, context: ScoringContext) -> None:
    # score = 1 + 5 * below // 5 = 1 + (customers strictly worse); ties share the lower score
    # since last purchase T - t_x = [5, 30, 30, 5, 90]  -> R = [4, 2, 2, 4, 1]
    # purchases x + 1         = [1, 2, 3, 5, 1]      -> F = [1, 3, 4, 5, 1]
    # total spend              = [20, 50, 90, 400, 10] -> M = [2, 3, 4, 5, 1]
    scores = registry.score(context, names=["rfm"])["rfm"]
    assert scores.dtype == np.float64
    assert scores.tolist() == [7.0, 8.0, 10.0, 14.0, 3.0]


def test_rfm_mean_monetary(context: ScoringContext) -> None:
    # mean spend per purchase [20, 25, 30, 80, 10] ranks like the total here
    assert RFMScorer(monetary="mean").score(context).tolist() == [7.0, 8.0, 10.0, 14.0, 3.0]


def test_lead_score_by_hand(registry: ScorerRegistry, context: ScoringContext) -> None:
    # visits [0, 3, 10, 1, 0], email_clicks [0, 0, 5, 0, 0], carts [0, 1, 2, 0, 0]
    # b: log 4 + 3 log 2;  c: log 11 + 2 log 6 + 3 log 3;  d: log 2
    expected = [
        0.0,
        math.log(4) + 3 * math.log(2),
        math.log(11) + 2 * math.log(6) + 3 * math.log(3),
        math.log(2),
        0.0,
    ]
    scores = registry.score(context, names=["lead"])["lead"]
    np.testing.assert_allclose(scores, expected, rtol=1e-15)
    np.testing.assert_allclose(scores[1:3], [3.4657359, 9.2772511], rtol=1e-7)


def test_lead_score_custom_weights(context: ScoringContext) -> None:
    scorer = LeadScorer(weights={"visits": 0.5}, name="visits_only")
    assert scorer.requires == {"engagement:visits"}
    np.testing.assert_allclose(scorer.score(context), 0.5 * np.log1p([0, 3, 10, 1, 0]))
    assert dict(LeadScorer().weights) == DEFAULT_LEAD_WEIGHTS


def test_p_alive_and_churn_risk(
    registry: ScorerRegistry, weeks: CustomerSummary, model: FittedParetoNBD
) -> None:
    context = ScoringContext(weeks, model=model)
    scores = registry.score(context, names=["p_alive", "churn_risk"])
    histories = [(2, 30.43, 38.86), (0, 0.0, 38.86), (10, 35.0, 38.86)]
    expected = [p_alive_closed_form(x, t_x, T) for x, t_x, T in histories]
    np.testing.assert_allclose(scores["p_alive"], expected, rtol=1e-9)
    assert np.round(scores["p_alive"], 3).tolist() == [0.869, 0.295, 0.927]
    np.testing.assert_array_equal(scores["churn_risk"], 1.0 - scores["p_alive"])


#: Gamma-Gamma estimates on CDNOW (Fader, Hardie & Lee 2005, "RFM and CLV").
SPEND = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)


def test_clv_undiscounted_over_39_weeks(weeks: CustomerSummary, model: FittedParetoNBD) -> None:
    context = ScoringContext(weeks, model=model)
    # E[X(T, T + 39)] = P(alive) (r + x)(beta + T) / ((alpha + T)(s - 1)) [1 - ((beta + T) /
    # (beta + T + 39))^(s - 1)]; value per purchase: the Gamma-Gamma expected spend
    alive = np.array([p_alive_closed_form(x, t, 38.86) for x, t in [(2, 30.43), (0, 0), (10, 35)]])
    x = np.array([2.0, 0.0, 10.0])
    bt = BETA + 38.86
    purchases = (
        alive * (R + x) * bt / ((ALPHA + 38.86) * (S - 1)) * (1 - (bt / (bt + 39)) ** (S - 1))
    )
    # E[Z | x, m] = (p gamma + p x m) / (p x + q - 1): Fader, Hardie & Lee (2005), eq. (5)
    p, q, g = 6.25, 3.74, 15.44
    spend = (p * g + p * x * np.array([20.0, 0.0, 30.0])) / (p * x + q - 1)
    scorer = CLVScorer(horizon=39, horizon_unit="week", annual_discount_rate=0.0, spend_model=SPEND)
    scores = scorer.score(context)
    np.testing.assert_allclose(scores, purchases * spend, rtol=1e-8)


def test_clv_default_fits_gamma_gamma_as_the_report_does(model: FittedParetoNBD) -> None:
    from ecomstrat.datasets import simulate_transactions

    summary = simulate_transactions(800, seed=11).summary(time_unit="week")
    context = ScoringContext(summary, model=model)
    expected = customer_lifetime_value(
        summary,
        purchase_model=model,
        spend=GammaGamma().fit(summary),
        horizon=12,
        horizon_unit="month",
        annual_discount_rate=0.1,
    ).clv
    scores = ScorerRegistry(plugins=False).score(context, names=["clv"])["clv"]
    np.testing.assert_allclose(scores, expected, rtol=1e-12)
    undiscounted = CLVScorer(annual_discount_rate=0.0).score(context)
    assert (scores < undiscounted).all()
    # a year in days and in months is the same horizon (mean Gregorian year)
    in_days = CLVScorer(horizon=365.2425, horizon_unit="day").score(context)
    np.testing.assert_allclose(in_days, scores, rtol=1e-12)
    assert "(revenue)" in CLVScorer().description
    assert "(gross margin)" in CLVScorer(gross_margin_rate=0.3).description


def test_clv_of_repeat_buyers_whose_purchases_were_free(model: FittedParetoNBD) -> None:
    from ecomstrat.models.gamma_gamma import NonPositiveSpendWarning

    summary = CustomerSummary(
        np.array([1, 2]),
        frequency=np.array([1, 1]),
        recency=np.array([5.0, 5.0]),
        T=np.array([10.0, 10.0]),
        monetary=np.array([0.0, 8.0]),
        total_value=np.array([0.0, 16.0]),
        time_unit="week",
    )
    scorer = CLVScorer(gross_margin_rate=0.5, spend_model=SPEND)
    with pytest.warns(NonPositiveSpendWarning):
        scores = scorer.score(ScoringContext(summary, model=model))
    # valued at the population mean spend, like one-time buyers: a defined, positive CLV
    purchases = scores / 0.5
    mean_spend = 6.25 * 15.44 / (3.74 - 1)
    assert scores[0] > 0.0
    assert purchases[0] / mean_spend == pytest.approx(
        purchases[1] / SPEND.conditional_expected_spend(([1.0], [8.0]))[0]
    )


def test_clv_with_bgnbd_and_gamma_gamma() -> None:
    # the example of ecomstrat.metrics.clv.customer_lifetime_value (CDNOW estimates in weeks)
    summary = CustomerSummary.from_arrays(
        [2, 1, 0], [30.43, 1.71, 0.0], [38.86, 38.86, 38.86], [22.35, 11.77, 0.0], time_unit="week"
    )
    bgnbd = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    spend = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)
    scorer = CLVScorer(gross_margin_rate=0.3, spend_model=spend, name="clv_gg")
    assert scorer.requires == {"summary", "model"}  # no total_value needed
    registry = ScorerRegistry(plugins=False)
    registry.register(scorer)
    scores = registry.score(ScoringContext(summary, model=bgnbd), names=["clv_gg"])["clv_gg"]
    assert scores.round(2).tolist() == [11.07, 1.41, 2.55]


def test_p_alive_under_bgnbd_by_hand() -> None:
    # BG/NBD (Fader, Hardie & Lee 2005, eq. 11): P(alive) = 1 / (1 + [x > 0] a / (b + x - 1)
    # ((alpha + T) / (alpha + t_x))^(r + x)); x = 2, t_x = 30.43, T = 38.86:
    # 0.793 / 3.426 * (43.274 / 34.844)^2.243 = 0.23147 * 1.62579 = 0.37631 -> 0.72658
    summary = CustomerSummary.from_arrays([2, 0], [30.43, 0.0], [38.86, 38.86], time_unit="week")
    bgnbd = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    scores = ScorerRegistry(plugins=False).score(
        ScoringContext(summary, model=bgnbd), names=["p_alive", "churn_risk"]
    )
    odds = 0.793 / (2.426 + 1) * ((4.414 + 38.86) / (4.414 + 30.43)) ** (0.243 + 2)
    np.testing.assert_allclose(scores["p_alive"], [1 / (1 + odds), 1.0], rtol=1e-12)
    assert round(float(scores["p_alive"][0]), 5) == 0.72658
    np.testing.assert_allclose(scores["churn_risk"], [odds / (1 + odds), 0.0], atol=1e-15)


def test_score_all_uses_every_builtin_the_context_allows(
    registry: ScorerRegistry, context: ScoringContext, model: FittedParetoNBD
) -> None:
    assert list(registry.score_all(context)) == ["lead", "rfm"]  # no model in this context
    with_model = ScoringContext(
        context.summary, log=context.log, engagement=context.engagement, model=model
    )
    # clv fits Gamma-Gamma on the context's repeat buyers: 3 here, too few to fit it on, so
    # clv is skipped with a warning (give it a spend_model on such a base)
    with (
        pytest.warns(FrequencyMonetaryCorrelationWarning),
        pytest.warns(PluginWarning, match=r"scorer 'clv' .* raised ConvergenceError"),
    ):
        scores = registry.score_all(with_model)
    assert list(scores) == ["churn_risk", "lead", "p_alive", "rfm"]
    for values in scores.values():
        assert values.shape == (5,)
        assert values.dtype == np.float64
        assert np.isfinite(values).all()
    assert ((scores["p_alive"] >= 0) & (scores["p_alive"] <= 1)).all()


def test_a_missing_input_is_the_callers_error(
    registry: ScorerRegistry, context: ScoringContext, summary: CustomerSummary
) -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"is invalid: lacks input\(s\) 'model' that scorer 'clv' requires\. Give"
        r" model=<a fitted model, e\.g\. BGNBD\(\)\.fit\(summary\)>\.$",
    ):
        registry.score(context, names=["rfm", "clv"])
    bare = ScoringContext(CustomerSummary.from_arrays([1], [2.0], [3.0]))
    with pytest.raises(
        InvalidInputError,
        match=r"lacks input\(s\) 'engagement:carts', 'engagement:email_clicks',"
        r" 'engagement:visits' that scorer 'lead' requires",
    ):
        registry.score(bare, names="lead")
    with pytest.raises(InvalidInputError, match=r"summary with total_value \(ecomstrat\.rfm_"):
        registry.score(bare, names="rfm")
    assert registry.score_all(bare) == {}


def test_scorers_used_directly_say_what_is_missing(summary: CustomerSummary) -> None:
    bare = ScoringContext(summary)
    with pytest.raises(InvalidInputError, match=r"^model=None is invalid: is needed here"):
        ChurnRiskScorer().score(bare)


def test_each_scorer_is_called_once_per_context(
    registry: ScorerRegistry, context: ScoringContext
) -> None:
    calls: list[int] = []

    class Counting:
        name = "counting"
        description = "Counts its calls."
        requires = frozenset({"summary"})

        def score(self, context: ScoringContext, /) -> NDArray[np.float64]:
            calls.append(context.n_customers)
            return np.zeros(context.n_customers)

    registry.register(Counting())
    registry.score_all(context)
    assert calls == [5]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: CLVScorer(horizon=0), InvalidInputError, r"^horizon=0\.0 is invalid: must be > 0"),
        (lambda: CLVScorer(horizon_unit="fortnight"), UnknownCodeError, r"time_unit='fortnight'"),
        (
            lambda: CLVScorer(annual_discount_rate=10),
            InvalidInputError,
            r"annual_discount_rate=10\.0 is invalid: must lie in \[0, 1\]",
        ),
        (
            lambda: CLVScorer(gross_margin_rate=0),
            InvalidInputError,
            r"^gross_margin_rate=0\.0 is invalid: must lie in \(0",
        ),
        (
            lambda: CLVScorer(spend_model=object()),  # type: ignore[arg-type]
            InvalidInputError,
            r"spend_model='<object>' is invalid: must be a fitted spend model",
        ),
        (
            lambda: RFMScorer(monetary="median"),  # type: ignore[arg-type]
            UnknownCodeError,
            r"monetary='median' is not",
        ),
        (lambda: LeadScorer(weights={}), InvalidInputError, r"must be a non-empty mapping"),
        (
            lambda: LeadScorer(weights={"visits": math.nan}),
            InvalidInputError,
            r"weights\['visits'\]=nan is invalid",
        ),
    ],
)
def test_parameters_are_validated(make: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()  # type: ignore[operator]
