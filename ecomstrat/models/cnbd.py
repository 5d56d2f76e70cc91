"""BG/CNBD-k and MBG/CNBD-k: the BG/NBD family with Erlang-k inter-purchase times.

Platzer & Reutterer (2016), "Ticking Away the Moments: Timing Regularity Helps to Better
Predict Customer Activity", Marketing Science 35(5), 779-799, and Reutterer, Platzer &
Schröder (2020), "Leveraging purchase regularity for predicting customer behavior the easy
way", International Journal of Research in Marketing 38(1), 194-215. An active customer
buys at Erlang-k distributed intervals (``k = 1``: exponential, the BG/NBD and MBG/NBD);
the larger ``k``, the more regular the timing, and the more an overdue purchase says that
the customer has left. :class:`BGCNBD` and :class:`MBGCNBD` fit ``r, alpha, a, b`` by maximum
likelihood for a given ``k`` or choose ``k`` by likelihood; the fitted models keep ``k``.

The likelihood needs ``litt``, each customer's sum of log inter-purchase times (from
:func:`ecomstrat.metrics.regularity.log_inter_transaction_times`), for its ``k``-dependent
constant; the predictions need only ``(x, t_x, T)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast

import attrs
import numpy as np

from ecomstrat._kernels import cnbd as _kernels
from ecomstrat._kernels.cnbd import PARALLEL_MIN_ROWS
from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import (
    as_float_array,
    check_choice,
    check_count,
    invalid,
    number_or_raw,
    positive_field,
)
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.exceptions import ConvergenceError
from ecomstrat.frames._foreign import frame_column, frame_library, frame_names
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.metrics.regularity import LogInterTransactionTimes
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
    table_ids,
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
from ecomstrat.models.bgnbd import initial_guess

__all__ = [
    "BGCNBD",
    "MBGCNBD",
    "CNBDParams",
    "FittedBGCNBD",
    "FittedMBGCNBD",
]

#: Largest regularity ``k`` accepted (BTYDplus searches 1..12).
MAX_K = 50

LittLike = Sequence[float] | AnyArray | LogInterTransactionTimes
CETMethod = Literal["exact", "approximate"]


@attrs.frozen
class CNBDParams(Params):
    """Parameters of the (M)BG/CNBD-k models (``k`` is a field of the fitted model).

    Parameters
    ----------
    r, alpha : float
        Shape and rate (per the model's time unit) of the Gamma distribution of ``λ``, the
        rate of the Erlang-k phases: an active customer buys every ``k/λ`` time units on
        average.
    a, b : float
        Parameters of the Beta distribution of the dropout probability ``p`` after each
        repeat purchase (and, for the MBG/CNBD-k, at time 0).

    Raises
    ------
    InvalidInputError
        If a parameter is not a finite number > 0.

    Examples
    --------
    >>> CNBDParams(r=0.36, alpha=1.13, a=0.52, b=2.79).to_dict()
    {'r': 0.36, 'alpha': 1.13, 'a': 0.52, 'b': 2.79}
    """

    r: float = attrs.field(converter=number_or_raw, validator=positive_field)
    alpha: float = attrs.field(converter=number_or_raw, validator=positive_field)
    a: float = attrs.field(converter=number_or_raw, validator=positive_field)
    b: float = attrs.field(converter=number_or_raw, validator=positive_field)


def _check_k(name: str, value: object) -> int:
    k = check_count(name, value, minimum=1)
    if k > MAX_K:
        raise invalid(name, k, f"must be <= {MAX_K}", "Regularity beyond k = 12 is rarely seen.")
    return k


def _as_k(value: Any) -> int:
    return _check_k("k", value)


def _run(name: str, size: int, *args: Any, **kwargs: Any) -> Any:
    kernel = getattr(_kernels, name)
    return kernel(*args, **kwargs, parallel=size >= PARALLEL_MIN_ROWS)


def _litt(
    data: RFMData, litt: LittLike | None, rfm: RFMArrays, unit: TimeUnit, k: int | None
) -> FloatArray:
    """``litt`` per customer in ``unit``: the argument, else the table's ``litt`` column.

    A :class:`LogInterTransactionTimes` is aligned to the data's customer ids (when the data
    has ids) and converted to ``unit``. Without ``litt`` only ``k = 1`` is possible (its
    constant is 0); ``k=None`` means k is to be chosen.
    """
    n = len(rfm)
    if litt is None and frame_library(data) is not None and "litt" in frame_names(data):
        litt = frame_column(data, "litt")
    if litt is None:
        if k == 1:
            return np.zeros(n)
        raise invalid(
            "litt",
            None,
            "is needed to choose k"
            if k is None
            else f"is needed for k = {k} (the likelihood's constant (k-1)·litt)",
            "Pass litt=log_inter_transaction_times(log, ...) from"
            " ecomstrat.metrics.regularity, or a table with a litt column.",
        )
    if isinstance(litt, LogInterTransactionTimes):
        ids = data.customer_ids if isinstance(data, CustomerSummary) else table_ids(data)
        stats = litt.to_unit(unit)
        if ids is not None:
            stats = stats.align(ids)
        values = stats.litt
        if stats.frequency.shape == rfm.x.shape and np.any(stats.frequency != rfm.x):
            i = int(np.argmax(stats.frequency != rfm.x))
            raise invalid(
                f"litt.frequency[{i}]",
                float(stats.frequency[i]),
                f"differs from the data's frequency ({rfm.x[i]:g})",
                "Compute litt with the same observation_end and period as the summary.",
            )
    else:
        values = as_float_array("litt", litt, ndim=1)
    if values.shape != (n,):
        raise invalid(
            "litt",
            f"<array of shape {values.shape}>",
            f"must have one entry per customer ({n})",
        )
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(f"litt[{i}]", float(values[i]), "must be finite")
    bad = (rfm.x == 0) & (values != 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(
            f"litt[{i}]",
            float(values[i]),
            "must be 0 when frequency is 0 (no inter-purchase time)",
            "Compute litt and the summary from the same log and observation_end.",
        )
    return floats(values)


@attrs.frozen(eq=False, repr=False, kw_only=True)
class _FittedCNBD(FittedModel[CNBDParams], PurchasePredictions):
    """Predictions of the (M)BG/CNBD-k; ``_shift`` (0 or 1) picks the variant."""

    time_unit: TimeUnit = attrs.field(converter=to_time_unit)
    k: int = attrs.field(converter=_as_k)

    _shift: ClassVar[float]

    def _rfm(self, data: RFMData) -> RFMArrays:
        return as_rfm_arrays(data, self.time_unit)

    def log_likelihood(self, data: RFMData, *, litt: LittLike | None = None) -> float:
        """Log-likelihood of ``data`` (summed over customers) at these parameters.

        Parameters
        ----------
        data : CustomerSummary, table or tuple of arrays
            ``(frequency, recency, T)``; a table may carry a ``litt`` column.
        litt : array_like or LogInterTransactionTimes, optional
            Sum of log inter-purchase times per customer, in the model's time unit (needed
            when ``k > 1``).

        Returns
        -------
        float
        """
        rfm = self._rfm(data)
        values = _litt(data, litt, rfm, self.time_unit, self.k)
        theta = np.array(self.params.to_tuple())
        columns = (floats(rfm.x), floats(rfm.t_x), floats(rfm.T), values, floats(rfm.weights))
        value, _ = _run("loglik", len(rfm), theta, self.k, *columns, shift=self._shift)
        return float(value)

    def probability_alive(self, data: RFMData) -> FloatArray:
        """Probability that each customer is still active at ``T``.

        Parameters
        ----------
        data : CustomerSummary, table or tuple of arrays
            ``(frequency, recency, T)``; a summary is converted to the model's time unit.

        Returns
        -------
        ndarray of float64
            One probability per customer.
        """
        rfm = self._rfm(data)
        columns = (floats(rfm.x), floats(rfm.t_x), floats(rfm.T))
        out = _run("p_alive", len(rfm), self.params.to_tuple(), self.k, self._shift, *columns)
        return np.asarray(out, dtype=np.float64)

    def conditional_expected_purchases(
        self,
        t: TimeLike,
        data: RFMData,
        *,
        method: CETMethod = "exact",
        bias_correction: bool = False,
    ) -> FloatArray:
        """Expected repeat purchases in ``(T, T + t]`` given each customer's history.

        Parameters
        ----------
        t : float or array_like
            Length of the prediction window in the model's time unit: a scalar, or one
            value per customer.
        data : CustomerSummary, table or tuple of arrays
            ``(frequency, recency, T)``.
        method : {"exact", "approximate"}
            ``"exact"`` (default): the model's conditional expectation (Notes).
            ``"approximate"``: the approximation of Reutterer, Platzer & Schröder (2020) that
            BTYDplus computes (``xbgcnbd.ConditionalExpectedTransactions``).
        bias_correction : bool, optional
            With ``method="approximate"`` only: scale the values so that their sum equals
            the cohort's expected purchases in the windows, ``Σ E[X(T+t)] − E[X(T)]``, as
            BTYDplus does when ``k > 1`` and the data hold at least 100 customers. Only
            meaningful for a whole cohort; no effect when ``k = 1``. Default False.

        Returns
        -------
        ndarray of float64
            One value per customer.

        Notes
        -----
        **Exact.** A customer alive at ``T`` has completed ``j < k`` Erlang phases since the
        last purchase, with posterior probabilities ``π_j ∝ (r+kx)_j q^j / j!``,
        ``q = (T−t_x)/(α+T)`` (the terms of ``S2`` in the likelihood); given ``j``,
        ``λ ~ Gamma(r+kx+j, α+T)``, the phases ``M_j`` completed in the window are NBD, the
        i-th future purchase needs ``ki − j`` of them and is made with probability
        ``B(a, b'+i−1)/B(a, b')``, ``b' = b + x`` (``b + x + 1`` for the MBG). So
        ``E = P(alive) Σ_j π_j Σ_m P(M_j = m) Σ_{i ≤ (m+j)/k} B(a, b'+i−1)/B(a, b')``,
        summed to convergence. It is the mean of :meth:`conditional_probability_of_purchases`
        and, for ``k = 1``, the BG/NBD (MBG/NBD) formula; on simulated cohorts its total
        matches the simulated purchases (the tests check this).

        **Approximate** (BTYDplus): ``P(alive) E_BG/NBD[X(t); r+x, kα+T, a, b']``, the
        BG/NBD conditional expectation with ``α`` replaced by ``kα``. It ignores the phases
        already completed, so it understates the purchases of overdue customers who are still
        alive (by 10–50% for ``k`` = 2–5 in the tests), hence BTYDplus' cohort-level bias
        correction.

        Examples
        --------
        >>> m = BGCNBD(k=2).from_params(r=0.85, alpha=1.45, a=0.79, b=2.42, time_unit="week")
        >>> history = ([1, 5], [12.0, 50.0], [52.0, 52.0])
        >>> m.conditional_expected_purchases(52.0, history).round(4)
        array([0.2452, 3.7916])
        >>> m.conditional_expected_purchases(52.0, history, method="approximate").round(4)
        array([0.2268, 3.8405])
        """
        check_choice("method", method, ("exact", "approximate"))
        if bias_correction and method != "approximate":
            raise invalid(
                "bias_correction",
                True,
                "applies to method='approximate' only",
                "The exact expectation needs no correction; drop bias_correction.",
            )
        rfm = self._rfm(data)
        n = len(rfm)
        horizons = per_customer("t", t, n)
        columns = (floats(rfm.x), floats(rfm.t_x), floats(rfm.T))
        params = self.params.to_tuple()
        kernel = "exact_conditional" if method == "exact" else "conditional"
        out = _run(kernel, n, params, self.k, self._shift, horizons, *columns)
        values = np.asarray(out, dtype=np.float64)
        if bias_correction and self.k > 1 and n > 0:
            T = floats(rfm.T)
            start = _run("unconditional", n, params, self.k, self._shift, T)
            end = _run("unconditional", n, params, self.k, self._shift, floats(T + horizons))
            total = float(np.sum(values))
            if total > 0.0:
                values = values * (float(np.sum(end - start)) / total)
        return values

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
        data : CustomerSummary, table or tuple of arrays
            ``(frequency, recency, T)``.

        Returns
        -------
        ndarray of float64
            One probability per customer; over ``n = 0, 1, ...`` they sum to 1 and their
            mean is :meth:`conditional_expected_purchases` (``method="exact"``).

        Notes
        -----
        With the phase posterior of :meth:`conditional_expected_purchases`: given alive and
        ``j`` phases done, ``P(Y >= i) = c_i P(M_j >= ki − j)`` with ``c_i = B(a, b'+i−1) /
        B(a, b')``, so ``P(Y = n) = c_n [P(kn−j <= M_j < k(n+1)−j) + a/(a+b'+n−1)
        P(M_j >= k(n+1)−j)]`` for ``n >= 1`` and ``P(M_j < k−j)`` for ``n = 0``; a customer
        who has left buys nothing: ``P(Y = n) = P(alive) Σ_j π_j P_j(n) + δ_{n0}(1 −
        P(alive))``.

        Examples
        --------
        >>> m = MBGCNBD(k=2).from_params(r=1.33, alpha=2.81, a=0.42, b=0.79, time_unit="week")
        >>> m.conditional_probability_of_purchases(0, 26.0, ([3], [20.0], [30.0])).round(4)
        array([0.3456])
        """
        rfm = self._rfm(data)
        size = len(rfm)
        purchases = per_customer("n", n, size, whole=True)
        horizons = per_customer("t", t, size)
        columns = (purchases, horizons, floats(rfm.x), floats(rfm.t_x), floats(rfm.T))
        out = _run("conditional_pmf", size, self.params.to_tuple(), self.k, self._shift, *columns)
        return np.asarray(out, dtype=np.float64)

    def expected_residual_purchases(
        self, data: RFMData, *, annual_discount_rate: float, horizon: float = math.inf
    ) -> FloatArray:
        """Discounted expected purchases ``∫_0^H e^{-δt} dE[Y(t) | history]`` per customer.

        Parameters
        ----------
        data : CustomerSummary, table or tuple of arrays
            ``(frequency, recency, T)``.
        annual_discount_rate : float
            Effective annual rate as a fraction in [0, 1] (> 0 for an infinite horizon).
        horizon : float, optional
            In the model's time unit (``math.inf``, the default, for the whole future).

        Returns
        -------
        ndarray of float64
            One value per customer; with ``annual_discount_rate=0`` it is
            ``conditional_expected_purchases(horizon, data, method="approximate")``.

        Notes
        -----
        Under BTYDplus' approximation (see :meth:`conditional_expected_purchases`): the
        BG/NBD discounted expectation with ``(r+x, kα+T, a, b+x+shift)``, times
        ``P(alive)``; exact for ``k = 1``. For ``k > 1`` it understates overdue customers
        who are still alive, as the approximate conditional expectation does.
        """
        H = check_horizon(horizon)
        rate = check_discount_rate("annual_discount_rate", annual_discount_rate, horizon=H)
        delta = continuous_discount_rate(rate, self.time_unit)
        rfm = self._rfm(data)
        columns = (floats(rfm.x), floats(rfm.t_x), floats(rfm.T))
        params = self.params.to_tuple()
        out = _run("discounted", len(rfm), params, self.k, self._shift, delta, H, *columns)
        return np.asarray(out, dtype=np.float64)

    def probability_alive_one(self, x: float, t_x: float, T: float) -> float:
        """:meth:`probability_alive` of one customer: scalars in, a float out.

        Parameters
        ----------
        x, t_x, T : float
            Frequency (a whole number), recency and age, in the model's time unit.

        Returns
        -------
        float

        Examples
        --------
        >>> m = BGCNBD(k=2).from_params(r=0.85, alpha=1.45, a=0.79, b=2.42, time_unit="week")
        >>> round(m.probability_alive_one(1, 12.0, 52.0), 4)
        0.1583
        """
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        k = float(self.k)
        return float(_kernels.alive_one(p.r, p.alpha, p.a, p.b, k, self._shift, xf, rf, Tf))

    def conditional_expected_purchases_one(self, t: float, x: float, t_x: float, T: float) -> float:
        """:meth:`conditional_expected_purchases` (exact) of one customer: scalars in, a float out.

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
        >>> m = BGCNBD(k=2).from_params(r=0.85, alpha=1.45, a=0.79, b=2.42, time_unit="week")
        >>> round(m.conditional_expected_purchases_one(52.0, 1, 12.0, 52.0), 4)
        0.2452
        """
        window = scalar_time("t", t)
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        k = float(self.k)
        return float(
            _kernels.exact_conditional_one(
                p.r, p.alpha, p.a, p.b, k, self._shift, window, xf, rf, Tf
            )
        )

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
        """
        H, delta = discounting(annual_discount_rate, horizon, self.time_unit)
        xf, rf, Tf = one_customer(x, t_x, T)
        p = self.params
        k = float(self.k)
        return float(
            _kernels.discounted_one(p.r, p.alpha, p.a, p.b, k, self._shift, delta, H, xf, rf, Tf)
        )

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

        Notes
        -----
        ``Σ_m P(N(t) = m) Σ_{n=1..⌊m/k⌋} B(a, b+n-1+shift)/B(a, b)``, with ``N(t)`` the NBD
        number of Erlang phases: the exact mean of :meth:`probability_of_purchases` (BTYDplus
        sums ``n P(X(t) = n)`` with a truncation).
        """
        horizons = times("t", t)
        flat = floats(horizons.reshape(-1))
        out = _run("unconditional", flat.size, self.params.to_tuple(), self.k, self._shift, flat)
        return np.asarray(out, dtype=np.float64).reshape(horizons.shape)

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

        Notes
        -----
        With ``N ~ NBD(r, α/(α+t))`` the Erlang phases completed by ``t`` and ``s = n - 1 +
        shift``: ``B(a, b+s+1)/B(a, b) [P(kn <= N < kn+k) + a/(b+s) P(N >= kn)]`` (Platzer &
        Reutterer 2016; BTYDplus ``xbgcnbd_pmf_cpp``), without the second term for a BG
        customer and ``n = 0``.
        """
        purchases, horizons = np.broadcast_arrays(counts("n", n), times("t", t))
        flat_n = floats(purchases.reshape(-1))
        flat_t = floats(horizons.reshape(-1))
        params = self.params.to_tuple()
        out = _run("pmf", flat_n.size, params, self.k, self._shift, flat_n, flat_t)
        return np.asarray(out, dtype=np.float64).reshape(purchases.shape)

    def pmf(self, n: TimeLike, t: TimeLike) -> FloatArray:
        """Alias of :meth:`probability_of_purchases` (BTYDplus' ``pmf``)."""
        return self.probability_of_purchases(n, t)


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedBGCNBD(_FittedCNBD):
    """A BG/CNBD-k model with known parameters and regularity ``k``.

    Build it with :meth:`BGCNBD.fit` or :meth:`BGCNBD.from_params`. Times are in
    :attr:`time_unit`; a :class:`~ecomstrat.CustomerSummary` is converted to it.

    Parameters
    ----------
    params : CNBDParams
        ``r, alpha, a, b``.
    time_unit : TimeUnit
        Unit of ``alpha`` and of every time argument.
    k : int
        Regularity: inter-purchase times are Erlang-k (1..50; 1 is the BG/NBD).
    fit : FitStatistics, optional
        Log-likelihood, standard errors (of ``r, alpha, a, b``; ``k`` is held fixed) and
        diagnostics; None when built from parameters.

    Notes
    -----
    Platzer & Reutterer (2016); formulas as in BTYDplus 1.2 (``R/mbg-cnbd-k.R``):
    ``P(alive) = 1 / (1 + δ_{x>0} a/(b+x-1) ((α+T)/(α+t_x))^(r+kx) / S2)`` with ``S2 =
    Σ_{j<k} (r+kx)_j ((T-t_x)/(α+T))^j / j!``. See :meth:`conditional_expected_purchases`
    for the approximation used for CET when ``k > 1``.

    Examples
    --------
    >>> m = BGCNBD(k=2).from_params(r=0.85, alpha=1.45, a=0.79, b=2.42, time_unit="week")
    >>> history = ([0, 1, 5], [0.0, 12.0, 50.0], [52.0, 52.0, 52.0])
    >>> m.probability_alive(history).round(4)
    array([1.    , 0.1583, 0.8831])
    >>> m.conditional_expected_purchases(52.0, history).round(4)
    array([0.5852, 0.2452, 3.7916])
    >>> round(float(m.probability_of_purchases(2, 10.0)), 4)
    0.1538
    """

    name: ClassVar[str] = "BG/CNBD-k"

    _shift: ClassVar[float] = 0.0


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedMBGCNBD(_FittedCNBD):
    """An MBG/CNBD-k model with known parameters and regularity ``k``.

    Same fields, methods and conventions as :class:`FittedBGCNBD`; a customer may also drop
    out right after the first purchase (``x + 1`` dropout opportunities), so ``P(alive) < 1``
    for ``x = 0`` too.

    Notes
    -----
    Reutterer, Platzer & Schröder (2020); with ``k = 1`` the MBG/NBD of Batislam, Denizel &
    Filiztekin (2007).

    Examples
    --------
    >>> m = MBGCNBD(k=2).from_params(r=0.85, alpha=1.45, a=0.79, b=2.42, time_unit="week")
    >>> m.probability_alive(([0, 5], [0.0, 50.0], [52.0, 52.0])).round(4)
    array([0.2069, 0.8972])
    """

    name: ClassVar[str] = "MBG/CNBD-k"

    _shift: ClassVar[float] = 1.0


_F = TypeVar("_F", FittedBGCNBD, FittedMBGCNBD)


@attrs.frozen
class _CNBD(Generic[_F]):
    """Fitting and building a model of the (M)BG/CNBD-k family."""

    k: int | None = attrs.field(default=None, kw_only=True)
    max_k: int = attrs.field(default=12, kw_only=True)

    _fitted: ClassVar[type[_FittedCNBD]]
    _name: ClassVar[str]

    def __attrs_post_init__(self) -> None:
        if self.k is not None:
            _check_k("k", self.k)
        _check_k("max_k", self.max_k)

    def fit(
        self,
        data: RFMData,
        *,
        litt: LittLike | None = None,
        time_unit: TimeUnit | str | None = None,
        initial: Params | Mapping[str, float] | Sequence[float] | None = None,
        compress: bool | None = None,
        weights: Sequence[float] | FloatArray | None = None,
        penalty: float = 0.0,
    ) -> _F:
        """Estimate ``r, alpha, a, b`` by maximum likelihood (and ``k`` when not given).

        Parameters
        ----------
        data : CustomerSummary, table or tuple of arrays
            ``(frequency, recency, T)``; a table may carry a ``litt`` column.
        litt : array_like or LogInterTransactionTimes, optional
            Sum of log inter-purchase times per customer (in the fit's time unit when an
            array; a :class:`~ecomstrat.metrics.regularity.LogInterTransactionTimes` is
            aligned by customer id and converted). Required unless ``k = 1``.
        time_unit : TimeUnit or str, optional
            Unit to fit in (default: the summary's, else ``"day"``).
        initial : params, mapping or sequence of 4 floats, optional
            Starting values (default: as for the BG/NBD, ``r = 1``, ``a = 1``, ``b = 3``
            and ``alpha`` from the repeat rate, times ``k``).
        compress : bool, optional
            Evaluate the likelihood on distinct ``(x, t_x, T)`` rows with weights
            (``None``: when they are at most half of the customers).
        weights : array_like, optional
            Customers each row stands for (default 1 each).
        penalty : float, optional
            L2 penalty strength on the log-parameters (default 0).

        Returns
        -------
        FittedBGCNBD or FittedMBGCNBD
            With the model's ``k``, or the ``k`` of highest likelihood.

        Raises
        ------
        InvalidInputError
            If the data break a rule, nobody made a repeat purchase, or ``litt`` is missing
            for ``k > 1``.
        ConvergenceError
            If no ``k`` could be fitted.

        Notes
        -----
        With ``k=None``, ``k = 1, 2, …, max_k`` are fitted in turn, stopping once the
        log-likelihood has fallen twice in a row (BTYDplus' grid search); the ``k`` of
        highest log-likelihood is kept.
        """
        unit = fit_unit(data, time_unit)
        rfm = as_rfm_arrays(data, unit, weights=weights)
        if not np.any((rfm.x > 0) & (rfm.weights > 0)):
            raise invalid(
                "frequency",
                "<all 0>",
                "must be > 0 for at least one customer",
                "Without a repeat purchase the purchase and dropout parameters are not identified.",
            )
        if self.k is not None:
            values = _litt(data, litt, rfm, unit, self.k)
            return self._fit_k(self.k, rfm, values, unit, initial, compress, penalty)
        values = _litt(data, litt, rfm, unit, None)
        best: _F | None = None
        history: list[float] = []
        for k in range(1, self.max_k + 1):
            try:
                fitted = self._fit_k(k, rfm, values, unit, initial, compress, penalty)
            except ConvergenceError:
                break
            assert fitted.fit is not None
            ll = fitted.fit.log_likelihood
            history.append(ll)
            if best is None or ll > cast(FitStatistics, best.fit).log_likelihood:
                best = fitted
            if k > 2 and history[-1] < history[-2] < history[-3]:
                break
        if best is None:
            raise ConvergenceError(f"{self._name}: no k in 1..{self.max_k} could be fitted.")
        return best

    def _fit_k(
        self,
        k: int,
        rfm: RFMArrays,
        litt: FloatArray,
        unit: TimeUnit,
        initial: object,
        compress: bool | None,
        penalty: float,
    ) -> _F:
        if initial is None:
            r0, alpha0, a0, b0 = initial_guess(rfm)
            start: tuple[float, ...] = (r0, alpha0 * k, a0, b0)
        else:
            start = coerce_initial(initial, CNBDParams).to_tuple()
        # litt enters only the constant (k-1)·Σ w·litt: rows are compressed on (x, t_x, T)
        constant = (k - 1) * float(np.sum(rfm.weights * litt))
        (x, t_x, T), w = compress_rows((rfm.x, rfm.t_x, rfm.T), rfm.weights, compress=compress)
        zeros = np.zeros(len(x))
        shift = self._fitted._shift

        def objective(theta: FloatArray) -> tuple[float, FloatArray]:
            value, gradient = _run(
                "loglik", len(x), np.ascontiguousarray(theta), k, x, t_x, T, zeros, w, shift=shift
            )
            return float(value) + constant, np.asarray(gradient, dtype=np.float64)

        names = CNBDParams.names()
        estimate = maximize_likelihood(
            objective,
            start,
            names,
            n_customers=round(float(np.sum(rfm.weights))),
            n_patterns=len(x),
            mixing=(
                Mixing("gamma", "r", "alpha", "Erlang phase rates", f"per {unit.value}"),
                Mixing("beta", "a", "b", "dropout probabilities"),
            ),
            model=f"{self._name} (k={k})",
            penalty=penalty,
        )
        warn_boundary(estimate.boundary, stacklevel=4)
        return cast(
            _F,
            self._fitted(
                params=CNBDParams(*map(float, estimate.params)),
                time_unit=unit,
                k=k,
                fit=FitStatistics.from_estimate(estimate, names=names),
            ),
        )

    def from_params(
        self, *, r: float, alpha: float, a: float, b: float, time_unit: TimeUnit | str
    ) -> _F:
        """A fitted model with known parameters and this model's ``k`` (``fit`` is None).

        Parameters
        ----------
        r, alpha, a, b : float
            The parameters (``alpha`` per ``time_unit``), each > 0.
        time_unit : TimeUnit or str
            Unit of time of ``alpha``.

        Returns
        -------
        FittedBGCNBD or FittedMBGCNBD

        Raises
        ------
        InvalidInputError
            If a parameter is not > 0, or the model has no ``k`` (``BGCNBD(k=2).from_params``).
        """
        if self.k is None:
            raise invalid(
                "k",
                None,
                "must be given to build a model from parameters",
                f"Use {type(self).__name__}(k=2).from_params(...).",
            )
        params = CNBDParams(r=r, alpha=alpha, a=a, b=b)
        return cast(_F, self._fitted(params=params, time_unit=time_unit, k=self.k))


@attrs.frozen
class BGCNBD(_CNBD[FittedBGCNBD]):
    """The BG/CNBD-k model: the BG/NBD with Erlang-k inter-purchase times.

    Parameters
    ----------
    k : int, optional
        Regularity (1..50). ``None`` (the default) chooses it by likelihood in ``fit``.
    max_k : int
        Largest ``k`` tried when choosing (default 12, as BTYDplus).

    Notes
    -----
    Platzer & Reutterer (2016), Marketing Science 35(5); ``k = 1`` is the BG/NBD of Fader,
    Hardie & Lee (2005). See :doc:`/models-cnbd`.

    Examples
    --------
    >>> BGCNBD(k=2).from_params(r=0.36, alpha=1.13, a=0.52, b=2.79, time_unit="week")
    FittedBGCNBD(r=0.36, alpha=1.13, a=0.52, b=2.79, time_unit='week')
    >>> BGCNBD(k=2)
    BGCNBD(k=2, max_k=12)
    """

    _fitted: ClassVar[type[_FittedCNBD]] = FittedBGCNBD
    _name: ClassVar[str] = "BG/CNBD-k"


@attrs.frozen
class MBGCNBD(_CNBD[FittedMBGCNBD]):
    """The MBG/CNBD-k model: the MBG/NBD with Erlang-k inter-purchase times.

    Parameters
    ----------
    k : int, optional
        Regularity (1..50). ``None`` (the default) chooses it by likelihood in ``fit``.
    max_k : int
        Largest ``k`` tried when choosing (default 12).

    Notes
    -----
    Reutterer, Platzer & Schröder (2020), IJRM 38(1); ``k = 1`` is the MBG/NBD of Batislam,
    Denizel & Filiztekin (2007).

    Examples
    --------
    >>> MBGCNBD(k=2).from_params(r=1.33, alpha=2.81, a=0.42, b=0.79, time_unit="week").k
    2
    """

    _fitted: ClassVar[type[_FittedCNBD]] = FittedMBGCNBD
    _name: ClassVar[str] = "MBG/CNBD-k"
