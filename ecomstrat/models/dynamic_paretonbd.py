"""The Pareto/NBD with time-varying covariates (Bachmann, Meierer & Näf 2021).

Covariates change from period to period (a week of high season, a marketing contact) and
scale the purchase and dropout rates while they are in force. The model is fitted on a
:class:`~ecomstrat.TransactionLog` and :class:`~ecomstrat.TimeVaryingCovariates`; the fitted
model keeps both what its predictions need (each customer's calibration history and the
covariates, future periods included) so that :meth:`FittedDynamicParetoNBD.probability_alive`
and :meth:`FittedDynamicParetoNBD.conditional_expected_purchases` take a
:class:`~ecomstrat.CustomerSummary` like every other purchase model.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np

from ecomstrat._kernels.dyncov import expected_future, loglik
from ecomstrat._typing import FloatArray, IntArray
from ecomstrat._validation import invalid, plain
from ecomstrat.domain.time_unit import TimeUnit, to_time_unit
from ecomstrat.exceptions import BoundaryEstimateWarning
from ecomstrat.frames.covariates import TimeVaryingCovariates, _positions
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.models._base import FitStatistics, FittedModel
from ecomstrat.models._covariates import CovariateModel, CovariateSpec
from ecomstrat.models._data import times
from ecomstrat.models._fit import MaximumLikelihood, Mixing, maximize_likelihood
from ecomstrat.models._protocols import TimeLike, check_discount_rate, continuous_discount_rate
from ecomstrat.models._uncertainty import PurchasePredictions
from ecomstrat.models.paretonbd import FittedParetoNBD, ParetoNBD, ParetoNBDParams

__all__ = ["DynamicParetoNBD", "FittedDynamicParetoNBD"]

#: Days of one covariate period (and of one time unit: they must be the same).
_PERIOD_DAYS = {TimeUnit.WEEK: 7, TimeUnit.DAY: 1}
#: A coefficient beyond this (a rate scaled by e^10 ≈ 22,000) has run off to infinity.
_RUNAWAY = 10.0
#: Customers from which the likelihood runs on several threads.
_PARALLEL_ROWS = 4096


def _unit(time_unit: object) -> TimeUnit:
    unit = to_time_unit(time_unit)  # type: ignore[arg-type]
    if unit not in _PERIOD_DAYS:
        raise invalid(
            "time_unit",
            unit.value,
            "must be 'week' or 'day': the time unit is the length of one covariate period",
        )
    return unit


# ---------------------------------------------------------------------------------------------
# Histories and runs


@attrs.frozen(eq=False)
class _History:
    """Calibration history per customer: repeat purchases, ``t_x``, ``T``, first purchase day."""

    customer_ids: Any
    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    first_day: IntArray  # days since 1970-01-01 of the first purchase
    repeat_customer: IntArray  # one entry per repeat purchase (row of the customer)
    repeat_day: IntArray


def _history(log: TransactionLog, calibration_end: object, unit: TimeUnit) -> _History:
    """Distinct purchase days up to ``calibration_end`` (inclusive), as CLVTools counts them."""
    if not isinstance(log, TransactionLog):
        raise invalid(
            "log", type(log).__name__, "must be a TransactionLog",
            "Build one with TransactionLog.from_arrays or an ecomstrat.io reader.",
        )  # fmt: skip
    try:
        end = np.datetime64(calibration_end, "D")  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise invalid("calibration_end", calibration_end, "must be a date") from None
    if np.isnat(end):
        raise invalid("calibration_end", calibration_end, "must be a date")
    days = log.times.astype("datetime64[D]").astype(np.int64)
    last_day = int(end.astype(np.int64))
    keep = days <= last_day
    codes = log.customer_index[keep]
    days = days[keep]
    n_all = log.customer_ids.shape[0]
    present = np.bincount(codes, minlength=n_all) > 0
    if not present.any():
        raise invalid("calibration_end", str(end), "leaves no purchase in the calibration period")
    low = int(days.min())
    span = np.int64(int(days.max()) - low + 1)
    pairs = np.unique(codes * span + (days - low))  # distinct (customer, day), sorted
    codes = pairs // span
    days = pairs % span + low
    keep_ids = np.flatnonzero(present)
    row = np.full(n_all, -1, dtype=np.int64)
    row[keep_ids] = np.arange(keep_ids.shape[0])
    codes = row[codes]
    n = keep_ids.shape[0]
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, codes, days)
    last = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last, codes, days)
    count = np.bincount(codes, minlength=n)
    step = float(_PERIOD_DAYS[unit])
    repeat = days > first[codes]
    return _History(
        log.customer_ids[keep_ids],
        (count - 1).astype(np.float64),
        (last - first) / step,
        (last_day - first) / step,
        first,
        codes[repeat],
        days[repeat],
    )


@attrs.frozen(eq=False)
class _Runs:
    """Runs of equal covariates per customer (CSR), times relative to each customer's start."""

    ptr: IntArray
    start: FloatArray
    end: FloatArray
    purchase: FloatArray
    dropout: FloatArray


