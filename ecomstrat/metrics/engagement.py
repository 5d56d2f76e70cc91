"""Engagement and service metrics: NPS, CSAT, repeat purchases, retention, AOV, service cost.

Survey scores come in as arrays of whole numbers; order metrics come from a
:class:`~ecomstrat.TransactionLog`. Every result is a small frozen table (``columns()``,
``to_pandas()``, ``to_polars()``, ``to_arrow()``); proportions carry a confidence interval whose
method is named in the result.
"""

from __future__ import annotations

import math
import numbers
import statistics
from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import (
    as_float_array,
    check_choice,
    check_non_negative,
    check_unit_interval,
    check_whole_numbers,
    invalid,
)
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._arrays import freeze_arrays
from ecomstrat.frames._export import Tabular
from ecomstrat.frames._time import period_index, period_of, period_start, to_instant
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.summary import calibration_holdout_summary, rfm_summary

__all__ = [
    "NetPromoterScore",
    "Proportion",
    "RetentionRates",
    "SelfServiceShift",
    "ServiceCost",
    "average_order_value",
    "csat",
    "nps",
    "period_retention",
    "purchase_frequency",
    "repeat_purchase_rate",
    "self_service_saving",
    "service_cost",
    "wilson_interval",
]

NPSMethod = Literal["adjusted-wald", "wald", "bootstrap"]


class _Fields(Tabular):
    """A result whose table is its attrs fields (one row for a scalar result)."""

    __slots__ = ()

    def columns(self) -> dict[str, AnyArray]:
        """The fields as named columns (one row for a scalar result)."""
        out: dict[str, AnyArray] = {}
        for field in attrs.fields(cast("type[attrs.AttrsInstance]", type(self))):
            value = getattr(self, field.name)
            out[field.name] = value if isinstance(value, np.ndarray) else np.array([value])
        return out


def _z(confidence: float) -> float:
    level = check_unit_interval("confidence", confidence)
    if not 0.0 < level < 1.0:
        raise invalid("confidence", confidence, "must lie strictly between 0 and 1", "E.g. 0.95.")
    return statistics.NormalDist().inv_cdf(0.5 + level / 2.0)


