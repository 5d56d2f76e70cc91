"""The built-in scorers: RFM score, CLV, P(alive), churn risk and a lead score.

Each is a small frozen class whose instance below is published as an entry point of the group
``ecomstrat.scorers`` (see :data:`ecomstrat.scoring.registry.BUILTIN_SCORERS`). Build another
instance to change a parameter, and register it under a new name; its description follows its
parameters::

    register(CLVScorer(horizon=6, horizon_unit="month", name="clv_6m"))

Heavy modules (the numba kernels behind RFM scores, the models) are imported inside
``score()``, so listing or loading a scorer stays cheap.

Examples
--------
>>> import numpy as np
>>> from ecomstrat import CustomerSummary
>>> from ecomstrat.models.paretonbd import ParetoNBD
>>> from ecomstrat.scoring import ScoringContext
>>> summary = CustomerSummary(
...     np.array([1, 2, 3]),
...     frequency=np.array([2, 0, 10]),
...     recency=np.array([30.43, 0.0, 35.0]),
...     T=np.array([38.86, 38.86, 38.86]),
...     monetary=np.array([20.0, 0.0, 30.0]),
...     total_value=np.array([60.0, 25.0, 330.0]),
...     time_unit="week",
... )
>>> model = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week")
>>> context = ScoringContext(summary, model=model)
>>> p_alive_score.score(context).round(3).tolist()
[0.869, 0.295, 0.927]
>>> churn_risk_score.score(context).round(3).tolist()
[0.131, 0.705, 0.073]
>>> from ecomstrat.models.gamma_gamma import GammaGamma
>>> spend = GammaGamma.from_params(p=6.25, q=3.74, gamma=15.44)
>>> undiscounted = CLVScorer(
...     horizon=39, horizon_unit="week", annual_discount_rate=0, spend_model=spend
... )
>>> undiscounted.score(context).round(2).tolist()
[33.08, 3.77, 193.93]
>>> print(undiscounted.description)  # doctest: +NORMALIZE_WHITESPACE
Customer lifetime value (revenue) over the next 39 weeks, discounted at 0 % a year:
model-expected purchases times the spend model's expected purchase value (Gamma-Gamma).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Literal

import attrs
import numpy as np

from ecomstrat._typing import FloatArray
from ecomstrat._validation import (
    check_choice,
    check_unit_interval,
    invalid,
    positive_field,
)
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit

if TYPE_CHECKING:
    from ecomstrat.models.gamma_gamma import FittedGammaGamma
    from ecomstrat.scoring.context import ScoringContext

#: Default weights of :class:`LeadScorer`: the deeper the funnel step, the larger the weight.
DEFAULT_LEAD_WEIGHTS: Mapping[str, float] = {"visits": 1.0, "email_clicks": 2.0, "carts": 3.0}


def _monetary(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    check_choice(attribute.name, value, ("total", "mean"))


@attrs.frozen(kw_only=True)
class RFMScorer:
    """RFM score: the sum of the recency, frequency and monetary quintile scores, 3 to 15.

    Parameters
    ----------
    monetary : {"total", "mean"}, default "total"
        Score the total spend or the mean spend per purchase (see
        :func:`~ecomstrat.rfm_scores`).
    name : str, default "rfm"
        The scorer's name.

    Notes
    -----
    Each customer's recency (time since the last purchase, ``T - recency``), frequency
    (purchases, ``frequency + 1``) and monetary value (``total_value``) are scored 1-5 by
    quintile of rank with :func:`~ecomstrat.rfm_scores`; ties share the lower score. Hughes
    (1994), *Strategic Database Marketing*, builds the RFM cells this way; adding the three
    digits is the usual one-number summary of a cell (equal weights). Needs
    ``summary.total_value``, which :func:`~ecomstrat.rfm_summary` fills.
    """

    requires: ClassVar[frozenset[str]] = frozenset({"summary", "summary:total_value"})

    monetary: Literal["total", "mean"] = attrs.field(default="total", validator=_monetary)
    name: str = "rfm"

    @property
    def description(self) -> str:
        """What the score sums, with the monetary value scored."""
        spend = "total spend" if self.monetary == "total" else "mean spend per purchase"
        return (
            f"RFM score: sum of the recency, frequency and monetary ({spend}) quintile scores"
            " (3-15; higher is better)."
        )

    def score(self, context: ScoringContext, /) -> FloatArray:
        """``R + F + M`` of each customer, as float64."""
        from ecomstrat.metrics.rfm_segments import rfm_scores

        scores = rfm_scores(context.summary, monetary=self.monetary)
        total = scores.recency.astype(np.float64)
        total += scores.frequency
        total += scores.monetary
        return total


@attrs.frozen(kw_only=True)
class _AliveScorer:
    """A score read off the fitted transaction model's ``P(alive)``, in [0, 1]."""

    requires: ClassVar[frozenset[str]] = frozenset({"summary", "model"})
    #: Score ``1 - P(alive)`` instead of ``P(alive)``.
    _complement: ClassVar[bool] = False

    def score(self, context: ScoringContext, /) -> FloatArray:
        """The score of each customer, in [0, 1]."""
        alive = context.require_model().probability_alive(context.summary)
        scores = np.asarray(alive, dtype=np.float64)
        return 1.0 - scores if self._complement else scores