def _grid(covariates: TimeVaryingCovariates, unit: TimeUnit) -> int:
    if covariates.period != unit:
        raise invalid(
            "time_unit",
            unit.value,
            f"must be the covariates' period ({covariates.period.value}): the exposures are"
            " integrated period by period",
        )
    return int(covariates.period_starts[0].astype("datetime64[D]").astype(np.int64))


@attrs.frozen(eq=False)
class _Source:
    """Where each customer's covariates are: its row of the table and the used columns.

    Nothing is copied: the runs gather only the periods they need.
    """

    cov: TimeVaryingCovariates
    rows: IntArray
    purchase: IntArray
    dropout: IntArray

    @classmethod
    def of(cls, cov: TimeVaryingCovariates, ids: Any, spec: CovariateSpec) -> _Source:
        rows = _positions(cov.customer_ids, ids, what="covariates")
        missing = [name for name in spec.columns() if name not in cov.names]
        if missing:
            cov.matrix(missing)  # raises, naming the column and listing the covariates
            raise invalid("covariates", cov.names, f"lack the column {missing[0]!r}")

        def columns(names: tuple[str, ...]) -> IntArray:
            return np.array([cov.names.index(name) for name in names], dtype=np.int64)

        return cls(cov, rows, columns(spec.purchase), columns(spec.dropout))

    def take(self, customer: IntArray, period: IntArray, columns: IntArray) -> FloatArray:
        """``values[row of customer, period, columns]`` as ``(len(customer), len(columns))``."""
        return np.ascontiguousarray(
            self.cov.values[self.rows[customer][:, None], period[:, None], columns[None, :]]
        )


def _runs(source: _Source, begin: FloatArray, end: FloatArray, ids: Any) -> _Runs:
    """Runs over grid positions ``[begin_i, end_i]`` (in periods since the grid start)."""
    covariates = source.cov
    n, m = begin.shape[0], covariates.n_periods
    k_first = np.floor(begin).astype(np.int64)
    k_last = np.ceil(end).astype(np.int64) - 1
    k_last = np.where(end > begin, k_last, k_first - 1)
    bad = (k_last >= m) | ((k_first < 0) & (k_last >= k_first))
    if bad.any():
        i = int(np.argmax(bad))
        starts = covariates.period_starts
        need_from = max(int(k_first[i]), 0) if k_first[i] >= 0 else int(k_first[i])
        first_needed = starts[0] + np.timedelta64(need_from * _days(covariates), "D")
        last_needed = starts[0] + np.timedelta64(int(k_last[i]) * _days(covariates), "D")
        raise invalid(
            "covariates",
            f"<{covariates.n_periods} periods {starts[0]} .. {starts[-1]}>",
            f"do not cover customer {plain(ids[i])!r}, who needs the periods {first_needed} .."
            f" {last_needed}",
            "Give covariates for every period from each customer's first purchase to the end"
            " of the prediction horizon (append the future periods to the table).",
        )
    counts = np.maximum(k_last - k_first + 1, 0)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    total = int(offsets[-1])
    cust = np.repeat(np.arange(n), counts)
    period = k_first[cust] + (np.arange(total) - offsets[cust])
    rows_p = source.take(cust, period, source.purchase)
    rows_d = source.take(cust, period, source.dropout)
    new = np.ones(total, dtype=bool)
    if total > 1:
        new[1:] = (
            (cust[1:] != cust[:-1])
            | np.any(rows_p[1:] != rows_p[:-1], axis=1)
            | np.any(rows_d[1:] != rows_d[:-1], axis=1)
        )
    first = np.flatnonzero(new)
    last = np.append(first[1:], total)[: first.shape[0]] - 1
    owner = cust[first]
    start = np.maximum(period[first].astype(np.float64), begin[owner]) - begin[owner]
    stop = np.minimum(period[last] + 1.0, end[owner]) - begin[owner]
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=ptr[1:])
    return _Runs(
        ptr,
        start,
        stop,
        np.ascontiguousarray(rows_p[first]),
        np.ascontiguousarray(rows_d[first]),
    )


