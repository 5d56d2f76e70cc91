"""What the static-covariate Pareto/NBD and BG/NBD share: fitting, inputs, draws, intervals.

Each model supplies a :class:`Family`: its base-parameter class, the per-customer parameters
from the covariate matrices, the weighted log-likelihood with its gradient (base parameters,
then the purchase and dropout coefficient vectors), and the start of a fit. Everything else —
reading the data and covariates, merging repeated rows, the optimiser call with the free
coefficients and the penalty, parameter draws and prediction intervals — lives here once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from ecomstrat._kernels.covariates import (
    ALIVE,
    CONDITIONAL,
    CONDITIONAL_PMF,
    DISCOUNTED,
    NEW_EXPECTED,
    NEW_PMF,
)
from ecomstrat._typing import FloatArray
from ecomstrat._validation import (
    check_finite,
    check_non_negative,
    check_positive,
    check_whole_numbers,
    invalid,
)
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import ConvergenceError, InvalidInputError
from ecomstrat.frames.covariates import CustomerCovariates
from ecomstrat.models._base import COMPRESS_MAX_SHARE, FitStatistics, Params, row_index
from ecomstrat.models._covariates import CovariateMatrices, CovariateSpec, resolve_matrices
from ecomstrat.models._data import RFMArrays, as_rfm_arrays, per_customer, times
from ecomstrat.models._fit import MaximumLikelihood, Mixing, maximize_likelihood
from ecomstrat.models._predictions import CustomerPredictions, customer_ids, given_customer_ids
from ecomstrat.models._protocols import (
    check_discount_rate,
    check_horizon,
    continuous_discount_rate,
)
from ecomstrat.models._uncertainty import (
    PredictionInterval,
    PurchasePredictions,
    prediction_interval,
)

__all__ = [
    "Family",
    "Rows",
    "coerce_coefficients",
    "covariate_frame",
    "fit_family",
    "new_customer_shares",
]


@attrs.frozen(eq=False)
class Rows:
    """Customers (or merged patterns) with their weights and covariate rows."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    weights: FloatArray
    purchase: FloatArray  # (m, k_purchase)
    dropout: FloatArray  # (m, k_dropout)

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @classmethod
    def build(cls, rfm: RFMArrays, matrices: CovariateMatrices, *, compress: bool) -> Rows:
        """The rows of ``rfm``; identical ``(x, t_x, T, covariates)`` merged when ``compress``.

        Rows are merged (weights added) when at most :data:`COMPRESS_MAX_SHARE` of them are
        distinct: the covariate rows are numbered first (``np.unique``), and that number is
        folded into ``x`` (``x + g (max x + 1)``, exact) so that the three-column
        :func:`~ecomstrat.models._base.row_index` finds the distinct rows in O(n).
        """
        purchase = np.ascontiguousarray(matrices.purchase, dtype=np.float64)
        dropout = np.ascontiguousarray(matrices.dropout, dtype=np.float64)
        rows = cls(rfm.x, rfm.t_x, rfm.T, rfm.weights, purchase, dropout)
        n = len(rows)
        if not compress or n < 2:
            return rows
        design = np.hstack([purchase, dropout])
        if design.shape[1]:
            _, group = np.unique(design, axis=0, return_inverse=True)
            key = rfm.x + group.reshape(-1).astype(np.float64) * (float(rfm.x.max()) + 1.0)
        else:
            key = rfm.x
        first, inverse = row_index([key, rfm.t_x, rfm.T])
        if len(first) > COMPRESS_MAX_SHARE * n:
            return rows
        weights = np.bincount(inverse, weights=rfm.weights, minlength=len(first))
        return cls(
            rfm.x[first],
            rfm.t_x[first],
            rfm.T[first],
            weights.astype(np.float64),
            np.ascontiguousarray(purchase[first]),
            np.ascontiguousarray(dropout[first]),
        )


