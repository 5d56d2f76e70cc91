"""The Pareto/NBD model of non-contractual repeat buying (Schmittlein, Morrison & Colombo 1987)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

import attrs
import numpy as np

from ecomstrat._kernels import paretonbd as _kernels
from ecomstrat._kernels.paretonbd import (
    PARALLEL_MIN_ROWS,
    alive_probability,
    alive_probability_parallel,
    conditional_pmf,
    discounted_lifetime,
    expected_given_history,
    expected_new,
    loglik_terms,
    loglik_terms_parallel,
    pmf_new,
)
from ecomstrat._typing import FloatArray, IntArray
from ecomstrat._validation import check_whole_numbers, invalid, number_or_raw, positive_field
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.exceptions import ConvergenceError, InvalidInputError
from ecomstrat.models._base import (
    FitStatistics,
    FittedModel,
    Params,
    coerce_initial,
    compress_rows,
    row_index,
    warn_boundary,
)
from ecomstrat.models._data import (
    RFMArrays,
    as_rfm_arrays,
    fit_unit,
    floats,
    one_customer,
    per_customer,
    scalar_time,
    times,
)
from ecomstrat.models._fit import MaximumLikelihood, Mixing, maximize_likelihood
from ecomstrat.models._protocols import (
    RFMData,
    TimeLike,
    check_discount_rate,
    check_horizon,
    continuous_discount_rate,
    discounting,
)
from ecomstrat.models._uncertainty import PurchasePredictions

__all__ = ["FittedParetoNBD", "ParetoNBD", "ParetoNBDParams"]


#: Above this many customers, ``fit`` first estimates on a random subsample of
#: :data:`SUBSAMPLE_SIZE` customers and starts the full fit from there.
SUBSAMPLE_ABOVE = 20_000
SUBSAMPLE_SIZE = 5_000
#: Seed of the subsample, so that fits are reproducible.
_SUBSAMPLE_SEED = 20_050_101
#: Quasi-Newton polish on all the data after the subsample fit: at most this many steps,
#: stopping once the gradient in log-parameters, per customer, is below ``_POLISH_GTOL`` (a
#: tenth of the default tolerance of ``maximize_likelihood``, whose L-BFGS-B then stops at once).
_POLISH_STEPS = 20
_POLISH_GTOL = 1e-10


@attrs.frozen
class ParetoNBDParams(Params):
    """Parameters of the Pareto/NBD model.

    Parameters
    ----------
    r, alpha : float
        Shape and rate of the gamma distribution of purchase rates ``λ`` across customers
        (``alpha`` in the model's time unit; mean rate ``r / alpha`` purchases per unit).
    s, beta : float
        Shape and rate of the gamma distribution of dropout rates ``μ`` (``beta`` in the
        model's time unit; mean lifetime ``beta / (s − 1)`` units when ``s > 1``).

    Raises
    ------
    InvalidInputError
        If a parameter is not a finite number > 0 (the message names it).

    Examples
    --------
    >>> ParetoNBDParams(r=0.553, alpha=10.578, s=0.606, beta=11.669).to_dict()
    {'r': 0.553, 'alpha': 10.578, 's': 0.606, 'beta': 11.669}
    """

    r: float = attrs.field(converter=number_or_raw, validator=positive_field)
    alpha: float = attrs.field(converter=number_or_raw, validator=positive_field)
    s: float = attrs.field(converter=number_or_raw, validator=positive_field)
    beta: float = attrs.field(converter=number_or_raw, validator=positive_field)


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedParetoNBD(FittedModel[ParetoNBDParams], PurchasePredictions):
    """A Pareto/NBD model with known parameters, in an explicit time unit.

    Customer data are a :class:`~ecomstrat.CustomerSummary` (converted to ``time_unit``) or a
    tuple ``(frequency, recency, T)`` of arrays already in ``time_unit``: ``frequency`` counts
    repeat purchases ``x``, ``recency`` is ``t_x`` (the time from the first to the last
    purchase) and ``T`` the time from the first purchase to the end of observation.
    Horizons ``t`` are in ``time_unit`` too. Every method is vectorised over customers and
    returns float64 arrays.

    Parameters
    ----------
    params : ParetoNBDParams
        The parameters, ``alpha`` and ``beta`` per ``time_unit``.
    time_unit : TimeUnit or str
        Unit of time of the parameters, data and horizons.
    fit : FitStatistics or None
        Log-likelihood, standard errors and diagnostics when the parameters were estimated;
        ``None`` for :meth:`ParetoNBD.from_params`.

    Notes
    -----
    While alive, a customer buys as a Poisson process of rate ``λ``; their lifetime is
    exponential with rate ``μ``; ``λ ~ Gamma(r, α)`` and ``μ ~ Gamma(s, β)`` independently
    (Schmittlein, Morrison & Colombo 1987, "Counting Your Customers: Who Are They and What
    Will They Do Next?", *Management Science* 33(1), 1–24). The formulas follow Fader &
    Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions"; see
    :doc:`/models-paretonbd` for how the hypergeometric term is evaluated.

    Examples
    --------
    >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week")
    >>> m
    FittedParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit='week')
    >>> data = ([2, 0, 10], [30.43, 0.0, 35.0], [38.86, 38.86, 38.86])
    >>> m.probability_alive(data).round(3).tolist()
    [0.869, 0.295, 0.927]
    >>> m.conditional_expected_purchases(39, data).round(3).tolist()
    [1.455, 0.107, 6.417]
    """

    name: ClassVar[str] = "Pareto/NBD"

    time_unit: TimeUnit = attrs.field(converter=to_time_unit)

    def _rfm(self, data: RFMData) -> RFMArrays:
        return as_rfm_arrays(data, self.time_unit, allow_empty=True)

    def expected_purchases(self, t: TimeLike) -> FloatArray:
        """Expected repeat purchases of a new customer in ``(0, t]``.

        Parameters
        ----------
        t : float or array of float
            Horizons (>= 0) in ``time_unit``.

        Returns
        -------
        ndarray of float64
            ``E[X(t)] = r β / (α (s − 1)) · [1 − (β / (β + t))^(s − 1)]`` (its limit
            ``(r β / α) log(1 + t / β)`` at ``s = 1``), same shape as ``t``.

        Examples
        --------
        >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669,
        ...                           time_unit="week")
        >>> m.expected_purchases([0, 39, 78]).round(4).tolist()
        [0.0, 1.213, 1.9094]
        """
        horizon = times("t", t)
        r, alpha, s, beta = self.params.to_tuple()
        return expected_new(r, alpha, s, beta, horizon.reshape(-1)).reshape(horizon.shape)

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
            The probabilities, of the broadcast shape of ``n`` and ``t``; they add up to 1
            over ``n`` and their mean is :meth:`expected_purchases`.

        Notes
        -----
        Conditioning on whether the customer is still alive at ``t``::

            P(X(t) = n) = Γ(r + n) / (Γ(r) n!) (α / (α + t))^r (t / (α + t))^n (β / (β + t))^s
              + s α^r β^s Γ(r + n) / (Γ(r) n!) ∫_0^t τ^n (α + τ)^(−(r+n)) (β + τ)^(−(s+1)) dτ.

        Fader & Hardie's closed form of the integral needs Gauss hypergeometric functions
        near their singular point; ecomstrat evaluates the integral instead, by Gauss–Legendre
        panels in ``log τ``, where the integrand is log-concave (about 1e-14 relative
        accuracy, checked against mpmath in the tests).

        Examples
        --------
        >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669,
        ...                           time_unit="week")
        >>> m.probability_of_purchases([0, 1, 2], 39).round(4).tolist()
        [0.5936, 0.1656, 0.0825]
        """
        counts = check_whole_numbers("n", n)
        horizon = times("t", t)
        try:
            counts_b, horizon_b = np.broadcast_arrays(counts, horizon)
        except ValueError:
            raise invalid(
                "t", f"<shape {horizon.shape}>", f"must broadcast against n of shape {counts.shape}"
            ) from None
        r, alpha, s, beta = self.params.to_tuple()
        # copies: a broadcast view stays read-only even when contiguous (e.g. empty)
        flat_n = np.array(counts_b, dtype=np.float64).reshape(-1)
        flat_t = np.array(horizon_b, dtype=np.float64).reshape(-1)
        return pmf_new(r, alpha, s, beta, flat_n, flat_t).reshape(counts_b.shape)

    def probability_alive(self, data: RFMData) -> FloatArray:
        """Probability that each customer is still alive at the end of observation.

        Parameters
        ----------
        data : CustomerSummary or (frequency, recency, T)
            The customers.

        Returns
        -------
        ndarray of float64
            ``P(alive | x, t_x, T) = B / (B + s I)`` in ``[0, 1]`` (1 when ``t_x = T``).

        Examples
        --------
        >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669,
        ...                           time_unit="week")
        >>> m.probability_alive(([0, 5], [0.0, 20.0], [38.86, 38.86])).round(4).tolist()
        [0.2953, 0.3657]
        """
        return self._alive(self._rfm(data))

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
            ``P(alive) · (r + x)(β + T) / ((α + T)(s − 1)) · [1 − ((β + T)/(β + T + t))^(s−1)]``
            per customer (continuous at ``s = 1``).

        Examples
        --------
        >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669,
        ...                           time_unit="week")
        >>> data = ([2, 2], [30.43, 30.43], [38.86, 38.86])
        >>> m.conditional_expected_purchases([1, 52], data).round(4).tolist()
        [0.0446, 1.8508]
        """
        rfm = self._rfm(data)
        horizon = times("t", t)
        try:
            per_customer = np.broadcast_to(horizon, (len(rfm),))
        except ValueError:
            raise invalid(
                "t",
                f"<shape {horizon.shape}>",
                f"must be a scalar or hold one horizon per customer ({len(rfm)})",
            ) from None
        r, alpha, s, beta = self.params.to_tuple()
        x, T = floats(rfm.x), floats(rfm.T)
        horizons = np.array(per_customer, dtype=np.float64)  # (a read-only view)
        return expected_given_history(r, alpha, s, beta, x, T, horizons, self._alive(rfm))

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
            One probability per customer; over ``n = 0, 1, ...`` they sum to 1 and their
            mean is :meth:`conditional_expected_purchases`.

        Notes
        -----
        Alive at ``T``, a customer has the posterior ``λ ~ Gamma(r + x, α + T)``,
        ``μ ~ Gamma(s, β + T)`` and, both processes being memoryless, buys from ``T`` on
        like a new customer with those parameters; a customer who has left buys nothing::

            P(X(T, T + t) = n | x, t_x, T) = P(alive) P_new(n, t; r+x, α+T, s, β+T)
                                             + δ_{n=0} (1 − P(alive))

        with ``P_new`` as in :meth:`probability_of_purchases`. Fader & Hardie,
        "Deriving the conditional PMF of the Pareto/NBD model" (note 028,
        http://brucehardie.com/notes/028/), derive the same expression with Gauss
        hypergeometric functions; ecomstrat evaluates its integral by log-concave quadrature.

        Examples
        --------
        >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669,
        ...                           time_unit="week")
        >>> data = ([2, 0], [30.43, 0.0], [38.86, 38.86])
        >>> m.conditional_probability_of_purchases(0, 52, data).round(4).tolist()
        [0.3685, 0.9201]
        """
        rfm = self._rfm(data)
        size = len(rfm)
        purchases = per_customer("n", n, size, whole=True)
        horizons = per_customer("t", t, size)
        r, alpha, s, beta = self.params.to_tuple()
        columns = (floats(rfm.x), floats(rfm.t_x), floats(rfm.T))
        return conditional_pmf(r, alpha, s, beta, purchases, horizons, *columns)

    def probability_alive_one(self, x: float, t_x: float, T: float) -> float:
        """:meth:`probability_alive` of one customer: scalars in, a float out.

        For online scoring: a few microseconds per call after warm-up, no arrays, no shared
        state (safe from several threads).

        Parameters
        ----------
        x, t_x, T : float
            Frequency (a whole number), recency and age, in ``time_unit``.

        Returns
        -------
        float

        Examples
        --------
        >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669,
        ...                           time_unit="week")
        >>> round(m.probability_alive_one(5, 20.0, 38.86), 4)
        0.3657
        """
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        return _kernels.alive_one(p.r, p.alpha, p.s, p.beta, xf, rf, Tf)

    def conditional_expected_purchases_one(self, t: float, x: float, t_x: float, T: float) -> float:
        """:meth:`conditional_expected_purchases` of one customer: scalars in, a float out.

        Parameters
        ----------
        t : float
            Horizon (>= 0) in ``time_unit``.
        x, t_x, T : float
            Frequency, recency and age, in ``time_unit``.

        Returns
        -------
        float

        Examples
        --------
        >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669,
        ...                           time_unit="week")
        >>> round(m.conditional_expected_purchases_one(52, 2, 30.43, 38.86), 4)
        1.8508
        """
        window = scalar_time("t", t)
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        return _kernels.conditional_one(p.r, p.alpha, p.s, p.beta, window, xf, rf, Tf)

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

        Parameters
        ----------
        x, t_x, T : float
            Frequency, recency and age, in ``time_unit``.
        annual_discount_rate : float
            Discount rate per year as a fraction in [0, 1].
        horizon : float, optional
            In ``time_unit`` (``math.inf``, the default, for the whole lifetime).

        Returns
        -------
        float

        Examples
        --------
        >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669,
        ...                           time_unit="week")
        >>> round(m.expected_residual_purchases_one(
        ...     2, 30.43, 38.86, annual_discount_rate=0.15), 3)
        6.515
        """
        length, delta = discounting(annual_discount_rate, horizon, self.time_unit)
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        return _kernels.discounted_one(p.r, p.alpha, p.s, p.beta, delta, length, xf, rf, Tf)

    def expected_residual_purchases(
        self, data: RFMData, *, annual_discount_rate: float, horizon: float = math.inf
    ) -> FloatArray:
        """Discounted expected purchases ``∫_0^H e^(−δt) dE[X(T, T + t) | x, t_x, T]``.

        With ``horizon=math.inf`` (the default) this is the discounted expected residual
        transactions (DERT): the expected number of future purchases, each discounted
        continuously to the end of observation. Multiply by the expected margin per purchase
        for the residual value.

        Parameters
        ----------
        data : CustomerSummary or (frequency, recency, T)
            The customers.
        annual_discount_rate : float
            Discount rate per year as a fraction in [0, 1] (0.1 for 10 %; > 0 when the
            horizon is infinite); the continuous rate is ``δ = log(1 + annual_discount_rate)``
            per year, converted to ``time_unit``.
        horizon : float, optional
            How far ahead, in ``time_unit`` (> 0; ``math.inf``, the default, for the whole
            lifetime).

        Returns
        -------
        ndarray of float64
            ``P(alive) · (r + x)/(α + T) · ∫_0^H e^(−δt) ((β + T)/(β + T + t))^s dt`` per
            customer; with a zero rate it is :meth:`conditional_expected_purchases`. Over an
            infinite horizon it is ``P(alive) · (r + x)/(α + T) · (β + T) · U(1, 2 − s,
            δ(β + T))``.

        Notes
        -----
        Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
        Analysis", *Journal of Marketing Research* 42(4), 415–430, appendix: ``DERT =
        α^r β^s δ^(s−1) Γ(r + x + 1) U(s, s; δ(β + T)) / (Γ(r) (α + T)^(r+x+1) L)``, with
        ``U`` Tricomi's confluent hypergeometric function. By Kummer's relation this is the
        expression above, and ``U(1, 2 − s, z) = ∫_0^∞ e^(−z u) (1 + u)^(−s) du`` is evaluated
        by Gauss–Legendre panels in ``log(1 + u)``, where the integrand is log-concave (about
        1e-14 relative accuracy against ``mpmath.hyperu``).

        Examples
        --------
        >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669,
        ...                           time_unit="week")
        >>> data = ([2, 0], [30.43, 0.0], [38.86, 38.86])
        >>> m.expected_residual_purchases(data, annual_discount_rate=0.15).round(3).tolist()
        [6.515, 0.479]
        >>> m.expected_residual_purchases(data, annual_discount_rate=0.0, horizon=52).round(3)
        array([1.851, 0.136])
        >>> m.conditional_expected_purchases(52, data).round(3)
        array([1.851, 0.136])
        """
        length = check_horizon(horizon)
        rate = check_discount_rate("annual_discount_rate", annual_discount_rate, horizon=length)
        delta = continuous_discount_rate(rate, self.time_unit)
        rfm = self._rfm(data)
        r, alpha, s, beta = self.params.to_tuple()
        x, T = floats(rfm.x), floats(rfm.T)
        # E[∫ e^(−δt) e^(−μt) dt | alive] depends on T only, and ages repeat: one per distinct T
        first, inverse = row_index([T])
        lifetime = discounted_lifetime(s, delta, beta + T[first], length)
        result: FloatArray = self._alive(rfm) * (r + x) / (alpha + T) * lifetime[inverse]
        return result

    def log_likelihood(self, data: RFMData) -> float:
        """Log-likelihood of the customers under these parameters (as maximised by ``fit``).

        Examples
        --------
        >>> m = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669,
        ...                           time_unit="week")
        >>> round(m.log_likelihood(([2, 0], [30.43, 0.0], [38.86, 38.86])), 4)
        -10.0753
        """
        patterns = _Patterns.build(self._rfm(data), compress=True)
        return patterns.evaluate(np.array(self.params.to_tuple()))[0]

    def _alive(self, rfm: RFMArrays) -> FloatArray:
        """``P(alive)`` per customer (in parallel from ``PARALLEL_MIN_ROWS`` customers)."""
        kernel = alive_probability_parallel if len(rfm) >= PARALLEL_MIN_ROWS else alive_probability
        r, alpha, s, beta = self.params.to_tuple()
        alive: FloatArray = kernel(r, alpha, s, beta, floats(rfm.x), floats(rfm.t_x), floats(rfm.T))
        return alive


@attrs.frozen
class ParetoNBD:
    """Pareto/NBD model: Poisson purchasing while alive, exponential lifetimes, gamma mixing.

    Notes
    -----
    Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are They and What
    Will They Do Next?", *Management Science* 33(1), 1–24. The likelihood and its
    implementation follow Fader, Hardie & Lee (2005), "A Note on Implementing the Pareto/NBD
    Model in MATLAB"; ecomstrat evaluates its Gauss hypergeometric term by a series that
    converges in every parameter region after Euler's transformation, or by log-concave
    quadrature where that series would be slow or would cancel (:doc:`/models-paretonbd`).
    The log-likelihood is maximised over log-parameters with its analytic gradient.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> summary = simulate_transactions(2_000, seed=3).summary()  # weeks
    >>> fitted = ParetoNBD().fit(summary)
    >>> fitted.time_unit, fitted.fit.diagnostics.converged
    (<TimeUnit.WEEK: 'week'>, True)
    """

    def fit(
        self,
        data: RFMData,
        *,
        time_unit: TimeUnit | str | None = None,
        initial: ParetoNBDParams | Mapping[str, float] | Sequence[float] | None = None,
        compress: bool | None = None,
        weights: Sequence[float] | FloatArray | None = None,
        penalty: float = 0.0,
    ) -> FittedParetoNBD:
        """Estimate ``(r, α, s, β)`` by maximum likelihood.

        Parameters
        ----------
        data : CustomerSummary or (frequency, recency, T)
            The customers.
        time_unit : TimeUnit or str, optional
            Unit of the estimates. Defaults to the summary's unit, or ``"day"`` for arrays
            (which must then be in that unit); a summary is converted to it.
        initial : ParetoNBDParams, mapping or (r, alpha, s, beta), optional
            Starting values. By default they come from the data (see Notes).
        compress : bool, optional
            Merge identical ``(x, t_x, T)`` rows first: ``None`` (default) does when at most
            half of the rows are distinct.
        weights : array_like, optional
            Customers each row stands for (finite, >= 0; default 1 each): pre-aggregated or
            compressed data fit exactly as the expanded rows.
        penalty : float, optional
            Strength ``λ >= 0`` of an L2 penalty on the log-parameters: maximises
            ``ℓ(θ) − λ Σ (log θ_k)²``, the remedy for a flat likelihood (default 0, plain
            maximum likelihood; standard errors then come from the penalised Hessian).

        Returns
        -------
        FittedParetoNBD
            With the estimates and their :class:`~ecomstrat.FitStatistics`.

        Raises
        ------
        InvalidInputError
            For invalid data or starting values, or data without a single repeat purchase
            (the likelihood then grows without bound as ``r / α → 0``).
        ConvergenceError
            When the optimiser's end point is not a maximum (the message says why and
            carries the diagnostics).

        Warns
        -----
        BoundaryEstimateWarning
            When a mixing distribution collapsed (the maximum lies at infinite parameters).

        Notes
        -----
        Without ``initial``, the starting point is ``r = s = 1``, ``α`` from the mean
        purchase rate and ``β`` from the mean age. Above 20,000 customers the model is first
        fitted on a random subsample of 5,000 (fixed seed) from that point; quasi-Newton steps
        on all the data, starting from the subsample's curvature, then bring the gradient
        below a tenth of the optimiser's tolerance before L-BFGS-B runs; the maximum is then
        judged at the point (see :func:`~ecomstrat.models._fit.maximize_likelihood`). This
        only changes the path, not the maximum. When the estimates of a shape and its rate
        run off together (no heterogeneity in purchase or dropout rates: the maximum lies at
        infinity), the estimates are kept and a
        :class:`~ecomstrat.BoundaryEstimateWarning` says so.
        """
        unit = fit_unit(data, time_unit)
        rfm = as_rfm_arrays(data, unit, weights=weights)
        _check_identified(rfm)
        patterns = _Patterns.build(rfm, compress=compress)
        start = (
            coerce_initial(initial, ParetoNBDParams)
            if initial is not None
            else _starting_values(rfm, patterns)
        )
        estimate = _maximize(patterns, start, mixing=_mixing(unit), penalty=penalty)
        warn_boundary(estimate.boundary, stacklevel=2)
        return FittedParetoNBD(
            params=ParetoNBDParams(*map(float, estimate.params)),
            time_unit=unit,
            fit=FitStatistics.from_estimate(estimate, names=ParetoNBDParams.names()),
        )

    @staticmethod
    def from_params(
        *, r: float, alpha: float, s: float, beta: float, time_unit: TimeUnit | str
    ) -> FittedParetoNBD:
        """A model with given parameters (no fit), e.g. published estimates.

        ``alpha`` and ``beta`` are rates per ``time_unit``, which must be given.

        Examples
        --------
        >>> ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="week")
        FittedParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit='week')
        """
        params = ParetoNBDParams(r=r, alpha=alpha, s=s, beta=beta)
        return FittedParetoNBD(params=params, time_unit=time_unit)


# ---------------------------------------------------------------------------------------------
# Fitting


@attrs.frozen(eq=False)
class _Patterns:
    """Distinct ``(x, t_x, T)`` patterns with weights, and their distinct ``(x, t)`` pairs."""

    rfm: RFMArrays
    pair_x: FloatArray
    pair_t: FloatArray
    pair_of_tx: IntArray
    pair_of_T: IntArray

    @classmethod
    def build(cls, rfm: RFMArrays, *, compress: bool | None) -> _Patterns:
        """Index ``rfm``, merging identical rows by the policy of :func:`compress_rows`."""
        (x, t_x, T), weights = compress_rows(
            (rfm.x, rfm.t_x, rfm.T), rfm.weights, compress=compress
        )
        return cls._index(RFMArrays(x, t_x, T, weights))

    @classmethod
    def _index(cls, rfm: RFMArrays) -> _Patterns:
        x, t_x, T = rfm.x, rfm.t_x, rfm.T
        m = len(x)
        both_x = np.concatenate([x, x])
        both_t = np.concatenate([t_x, T])
        first, inverse = row_index([both_x, both_t])
        return cls(
            rfm,
            both_x[first],
            both_t[first],
            np.ascontiguousarray(inverse[:m]),
            np.ascontiguousarray(inverse[m:]),
        )

    def __len__(self) -> int:
        return len(self.rfm)

    def evaluate(self, theta: FloatArray) -> tuple[float, FloatArray]:
        """Weighted log-likelihood and its gradient at ``theta = (r, α, s, β)``."""
        total, gradient, _ = self._terms(theta)
        return float(total), np.asarray(gradient, dtype=np.float64)

    def _terms(self, theta: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        kernel = loglik_terms_parallel if len(self) >= PARALLEL_MIN_ROWS else loglik_terms
        d = self.rfm
        return kernel(
            float(theta[0]),
            float(theta[1]),
            float(theta[2]),
            float(theta[3]),
            d.x,
            d.t_x,
            d.T,
            d.weights,
            self.pair_x,
            self.pair_t,
            self.pair_of_tx,
            self.pair_of_T,
        )

    def thinned(self, size: int, seed: int) -> _Patterns:
        """About ``size`` customers drawn at random (binomial thinning of the weights)."""
        d = self.rfm
        share = min(1.0, size / float(np.sum(d.weights)))
        rng = np.random.default_rng(seed)
        weights = rng.binomial(np.round(d.weights).astype(np.int64), share).astype(np.float64)
        keep = weights > 0
        return _Patterns._index(RFMArrays(d.x[keep], d.t_x[keep], d.T[keep], weights[keep]))


def _check_identified(rfm: RFMArrays) -> None:
    """Refuse data whose likelihood has its supremum on the boundary (no finite estimates)."""
    used = rfm.weights > 0
    if not used.any():
        raise invalid("weights", 0.0, "must not all be 0", "Give at least one customer.")
    if not (rfm.x[used] > 0).any():
        raise InvalidInputError(
            "frequency is 0 for every customer (no repeat purchase): the likelihood grows"
            " without bound as the purchase rate r/alpha goes to 0, so (r, alpha, s, beta) have"
            " no finite estimates. Fit on customers of whom some bought again."
        )


def _mixing(unit: TimeUnit) -> tuple[Mixing, Mixing]:
    """The Gamma mixing distributions of the purchase and dropout rates."""
    per = f"per {unit.value}"
    return (
        Mixing("gamma", "r", "alpha", "purchase rates", per),
        Mixing("gamma", "s", "beta", "dropout rates", per),
    )


def _moment_start(rfm: RFMArrays) -> ParetoNBDParams:
    """``r = s = 1``, ``α`` from the mean purchase rate, ``β`` from the mean age."""
    weights = rfm.weights
    total = float(np.sum(weights))
    mean_x = float(weights @ rfm.x) / total
    mean_t = float(weights @ rfm.T) / total
    return ParetoNBDParams(r=1.0, alpha=mean_t / max(mean_x, 1e-3), s=1.0, beta=mean_t)


def _starting_values(rfm: RFMArrays, patterns: _Patterns) -> ParetoNBDParams:
    """The moment start, or above :data:`SUBSAMPLE_ABOVE` customers a polished subsample fit."""
    start = _moment_start(rfm)
    n_customers = float(np.sum(rfm.weights))
    if n_customers <= SUBSAMPLE_ABOVE:
        return start
    sub = patterns.thinned(SUBSAMPLE_SIZE, _SUBSAMPLE_SEED)
    try:
        estimate = _maximize(sub, start)
    except ConvergenceError:
        return start
    share = float(np.sum(sub.rfm.weights)) / n_customers
    return ParetoNBDParams(*_newton_polish(patterns, estimate.params, estimate.covariance * share))


def _newton_polish(
    patterns: _Patterns, theta: FloatArray, inverse_information: FloatArray
) -> FloatArray:
    """Quasi-Newton steps on all the data, starting from the subsample's curvature.

    The subsample's inverse observed information, scaled by the ratio of customers,
    approximates the full data's to a few per cent; BFGS updates of it from the steps taken
    make the convergence superlinear, about one likelihood evaluation per digit (L-BFGS-B,
    which starts without curvature, needs ten or more evaluations from the same point). A
    step that leaves the positive orthant or lowers the likelihood is halved; polishing stops
    when the gradient is below :data:`_POLISH_GTOL` per customer or after
    :data:`_POLISH_STEPS` steps, and ``maximize_likelihood`` then judges the maximum.
    """
    inverse = np.array(inverse_information, dtype=np.float64)
    if not np.all(np.isfinite(inverse)):
        return theta
    target = _POLISH_GTOL * float(np.sum(patterns.rfm.weights))
    value, gradient = patterns.evaluate(theta)
    for _ in range(_POLISH_STEPS):
        if np.max(np.abs(theta * gradient)) <= target:
            break
        step = inverse @ gradient
        for _ in range(5):
            trial = theta + step
            if np.all(trial > 0.0):
                trial_value, trial_gradient = patterns.evaluate(trial)
                # near the maximum the gain (~1e-12) is below the rounding of the sum
                if trial_value >= value - 1e-13 * abs(value):
                    break
            step = 0.5 * step
        else:
            break
        # BFGS update of the inverse of the negative Hessian: s = step, y = −Δgradient
        y = gradient - trial_gradient
        curvature = float(step @ y)
        if curvature > 0.0:
            rho = 1.0 / curvature
            left = np.eye(len(theta)) - rho * np.outer(step, y)
            inverse = left @ inverse @ left.T + rho * np.outer(step, step)
        theta, value, gradient = trial, trial_value, trial_gradient
    return theta


def _maximize(
    patterns: _Patterns,
    start: ParetoNBDParams,
    *,
    mixing: Sequence[Mixing] = (),
    penalty: float = 0.0,
) -> MaximumLikelihood:
    objective: Callable[[FloatArray], tuple[float, FloatArray]] = patterns.evaluate
    return maximize_likelihood(
        objective,
        start.to_tuple(),
        ParetoNBDParams.names(),
        n_customers=round(float(np.sum(patterns.rfm.weights))),
        n_patterns=len(patterns),
        mixing=mixing,
        model="Pareto/NBD",
        penalty=penalty,
    )