def _days(covariates: TimeVaryingCovariates) -> int:
    return 7 if covariates.period == TimeUnit.WEEK else 1


# ---------------------------------------------------------------------------------------------
# The model specification


@attrs.frozen
class DynamicParetoNBD(CovariateModel):
    """The Pareto/NBD with time-varying covariates, to be fitted to a transaction log.

    Parameters
    ----------
    purchase : sequence of str
        Covariates of the purchase process: ``λ_i(t) = λ_i exp(γ_p · x_i(t))``.
    dropout : sequence of str
        Covariates of the dropout process: ``μ_i(t) = μ_i exp(γ_d · z_i(t))``.
    equal : sequence of str
        Covariates in both lists that get one coefficient for both processes
        (``equal.<name>``).
    purchase_penalty, dropout_penalty : float
        L2 penalty ``λ Σ γ²`` on the coefficients of each process (default 0).

    Notes
    -----
    Bachmann, Meierer & Näf (2021), "The Role of Time-Varying Contextual Factors in Latent
    Attrition Models for Customer Base Analysis", *Marketing Science* 40(4), 783–809, in the
    parameterisation of CLVTools (``pnbd`` with ``apparelDynCov``): the Gamma scales apply to
    the integrated exposures ``α + ∫_0^t exp(γ_p · x(u)) du`` and ``β + ∫_0^t exp(γ_d ·
    z(u)) du``, so that ``γ = 0`` is the plain Pareto/NBD. See
    :doc:`/models-time-varying-covariates`.

    Examples
    --------
    >>> DynamicParetoNBD(purchase=["high_season"], dropout=["high_season"]).spec.coefficient_names()
    ('purchase.high_season', 'dropout.high_season')
    """

    def fit(
        self,
        log: TransactionLog,
        covariates: TimeVaryingCovariates | object,
        *,
        calibration_end: object,
        time_unit: TimeUnit | str = "week",
        initial: Mapping[str, float] | None = None,
    ) -> FittedDynamicParetoNBD:
        """Estimate ``(r, α, s, β)`` and the coefficients by maximum likelihood.

        Parameters
        ----------
        log : TransactionLog
            The purchases; those on the same day count as one (as in CLVTools), and those
            after ``calibration_end`` are ignored.
        covariates : TimeVaryingCovariates or table
            Covariates per customer and period (a table goes through
            :meth:`TimeVaryingCovariates.from_table` with its defaults). Periods after the
            calibration are kept for the predictions.
        calibration_end : date
            Last day of the calibration period; ``T`` runs from each customer's first
            purchase to the start of this day.
        time_unit : {"week", "day"}, default "week"
            Unit of the estimates; must be the covariates' period.
        initial : mapping, optional
            Starting values by name (``r``, ``alpha``, ``s``, ``beta``, coefficient names);
            by default the plain Pareto/NBD estimates and coefficients 0.

        Returns
        -------
        FittedDynamicParetoNBD
            Standard errors cover the base parameters, then the coefficients.

        Raises
        ------
        InvalidInputError
            For a bad log, date, unit or spec; covariates that lack a customer, a used
            column or a period between a first purchase and ``calibration_end`` (naming
            ``covariates``).
        ConvergenceError
            When the optimiser ends away from a maximum.

        Warns
        -----
        BoundaryEstimateWarning
            When a coefficient runs off beyond ±10: the likelihood keeps rising towards an
            infinite coefficient (not identified); ``*_penalty`` keeps it finite.
        """
        spec = self.spec
        unit = _unit(time_unit)
        cov = _as_covariates(covariates, unit)
        history = _history(log, calibration_end, unit)
        data = _Prepared.build(spec, history, cov, unit, fitting=True).compressed()
        start = _initial(spec, history, unit, initial)
        names = (*ParetoNBDParams.names(), *spec.coefficient_names())
        free = [False] * 4 + [True] * spec.n_coefficients
        penalty = np.concatenate([np.zeros(4), spec.penalties()])
        per = f"per {unit.value}"
        estimate: MaximumLikelihood = maximize_likelihood(
            data.objective,
            start,
            names,
            n_customers=len(history.x),
            n_patterns=len(data.x),
            mixing=(
                Mixing("gamma", "r", "alpha", "purchase rates", per),
                Mixing("gamma", "s", "beta", "dropout rates", per),
            ),
            model="Pareto/NBD with time-varying covariates",
            penalty=[float(v) for v in penalty] if penalty.any() else 0.0,
            free=free,
        )
        theta = estimate.params
        coefficients = spec.coefficient_dict(theta[4:])
        runaway = [name for name, value in coefficients.items() if abs(value) > _RUNAWAY]
        if runaway or estimate.boundary:
            text = estimate.boundary or ""
            if runaway:
                shown = ", ".join(f"{name}={coefficients[name]:.3g}" for name in runaway)
                text += (
                    f" The coefficient(s) {shown} ran off: the likelihood keeps rising as they"
                    " grow without bound (the covariate all but switches the rate off or on), so"
                    " they are not identified; a purchase_penalty or dropout_penalty keeps them"
                    " finite."
                )
            warnings.warn(
                text.strip() + " The estimates are kept: predictions are valid, standard errors"
                " of those parameters are not.",
                BoundaryEstimateWarning,
                stacklevel=2,
            )
        return FittedDynamicParetoNBD(
            params=ParetoNBDParams(*map(float, theta[:4])),
            fit=FitStatistics.from_estimate(estimate, names=names),
            time_unit=unit,
            spec=spec,
            coefficients=coefficients,
            customers=_summary(history, unit, calibration_end),
            covariates=cov,
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
        covariates: TimeVaryingCovariates | object | None = None,
    ) -> FittedDynamicParetoNBD:
        """A model with given parameters (no fit); predictions need ``covariates``.

        ``time_unit`` ("week" or "day") must be given and equal the covariates' period.

        Examples
        --------
        >>> m = DynamicParetoNBD(purchase=["promo"]).from_params(
        ...     r=0.8, alpha=50, s=0.6, beta=40, coefficients={"purchase.promo": 0.4},
        ...     time_unit="week")
        >>> m.coefficients
        {'purchase.promo': 0.4}
        """
        spec = self.spec
        unit = _unit(time_unit)
        vector = spec.coefficient_vector(coefficients)
        return FittedDynamicParetoNBD(
            params=ParetoNBDParams(r=r, alpha=alpha, s=s, beta=beta),
            time_unit=unit,
            spec=spec,
            coefficients=spec.coefficient_dict(vector),
            covariates=None if covariates is None else _as_covariates(covariates, unit),
        )