#: Grouped evaluation is used when the distinct covariate rows are at most this share of rows.
GROUPED_MAX_SHARE = 0.125


@attrs.frozen(eq=False)
class Groups:
    """Customers split by their covariate row, for discrete covariates.

    Within a group every customer has the same parameters, so the model's kernel without
    covariates (with its pattern and pair sharing) evaluates the group, and the chain rule
    needs only the group's gradient sums.

    Attributes
    ----------
    purchase, dropout : ndarray of float64
        ``(G, k)``: the distinct covariate rows.
    prepared : list
        Per group, what the family's ``prepare`` made of the group's rows.
    n_rows : int
        Rows (patterns) over all groups.
    """

    purchase: FloatArray
    dropout: FloatArray
    prepared: list[Any]
    n_rows: int

    @classmethod
    def build(
        cls, rfm: RFMArrays, matrices: CovariateMatrices, prepare: Callable[[RFMArrays], Any]
    ) -> Groups | None:
        """The groups of ``rfm``, or None when there are too many (continuous covariates)."""
        purchase = np.ascontiguousarray(matrices.purchase, dtype=np.float64)
        dropout = np.ascontiguousarray(matrices.dropout, dtype=np.float64)
        n = len(rfm)
        design = np.hstack([purchase, dropout])
        unique, inverse = np.unique(design, axis=0, return_inverse=True)
        if len(unique) > max(1.0, GROUPED_MAX_SHARE * n):
            return None
        inverse = inverse.reshape(-1)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(unique) + 1))
        prepared = []
        n_rows = 0
        for g in range(len(unique)):
            rows = order[bounds[g] : bounds[g + 1]]
            group = prepare(RFMArrays(rfm.x[rows], rfm.t_x[rows], rfm.T[rows], rfm.weights[rows]))
            n_rows += len(group)
            prepared.append(group)
        k = purchase.shape[1]
        return cls(
            np.ascontiguousarray(unique[:, :k]),
            np.ascontiguousarray(unique[:, k:]),
            prepared,
            n_rows,
        )


#: ``grouped(base, γ_purchase, γ_dropout, groups)``: the same as :data:`LogLik` by groups.
GroupedLogLik = Callable[
    [FloatArray, FloatArray, FloatArray, Groups], tuple[float, FloatArray, FloatArray, FloatArray]
]


#: ``loglik(base, γ_purchase, γ_dropout, rows) -> (ℓ, ∂ℓ/∂base, ∂ℓ/∂γ_purchase, ∂ℓ/∂γ_dropout)``.
LogLik = Callable[
    [FloatArray, FloatArray, FloatArray, Rows], tuple[float, FloatArray, FloatArray, FloatArray]
]


@attrs.frozen
class Family:
    """One model family: names, the weighted likelihood, the start and the mixing checks."""

    model: str
    params_type: type[Params]
    loglik: LogLik
    start: Callable[[RFMArrays, TimeUnit], Params]
    mixing: Callable[[TimeUnit], Sequence[Mixing]]
    prepare: Callable[[RFMArrays], Any]
    grouped: GroupedLogLik


