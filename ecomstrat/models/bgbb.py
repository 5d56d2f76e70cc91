"""The beta-geometric/beta-Bernoulli (BG/BB) model of discrete-time purchasing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs
import numpy as np

from ecomstrat._kernels.bgbb import (
    bgbb_conditional_expected_purchases,
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
    invalid,
    number_or_raw,
    positive_field,
)
from ecomstrat.exceptions import InvalidInputError
from ecomstrat.frames.discrete import DiscretePatterns
from ecomstrat.models._base import FitResult, coerce_initial, warn_boundary
from ecomstrat.models._data import check_data
from ecomstrat.models._fit import Mixing, maximize_likelihood
from ecomstrat.models.sbg import discount_rate, whole_numbers

__all__ = ["BGBB", "BGBBParams", "FittedBGBB"]

ArrayLike = float | Sequence[float] | AnyArray
ColumnLike = Sequence[float] | AnyArray
PatternsLike = DiscretePatterns | tuple[ColumnLike, ColumnLike, ColumnLike]

#: Likelihood evaluations switch to the multi-threaded kernel from this many patterns.
PARALLEL_MIN_PATTERNS = 20_000

_NAMES = ("alpha", "beta", "gamma", "delta")

_LoglikKernel = Callable[
    [float, float, float, float, FloatArray, FloatArray, FloatArray],
    tuple[FloatArray, FloatArray],
]


@attrs.frozen
class BGBBParams:
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

    def to_dict(self) -> dict[str, float]:
        """The parameters by name."""
        return {"alpha": self.alpha, "beta": self.beta, "gamma": self.gamma, "delta": self.delta}


@attrs.frozen(eq=False, repr=False)
class FittedBGBB:
    """A BG/BB model with known parameters: P(alive), expected purchases, DERT.

    Opportunities are numbered from 1; a customer's history ``(x, t_x, n)`` is ``x``
    purchases in the ``n`` opportunities after the first ("trial") purchase, the last at
    opportunity ``t_x``. Every method returns one float64 value per row of its input.

    Parameters
    ----------
    params : BGBBParams
        The parameters.
    fit : FitResult or None
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
    FittedBGBB(alpha=1.204, beta=0.75, gamma=0.657, delta=2.783, fitted=False)
    >>> history = ([6, 3, 3], [6, 6, 3], [6, 6, 6])  # (x, t_x, n) of three donors
    >>> m.probability_alive(history).round(3).tolist()
    [0.93, 0.93, 0.095]
    >>> m.conditional_expected_purchases(5, history).round(2).tolist()
    [3.75, 2.19, 0.22]
    """

    params: BGBBParams
    fit: FitResult | None = None

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.6g}" for k, v in self.params.to_dict().items())
        return f"FittedBGBB({shown}, fitted={self.fit is not None})"

    def _values(self) -> tuple[float, float, float, float]:
        p = self.params
        return p.alpha, p.beta, p.gamma, p.delta

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
        ahead = float(whole_numbers("periods_ahead", check_number("periods_ahead", periods_ahead)))
        return _per_pattern(
            data, lambda x, t_x, n: bgbb_probability_alive(*self._values(), x, t_x, n, ahead)
        )

    def conditional_expected_purchases(self, n_star: ArrayLike, data: PatternsLike) -> FloatArray:
        """E[purchases in the next ``n_star`` opportunities | history], eq. (13).

        Parameters
        ----------
        n_star : int or array of int
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
        − Γ(1 + δ + n + n*)/Γ(γ + δ + n + n*)]`` needs no ₂F₁. It is evaluated without
        cancellation near ``γ = 1``, where it tends to a digamma difference.
        """
        future = whole_numbers("n_star", n_star)
        if future.ndim == 0:
            return _per_pattern(
                data,
                lambda x, t_x, n: bgbb_conditional_expected_purchases(
                    *self._values(), x, t_x, n, np.full(len(x), float(future))
                ),
            )
        x, t_x, n = _arrays(data)
        try:
            per_row = np.array(np.broadcast_to(future, x.shape), dtype=np.float64)
        except ValueError as error:
            raise invalid(
                "n_star",
                f"<array of shape {future.shape}>",
                f"must be one value or one per row ({len(x)})",
            ) from error
        return bgbb_conditional_expected_purchases(*self._values(), x, t_x, n, per_row)

    def discounted_expected_residual_transactions(
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
            Discount rate for one opportunity period (>= 1e-6; 0.1 for 10 % a year with
            yearly opportunities). The cost grows like ``1 / discount_rate_per_period``.

        Returns
        -------
        ndarray of float64
            One value per row of ``data``.

        Notes
        -----
        ``₂F₁(1, δ + n + 1; γ + δ + n + 1; 1/(1 + d))`` is summed term by term (positive
        terms, geometric tail bound) to 1e-16 relative accuracy.

        Examples
        --------
        >>> m = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> m.discounted_expected_residual_transactions(
        ...     ([6, 0], [6, 0], [6, 6]), discount_rate_per_period=0.1
        ... ).round(2).tolist()
        [5.91, 0.11]
        """
        rate = discount_rate(discount_rate_per_period)
        return _per_pattern(data, lambda x, t_x, n: bgbb_dert(*self._values(), x, t_x, n, rate))

    def expected_purchases(self, n: ArrayLike) -> FloatArray:
        """E[purchases in the first ``n`` opportunities] of a new customer, eq. (7).

        Parameters
        ----------
        n : int or array of int
            Opportunities (whole numbers >= 0).

        Returns
        -------
        ndarray of float64
            Same shape as ``n``.
        """
        periods = whole_numbers("n", n)
        return bgbb_expected_purchases(*self._values(), periods.reshape(-1)).reshape(periods.shape)

    def probability_of_purchases(self, x: ArrayLike, n: ArrayLike) -> FloatArray:
        """P(a new customer makes ``x`` purchases in ``n`` opportunities), eq. (8).

        Parameters
        ----------
        x, n : int or array of int
            Purchases and opportunities (whole numbers, ``0 <= x <= n``), broadcast together.

        Returns
        -------
        ndarray of float64
            Of the broadcast shape; sums to 1 over ``x = 0..n``.

        Examples
        --------
        >>> m = BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> p = m.probability_of_purchases(range(7), 6)
        >>> round(float(p.sum()), 12), p.round(3).tolist()
        (1.0, [0.311, 0.17, 0.121, 0.1, 0.092, 0.092, 0.113])
        """
        count = whole_numbers("x", x)
        periods = whole_numbers("n", n)
        try:
            count, periods = np.broadcast_arrays(count, periods)
        except ValueError as error:
            raise invalid(
                "x", f"<array of shape {count.shape}>", f"must broadcast with n {periods.shape}"
            ) from error
        above = count > periods
        if above.any():
            i = int(np.argmax(above.reshape(-1)))
            raise invalid(f"x[{i}]", float(count.reshape(-1)[i]), "must be <= n")
        # fresh writeable copies: one kernel specialisation whatever the caller passed
        flat_x = np.array(count.reshape(-1), dtype=np.float64)
        flat_n = np.array(periods.reshape(-1), dtype=np.float64)
        out = bgbb_probability_of_purchases(*self._values(), flat_x, flat_n)
        return out.reshape(count.shape)

    def log_likelihood(self, data: PatternsLike) -> float:
        """Log-likelihood of the (weighted) histories, as maximised by :meth:`BGBB.fit`."""
        patterns = _as_patterns(data)
        x, t_x, n = _arrays(patterns)
        loglik, _ = _kernel(len(x))(*self._values(), x, t_x, n)
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
    ) -> FittedBGBB:
        """Estimate (α, β, γ, δ) by maximum likelihood.

        Parameters
        ----------
        data : DiscretePatterns or (frequency, recency, periods)
            Histories, with weights when given as :class:`DiscretePatterns`; identical rows
            are merged first.
        initial : BGBBParams, mapping or (alpha, beta, gamma, delta), optional
            Starting values (default all 1).

        Returns
        -------
        FittedBGBB
            With the estimates and a :class:`~ecomstrat.models._base.FitResult`.

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
        patterns = _as_patterns(data).compress()
        x, t_x, n = _arrays(patterns)
        weights = np.asarray(patterns.weights, dtype=np.float64)
        start = (
            BGBBParams(1.0, 1.0, 1.0, 1.0)
            if initial is None
            else coerce_initial(initial, BGBBParams, _NAMES)
        )
        _check_identified(x, n, weights)
        kernel = _kernel(len(x))

        def objective(theta: FloatArray) -> tuple[float, FloatArray]:
            loglik, gradient = kernel(theta[0], theta[1], theta[2], theta[3], x, t_x, n)
            return float(weights @ loglik), weights @ gradient

        estimate = maximize_likelihood(
            objective,
            list(start.to_dict().values()),
            _NAMES,
            n_customers=round(patterns.n_customers),
            n_patterns=len(x),
            mixing=(
                Mixing("beta", "alpha", "beta", "purchase probabilities"),
                Mixing("beta", "gamma", "delta", "dropout probabilities"),
            ),
            model="BG/BB",
        )
        warn_boundary(estimate.boundary, stacklevel=2)
        params = BGBBParams(*map(float, estimate.params))
        return FittedBGBB(params, FitResult.from_estimate(estimate, _NAMES))

    @staticmethod
    def from_params(alpha: float, beta: float, gamma: float, delta: float) -> FittedBGBB:
        """A model with given parameters (no fit), e.g. published estimates."""
        return FittedBGBB(BGBBParams(alpha, beta, gamma, delta), None)


def _kernel(rows: int) -> _LoglikKernel:
    return bgbb_loglik_terms_parallel if rows >= PARALLEL_MIN_PATTERNS else bgbb_loglik_terms


_PATTERNS_FIXES = {
    "pandas": "Build DiscretePatterns(df['frequency'], df['recency'], df['periods'],"
    " df['weights']) from its columns, or DiscretePatterns.from_histories(df.to_numpy()) from"
    " 0/1 purchase histories.",
    "polars": "Build DiscretePatterns(df['frequency'], df['recency'], df['periods'],"
    " df['weights']) from its columns, or DiscretePatterns.from_histories(df.to_numpy()) from"
    " 0/1 purchase histories.",
    "": "Build DiscretePatterns.from_histories(...) from 0/1 purchase histories.",
}


def _as_patterns(data: PatternsLike) -> DiscretePatterns:
    if isinstance(data, DiscretePatterns):
        return data
    x, t_x, n = check_data(
        data,
        "DiscretePatterns or a (frequency, recency, periods) tuple",
        _PATTERNS_FIXES,
        columns=3,
    )
    frequency = as_float_array("frequency", x)
    return DiscretePatterns(frequency, t_x, n, np.ones(frequency.shape))


def _arrays(data: PatternsLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Frequency, recency and periods as fresh float64 arrays (one kernel specialisation)."""
    patterns = _as_patterns(data)
    return (
        np.array(patterns.frequency, dtype=np.float64),
        np.array(patterns.recency, dtype=np.float64),
        np.array(patterns.periods, dtype=np.float64),
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
