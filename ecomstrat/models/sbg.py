"""The shifted-beta-geometric (sBG) model of contract renewal (Fader & Hardie 2007)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import ClassVar, cast

import attrs
import numpy as np

from ecomstrat._kernels.sbg import sbg_churn_probability, sbg_derl, sbg_loglik_terms, sbg_survival
from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import (
    check_positive,
    check_whole_numbers,
    invalid,
    number_or_raw,
    positive_field,
    shown,
)
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames._foreign import Table
from ecomstrat.frames.discrete import SurvivorCounts
from ecomstrat.models._base import (
    FitStatistics,
    FittedModel,
    Params,
    coerce_initial,
    compress_rows,
    warn_boundary,
)
from ecomstrat.models._data import is_scalar, table_columns
from ecomstrat.models._fit import Mixing, check_weights, maximize_likelihood
from ecomstrat.models._protocols import check_discount_rate

__all__ = ["SBG", "FittedSBG", "SBGParams"]

ArrayLike = float | Sequence[float] | AnyArray
CountsLike = Sequence[float] | AnyArray | Table


@attrs.frozen
class SBGParams(Params):
    """Parameters of the sBG model: churn probabilities θ ~ Beta(alpha, beta).

    Parameters
    ----------
    alpha, beta : float
        Shape parameters of the beta distribution of the per-period churn probability
        (each finite and > 0). The mean churn probability of a new cohort is
        ``alpha / (alpha + beta)``.

    Examples
    --------
    >>> SBGParams(0.704, 1.182).to_dict()
    {'alpha': 0.704, 'beta': 1.182}
    """

    alpha: float = attrs.field(converter=number_or_raw, validator=positive_field)
    beta: float = attrs.field(converter=number_or_raw, validator=positive_field)


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedSBG(FittedModel[SBGParams]):
    """An sBG model with known parameters: survival, retention, churn and DERL.

    Periods are renewal periods (years, months…). ``T`` is the period at whose end a customer
    churns (``T = 1, 2, …``); "survived ``t`` periods" means ``T > t``, i.e. still active at
    the start of period ``t``.

    Parameters
    ----------
    params : SBGParams
        The parameters.
    fit : FitStatistics or None
        Log-likelihood, standard errors and diagnostics when the parameters were estimated;
        ``None`` for :meth:`SBG.from_params`.

    Notes
    -----
    Fader & Hardie (2007), "How to Project Customer Retention", *Journal of Interactive
    Marketing* 21(1), 76–90: eqs. (3)–(5) for ``P(T = t)``, ``S(t)`` and the retention rate.
    DERL is from Fader & Hardie (2010), "Customer-Base Valuation in a Contractual Setting:
    The Perils of Ignoring Heterogeneity", *Marketing Science* 29(1), 85–93.

    Examples
    --------
    >>> m = SBG.from_params(alpha=0.704, beta=1.182)
    >>> m
    FittedSBG(alpha=0.704, beta=1.182)
    >>> m.survival([0, 1, 2]).round(4).tolist()
    [1.0, 0.6267, 0.4738]
    >>> m.retention_rate([1, 2, 10]).round(4).tolist()
    [0.6267, 0.7561, 0.9353]
    """

    name: ClassVar[str] = "sBG"

    def survival(self, t: ArrayLike) -> FloatArray:
        """``S(t) = B(α, β + t)/B(α, β)``: probability a new customer survives ``t`` periods.

        Parameters
        ----------
        t : int or array of int
            Periods (whole numbers >= 0).

        Returns
        -------
        ndarray of float64
            Same shape as ``t``; ``S(0) = 1`` and ``S`` never increases.
        """
        periods = check_whole_numbers("t", t)
        a, b = self.params.alpha, self.params.beta
        return sbg_survival(a, b, periods.reshape(-1)).reshape(periods.shape)

    def retention_rate(self, t: ArrayLike) -> FloatArray:
        """``r(t) = S(t)/S(t − 1) = (β + t − 1)/(α + β + t − 1)``, rising towards 1 with ``t``.

        Parameters
        ----------
        t : int or array of int
            Periods (whole numbers >= 1): the share of those active at the start of period
            ``t − 1`` who renew for period ``t``.

        Returns
        -------
        ndarray of float64
            Same shape as ``t``.
        """
        periods = check_whole_numbers("t", t, minimum=1)
        a, b = self.params.alpha, self.params.beta
        return np.asarray((b + periods - 1.0) / (a + b + periods - 1.0), dtype=np.float64)

    def churn_probability(self, t: ArrayLike) -> FloatArray:
        """``P(T = t) = B(α + 1, β + t − 1)/B(α, β)``: a new customer churns in period ``t``.

        Parameters
        ----------
        t : int or array of int
            Periods (whole numbers >= 1).

        Returns
        -------
        ndarray of float64
            Same shape as ``t``; ``S(t − 1) − S(t)``.
        """
        periods = check_whole_numbers("t", t, minimum=1)
        a, b = self.params.alpha, self.params.beta
        return sbg_churn_probability(a, b, periods.reshape(-1)).reshape(periods.shape)

    def projected_survivors(self, t: ArrayLike, *, cohort_size: float) -> FloatArray:
        """Expected customers of a cohort of ``cohort_size`` still active at period ``t``.

        Examples
        --------
        >>> m = SBG.from_params(alpha=0.704, beta=1.182)
        >>> m.projected_survivors([8, 12], cohort_size=1000).round(1).tolist()
        [220.1, 170.1]
        """
        return check_positive("cohort_size", cohort_size) * self.survival(t)

    def expected_residual_lifetime(
        self, periods_survived: ArrayLike, *, discount_rate_per_period: float
    ) -> FloatArray:
        """DERL: expected discounted number of future payments of a surviving customer.

        Evaluated just before the renewal decision of a customer who has survived
        ``periods_survived`` periods (made that many renewals, ``n − 1`` in the paper); the
        payment of that renewal counts undiscounted, the next one is discounted once, etc.
        Multiply by the margin per period for the residual value.

        Parameters
        ----------
        periods_survived : int or array of int
            Renewals made so far (whole numbers >= 0).
        discount_rate_per_period : float
            Discount rate for one period, a fraction in (0, 1] (0.1 for 10 % a year with
            yearly renewals).

        Returns
        -------
        ndarray of float64
            ``(β + s)/(α + β + s) · ₂F₁(1, β + s + 1; α + β + s + 1; 1/(1 + d))``, same shape
            as ``periods_survived``. It grows with ``s``: the survivors are the loyal ones.

        Notes
        -----
        Fader & Hardie (2010), eq. (6). The Gauss series is summed term by term (positive
        terms, geometric tail bound) to 1e-16 relative accuracy; below a rate of 1e-4 it is
        continued towards ``z = 1`` instead (about 1e-12).

        Examples
        --------
        >>> m = SBG.from_params(alpha=0.668, beta=3.806)
        >>> derl = m.expected_residual_lifetime([0, 4], discount_rate_per_period=0.1)
        >>> derl.round(2).tolist()
        [5.41, 6.9]
        """
        survived = check_whole_numbers("periods_survived", periods_survived)
        rate = check_discount_rate(
            "discount_rate_per_period", discount_rate_per_period, horizon=math.inf
        )
        a, b = self.params.alpha, self.params.beta
        return sbg_derl(a, b, survived.reshape(-1), rate).reshape(survived.shape)

    def expected_lifetime(self) -> float:
        """Mean number of periods a new customer stays, ``Σ_t S(t) = (α + β − 1)/(α − 1)``.

        Returns
        -------
        float
            ``math.inf`` when ``α <= 1``: the heavy tail of loyal customers makes the mean
            infinite (medians and DERL stay finite).

        Examples
        --------
        >>> SBG.from_params(alpha=2.0, beta=3.0).expected_lifetime()
        4.0
        """
        a, b = self.params.alpha, self.params.beta
        return (a + b - 1.0) / (a - 1.0) if a > 1.0 else math.inf

    def log_likelihood(self, data: SurvivorCounts | CountsLike) -> float:
        """Log-likelihood of survivor counts under these parameters (as maximised by fit)."""
        periods, churned, weights = lifetime_patterns(_as_counts(data))
        loglik, _ = sbg_loglik_terms(self.params.alpha, self.params.beta, periods, churned)
        return float(weights @ loglik)


@attrs.frozen
class SBG:
    """Shifted-beta-geometric model of contract renewal in cohorts.

    Each customer renews at the end of every period with a constant probability ``1 − θ``
    until they churn; ``θ`` varies across customers as Beta(α, β). Heterogeneity alone makes
    the aggregate retention rate rise over time, as observed in real cohorts.

    Notes
    -----
    Fader & Hardie (2007), "How to Project Customer Retention", *Journal of Interactive
    Marketing* 21(1), 76–90. The log-likelihood of a cohort with ``n_t`` customers active at
    the start of period ``t`` (``t = 0..k``) is
    ``Σ_{t=1}^{k} (n_{t−1} − n_t) log P(T = t) + n_k log S(k)``; several cohorts add up.
    It is maximised over log-parameters with the analytic gradient.

    Examples
    --------
    >>> regular = [1000, 631, 468, 382, 326, 289, 262, 241]  # F&H (2007), Table 1
    >>> fitted = SBG().fit(regular)
    >>> fitted.params.to_dict()
    {'alpha': 0.704, 'beta': 1.182}
    """

    def fit(
        self,
        data: SurvivorCounts | CountsLike,
        *,
        initial: SBGParams | Mapping[str, float] | Sequence[float] | None = None,
        compress: bool | None = None,
        weights: Sequence[float] | FloatArray | None = None,
        penalty: float = 0.0,
    ) -> FittedSBG:
        """Estimate (α, β) by maximum likelihood.

        Parameters
        ----------
        data : SurvivorCounts or array of float
            Survivor counts of one or more cohorts; a plain sequence is one cohort (its size
            first).
        initial : SBGParams, mapping or (alpha, beta), optional
            Starting values (default ``(1, 1)``).
        compress : bool, optional
            Evaluate the likelihood on distinct ``(period, churned)`` events with weights
            (several cohorts share them): ``None`` does so when they are at most half of the
            events.
        weights : array_like, optional
            One per cohort: how many such cohorts it stands for (finite, >= 0;
            default 1 each): pre-aggregated or
            compressed data fit exactly as the expanded rows.
        penalty : float, optional
            Strength ``λ >= 0`` of an L2 penalty on the log-parameters: maximises
            ``ℓ(θ) − λ Σ (log θ_k)²``, the remedy for a flat likelihood (default 0, plain
            maximum likelihood; standard errors then come from the penalised Hessian).

        Returns
        -------
        FittedSBG
            With the estimates and their :class:`~ecomstrat.models._base.FitStatistics`.

        Raises
        ------
        InvalidInputError
            For invalid counts or starting values, or counts where nobody churned (or
            everybody churned in period 1): the maximum then lies on the boundary.
        ConvergenceError
            When the optimiser's end point is not a maximum (the message says why).

        Warns
        -----
        BoundaryEstimateWarning
            When the churn probability hardly varies across customers (``alpha + beta`` runs
            off to infinity); the estimates are kept.
        """
        counts = _weighted(_as_counts(data), weights)
        *events, rows = lifetime_patterns(counts)
        (periods, churned), rows = compress_rows(events, rows, compress=compress)
        start = SBGParams(1.0, 1.0) if initial is None else coerce_initial(initial, SBGParams)
        _check_identified(periods, churned)

        def objective(theta: FloatArray) -> tuple[float, FloatArray]:
            loglik, gradient = sbg_loglik_terms(theta[0], theta[1], periods, churned)
            return float(rows @ loglik), rows @ gradient

        estimate = maximize_likelihood(
            objective,
            start.to_tuple(),
            SBGParams.names(),
            n_customers=round(float(counts.cohort_sizes.sum())),
            n_patterns=len(periods),
            mixing=(Mixing("beta", "alpha", "beta", "churn probabilities"),),
            model="sBG",
            penalty=penalty,
        )
        warn_boundary(estimate.boundary, stacklevel=2)
        return FittedSBG(
            params=SBGParams(*map(float, estimate.params)),
            fit=FitStatistics.from_estimate(estimate, names=SBGParams.names()),
        )

    @staticmethod
    def from_params(*, alpha: float, beta: float) -> FittedSBG:
        """A model with given parameters (no fit), e.g. published estimates.

        Examples
        --------
        >>> SBG.from_params(alpha=0.704, beta=1.182)
        FittedSBG(alpha=0.704, beta=1.182)
        """
        return FittedSBG(params=SBGParams(alpha, beta))


_COUNTS = (
    "SurvivorCounts, a pandas, polars or Arrow table with a survivors column (and optionally"
    " cohort), or a sequence of survivor counts (the cohort size first)"
)
_COUNTS_FIX = "E.g. [1000, 631, 468], or SurvivorCounts.from_cohorts([...]) for several cohorts."


def _as_counts(data: SurvivorCounts | CountsLike) -> SurvivorCounts:
    if isinstance(data, SurvivorCounts):
        return data
    table = table_columns(data, ("survivors",), optional=("cohort",))
    if table is not None:
        survivors = table["survivors"]
        return SurvivorCounts(survivors, table.get("cohort", np.zeros(len(survivors), np.int64)))
    if is_scalar(data):
        raise invalid("data", shown(data), f"must be {_COUNTS}", _COUNTS_FIX)
    return SurvivorCounts.from_counts(cast("Sequence[float] | AnyArray", data))


def _weighted(
    counts: SurvivorCounts, weights: Sequence[float] | FloatArray | None
) -> SurvivorCounts:
    """Each cohort's counts times its weight; cohorts of weight 0 are left out."""
    if weights is None:
        return counts
    _, cohort = np.unique(counts.cohort, return_inverse=True)
    w = check_weights(weights, counts.n_cohorts, rows="cohorts")
    if not (w > 0).any():
        raise invalid("weights", shown(w.tolist()), "must not all be 0", "Give one cohort.")
    keep = w[cohort] > 0
    return SurvivorCounts(counts.survivors[keep] * w[cohort][keep], counts.cohort[keep])