def _as_covariates(covariates: object, unit: TimeUnit) -> TimeVaryingCovariates:
    if isinstance(covariates, TimeVaryingCovariates):
        return covariates
    if covariates is None:
        raise invalid(
            "covariates", None, "are needed: this model has no stored covariates",
            "Pass covariates=TimeVaryingCovariates.from_table(...).",
        )  # fmt: skip
    return TimeVaryingCovariates.from_table(covariates, period=unit.value)


def _initial(
    spec: CovariateSpec,
    history: _History,
    unit: TimeUnit,
    initial: Mapping[str, float] | None,
) -> FloatArray:
    names = (*ParetoNBDParams.names(), *spec.coefficient_names())
    if initial is not None:
        if not isinstance(initial, Mapping):
            raise invalid("initial", initial, "must be a mapping of parameter names to numbers")
        unknown = [key for key in initial if key not in names]
        if unknown:
            raise invalid(
                "initial", dict(initial), f"has unknown key(s) {unknown}: the names are {names}"
            )
    given = dict(initial or {})
    base_given = all(name in given for name in ParetoNBDParams.names())
    if base_given:
        base = [float(given[name]) for name in ParetoNBDParams.names()]
    else:
        if not (history.x > 0).any():
            raise invalid(
                "log", "<no repeat purchase>",
                "has no repeat purchase in the calibration period: nothing to fit",
            )  # fmt: skip
        plain = ParetoNBD().fit((history.x, history.t_x, history.T), time_unit=unit)
        base = list(plain.params.to_tuple())
        for k, name in enumerate(ParetoNBDParams.names()):
            if name in given:
                base[k] = float(given[name])
    ParetoNBDParams(*base)  # validates
    coefs = [float(given.get(name, 0.0)) for name in spec.coefficient_names()]
    return np.array([*base, *coefs], dtype=np.float64)


