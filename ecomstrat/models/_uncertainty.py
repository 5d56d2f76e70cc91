"""Parameter uncertainty of fitted models: draws of the parameters, prediction intervals.

The estimates of a maximum-likelihood fit are asymptotically normal; their logarithms are
closer to normal than the parameters (which are positive and skewed), so the draws are taken
on the log scale, ``log θ ~ N(log θ̂, Σ_log)`` with ``Σ_log = D⁻¹ Σ D⁻¹``, ``D = diag(θ̂)`` (the
delta method applied to the fit's covariance ``Σ`` of the natural parameters). A prediction
interval evaluates a prediction at every draw (the vectorised kernels run once per draw, over
all customers) and takes the quantiles across draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import check_number, invalid
from ecomstrat.frames._export import Tabular
from ecomstrat.models._predictions import (
    CustomerPredictions,
    customer_predictions,
    given_customer_ids,
)

if TYPE_CHECKING:
    from ecomstrat.models._base import FittedModel

__all__ = [
    "PredictionInterval",
    "PurchasePredictions",
    "parameter_draws",
    "prediction_interval",
]


@attrs.frozen(eq=False, repr=False)
class PredictionInterval(Tabular):
    """A prediction per customer with an interval for the uncertainty of the parameters.

    A table: :meth:`columns` (``customer_id`` when known, ``estimate``, ``lower``,
    ``upper``), and ``to_pandas()`` (indexed by customer id when known), ``to_polars()``,
    ``to_arrow()``.

    Attributes
    ----------
    estimate : ndarray of float64
        The prediction at the estimates (the maximum-likelihood point).
    lower, upper : ndarray of float64
        The ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the prediction over
        draws of the parameters from their asymptotic normal distribution (log scale).
    level : float
        Probability content of the interval, in (0, 1).
    n_draws : int
        Number of parameter draws.
    customer_ids : ndarray or None
        The summary's customer ids, or ``None`` when the data had none.

    Notes
    -----
    The interval carries the uncertainty of the estimated parameters only: it is where the
    *expected* value (or the probability) for each customer lies, given the data the model
    was fitted on. It does not contain the randomness of the purchases themselves: the
    number a customer will actually buy varies around its expectation far more, which the
    conditional distribution of future purchases describes.
    """

    estimate: FloatArray
    lower: FloatArray
    upper: FloatArray
    level: float
    n_draws: int
    customer_ids: AnyArray | None = None

    _pandas_index: ClassVar[str | None] = "customer_id"

    def __len__(self) -> int:
        return int(self.estimate.shape[0])

    def __repr__(self) -> str:
        return (
            f"PredictionInterval({len(self)} customers, level={self.level:g},"
            f" n_draws={self.n_draws})"
        )

    def _export_index(self) -> str | None:
        return None if self.customer_ids is None else self._pandas_index

    def columns(self) -> dict[str, AnyArray]:
        """``customer_id`` (when known), ``estimate``, ``lower`` and ``upper``."""
        ids = {} if self.customer_ids is None else {"customer_id": self.customer_ids}
        return {**ids, "estimate": self.estimate, "lower": self.lower, "upper": self.upper}


def parameter_draws(
    fitted: FittedModel[Any], *, n_draws: int = 1000, seed: int | None = None
) -> FloatArray:
    """Draws of the parameters from their asymptotic normal distribution on the log scale.

    See :meth:`ecomstrat.models._base.FittedModel.parameter_draws`.
    """
    return _draws(fitted, _count(n_draws), np.random.default_rng(_seed(seed)))


def prediction_interval(
    predict: Callable[..., FloatArray],
    models: Sequence[FittedModel[Any]],
    *,
    customer_ids: AnyArray | None,
    level: float,
    n_draws: int,
    seed: int | None,
) -> PredictionInterval:
    """``predict(*models)`` at the estimates, and its quantiles over parameter draws.

    The models' parameters are drawn independently (one stream per model, spawned from
    ``seed``; a single model uses ``default_rng(seed)``, as :func:`parameter_draws` does), and
    ``predict`` is called once per draw with a copy of each model at the drawn parameters.
    """
    probability = _level(level)
    count = _count(n_draws)
    estimate = np.asarray(predict(*models), dtype=np.float64)
    root = np.random.SeedSequence(_seed(seed))
    streams = (
        [np.random.default_rng(_seed(seed))]
        if len(models) == 1
        else [np.random.default_rng(child) for child in root.spawn(len(models))]
    )
    draws = [_draws(model, count, rng) for model, rng in zip(models, streams, strict=True)]
    values = np.empty((count, estimate.size))
    for k in range(count):
        drawn = [_at(model, d[k]) for model, d in zip(models, draws, strict=True)]
        values[k] = predict(*drawn)
    lower, upper = np.quantile(values, [(1.0 - probability) / 2, (1.0 + probability) / 2], axis=0)
    return PredictionInterval(estimate, lower, upper, probability, count, customer_ids)


class PurchasePredictions:
    """What every fitted purchase model offers on top of its own predictions (a mixin).

    The per-customer table (:meth:`predictions`) and the prediction intervals, built on the
    model's ``probability_alive`` and ``conditional_expected_purchases``.
    """

    __slots__ = ()

    def predictions(self, data: Any, *, t: float) -> CustomerPredictions:
        """P(alive) and expected purchases in the next ``t`` time units, keyed by customer id.

        Parameters
        ----------
        data : CustomerSummary, table or tuple of arrays
            As for ``probability_alive``; ids come from the summary, from a table's
            ``customer_id`` column (pandas: or index), else they are row numbers.
        t : float
            Horizon of ``expected_purchases``, in the model's time unit (opportunities for
            BG/BB).

        Returns
        -------
        CustomerPredictions
            A table (``to_pandas()``, ``to_polars()``, ``to_arrow()``) of ``customer_id``,
            the inputs, ``probability_alive`` and ``expected_purchases``.
        """
        model: Any = self
        return customer_predictions(model, data, t=t)

    def probability_alive_interval(
        self, data: Any, *, level: float = 0.9, n_draws: int = 1000, seed: int | None = None
    ) -> PredictionInterval:
        """P(alive) per customer, with an interval for the uncertainty of the parameters.

        Parameters
        ----------
        data : CustomerSummary or tuple of arrays
            As for ``probability_alive``.
        level : float
            Probability content of the interval, in (0, 1) (default 0.9).
        n_draws : int
            Parameter draws (default 1000; >= 1).
        seed : int, optional
            Seed of the draws (the same seed gives the same interval).

        Returns
        -------
        PredictionInterval
            ``estimate`` (P(alive) at the estimates), ``lower`` and ``upper``.

        Raises
        ------
        InvalidInputError
            If the model was not fitted (``from_params``: no covariance), its covariance
            is not usable (a boundary estimate), or an argument is invalid.

        Notes
        -----
        The parameters are drawn from the asymptotic normal distribution of their logarithms
        (:meth:`parameter_draws`); the interval holds the parameter uncertainty only (see
        :class:`~ecomstrat.PredictionInterval`).
        """
        model: Any = self
        return prediction_interval(
            lambda m: m.probability_alive(data),
            [model],
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
    ) -> PredictionInterval:
        """Expected purchases in ``(T, T + t]`` per customer, with a parameter interval.

        Parameters
        ----------
        t : float or array_like
            As for ``conditional_expected_purchases``.
        data : CustomerSummary or tuple of arrays
            As for ``conditional_expected_purchases``.
        level : float
            Probability content of the interval, in (0, 1) (default 0.9).
        n_draws : int
            Parameter draws (default 1000; >= 1).
        seed : int, optional
            Seed of the draws (the same seed gives the same interval).

        Returns
        -------
        PredictionInterval
            ``estimate`` (the expectation at the estimates), ``lower`` and ``upper``.

        Raises
        ------
        InvalidInputError
            If the model was not fitted (``from_params``: no covariance), its covariance
            is not usable (a boundary estimate), or an argument is invalid.

        Notes
        -----
        The interval is for the *expected* number of purchases given each customer's
        history: it carries the uncertainty of the parameters, not the randomness of the
        purchases (the conditional distribution of the number of purchases describes that).
        """
        model: Any = self
        return prediction_interval(
            lambda m: m.conditional_expected_purchases(t, data),
            [model],
            customer_ids=given_customer_ids(data),
            level=level,
            n_draws=n_draws,
            seed=seed,
        )


def _draws(fitted: FittedModel[Any], n_draws: int, rng: np.random.Generator) -> FloatArray:
    name = type(fitted).__name__
    if fitted.fit is None:
        raise invalid(
            "model",
            name,
            "has no covariance: its parameters were given (from_params), not estimated",
            "Fit the model on data (Model().fit(...)) to draw its parameters.",
        )
    if fitted.fit.diagnostics.at_boundary:
        raise invalid(
            "model",
            name,
            "is a boundary estimate (a mixing distribution collapsed), whose covariance is not"
            " valid",
            "Refit with a penalty (e.g. fit(..., penalty=0.1)) for finite estimates.",
        )
    theta, real = _vector(fitted)
    scale = np.where(real, 1.0, theta)
    covariance = np.asarray(fitted.fit.covariance, dtype=np.float64) / np.outer(scale, scale)
    try:
        factor = np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:
        factor = None
    if factor is None or not np.all(np.isfinite(factor)):
        raise invalid(
            "model",
            name,
            "has a covariance that is not finite and positive definite (a flat likelihood)",
            "Refit with a penalty (e.g. fit(..., penalty=0.1)).",
        )
    normal = rng.standard_normal((n_draws, theta.size))
    centre = np.where(real, theta, np.log(scale))
    drawn = centre + normal @ factor.T
    return np.asarray(np.where(real, drawn, np.exp(np.where(real, 0.0, drawn))), dtype=np.float64)


def _vector(fitted: FittedModel[Any]) -> tuple[FloatArray, AnyArray]:
    """The parameters, then the covariate coefficients (if any), and which are coefficients.

    Positive parameters are drawn on the log scale; coefficients, real-valued, on their own.
    """
    coefficients: dict[str, float] = getattr(fitted, "coefficients", {})
    base = np.asarray(fitted.params.to_tuple(), dtype=np.float64)
    extra = np.asarray(list(coefficients.values()), dtype=np.float64)
    real = np.concatenate([np.zeros(base.size, dtype=bool), np.ones(extra.size, dtype=bool)])
    return np.concatenate([base, extra]), real


def _at(fitted: FittedModel[Any], theta: FloatArray) -> FittedModel[Any]:
    """A copy of ``fitted`` at parameters ``theta`` (without fit statistics).

    ``theta`` holds the parameters, then the covariate coefficients of a covariate model.
    """
    n_params = len(fitted.params.names())
    params = type(fitted.params)(*map(float, theta[:n_params]))
    coefficients: dict[str, float] | None = getattr(fitted, "coefficients", None)
    if coefficients is None:
        return attrs.evolve(fitted, params=params, fit=None)
    drawn = dict(zip(coefficients, map(float, theta[n_params:]), strict=True))
    return attrs.evolve(fitted, params=params, coefficients=drawn, fit=None)  # type: ignore[call-arg]


def _level(level: float) -> float:
    value = check_number("level", level)
    if not 0.0 < value < 1.0:
        raise invalid("level", level, "must be in (0, 1)", "E.g. 0.9 for a 90% interval.")
    return value


def _count(n_draws: int) -> int:
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise invalid("n_draws", n_draws, "must be a whole number >= 1", "E.g. 1000.")
    return int(n_draws)


def _seed(seed: int | None) -> int | None:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise invalid("seed", seed, "must be a whole number or None")
    return None if seed is None else int(seed)