def fit_family(
    family: Family,
    spec: CovariateSpec,
    rfm: RFMArrays,
    matrices: CovariateMatrices,
    unit: TimeUnit,
    initial: Mapping[str, float] | None,
) -> tuple[Params, dict[str, float], FitStatistics, str]:
    """Maximum-likelihood (or L2-penalised) fit of base parameters and coefficients.

    Returns the base parameters, the coefficients by name, the fit statistics (standard
    errors and covariance over the base names then the coefficient names) and the boundary
    explanation (``""`` for an interior maximum).

    The penalty follows CLVTools (``R/interlayer_regularization.R``): it minimises
    ``−ℓ/N + λ_trans Σ γ_trans² + λ_life Σ γ_life²`` over ``N`` customers, i.e. maximises
    ``ℓ − N (λ_trans Σ γ_trans² + λ_life Σ γ_life²)``, and a coefficient shared by both
    processes (``equal``) appears in both sums (``λ_trans + λ_life``).
    """
    base_names = family.params_type.names()
    coefficient_names = spec.coefficient_names()
    names = (*base_names, *coefficient_names)
    curvature: FloatArray | None = None
    if initial is None and float(np.sum(rfm.weights)) > SUBSAMPLE_ABOVE:
        initial, curvature = _subsample_start(family, spec, rfm, matrices, unit)
    groups = Groups.build(rfm, matrices, family.prepare)
    rows = Rows.build(rfm, matrices, compress=True) if groups is None else None
    n_patterns = groups.n_rows if groups is not None else len(rows) if rows is not None else 0
    n_customers = float(np.sum(rfm.weights))
    k = len(base_names)
    given: tuple[float, ...] | None = None
    start_coefficients = np.zeros(len(coefficient_names))
    if initial is not None:
        given, start_coefficients = _initial(initial, base_names, coefficient_names)
    start_base = family.start(rfm, unit).to_tuple() if given is None else given

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        g_purchase, g_dropout = spec.expand(theta[k:])
        if groups is not None:
            value, d_base, d_purchase, d_dropout = family.grouped(
                theta[:k], g_purchase, g_dropout, groups
            )
        else:
            assert rows is not None
            value, d_base, d_purchase, d_dropout = family.loglik(
                theta[:k], g_purchase, g_dropout, rows
            )
        gradient = np.concatenate([d_base, spec.gradient(d_purchase, d_dropout)])
        return value, gradient

    penalties = np.concatenate([np.zeros(k), n_customers * np.asarray(spec.penalties())])
    free = [False] * k + [True] * len(coefficient_names)
    start = np.concatenate([np.asarray(start_base, dtype=np.float64), start_coefficients])
    if curvature is not None:
        start = _quasi_newton(objective, start, curvature, penalties, k, n_customers)
    estimate: MaximumLikelihood = maximize_likelihood(
        objective,
        start,
        names,
        n_customers=round(n_customers),
        n_patterns=n_patterns,
        mixing=family.mixing(unit),
        model=f"{family.model} with covariates",
        penalty=penalties.tolist(),
        free=free,
    )
    params = family.params_type(*map(float, estimate.params[:k]))
    coefficients = dict(zip(coefficient_names, map(float, estimate.params[k:]), strict=True))
    statistics = FitStatistics.from_estimate(estimate, names=names)
    return params, coefficients, statistics, estimate.boundary


#: Above this many customers, a fit starts from the estimates on a random subsample of
#: :data:`SUBSAMPLE_SIZE` customers (binomial thinning of the weights, fixed seed): the full
#: data then need a few iterations instead of dozens.
SUBSAMPLE_ABOVE = 20_000
SUBSAMPLE_SIZE = 5_000
_SUBSAMPLE_SEED = 20_210_518


def _subsample_start(
    family: Family,
    spec: CovariateSpec,
    rfm: RFMArrays,
    matrices: CovariateMatrices,
    unit: TimeUnit,
) -> tuple[dict[str, float] | None, FloatArray | None]:
    """Estimates on a thinned subsample and their covariance scaled to all the customers.

    The penalty is per customer, so it carries over. ``(None, None)`` when the subsample fit
    fails (the full fit then starts as usual).
    """
    share = SUBSAMPLE_SIZE / float(np.sum(rfm.weights))
    rng = np.random.default_rng(_SUBSAMPLE_SEED)
    weights = rng.binomial(np.round(rfm.weights).astype(np.int64), share).astype(np.float64)
    keep = np.flatnonzero(weights > 0)
    sub = RFMArrays(rfm.x[keep], rfm.t_x[keep], rfm.T[keep], weights[keep])
    try:
        params, coefficients, statistics, _ = fit_family(
            family, spec, sub, matrices.take(keep), unit, None
        )
    except (ConvergenceError, InvalidInputError):
        return None, None
    covariance = np.asarray(statistics.covariance, dtype=np.float64) * (
        float(np.sum(sub.weights)) / float(np.sum(rfm.weights))
    )
    return params.to_dict() | coefficients, covariance