_ALIVE = "Probability that the customer {}, from the fitted transaction model."


@attrs.frozen(kw_only=True)
class ProbabilityAliveScorer(_AliveScorer):
    """P(alive): the model's probability that the customer has not yet dropped out.

    Notes
    -----
    ``P(alive | x, t_x, T)`` of the fitted transaction model in the context: Schmittlein,
    Morrison & Colombo (1987), "Counting your customers: who are they and what will they do
    next?", *Management Science* 33(1), 1-24, for the Pareto/NBD; Fader, Hardie & Lee (2005),
    "'Counting your customers' the easy way: an alternative to the Pareto/NBD model",
    *Marketing Science* 24(2), 275-284, eq. (11), for the BG/NBD.
    """

    description: ClassVar[str] = _ALIVE.format("is still active (has not dropped out)")
    name: str = "p_alive"


@attrs.frozen(kw_only=True)
class ChurnRiskScorer(_AliveScorer):
    """Churn risk: ``1 - P(alive)``, the probability that the customer has already dropped out.

    Notes
    -----
    The complement of :class:`ProbabilityAliveScorer` (same sources), oriented so that a higher
    score means a customer to win back first. A customer counts as churned *by the end of
    observation*: under the BTYD models dropout is unobserved, and this is its posterior
    probability given ``(x, t_x, T)``. Thresholding it is what
    :class:`~ecomstrat.lifecycle.policy.ModelBasedPolicy` does for the *churned* stage.
    """

    _complement: ClassVar[bool] = True
    description: ClassVar[str] = _ALIVE.format("has already dropped out, 1 - P(alive)")
    name: str = "churn_risk"


