"""The beta-geometric/beta-Bernoulli (BG/BB) model of discrete-time purchasing."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

import attrs
import numpy as np

from ecomstrat._kernels.bgbb import (
    Theta,
    bgbb_conditional_expected_purchases,
    bgbb_conditional_pmf,
    bgbb_dert,
    bgbb_expected_purchases,
    bgbb_loglik_terms,
    bgbb_loglik_terms_parallel,
    bgbb_probability_alive,
    bgbb_probability_of_purchases,
)
from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import (
    as_float_array,
    check_number,
    check_whole_numbers,
    invalid,
    number_or_raw,
    positive_field,
)
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames._foreign import Table
from ecomstrat.frames.discrete import DiscretePatterns
from ecomstrat.models._base import (
    FitStatistics,
    FittedModel,
    Params,
    coerce_initial,
    compress_rows,
    warn_boundary,
)
from ecomstrat.models._data import check_data, table_columns
from ecomstrat.models._fit import Mixing, check_weights, maximize_likelihood
from ecomstrat.models._protocols import check_discount_rate
from ecomstrat.models._uncertainty import PurchasePredictions

__all__ = ["BGBB", "BGBBParams", "FittedBGBB"]

ArrayLike = float | Sequence[float] | AnyArray
ColumnLike = Sequence[float] | AnyArray
PatternsLike = DiscretePatterns | Table | tuple[ColumnLike, ColumnLike, ColumnLike]

#: Likelihood evaluations switch to the multi-threaded kernel from this many patterns.
PARALLEL_MIN_PATTERNS = 20_000


@attrs.frozen
class BGBBParams(Params):
    """Parameters of the BG/BB model.

    Parameters
    ----------
    alpha, beta : float
        Beta distribution of the purchase probability ``p`` at each opportunity while alive
        (mean ``alpha / (alpha + beta)``).
    gamma, delta : float
        Beta distribution of the dropout probability ``θ`` at each opportunity
        (mean ``gamma / (gamma + delta)``).

    Examples
    --------
    >>> BGBBParams(1.204, 0.750, 0.657, 2.783).to_dict()
    {'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}
    """

    alpha: float = attrs.field(converter=number_or_raw, validator=positive_field)
    beta: float = attrs.field(converter=number_or_raw, validator=positive_field)
    gamma: float = attrs.field(converter=number_or_raw, validator=positive_field)
    delta: float = attrs.field(converter=number_or_raw, validator=positive_field)

    def to_tuple(self) -> Theta:
        """``(alpha, beta, gamma, delta)``, the order of the kernels."""
        return self.alpha, self.beta, self.gamma, self.delta


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedBGBB(FittedModel[BGBBParams], PurchasePredictions):
    """A BG/BB model with known parameters: P(alive), expected purchases, DERT.

    Opportunities are numbered from 1; a customer's history ``(x, t_x, n)`` is ``x``
    purchases in the ``n`` opportunities after the first ("trial") purchase, the last at
    opportunity ``t_x``. Horizons ``t`` count opportunities. Every method returns one float64
    value per row of its input.

    Parameters
    ----------
    params : BGBBParams
        The parameters.
    fit : FitStatistics or None
        Log-likelihood, standard errors and diagnostics when the parameters were estimated;
        ``None`` for :meth:`BGBB.from_params`.

    Notes
    -----
    Fader, Hardie & Shang (2010), "Customer-Base Analysis in a Discrete-Time Noncontractual
    Setting", *Marketing Science* 29(6), 1086–1108: eq. (5) likelihood, (7) expected
    purchases, (8) their distribution, (11) P(alive), (13) conditional expectation and (14)
    DERT.

    Examples
    --------
    >>> m = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    >>> m
    FittedBGBB(alpha=1.204, beta=0.75, gamma=0.657, delta=2.783)
    >>> history = ([6, 3, 3], [6, 6, 3], [6, 6, 6])  # (x, t_x, n) of three donors
    >>> m.probability_alive(history).round(3).tolist()
    [0.93, 0.93, 0.095]
    >>> m.conditional_expected_purchases(5, history).round(2).tolist()
    [3.75, 2.19, 0.22]
    """

    name: ClassVar[str] = "BG/BB"

    def probability_alive(self, data: PatternsLike, *, periods_ahead: int = 1) -> FloatArray:
        """P(alive at opportunity ``n + periods_ahead`` | history).

        Parameters
        ----------
        data : DiscretePatterns or (frequency, recency, periods)
            Histories.
        periods_ahead : int, default 1
            1 gives the paper's eq. (11), the probability of being alive for the next
            opportunity; 0 gives "alive at opportunity n" (still alive at the last one
            observed); larger values look further ahead.

        Returns
        -------
        ndarray of float64
            One probability per row of ``data``.
        """
        ahead = float(
            check_whole_numbers("periods_ahead", check_number("periods_ahead", periods_ahead))
        )
        theta = self.params.to_tuple()
        return _per_pattern(data, lambda x, t_x, n: bgbb_probability_alive(theta, x, t_x, n, ahead))

    def conditional_expected_purchases(self, t: ArrayLike, data: PatternsLike) -> FloatArray:
        """E[purchases in the next ``t`` opportunities | history], eq. (13).

        Parameters
        ----------
        t : int or array of int
            Future opportunities (whole numbers >= 0), one value or one per row.
        data : DiscretePatterns or (frequency, recency, periods)
            Histories.

        Returns
        -------
        ndarray of float64
            One expectation per row of ``data``.

        Notes
        -----
        The paper's closed form ``δ/(γ − 1) · Γ(γ + δ)/Γ(1 + δ) · [Γ(1 + δ + n)/Γ(γ + δ + n)
        − Γ(1 + δ + n + t)/Γ(γ + δ + n + t)]`` needs no ₂F₁. It is evaluated without
        cancellation near ``γ = 1``, where it tends to a digamma difference.
        """
        future = check_whole_numbers("t", t)
        theta = self.params.to_tuple()
        if future.ndim == 0:
            return _per_pattern(
                data,
                lambda x, t_x, n: bgbb_conditional_expected_purchases(
                    theta, x, t_x, n, np.full(len(x), float(future))
                ),
            )
        x, t_x, n = _arrays(data)
        try:
            per_row = np.array(np.broadcast_to(future, x.shape), dtype=np.float64)
        except ValueError as error:
            raise invalid(
                "t",
                f"<array of shape {future.shape}>",
                f"must be one value or one per row ({len(x)})",
            ) from error
        return bgbb_conditional_expected_purchases(theta, x, t_x, n, per_row)

    def conditional_probability_of_purchases(
        self, n: ArrayLike, t: ArrayLike, data: PatternsLike
    ) -> FloatArray:
        """P(exactly ``n`` purchases in the next ``t`` opportunities | history).

        Parameters
        ----------
        n : int or array of int
            Purchases (whole numbers >= 0), one value or one per row.
        t : int or array of int
            Future opportunities (whole numbers >= 0), one value or one per row.
        data : DiscretePatterns or (frequency, recency, periods)
            Histories.

        Returns
        -------
        ndarray of float64
            One probability per row of ``data`` (0 where ``n > t``); over ``n = 0..t`` they
            sum to 1 and their mean is :meth:`conditional_expected_purchases`.

        Notes
        -----
        Alive at opportunity ``n`` (:meth:`probability_alive` with ``periods_ahead=0``), a
        customer has the posterior ``p ~ Beta(α + x, β + n − x)``, ``θ ~ Beta(γ, δ + n)`` and
        behaves over the next ``t`` opportunities as a new customer with those parameters;
        one who has dropped out makes no purchase::

            P(X(n, n+t) = k | x, t_x, n) = P(alive at n) P_new(k, t; α+x, β+n−x, γ, δ+n)
                                           + δ_{k=0} (1 − P(alive at n))

        with ``P_new`` eq. (8) of Fader, Hardie & Shang (2010), who give this conditional
        distribution of ``X(n, n + n*)`` in the same form.

        Examples
        --------
        >>> m = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> history = ([6, 3, 3], [6, 6, 3], [6, 6, 6])
        >>> m.conditional_probability_of_purchases(0, 5, history).round(3).tolist()
        [0.077, 0.162, 0.914]
        """
        x, t_x, periods = _arrays(data)
        size = len(x)
        columns = []
        for name, values in (("n", n), ("t", t)):
            whole = check_whole_numbers(name, values)
            try:
                columns.append(np.array(np.broadcast_to(whole, (size,)), dtype=np.float64))
            except ValueError as error:
                raise invalid(
                    name,
                    f"<array of shape {whole.shape}>",
                    f"must be one value or one per row ({size})",
                ) from error
        theta = self.params.to_tuple()
        return bgbb_conditional_pmf(theta, columns[0], columns[1], x, t_x, periods)

    def expected_residual_purchases(
        self, data: PatternsLike, *, discount_rate_per_period: float
    ) -> FloatArray:
        """DERT: present value of the expected future purchases, in purchases, eq. (14).

        The purchase at opportunity ``n + k`` is discounted by ``(1 + d)^k``. Multiply by
        the value of a purchase for the residual lifetime value.

        Parameters
        ----------
        data : DiscretePatterns or (frequency, recency, periods)
            Histories.
        discount_rate_per_period : float
            Discount rate for one opportunity period, a fraction in (0, 1] (0.1 for 10 % a
            year with yearly opportunities).

        Returns
        -------
        ndarray of float64
            One value per row of ``data``.

        Notes
        -----
        ``₂F₁(1, δ + n + 1; γ + δ + n + 1; 1/(1 + d))`` is summed term by term (positive
        terms, geometric tail bound) to 1e-16 relative accuracy; below a rate of 1e-4 it is
        continued towards ``z = 1`` instead (about 1e-12).

        Examples
        --------
        >>> m = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> m.expected_residual_purchases(
        ...     ([6, 0], [6, 0], [6, 6]), discount_rate_per_period=0.1
        ... ).round(2).tolist()
        [5.91, 0.11]
        """
        rate = check_discount_rate(
            "discount_rate_per_period", discount_rate_per_period, horizon=math.inf
        )
        theta = self.params.to_tuple()
        return _per_pattern(data, lambda x, t_x, n: bgbb_dert(theta, x, t_x, n, rate))

    def expected_purchases(self, t: ArrayLike) -> FloatArray:
        """E[purchases in the first ``t`` opportunities] of a new customer, eq. (7).

        Parameters
        ----------
        t : int or array of int
            Opportunities (whole numbers >= 0).

        Returns
        -------
        ndarray of float64
            Same shape as ``t``.
        """
        periods = check_whole_numbers("t", t)
        out = bgbb_expected_purchases(self.params.to_tuple(), periods.reshape(-1))
        return out.reshape(periods.shape)

    def probability_of_purchases(self, n: ArrayLike, t: ArrayLike) -> FloatArray:
        """P(a new customer makes ``n`` purchases in ``t`` opportunities), eq. (8).

        Parameters
        ----------
        n, t : int or array of int
            Purchases and opportunities (whole numbers, ``0 <= n <= t``), broadcast together.

        Returns
        -------
        ndarray of float64
            Of the broadcast shape; sums to 1 over ``n = 0..t``.

        Examples
        --------
        >>> m = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> p = m.probability_of_purchases(range(7), 6)
        >>> round(float(p.sum()), 12), p.round(3).tolist()
        (1.0, [0.311, 0.17, 0.121, 0.1, 0.092, 0.092, 0.113])
        """
        count = check_whole_numbers("n", n)
        periods = check_whole_numbers("t", t)
        try:
            count, periods = np.broadcast_arrays(count, periods)
        except ValueError as error:
            raise invalid(
                "n", f"<array of shape {count.shape}>", f"must broadcast with t {periods.shape}"
            ) from error
        above = count > periods
        if above.any():
            i = int(np.argmax(above.reshape(-1)))
            raise invalid(f"n[{i}]", float(count.reshape(-1)[i]), "must be <= t")
        # copies: numpy warns when the writeable flag of a broadcast view is read
        flat_n = np.array(count.reshape(-1), dtype=np.float64)
        flat_t = np.array(periods.reshape(-1), dtype=np.float64)
        out = bgbb_probability_of_purchases(self.params.to_tuple(), flat_n, flat_t)
        return out.reshape(count.shape)

    def log_likelihood(self, data: PatternsLike) -> float:
        """Log-likelihood of the (weighted) histories, as maximised by :meth:`BGBB.fit`."""
        patterns = _as_patterns(data)
        x, t_x, n = _arrays(patterns)
        loglik, _ = _loglik(self.params.to_tuple(), x, t_x, n)
        return float(np.asarray(patterns.weights, dtype=np.float64) @ loglik)


@attrs.frozen
class BGBB:
    """Beta-geometric/beta-Bernoulli model for purchases at discrete opportunities.

    While alive, a customer buys at each opportunity with probability ``p``; at the start of
    each opportunity they drop out for good with probability ``θ``. ``p ~ Beta(α, β)`` and
    ``θ ~ Beta(γ, δ)`` independently across customers.

    Notes
    -----
    Fader, Hardie & Shang (2010), "Customer-Base Analysis in a Discrete-Time Noncontractual
    Setting", *Marketing Science* 29(6), 1086–1108, eq. (5). The log-likelihood is summed
    over distinct ``(x, t_x, n)`` patterns weighted by their counts and maximised over
    log-parameters with its analytic gradient.

    Examples
    --------
    >>> histories = [[1, 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 1, 1], [0, 1, 0, 0]]
    >>> data = DiscretePatterns.from_histories(histories * 40)
    >>> fitted = BGBB().fit(data)
    >>> sorted(fitted.params.to_dict())
    ['alpha', 'beta', 'delta', 'gamma']
    """

    def fit(
        self,
        data: PatternsLike,
        *,
        initial: BGBBParams | Mapping[str, float] | Sequence[float] | None = None,
        compress: bool | None = None,
        weights: Sequence[float] | FloatArray | None = None,
        penalty: float = 0.0,
    ) -> FittedBGBB:
        """Estimate (α, β, γ, δ) by maximum likelihood.

        Parameters
        ----------
        data : DiscretePatterns or (frequency, recency, periods)
            Histories, with weights when given as :class:`DiscretePatterns`.
        initial : BGBBParams, mapping or (alpha, beta, gamma, delta), optional
            Starting values (default all 1).
        compress : bool, optional
            Evaluate the likelihood on distinct ``(x, t_x, n)`` patterns with weights:
            ``None`` does so when they are at most half of the rows.
        weights : array_like, optional
            Customers each row stands for (finite, >= 0; default 1 each),
            multiplying the weights of :class:`DiscretePatterns`: pre-aggregated or
            compressed data fit exactly as the expanded rows.
        penalty : float, optional
            Strength ``λ >= 0`` of an L2 penalty on the log-parameters: maximises
            ``ℓ(θ) − λ Σ (log θ_k)²``, the remedy for a flat likelihood (default 0, plain
            maximum likelihood; standard errors then come from the penalised Hessian).

        Returns
        -------
        FittedBGBB
            With the estimates and their :class:`~ecomstrat.models._base.FitStatistics`.

        Raises
        ------
        InvalidInputError
            For invalid histories or starting values, or histories without any purchase
            (or with a purchase at every opportunity): the maximum then lies on the
            boundary (``p = 0`` or ``p = 1``) and no positive (α, β) attains it.
        ConvergenceError
            When the optimiser's end point is not a maximum (the message says why).

        Warns
        -----
        BoundaryEstimateWarning
            When the purchase or dropout probabilities hardly vary across customers (a Beta
            mixing distribution collapsed); the estimates are kept.
        """
        patterns = _as_patterns(data)
        rows = check_weights(weights, len(patterns.weights), rows="patterns")
        (x, t_x, n), weights = compress_rows(
            _arrays(patterns), np.asarray(patterns.weights) * rows, compress=compress
        )
        start = (
            BGBBParams(1.0, 1.0, 1.0, 1.0)
            if initial is None
            else coerce_initial(initial, BGBBParams)
        )
        _check_identified(x, n, weights)

        def objective(theta: FloatArray) -> tuple[float, FloatArray]:
            loglik, gradient = _loglik((theta[0], theta[1], theta[2], theta[3]), x, t_x, n)
            return float(weights @ loglik), weights @ gradient

        estimate = maximize_likelihood(
            objective,
            start.to_tuple(),
            BGBBParams.names(),
            n_customers=round(float(np.sum(weights))),
            n_patterns=len(x),
            mixing=(
                Mixing("beta", "alpha", "beta", "purchase probabilities"),
                Mixing("beta", "gamma", "delta", "dropout probabilities"),
            ),
            model="BG/BB",
            penalty=penalty,
        )
        warn_boundary(estimate.boundary, stacklevel=2)
        return FittedBGBB(
            params=BGBBParams(*map(float, estimate.params)),
            fit=FitStatistics.from_estimate(estimate, names=BGBBParams.names()),
        )

    @staticmethod
    def from_params(*, alpha: float, beta: float, gamma: float, delta: float) -> FittedBGBB:
        """A model with given parameters (no fit), e.g. published estimates.

        Examples
        --------
        >>> BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        FittedBGBB(alpha=1.204, beta=0.75, gamma=0.657, delta=2.783)
        """
        return FittedBGBB(params=BGBBParams(alpha, beta, gamma, delta))


def _loglik(
    theta: Theta, x: FloatArray, t_x: FloatArray, n: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Log-likelihood terms and gradients, on several threads from PARALLEL_MIN_PATTERNS."""
    if len(x) >= PARALLEL_MIN_PATTERNS:
        return bgbb_loglik_terms_parallel(theta, x, t_x, n)
    return bgbb_loglik_terms(theta, x, t_x, n)