#: Quasi-Newton steps on all the data after a subsample fit: at most this many, stopping once
#: the gradient (log scale for the base parameters) per customer is below ``_POLISH_GTOL``.
_POLISH_STEPS = 20
_POLISH_GTOL = 5e-10


def _quasi_newton(
    objective: Callable[[FloatArray], tuple[float, FloatArray]],
    theta: FloatArray,
    inverse_information: FloatArray,
    penalties: FloatArray,
    k: int,
    n_customers: float,
) -> FloatArray:
    """Steps ``θ + Σ ∇`` on the penalised likelihood, from the subsample's curvature.

    As the Pareto/NBD fit without covariates does: the subsample's inverse information,
    scaled by the ratio of customers, is close to the full data's, and BFGS updates refine
    it, so a few evaluations replace the dozens L-BFGS-B needs without curvature. A step that
    leaves the positive base parameters or lowers the objective is halved; the optimiser then
    judges the point as usual (this changes the path, not the maximum).
    """
    inverse = np.array(inverse_information, dtype=np.float64)
    if not np.all(np.isfinite(inverse)):
        return theta

    def penalised(point: FloatArray) -> tuple[float, FloatArray]:
        value, gradient = objective(point)
        u = point.copy()
        u[:k] = np.log(point[:k])
        scale = np.ones_like(point)
        scale[:k] = point[:k]
        value = float(value) - float(np.sum(penalties * u * u))
        return value, np.asarray(gradient, dtype=np.float64) - 2.0 * penalties * u / scale

    target = _POLISH_GTOL * n_customers
    value, gradient = penalised(theta)
    for _ in range(_POLISH_STEPS):
        size = np.abs(gradient) * np.concatenate([theta[:k], np.ones(len(theta) - k)])
        if not np.all(np.isfinite(size)) or np.max(size) <= target:
            break
        step = inverse @ gradient
        for _ in range(5):
            trial = theta + step
            if np.all(trial[:k] > 0.0):
                trial_value, trial_gradient = penalised(trial)
                if np.isfinite(trial_value) and trial_value >= value - 1e-13 * abs(value):
                    break
            step = 0.5 * step
        else:
            break
        y = gradient - trial_gradient
        curvature = float(step @ y)
        if curvature > 0.0:
            rho = 1.0 / curvature
            left = np.eye(len(theta)) - rho * np.outer(step, y)
            inverse = left @ inverse @ left.T + rho * np.outer(step, step)
        theta, value, gradient = trial, trial_value, trial_gradient
    return theta


def _initial(
    initial: Mapping[str, float], base_names: Sequence[str], coefficient_names: Sequence[str]
) -> tuple[tuple[float, ...] | None, FloatArray]:
    """Starting values from a mapping: every base name or none of them, any coefficients."""
    if not isinstance(initial, Mapping):
        raise invalid(
            "initial",
            type(initial).__name__,
            "must be a mapping of parameter and coefficient names to values",
            f"Names: {', '.join((*base_names, *coefficient_names))}.",
        )
    unknown = sorted(set(initial) - set(base_names) - set(coefficient_names))
    given = [name for name in base_names if name in initial]
    if unknown or 0 < len(given) < len(base_names):
        raise invalid(
            "initial",
            dict(initial),
            f"must name all of {', '.join(base_names)} (or none) and only known coefficients",
            f"Unknown: {unknown}; coefficients: {list(coefficient_names)}.",
        )
    base = (
        tuple(check_positive(f"initial {name}", initial[name]) for name in base_names)
        if given
        else None
    )
    coefficients = np.array(
        [check_finite(f"initial {name}", initial.get(name, 0.0)) for name in coefficient_names],
        dtype=np.float64,
    )
    return base, coefficients