def _fraction(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    check_unit_interval(attribute.name, value)


def _margin(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if check_unit_interval(attribute.name, value) == 0.0:
        raise invalid(attribute.name, value, "must lie in (0, 1]", "Give margins as fractions.")


def _spend_model(
    _instance: object, attribute: attrs.Attribute[FittedGammaGamma | None], value: object
) -> None:
    if value is not None and not callable(getattr(value, "conditional_expected_spend", None)):
        raise invalid(
            attribute.name,
            f"<{type(value).__name__}>",
            "must be a fitted spend model with conditional_expected_spend(summary)",
            "Fit one with ecomstrat.models.gamma_gamma.GammaGamma().fit(summary).",
        )


@attrs.frozen(kw_only=True)
class CLVScorer:
    """CLV: discounted value of each customer's purchases over a horizon.

    Parameters
    ----------
    horizon : float, default 12.0
        Length of the future window (> 0), in ``horizon_unit``.
    horizon_unit : TimeUnit or str, default "month"
        Unit of ``horizon``.
    annual_discount_rate : float, default 0.10
        Effective annual discount rate, a fraction in [0, 1].
    gross_margin_rate : float, default 1.0
        Share of the spend kept as gross margin, in (0, 1]; 1 gives revenue.
    spend_model : FittedGammaGamma, optional
        A fitted spend model for the expected value of each future purchase. Without one,
        the scorer fits ``GammaGamma()`` on the context's summary (its repeat buyers).
    name : str, default "clv"
        The scorer's name.

    Notes
    -----
    ``CLV = gross_margin_rate × E[value per purchase] × ∫_0^H e^{-δt} dE[Y(t) | x, t_x, T]``,
    computed by :func:`ecomstrat.metrics.clv.customer_lifetime_value` with the context's
    transaction model (``δ = ln(1 + annual_discount_rate)`` per year): the residual value of
    the purchases after the end of observation, spend independent of the purchase process, as
    in Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
    analysis", *Journal of Marketing Research* 42(4), 415-430. The value of a purchase is the
    Gamma-Gamma expected spend, which shrinks the mean value of customers with few purchases
    towards the population mean (one-time buyers, and repeat buyers whose mean spend is
    <= 0, get the population mean). This is the CLV of ``ecomstrat report`` (its CLV
    section and customers file): one definition. With ``gross_margin_rate=1`` it is a
    revenue CLV, and the description says so.
    """

    horizon: float = attrs.field(default=12.0, converter=float, validator=positive_field)
    horizon_unit: TimeUnit = attrs.field(default=TimeUnit.MONTH, converter=to_time_unit)
    annual_discount_rate: float = attrs.field(default=0.10, converter=float, validator=_fraction)
    gross_margin_rate: float = attrs.field(default=1.0, converter=float, validator=_margin)
    spend_model: FittedGammaGamma | None = attrs.field(
        default=None, validator=_spend_model, repr=False
    )
    name: str = "clv"

    @property
    def description(self) -> str:
        """The basis, the horizon, the discount rate and the value of a purchase, in words."""
        unit = self.horizon_unit.value + ("" if self.horizon == 1 else "s")
        if self.spend_model is not None:
            value = "the spend model's expected purchase value (Gamma-Gamma)"
        else:
            value = "the Gamma-Gamma expected purchase value (fitted on the repeat buyers)"
        basis = "revenue"
        if self.gross_margin_rate != 1:
            value += f" times a {self.gross_margin_rate * 100:g} % gross margin"
            basis = "gross margin"
        return (
            f"Customer lifetime value ({basis}) over the next {self.horizon:g} {unit},"
            f" discounted at {self.annual_discount_rate * 100:g} % a year: model-expected"
            f" purchases times {value}."
        )

    @property
    def requires(self) -> frozenset[str]:
        """The summary and a fitted transaction model."""
        return frozenset({"summary", "model"})

    def score(self, context: ScoringContext, /) -> FloatArray:
        """Discounted value of each customer's purchases over the horizon."""
        from ecomstrat.metrics.clv import customer_lifetime_value
        from ecomstrat.models.gamma_gamma import GammaGamma

        summary = context.summary
        spend = self.spend_model if self.spend_model is not None else GammaGamma().fit(summary)
        return customer_lifetime_value(
            summary,
            purchase_model=context.require_model(),
            spend=spend,
            horizon=self.horizon,
            horizon_unit=self.horizon_unit,
            annual_discount_rate=self.annual_discount_rate,
            gross_margin_rate=self.gross_margin_rate,
        ).clv


def _weights(value: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, Mapping) or not value:
        raise invalid(
            "weights",
            value,
            "must be a non-empty mapping of engagement column to weight",
            "E.g. {'visits': 1.0, 'carts': 3.0}.",
        )
    pairs = []
    for column, weight in sorted(value.items()):
        number = float(weight)
        if not math.isfinite(number):
            raise invalid(f"weights[{column!r}]", weight, "must be a finite number")
        pairs.append((str(column), number))
    return tuple(pairs)


@attrs.frozen(kw_only=True)
class LeadScorer:
    """Lead score: a weighted sum of log engagement counts, ``sum_k w_k * log(1 + count_k)``.

    Parameters
    ----------
    weights : mapping of str to float, default DEFAULT_LEAD_WEIGHTS
        Weight of each engagement column (``visits: 1, email_clicks: 2, carts: 3``). The
        scorer requires exactly these columns in ``context.engagement``.
    name : str, default "lead"
        The scorer's name.

    Notes
    -----
    Behavioural lead scoring gives points to the actions that signal purchase intent. Here
    each count enters as ``log(1 + count)``, so the tenth visit adds less than the first
    (diminishing returns), and the default weights grow with the depth of the funnel step:
    a visit, a click on an e-mail, an add-to-cart. Sismeiro & Bucklin (2004), "Modeling
    purchase behavior at an e-commerce web site: a task-completion approach", *Journal of
    Marketing Research* 41(3), 306-323, show purchase as a sequence of such tasks, the later
    ones far more predictive; Moe (2003), "Buying, searching, or browsing", *Journal of
    Consumer Psychology* 13(1-2), 29-39, separates buying from browsing visits the same way.
    The default weights only encode that ordering; they are not estimates. The score has the
    form of a logistic regression's linear predictor on ``log(1 + count)``: fit one to your
    conversions and pass its coefficients as ``weights`` to calibrate it.

    Examples
    --------
    >>> scorer = LeadScorer(weights={"visits": 1.0, "carts": 4.0})
    >>> scorer.requires == {"engagement:visits", "engagement:carts"}
    True
    >>> print(scorer.description)  # doctest: +NORMALIZE_WHITESPACE
    Lead score from engagement counts: 4*log(1+carts) + 1*log(1+visits)
    (higher means more purchase intent).
    """

    weights: tuple[tuple[str, float], ...] = attrs.field(
        default=DEFAULT_LEAD_WEIGHTS, converter=_weights
    )
    name: str = "lead"

    @property
    def description(self) -> str:
        """The weighted sum, term by term."""
        terms = " + ".join(f"{weight:g}*log(1+{column})" for column, weight in self.weights)
        return f"Lead score from engagement counts: {terms} (higher means more purchase intent)."

    @property
    def requires(self) -> frozenset[str]:
        """One ``engagement:<column>`` per weight."""
        return frozenset(f"engagement:{column}" for column, _ in self.weights)

    def score(self, context: ScoringContext, /) -> FloatArray:
        """The weighted sum of ``log(1 + count)`` of each customer."""
        total = np.zeros(context.n_customers)
        for column, weight in self.weights:
            total += weight * np.log1p(context.engagement_counts(column))
        return total


#: ``rfm``: sum of the R, F and M quintile scores.
rfm_score = RFMScorer()
#: ``p_alive``: the model's probability that the customer is still active.
p_alive_score = ProbabilityAliveScorer()
#: ``churn_risk``: ``1 - P(alive)``.
churn_risk_score = ChurnRiskScorer()
#: ``clv``: discounted value (revenue) of the purchases of the next 12 months.
clv_score = CLVScorer()
#: ``lead``: weighted log engagement counts.
lead_score = LeadScorer()