def _check_identified(periods: FloatArray, churned: FloatArray) -> None:
    """Refuse counts whose likelihood has its supremum on the boundary (no finite estimates)."""
    for bad, what in (
        (churned == 0, "nobody churned"),
        ((churned == 1) & (periods == 1), "everybody churned in period 1"),
    ):
        if bad.all():
            raise InvalidInputError(
                f"survivors: {what}, so the churn probability's maximum likelihood is"
                f" {0 if what.startswith('nobody') else 1} and (α, β) have no finite"
                " estimates. Fit on counts that fall, but not all at once."
            )


def lifetime_patterns(counts: SurvivorCounts) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Churn and survival events of survivor counts, cohort by cohort.

    Returns float64 ``periods``, ``churned`` (1.0: churned in period ``t``; 0.0: still active
    after ``t`` periods) and ``weights`` (customers), without zero-weight rows.
    """
    s = np.asarray(counts.survivors, dtype=np.float64)
    period = counts.period.astype(np.float64)
    first = counts.period == 0
    last = np.r_[first[1:], True]
    # row k > 0 of a cohort: churned in period k = count(k−1) − count(k)
    churn_rows = ~first
    periods = np.concatenate([period[churn_rows], period[last]])
    churned = np.concatenate([np.ones(int(churn_rows.sum())), np.zeros(int(last.sum()))])
    weights = np.concatenate([np.r_[0.0, s[:-1] - s[1:]][churn_rows], s[last]])
    keep = weights > 0
    return periods[keep], churned[keep], weights[keep]
