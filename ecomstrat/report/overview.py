"""The numbers of the demo report: overviews of a log, a summary and a calibration split.

Each ``*_overview`` function is pure: it reads a frame and returns a frozen object of plain
numbers, which offers them as a JSON-able dict (:meth:`~DataOverview.to_dict`) and as
formatted :class:`~ecomstrat.report.Section` objects (:meth:`~DataOverview.sections`).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from ecomstrat._typing import AnyArray
from ecomstrat._validation import invalid
from ecomstrat.frames.summary import CalibrationHoldout, CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.metrics.value_tiers import top_value_share
from ecomstrat.report import _format as fmt
from ecomstrat.report.section import Section

if TYPE_CHECKING:
    from ecomstrat.datasets.simulate import Simulation, SimulationParameters

__all__ = [
    "DataOverview",
    "Distribution",
    "HoldoutBucket",
    "HoldoutOverview",
    "SimulationOverview",
    "SummaryOverview",
    "data_overview",
    "holdout_overview",
    "simulation_overview",
    "summary_overview",
]

#: Share of customers whose value :attr:`SummaryOverview.top_decile_value_share` measures.
TOP_SHARE = 0.1


def _jsonable(_instance: object, _field: object, value: Any) -> Any:
    if isinstance(value, np.datetime64):
        return str(np.datetime_as_string(value, unit="s"))
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value


class _Overview:
    """Mixin: the attrs fields of an overview as a JSON-able dict."""

    def to_dict(self) -> dict[str, Any]:
        """The numbers as a JSON-able dict; times become ISO 8601 strings."""
        return attrs.asdict(self, value_serializer=_jsonable)  # type: ignore[arg-type]


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else float(numerator / denominator)


@attrs.frozen
class Distribution:
    """Mean and median of one per-customer column."""

    mean: float
    median: float

    @classmethod
    def of(cls, values: AnyArray) -> Distribution:
        """The mean and median of ``values`` (at least one)."""
        return cls(float(np.mean(values)), float(np.median(values)))


# --------------------------------------------------------------------------------------- data


@attrs.frozen
class DataOverview(_Overview):
    """Size, span and value of a transaction log (see :func:`data_overview`)."""

    n_customers: int
    n_orders: int
    first_order: np.datetime64
    last_order: np.datetime64
    revenue: float
    margin: float | None
    currency: str | None
    timezone: str | None
    orders_per_customer: float
    mean_order_value: float

    def sections(self) -> tuple[Section, ...]:
        """One label/value section."""
        unit = f" ({self.currency})" if self.currency else ""
        rows = [
            ("customers", fmt.count(self.n_customers)),
            ("orders", fmt.count(self.n_orders)),
            ("orders per customer", fmt.number(self.orders_per_customer)),
            ("first order", fmt.date(self.first_order)),
            ("last order", fmt.date(self.last_order)),
            (f"revenue{unit}", fmt.number(self.revenue)),
            (f"mean order value{unit}", fmt.number(self.mean_order_value)),
        ]
        if self.margin is not None:
            rows.append((f"margin{unit}", fmt.number(self.margin)))
        tz = "UTC instants" if self.timezone else "naive wall-clock times"
        return (Section("Transaction log", rows, notes=[f"Times are {tz}."]),)


def data_overview(log: TransactionLog) -> DataOverview:
    """Count the customers and orders of ``log`` and total their value.

    Examples
    --------
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "b", "a"], ["2024-01-01", "2024-01-03", "2024-02-01"], [10.0, 5.0, 7.5]
    ... )
    >>> o = data_overview(log)
    >>> o.n_customers, o.n_orders, o.revenue, o.orders_per_customer
    (2, 3, 22.5, 1.5)
    >>> o.to_dict()["last_order"]
    '2024-02-01T00:00:00'
    """
    revenue = float(log.amounts.sum())
    return DataOverview(
        n_customers=log.n_customers,
        n_orders=log.n_transactions,
        first_order=log.times.min(),
        last_order=log.times.max(),
        revenue=revenue,
        margin=None if log.margins is None else float(log.margins.sum()),
        currency=log.currency,
        timezone=log.timezone,
        orders_per_customer=log.n_transactions / log.n_customers,
        mean_order_value=revenue / log.n_transactions,
    )


# ------------------------------------------------------------------------------------ summary

#: Labels of the repeat-purchase groups; the last one collects every larger count.
REPEAT_GROUPS = ("0", "1", "2", "3+")


@attrs.frozen
class SummaryOverview(_Overview):
    """How repeat purchases, recency, age and spend are spread (see :func:`summary_overview`)."""

    n_customers: int
    time_unit: str
    period: str
    observation_end: np.datetime64 | None
    repeat_purchase_counts: dict[str, int]
    repeat_purchase_shares: dict[str, float]
    one_time_buyers_share: float
    frequency: Distribution
    recency: Distribution
    T: Distribution
    monetary: Distribution | None
    total_value: Distribution | None
    top_decile_value_share: float | None

    def sections(self) -> tuple[Section, ...]:
        """A statistics table and a repeat-purchase table."""
        unit = f"{self.time_unit}s"
        stats = [
            ("frequency x (repeat purchases)", self.frequency, 2),
            (f"recency t_x ({unit})", self.recency, 2),
            (f"age T ({unit})", self.T, 2),
            ("monetary (repeat buyers)", self.monetary, 2),
            ("total value", self.total_value, 2),
        ]
        rows = [
            (label, fmt.number(d.mean, digits), fmt.number(d.median, digits))
            for label, d, digits in stats
            if d is not None
        ]
        end = fmt.date(self.observation_end)
        notes = [
            f"{fmt.count(self.n_customers)} customers observed to {end}; purchases on the"
            f" same {self.period} count once."
        ]
        if self.top_decile_value_share is not None:
            notes.append(
                f"The top 10% of customers by total value bring"
                f" {fmt.share(self.top_decile_value_share)} of it."
            )
        groups = [
            (
                f"{label} (one-time buyers)" if label == "0" else label,
                fmt.count(self.repeat_purchase_counts[label]),
                fmt.share(self.repeat_purchase_shares[label]),
            )
            for label in REPEAT_GROUPS
        ]
        return (
            Section(f"RFM summary ({unit})", rows, header=("", "mean", "median"), notes=notes),
            Section("Repeat purchases", groups, header=("repeat purchases", "customers", "share")),
        )


def summary_overview(summary: CustomerSummary) -> SummaryOverview:
    """Describe a :class:`~ecomstrat.CustomerSummary` in a handful of numbers.

    ``monetary`` is described over repeat buyers only (it is 0 by definition for the others);
    ``recency`` and ``T`` over all customers, in the summary's ``time_unit``. The top-decile
    share is the part of the total value (first purchases included) that the
    ``ceil(n / 10)`` most valuable customers bring; it is None when the summary has no
    ``total_value`` or it is zero.

    Examples
    --------
    >>> s = CustomerSummary.from_arrays([0, 1, 3, 0], [0.0, 2.0, 5.0, 0.0], [4.0, 6.0, 8.0, 2.0],
    ...                                 [0.0, 10.0, 20.0, 0.0], time_unit="week")
    >>> o = summary_overview(s)
    >>> o.repeat_purchase_shares
    {'0': 0.5, '1': 0.25, '2': 0.0, '3+': 0.25}
    >>> o.monetary.mean, o.T.median, o.top_decile_value_share is None
    (15.0, 5.0, True)
    """
    freq = summary.frequency
    n = summary.n_customers
    counts = np.bincount(np.minimum(freq, len(REPEAT_GROUPS) - 1), minlength=len(REPEAT_GROUPS))
    repeat_counts = {label: int(c) for label, c in zip(REPEAT_GROUPS, counts, strict=True)}
    shares = {label: c / n for label, c in repeat_counts.items()}
    value = summary.total_value
    return SummaryOverview(
        n_customers=n,
        time_unit=summary.time_unit.value,
        period=summary.period.value,
        observation_end=summary.observation_end,
        repeat_purchase_counts=repeat_counts,
        repeat_purchase_shares=shares,
        one_time_buyers_share=shares["0"],
        frequency=Distribution.of(freq),
        recency=Distribution.of(summary.recency),
        T=Distribution.of(summary.T),
        monetary=Distribution.of(summary.monetary[freq > 0]) if (freq > 0).any() else None,
        total_value=None if value is None else Distribution.of(value),
        top_decile_value_share=None if value is None else top_value_share(value, TOP_SHARE),
    )


# ------------------------------------------------------------------------------------ holdout


@attrs.frozen
class HoldoutBucket:
    """Holdout behaviour of the customers with one calibration frequency."""

    calibration_frequency: str
    customers: int
    mean_holdout_purchases: float
    active_share: float


@attrs.frozen
class HoldoutOverview(_Overview):
    """Calibration period against holdout period (see :func:`holdout_overview`)."""

    time_unit: str
    calibration_end: np.datetime64
    observation_end: np.datetime64
    holdout_length: float
    n_customers: int
    n_excluded: int
    calibration_repeat_purchases: int
    holdout_purchases: int
    calibration_exposure: float
    holdout_exposure: float
    calibration_rate: float | None
    holdout_rate: float | None
    calibration_spend_per_purchase: float | None
    holdout_spend_per_purchase: float | None
    calibration_active_share: float
    holdout_active_share: float
    buckets: tuple[HoldoutBucket, ...]

    def sections(self) -> tuple[Section, ...]:
        """A period comparison and a table by calibration frequency."""
        unit = self.time_unit
        rows = [
            ("period ends", fmt.date(self.calibration_end), fmt.date(self.observation_end)),
            (
                "customers with a repeat purchase",
                fmt.share(self.calibration_active_share),
                fmt.share(self.holdout_active_share),
            ),
            (
                "repeat purchases",
                fmt.count(self.calibration_repeat_purchases),
                fmt.count(self.holdout_purchases),
            ),
            (
                f"customer-{unit}s observed",
                fmt.number(self.calibration_exposure, 0),
                fmt.number(self.holdout_exposure, 0),
            ),
            (
                f"repeat purchases per customer-{unit}",
                fmt.number(self.calibration_rate, 4),
                fmt.number(self.holdout_rate, 4),
            ),
            (
                "spend per repeat purchase",
                fmt.number(self.calibration_spend_per_purchase),
                fmt.number(self.holdout_spend_per_purchase),
            ),
        ]
        notes = [
            f"{fmt.count(self.n_customers)} customers bought by the calibration end;"
            f" {fmt.count(self.n_excluded)} who first bought later are excluded. The holdout"
            f" lasts {fmt.number(self.holdout_length)} {unit}s; in calibration each customer"
            f" is observed from the first purchase (age T).",
        ]
        by_frequency = [
            (
                b.calibration_frequency,
                fmt.count(b.customers),
                fmt.number(b.mean_holdout_purchases),
                fmt.share(b.active_share),
            )
            for b in self.buckets
        ]
        return (
            Section(
                "Calibration vs holdout", rows, header=("", "calibration", "holdout"), notes=notes
            ),
            Section(
                "Holdout purchases by calibration frequency",
                by_frequency,
                header=(
                    "x in calibration",
                    "customers",
                    "mean holdout purchases",
                    "buying in holdout",
                ),
                notes=["A BTYD model's conditional expectation predicts the mean column."],
            ),
        )


def holdout_overview(split: CalibrationHoldout, *, max_frequency: int = 7) -> HoldoutOverview:
    """Compare what the customers did in the calibration and in the holdout period.

    Rates are repeat purchases per customer and ``time_unit``: in the calibration period over
    the summed ages ``T`` (each customer is watched from the first purchase), in the holdout
    over ``n_customers * duration_holdout``. A fall from one to the other is what the dropout
    process of a BTYD model explains. ``buckets`` group customers by calibration frequency
    ``0, 1, …, max_frequency - 1`` and ``max_frequency+`` (empty groups are left out).

    Examples
    --------
    >>> from ecomstrat.metrics.summary import calibration_holdout_summary
    >>> log = TransactionLog.from_arrays(
    ...     ["a", "a", "a", "b", "c"],
    ...     ["2024-01-01", "2024-01-08", "2024-02-05", "2024-01-15", "2024-02-12"],
    ...     [10.0, 5.0, 20.0, 8.0, 4.0],
    ... )
    >>> split = calibration_holdout_summary(
    ...     log, calibration_end="2024-01-29", observation_end="2024-02-26", time_unit="week"
    ... )
    >>> o = holdout_overview(split)
    >>> o.n_customers, o.n_excluded, o.calibration_repeat_purchases, o.holdout_purchases
    (2, 1, 1, 1)
    >>> [(b.calibration_frequency, b.customers, b.active_share) for b in o.buckets]
    [('0', 1, 0.0), ('1', 1, 1.0)]
    """
    if max_frequency < 1:
        raise invalid("max_frequency", max_frequency, "must be >= 1")
    cal = split.calibration
    x, x_star = cal.frequency, split.frequency_holdout
    n = cal.n_customers
    groups = np.minimum(x, max_frequency)
    buckets = []
    for g in range(max_frequency + 1):
        members = groups == g
        size = int(members.sum())
        if size:
            label = f"{g}+" if g == max_frequency else str(g)
            held = x_star[members]
            buckets.append(HoldoutBucket(label, size, float(held.mean()), float((held > 0).mean())))
    repeat, holdout = int(x.sum()), int(x_star.sum())
    exposure, holdout_exposure = float(cal.T.sum()), n * split.duration_holdout
    return HoldoutOverview(
        time_unit=cal.time_unit.value,
        calibration_end=split.calibration_end,
        observation_end=split.observation_end,
        holdout_length=split.duration_holdout,
        n_customers=n,
        n_excluded=split.n_excluded,
        calibration_repeat_purchases=repeat,
        holdout_purchases=holdout,
        calibration_exposure=exposure,
        holdout_exposure=holdout_exposure,
        calibration_rate=_ratio(repeat, exposure),
        holdout_rate=_ratio(holdout, holdout_exposure),
        calibration_spend_per_purchase=_ratio(float((cal.monetary * x).sum()), repeat),
        holdout_spend_per_purchase=_ratio(float((split.monetary_holdout * x_star).sum()), holdout),
        calibration_active_share=float((x > 0).mean()),
        holdout_active_share=float((x_star > 0).mean()),
        buckets=tuple(buckets),
    )


# --------------------------------------------------------------------------------- simulation


@attrs.frozen
class SimulationOverview(_Overview):
    """The parameters of a simulated base and the latent truth behind it."""

    n_customers: int
    observation_end: np.datetime64
    parameters: SimulationParameters
    alive_share: float
    mean_purchase_rate: float
    mean_dropout_probability: float

    def sections(self) -> tuple[Section, ...]:
        """One label/value section."""
        p = self.parameters
        unit = p.time_unit.value
        rows = [
            (f"mean purchase rate (per {unit})", fmt.number(self.mean_purchase_rate, 3)),
            ("mean dropout probability", fmt.number(self.mean_dropout_probability, 3)),
            ("still active at observation end", fmt.share(self.alive_share)),
        ]
        notes = [
            f"BG/NBD purchases r={p.r:g}, alpha={p.alpha:g}, a={p.a:g}, b={p.b:g} (per {unit});"
            f" Gamma-Gamma spend p={p.p:g}, q={p.q:g}, gamma={p.gamma:g}.",
            "The rates, dropout and activity are latent: real data never show them.",
        ]
        return (Section("Simulated customer base", rows, notes=notes),)


def simulation_overview(simulation: Simulation) -> SimulationOverview:
    """Describe the parameters and latent traits of a :func:`~ecomstrat.simulate_transactions` run.

    Examples
    --------
    >>> from ecomstrat.datasets import simulate_transactions
    >>> o = simulation_overview(simulate_transactions(100, seed=3))
    >>> o.n_customers, o.to_dict()["parameters"]["time_unit"]
    (100, 'week')
    """
    return SimulationOverview(
        n_customers=simulation.log.n_customers,
        observation_end=simulation.observation_end,
        parameters=simulation.parameters,
        alive_share=float(simulation.alive.mean()),
        mean_purchase_rate=float(simulation.purchase_rate.mean()),
        mean_dropout_probability=float(simulation.dropout_probability.mean()),
    )