def _summary(history: _History, unit: TimeUnit, calibration_end: object) -> CustomerSummary:
    first = history.first_day.astype("datetime64[D]").astype("datetime64[ns]")
    end = np.datetime64(calibration_end, "D").astype("datetime64[ns]")  # type: ignore[call-overload]
    return CustomerSummary(
        history.customer_ids,
        history.x.astype(np.int64),
        history.t_x.astype(np.float64),
        history.T.astype(np.float64),
        np.zeros(history.x.shape[0]),
        first_purchase=first,
        time_unit=unit,
        period=TimeUnit.DAY,
        observation_end=end,
    )


def _check_vary(spec: CovariateSpec, runs: _Runs) -> None:
    """Refuse a covariate with one value in every period the likelihood uses."""
    for name in spec.columns():
        if name in spec.purchase:
            column = runs.purchase[:, spec.purchase.index(name)]
        else:
            column = runs.dropout[:, spec.dropout.index(name)]
        if column.shape[0] and np.all(column == column[0]):
            raise invalid(
                name,
                float(column[0]),
                "is the same for every customer and calibration period: its coefficient is"
                " confounded with alpha or beta",
                "Drop it from the model.",
            )


@attrs.frozen(eq=False)
class _Prepared:
    """Everything the likelihood needs, built once per fit."""

    spec: CovariateSpec
    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    purchase_sum: FloatArray
    runs: _Runs
    weights: FloatArray | None = None

    @classmethod
    def build(
        cls,
        spec: CovariateSpec,
        history: _History,
        cov: TimeVaryingCovariates,
        unit: TimeUnit,
        *,
        fitting: bool = False,
    ) -> _Prepared:
        grid0 = _grid(cov, unit)
        source = _Source.of(cov, history.customer_ids, spec)
        step = float(_PERIOD_DAYS[unit])
        begin = (history.first_day - grid0) / step
        runs = _runs(source, begin, begin + history.T, history.customer_ids)
        if fitting:
            _check_vary(spec, runs)
        period = (history.repeat_day - grid0) // _PERIOD_DAYS[unit]
        purchase_sum = np.zeros((history.x.shape[0], len(spec.purchase)))
        np.add.at(
            purchase_sum,
            history.repeat_customer,
            source.take(history.repeat_customer, period, source.purchase),
        )
        return cls(spec, history.x, history.t_x, history.T, purchase_sum, runs)

    def compressed(self) -> _Prepared:
        """Identical customers (same history, same covariate runs) merged, with weights."""
        runs = self.runs
        seen: dict[bytes, int] = {}
        keep: list[int] = []
        counts: list[float] = []
        for i in range(self.x.shape[0]):
            lo, hi = int(runs.ptr[i]), int(runs.ptr[i + 1])
            key = b"".join(
                (
                    np.array([self.x[i], self.t_x[i], self.T[i]]).tobytes(),
                    self.purchase_sum[i].tobytes(),
                    runs.start[lo:hi].tobytes(),
                    runs.end[lo:hi].tobytes(),
                    runs.purchase[lo:hi].tobytes(),
                    runs.dropout[lo:hi].tobytes(),
                )
            )
            row = seen.get(key)
            if row is None:
                seen[key] = len(keep)
                keep.append(i)
                counts.append(1.0)
            else:
                counts[row] += 1.0
        rows = np.array(keep, dtype=np.int64)
        sizes = runs.ptr[rows + 1] - runs.ptr[rows]
        ptr = np.zeros(rows.shape[0] + 1, dtype=np.int64)
        np.cumsum(sizes, out=ptr[1:])
        take = np.concatenate(
            [np.arange(runs.ptr[i], runs.ptr[i + 1]) for i in rows] or [np.zeros(0, np.int64)]
        )
        return _Prepared(
            self.spec,
            self.x[rows],
            self.t_x[rows],
            self.T[rows],
            self.purchase_sum[rows],
            _Runs(
                ptr,
                runs.start[take],
                runs.end[take],
                np.ascontiguousarray(runs.purchase[take]),
                np.ascontiguousarray(runs.dropout[take]),
            ),
            np.array(counts),
        )

    def kernel_params(self, theta: FloatArray) -> FloatArray:
        g_p, g_d = self.spec.expand(theta[4:])
        return np.concatenate([theta[:4], g_p, g_d])

    def evaluate(
        self, theta: FloatArray, *, grad: bool
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        runs = self.runs
        return loglik(
            self.kernel_params(theta),
            len(self.spec.purchase),
            self.x,
            self.t_x,
            self.T,
            self.purchase_sum,
            runs.ptr,
            runs.start,
            runs.end,
            runs.purchase,
            runs.dropout,
            grad=grad,
            parallel=self.x.shape[0] >= _PARALLEL_ROWS,
        )

    def objective(self, theta: FloatArray) -> tuple[float, FloatArray]:
        values, gradients, _ = self.evaluate(theta, grad=True)
        if self.weights is None:
            total, g = float(values.sum()), gradients.sum(axis=0)
        else:
            total, g = float(values @ self.weights), self.weights @ gradients
        kp = len(self.spec.purchase)
        g_cov = self.spec.gradient(g[4 : 4 + kp], g[4 + kp :])
        return total, np.concatenate([g[:4], g_cov])


# ---------------------------------------------------------------------------------------------
# The fitted model


@attrs.frozen(eq=False, repr=False, kw_only=True)
class FittedDynamicParetoNBD(FittedModel[ParetoNBDParams], PurchasePredictions):
    """A Pareto/NBD with time-varying covariates, with its customers and covariates.

    Parameters
    ----------
    params : ParetoNBDParams
        ``r, alpha, s, beta`` (``alpha``, ``beta`` per ``time_unit``: the rates when every
        covariate is 0).
    fit : FitStatistics or None
        Estimation results (standard errors: base parameters, then coefficients).
    time_unit : TimeUnit
        Unit of time, equal to the covariates' period.
    spec : CovariateSpec
        Which covariates act on which process.
    coefficients : dict of str to float
        ``purchase.<c>``, ``dropout.<c>``, ``equal.<c>`` (see
        :meth:`CovariateSpec.coefficient_names`).
    customers : CustomerSummary or None
        The calibration history of the fitted customers (frequency, recency, ``T``, first
        purchase day, calibration end): predictions for them need nothing else.
    covariates : TimeVaryingCovariates or None
        Covariates of the customers, future periods included.

    Notes
    -----
    Given the history, the posterior of a customer who is alive at ``T`` is
    ``λ ~ Gamma(r + x, α + A(T))`` and ``μ ~ Gamma(s, β + C(T))``, so::

        B = (α + A(T))^(−(r+x)) (β + C(T))^(−s)
        P(alive) = B / [B + s ∫_{t_x}^T c (α + A)^(−(r+x)) (β + C)^(−(s+1)) dτ]
        E[X(T, T + t)] = P(alive) (r + x) / (α + A(T))
                         · ∫_T^{T+t} a(u) ((β + C(T)) / (β + C(u)))^s du

    with the exposures ``A``, ``C`` of the class docstring of :class:`DynamicParetoNBD`,
    integrated exactly period by period (Bachmann, Meierer & Näf 2021; CLVTools'
    ``pnbd_dyncov_palive`` and ``pnbd_dyncov_CET`` compute the same quantities).

    Examples
    --------
    >>> import numpy as np
    >>> from ecomstrat import TransactionLog
    >>> from ecomstrat.frames.covariates import TimeVaryingCovariates, _positions
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "b"], ["2024-01-01", "2024-01-15", "2024-01-01"], [1.0, 1.0, 1.0])
    >>> cov = TimeVaryingCovariates.from_table({
    ...     "customer_id": np.repeat(["a", "b"], 8),
    ...     "cov_date": np.tile(np.arange("2024-01-01", "2024-02-26", 7, dtype="datetime64[D]"), 2),
    ...     "promo": np.tile([0, 1, 0, 0, 1, 1, 0, 0], 2)})
    >>> m = DynamicParetoNBD(purchase=["promo"], dropout=["promo"]).from_params(
    ...     r=0.8, alpha=5, s=0.6, beta=10, time_unit="week",
    ...     coefficients={"purchase.promo": 0.5, "dropout.promo": -0.2}, covariates=cov)
    >>> data = m.customers_of(log, calibration_end="2024-01-29")
    >>> m.probability_alive(data).round(4).tolist()
    [0.8911, 0.7822]
    >>> m.conditional_expected_purchases(4, data).round(4).tolist()
    [0.8294, 0.3236]
    """

    name: ClassVar[str] = "Pareto/NBD with time-varying covariates"

    time_unit: TimeUnit = attrs.field(converter=to_time_unit)
    spec: CovariateSpec
    coefficients: dict[str, float]
    customers: CustomerSummary | None = None
    covariates: TimeVaryingCovariates | None = None

    # -- inputs ---------------------------------------------------------------------------

    def customers_of(self, log: TransactionLog, *, calibration_end: object) -> CustomerSummary:
        """The calibration summary of ``log`` as this model reads it (same-day purchases merged).

        It carries each customer's first purchase day and ``calibration_end``, which the
        predictions need to place the customer on the covariate grid.
        """
        return _summary(
            _history(log, calibration_end, self.time_unit), self.time_unit, calibration_end
        )

    def _state(
        self, data: CustomerSummary | None, covariates: object | None
    ) -> tuple[CustomerSummary, _Source, FloatArray]:
        """Summary, where its covariates are, grid position of each first purchase."""
        if data is None:
            if self.customers is None:
                raise invalid(
                    "data", None, "is needed: this model stores no customers",
                    "Pass a summary from customers_of(log, calibration_end=...).",
                )  # fmt: skip
            data = self.customers
        if not isinstance(data, CustomerSummary):
            raise invalid(
                "data",
                type(data).__name__,
                "must be a CustomerSummary (the customers' ids place them on the covariate grid)",
                "Use customers_of(log, calibration_end=...) or rfm_summary(log, ...).",
            )
        data = data.to_unit(self.time_unit)
        first = data.first_purchase
        if first is None:
            if self.customers is None or self.customers.first_purchase is None:
                raise invalid(
                    "data", "<summary without first_purchase>",
                    "needs each customer's first purchase date to place them on the covariate grid",
                    "Use customers_of(log, calibration_end=...).",
                )  # fmt: skip
            stored = self.customers
            index = {key: i for i, key in enumerate(stored.customer_ids.tolist())}
            missing = [c for c in data.customer_ids.tolist() if c not in index]
            if missing:
                raise invalid(
                    "data", f"<{len(missing)} unknown customer(s), e.g. {missing[:3]}>",
                    "has customers this model was not fitted on, and no first_purchase column",
                )  # fmt: skip
            rows = np.array([index[c] for c in data.customer_ids.tolist()], dtype=np.int64)
            assert stored.first_purchase is not None
            first = stored.first_purchase[rows]
        cov = self.covariates if covariates is None else _as_covariates(covariates, self.time_unit)
        if cov is None:
            raise invalid(
                "covariates", None, "are needed: this model stores none",
                "Pass covariates=TimeVaryingCovariates.from_table(...).",
            )  # fmt: skip
        grid0 = _grid(cov, self.time_unit)
        source = _Source.of(cov, data.customer_ids, self.spec)
        step = float(_PERIOD_DAYS[self.time_unit])
        first_day = first.astype("datetime64[D]").astype(np.int64)
        return data, source, (first_day - grid0) / step

    def _theta(self) -> FloatArray:
        vector = self.spec.coefficient_vector(self.coefficients)
        g_p, g_d = self.spec.expand(vector)
        return np.concatenate([np.array(self.params.to_tuple()), g_p, g_d])

    def _past(
        self, data: CustomerSummary | None, covariates: object | None
    ) -> tuple[CustomerSummary, _Source, FloatArray, FloatArray]:
        """State plus ``extra`` = (log P(alive), A(T), C(T)) per customer."""
        summary, source, begin = self._state(data, covariates)
        x = summary.frequency.astype(np.float64)
        runs = _runs(source, begin, begin + summary.T, summary.customer_ids)
        _, _, extra = loglik(
            self._theta(),
            len(self.spec.purchase),
            x,
            summary.recency,
            summary.T,
            np.zeros((x.shape[0], len(self.spec.purchase))),
            runs.ptr,
            runs.start,
            runs.end,
            runs.purchase,
            runs.dropout,
            grad=False,
            parallel=x.shape[0] >= _PARALLEL_ROWS,
        )
        return summary, source, begin, extra

    # -- predictions --------------------------------------------------------------------------

    def probability_alive(
        self, data: CustomerSummary | None = None, *, covariates: object | None = None
    ) -> FloatArray:
        """``P(alive at T | history, covariates)`` per customer of ``data``.

        Parameters
        ----------
        data : CustomerSummary, optional
            The customers (default: the fitted ones). A summary without ``first_purchase``
            must hold fitted customers (looked up by id).
        covariates : TimeVaryingCovariates or table, optional
            Instead of the stored covariates (aligned by the customers' ids).

        Returns
        -------
        ndarray of float64
        """
        extra = self._past(data, covariates)[-1]
        return np.exp(extra[:, 0])

    def _future(
        self,
        t: TimeLike,
        data: CustomerSummary | None,
        covariates: object | None,
        delta: float,
    ) -> FloatArray:
        summary, source, begin, extra = self._past(data, covariates)
        cov = source.cov
        n = summary.frequency.shape[0]
        horizon = times("t", t)
        if horizon.ndim == 0:
            horizon = np.full(n, float(horizon))
        elif horizon.shape != (n,):
            raise invalid(
                "t",
                f"<array of shape {horizon.shape}>",
                f"must be a number or hold one horizon per customer ({n})",
            )
        if not np.all(np.isfinite(horizon)):
            raise invalid(
                "t", "inf", "must be finite: predictions need the covariates up to T + t",
                f"The covariates end on {cov.period_starts[-1]} (+ one {cov.period.value}).",
            )  # fmt: skip
        start = begin + summary.T
        runs = _runs(source, start, start + horizon, summary.customer_ids)
        return expected_future(
            self._theta(),
            len(self.spec.purchase),
            summary.frequency.astype(np.float64),
            np.ascontiguousarray(extra[:, 0]),
            np.ascontiguousarray(extra[:, 1]),
            np.ascontiguousarray(extra[:, 2]),
            runs.ptr,
            runs.start,
            runs.end,
            runs.purchase,
            runs.dropout,
            delta=delta,
            parallel=n >= _PARALLEL_ROWS,
        )

    def conditional_expected_purchases(
        self, t: TimeLike, data: CustomerSummary | None = None, *, covariates: object | None = None
    ) -> FloatArray:
        """``E[X(T, T + t] | history]`` over the future covariate path, per customer.

        Parameters
        ----------
        t : float or array of float
            Horizon in ``time_unit`` (one, or one per customer); the covariates must cover
            every period up to ``T + t``.
        data, covariates
            As in :meth:`probability_alive`.

        Raises
        ------
        InvalidInputError
            Naming ``covariates`` when they end before ``T + t`` for some customer.
        """
        return self._future(t, data, covariates, -1.0)

    def expected_residual_purchases(
        self,
        data: CustomerSummary | None = None,
        *,
        annual_discount_rate: float,
        horizon: float = math.inf,
        covariates: object | None = None,
    ) -> FloatArray:
        """Discounted expected purchases in ``(T, T + horizon]`` (DERT over a finite horizon).

        ``∫_0^horizon e^(−δu) dE[X(T, T + u) | history]`` with ``δ`` the continuous rate
        per ``time_unit`` of ``annual_discount_rate``. The covariates must cover the
        horizon, so it must be finite (an infinite horizon needs covariates for ever).
        """
        if not math.isfinite(float(horizon)):
            raise invalid(
                "horizon", horizon,
                "must be finite: the covariates are known only up to their last period",
                "Pass the horizon the covariates cover.",
            )  # fmt: skip
        check_discount_rate("annual_discount_rate", annual_discount_rate, horizon=horizon)
        delta = continuous_discount_rate(annual_discount_rate, self.time_unit)
        return self._future(horizon, data, covariates, max(delta, 0.0))

    def expected_purchases(self, t: TimeLike) -> FloatArray:
        """Expected repeat purchases of a new customer whose covariates stay 0 (the baseline)."""
        return self._baseline().expected_purchases(t)

    def probability_of_purchases(self, n: TimeLike, t: TimeLike) -> FloatArray:
        """``P(X(t) = n)`` for a new customer whose covariates stay 0 (the baseline)."""
        return self._baseline().probability_of_purchases(n, t)

    def _baseline(self) -> FittedParetoNBD:
        return FittedParetoNBD(params=self.params, time_unit=self.time_unit)

    # -- likelihood -----------------------------------------------------------------------------

    def customer_log_likelihood(
        self, log: TransactionLog, *, calibration_end: object, covariates: object | None = None
    ) -> FloatArray:
        """``log L`` of each customer of ``log`` (in the order of :meth:`customers_of`)."""
        cov = self.covariates if covariates is None else _as_covariates(covariates, self.time_unit)
        if cov is None:
            raise invalid("covariates", None, "are needed: this model stores none")
        history = _history(log, calibration_end, self.time_unit)
        prepared = _Prepared.build(self.spec, history, cov, self.time_unit)
        vector = self.spec.coefficient_vector(self.coefficients)
        theta = np.concatenate([np.array(self.params.to_tuple()), vector])
        return prepared.evaluate(theta, grad=False)[0]

    def log_likelihood(
        self, log: TransactionLog, *, calibration_end: object, covariates: object | None = None
    ) -> float:
        """Total log-likelihood of ``log`` (see :meth:`customer_log_likelihood`)."""
        return float(
            self.customer_log_likelihood(
                log, calibration_end=calibration_end, covariates=covariates
            ).sum()
        )
