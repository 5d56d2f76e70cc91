"""The GGom/NBD model: Pareto/NBD purchasing with Gompertz lifetimes (Bemmaor & Glady 2012).

:class:`GGomNBD` without covariates and :class:`CovariateGGomNBD` with static covariates in
CLVTools' parameterisation (``α_i = α₀ exp(−γ_purchase · x_i)``, ``β_i = β₀ exp(−γ_dropout ·
z_i)``; ``r``, ``b`` and ``s`` shared).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np

from ecomstrat._kernels import ggomnbd as _kernels
from ecomstrat._kernels.covariates import (
    ALIVE,
    CONDITIONAL,
    CONDITIONAL_PMF,
    DISCOUNTED,
    NEW_EXPECTED,
)
from ecomstrat._typing import FloatArray
from ecomstrat._validation import check_whole_numbers, invalid, number_or_raw, positive_field
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.exceptions import ConvergenceError
from ecomstrat.frames.covariates import CustomerCovariates
from ecomstrat.models._base import (
    FitStatistics,
    FittedModel,
    Params,
    coerce_initial,
    compress_rows,
    warn_boundary,
)
from ecomstrat.models._covariate_models import (
    CovariatePredictions,
    Family,
    Groups,
    Rows,
    coerce_coefficients,
    covariate_frame,
    fit_family,
)
from ecomstrat.models._covariates import (
    CovariateMatrices,
    CovariateModel,
    CovariateSpec,
    covariate_matrices,
)
from ecomstrat.models._data import (
    RFMArrays,
    as_rfm_arrays,
    fit_unit,
    one_customer,
    per_customer,
    scalar_time,
    times,
)
from ecomstrat.models._fit import MaximumLikelihood, Mixing, maximize_likelihood
from ecomstrat.models._predictions import given_customer_ids
from ecomstrat.models._protocols import (
    RFMData,
    TimeLike,
    check_discount_rate,
    check_horizon,
    continuous_discount_rate,
    discounting,
)
from ecomstrat.models._uncertainty import PurchasePredictions
from ecomstrat.models.paretonbd import (
    SUBSAMPLE_ABOVE,
    SUBSAMPLE_SIZE,
    ParetoNBD,
    ParetoNBDParams,
    _check_identified,
    _newton_polish,
)

__all__ = [
    "CovariateGGomNBD",
    "FittedCovariateGGomNBD",
    "FittedGGomNBD",
    "GGomNBD",
    "GGomNBDParams",
]

#: Seed of the subsample of large fits (above ``SUBSAMPLE_ABOVE`` customers, as the Pareto/NBD).
_SUBSAMPLE_SEED = 20_120_501

#: At the Pareto/NBD limit a fit keeps ``b`` with ``b · max(T) = _LIMIT_BT`` and ``β = b · β_P``:
#: the GGom/NBD then equals the Pareto/NBD to about this relative amount.
_LIMIT_BT = 1e-10


@attrs.frozen
class GGomNBDParams(Params):
    """Parameters of the GGom/NBD model.

    Parameters
    ----------
    r, alpha : float
        Shape and rate of the gamma distribution of purchase rates ``λ`` across customers
        (``alpha`` in the model's time unit).
    b : float
        Gompertz scale: the dropout hazard of a customer grows as ``η b e^(b t)`` (per time
        unit; ``b → 0`` with ``β / b`` fixed is the Pareto/NBD, with its ``β = β / b``).
    s, beta : float
        Shape and rate (dimensionless) of the gamma distribution of ``η`` across customers.

    Raises
    ------
    InvalidInputError
        If a parameter is not a finite number > 0 (the message names it).

    Examples
    --------
    >>> GGomNBDParams(r=0.553, alpha=10.578, b=0.0002, s=0.603, beta=0.0026).to_dict()
    {'r': 0.553, 'alpha': 10.578, 'b': 0.0002, 's': 0.603, 'beta': 0.0026}
    """

    r: float = attrs.field(converter=number_or_raw, validator=positive_field)
    alpha: float = attrs.field(converter=number_or_raw, validator=positive_field)
    b: float = attrs.field(converter=number_or_raw, validator=positive_field)
    s: float = attrs.field(converter=number_or_raw, validator=positive_field)
    beta: float = attrs.field(converter=number_or_raw, validator=positive_field)


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedGGomNBD(FittedModel[GGomNBDParams], PurchasePredictions):
    """A GGom/NBD model with known parameters, in an explicit time unit.

    Customer data are a :class:`~ecomstrat.CustomerSummary` (converted to ``time_unit``) or a
    tuple ``(frequency, recency, T)`` of arrays already in ``time_unit``. Horizons ``t`` are in
    ``time_unit`` too. Every method is vectorised over customers and returns float64 arrays.

    Parameters
    ----------
    params : GGomNBDParams
        The parameters (``alpha`` and ``b`` per ``time_unit``).
    time_unit : TimeUnit or str
        Unit of time of the parameters, data and horizons.
    fit : FitStatistics or None
        Log-likelihood, standard errors and diagnostics when the parameters were estimated;
        ``None`` for :meth:`GGomNBD.from_params`.

    Notes
    -----
    While alive, a customer buys as a Poisson process of rate ``λ ~ Gamma(r, α)``; their
    lifetime is Gompertz, with hazard ``η b e^(b t)`` and ``η ~ Gamma(s, β)``, so that
    ``P(alive at t) = (β / (β + e^(b t) − 1))^s`` (Bemmaor & Glady 2012, "Modeling Purchasing
    Behavior with Sudden 'Death': A Flexible Customer Lifetime Model", *Management Science*
    58(5), 1012–1021). The likelihood and P(alive) are those CLVTools evaluates; the
    conditional expectation is the paper's with Adler's (2022) correction. Integrals are
    evaluated by adaptive Gauss–Kronrod quadrature (:doc:`/models-ggomnbd`).

    Examples
    --------
    >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
    >>> data = ([6, 0], [93.29, 0.0], [104.0, 104.0])
    >>> m.probability_alive(data).round(4).tolist()
    [0.6707, 0.0547]
    >>> m.conditional_expected_purchases(52, data).round(4).tolist()
    [0.8657, 0.0134]
    """

    name: ClassVar[str] = "GGom/NBD"

    time_unit: TimeUnit = attrs.field(converter=to_time_unit)

    def _rfm(self, data: RFMData) -> RFMArrays:
        return as_rfm_arrays(data, self.time_unit, allow_empty=True)

    def _per_row(self, n: int) -> tuple[FloatArray, FloatArray]:
        return np.full(n, self.params.alpha), np.full(n, self.params.beta)

    def expected_purchases(self, t: TimeLike) -> FloatArray:
        """Expected repeat purchases of a new customer in ``(0, t]``.

        Parameters
        ----------
        t : float or array of float
            Horizons (>= 0) in ``time_unit``.

        Returns
        -------
        ndarray of float64
            ``E[X(t)] = (r / α) ∫_0^t (β / (β + e^(b u) − 1))^s du``, same shape as ``t``.

        Examples
        --------
        >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
        >>> m.expected_purchases([0, 52, 104]).round(4).tolist()
        [0.0, 1.1531, 1.5461]
        """
        horizon = times("t", t)
        r, alpha, b, s, beta = self.params.to_tuple()
        flat = np.array(horizon, dtype=np.float64).reshape(-1)
        return _kernels.expected_new(r, alpha, b, s, beta, flat).reshape(horizon.shape)

    def probability_of_purchases(self, n: TimeLike, t: TimeLike) -> FloatArray:
        """``P(X(t) = n)``: probability that a new customer makes ``n`` repeat purchases by ``t``.

        Parameters
        ----------
        n : int or array of int
            Numbers of purchases (whole numbers >= 0).
        t : float or array of float
            Horizons (>= 0) in ``time_unit``; broadcast against ``n``.

        Returns
        -------
        ndarray of float64
            The probabilities, of the broadcast shape of ``n`` and ``t``.

        Notes
        -----
        Conditioning on the lifetime ``τ`` (alive at ``t`` with probability ``S(t)``, else the
        count is negative binomial over ``(0, τ]``)::

            P(X(t) = n) = Γ(r+n)/(Γ(r) n!) [(α/(α+t))^r (t/(α+t))^n S(t)
                          + b s α^r β^s ∫_0^t τ^n e^(bτ) (α+τ)^(−(r+n)) (β+e^(bτ)−1)^(−(s+1)) dτ]

        (Bemmaor & Glady 2012; CLVTools' ``ggomnbd_PMF``).

        Examples
        --------
        >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
        >>> m.probability_of_purchases([0, 1, 2], 52).round(4).tolist()
        [0.4628, 0.2499, 0.1338]
        """
        counts = check_whole_numbers("n", n)
        horizon = times("t", t)
        try:
            counts_b, horizon_b = np.broadcast_arrays(counts, horizon)
        except ValueError:
            raise invalid(
                "t", f"<shape {horizon.shape}>", f"must broadcast against n of shape {counts.shape}"
            ) from None
        r, alpha, b, s, beta = self.params.to_tuple()
        flat_n = np.array(counts_b, dtype=np.float64).reshape(-1)
        flat_t = np.array(horizon_b, dtype=np.float64).reshape(-1)
        return _kernels.pmf_new(r, alpha, b, s, beta, flat_n, flat_t).reshape(counts_b.shape)

    def probability_alive(self, data: RFMData) -> FloatArray:
        """Probability that each customer is still alive at the end of observation.

        Parameters
        ----------
        data : CustomerSummary or (frequency, recency, T)
            The customers.

        Returns
        -------
        ndarray of float64
            ``P(alive | x, t_x, T) = L1 / (L1 + L2)`` in ``[0, 1]`` (1 when ``t_x = T``), with
            ``L1`` the likelihood of being alive at ``T`` (see :class:`GGomNBD`).

        Examples
        --------
        >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
        >>> m.probability_alive(([2], [99.57], [104.0])).round(4).tolist()
        [0.8728]
        """
        rfm = self._rfm(data)
        r, _, b, s, _ = self.params.to_tuple()
        alpha, beta = self._per_row(len(rfm))
        return _kernels.alive_probability(r, b, s, alpha, beta, rfm.x, rfm.t_x, rfm.T)

    def conditional_expected_purchases(self, t: TimeLike, data: RFMData) -> FloatArray:
        """Expected repeat purchases of each customer in ``(T, T + t]``, given their history.

        Parameters
        ----------
        t : float or array of float
            Horizon (>= 0) in ``time_unit``, one for all or one per customer.
        data : CustomerSummary or (frequency, recency, T)
            The customers.

        Returns
        -------
        ndarray of float64
            ``P(alive) · (r + x)/(α + T) · ∫_0^t S(T + u) / S(T) du`` per customer.

        Notes
        -----
        Alive at ``T``, ``λ ~ Gamma(r + x, α + T)`` and the remaining lifetime is GGom with
        ``β_T = β e^(−bT) + 1 − e^(−bT)``. Bemmaor & Glady (2012) give the integral with Gauss
        hypergeometric functions (corrected by Adler 2022, "Comment on ...", *Management
        Science*; CLVTools ``ggomnbd_CET``); ecomstrat integrates it directly.

        Examples
        --------
        >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
        >>> data = ([2, 2], [99.57, 99.57], [104.0, 104.0])
        >>> m.conditional_expected_purchases([1, 52], data).round(4).tolist()
        [0.0192, 0.5176]
        """
        rfm = self._rfm(data)
        horizons = per_customer("t", t, len(rfm))
        r, _, b, s, _ = self.params.to_tuple()
        alpha, beta = self._per_row(len(rfm))
        return _kernels.discounted_expected(
            r, b, s, alpha, beta, 0.0, horizons, rfm.x, rfm.t_x, rfm.T
        )

    def conditional_probability_of_purchases(
        self, n: TimeLike, t: TimeLike, data: RFMData
    ) -> FloatArray:
        """Probability of exactly ``n`` repeat purchases in ``(T, T + t]`` given the history.

        Parameters
        ----------
        n : int or array of int
            Number of purchases (whole number >= 0), one for all or one per customer.
        t : float or array of float
            Horizon (>= 0) in ``time_unit``, one for all or one per customer.
        data : CustomerSummary or (frequency, recency, T)
            The customers.

        Returns
        -------
        ndarray of float64
            ``P(alive) · P_new(n, t; r + x, α + T, b, s, β_T) + δ_{n=0} (1 − P(alive))``.

        Examples
        --------
        >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
        >>> m.conditional_probability_of_purchases(0, 52, ([2], [99.57], [104.0])).round(4)
        array([0.6725])
        """
        rfm = self._rfm(data)
        size = len(rfm)
        purchases = per_customer("n", n, size, whole=True)
        horizons = per_customer("t", t, size)
        r, _, b, s, _ = self.params.to_tuple()
        alpha, beta = self._per_row(size)
        return _kernels.conditional_pmf(
            r, b, s, alpha, beta, purchases, horizons, rfm.x, rfm.t_x, rfm.T
        )

    def expected_residual_purchases(
        self, data: RFMData, *, annual_discount_rate: float, horizon: float = math.inf
    ) -> FloatArray:
        """Discounted expected purchases ``∫_0^H e^(−δt) dE[X(T, T + t) | x, t_x, T]``.

        With ``horizon=math.inf`` (the default) this is the discounted expected residual
        transactions (DERT).

        Parameters
        ----------
        data : CustomerSummary or (frequency, recency, T)
            The customers.
        annual_discount_rate : float
            Discount rate per year as a fraction in [0, 1] (> 0 when the horizon is
            infinite); continuous ``δ = log(1 + rate)`` per year, converted to ``time_unit``.
        horizon : float, optional
            How far ahead, in ``time_unit`` (> 0; ``math.inf`` for the whole lifetime).

        Returns
        -------
        ndarray of float64
            ``P(alive) · (r + x)/(α + T) · ∫_0^H e^(−δu) S(T + u) / S(T) du`` per customer.

        Examples
        --------
        >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
        >>> data = ([2], [99.57], [104.0])
        >>> m.expected_residual_purchases(data, annual_discount_rate=0.1).round(4).tolist()
        [0.6183]
        >>> m.expected_residual_purchases(data, annual_discount_rate=0.0, horizon=52).round(4)
        array([0.5176])
        """
        length, delta = _discounting(annual_discount_rate, horizon, self.time_unit)
        rfm = self._rfm(data)
        r, _, b, s, _ = self.params.to_tuple()
        alpha, beta = self._per_row(len(rfm))
        horizons = np.full(len(rfm), length)
        return _kernels.discounted_expected(
            r, b, s, alpha, beta, delta, horizons, rfm.x, rfm.t_x, rfm.T
        )

    def log_likelihood(self, data: RFMData) -> float:
        """Log-likelihood of the customers under these parameters (as maximised by ``fit``).

        Examples
        --------
        >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
        >>> round(m.log_likelihood(([6, 0], [93.29, 0.0], [104.0, 104.0])), 4)
        -26.9399
        """
        patterns = _Patterns.build(self._rfm(data), compress=True)
        return patterns.evaluate(np.array(self.params.to_tuple()))[0]

    def probability_alive_one(self, x: float, t_x: float, T: float) -> float:
        """:meth:`probability_alive` of one customer: scalars in, a float out.

        Examples
        --------
        >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
        >>> round(m.probability_alive_one(2, 99.57, 104.0), 4)
        0.8728
        """
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        return _kernels.alive_one(p.r, p.alpha, p.b, p.s, p.beta, xf, rf, Tf)

    def conditional_expected_purchases_one(self, t: float, x: float, t_x: float, T: float) -> float:
        """:meth:`conditional_expected_purchases` of one customer: scalars in, a float out.

        Examples
        --------
        >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
        >>> round(m.conditional_expected_purchases_one(52, 2, 99.57, 104.0), 4)
        0.5176
        """
        window = scalar_time("t", t)
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        return _kernels.conditional_one(p.r, p.alpha, p.b, p.s, p.beta, window, xf, rf, Tf)

    def expected_residual_purchases_one(
        self,
        x: float,
        t_x: float,
        T: float,
        *,
        annual_discount_rate: float,
        horizon: float = math.inf,
    ) -> float:
        """:meth:`expected_residual_purchases` of one customer: scalars in, a float out.

        Examples
        --------
        >>> m = GGomNBD.from_params(r=1.4, alpha=48, b=0.05, s=0.6, beta=5, time_unit="week")
        >>> round(m.expected_residual_purchases_one(2, 99.57, 104.0, annual_discount_rate=0.1), 4)
        0.6183
        """
        length, delta = discounting(annual_discount_rate, horizon, self.time_unit)
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        return _kernels.discounted_one(p.r, p.alpha, p.b, p.s, p.beta, delta, length, xf, rf, Tf)


def _discounting(
    annual_discount_rate: float, horizon: float, unit: TimeUnit
) -> tuple[float, float]:
    length = check_horizon(horizon)
    rate = check_discount_rate("annual_discount_rate", annual_discount_rate, horizon=length)
    return length, continuous_discount_rate(rate, unit)


@attrs.frozen
class GGomNBD:
    """GGom/NBD model: Poisson purchasing while alive, Gompertz lifetimes, gamma mixing.

    Notes
    -----
    Bemmaor & Glady (2012), "Modeling Purchasing Behavior with Sudden 'Death': A Flexible
    Customer Lifetime Model", *Management Science* 58(5), 1012–1021. For a customer with
    ``x`` repeat purchases, the last at ``t_x``, observed for ``T``::

        L = Γ(r+x)/Γ(r) α^r [ (α+T)^(−(r+x)) (β / (β + e^(bT) − 1))^s
            + b s β^s ∫_{t_x}^T e^(bτ) (α+τ)^(−(r+x)) (β + e^(bτ) − 1)^(−(s+1)) dτ ]

    (the form of CLVTools, ``src/ggomnbd.cpp``). The Pareto/NBD is the limit ``b → 0`` with
    ``β / b`` fixed (its ``β``); on data without Gompertz-shaped lifetimes (CDNOW, apparel)
    the maximum lies there, where ``b`` and ``β`` are not identified, only their ratio.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> summary = simulate_transactions(2_000, seed=3).summary()  # weeks
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # data simulated from a Pareto/NBD: b runs to 0
    ...     fitted = GGomNBD().fit(summary)
    >>> fitted.fit.diagnostics.converged, fitted.fit.diagnostics.at_boundary
    (True, True)
    """

    def fit(
        self,
        data: RFMData,
        *,
        time_unit: TimeUnit | str | None = None,
        initial: GGomNBDParams | Mapping[str, float] | Sequence[float] | None = None,
        compress: bool | None = None,
        weights: Sequence[float] | FloatArray | None = None,
        penalty: float = 0.0,
    ) -> FittedGGomNBD:
        """Estimate ``(r, α, b, s, β)`` by maximum likelihood.

        Parameters
        ----------
        data : CustomerSummary or (frequency, recency, T)
            The customers.
        time_unit : TimeUnit or str, optional
            Unit of the estimates (default: the summary's, or ``"day"`` for arrays).
        initial : GGomNBDParams, mapping or (r, alpha, b, s, beta), optional
            Starting values; by default from the Pareto/NBD fit (see Notes).
        compress : bool, optional
            Merge identical ``(x, t_x, T)`` rows first (``None``: when at most half are
            distinct).
        weights : array_like, optional
            Customers each row stands for (finite, >= 0; default 1 each).
        penalty : float, optional
            Strength ``λ >= 0`` of an L2 penalty on the log-parameters (default 0).

        Returns
        -------
        FittedGGomNBD
            With the estimates and their :class:`~ecomstrat.FitStatistics`.

        Raises
        ------
        InvalidInputError
            For invalid data or starting values, or data without a repeat purchase.
        ConvergenceError
            When neither an interior maximum nor the Pareto/NBD limit is found.

        Warns
        -----
        BoundaryEstimateWarning
            When the maximum is the Pareto/NBD limit ``b → 0`` (or a mixing distribution
            collapsed).

        Notes
        -----
        The Pareto/NBD is fitted first (:class:`~ecomstrat.ParetoNBD`); the GGom/NBD then
        starts from its ``r, α, s``, ``b = 1 / max(T)`` and ``β = b β_Pareto``. When the
        GGom/NBD does not reach an interior maximum above the Pareto/NBD's likelihood (its
        ``b`` runs to 0), the maximum is the Pareto/NBD limit: the result keeps the
        Pareto/NBD's ``r, α, s``, ``b = 1e-10 / max(T)`` and ``β = b β_Pareto`` (predictions
        equal the Pareto/NBD's), ``fit.diagnostics.at_boundary`` is True, the standard
        errors of ``b`` and ``β`` are NaN (those of ``r, α, s`` are the Pareto/NBD's), and a
        :class:`~ecomstrat.BoundaryEstimateWarning` says so. With ``penalty > 0`` (which keeps
        ``b`` finite) the GGom/NBD fit is returned as it is.
        """
        unit = fit_unit(data, time_unit)
        rfm = as_rfm_arrays(data, unit, weights=weights)
        _check_identified(rfm)
        patterns = _Patterns.build(rfm, compress=compress)
        pareto = _pareto_fit(patterns.rfm, unit, penalty=penalty)
        starts = None if initial is None else [coerce_initial(initial, GGomNBDParams)]
        if starts is None and float(np.sum(patterns.rfm.weights)) > SUBSAMPLE_ABOVE:
            starts = _subsample_starts(patterns, unit, penalty, pareto)
        choice = _select(patterns, unit, penalty, pareto, starts)
        if isinstance(choice, MaximumLikelihood):
            return _fitted(choice, unit)
        warn_boundary(choice.hint, stacklevel=2)
        return FittedGGomNBD(params=choice.params, time_unit=unit, fit=choice.statistics)

    @staticmethod
    def from_params(
        *, r: float, alpha: float, b: float, s: float, beta: float, time_unit: TimeUnit | str
    ) -> FittedGGomNBD:
        """A model with given parameters (no fit), e.g. published estimates.

        Examples
        --------
        >>> GGomNBD.from_params(r=0.553, alpha=10.578, b=0.0002, s=0.603, beta=0.0026,
        ...                     time_unit="week")
        FittedGGomNBD(r=0.553, alpha=10.578, b=0.0002, s=0.603, beta=0.0026, time_unit='week')
        """
        params = GGomNBDParams(r=r, alpha=alpha, b=b, s=s, beta=beta)
        return FittedGGomNBD(params=params, time_unit=time_unit)


# ---------------------------------------------------------------------------------------------
# Fitting


@attrs.frozen(eq=False)
class _Patterns:
    """Distinct ``(x, t_x, T)`` rows with their weights."""

    rfm: RFMArrays

    @classmethod
    def build(cls, rfm: RFMArrays, *, compress: bool | None) -> _Patterns:
        (x, t_x, T), weights = compress_rows(
            (rfm.x, rfm.t_x, rfm.T), rfm.weights, compress=compress
        )
        return cls(RFMArrays(x, t_x, T, weights))

    def __len__(self) -> int:
        return len(self.rfm)

    def thinned(self, size: int, seed: int) -> _Patterns:
        """About ``size`` customers drawn at random (binomial thinning of the weights)."""
        d = self.rfm
        share = min(1.0, size / float(np.sum(d.weights)))
        rng = np.random.default_rng(seed)
        weights = rng.binomial(np.round(d.weights).astype(np.int64), share).astype(np.float64)
        keep = weights > 0
        return _Patterns(RFMArrays(d.x[keep], d.t_x[keep], d.T[keep], weights[keep]))

    def evaluate(self, theta: FloatArray) -> tuple[float, FloatArray]:
        """Weighted log-likelihood and its gradient at ``theta = (r, α, b, s, β)``."""
        r, alpha, b, s, beta = (float(v) for v in theta)
        d = self.rfm
        n = len(d)
        terms = _kernels.loglik_terms(r, b, s, np.full(n, alpha), np.full(n, beta), d.x, d.t_x, d.T)
        w = d.weights
        gradient = w @ terms[:, 1:6]
        return float(w @ terms[:, 0]), np.asarray(gradient, dtype=np.float64)


def _mixing(unit: TimeUnit) -> tuple[Mixing, Mixing]:
    per = f"per {unit.value}"
    return (
        Mixing("gamma", "r", "alpha", "purchase rates", per),
        Mixing("gamma", "s", "beta", "dropout propensities", ""),
    )


def _moment_start(rfm: RFMArrays) -> GGomNBDParams:
    total = float(np.sum(rfm.weights))
    mean_x = float(rfm.weights @ rfm.x) / total
    mean_t = float(rfm.weights @ rfm.T) / total
    b = 1.0 / float(np.max(rfm.T))
    return GGomNBDParams(r=1.0, alpha=mean_t / max(mean_x, 1e-3), b=b, s=1.0, beta=b * mean_t)


def _starts(pareto: ParetoNBDParams | None, rfm: RFMArrays, span: float) -> list[GGomNBDParams]:
    """Starting points of a fit: a neutral Gompertz start, then one next to the Pareto/NBD.

    Both take ``r, α`` from the Pareto/NBD fit (or the moments when it failed) and
    ``b = 1 / max(T)``; the first has ``s = β = 1`` (exponential lifetimes of rate ``b`` on
    average), the second ``s = s_Pareto`` and ``β = b β_Pareto`` (close to the Pareto/NBD's
    lifetimes; without it ``s = 1``, ``β = b`` mean ``T``). The
    Pareto/NBD's ``s, β`` alone can be a poor start: on Gompertz data its dropout mixing
    often collapses (``s → ∞``), and a GGom/NBD fit started there stays on that ridge.
    """
    b = 1.0 / span
    if pareto is None:  # r, α from the moments; the second start with β = b mean(T)
        moments = _moment_start(rfm)
        neutral = GGomNBDParams(r=moments.r, alpha=moments.alpha, b=b, s=1.0, beta=1.0)
        return [neutral, moments]
    neutral = GGomNBDParams(r=pareto.r, alpha=pareto.alpha, b=b, s=1.0, beta=1.0)
    return [neutral, _from_pareto(pareto, b)]


def _from_pareto(params: ParetoNBDParams, b: float) -> GGomNBDParams:
    """The GGom/NBD near the Pareto/NBD ``params``: ``b`` given, ``β = b β_Pareto``."""
    return GGomNBDParams(r=params.r, alpha=params.alpha, b=b, s=params.s, beta=b * params.beta)


def _pareto_fit(rfm: RFMArrays, unit: TimeUnit, *, penalty: float) -> Any:
    """The Pareto/NBD fit (the limit b → 0), or None when it does not converge."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ParetoNBD().fit(
                (rfm.x, rfm.t_x, rfm.T), time_unit=unit, weights=rfm.weights, penalty=penalty
            )
    except ConvergenceError:
        return None


def _maximize(
    patterns: _Patterns,
    start: GGomNBDParams,
    *,
    mixing: Sequence[Mixing] = (),
    penalty: float = 0.0,
) -> MaximumLikelihood:
    return maximize_likelihood(
        patterns.evaluate,
        start.to_tuple(),
        GGomNBDParams.names(),
        n_customers=round(float(np.sum(patterns.rfm.weights))),
        n_patterns=len(patterns),
        mixing=mixing,
        model="GGom/NBD",
        penalty=penalty,
    )


@attrs.frozen(eq=False)
class _Limit:
    """The Pareto/NBD limit as a fit result: parameters, statistics, the explanation."""

    params: GGomNBDParams
    statistics: FitStatistics
    hint: str


def _limit_of(patterns: _Patterns, pareto: Any) -> tuple[GGomNBDParams, float]:
    """The limit's parameters (``b max(T) = _LIMIT_BT``) and its log-likelihood."""
    span = float(np.max(patterns.rfm.T))
    limit = _from_pareto(pareto.params, _LIMIT_BT / span)
    return limit, patterns.evaluate(np.array(limit.to_tuple()))[0]


def _select(
    patterns: _Patterns,
    unit: TimeUnit,
    penalty: float,
    pareto: Any,
    starts: Sequence[GGomNBDParams] | None,
) -> MaximumLikelihood | _Limit:
    """The best GGom/NBD maximum from ``starts``, or the Pareto/NBD limit when that is higher.

    ``starts=None``: :func:`_starts`. Stops at the first interior maximum above the limit.
    Without a Pareto/NBD fit, or with a penalty, the best maximum found (or the first error).
    """
    span = float(np.max(patterns.rfm.T))
    limit_ll = math.nan
    if pareto is not None and penalty == 0.0:
        limit, limit_ll = _limit_of(patterns, pareto)
    if starts is None:
        starts = _starts(None if pareto is None else pareto.params, patterns.rfm, span)
    best: MaximumLikelihood | None = None
    failure: ConvergenceError | None = None
    for start in starts:
        try:
            estimate = _maximize(patterns, start, mixing=_mixing(unit), penalty=penalty)
        except ConvergenceError as error:
            failure = failure or error
            continue
        if best is None or estimate.log_likelihood > best.log_likelihood:
            best = estimate
        if not estimate.boundary and not estimate.log_likelihood <= limit_ll:
            break  # an interior maximum above the Pareto/NBD limit
    if math.isnan(limit_ll) or (best is not None and best.log_likelihood > limit_ll):
        if best is None:
            assert failure is not None
            raise failure
        return best
    assert pareto.fit is not None
    found = None if best is None else best.log_likelihood
    hint = _limit_hint(pareto.params, limit_ll, unit, found, failure)
    return _Limit(limit, _limit_statistics(pareto.fit, limit_ll, hint), hint)


def _subsample_starts(
    patterns: _Patterns, unit: TimeUnit, penalty: float, pareto: Any
) -> list[GGomNBDParams] | None:
    """Starts for a large fit from a subsample of :data:`SUBSAMPLE_SIZE` customers.

    An interior maximum on the subsample, brought close to the full data's by quasi-Newton
    steps from its curvature (as the Pareto/NBD fit does), is the one start. When the
    subsample's maximum is the Pareto/NBD limit and the full likelihood falls as ``b`` leaves
    the limit (``b max(T)`` from 1e-10 to 1e-3 with ``β / b`` fixed), there is no start at all
    (the limit is the answer); otherwise ``None``: the usual starts.
    """
    sub = patterns.thinned(SUBSAMPLE_SIZE, _SUBSAMPLE_SEED)
    try:
        choice = _select(sub, unit, penalty, _pareto_fit(sub.rfm, unit, penalty=penalty), None)
    except ConvergenceError:
        return None
    if isinstance(choice, MaximumLikelihood):
        share = float(np.sum(sub.rfm.weights)) / float(np.sum(patterns.rfm.weights))
        # the Pareto/NBD's polish needs only .evaluate and .rfm.weights, which these have
        polish: Any = _newton_polish
        theta = polish(patterns, choice.params, choice.covariance * share)
        return [GGomNBDParams(*map(float, theta))]
    if pareto is None or penalty > 0.0:
        return None
    limit_ll = _limit_of(patterns, pareto)[1]
    inward = _from_pareto(pareto.params, 1e-3 / float(np.max(patterns.rfm.T)))
    if patterns.evaluate(np.array(inward.to_tuple()))[0] <= limit_ll:
        return []
    return None


def _fitted(estimate: MaximumLikelihood, unit: TimeUnit) -> FittedGGomNBD:
    warn_boundary(estimate.boundary, stacklevel=3)
    return FittedGGomNBD(
        params=GGomNBDParams(*map(float, estimate.params)),
        time_unit=unit,
        fit=FitStatistics.from_estimate(estimate, names=GGomNBDParams.names()),
    )


def _limit_hint(
    pareto: ParetoNBDParams,
    limit_ll: float,
    unit: TimeUnit,
    found_ll: float | None,
    failure: ConvergenceError | None,
) -> str:
    if found_ll is not None:
        found = f"the GGom/NBD's interior maximum (log-likelihood {found_ll:.10g}) is below it"
    elif failure is not None:
        found = f"the GGom/NBD fit found no interior maximum ({str(failure).split('. Stopped')[0]})"
    else:
        found = "the likelihood falls as b leaves the limit (a subsample found no interior maximum)"
    return (
        f"b ran to 0: the likelihood is highest at the Pareto/NBD limit (b -> 0 with beta/b ="
        f" {pareto.beta:.6g} per {unit.value}; log-likelihood {limit_ll:.10g}) and {found}."
        " b and beta are not identified there, only their ratio; the model is kept at the"
        " limit (b*max(T) = 1e-10), where its predictions are the Pareto/NBD's."
    )


def _limit_statistics(
    pareto: FitStatistics, limit_ll: float, hint: str, coefficients: Sequence[str] = ()
) -> FitStatistics:
    """Fit statistics at the Pareto/NBD limit: r, α, s (and coefficients) from the Pareto/NBD.

    The standard errors and covariances of ``b`` and ``β`` are NaN.
    """
    names = (*GGomNBDParams.names(), *coefficients)
    source = {"r": 0, "alpha": 1, "s": 2}
    source.update({name: 4 + k for k, name in enumerate(coefficients)})
    covariance = np.full((len(names), len(names)), np.nan)
    for i, first in enumerate(names):
        for j, second in enumerate(names):
            if first in source and second in source:
                covariance[i, j] = pareto.covariance[source[first], source[second]]
    errors = {name: pareto.standard_errors.get(name, math.nan) for name in names}
    errors["b"] = errors["beta"] = math.nan
    diagnostics = attrs.evolve(pareto.diagnostics, at_boundary=True, message=hint)
    return FitStatistics(limit_ll, errors, covariance, diagnostics)


# ---------------------------------------------------------------------------------------------
# Static covariates


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedCovariateGGomNBD(FittedModel[GGomNBDParams], CovariatePredictions):
    """A GGom/NBD with static covariates: base parameters, coefficients, a time unit.

    Customer ``i`` with purchase covariates ``x_i`` and dropout covariates ``z_i`` has
    ``α_i = α₀ exp(−γ_purchase · x_i)`` and ``β_i = β₀ exp(−γ_dropout · z_i)``; ``r``, ``b``
    and ``s`` are shared. Every prediction is the GGom/NBD's at that customer's parameters.

    Parameters
    ----------
    params : GGomNBDParams
        ``r, alpha, b, s, beta`` with the base ``α₀, β₀`` (of a customer whose covariates
        are all 0).
    time_unit : TimeUnit or str
        Unit of time of the parameters, data and horizons.
    spec : CovariateSpec
        Which covariates enter which process, equality constraints and penalties.
    coefficients : dict of str to float
        ``"purchase.<c>"``, ``"dropout.<c>"``, ``"equal.<c>"``, in the order of
        ``spec.coefficient_names()``.
    covariates : CustomerCovariates, optional
        The fitted customers' covariates (looked up by customer id when a prediction gets
        data without ``covariates=``).
    fit : FitStatistics or None
        Log-likelihood, standard errors (base parameters, then coefficients) and
        diagnostics; ``None`` for :meth:`CovariateGGomNBD.from_params`.

    Notes
    -----
    CLVTools' parameterisation (``src/ggomnbd.cpp``, ``ggomnbd_staticcov_alpha_i`` and
    ``_beta_i``): positive ``purchase.<c>`` means more purchases, positive ``dropout.<c>`` a
    higher dropout propensity. Bemmaor & Glady (2012); see :doc:`/models-ggomnbd`.

    Examples
    --------
    >>> m = CovariateGGomNBD(purchase=["gender"], dropout=["gender"]).from_params(
    ...     r=1.4, alpha=48, b=0.05, s=0.6, beta=5,
    ...     coefficients={"purchase.gender": 0.3, "dropout.gender": -0.5}, time_unit="week")
    >>> data = ([6, 2], [93.29, 99.57], [104.0, 104.0])
    >>> gender = {"customer_id": [1, 2], "gender": [0, 1]}  # in the data's row order
    >>> m.customer_params(data, covariates=gender)["beta"].round(3).tolist()
    [5.0, 8.244]
    >>> m.probability_alive(data, covariates=gender).round(4).tolist()
    [0.6707, 0.8745]
    """

    name: ClassVar[str] = "GGom/NBD with covariates"

    time_unit: TimeUnit = attrs.field(converter=to_time_unit)
    spec: CovariateSpec
    coefficients: dict[str, float]
    covariates: CustomerCovariates | None = None

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "coefficients", coerce_coefficients(self.spec, self.coefficients))

    def _per_customer(self, matrices: CovariateMatrices) -> dict[str, FloatArray]:
        r, alpha, b, s, beta = self.params.to_tuple()
        purchase, dropout = self.spec.expand(np.array(list(self.coefficients.values())))
        n = matrices.purchase.shape[0]
        return {
            "r": np.full(n, r),
            "alpha": alpha * np.exp(-(matrices.purchase @ purchase)),
            "b": np.full(n, b),
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
        r, _, b, s, _ = self.params.to_tuple()
        alpha, beta = per["alpha"], per["beta"]
        size = len(rfm)
        if kind == ALIVE:
            return _kernels.alive_probability(r, b, s, alpha, beta, rfm.x, rfm.t_x, rfm.T)
        if kind == CONDITIONAL:
            horizons = np.zeros(size) if t is None else t
            return _kernels.discounted_expected(
                r, b, s, alpha, beta, 0.0, horizons, rfm.x, rfm.t_x, rfm.T
            )
        if kind == DISCOUNTED:
            return _kernels.discounted_expected(
                r, b, s, alpha, beta, delta, np.full(size, horizon), rfm.x, rfm.t_x, rfm.T
            )
        if kind == CONDITIONAL_PMF:
            counts = np.zeros(size) if n is None else n
            horizons = np.zeros(size) if t is None else t
            return _kernels.conditional_pmf(
                r, b, s, alpha, beta, counts, horizons, rfm.x, rfm.t_x, rfm.T
            )
        raise ValueError(f"unknown prediction kind {kind}")

    def _new(
        self, kind: int, per: dict[str, FloatArray], share: FloatArray, n: FloatArray, t: FloatArray
    ) -> FloatArray:
        r, _, b, s, _ = self.params.to_tuple()
        total = np.zeros(t.shape[0])
        for alpha, beta, weight in zip(per["alpha"], per["beta"], share, strict=True):
            if kind == NEW_EXPECTED:
                total += weight * _kernels.expected_new(r, alpha, b, s, beta, t)
            else:
                total += weight * _kernels.pmf_new(r, alpha, b, s, beta, n, t)
        return total

    def _loglik(self, rfm: RFMArrays, per: dict[str, FloatArray]) -> FloatArray:
        r, _, b, s, _ = self.params.to_tuple()
        terms = _kernels.loglik_terms(r, b, s, per["alpha"], per["beta"], rfm.x, rfm.t_x, rfm.T)
        return np.asarray(terms[:, 0] * rfm.weights, dtype=np.float64)


def _covariate_loglik(
    base: FloatArray, purchase: FloatArray, dropout: FloatArray, rows: Rows
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """Weighted log-likelihood; gradient in ``(r, α₀, b, s, β₀)``, ``γ_purchase``, ``γ_dropout``.

    With ``α_i = α₀ e^(−x_i γ)``: ``∂ℓ/∂α₀ = Σ w_i ∂ℓ_i/∂α_i · α_i / α₀`` and
    ``∂ℓ/∂γ = −Σ w_i ∂ℓ_i/∂α_i · α_i x_i`` (likewise ``β``).
    """
    r, alpha0, b, s, beta0 = (float(v) for v in base)
    alpha = alpha0 * np.exp(-(rows.purchase @ purchase))
    beta = beta0 * np.exp(-(rows.dropout @ dropout))
    terms = _kernels.loglik_terms(r, b, s, alpha, beta, rows.x, rows.t_x, rows.T)
    w = rows.weights
    d_alpha = w * terms[:, 2] * alpha
    d_beta = w * terms[:, 5] * beta
    gradient = np.array(
        [
            w @ terms[:, 1],
            d_alpha.sum() / alpha0,
            w @ terms[:, 3],
            w @ terms[:, 4],
            d_beta.sum() / beta0,
        ]
    )
    return (
        float(w @ terms[:, 0]),
        gradient,
        -(rows.purchase.T @ d_alpha),
        -(rows.dropout.T @ d_beta),
    )


def _covariate_start(rfm: RFMArrays, unit: TimeUnit) -> GGomNBDParams:
    return _moment_start(rfm)


def _prepare(rfm: RFMArrays) -> _Patterns:
    """One covariate group's distinct ``(x, t_x, T)`` rows."""
    return _Patterns.build(rfm, compress=None)


def _grouped(
    base: FloatArray, purchase: FloatArray, dropout: FloatArray, groups: Groups
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """:func:`_covariate_loglik` by covariate groups (every customer of a group: ``α_g, β_g``)."""
    r, alpha0, b, s, beta0 = (float(v) for v in base)
    alpha = alpha0 * np.exp(-(groups.purchase @ purchase))
    beta = beta0 * np.exp(-(groups.dropout @ dropout))
    total = 0.0
    shared = np.zeros(3)  # r, b, s
    d_alpha = np.empty(len(alpha))
    d_beta = np.empty(len(beta))
    for g, patterns in enumerate(groups.prepared):
        value, grad = patterns.evaluate(np.array([r, alpha[g], b, s, beta[g]]))
        total += value
        shared += grad[[0, 2, 3]]
        d_alpha[g] = grad[1] * alpha[g]
        d_beta[g] = grad[4] * beta[g]
    gradient = np.array(
        [shared[0], d_alpha.sum() / alpha0, shared[1], shared[2], d_beta.sum() / beta0]
    )
    return total, gradient, -(groups.purchase.T @ d_alpha), -(groups.dropout.T @ d_beta)


_FAMILY = Family(
    "GGom/NBD",
    GGomNBDParams,
    _covariate_loglik,
    _covariate_start,
    _mixing,
    _prepare,
    _grouped,
)


@attrs.frozen
class CovariateGGomNBD(CovariateModel):
    """GGom/NBD with static covariates on the purchase and the dropout process (CLVTools).

    Parameters
    ----------
    purchase : sequence of str
        Covariates of the purchase process: ``α_i = α₀ exp(−γ · x_i)``.
    dropout : sequence of str
        Covariates of the dropout process: ``β_i = β₀ exp(−γ · z_i)``.
    equal : sequence of str
        Covariates in both lists with one coefficient ``"equal.<c>"`` for both processes.
    purchase_penalty, dropout_penalty : float
        L2 penalties (>= 0) on the coefficients, per customer (CLVTools' ``reg.lambdas``), as
        for :class:`~ecomstrat.CovariateParetoNBD`.

    Examples
    --------
    >>> m = CovariateGGomNBD(purchase=["channel"], dropout="channel")
    >>> m.spec.coefficient_names()
    ('purchase.channel', 'dropout.channel')
    """

    def fit(
        self,
        data: RFMData,
        covariates: Any,
        *,
        time_unit: TimeUnit | str | None = None,
        initial: Mapping[str, float] | None = None,
        weights: Any = None,
    ) -> FittedCovariateGGomNBD:
        """Estimate ``(r, α₀, b, s, β₀)`` and the coefficients by (penalised) maximum likelihood.

        Parameters
        ----------
        data : CustomerSummary, table or (frequency, recency, T)
            The customers.
        covariates : CustomerCovariates or table
            One row per customer, aligned by the data's customer ids (else in row order).
            Every used column must vary across the customers.
        time_unit : TimeUnit or str, optional
            Unit of the estimates (default: the summary's, or days for arrays).
        initial : mapping, optional
            Starting values: all of ``r, alpha, b, s, beta`` (or none) and any coefficients.
        weights : array_like, optional
            Customers each row stands for.

        Returns
        -------
        FittedCovariateGGomNBD

        Raises
        ------
        InvalidInputError
            Invalid data, covariates or specification.
        ConvergenceError
            When neither an interior maximum nor the Pareto/NBD limit is found.

        Warns
        -----
        BoundaryEstimateWarning
            When the maximum is the Pareto/NBD limit ``b → 0``.

        Notes
        -----
        As :meth:`GGomNBD.fit`: the Pareto/NBD with the same covariates
        (:class:`~ecomstrat.CovariateParetoNBD`) is fitted first, and the GGom/NBD starts from
        its estimates with ``b = 1 / max(T)``, ``β₀ = b β₀_Pareto``. When ``b`` runs to 0 the
        result is the Pareto/NBD limit (same coefficients, ``b = 1e-10 / max(T)``, ``β₀ =
        b β₀_Pareto``, standard errors of ``b`` and ``β₀`` NaN). With coefficient penalties the
        two are compared on the penalised objective (the base parameters are not penalised, so
        the penalised Pareto/NBD is that objective's limit too).
        """
        from ecomstrat.models.covariate_paretonbd import CovariateParetoNBD

        spec = self.spec
        unit = fit_unit(data, time_unit)
        rfm = as_rfm_arrays(data, unit, weights=weights)
        _check_identified(rfm)
        frame = covariate_frame(covariates)
        ids = given_customer_ids(data)
        matrices = covariate_matrices(
            spec, frame, customer_ids=ids, n=len(rfm) if ids is None else None, fitting=True
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pareto: Any = CovariateParetoNBD(
                    purchase=self.purchase,
                    dropout=self.dropout,
                    equal=self.equal,
                    purchase_penalty=self.purchase_penalty,
                    dropout_penalty=self.dropout_penalty,
                ).fit(data, frame, time_unit=unit, weights=weights)
        except ConvergenceError:
            pareto = None
        starts: list[Mapping[str, float] | None] | None = None if initial is None else [initial]
        if starts is None and float(np.sum(rfm.weights)) > SUBSAMPLE_ABOVE and pareto is not None:
            starts = self._subsample_starts(rfm, matrices, unit, pareto)
        choice = self._select(rfm, matrices, unit, pareto, starts, frame)
        if isinstance(choice, FittedCovariateGGomNBD):
            assert choice.fit is not None
            hint = choice.fit.diagnostics.message
            warn_boundary(hint, stacklevel=2)
            return choice
        return self._result(choice, unit, frame)

    def _score(self, loglik: float, coefficients: Mapping[str, float], customers: float) -> float:
        """The maximised objective: ``ℓ − N Σ λ_k c_k²`` (the penalties of :meth:`fit`).

        The base parameters are not penalised, so a GGom/NBD fit and the Pareto/NBD limit
        (with the penalised Pareto/NBD's coefficients) compare on it.
        """
        values = np.array([coefficients[name] for name in self.spec.coefficient_names()])
        return loglik - customers * float(np.sum(self.spec.penalties() * values**2))

    def _limit(
        self,
        rfm: RFMArrays,
        matrices: CovariateMatrices,
        unit: TimeUnit,
        pareto: Any,
        frame: CustomerCovariates | None,
        bt: float = _LIMIT_BT,
    ) -> tuple[FittedCovariateGGomNBD, float]:
        """The GGom/NBD at ``b max(T) = bt`` next to the Pareto/NBD fit, and its likelihood."""
        model = FittedCovariateGGomNBD(
            params=_from_pareto(pareto.params, bt / float(np.max(rfm.T))),
            time_unit=unit,
            spec=self.spec,
            coefficients=pareto.coefficients,
            covariates=frame,
        )
        return model, float(np.sum(model._loglik(rfm, model._per_customer(matrices))))

    def _select(
        self,
        rfm: RFMArrays,
        matrices: CovariateMatrices,
        unit: TimeUnit,
        pareto: Any,
        starts: Sequence[Mapping[str, float] | None] | None,
        frame: CustomerCovariates | None,
    ) -> tuple[Any, ...] | FittedCovariateGGomNBD:
        """The best maximum from ``starts`` (a ``fit_family`` tuple), or the limit model."""
        spec = self.spec
        customers = float(np.sum(rfm.weights))
        limit_ll = limit_score = math.nan
        if pareto is not None:
            model, limit_ll = self._limit(rfm, matrices, unit, pareto, frame)
            limit_score = self._score(limit_ll, pareto.coefficients, customers)
        if starts is None:
            if pareto is None:
                starts = [None]
            else:
                points = _starts(pareto.params, rfm, float(np.max(rfm.T)))
                starts = [{**point.to_dict(), **pareto.coefficients} for point in points]
        best: tuple[Any, ...] | None = None
        best_value = -math.inf
        failure: ConvergenceError | None = None
        for start in starts:
            try:
                fitted = fit_family(_FAMILY, spec, rfm, matrices, unit, start)
            except ConvergenceError as error:
                failure = failure or error
                continue
            value = self._score(fitted[2].log_likelihood, fitted[1], customers)
            if best is None or value > best_value:
                best, best_value = fitted, value
            if not fitted[3] and not value <= limit_score:
                break  # an interior maximum above the Pareto/NBD limit
        if math.isnan(limit_score) or (best is not None and best_value > limit_score):
            if best is None:
                assert failure is not None
                raise failure
            return best
        found = None if best is None else float(best[2].log_likelihood)
        hint = _limit_hint(pareto.params, limit_ll, unit, found, failure)
        statistics = _limit_statistics(pareto.fit, limit_ll, hint, spec.coefficient_names())
        return attrs.evolve(model, fit=statistics)

    def _subsample_starts(
        self, rfm: RFMArrays, matrices: CovariateMatrices, unit: TimeUnit, pareto: Any
    ) -> list[Mapping[str, float] | None] | None:
        """As :func:`_subsample_starts` of the plain model, with the covariate rows thinned.

        The subsample's fits start from the full data's Pareto/NBD estimates.
        """
        share = min(1.0, SUBSAMPLE_SIZE / float(np.sum(rfm.weights)))
        rng = np.random.default_rng(_SUBSAMPLE_SEED)
        weights = rng.binomial(np.round(rfm.weights).astype(np.int64), share).astype(np.float64)
        keep = np.flatnonzero(weights > 0)
        sub = RFMArrays(rfm.x[keep], rfm.t_x[keep], rfm.T[keep], weights[keep])
        try:
            choice = self._select(sub, matrices.take(keep), unit, pareto, None, None)
        except ConvergenceError:
            return None
        if not isinstance(choice, FittedCovariateGGomNBD):
            params, coefficients = choice[0], choice[1]
            return [{**params.to_dict(), **coefficients}]
        # the same coefficients at both points: the penalty cancels
        limit_ll = self._limit(rfm, matrices, unit, pareto, None)[1]
        inward_ll = self._limit(rfm, matrices, unit, pareto, None, bt=1e-3)[1]
        return [] if inward_ll <= limit_ll else None

    def _result(
        self, fitted: tuple[Any, ...], unit: TimeUnit, frame: CustomerCovariates
    ) -> FittedCovariateGGomNBD:
        params, coefficients, statistics, boundary = fitted
        warn_boundary(boundary, stacklevel=3)
        return FittedCovariateGGomNBD(
            params=params,
            time_unit=unit,
            spec=self.spec,
            coefficients=coefficients,
            covariates=frame,
            fit=statistics,
        )

    def from_params(
        self,
        *,
        r: float,
        alpha: float,
        b: float,
        s: float,
        beta: float,
        coefficients: Mapping[str, float],
        time_unit: TimeUnit | str,
        covariates: Any = None,
    ) -> FittedCovariateGGomNBD:
        """A model with given parameters and coefficients (no fit).

        Examples
        --------
        >>> m = CovariateGGomNBD(purchase=["channel"]).from_params(
        ...     r=1.4, alpha=48, b=0.05, s=0.6, beta=5, coefficients={"purchase.channel": 0.6},
        ...     time_unit="week")
        >>> m.coefficients, m.params.b
        ({'purchase.channel': 0.6}, 0.05)
        """
        return FittedCovariateGGomNBD(
            params=GGomNBDParams(r=r, alpha=alpha, b=b, s=s, beta=beta),
            time_unit=time_unit,
            spec=self.spec,
            coefficients=dict(coefficients),
            covariates=None if covariates is None else covariate_frame(covariates),
        )