def wilson_interval(
    successes: IntArray | int, *, n: IntArray | int, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval of binomial proportions (NaN where ``n == 0``).

    Parameters
    ----------
    successes, n : int or ndarray of int
        Successes and trials, ``0 <= successes <= n``.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    low, high : ndarray of float64
        ``low <= successes / n <= high``; ``low`` is 0 when ``successes == 0`` and ``high``
        is 1 when ``successes == n``.

    Raises
    ------
    InvalidInputError
        If a count is not a whole number >= 0, or ``successes > n`` (naming the element).

    Notes
    -----
    Wilson (1927), "Probable inference, the law of succession, and statistical inference",
    *JASA* 22(158), 209–212; recommended over the Wald interval by Brown, Cai & DasGupta
    (2001), "Interval estimation for a binomial proportion", *Statistical Science* 16(2).

    Examples
    --------
    >>> low, high = wilson_interval(8, n=10)
    >>> round(float(low), 4), round(float(high), 4)
    (0.4902, 0.9433)
    """
    z = _z(confidence)
    k = check_whole_numbers("successes", successes)
    m = check_whole_numbers("n", n)
    try:
        k, m = np.broadcast_arrays(k, m)
    except ValueError:
        raise invalid(
            "successes", f"<array of shape {k.shape}>", f"must broadcast against n {m.shape}"
        ) from None
    above = (k > m).reshape(-1)
    if above.any():
        i = int(np.argmax(above))
        where = "" if k.ndim == 0 else f"[{i}]"
        raise invalid(
            f"successes{where}",
            float(k.reshape(-1)[i]),
            f"must be <= n{where}={float(m.reshape(-1)[i])!r}",
            "There cannot be more successes than trials.",
        )
    ok = m > 0
    safe = np.where(ok, m, 1.0)
    p = k / safe
    z2 = z * z
    denominator = 1.0 + z2 / safe
    center = (p + z2 / (2.0 * safe)) / denominator
    half = z / denominator * np.sqrt(np.maximum(p * (1.0 - p) / safe + z2 / (4.0 * safe**2), 0))
    # The interval holds p exactly, and reaches 0 (1) exactly with no success (failure):
    # center - half rounds to ~1e-17 instead of 0 when k = 0.
    low = np.where(k == 0, 0.0, np.clip(np.minimum(center - half, p), 0.0, 1.0))
    high = np.where(k == m, 1.0, np.clip(np.maximum(center + half, p), 0.0, 1.0))
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def _scores(name: str, scores: Sequence[float] | AnyArray, low: int, high: int) -> IntArray:
    values = as_float_array(name, scores)
    if values.ndim != 1:
        raise invalid(name, f"<array of shape {values.shape}>", "must be one-dimensional")
    if values.size == 0:
        raise EmptyInputError(f"{name} is empty: at least one response is needed.")
    bad = ~np.isfinite(values) | (values != np.round(values)) | (values < low) | (values > high)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(
            f"{name}[{i}]",
            values[i],
            f"must be a whole number from {low} to {high} ({int(bad.sum())} such value(s))",
            "Drop missing or out-of-scale answers first.",
        )
    return values.astype(np.int64)


# ----------------------------------------------------------------------------------------- NPS


@attrs.frozen
class NetPromoterScore(_Fields):
    """A Net Promoter Score with its confidence interval.

    Attributes
    ----------
    score : float
        ``100 × (promoters − detractors) / n``, in [−100, 100].
    promoters, passives, detractors, n : int
        Counts of 9–10, 7–8 and 0–6 answers, and of all answers.
    low, high : float
        Confidence interval of the score, clipped to [−100, 100].
    confidence : float
        Its level.
    method : str
        ``"adjusted-wald"``, ``"wald"`` or ``"bootstrap"``.
    """

    score: float
    promoters: int
    passives: int
    detractors: int
    n: int
    low: float
    high: float
    confidence: float
    method: str


def nps(
    scores: Sequence[float] | AnyArray,
    *,
    confidence: float = 0.95,
    method: NPSMethod = "adjusted-wald",
    n_resamples: int = 2_000,
    seed: int | None = 0,
) -> NetPromoterScore:
    """Net Promoter Score of 0–10 "likelihood to recommend" answers, with a confidence interval.

    Parameters
    ----------
    scores : array-like of int
        Answers, whole numbers from 0 to 10.
    confidence : float, default 0.95
        Two-sided level of the interval.
    method : {"adjusted-wald", "wald", "bootstrap"}
        ``"wald"``: normal approximation with the multinomial variance of the difference of
        the promoter and detractor shares ``p`` and ``d``,
        ``Var = 100² (p + d − (p − d)²) / n``. ``"adjusted-wald"`` (default): the same after
        adding 3/4 to the promoter and detractor counts and 3 to ``n``, centred on the
        adjusted score. ``"bootstrap"``: percentile interval of ``n_resamples`` multinomial
        resamples.
    n_resamples : int, default 2000
        Bootstrap resamples (>= 1000 recommended).
    seed : int, optional
        Seed of the bootstrap.

    Returns
    -------
    NetPromoterScore

    Raises
    ------
    InvalidInputError
        If a score is not a whole number from 0 to 10 (the message gives its position).

    Notes
    -----
    Reichheld (2003), "The one number you need to grow", *Harvard Business Review* 81(12).
    The adjusted-Wald interval performed best among six methods in Rocks (2016), "Interval
    estimation for the 'Net Promoter Score'", *The American Statistician* 70(4); Lewis & Sauro
    (MeasuringU, 2021) found the same on real data. "Net Promoter" and "NPS" are trademarks of
    Bain & Company, Satmetrix and Fred Reichheld. See :doc:`/engagement`.

    Examples
    --------
    >>> r = nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 5])  # 5 promoters, 2 passives, 3 detractors
    >>> r.score, (r.promoters, r.passives, r.detractors)
    (20.0, (5, 2, 3))
    >>> round(r.low, 1), round(r.high, 1)
    (-30.3, 61.1)
    """
    values = _scores("scores", scores, 0, 10)
    check_choice("method", method, ("adjusted-wald", "wald", "bootstrap"))
    z = _z(confidence)
    if not _is_count(n_resamples) or n_resamples < 1:
        raise invalid("n_resamples", n_resamples, "must be a whole number >= 1", "E.g. 2000.")
    if seed is not None and (not _is_count(seed) or seed < 0):
        raise invalid("seed", seed, "must be None or a whole number >= 0", "E.g. seed=0.")
    n = int(values.size)
    promoters = int((values >= 9).sum())
    detractors = int((values <= 6).sum())
    passives = n - promoters - detractors
    score = 100.0 * (promoters - detractors) / n
    if method == "bootstrap":
        rng = np.random.default_rng(seed)
        draws = rng.multinomial(n, [promoters / n, passives / n, detractors / n], n_resamples)
        scores_b = 100.0 * (draws[:, 0] - draws[:, 2]) / n
        tail = (1.0 - confidence) / 2.0
        low, high = np.quantile(scores_b, [tail, 1.0 - tail]).tolist()
    else:
        extra_n, extra = (3.0, 0.75) if method == "adjusted-wald" else (0.0, 0.0)
        m = n + extra_n
        p, d = (promoters + extra) / m, (detractors + extra) / m
        center = 100.0 * (p - d)
        se = 100.0 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / m)
        low, high = center - z * se, center + z * se
    return NetPromoterScore(
        score=score,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        n=n,
        low=max(-100.0, float(low)),
        high=min(100.0, float(high)),
        confidence=float(confidence),
        method=method,
    )


def _is_count(value: object) -> bool:
    """An int or numpy integer, not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