_PATTERNS = (
    "DiscretePatterns, a pandas, polars or Arrow table with columns frequency, recency,"
    " periods (and optionally weights), or a (frequency, recency, periods) tuple"
)
_PATTERNS_FIX = "Build DiscretePatterns.from_histories(...) from 0/1 purchase histories."


def _as_patterns(data: PatternsLike) -> DiscretePatterns:
    if isinstance(data, DiscretePatterns):
        return data
    table = table_columns(data, _PATTERN_COLUMNS, optional=("weights",))
    if table is not None and "weights" in table:
        return DiscretePatterns(*table.values())
    x, t_x, n = check_data(data, _PATTERNS, _PATTERNS_FIX, columns=_PATTERN_COLUMNS)
    frequency = as_float_array("frequency", x)
    return DiscretePatterns(frequency, t_x, n, np.ones(frequency.shape))


_PATTERN_COLUMNS = ("frequency", "recency", "periods")


def _arrays(data: PatternsLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Frequency, recency and periods as float64 arrays."""
    patterns = _as_patterns(data)
    return (
        patterns.frequency.astype(np.float64),
        patterns.recency.astype(np.float64),
        patterns.periods.astype(np.float64),
    )


def _per_pattern(
    data: PatternsLike, kernel: Callable[[FloatArray, FloatArray, FloatArray], FloatArray]
) -> FloatArray:
    """``kernel(x, t_x, n)`` evaluated once per distinct history, one value per row of ``data``.

    Discrete histories repeat heavily (6 opportunities allow 22 patterns), so this turns a
    per-customer evaluation into a table lookup.
    """
    patterns, inverse = _as_patterns(data).distinct()
    values: FloatArray = kernel(*_arrays(patterns))[inverse]
    return values


def _check_identified(x: FloatArray, n: FloatArray, weights: FloatArray) -> None:
    """Refuse data whose likelihood has its supremum on the boundary (no finite estimates)."""
    used = weights > 0
    if not used.any():
        raise invalid("weights", 0.0, "must not all be 0", "Give at least one customer.")
    for bad, what, where in (
        (x[used] == 0, "is 0 in every history (nobody bought)", "p = 0"),
        (x[used] == n[used], "equals periods in every history (all bought each time)", "p = 1"),
    ):
        if bad.all():
            raise InvalidInputError(
                f"frequency {what}: the likelihood is largest at {where}, where (α, β) have no"
                " finite estimates. Fit on histories with and without purchases."
            )
