"""Fits on a distributed summary: distinct patterns with counts per partition, one weighted fit.

A purchase model's likelihood depends on a customer only through ``(x, t_x, T)``, and summaries
made with a purchase period of a day or longer have whole numbers of periods in ``t_x`` and
``T``, so few distinct patterns (at most a few per pair of purchase periods). Each partition is
compressed to its distinct patterns with the number of customers of each
(:func:`ecomstrat.models._base.compress_rows`); the client adds the counts of equal patterns
from all partitions, sorts the patterns (so that the result does not depend on the
partitioning) and fits with ``weights=``: the same likelihood as the single-machine fit, summed
in another order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, overload

import numpy as np

from ecomstrat._typing import FloatArray
from ecomstrat._validation import invalid, shown
from ecomstrat.dask._summary import DaskSummary, Units, summary_of
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.frames.discrete import DiscretePatterns
from ecomstrat.models._base import compress_rows
from ecomstrat.models.bgbb import BGBB, FittedBGBB
from ecomstrat.models.bgnbd import BGNBD, MBGNBD, FittedBGNBD, FittedMBGNBD
from ecomstrat.models.gamma_gamma import FittedGammaGamma, GammaGamma, NonPositiveSpend
from ecomstrat.models.paretonbd import FittedParetoNBD, ParetoNBD

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["fit", "patterns"]

#: The models :func:`fit` takes, and what it returns for each.
Model: TypeAlias = BGNBD | MBGNBD | ParetoNBD | BGBB | GammaGamma
Fitted: TypeAlias = FittedBGNBD | FittedMBGNBD | FittedParetoNBD | FittedBGBB | FittedGammaGamma

_PATTERN = ["frequency", "recency", "T"]


@overload
def fit(
    data: DaskSummary,
    *,
    model: BGNBD,
    time_unit: TimeUnit | str | None = ...,
    initial: Any = ...,
    penalty: float = ...,
    non_positive: NonPositiveSpend = ...,
) -> FittedBGNBD: ...


@overload
def fit(
    data: DaskSummary,
    *,
    model: MBGNBD,
    time_unit: TimeUnit | str | None = ...,
    initial: Any = ...,
    penalty: float = ...,
    non_positive: NonPositiveSpend = ...,
) -> FittedMBGNBD: ...


@overload
def fit(
    data: DaskSummary,
    *,
    model: ParetoNBD,
    time_unit: TimeUnit | str | None = ...,
    initial: Any = ...,
    penalty: float = ...,
    non_positive: NonPositiveSpend = ...,
) -> FittedParetoNBD: ...


@overload
def fit(
    data: DaskSummary,
    *,
    model: BGBB,
    time_unit: TimeUnit | str | None = ...,
    initial: Any = ...,
    penalty: float = ...,
    non_positive: NonPositiveSpend = ...,
) -> FittedBGBB: ...


@overload
def fit(
    data: DaskSummary,
    *,
    model: GammaGamma,
    time_unit: TimeUnit | str | None = ...,
    initial: Any = ...,
    penalty: float = ...,
    non_positive: NonPositiveSpend = ...,
) -> FittedGammaGamma: ...


def fit(
    data: DaskSummary,
    *,
    model: Model,
    time_unit: TimeUnit | str | None = None,
    initial: Any = None,
    penalty: float = 0.0,
    non_positive: NonPositiveSpend = "exclude",
) -> Fitted:
    """Fit ``model`` on a distributed summary, with the estimates of the single-machine fit.

    BG/NBD, MBG/NBD and Pareto/NBD are fitted on the distinct ``(x, t_x, T)`` patterns with
    their counts (see :func:`patterns`); BG/BB on the same patterns counted in purchase
    periods (``x`` repeat periods, last purchase ``t_x`` and ``n = T`` opportunities);
    Gamma-Gamma on the repeat buyers' ``(frequency, monetary)`` gathered on the client (mean
    spends are continuous and rarely repeat, so they are not compressed). The sBG model is
    fitted on cohort survivor counts, not on customer summaries: it does not apply here.

    Parameters
    ----------
    data : DaskSummary
        From :func:`ecomstrat.dask.rfm_summary` (or ``.calibration`` of a
        :func:`ecomstrat.dask.calibration_holdout_summary`).
    model : BGNBD, MBGNBD, ParetoNBD, BGBB or GammaGamma
        The (unfitted) model, e.g. ``BGNBD()``.
    time_unit : TimeUnit or str, optional
        Unit to fit the continuous-time models in (default: the summary's).
    initial, penalty
        As in the model's ``fit``.
    non_positive : {"exclude", "raise"}
        Gamma-Gamma only, as in :meth:`GammaGamma.fit`.

    Returns
    -------
    FittedBGNBD, FittedMBGNBD, FittedParetoNBD, FittedBGBB or FittedGammaGamma
        Estimates equal to ``model.fit(data.compute(), ...)`` to the optimiser's tolerance
        (about 1e-10 relative).

    Raises
    ------
    InvalidInputError
        If ``model`` is not one of the models above, or the summary's ``recency`` and ``T``
        are not whole purchase periods for BG/BB.
    """
    if isinstance(model, GammaGamma):
        spenders = data.frame[data.frame["frequency"] > 0][["frequency", "monetary"]]
        return model.fit(
            spenders.compute().sort_index(),
            initial=initial,
            non_positive=non_positive,
            penalty=penalty,
        )
    if isinstance(model, BGBB):
        x, t_x, n, weights = patterns(data, time_unit=data.period)
        return model.fit(DiscretePatterns(x, t_x, n, weights), initial=initial, penalty=penalty)
    if isinstance(model, BGNBD | MBGNBD | ParetoNBD):
        unit = data.time_unit if time_unit is None else TimeUnit.parse(time_unit)
        x, t_x, T, weights = patterns(data, time_unit=unit)
        return model.fit(
            (x, t_x, T),
            time_unit=unit,
            initial=initial,
            weights=weights,
            compress=False,
            penalty=penalty,
        )
    raise invalid(
        "model",
        shown(model),
        "must be one of BGNBD(), MBGNBD(), ParetoNBD(), BGBB() or GammaGamma()",
        "sBG is fitted on cohort survivor counts (SurvivorCounts), not on a customer summary.",
    )


def patterns(
    data: DaskSummary, *, time_unit: TimeUnit | str | None = None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Distinct ``(frequency, recency, T)`` rows of a distributed summary, with their counts.

    Each partition is compressed where it lives; only its distinct rows travel to the client,
    which merges equal rows of all partitions and sorts them (by ``frequency``, then
    ``recency``, then ``T``).

    Parameters
    ----------
    data : DaskSummary
        The customers.
    time_unit : TimeUnit or str, optional
        Unit of the returned ``recency`` and ``T`` (default: the summary's), converted per
        partition exactly as :meth:`CustomerSummary.to_unit` does.

    Returns
    -------
    frequency, recency, T, weights : ndarray of float64
        The distinct rows and the number of customers of each.
    """
    import pandas as pd

    unit = data.time_unit if time_unit is None else TimeUnit.parse(time_unit)
    meta = pd.DataFrame({name: np.zeros(0) for name in [*_PATTERN, "weight"]})
    parts = data.frame.map_partitions(_compress, data.units, unit, meta=meta).compute()
    columns, weights = compress_rows(
        tuple(parts[name].to_numpy(dtype=np.float64) for name in _PATTERN),
        parts["weight"].to_numpy(dtype=np.float64),
        compress=True,
    )
    order = np.lexsort(columns[::-1])
    x, t_x, T = (column[order] for column in columns)
    return x, t_x, T, weights[order]


def _compress(part: pd.DataFrame, units: Units, unit: TimeUnit) -> pd.DataFrame:
    import pandas as pd

    if len(part) == 0:
        return pd.DataFrame({name: np.zeros(0) for name in [*_PATTERN, "weight"]})
    summary = summary_of(part, units).to_unit(unit)
    columns, weights = compress_rows(
        (summary.frequency.astype(np.float64), summary.recency, summary.T),
        np.ones(len(part)),
        compress=True,
    )
    return pd.DataFrame({**dict(zip(_PATTERN, columns, strict=True)), "weight": weights})