# ---------------------------------------------------------------------------------- proportions


@attrs.frozen
class Proportion(_Fields):
    """A share with its Wilson confidence interval.

    Attributes
    ----------
    estimate : float
        ``successes / n``, in [0, 1].
    successes, n : int
        Counts.
    low, high : float
        Wilson interval.
    confidence : float
        Its level.
    """

    estimate: float
    successes: int
    n: int
    low: float
    high: float
    confidence: float


def _proportion(successes: int, n: int, confidence: float) -> Proportion:
    low, high = wilson_interval(successes, n=n, confidence=confidence)
    return Proportion(successes / n, successes, n, float(low), float(high), float(confidence))


def csat(
    scores: Sequence[float] | AnyArray,
    *,
    scale: tuple[int, int] = (1, 5),
    satisfied_from: int = 4,
    confidence: float = 0.95,
) -> Proportion:
    """Customer satisfaction: the share of answers at or above ``satisfied_from`` ("top 2 box").

    Parameters
    ----------
    scores : array-like of int
        Answers, whole numbers on ``scale``.
    scale : (int, int), default (1, 5)
        Lowest and highest answer.
    satisfied_from : int, default 4
        Lowest answer that counts as satisfied (4 and 5 on a 1–5 scale).
    confidence : float, default 0.95
        Level of the Wilson interval.

    Returns
    -------
    Proportion

    Notes
    -----
    The top-2-box CSAT share; the mean score is a different metric. The interval is Wilson's
    (see :func:`wilson_interval`). See :doc:`/engagement`.

    Examples
    --------
    >>> c = csat([5, 4, 4, 3, 5, 2, 5, 4, 1, 5])  # 7 of 10 answers are 4 or 5
    >>> c.estimate, round(c.low, 3), round(c.high, 3)
    (0.7, 0.397, 0.892)
    >>> csat([7, 6, 2], scale=(1, 7), satisfied_from=6).successes
    2
    """
    low, high = _scale(scale)
    if isinstance(satisfied_from, bool) or not isinstance(satisfied_from, int):
        raise invalid("satisfied_from", satisfied_from, "must be a whole number")
    if not low < satisfied_from <= high:
        raise invalid(
            "satisfied_from",
            satisfied_from,
            f"must lie in ({low}, {high}] for scale={scale}",
            "E.g. 4 on a 1-5 scale.",
        )
    values = _scores("scores", scores, low, high)
    return _proportion(int((values >= satisfied_from).sum()), int(values.size), confidence)


def _scale(scale: tuple[int, int]) -> tuple[int, int]:
    try:
        low, high = scale
    except (TypeError, ValueError) as error:
        raise invalid("scale", scale, "must be a pair (lowest, highest)") from error
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high))
    if not whole or low >= high:
        raise invalid("scale", scale, "must be two whole numbers, lowest < highest", "E.g. (1, 5).")
    return low, high


