"""The BG/NBD with static covariates, in CLVTools' parameterisation."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np

from ecomstrat._kernels import bgnbd as _bg
from ecomstrat._kernels.covariates import (
    PARALLEL_MIN_ROWS,
    bgnbd_loglik_terms,
    bgnbd_new,
    bgnbd_predict,
)
from ecomstrat._typing import FloatArray
from ecomstrat._validation import invalid
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.frames.covariates import CustomerCovariates
from ecomstrat.models._base import FittedModel, compress_rows, warn_boundary
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
from ecomstrat.models._fit import Mixing
from ecomstrat.models._predictions import given_customer_ids
from ecomstrat.models._protocols import RFMData
from ecomstrat.models.bgnbd import BGNBD, BGNBDParams, initial_guess

__all__ = ["CovariateBGNBD", "FittedCovariateBGNBD"]


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedCovariateBGNBD(FittedModel[BGNBDParams], CovariatePredictions):
    """A BG/NBD with static covariates: base parameters, coefficients, a time unit.

    Customer ``i`` with purchase covariates ``x_i`` and dropout covariates ``z_i`` has
    ``α_i = α₀ exp(−γ_purchase · x_i)``, ``a_i = a₀ exp(γ_dropout · z_i)`` and
    ``b_i = b₀ exp(γ_dropout · z_i)``; ``r`` is shared. Every prediction is the BG/NBD's at
    that customer's parameters.

    Parameters
    ----------
    params : BGNBDParams
        ``r, alpha, a, b``: the base values, which apply to a customer whose covariates are
        all 0 (``alpha`` per ``time_unit``).
    time_unit : TimeUnit or str
        Unit of time of the parameters, data and horizons.
    spec : CovariateSpec
        Which covariates enter which process, equality constraints and penalties.
    coefficients : dict of str to float
        In the order of ``spec.coefficient_names()``.
    covariates : CustomerCovariates, optional
        The fitted customers' covariates, looked up by customer id when a prediction gets
        data without ``covariates=``.
    fit : FitStatistics or None
        Log-likelihood, standard errors (base parameters, then coefficients) and
        diagnostics; ``None`` for :meth:`CovariateBGNBD.from_params`.

    Notes
    -----
    One dropout coefficient scales both ``a`` and ``b`` (CLVTools, ``src/bgnbd.cpp`` and
    ``man/bgnbd.Rd``): the mean dropout probability ``a/(a + b)`` is the same for every
    customer, and the covariates change only its dispersion (``a_i + b_i``). The formulas
    are those of Fader, Hardie & Lee (2005), "Counting your customers the easy way",
    *Marketing Science* 24(2), with the per-customer parameters; see
    :doc:`/models-covariates`.

    Examples
    --------
    >>> m = CovariateBGNBD(purchase=["gender"], dropout=["gender"]).from_params(
    ...     r=0.6, alpha=20, a=1.3, b=8.9,
    ...     coefficients={"purchase.gender": 0.3, "dropout.gender": -0.2}, time_unit="week")
    >>> data = ([6, 2], [93.29, 99.57], [104.0, 104.0])
    >>> gender = {"customer_id": [1, 2], "gender": [0, 1]}  # in the data's row order
    >>> m.customer_params(data, covariates=gender)["a"].round(4).tolist()
    [1.3, 1.0644]
    >>> m.probability_alive(data, covariates=gender).round(4).tolist()
    [0.8548, 0.8758]
    """

    name: ClassVar[str] = "BG/NBD with covariates"

    time_unit: TimeUnit = attrs.field(converter=to_time_unit)
    spec: CovariateSpec
    coefficients: dict[str, float]
    covariates: CustomerCovariates | None = None

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "coefficients", coerce_coefficients(self.spec, self.coefficients))

    def _per_customer(self, matrices: CovariateMatrices) -> dict[str, FloatArray]:
        r, alpha, a, b = self.params.to_tuple()
        purchase, dropout = self.spec.expand(np.array(list(self.coefficients.values())))
        n = matrices.purchase.shape[0]
        scale = np.exp(matrices.dropout @ dropout)
        return {
            "r": np.full(n, r),
            "alpha": alpha * np.exp(-(matrices.purchase @ purchase)),
            "a": a * scale,
            "b": b * scale,
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
        return bgnbd_predict(
            kind,
            self.params.r,
            per["alpha"],
            per["a"],
            per["b"],
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
        return bgnbd_new(kind, self.params.r, per["alpha"], per["a"], per["b"], share, n, t)

    def _loglik(self, rfm: RFMArrays, per: dict[str, FloatArray]) -> FloatArray:
        terms = bgnbd_loglik_terms(
            self.params.r, per["alpha"], per["a"], per["b"], rfm.x, rfm.t_x, rfm.T
        )
        return np.asarray(terms[:, 0] * rfm.weights, dtype=np.float64)


def _loglik(
    base: FloatArray, purchase: FloatArray, dropout: FloatArray, rows: Rows
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """Weighted log-likelihood; gradient in ``(r, α₀, a₀, b₀)``, ``γ_purchase``, ``γ_dropout``.

    ``∂ℓ/∂γ_purchase = −Σ w_i ∂ℓ_i/∂α_i α_i x_i`` and, ``a_i`` and ``b_i`` sharing
    ``e^(z_i γ)``, ``∂ℓ/∂γ_dropout = Σ w_i (∂ℓ_i/∂a_i a_i + ∂ℓ_i/∂b_i b_i) z_i``.
    """
    r, alpha0, a0, b0 = (float(v) for v in base)
    alpha = alpha0 * np.exp(-(rows.purchase @ purchase))
    scale = np.exp(rows.dropout @ dropout)
    a = a0 * scale
    b = b0 * scale
    terms = bgnbd_loglik_terms(r, alpha, a, b, rows.x, rows.t_x, rows.T)
    w = rows.weights
    d_alpha = w * terms[:, 2] * alpha  # ∂ℓ/∂log α_i
    d_a = w * terms[:, 3] * a
    d_b = w * terms[:, 4] * b
    gradient = np.array([w @ terms[:, 1], d_alpha.sum() / alpha0, d_a.sum() / a0, d_b.sum() / b0])
    return (
        float(w @ terms[:, 0]),
        gradient,
        -(rows.purchase.T @ d_alpha),
        rows.dropout.T @ (d_a + d_b),
    )


def _start(rfm: RFMArrays, unit: TimeUnit) -> BGNBDParams:
    """The BG/NBD fit without covariates (the usual start if that fails)."""

    def fit() -> BGNBDParams:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = (rfm.x, rfm.t_x, rfm.T)
            return BGNBD().fit(data, time_unit=unit, weights=rfm.weights).params

    start = start_or_moments(fit, lambda: BGNBDParams(*initial_guess(rfm)))
    assert isinstance(start, BGNBDParams)
    return start


def _mixing(unit: TimeUnit) -> tuple[Mixing, Mixing]:
    return (
        Mixing("gamma", "r", "alpha", "purchase rates", f"per {unit.value}"),
        Mixing("beta", "a", "b", "dropout probabilities"),
    )


def _prepare(rfm: RFMArrays) -> RFMArrays:
    """One covariate group's rows, repeated ones merged (the no-covariate fit's policy)."""
    (x, t_x, T), weights = compress_rows((rfm.x, rfm.t_x, rfm.T), rfm.weights, compress=None)
    return RFMArrays(x, t_x, T, weights)


def _grouped(
    base: FloatArray, purchase: FloatArray, dropout: FloatArray, groups: Groups
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """:func:`_loglik` by covariate groups, each through the BG/NBD kernel without covariates."""
    r, alpha0, a0, b0 = (float(v) for v in base)
    alpha = alpha0 * np.exp(-(groups.purchase @ purchase))
    scale = np.exp(groups.dropout @ dropout)
    total = 0.0
    d_r = 0.0
    d_alpha = np.empty(len(alpha))
    d_a = np.empty(len(alpha))
    d_b = np.empty(len(alpha))
    for g, rows in enumerate(groups.prepared):
        theta = np.array([r, alpha[g], a0 * scale[g], b0 * scale[g]])
        parallel = len(rows) >= PARALLEL_MIN_ROWS
        value, grad = _bg.loglik(theta, rows.x, rows.t_x, rows.T, rows.weights, shift=0.0,
                                 parallel=parallel)  # fmt: skip
        total += value
        d_r += grad[0]
        d_alpha[g] = grad[1] * alpha[g]
        d_a[g] = grad[2] * theta[2]
        d_b[g] = grad[3] * theta[3]
    gradient = np.array([d_r, d_alpha.sum() / alpha0, d_a.sum() / a0, d_b.sum() / b0])
    return total, gradient, -(groups.purchase.T @ d_alpha), groups.dropout.T @ (d_a + d_b)


_FAMILY = Family("BG/NBD", BGNBDParams, _loglik, _start, _mixing, _prepare, _grouped)


@attrs.frozen
class CovariateBGNBD(CovariateModel):
    """BG/NBD with static covariates on the purchase and the dropout process (CLVTools).

    Parameters
    ----------
    purchase : sequence of str
        Covariates of the purchase process: ``α_i = α₀ exp(−γ · x_i)``.
    dropout : sequence of str
        Covariates of the dropout process: ``a_i = a₀ exp(γ · z_i)`` and
        ``b_i = b₀ exp(γ · z_i)`` (one coefficient scales both).
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
    >>> fitted = CovariateBGNBD(purchase=["channel"], dropout=["channel"]).fit(
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
    ) -> FittedCovariateBGNBD:
        """Estimate ``(r, α₀, a₀, b₀)`` and the coefficients by (penalised) maximum likelihood.

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
            Starting values: all of ``r, alpha, a, b`` (or none) and any coefficients
            (default: the BG/NBD fit without covariates, and coefficients 0).
        weights : array_like, optional
            Customers each row stands for.

        Returns
        -------
        FittedCovariateBGNBD
            With standard errors of the base parameters and the coefficients.

        Warns
        -----
        BoundaryEstimateWarning
            When ``a`` and ``b`` run off together (no heterogeneity left in the dropout
            probability): CLVTools' fit on apparel with Gender and Channel does so.

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
        without covariates (where the coefficients are 0) rather than CLVTools' 0.1.
        """
        spec = self.spec
        unit = fit_unit(data, time_unit)
        rfm = as_rfm_arrays(data, unit, weights=weights)
        if not np.any((rfm.x > 0) & (rfm.weights > 0)):
            raise invalid(
                "frequency",
                "<all 0>",
                "must be > 0 for at least one customer",
                "Without a repeat purchase the purchase rate and dropout parameters are not"
                " identified (the likelihood keeps growing as r -> 0).",
            )
        frame = covariate_frame(covariates)
        ids = given_customer_ids(data)
        matrices = covariate_matrices(
            spec, frame, customer_ids=ids, n=len(rfm) if ids is None else None, fitting=True
        )
        params, coefficients, statistics, boundary = fit_family(
            _FAMILY, spec, rfm, matrices, unit, initial
        )
        warn_boundary(boundary, stacklevel=2)
        assert isinstance(params, BGNBDParams)
        return FittedCovariateBGNBD(
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
        a: float,
        b: float,
        coefficients: Mapping[str, float],
        time_unit: TimeUnit | str,
        covariates: Any = None,
    ) -> FittedCovariateBGNBD:
        """A model with given parameters and coefficients (no fit), e.g. published estimates.

        Examples
        --------
        >>> m = CovariateBGNBD(purchase=["channel"]).from_params(
        ...     r=0.6, alpha=20, a=1.3, b=8.9, coefficients={"purchase.channel": 0.6},
        ...     time_unit="week")
        >>> m
        FittedCovariateBGNBD(r=0.6, alpha=20, a=1.3, b=8.9, purchase.channel=0.6, time_unit='week')
        >>> m.coefficients
        {'purchase.channel': 0.6}
        """
        return FittedCovariateBGNBD(
            params=BGNBDParams(r=r, alpha=alpha, a=a, b=b),
            time_unit=time_unit,
            spec=self.spec,
            coefficients=dict(coefficients),
            covariates=None if covariates is None else covariate_frame(covariates),
        )