def coerce_coefficients(spec: CovariateSpec, coefficients: Mapping[str, float]) -> dict[str, float]:
    """``coefficients`` as a dict of finite floats with exactly ``spec.coefficient_names()``."""
    return spec.coefficient_dict(spec.coefficient_vector(coefficients))


def covariate_frame(covariates: object) -> CustomerCovariates:
    """``covariates`` as :class:`CustomerCovariates` (a table or mapping is converted)."""
    if isinstance(covariates, CustomerCovariates):
        return covariates
    return CustomerCovariates.from_table(covariates)


def new_customer_shares(
    spec: CovariateSpec, covariates: CustomerCovariates
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Distinct ``(purchase, dropout)`` covariate rows of ``covariates`` and their shares.

    A new customer's prediction is the average over the customers of ``covariates``; rows
    repeat (binary covariates), so each distinct row is evaluated once with its share.
    """
    purchase = covariates.matrix(spec.purchase)
    dropout = covariates.matrix(spec.dropout)
    k = purchase.shape[1]
    design = np.hstack([purchase, dropout])
    if len(design) == 0:
        raise invalid(
            "covariates", "<0 customers>", "must hold at least one customer to average over"
        )
    unique, counts = np.unique(design, axis=0, return_counts=True)
    shares = counts.astype(np.float64) / float(np.sum(counts))
    return (
        np.ascontiguousarray(unique[:, :k]),
        np.ascontiguousarray(unique[:, k:]),
        shares,
    )


def start_or_moments(fit: Callable[[], Params], moments: Callable[[], Params]) -> Params:
    """The no-covariate estimates, or the moment start when that fit does not converge."""
    try:
        return fit()
    except ConvergenceError:
        return moments()


class CovariatePredictions(PurchasePredictions):
    """Every prediction of a static-covariate model, each customer with their own covariates.

    A mixin of the fitted static-covariate models: they provide ``_per_customer`` (the
    per-customer parameters from the covariate matrices), ``_predict`` (one prediction kind
    of :mod:`ecomstrat._kernels.covariates` per customer), ``_new`` (the new-customer
    average) and ``_loglik`` (per-customer log-likelihood terms).

    Covariates of the customers in ``data`` come from ``covariates=`` when given (aligned by
    the data's customer ids when it has them, else taken in row order), else from the
    covariates stored at fit time, looked up by the data's customer ids.
    """

    __slots__ = ()

    if TYPE_CHECKING:
        spec: CovariateSpec
        coefficients: dict[str, float]
        covariates: CustomerCovariates | None
        time_unit: TimeUnit
        params: Params
        fit: FitStatistics | None

    # ------------------------------------------------------------------ model hooks

    def _per_customer(self, matrices: CovariateMatrices) -> dict[str, FloatArray]:
        raise NotImplementedError

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
        raise NotImplementedError

    def _new(
        self, kind: int, per: dict[str, FloatArray], share: FloatArray, n: FloatArray, t: FloatArray
    ) -> FloatArray:
        raise NotImplementedError

    def _loglik(self, rfm: RFMArrays, per: dict[str, FloatArray]) -> FloatArray:
        raise NotImplementedError

    # ------------------------------------------------------------------ inputs

    def _inputs(
        self, data: Any, covariates: Any
    ) -> tuple[RFMArrays, CovariateMatrices, dict[str, FloatArray]]:
        rfm = as_rfm_arrays(data, self.time_unit, allow_empty=True)
        matrices = resolve_matrices(self.spec, data, covariates, self.covariates, n=len(rfm))
        return rfm, matrices, self._per_customer(matrices)

    def _new_inputs(self, covariates: Any) -> tuple[dict[str, FloatArray], FloatArray]:
        frame = self.covariates if covariates is None else covariate_frame(covariates)
        if frame is None:
            raise invalid(
                "covariates",
                None,
                "must be given: the model stores no covariates to average over",
                "Pass covariates= (the customers a new customer is drawn from).",
            )
        purchase, dropout, share = new_customer_shares(self.spec, frame)
        per = self._per_customer(CovariateMatrices(purchase, dropout))
        return per, share

    # ------------------------------------------------------------------ predictions

    def customer_params(self, data: Any, *, covariates: Any = None) -> dict[str, FloatArray]:
        """Each customer's model parameters under their covariates.

        Parameters
        ----------
        data : CustomerSummary, table or (frequency, recency, T)
            The customers (only their ids and number are used).
        covariates : CustomerCovariates or table, optional
            Their covariates; by default the ones stored at fit time, by customer id.

        Returns
        -------
        dict of str to ndarray of float64
            One array per parameter (``r, alpha, s, beta`` or ``r, alpha, a, b``), one
            entry per customer; the shared shapes are repeated.
        """
        return self._inputs(data, covariates)[2]

    def probability_alive(self, data: Any, *, covariates: Any = None) -> FloatArray:
        """Probability that each customer is still alive at the end of observation.

        Parameters
        ----------
        data : CustomerSummary, table or (frequency, recency, T)
            The customers, in ``time_unit``.
        covariates : CustomerCovariates or table, optional
            Their covariates (aligned by the data's customer ids, else in row order); by
            default the ones stored at fit time, looked up by the data's ids.

        Returns
        -------
        ndarray of float64
            The model's P(alive) at each customer's own parameters (:meth:`customer_params`).
        """
        rfm, _, per = self._inputs(data, covariates)
        return self._predict(ALIVE, rfm, per)

    def conditional_expected_purchases(
        self, t: Any, data: Any, *, covariates: Any = None
    ) -> FloatArray:
        """Expected repeat purchases of each customer in ``(T, T + t]``, given their history.

        Parameters
        ----------
        t : float or array of float
            Horizon (>= 0) in ``time_unit``, one for all or one per customer.
        data : CustomerSummary, table or (frequency, recency, T)
            The customers, in ``time_unit``.
        covariates : CustomerCovariates or table, optional
            Their covariates (aligned by the data's customer ids, else in row order); by
            default the ones stored at fit time, looked up by the data's ids.

        Returns
        -------
        ndarray of float64
            The model's conditional expectation at each customer's own parameters.
        """
        rfm, _, per = self._inputs(data, covariates)
        horizons = per_customer("t", t, len(rfm))
        return self._predict(CONDITIONAL, rfm, per, t=horizons)

    def conditional_probability_of_purchases(
        self, n: Any, t: Any, data: Any, *, covariates: Any = None
    ) -> FloatArray:
        """Probability of exactly ``n`` repeat purchases in ``(T, T + t]`` given the history.

        Parameters
        ----------
        n : int or array of int
            Number of purchases (whole number >= 0), one for all or one per customer.
        t : float or array of float
            Horizon (>= 0) in ``time_unit``, one for all or one per customer.
        data : CustomerSummary, table or (frequency, recency, T)
            The customers, in ``time_unit``.
        covariates : CustomerCovariates or table, optional
            Their covariates (aligned by the data's customer ids, else in row order); by
            default the ones stored at fit time, looked up by the data's ids.

        Returns
        -------
        ndarray of float64
            Alive at ``T``, a customer buys from then on like a new customer with the
            posterior parameters; one who has left buys nothing (Fader & Hardie's conditional
            PMF at each customer's own parameters).
        """
        rfm, _, per = self._inputs(data, covariates)
        counts = per_customer("n", n, len(rfm), whole=True)
        horizons = per_customer("t", t, len(rfm))
        return self._predict(CONDITIONAL_PMF, rfm, per, n=counts, t=horizons)

    def expected_residual_purchases(
        self,
        data: Any,
        *,
        annual_discount_rate: float,
        horizon: float = math.inf,
        covariates: Any = None,
    ) -> FloatArray:
        """Discounted expected residual purchases ``∫_0^horizon e^(−δt) dE[X(T, T + t)]``.

        Parameters
        ----------
        data : CustomerSummary, table or (frequency, recency, T)
            The customers, in ``time_unit``.
        covariates : CustomerCovariates or table, optional
            Their covariates (aligned by the data's customer ids, else in row order); by
            default the ones stored at fit time, looked up by the data's ids.
        annual_discount_rate : float
            Effective annual rate in [0, 1] (> 0 for an infinite horizon); ``δ`` is its
            continuously compounded equivalent per ``time_unit``.
        horizon : float
            ``math.inf`` (default) for DERT, else a horizon in ``time_unit``.

        Returns
        -------
        ndarray of float64
            One value per customer (Fader, Hardie & Lee 2005, JMR 42(4), for the
            Pareto/NBD), at each customer's own parameters.

        Notes
        -----
        CLVTools' ``continuous.discount.factor`` (default ``log(1.1)``) is a rate per time
        unit of the model, not per year.
        """
        length = check_horizon(horizon)
        rate = check_discount_rate("annual_discount_rate", annual_discount_rate, horizon=length)
        delta = continuous_discount_rate(rate, self.time_unit)
        rfm, _, per = self._inputs(data, covariates)
        return self._predict(DISCOUNTED, rfm, per, delta=delta, horizon=length)

    def log_likelihood(self, data: Any, *, covariates: Any = None) -> float:
        """Log-likelihood of the customers under these parameters and coefficients.

        Parameters
        ----------
        data : CustomerSummary, table or (frequency, recency, T)
            The customers, in ``time_unit``.
        covariates : CustomerCovariates or table, optional
            Their covariates (aligned by the data's customer ids, else in row order); by
            default the ones stored at fit time, looked up by the data's ids.

        Returns
        -------
        float
            The sum over customers, as maximised by ``fit`` (without any penalty).
        """
        rfm, _, per = self._inputs(data, covariates)
        return float(np.sum(self._loglik(rfm, per)))

    def expected_purchases(self, t: Any, *, covariates: Any = None) -> FloatArray:
        """Expected repeat purchases in ``(0, t]`` of a new customer.

        Parameters
        ----------
        t : float or array of float
            Horizons (>= 0) in ``time_unit``.
        covariates : CustomerCovariates or table, optional
            The customers a new one is drawn from (default: those stored at fit time).

        Returns
        -------
        ndarray of float64
            A new customer's covariates are unknown: the average over the customers of
            ``covariates`` of the model's ``E[X(t)]``, same shape as ``t``.
        """
        horizon = times("t", t)
        per, share = self._new_inputs(covariates)
        flat = np.array(horizon, dtype=np.float64).reshape(-1)
        out = self._new(NEW_EXPECTED, per, share, np.zeros_like(flat), flat)
        return out.reshape(horizon.shape)

    def probability_of_purchases(self, n: Any, t: Any, *, covariates: Any = None) -> FloatArray:
        """``P(X(t) = n)`` of a new customer, averaged over the customers of ``covariates``.

        Parameters
        ----------
        n : int or array of int
            Numbers of purchases (whole numbers >= 0).
        t : float or array of float
            Horizons (>= 0) in ``time_unit``; broadcast against ``n``.
        covariates : CustomerCovariates or table, optional
            The customers a new one is drawn from (default: those stored at fit time).

        Returns
        -------
        ndarray of float64
            Of the broadcast shape of ``n`` and ``t``.
        """
        counts = check_whole_numbers("n", n)
        horizon = times("t", t)
        try:
            counts_b, horizon_b = np.broadcast_arrays(counts, horizon)
        except ValueError:
            raise invalid(
                "t", f"<shape {horizon.shape}>", f"must broadcast against n of shape {counts.shape}"
            ) from None
        per, share = self._new_inputs(covariates)
        flat_n = np.array(counts_b, dtype=np.float64).reshape(-1)
        flat_t = np.array(horizon_b, dtype=np.float64).reshape(-1)
        return self._new(NEW_PMF, per, share, flat_n, flat_t).reshape(counts_b.shape)

    def predictions(self, data: Any, *, t: float, covariates: Any = None) -> CustomerPredictions:
        """P(alive) and expected purchases in the next ``t`` time units, keyed by customer id.

        Parameters
        ----------
        data : CustomerSummary, table or (frequency, recency, T)
            The customers, in ``time_unit``.
        covariates : CustomerCovariates or table, optional
            Their covariates (aligned by the data's customer ids, else in row order); by
            default the ones stored at fit time, looked up by the data's ids.
        t : float
            Horizon of ``expected_purchases``, in ``time_unit``.

        Returns
        -------
        CustomerPredictions
            A table of ``customer_id``, the inputs, ``probability_alive`` and
            ``expected_purchases``.
        """
        horizon = check_non_negative("t", t)
        rfm, _, per = self._inputs(data, covariates)
        alive = self._predict(ALIVE, rfm, per)
        expected = self._predict(CONDITIONAL, rfm, per, t=np.full(len(rfm), horizon))
        inputs = {"frequency": rfm.x, "recency": rfm.t_x, "T": rfm.T}
        ids = customer_ids(data, len(rfm))
        return CustomerPredictions(ids, inputs, alive, expected, horizon, self.time_unit)

    # ------------------------------------------------------------------ uncertainty

    def probability_alive_interval(
        self,
        data: Any,
        *,
        level: float = 0.9,
        n_draws: int = 1000,
        seed: int | None = None,
        covariates: Any = None,
    ) -> PredictionInterval:
        """P(alive) per customer, with an interval for the uncertainty of the estimates.

        Parameters
        ----------
        data : CustomerSummary, table or (frequency, recency, T)
            The customers.
        level : float
            Probability content of the interval, in (0, 1) (default 0.9).
        n_draws : int
            Draws of the parameters and coefficients (default 1000).
        seed : int, optional
            Seed of the draws.
        covariates : CustomerCovariates or table, optional
            As for :meth:`probability_alive`.

        Returns
        -------
        PredictionInterval
            ``estimate``, ``lower`` and ``upper`` per customer.

        Notes
        -----
        Base parameters (log scale) and coefficients (their own scale) are drawn jointly
        from their asymptotic normal distribution (:meth:`parameter_draws`); the covariate
        matrices are built once. A fit without covariance (``from_params``) or at a boundary
        is refused.
        """
        rfm, matrices, _ = self._inputs(data, covariates)

        def predict(model: Any) -> FloatArray:
            return model._predict(ALIVE, rfm, model._per_customer(matrices))  # type: ignore[no-any-return]

        return prediction_interval(
            predict,
            [self],  # type: ignore[list-item]
            customer_ids=given_customer_ids(data),
            level=level,
            n_draws=n_draws,
            seed=seed,
        )

    def conditional_expected_purchases_interval(
        self,
        t: Any,
        data: Any,
        *,
        level: float = 0.9,
        n_draws: int = 1000,
        seed: int | None = None,
        covariates: Any = None,
    ) -> PredictionInterval:
        """Expected purchases in ``(T, T + t]`` per customer, with a parameter interval.

        As :meth:`probability_alive_interval`, for :meth:`conditional_expected_purchases`;
        the interval holds the uncertainty of the estimates, not of the purchases.
        """
        rfm, matrices, _ = self._inputs(data, covariates)
        horizons = per_customer("t", t, len(rfm))

        def predict(model: Any) -> FloatArray:
            per = model._per_customer(matrices)
            return model._predict(CONDITIONAL, rfm, per, t=horizons)  # type: ignore[no-any-return]

        return prediction_interval(
            predict,
            [self],  # type: ignore[list-item]
            customer_ids=given_customer_ids(data),
            level=level,
            n_draws=n_draws,
            seed=seed,
        )