def repeat_purchase_rate(
    log: TransactionLog,
    *,
    observation_end: object = None,
    period: TimeUnit | str = TimeUnit.DAY,
    confidence: float = 0.95,
) -> Proportion:
    """Share of customers who bought in at least two purchase periods by ``observation_end``.

    Orders in one period (by default the same calendar day) count as one purchase, as in
    :func:`~ecomstrat.rfm_summary`; customers whose first order is after ``observation_end``
    are left out.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "b", "c", "c"],
    ...     ["2024-01-01", "2024-02-01", "2024-01-05", "2024-01-07T09:00", "2024-01-07T17:00"],
    ...     [10.0, 12.0, 8.0, 5.0, 5.0],
    ... )
    >>> repeat_purchase_rate(log).estimate  # only a came back on another day: 1 / 3
    0.3333333333333333
    """
    if observation_end is None:
        frequency = rfm_summary(log, period=period).frequency
    else:
        end = to_instant("observation_end", observation_end, log.timezone)
        split = calibration_holdout_summary(
            log, calibration_end=end, observation_end=end, period=period
        )
        frequency = split.calibration.frequency
    return _proportion(int((frequency > 0).sum()), int(frequency.size), confidence)


# ----------------------------------------------------------------------------------- retention


@attrs.frozen(eq=False)
class RetentionRates(_Fields):
    """Period-over-period retention of buyers.

    Attributes
    ----------
    periods : ndarray of datetime64[ns]
        Start of each period, consecutive.
    active : ndarray of int64
        Customers with an order in the period.
    new : ndarray of int64
        Of those, customers whose first order is in the period.
    retained : ndarray of int64
        Of those, customers who also bought in the previous period.
    reactivated : ndarray of int64
        The others: back after at least one period without an order.
    retention : ndarray of float64
        ``retained / active in the previous period`` (NaN for the first period or after an
        empty one).
    churn : ndarray of float64
        ``1 − retention``.
    """

    periods: DatetimeArray
    active: IntArray
    new: IntArray
    retained: IntArray
    reactivated: IntArray
    retention: FloatArray
    churn: FloatArray

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)


def period_retention(
    log: TransactionLog,
    *,
    period: TimeUnit | str = TimeUnit.MONTH,
    observation_end: object = None,
) -> RetentionRates:
    """Retention and churn rates of buyers from one calendar period to the next.

    A customer "active" in a period placed an order in it. Retention from period ``t − 1`` to
    ``t`` is the share of ``t − 1``'s buyers who buy again in ``t``; churn is the rest. In a
    non-contractual business a customer who skips a period is not necessarily lost (see the
    ``reactivated`` column); for the probability of being alive use a BTYD model.

    Parameters
    ----------
    log : TransactionLog
        The orders.
    period : TimeUnit or str, default "month"
        ``"day"``, ``"week"``, ``"month"`` or ``"year"`` (calendar periods).
    observation_end : datetime, date, str or numpy.datetime64, optional
        Orders after it are ignored (default: the last order). A last, partly observed period
        makes the last rate low; end the observation at a period boundary to avoid it.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "b", "a", "c", "b"],
    ...     ["2024-01-03", "2024-01-09", "2024-02-11", "2024-02-20", "2024-03-02"],
    ...     [1.0, 1.0, 1.0, 1.0, 1.0],
    ... )
    >>> r = period_retention(log)
    >>> r.active.tolist(), r.new.tolist(), r.retained.tolist(), r.reactivated.tolist()
    ([2, 2, 1], [2, 1, 0], [0, 1, 0], [0, 0, 1])
    >>> r.retention.tolist()  # Feb: a of {a, b}; Mar: nobody of {a, c}
    [nan, 0.5, 0.0]
    """
    per = TimeUnit.parse(period)
    if observation_end is None:
        end = np.datetime64(log.times.max(), "ns")
    else:
        end = to_instant("observation_end", observation_end, log.timezone)
    keep = log.times <= end
    if not keep.any():
        raise EmptyInputError(
            f"no order is on or before observation_end={end}. Choose a later observation_end."
        )
    periods = period_index(log.times[keep], per)
    first = int(periods.min())
    span = period_of(end, per) - first + 1
    keys = np.unique(log.customer_index[keep] * span + (periods - first))
    customer, offset = keys // span, keys % span
    same = customer[1:] == customer[:-1]
    is_new = np.concatenate(([True], ~same))
    follows = np.concatenate(([False], same & (offset[1:] == offset[:-1] + 1)))
    active = np.bincount(offset, minlength=span).astype(np.int64)
    new = np.bincount(offset[is_new], minlength=span).astype(np.int64)
    retained = np.bincount(offset[follows], minlength=span).astype(np.int64)
    before = np.concatenate(([0], active[:-1])).astype(np.float64)
    retention = np.divide(retained, before, out=np.full(span, np.nan), where=before > 0)
    return RetentionRates(
        period_start(np.arange(first, first + span, dtype=np.int64), per),
        active,
        new,
        retained,
        active - new - retained,
        retention,
        1.0 - retention,
    )


