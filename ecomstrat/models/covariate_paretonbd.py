"""The Pareto/NBD with static covariates, in CLVTools' parameterisation."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np

from ecomstrat._kernels.covariates import pnbd_loglik_terms, pnbd_new, pnbd_predict
from ecomstrat._typing import FloatArray
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.frames.covariates import CustomerCovariates
from ecomstrat.models._base import FittedModel, warn_boundary
from ecomstrat.models._covariate_models import (
    CovariatePredictions,
    Family,
    Groups,
    Rows,
    coerce_coefficients,
    covariate_frame,
    fit_family,
    start_or_moments,
)
from ecomstrat.models._covariates import (
    CovariateMatrices,
    CovariateModel,
    CovariateSpec,
    covariate_matrices,
)
from ecomstrat.models._data import RFMArrays, as_rfm_arrays, fit_unit
from ecomstrat.models._predictions import given_customer_ids
from ecomstrat.models._protocols import RFMData
from ecomstrat.models.paretonbd import (
    ParetoNBD,
    ParetoNBDParams,
    _check_identified,
    _mixing,
    _moment_start,
    _Patterns,
)

__all__ = ["CovariateParetoNBD", "FittedCovariateParetoNBD"]


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedCovariateParetoNBD(FittedModel[ParetoNBDParams], CovariatePredictions):
    """A Pareto/NBD with static covariates: base parameters, coefficients, a time unit.

    Customer ``i`` with purchase covariates ``x_i`` and dropout covariates ``z_i`` has
    ``α_i = α₀ exp(−γ_purchase · x_i)`` and ``β_i = β₀ exp(−γ_dropout · z_i)``; ``r`` and
    ``s`` are shared. Every prediction is the Pareto/NBD's at that customer's parameters.

    Parameters
    ----------
    params : ParetoNBDParams
        ``r, alpha, s, beta``: the shapes and the base rates ``α₀, β₀`` (per ``time_unit``),
        which apply to a customer whose covariates are all 0.
    time_unit : TimeUnit or str
        Unit of time of the parameters, data and horizons.
    spec : CovariateSpec
        Which covariates enter which process, equality constraints and penalties.
    coefficients : dict of str to float
        ``"purchase.<c>"``, ``"dropout.<c>"`` and ``"equal.<c>"`` (shared by both processes),
        in the order of ``spec.coefficient_names()``.
    covariates : CustomerCovariates, optional
        The fitted customers' covariates, looked up by customer id when a prediction gets
        data without ``covariates=``.
    fit : FitStatistics or None
        Log-likelihood, standard errors (base parameters, then coefficients) and
        diagnostics; ``None`` for :meth:`CovariateParetoNBD.from_params`.

    Notes
    -----
    Positive ``purchase.<c>`` means more purchases (``α_i`` falls), positive ``dropout.<c>``
    a higher dropout rate (``β_i`` falls, so ``E[μ_i] = s/β_i`` rises): CLVTools' signs
    (``src/pnbd.cpp``; Bachmann, Meierer & Näf 2021). The likelihood, P(alive), the
    conditional expectation and PMF and DERT are those of Schmittlein, Morrison & Colombo
    (1987) and Fader, Hardie & Lee (2005) with ``α_i, β_i``; see :doc:`/models-covariates`.

    Examples
    --------
    >>> m = CovariateParetoNBD(purchase=["gender"], dropout=["gender"]).from_params(
    ...     r=0.8, alpha=50, s=0.6, beta=40,
    ...     coefficients={"purchase.gender": 0.3, "dropout.gender": -0.5}, time_unit="week")
    >>> data = ([6, 2], [93.29, 99.57], [104.0, 104.0])
    >>> gender = {"customer_id": [1, 2], "gender": [0, 1]}  # in the data's row order
    >>> m.customer_params(data, covariates=gender)["alpha"].round(3).tolist()
    [50.0, 37.041]
    >>> m.probability_alive(data, covariates=gender).round(4).tolist()
    [0.9422, 0.9836]
    """

    name: ClassVar[str] = "Pareto/NBD with covariates"

    time_unit: TimeUnit = attrs.field(converter=to_time_unit)
    spec: CovariateSpec
    coefficients: dict[str, float]
    covariates: CustomerCovariates | None = None

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "coefficients", coerce_coefficients(self.spec, self.coefficients))

    def _per_customer(self, matrices: CovariateMatrices) -> dict[str, FloatArray]:
        r, alpha, s, beta = self.params.to_tuple()
        purchase, dropout = self.spec.expand(np.array(list(self.coefficients.values())))
        n = matrices.purchase.shape[0]
        return {
            "r": np.full(n, r),
            "alpha": alpha * np.exp(-(matrices.purchase @ purchase)),
            "s": np.full(n, s),
            "beta": beta * np.exp(-(matrices.dropout @ dropout)),
        }

    def _predict(
        self,
        kind: int,
        rfm: RFMArrays,
        per: dict[str, FloatArray],
        *,
        n: FloatArray | None = None,
        t: FloatArray | None = None,
        delta: float = 0.0,
        horizon: float = math.inf,
    ) -> FloatArray:
        r, _, s, _ = self.params.to_tuple()
        return pnbd_predict(
            kind,
            r,
            s,
            per["alpha"],
            per["beta"],
            rfm.x,
            rfm.t_x,
            rfm.T,
            n=n,
            t=t,
            delta=delta,
            horizon=horizon,
        )

    def _new(
        self, kind: int, per: dict[str, FloatArray], share: FloatArray, n: FloatArray, t: FloatArray
    ) -> FloatArray:
        r, _, s, _ = self.params.to_tuple()
        return pnbd_new(kind, r, s, per["alpha"], per["beta"], share, n, t)

    def _loglik(self, rfm: RFMArrays, per: dict[str, FloatArray]) -> FloatArray:
        r, _, s, _ = self.params.to_tuple()
        terms = pnbd_loglik_terms(r, s, per["alpha"], per["beta"], rfm.x, rfm.t_x, rfm.T)
        return np.asarray(terms[:, 0] * rfm.weights, dtype=np.float64)


def _loglik(
    base: FloatArray, purchase: FloatArray, dropout: FloatArray, rows: Rows
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """Weighted log-likelihood; gradient in ``(r, α₀, s, β₀)``, ``γ_purchase``, ``γ_dropout``.

    With ``α_i = α₀ e^(−x_i γ)``: ``∂ℓ/∂α₀ = Σ w_i ∂ℓ_i/∂α_i · α_i / α₀`` and
    ``∂ℓ/∂γ = −Σ w_i ∂ℓ_i/∂α_i · α_i x_i`` (likewise ``β``).
    """
    r, alpha0, s, beta0 = (float(v) for v in base)
    alpha = alpha0 * np.exp(-(rows.purchase @ purchase))
    beta = beta0 * np.exp(-(rows.dropout @ dropout))
    terms = pnbd_loglik_terms(r, s, alpha, beta, rows.x, rows.t_x, rows.T)
    w = rows.weights
    d_alpha = w * terms[:, 2] * alpha  # ∂ℓ/∂log α_i
    d_beta = w * terms[:, 4] * beta
    gradient = np.array(
        [w @ terms[:, 1], d_alpha.sum() / alpha0, w @ terms[:, 3], d_beta.sum() / beta0]
    )
    return (
        float(w @ terms[:, 0]),
        gradient,
        -(rows.purchase.T @ d_alpha),
        -(rows.dropout.T @ d_beta),
    )


def _start(rfm: RFMArrays, unit: TimeUnit) -> ParetoNBDParams:
    """The Pareto/NBD fit without covariates (its moment start if that fails)."""

    def fit() -> ParetoNBDParams:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = (rfm.x, rfm.t_x, rfm.T)
            return ParetoNBD().fit(data, time_unit=unit, weights=rfm.weights).params

    start = start_or_moments(fit, lambda: _moment_start(rfm))
    assert isinstance(start, ParetoNBDParams)
    return start


def _prepare(rfm: RFMArrays) -> _Patterns:
    """One covariate group's patterns and shared ``(x, t)`` pairs (the no-covariate kernel's)."""
    return _Patterns.build(rfm, compress=None)


def _grouped(
    base: FloatArray, purchase: FloatArray, dropout: FloatArray, groups: Groups
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """:func:`_loglik` by covariate groups, each through the Pareto/NBD kernel without covariates.

    Within group ``g`` every customer has ``α_g, β_g``: the kernel's gradient sums give
    ``∂ℓ/∂log α_g = α_g Σ_{i∈g} w_i ∂ℓ_i/∂α`` and the chain rule runs over the groups.
    """
    r, alpha0, s, beta0 = (float(v) for v in base)
    alpha = alpha0 * np.exp(-(groups.purchase @ purchase))
    beta = beta0 * np.exp(-(groups.dropout @ dropout))
    total = 0.0
    d_r = 0.0
    d_s = 0.0
    d_alpha = np.empty(len(alpha))
    d_beta = np.empty(len(beta))
    for g, patterns in enumerate(groups.prepared):
        value, grad = patterns.evaluate(np.array([r, alpha[g], s, beta[g]]))
        total += value
        d_r += grad[0]
        d_alpha[g] = grad[1] * alpha[g]
        d_s += grad[2]
        d_beta[g] = grad[3] * beta[g]
    gradient = np.array([d_r, d_alpha.sum() / alpha0, d_s, d_beta.sum() / beta0])
    return total, gradient, -(groups.purchase.T @ d_alpha), -(groups.dropout.T @ d_beta)


_FAMILY = Family("Pareto/NBD", ParetoNBDParams, _loglik, _start, _mixing, _prepare, _grouped)


@attrs.frozen
class CovariateParetoNBD(CovariateModel):
    """Pareto/NBD with static covariates on the purchase and the dropout process (CLVTools).

    Parameters
    ----------
    purchase : sequence of str
        Covariates of the purchase process: ``α_i = α₀ exp(−γ · x_i)``.
    dropout : sequence of str
        Covariates of the dropout process: ``β_i = β₀ exp(−γ · z_i)``.
    equal : sequence of str
        Covariates in both lists that get one coefficient ``"equal.<c>"`` for both processes
        (CLVTools' ``names.cov.constr``).
    purchase_penalty, dropout_penalty : float
        L2 penalties (>= 0) on the purchase and dropout coefficients, per customer: the fit
        maximises ``ℓ − N (purchase_penalty Σ γ_purchase² + dropout_penalty Σ γ_dropout²)``
        over ``N`` customers, which is CLVTools' ``reg.lambdas = c(trans=…, life=…)``
        (an ``equal`` coefficient counts in both sums).

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> summary = simulate_transactions(500, seed=3).summary()  # weeks
    >>> rng = np.random.default_rng(0)
    >>> covariates = {"customer_id": summary.customer_ids,
    ...               "channel": rng.integers(0, 2, len(summary))}
    >>> fitted = CovariateParetoNBD(purchase=["channel"], dropout=["channel"]).fit(
    ...     summary, covariates)
    >>> sorted(fitted.coefficients), fitted.fit.diagnostics.converged
    (['dropout.channel', 'purchase.channel'], True)
    """

    def fit(
        self,
        data: RFMData,
        covariates: Any,
        *,
        time_unit: TimeUnit | str | None = None,
        initial: Mapping[str, float] | None = None,
        weights: Any = None,
    ) -> FittedCovariateParetoNBD:
        """Estimate ``(r, α₀, s, β₀)`` and the coefficients by (penalised) maximum likelihood.

        Parameters
        ----------
        data : CustomerSummary, table or (frequency, recency, T)
            The customers.
        covariates : CustomerCovariates or table
            One row per customer (pandas, polars, Arrow or a mapping of columns), aligned by
            the data's customer ids (a summary's or a table's), else taken in row order. Every
            used column must vary across the customers.
        time_unit : TimeUnit or str, optional
            Unit of the estimates (default: the summary's, or days for arrays).
        initial : mapping, optional
            Starting values: all of ``r, alpha, s, beta`` (or none) and any coefficients
            (default: the Pareto/NBD fit without covariates, and coefficients 0).
        weights : array_like, optional
            Customers each row stands for.

        Returns
        -------
        FittedCovariateParetoNBD
            With standard errors of the base parameters and the coefficients.

        Raises
        ------
        InvalidInputError
            Invalid data, covariates (missing customers, NaN, a constant column) or
            specification.
        ConvergenceError
            When the optimiser's end point is not a maximum.

        Notes
        -----
        Base parameters are optimised on the log scale, coefficients on their own; rows with
        the same ``(x, t_x, T)`` and covariates are merged first. Started from the fit
        without covariates (where the coefficients are 0) rather than CLVTools' 0.1, which
        reaches the same maximum (README row 1: LL −5821.0627).
        """
        spec = self.spec
        unit = fit_unit(data, time_unit)
        rfm = as_rfm_arrays(data, unit, weights=weights)
        _check_identified(rfm)
        frame = covariate_frame(covariates)
        ids = given_customer_ids(data)
        matrices = covariate_matrices(
            spec, frame, customer_ids=ids, n=len(rfm) if ids is None else None, fitting=True
        )
        params, coefficients, statistics, boundary = fit_family(
            _FAMILY, spec, rfm, matrices, unit, initial
        )
        warn_boundary(boundary, stacklevel=2)
        assert isinstance(params, ParetoNBDParams)
        return FittedCovariateParetoNBD(
            params=params,
            time_unit=unit,
            spec=spec,
            coefficients=coefficients,
            covariates=frame,
            fit=statistics,
        )

    def from_params(
        self,
        *,
        r: float,
        alpha: float,
        s: float,
        beta: float,
        coefficients: Mapping[str, float],
        time_unit: TimeUnit | str,
        covariates: Any = None,
    ) -> FittedCovariateParetoNBD:
        """A model with given parameters and coefficients (no fit), e.g. published estimates.

        Examples
        --------
        >>> m = CovariateParetoNBD(purchase=["channel"]).from_params(
        ...     r=1.8, alpha=93, s=0.6, beta=50, coefficients={"purchase.channel": 0.62},
        ...     time_unit="week")
        >>> m.coefficients, m.params.alpha
        ({'purchase.channel': 0.62}, 93.0)
        """
        return FittedCovariateParetoNBD(
            params=ParetoNBDParams(r=r, alpha=alpha, s=s, beta=beta),
            time_unit=time_unit,
            spec=self.spec,
            coefficients=dict(coefficients),
            covariates=None if covariates is None else covariate_frame(covariates),
        )
