"""Per-customer results as partition-wise maps: predictions, CLV, lifecycle stages, scores.

Each of these is a function of one customer's own history (and of parameters fitted once), so
it runs on each partition of a :class:`DaskSummary` (or of the orders shuffled by customer)
with the single-machine function, and the partitions are concatenated: a Dask DataFrame keyed
by customer id whose rows equal the single-machine ones. The ``meta`` of every map comes from
a dry run of the same function on a one-customer summary, so the declared dtypes are those the
partitions return.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ecomstrat._validation import invalid, shown
from ecomstrat.dask._summary import (
    DaskSummary,
    Units,
    by_customer,
    dry_run,
    map_logs,
    order_columns,
    summary_of,
    timezone_of,
)
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import NS, to_instant
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle.policy import LifecyclePolicy
from ecomstrat.lifecycle.stages import stage_customers as _stage_customers
from ecomstrat.metrics.clv import (
    customer_lifetime_value as _clv,
    customer_lifetime_value_interval as _clv_interval,
)
from ecomstrat.models._protocols import TransactionModel
from ecomstrat.models.gamma_gamma import FittedGammaGamma, NonPositiveSpend
from ecomstrat.scoring.builtin import CLVScorer, RFMScorer
from ecomstrat.scoring.context import Scorer, Scores, ScoringContext
from ecomstrat.scoring.registry import ScorerRegistry, default_registry

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

__all__ = [
    "customer_lifetime_value",
    "customer_lifetime_value_interval",
    "predictions",
    "score",
    "stage_customers",
]


def predictions(data: DaskSummary, *, model: Any, t: float) -> dd.DataFrame:
    """``model.predictions(summary, t=t)`` of every partition: P(alive), expected purchases.

    Parameters
    ----------
    data : DaskSummary
        The customers.
    model : FittedBGNBD, FittedMBGNBD, FittedParetoNBD or FittedBGBB
        A fitted purchase model. BG/BB reads the summary in purchase periods (``recency``
        and ``periods = T`` as whole opportunities).
    t : float
        Horizon, in the model's time unit (opportunities for BG/BB).

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :meth:`CustomerPredictions.to_pandas`, indexed by ``customer_id``.
    """
    return _map_summary(data, functools.partial(_predict, model, t), known=_known_id(model))


def customer_lifetime_value(
    data: DaskSummary,
    *,
    purchase_model: TransactionModel,
    spend: FittedGammaGamma,
    horizon: float,
    horizon_unit: TimeUnit | str = "month",
    annual_discount_rate: float = 0.10,
    gross_margin_rate: float = 1.0,
    non_positive: NonPositiveSpend = "exclude",
) -> dd.DataFrame:
    """:func:`ecomstrat.customer_lifetime_value` of every partition.

    The arguments are those of the single-machine function, except that ``spend`` must be a
    fitted Gamma-Gamma model and ``gross_margin_rate`` one number (per-customer arrays do
    not follow the partitions; add them as columns of the result instead).

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :meth:`LifetimeValues.to_pandas`, indexed by ``customer_id``.
    """
    _check_spend(spend)
    function = functools.partial(
        _clv,
        purchase_model=purchase_model,
        spend=spend,
        horizon=horizon,
        horizon_unit=horizon_unit,
        annual_discount_rate=annual_discount_rate,
        gross_margin_rate=gross_margin_rate,
        non_positive=non_positive,
    )
    return _map_summary(data, function, known=_known_id(purchase_model))


def customer_lifetime_value_interval(
    data: DaskSummary,
    *,
    purchase_model: TransactionModel,
    spend: FittedGammaGamma,
    horizon: float,
    horizon_unit: TimeUnit | str = "month",
    annual_discount_rate: float = 0.10,
    gross_margin_rate: float = 1.0,
    non_positive: NonPositiveSpend = "exclude",
    level: float = 0.9,
    n_draws: int = 1000,
    seed: int | None = None,
) -> dd.DataFrame:
    """:func:`ecomstrat.customer_lifetime_value_interval` of every partition.

    Every partition draws the same parameters: a ``seed`` of ``None`` is replaced by one
    random seed chosen here, so each customer's interval is the one the single-machine
    function gives with that seed.

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :meth:`PredictionInterval.to_pandas`, indexed by ``customer_id``.
    """
    _check_spend(spend)
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    function = functools.partial(
        _clv_interval,
        purchase_model=purchase_model,
        spend=spend,
        horizon=horizon,
        horizon_unit=horizon_unit,
        annual_discount_rate=annual_discount_rate,
        gross_margin_rate=gross_margin_rate,
        non_positive=non_positive,
        level=level,
        n_draws=n_draws,
        seed=seed,
    )
    return _map_summary(data, function, known=_known_id(purchase_model))


def score(
    data: DaskSummary, *, names: str | Sequence[str], model: TransactionModel | None = None
) -> dd.DataFrame:
    """Score every partition with the named scorers (see :func:`ecomstrat.scoring.score`).

    A scorer that reads one customer at a time (``p_alive``, ``churn_risk``, a ``clv``
    scorer given its ``spend_model``, most plugins) gives on each partition what it gives on
    the whole summary. Two built-ins read the whole base and are refused: ``rfm`` ranks
    customers against each other (quintiles), and a :class:`~ecomstrat.scoring.CLVScorer`
    without ``spend_model`` (the registered ``clv``) fits a Gamma-Gamma model on the
    summary it is given. Scorers that need the log or engagement counts are not available on
    a distributed summary.

    Parameters
    ----------
    data : DaskSummary
        The customers.
    names : str or sequence of str
        Scorer names (built-in or installed).
    model : TransactionModel, optional
        The fitted model the model-based scorers read.

    Returns
    -------
    dask.dataframe.DataFrame
        One column per scorer, indexed by ``customer_id``.

    Raises
    ------
    InvalidInputError
        For a scorer that reads the whole base (see above).
    """
    wanted = (names,) if isinstance(names, str) else tuple(names)
    scorers = tuple(default_registry.get(name) for name in wanted)
    for name, scorer in zip(wanted, scorers, strict=True):
        if isinstance(scorer, RFMScorer):
            raise invalid(
                "names",
                name,
                "ranks each customer against the whole base (quintiles), which a"
                " partition cannot see",
                "Score the computed summary: ecomstrat.scoring.score("
                "ScoringContext(summary.compute()), names=...).",
            )
        if isinstance(scorer, CLVScorer) and scorer.spend_model is None:
            raise invalid(
                "names",
                name,
                "fits a Gamma-Gamma model on the customers it scores, which would be one"
                " partition's",
                "Register a CLVScorer(spend_model=ecomstrat.dask.fit(summary,"
                " model=GammaGamma()), name=...) and score with that name.",
            )
    return _map_summary(data, functools.partial(_score, scorers, model), known=_known_id(model))


def stage_customers(
    orders: dd.DataFrame,
    *,
    observation_end: object,
    customer_id: str = "customer_id",
    time: str = "time",
    amount: str = "amount",
    policy: LifecyclePolicy | None = None,
) -> dd.DataFrame:
    """:func:`ecomstrat.stage_customers` of a Dask DataFrame of orders.

    Stages read a customer's whole order history, so the orders are shuffled by customer
    as for :func:`ecomstrat.dask.rfm_summary`, then each partition is staged on its own.

    Parameters
    ----------
    orders : dask.dataframe.DataFrame
        One row per order, in any partitioning.
    observation_end : datetime, date, str or numpy.datetime64
        The date to stage at.
    customer_id, time, amount : str
        Column names, as in :func:`ecomstrat.dask.rfm_summary`.
    policy : RuleBasedPolicy or ModelBasedPolicy, optional
        Defaults to ``RuleBasedPolicy()``.

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :meth:`LifecycleStages.to_pandas` (``stage``, ``phase``), indexed by
        ``customer_id``.
    """
    columns = order_columns(orders, customer_id, time, amount, None)
    end = to_instant("observation_end", observation_end, timezone_of(orders, time))

    def stage(log: TransactionLog) -> pd.DataFrame:
        return _stage_customers(log, observation_end=end, policy=policy).to_pandas()

    return map_logs(by_customer(orders, columns), columns, stage, dry_run(orders, columns, end))


def _check_spend(spend: object) -> None:
    if not isinstance(spend, FittedGammaGamma):
        raise invalid(
            "spend",
            shown(spend),
            "must be a fitted GammaGamma model on a distributed summary",
            "Per-customer spend arrays do not follow the partitions; fit one with"
            " ecomstrat.dask.fit(summary, model=GammaGamma()).",
        )


def _predict(model: Any, t: float, summary: CustomerSummary) -> Tabular:
    if getattr(model, "time_unit", None) is not None:
        return model.predictions(summary, t=t)  # type: ignore[no-any-return]
    import pandas as pd

    periods = summary.to_unit(summary.period)
    table = pd.DataFrame(
        {"frequency": periods.frequency, "recency": periods.recency, "periods": periods.T},
        index=pd.Index(periods.customer_ids, name="customer_id"),
    )
    return model.predictions(table, t=t)  # type: ignore[no-any-return]


def _score(
    scorers: tuple[Scorer, ...], model: TransactionModel | None, summary: CustomerSummary
) -> Scores:
    """The scores of ``scorers``, resolved on the client (a worker may not know them)."""
    registry = ScorerRegistry(builtins={}, plugins=False)
    for scorer in scorers:
        registry.register(scorer)
    context = ScoringContext(summary, model=model)
    return registry.score(context, names=[s.name for s in scorers], errors="raise")


def _known_id(model: object) -> object | None:
    """A customer id a covariate model knows (its dry run needs that customer's covariates)."""
    ids = getattr(getattr(model, "covariates", None), "customer_ids", None)
    return None if ids is None or len(ids) == 0 else ids[0]


def _map_summary(
    data: DaskSummary, function: Callable[[CustomerSummary], Any], *, known: object | None = None
) -> dd.DataFrame:
    """``function(summary).to_pandas()`` of every partition, ``meta`` from a dry run.

    ``known``: the id of the dry run's customer (default ``0`` or ``"0"``), for models that
    look each customer up (the stored covariates of a covariate model).
    """
    meta = function(_probe(data, known)).to_pandas().iloc[:0]
    mapped: dd.DataFrame = data.frame.map_partitions(
        _apply_summary, data.units, function, meta, meta=meta
    )
    return mapped


def _apply_summary(
    part: pd.DataFrame,
    units: Units,
    function: Callable[[CustomerSummary], Any],
    meta: pd.DataFrame,
) -> pd.DataFrame:
    if len(part) == 0:
        return meta
    frame: pd.DataFrame = function(summary_of(part, units)).to_pandas()
    return frame


def _probe(data: DaskSummary, known: object | None = None) -> CustomerSummary:
    """A one-customer summary with ``data``'s id kind and units: a repeat buyer."""
    import pandas as pd

    index = data.frame._meta.index
    sample: object = 0 if pd.api.types.is_integer_dtype(index.dtype) else "0"
    if known is not None:
        sample = known
    length = data.period.days / data.time_unit.days
    frame = pd.DataFrame(
        {
            "frequency": [1],
            "recency": [length],
            "T": [2 * length],
            "monetary": [1.0],
            "first_purchase": pd.Series([data.observation_end], dtype=NS),
            "total_value": [2.0],
        },
        index=pd.Index([sample], name="customer_id").astype(index.dtype),
    )
    return summary_of(frame, data.units)