# ------------------------------------------------------------------------------ order metrics


def _window(log: TransactionLog, observation_start: object, observation_end: object) -> Any:
    keep = np.ones(log.n_transactions, dtype=bool)
    if observation_start is not None:
        keep &= log.times >= to_instant("observation_start", observation_start, log.timezone)
    if observation_end is not None:
        keep &= log.times <= to_instant("observation_end", observation_end, log.timezone)
    if not keep.any():
        raise EmptyInputError(
            f"no order lies between observation_start={observation_start} and"
            f" observation_end={observation_end}. Widen the window."
        )
    return keep


def average_order_value(
    log: TransactionLog, *, observation_start: object = None, observation_end: object = None
) -> float:
    """Revenue per order over the orders in ``[observation_start, observation_end]`` (default: all).

    Examples
    --------
    >>> log = TransactionLog.from_arrays(["a", "a", "b"], ["2024-01-01", "2024-01-09",
    ...                                  "2024-02-01"], [10.0, 20.0, 60.0])
    >>> average_order_value(log), average_order_value(log, observation_end="2024-01-31")
    (30.0, 15.0)
    """
    keep = _window(log, observation_start, observation_end)
    return float(log.amounts[keep].sum() / keep.sum())


def purchase_frequency(
    log: TransactionLog, *, observation_start: object = None, observation_end: object = None
) -> float:
    """Orders per ordering customer over the orders in ``[observation_start, observation_end]``.

    By default all orders count.

    Together with :func:`average_order_value`: revenue per customer = AOV × frequency.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(["a", "a", "b"], ["2024-01-01", "2024-01-09",
    ...                                  "2024-02-01"], [10.0, 20.0, 60.0])
    >>> purchase_frequency(log)  # 3 orders, 2 customers
    1.5
    """
    keep = _window(log, observation_start, observation_end)
    buyers = np.unique(log.customer_index[keep]).size
    return float(keep.sum() / buyers)


# ------------------------------------------------------------------------------- service cost


@attrs.frozen(eq=False)
class ServiceCost(_Fields):
    """Customer-service cost by contact channel (see :func:`service_cost`)."""

    channels: AnyArray
    contacts: FloatArray
    cost_per_contact: FloatArray
    cost: FloatArray

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    @property
    def total(self) -> float:
        """Cost over all channels."""
        return float(self.cost.sum())

    def __getitem__(self, channel: str) -> float:
        """Cost of one channel."""
        names = self.channels.tolist()
        check_choice("channel", channel, names)
        return float(self.cost[names.index(channel)])


def _amounts(name: str, values: Mapping[str, float]) -> dict[str, float]:
    if not isinstance(values, Mapping) or not values:
        raise invalid(name, values, "must be a non-empty mapping of channel to number")
    return {str(k): check_non_negative(f"{name}[{k!r}]", v) for k, v in values.items()}


def service_cost(
    contacts: Mapping[str, float], *, cost_per_contact: Mapping[str, float]
) -> ServiceCost:
    """Cost of serving customer contacts: ``contacts × cost per contact`` for each channel.

    Parameters
    ----------
    contacts : mapping of str to float
        Contacts per channel over some period (phone, email, chat…), >= 0.
    cost_per_contact : mapping of str to float
        Fully loaded cost of one contact in each channel (>= 0); every channel of
        ``contacts`` needs one (extra entries are ignored).

    Notes
    -----
    Per-contact costs are inputs: as orders of magnitude, Gartner (2019) reported about $8.01
    per live-channel contact against about $0.10 for self-service. A bottom-up estimate is
    ``handle time (h) × loaded hourly rate / concurrency + technology cost``. See
    :doc:`/engagement`.

    Examples
    --------
    >>> s = service_cost(
    ...     {"phone": 1000, "chat": 500}, cost_per_contact={"phone": 8.0, "chat": 4.0, "email": 5.0}
    ... )
    >>> s.cost.tolist(), s.total, s["chat"]
    ([8000.0, 2000.0], 10000.0, 2000.0)
    """
    counts = _amounts("contacts", contacts)
    costs = _amounts("cost_per_contact", cost_per_contact)
    for channel in counts:
        if channel not in costs:
            raise invalid(
                "cost_per_contact",
                f"<no entry for {channel!r}>",
                f"needs a cost for every channel of contacts ({', '.join(map(repr, counts))})",
            )
    names = list(counts)
    n = np.array([counts[c] for c in names])
    unit = np.array([costs[c] for c in names])
    return ServiceCost(np.array(names, dtype=str), n, unit, n * unit)


