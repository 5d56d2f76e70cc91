"""The BG/NBD family: BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam et al. 2007).

Both models share their parameters ``r, alpha, a, b``, their fitting and their predictions;
the MBG/NBD only adds a chance to drop out right after the first purchase, which shifts
``b`` by one in every formula. :class:`BGNBD` and :class:`MBGNBD` fit by maximum likelihood
and return frozen :class:`FittedBGNBD` and :class:`FittedMBGNBD` objects whose prediction
methods are vectorised over customers and run in the numba kernels of
:mod:`ecomstrat._kernels.bgnbd` (with ``shift = 0`` or ``1``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar, cast

import attrs
import numpy as np

from ecomstrat._kernels import bgnbd as _kernels
from ecomstrat._kernels.bgnbd import PARALLEL_MIN_ROWS
from ecomstrat._typing import FloatArray
from ecomstrat._validation import invalid, number_or_raw, positive_field
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.models._base import (
    FitStatistics,
    FittedModel,
    Params,
    coerce_initial,
    compress_rows,
    warn_boundary,
)
from ecomstrat.models._data import (
    RFMArrays,
    as_rfm_arrays,
    counts,
    fit_unit,
    floats,
    one_customer,
    per_customer,
    scalar_time,
    times,
)
from ecomstrat.models._fit import Mixing, maximize_likelihood
from ecomstrat.models._protocols import (
    RFMData,
    TimeLike,
    check_discount_rate,
    check_horizon,
    continuous_discount_rate,
    discounting,
)
from ecomstrat.models._uncertainty import PurchasePredictions

__all__ = ["BGNBD", "MBGNBD", "BGNBDParams", "FittedBGNBD", "FittedMBGNBD", "MBGNBDParams"]


def _run(name: str, size: int, shift: float, *args: Any) -> Any:
    """Kernel ``name`` of the family, on several threads from PARALLEL_MIN_ROWS rows."""
    kernel = getattr(_kernels, name)
    return kernel(*args, shift=shift, parallel=size >= PARALLEL_MIN_ROWS)


@attrs.frozen
class _BetaGeometricParams(Params):
    """``r, alpha`` (Gamma purchase rates) and ``a, b`` (Beta dropout probabilities)."""

    r: float = attrs.field(converter=number_or_raw, validator=positive_field)
    alpha: float = attrs.field(converter=number_or_raw, validator=positive_field)
    a: float = attrs.field(converter=number_or_raw, validator=positive_field)
    b: float = attrs.field(converter=number_or_raw, validator=positive_field)


@attrs.frozen
class BGNBDParams(_BetaGeometricParams):
    """Parameters of the BG/NBD model.

    Parameters
    ----------
    r, alpha : float
        Shape and rate of the Gamma distribution of purchase rates ``λ`` (``alpha`` in the
        model's time unit: it scales with the unit, ``r`` does not).
    a, b : float
        Parameters of the Beta distribution of the dropout probability ``p`` after each
        repeat purchase.

    Raises
    ------
    InvalidInputError
        If a parameter is not a finite number > 0.

    Examples
    --------
    >>> BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426).to_dict()
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
    """


@attrs.frozen
class MBGNBDParams(_BetaGeometricParams):
    """Parameters of the MBG/NBD model (same meaning as :class:`BGNBDParams`).

    Parameters
    ----------
    r, alpha : float
        Shape and rate (per the model's time unit) of the Gamma distribution of purchase
        rates.
    a, b : float
        Parameters of the Beta distribution of the dropout probability, which applies at
        time 0 and after each repeat purchase.

    Examples
    --------
    >>> MBGNBDParams(r=0.525, alpha=6.183, a=0.891, b=1.614).b
    1.614
    """


_BP = TypeVar("_BP", bound=_BetaGeometricParams)


@attrs.frozen(eq=False, repr=False, kw_only=True)
class _FittedBetaGeometric(FittedModel[_BP], PurchasePredictions, Generic[_BP]):
    """Predictions of the BG/NBD family; ``_shift`` (0 or 1) picks the variant."""

    time_unit: TimeUnit = attrs.field(converter=to_time_unit)

    _shift: ClassVar[float]

    def _rfm(self, data: RFMData) -> RFMArrays:
        return as_rfm_arrays(data, self.time_unit)

    def log_likelihood(self, data: RFMData) -> float:
        """Log-likelihood of ``data`` (summed over customers) at these parameters.

        Parameters
        ----------
        data : CustomerSummary or tuple of arrays
            ``(frequency, recency, T)``; a summary is converted to the model's time unit.

        Returns
        -------
        float
        """
        rfm = self._rfm(data)
        theta = np.array(self.params.to_tuple())
        columns = (floats(rfm.x), floats(rfm.t_x), floats(rfm.T), floats(rfm.weights))
        value, _ = _run("loglik", len(rfm), self._shift, theta, *columns)
        return float(value)

    def expected_purchases(self, t: TimeLike) -> FloatArray:
        """Expected number of repeat purchases in ``(0, t]`` of a new customer, E[X(t)].

        Parameters
        ----------
        t : float or array_like
            Time(s) since the first purchase, in the model's time unit (>= 0).

        Returns
        -------
        ndarray of float64
            Same shape as ``t``.
        """
        horizons = times("t", t)
        flat = floats(horizons.reshape(-1))
        out = _run("unconditional", flat.size, self._shift, *self.params.to_tuple(), flat)
        return np.asarray(out, dtype=np.float64).reshape(horizons.shape)

    def conditional_expected_purchases(self, t: TimeLike, data: RFMData) -> FloatArray:
        """Expected repeat purchases in ``(T, T + t]`` given each customer's history.

        Parameters
        ----------
        t : float or array_like
            Length of the prediction window in the model's time unit: a scalar, or one
            value per customer.
        data : CustomerSummary or tuple of arrays
            ``(frequency, recency, T)``; a summary is converted to the model's time unit.

        Returns
        -------
        ndarray of float64
            One value per customer.
        """
        rfm = self._rfm(data)
        n = len(rfm)
        horizons = per_customer("t", t, n)
        columns = (floats(rfm.x), floats(rfm.t_x), floats(rfm.T))
        out = _run("conditional", n, self._shift, *self.params.to_tuple(), horizons, *columns)
        return np.asarray(out, dtype=np.float64)

    def probability_alive(self, data: RFMData) -> FloatArray:
        """Probability that each customer is still active at ``T``.

        Parameters
        ----------
        data : CustomerSummary or tuple of arrays
            ``(frequency, recency, T)``; a summary is converted to the model's time unit.

        Returns
        -------
        ndarray of float64
            One probability per customer.
        """
        rfm = self._rfm(data)
        columns = (floats(rfm.x), floats(rfm.t_x), floats(rfm.T))
        out = _run("p_alive", len(rfm), self._shift, *self.params.to_tuple(), *columns)
        return np.asarray(out, dtype=np.float64)

    def probability_of_purchases(self, n: TimeLike, t: TimeLike) -> FloatArray:
        """Probability that a new customer makes exactly ``n`` repeat purchases in ``(0, t]``.

        Parameters
        ----------
        n : int or array_like of int
            Number(s) of repeat purchases (>= 0).
        t : float or array_like
            Time(s) since the first purchase, in the model's time unit (>= 0).

        Returns
        -------
        ndarray of float64
            ``n`` and ``t`` broadcast together.
        """
        purchases, horizons = np.broadcast_arrays(counts("n", n), times("t", t))
        flat_n = floats(purchases.reshape(-1))
        flat_t = floats(horizons.reshape(-1))
        out = _run("pmf", flat_n.size, self._shift, *self.params.to_tuple(), flat_n, flat_t)
        return np.asarray(out, dtype=np.float64).reshape(purchases.shape)

    def conditional_probability_of_purchases(
        self, n: TimeLike, t: TimeLike, data: RFMData
    ) -> FloatArray:
        """Probability of exactly ``n`` repeat purchases in ``(T, T + t]`` given the history.

        Parameters
        ----------
        n : int or array_like of int
            Number of purchases (whole number >= 0): a scalar, or one per customer.
        t : float or array_like
            Length of the prediction window in the model's time unit: a scalar, or one
            value per customer.
        data : CustomerSummary or tuple of arrays
            ``(frequency, recency, T)``; a summary is converted to the model's time unit.

        Returns
        -------
        ndarray of float64
            One probability per customer; over ``n = 0, 1, ...`` they sum to 1 and their
            mean is :meth:`conditional_expected_purchases`.

        Notes
        -----
        A customer alive at ``T`` has the posterior ``λ ~ Gamma(r + x, α + T)`` and
        ``p ~ Beta(a, b')`` (``b' = b + x`` for BG/NBD, ``b + x + 1`` for MBG/NBD) and, the
        Poisson process being memoryless, buys from ``T`` on like a new BG/NBD customer with
        those parameters; a customer who has dropped out buys nothing::

            P(Y(t) = n | x, t_x, T) = P(alive) P_BG/NBD(n, t; r+x, α+T, a, b')
                                      + δ_{n=0} (1 − P(alive))

        with ``P_BG/NBD`` eq. (8) of Fader, Hardie & Lee (2005): given alive at ``T`` the
        posteriors are Gamma(r+x, α+T) and Beta(a, b'), and the future is a new customer's
        (the argument of Fader & Hardie's note 028, http://brucehardie.com/notes/028/, for the
        Pareto/NBD); for the MBG/NBD the same argument applies with the Batislam, Denizel &
        Filiztekin (2007) likelihood.

        Examples
        --------
        >>> m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
        >>> history = ([2, 0], [30.43, 0.0], [38.86, 38.86])
        >>> m.conditional_probability_of_purchases(0, 39.0, history).round(4)
        array([0.4454, 0.8554])
        """
        rfm = self._rfm(data)
        size = len(rfm)
        purchases = per_customer("n", n, size, whole=True)
        horizons = per_customer("t", t, size)
        columns = (purchases, horizons, floats(rfm.x), floats(rfm.t_x), floats(rfm.T))
        out = _run("conditional_pmf", size, self._shift, *self.params.to_tuple(), *columns)
        return np.asarray(out, dtype=np.float64)

    def probability_alive_one(self, x: float, t_x: float, T: float) -> float:
        """:meth:`probability_alive` of one customer: scalars in, a float out.

        For online scoring: a few microseconds per call after warm-up, no arrays, no shared
        state (safe from several threads).

        Parameters
        ----------
        x, t_x, T : float
            Frequency (repeat purchases, a whole number), recency and age, in the model's
            time unit.

        Returns
        -------
        float

        Raises
        ------
        InvalidInputError
            If the history breaks a rule (as for :meth:`probability_alive`).

        Examples
        --------
        >>> m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
        >>> round(m.probability_alive_one(2, 30.43, 38.86), 4)
        0.7266
        """
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        return _kernels.alive_one(p.r, p.alpha, p.a, p.b, self._shift, xf, rf, Tf)

    def conditional_expected_purchases_one(self, t: float, x: float, t_x: float, T: float) -> float:
        """:meth:`conditional_expected_purchases` of one customer: scalars in, a float out.

        Parameters
        ----------
        t : float
            Length of the prediction window in the model's time unit (>= 0).
        x, t_x, T : float
            Frequency, recency and age, in the model's time unit.

        Returns
        -------
        float

        Examples
        --------
        >>> m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
        >>> round(m.conditional_expected_purchases_one(39.0, 2, 30.43, 38.86), 4)
        1.226
        """
        window = scalar_time("t", t)
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        return _kernels.conditional_one(p.r, p.alpha, p.a, p.b, self._shift, window, xf, rf, Tf)

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
            Frequency, recency and age, in the model's time unit.
        annual_discount_rate : float
            Effective annual rate as a fraction in [0, 1].
        horizon : float, optional
            In the model's time unit (``math.inf``, the default, for the whole future).

        Returns
        -------
        float

        Examples
        --------
        >>> m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
        >>> round(m.expected_residual_purchases_one(
        ...     2, 30.43, 38.86, annual_discount_rate=0.0, horizon=39.0), 4)
        1.226
        """
        H, delta = discounting(annual_discount_rate, horizon, self.time_unit)
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        return _kernels.discounted_one(p.r, p.alpha, p.a, p.b, self._shift, delta, H, xf, rf, Tf)

    def expected_residual_purchases(
        self, data: RFMData, *, annual_discount_rate: float, horizon: float = math.inf
    ) -> FloatArray:
        """Discounted expected purchases ``∫_0^H e^{-δt} dE[Y(t) | history]`` per customer.

        With ``horizon=math.inf`` (the default) this is the discounted expected residual
        transactions (DERT) of each customer. Discounting is continuous:
        ``δ = ln(1 + annual_discount_rate)`` per year, converted to the model's time unit
        (:func:`~ecomstrat.models._protocols.continuous_discount_rate`).

        Parameters
        ----------
        data : CustomerSummary or tuple of arrays
            ``(frequency, recency, T)``; a summary is converted to the model's time unit.
        annual_discount_rate : float
            Effective annual rate as a fraction in [0, 1] (0.1 for 10%); > 0 when the horizon
            is infinite.
        horizon : float, optional
            ``H`` in the model's time unit (> 0; ``math.inf``, the default, for the whole
            future).

        Returns
        -------
        ndarray of float64
            One value per customer; with ``annual_discount_rate=0`` it is
            :meth:`conditional_expected_purchases` at ``horizon``.

        Notes
        -----
        The purchase rate has a closed form: ``dE[Y(t)]/dt = P(alive) (r'/β)
        (β/(β+t))^(r'+1) 2F1(r'+1, b'; a+b'; t/(β+t))`` with the posterior parameters
        ``r' = r + x``, ``β = α + T`` and ``b'`` (``b + x`` for BG/NBD, ``b + x + 1`` for
        MBG/NBD). The integral is taken in ``v = log(1 + t/β)`` by 12-point Gauss-Legendre
        on panels of one unit of ``v`` (relative error below 1e-12 in the tests against
        adaptive quadrature in mpmath); an infinite horizon is cut where the discount factor
        times the rate has fallen below ``e^-45``. Equivalently, DERT is
        ``P(alive) E[λ / (δ + pλ)]`` over the posterior of ``(λ, p)``, which the tests use
        as an independent check.

        Examples
        --------
        >>> m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
        >>> history = ([2, 0], [30.43, 0.0], [38.86, 38.86])
        >>> m.expected_residual_purchases(
        ...     history, annual_discount_rate=0.0, horizon=39.0).round(4)
        array([1.226 , 0.1951])
        """
        H = check_horizon(horizon)
        rate = check_discount_rate("annual_discount_rate", annual_discount_rate, horizon=H)
        delta = continuous_discount_rate(rate, self.time_unit)
        rfm = self._rfm(data)
        columns = (floats(rfm.x), floats(rfm.t_x), floats(rfm.T))
        params = self.params.to_tuple()
        out = _run("discounted", len(rfm), self._shift, *params, delta, H, *columns)
        return np.asarray(out, dtype=np.float64)


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedBGNBD(_FittedBetaGeometric[BGNBDParams]):
    """A BG/NBD model with known parameters: predictions per customer.

    Build it with :meth:`BGNBD.fit` or :meth:`BGNBD.from_params`. Times (``t``, recency,
    ``T``) are in :attr:`time_unit`; a :class:`~ecomstrat.CustomerSummary` passed to a
    method is converted to it.

    Parameters
    ----------
    params : BGNBDParams
        ``r, alpha, a, b``.
    time_unit : TimeUnit
        Unit of time of ``alpha`` and of every time argument.
    fit : FitStatistics, optional
        Log-likelihood, standard errors and diagnostics (None when built from parameters).

    Notes
    -----
    Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
    Pareto/NBD model", Marketing Science 24(2), 275-284: eq. (8) for
    :meth:`probability_of_purchases`, (9) for :meth:`expected_purchases`, (10) for
    :meth:`conditional_expected_purchases`; P(alive) is
    ``1 / (1 + δ_{x>0} a/(b+x-1) ((α+T)/(α+t_x))^(r+x))``.

    Eq. (9) is derived for ``a > 1`` (it uses ``E[1/p]``), but E[X(t)] is finite for every
    ``a > 0`` because ``X(t)`` never exceeds the Poisson count of an immortal customer, of
    mean ``r t / α``. The formula is the analytic continuation in ``a`` and is evaluated as
    such; when ``a + b <= 1`` (its 2F1 is then undefined) or ``a`` is within 1e-10 of 1 (a
    removable singularity), the purchase rate is integrated instead (see
    :meth:`expected_residual_purchases` with a zero rate). As ``t → ∞``, E[X(t)] tends to
    ``(a+b-1)/(a-1)`` when ``a > 1`` and grows without bound when ``a <= 1``.

    The 2F1 of eq. (10) is evaluated after Euler's transformation,
    ``2F1(r+x, b+x; a+b+x-1; z) = (1-z)^(a-r-1-x) 2F1(a+b-1-r, a-1; a+b+x-1; z)``, whose
    parameters do not grow with ``x``, in log space.

    Examples
    --------
    >>> m = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    >>> m.expected_purchases([39.0, 78.0]).round(4)
    array([1.1967, 1.8605])
    >>> history = ([2, 1, 0], [30.43, 1.71, 0.0], [38.86, 38.86, 38.86])
    >>> m.probability_alive(history).round(4)
    array([0.7266, 0.2121, 1.    ])
    >>> m.conditional_expected_purchases(39.0, history).round(4)
    array([1.226 , 0.2032, 0.1951])
    >>> m.probability_of_purchases([0, 1, 2], 39.0).round(4)
    array([0.5738, 0.1994, 0.0854])
    """

    name: ClassVar[str] = "BG/NBD"

    _shift: ClassVar[float] = 0.0


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedMBGNBD(_FittedBetaGeometric[MBGNBDParams]):
    """An MBG/NBD model with known parameters: predictions per customer.

    Same fields (``params`` an :class:`MBGNBDParams`, ``time_unit``, ``fit``), methods and
    conventions as :class:`FittedBGNBD`.

    Notes
    -----
    Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models
    for customer base analysis", International Journal of Research in Marketing 24(3),
    201-209. With ``x + 1`` dropout opportunities after ``x`` repeat purchases:

    - likelihood ``Γ(r+x)α^r/Γ(r) · [B(a, b+x+1)/B(a, b) (α+T)^-(r+x)
      + B(a+1, b+x)/B(a, b) (α+t_x)^-(r+x)]``;
    - ``P(alive) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x))`` (below 1 for ``x = 0`` too);
    - ``E[X(t)] = b/(a-1) [1 - (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))]``, computed as
      ``b/(a+b)`` times the BG/NBD expectation with ``b + 1``: survive time 0, then behave
      as a BG/NBD customer (so the same treatment of ``a <= 1`` applies);
    - ``E[Y(t) | x, t_x, T] = P(alive) (a+b+x)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x)
      2F1(r+x, b+x+1; a+b+x; t/(α+T+t))]``;
    - ``P(X(t) = n) = B(a, b+n+1)/B(a, b) NBD(n) + B(a+1, b+n)/B(a, b) P(NBD >= n)``.

    Examples
    --------
    >>> m = MBGNBD.from_params(r=0.525, alpha=6.183, a=0.891, b=1.614, time_unit="week")
    >>> history = ([2, 0], [30.43, 0.0], [38.86, 38.86])
    >>> m.probability_alive(history).round(4)
    array([0.7062, 0.3897])
    >>> m.conditional_expected_purchases(39.0, history).round(4)
    array([1.263, 0.154])
    """

    name: ClassVar[str] = "MBG/NBD"

    _shift: ClassVar[float] = 1.0


def initial_guess(data: RFMArrays) -> tuple[float, float, float, float]:
    """Starting values: ``r = 1`` and ``alpha`` matching the observed repeat rate.

    The repeat rate ``Σx / ΣT`` ignores dropout, so it underestimates ``E[λ] = r/α`` a
    little; the likelihood surface is smooth in log-parameters and L-BFGS-B corrects it
    quickly. ``a = 1, b = 3`` is a mean dropout probability of 1/4 per purchase.
    """
    w = data.weights
    exposure = float(np.sum(w * data.T))
    repeats = float(np.sum(w * data.x))
    rate = repeats / exposure if repeats > 0.0 else 1.0 / max(float(np.mean(data.T)), 1e-12)
    return (1.0, 1.0 / rate, 1.0, 3.0)


_F = TypeVar("_F", FittedBGNBD, FittedMBGNBD)


@attrs.frozen
class _BetaGeometric(Generic[_F]):
    """Fitting and building a model of the BG/NBD family (the variant set by subclasses)."""

    _fitted: ClassVar[type[_FittedBetaGeometric[Any]]]
    _params: ClassVar[type[_BetaGeometricParams]]
    _name: ClassVar[str]

    def fit(
        self,
        data: RFMData,
        *,
        time_unit: TimeUnit | str | None = None,
        initial: Params | Mapping[str, float] | Sequence[float] | None = None,
        compress: bool | None = None,
        weights: Sequence[float] | FloatArray | None = None,
        penalty: float = 0.0,
    ) -> _F:
        """Estimate ``r, alpha, a, b`` by maximum likelihood.

        Parameters
        ----------
        data : CustomerSummary or tuple of arrays
            A summary (its ``time_unit`` is used) or ``(frequency, recency, T)``.
        time_unit : TimeUnit or str, optional
            Unit to fit in: a summary is converted to it; for arrays it is their unit
            (default ``"day"``).
        initial : params, mapping or sequence of 4 floats, optional
            Starting values (default: see :func:`initial_guess`); estimates of the other
            variant of the family are accepted.
        compress : bool, optional
            Evaluate the likelihood on distinct ``(x, t_x, T)`` patterns with weights:
            ``None`` does so when they are at most half of the customers.
        weights : array_like, optional
            Customers each row stands for (finite, >= 0; default 1 each): pre-aggregated or
            compressed data fit exactly as the expanded rows.
        penalty : float, optional
            Strength ``λ >= 0`` of an L2 penalty on the log-parameters: maximises
            ``ℓ(θ) − λ Σ (log θ_k)²``, the remedy for a flat likelihood (default 0, plain
            maximum likelihood; standard errors then come from the penalised Hessian).

        Returns
        -------
        FittedBGNBD or FittedMBGNBD

        Raises
        ------
        InvalidInputError
            If the data break a rule (negative or fractional frequency, recency > T…) or
            nobody made a repeat purchase.
        ConvergenceError
            If the optimiser's end point is not a maximum; the message says why.

        Warns
        -----
        BoundaryEstimateWarning
            When the purchase rates or dropout probabilities hardly vary across customers (a
            mixing distribution collapsed); the estimates are kept.
        """
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
        start = (
            initial_guess(rfm)
            if initial is None
            else coerce_initial(initial, self._params).to_tuple()
        )
        (x, t_x, T), weights = compress_rows(
            (rfm.x, rfm.t_x, rfm.T), rfm.weights, compress=compress
        )
        shift = self._fitted._shift

        def objective(theta: FloatArray) -> tuple[float, FloatArray]:
            value, gradient = _run(
                "loglik", len(x), shift, np.ascontiguousarray(theta), x, t_x, T, weights
            )
            return float(value), np.asarray(gradient, dtype=np.float64)

        names = self._params.names()
        estimate = maximize_likelihood(
            objective,
            start,
            names,
            n_customers=round(float(np.sum(rfm.weights))),
            n_patterns=len(x),
            mixing=(
                Mixing("gamma", "r", "alpha", "purchase rates", f"per {unit.value}"),
                Mixing("beta", "a", "b", "dropout probabilities"),
            ),
            model=self._name,
            penalty=penalty,
        )
        warn_boundary(estimate.boundary, stacklevel=2)
        return cast(
            _F,
            self._fitted(
                params=self._params(*map(float, estimate.params)),
                time_unit=unit,
                fit=FitStatistics.from_estimate(estimate, names=names),
            ),
        )

    @classmethod
    def from_params(
        cls, *, r: float, alpha: float, a: float, b: float, time_unit: TimeUnit | str
    ) -> _F:
        """A fitted model with known parameters (``fit`` is None).

        Parameters
        ----------
        r, alpha, a, b : float
            The parameters (``alpha`` per ``time_unit``), each > 0.
        time_unit : TimeUnit or str
            Unit of time of ``alpha`` (required: a rate means nothing without its unit).

        Returns
        -------
        FittedBGNBD or FittedMBGNBD
        """
        params = cls._params(r=r, alpha=alpha, a=a, b=b)
        return cast(_F, cls._fitted(params=params, time_unit=time_unit))


@attrs.frozen
class BGNBD(_BetaGeometric[FittedBGNBD]):
    """The BG/NBD model: fit it to customer histories, or build it from known parameters.

    Purchases of an active customer follow a Poisson process of rate ``λ``; after each
    *repeat* purchase the customer becomes inactive with probability ``p``; ``λ`` is Gamma
    (shape ``r``, rate ``alpha``) and ``p`` Beta(``a``, ``b``) across customers.

    Notes
    -----
    Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
    Pareto/NBD model", Marketing Science 24(2), 275-284. The log-likelihood (their eq. 6)
    and its analytic gradient are evaluated by numba kernels over the distinct
    ``(x, t_x, T)`` patterns; see :doc:`/models-bgnbd`.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> summary = simulate_transactions(3_000, seed=7).summary()
    >>> fitted = BGNBD().fit(summary)
    >>> fitted.time_unit
    <TimeUnit.WEEK: 'week'>
    >>> sorted(fitted.params.to_dict())
    ['a', 'alpha', 'b', 'r']
    >>> fitted.fit.diagnostics.converged
    True
    >>> BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="week")
    FittedBGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit='week')
    """

    _fitted: ClassVar[type[_FittedBetaGeometric[Any]]] = FittedBGNBD
    _params: ClassVar[type[_BetaGeometricParams]] = BGNBDParams
    _name: ClassVar[str] = "BG/NBD"


@attrs.frozen
class MBGNBD(_BetaGeometric[FittedMBGNBD]):
    """The MBG/NBD model: fit it to customer histories, or build it from known parameters.

    Like :class:`BGNBD`, but a customer may become inactive right after the first purchase
    (with the same probability ``p`` as after each repeat purchase).

    Notes
    -----
    Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models
    for customer base analysis", International Journal of Research in Marketing 24(3),
    201-209. Also known as lifetimes' ``ModifiedBetaGeoFitter``.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> summary = simulate_transactions(3_000, seed=7).summary()
    >>> fitted = MBGNBD().fit(summary)
    >>> fitted.fit.diagnostics.converged, fitted.time_unit.value
    (True, 'week')
    >>> MBGNBD.from_params(r=0.5, alpha=6.0, a=0.9, b=1.6, time_unit="week")
    FittedMBGNBD(r=0.5, alpha=6, a=0.9, b=1.6, time_unit='week')
    """

    _fitted: ClassVar[type[_FittedBetaGeometric[Any]]] = FittedMBGNBD
    _params: ClassVar[type[_BetaGeometricParams]] = MBGNBDParams
    _name: ClassVar[str] = "MBG/NBD"