@attrs.frozen(eq=False)
class SelfServiceShift(_Fields):
    """What moving contacts to self-service saves (see :func:`self_service_saving`)."""

    channels: AnyArray
    moved: FloatArray
    saving: FloatArray
    cost_before: float
    cost_after: float
    self_service_cost_per_contact: float
    resolution_rate: float

    def __attrs_post_init__(self) -> None:
        freeze_arrays(self)

    @property
    def total_saving(self) -> float:
        """``cost_before − cost_after``."""
        return float(self.saving.sum())

    def columns(self) -> dict[str, AnyArray]:
        """One row per channel: channel, moved contacts, saving."""
        return {"channel": self.channels, "moved": self.moved, "saving": self.saving}


def self_service_saving(
    cost: ServiceCost,
    *,
    shift_share: float | Mapping[str, float],
    self_service_cost_per_contact: float,
    resolution_rate: float = 1.0,
) -> SelfServiceShift:
    """Saving from moving a share of each channel's contacts to self-service.

    A moved contact costs ``self_service_cost_per_contact``; a share ``1 − resolution_rate`` of
    them is not resolved there and still reaches the original channel. Per channel:
    ``saving = moved × (resolution_rate × cost_per_contact − self_service_cost_per_contact)``,
    negative when self-service resolves too little to pay for itself.

    Parameters
    ----------
    cost : ServiceCost
        Current contacts and costs.
    shift_share : float or mapping of str to float
        Share of contacts moved, in [0, 1]: one for all channels, or per channel (missing
        channels move nothing).
    self_service_cost_per_contact : float
        Cost of one self-service contact (>= 0).
    resolution_rate : float, default 1.0
        Share of moved contacts fully resolved in self-service, in [0, 1]. Gartner (2019)
        found only 9% of customers fully resolve their issue there: do not leave it at 1 for
        planning.

    Examples
    --------
    >>> s = service_cost({"phone": 1000, "chat": 500}, cost_per_contact={"phone": 8.0, "chat": 4.0})
    >>> shift = self_service_saving(s, shift_share=0.2, self_service_cost_per_contact=0.1)
    >>> shift.moved.tolist(), shift.saving.tolist()  # 200 × 7.9 and 100 × 3.9
    ([200.0, 100.0], [1580.0, 390.0])
    >>> round(self_service_saving(s, shift_share={"phone": 0.5}, self_service_cost_per_contact=0.1,
    ...                           resolution_rate=0.5).total_saving, 2)  # 500 × (4 − 0.1)
    1950.0
    """
    if not isinstance(cost, ServiceCost):
        raise invalid("cost", cost, "must be a ServiceCost", "Build it with service_cost(...).")
    names = cost.channels.tolist()
    if isinstance(shift_share, Mapping):
        for channel in shift_share:
            check_choice("shift_share channel", str(channel), names)
        share = np.array(
            [check_unit_interval(f"shift_share[{c!r}]", shift_share.get(c, 0.0)) for c in names]
        )
    else:
        share = np.full(len(names), check_unit_interval("shift_share", shift_share))
    unit = check_non_negative("self_service_cost_per_contact", self_service_cost_per_contact)
    resolved = check_unit_interval("resolution_rate", resolution_rate)
    moved = cost.contacts * share
    saving = moved * (resolved * cost.cost_per_contact - unit)
    return SelfServiceShift(
        cost.channels,
        moved,
        saving,
        cost.total,
        cost.total - float(saving.sum()),
        unit,
        resolved,
    )
