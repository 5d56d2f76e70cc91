"""RFM summaries of a Dask DataFrame of orders: shuffle by customer, then summarise per partition.

A customer's orders may sit in any partitions. They are brought together by a hash shuffle on
the customer id, after tagging every row with its place in the input (partition number, then
row position) so that each output partition can put its rows back in input order. Each output
partition then holds all the orders of its customers, in the order a single-machine run would
see them, and is summarised by :func:`ecomstrat.rfm_summary` with the observation end computed
once over the whole frame: every sum is added in the same order, so the results are bitwise
equal to the single-machine ones whatever the partitioning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from ecomstrat._optional import import_optional
from ecomstrat._validation import check_choice, invalid
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError
from ecomstrat.frames._foreign import missing_column
from ecomstrat.frames._time import NS, period_of, to_instant
from ecomstrat.frames.summary import CalibrationHoldout, CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.io._common import OrderColumns, one_kind_ids
from ecomstrat.io.pandas import log_from_pandas
from ecomstrat.metrics.summary import (
    Monetary,
    calibration_holdout_summary as _calibration_holdout,
    check_window,
    rfm_summary as _rfm_summary,
)

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

__all__ = [
    "DaskCalibrationHoldout",
    "DaskSummary",
    "Units",
    "by_customer",
    "calibration_holdout_summary",
    "dry_run",
    "map_logs",
    "order_columns",
    "rfm_summary",
    "summary_of",
    "timezone_of",
]

#: Column added to the orders before the shuffle: ``partition << 40 | row`` (input order).
ORDER = "_ecomstrat_order"
_ROW_BITS = 40


@attrs.frozen
class Units:
    """What a summary's columns are measured in: the small part of a summary sent to tasks."""

    time_unit: TimeUnit
    period: TimeUnit
    observation_end: np.datetime64


@attrs.frozen(eq=False)
class DaskSummary:
    """A distributed :class:`~ecomstrat.CustomerSummary`: a Dask DataFrame plus its units.

    Returned by :func:`rfm_summary`. Pass it to :func:`ecomstrat.dask.fit`,
    :func:`ecomstrat.dask.predictions` and the other partition-wise maps, or call
    :meth:`compute` for the single-machine summary.

    Attributes
    ----------
    frame : dask.dataframe.DataFrame
        One row per customer, indexed by ``customer_id``, with the columns of
        :meth:`CustomerSummary.to_pandas` (``frequency``, ``recency``, ``T``, ``monetary``,
        ``first_purchase``, ``total_value``). Each customer is in exactly one partition.
    time_unit : TimeUnit
        Unit of ``recency`` and ``T``.
    period : TimeUnit
        Purchase period.
    observation_end : numpy.datetime64
        The instant ``T`` is measured to.
    """

    frame: dd.DataFrame
    time_unit: TimeUnit
    period: TimeUnit
    observation_end: np.datetime64

    @property
    def units(self) -> Units:
        """The time unit, period and observation end (without the frame)."""
        return Units(self.time_unit, self.period, self.observation_end)

    def compute(self, **options: Any) -> CustomerSummary:
        """Compute the frame and return it as a :class:`CustomerSummary`, sorted by customer id.

        ``options`` go to :meth:`dask.dataframe.DataFrame.compute` (e.g. ``scheduler=``). Each
        customer's row equals, bit for bit, that of ``ecomstrat.rfm_summary`` on the log of the
        same orders in the same row order (``orders.compute()``).
        """
        frame = self.frame.compute(**options)
        if len(frame) == 0:
            raise EmptyInputError("the orders are empty: at least one order is needed.")
        return summary_of(frame.sort_index(), self.units)

    def persist(self, **options: Any) -> DaskSummary:
        """The same summary with its frame persisted in (cluster) memory."""
        return attrs.evolve(self, frame=self.frame.persist(**options))


@attrs.frozen(eq=False)
class DaskCalibrationHoldout:
    """A distributed :class:`~ecomstrat.CalibrationHoldout`.

    Returned by :func:`calibration_holdout_summary`.

    Attributes
    ----------
    frame : dask.dataframe.DataFrame
        One row per customer acquired by ``calibration_end``, indexed by ``customer_id``,
        with the columns of :meth:`CalibrationHoldout.to_pandas`.
    calibration : DaskSummary
        The calibration columns alone, as a summary to fit on.
    calibration_end, observation_end : numpy.datetime64
        The two cut-offs.
    n_customers : dask Series
        Customers in each partition of the shuffled orders (acquired or not), for
        ``n_excluded``.
    """

    frame: dd.DataFrame
    calibration: DaskSummary
    calibration_end: np.datetime64
    observation_end: np.datetime64
    n_customers: dd.Series

    def compute(self, **options: Any) -> CalibrationHoldout:
        """Compute and return the :class:`CalibrationHoldout`, sorted by customer id."""
        dask = import_optional("dask", "dask")
        frame, counts = dask.compute(self.frame, self.n_customers, **options)
        if len(frame) == 0:
            raise EmptyInputError(
                f"no customer bought by calibration_end={self.calibration_end}."
                " Choose a later calibration_end."
            )
        frame = frame.sort_index()
        return CalibrationHoldout(
            summary_of(frame, self.calibration.units),
            frame["frequency_holdout"].to_numpy(dtype=np.int64),
            frame["monetary_holdout"].to_numpy(dtype=np.float64),
            float(frame["duration_holdout"].iloc[0]),
            self.calibration_end,
            self.observation_end,
            int(counts.sum()) - len(frame),
        )


def rfm_summary(
    orders: dd.DataFrame,
    *,
    customer_id: str = "customer_id",
    time: str = "time",
    amount: str = "amount",
    margin: str | None = None,
    observation_end: object = None,
    time_unit: TimeUnit | str = TimeUnit.DAY,
    period: TimeUnit | str = TimeUnit.DAY,
    monetary: Monetary = "amount",
) -> DaskSummary:
    """Summarise each customer of a Dask DataFrame of orders as :func:`ecomstrat.rfm_summary` does.

    The orders are shuffled by customer (each customer's rows kept in input order), then every
    output partition is summarised on its own with the single-machine function. Any
    partitioning gives the same, bitwise equal, values as the single-machine summary.

    Parameters
    ----------
    orders : dask.dataframe.DataFrame
        One row per order, in any partitioning (by customer, by time, arbitrary rows).
    customer_id, time, amount : str
        Columns of the customer ids (integers or strings), order times (``datetime64``,
        naive or timezone-aware) and order values, as in :func:`ecomstrat.log_from_pandas`.
    margin : str, optional
        Column of gross margins per order (for ``monetary="margin"``).
    observation_end : datetime, date, str or numpy.datetime64, optional
        End of the observation (inclusive). Defaults to the last order's time over the whole
        frame, computed once (one pass over the ``time`` column) when this function is called.
    time_unit, period, monetary
        As in :func:`ecomstrat.rfm_summary`.

    Returns
    -------
    DaskSummary
        Lazy: nothing but the default ``observation_end`` is computed until you call
        ``.compute()``, ``.persist()`` or a function that needs the values.

    Raises
    ------
    InvalidInputError
        If ``orders`` is not a Dask DataFrame or the ``time`` column does not hold datetimes.
    UnknownCodeError
        If a mapped column is absent.
    """
    per, unit = TimeUnit.parse(period), TimeUnit.parse(time_unit)
    check_choice("monetary", monetary, ("amount", "margin"))
    columns = order_columns(orders, customer_id, time, amount, margin)
    timezone = timezone_of(orders, time)
    end = _observation_end(orders, time, observation_end, timezone)
    shuffled = by_customer(orders, columns)

    def summarise(log: TransactionLog) -> pd.DataFrame:
        summary = _rfm_summary(
            log, observation_end=end, time_unit=unit, period=per, monetary=monetary
        )
        return summary.to_pandas()

    frame = map_logs(shuffled, columns, summarise, dry_run(orders, columns, end))
    return DaskSummary(frame, unit, per, end)


def calibration_holdout_summary(
    orders: dd.DataFrame,
    *,
    calibration_end: object,
    customer_id: str = "customer_id",
    time: str = "time",
    amount: str = "amount",
    margin: str | None = None,
    observation_end: object = None,
    time_unit: TimeUnit | str = TimeUnit.DAY,
    period: TimeUnit | str = TimeUnit.DAY,
    monetary: Monetary = "amount",
) -> DaskCalibrationHoldout:
    """:func:`ecomstrat.calibration_holdout_summary` of a Dask DataFrame of orders.

    Same route and guarantees as :func:`rfm_summary`: bitwise equal to the single-machine
    result for any partitioning. Partitions whose customers were all acquired after
    ``calibration_end`` give no rows; ``n_excluded`` is counted at :meth:`compute`.

    Parameters
    ----------
    orders : dask.dataframe.DataFrame
        One row per order.
    calibration_end : datetime, date, str or numpy.datetime64
        End of the calibration window (inclusive).
    customer_id, time, amount, margin, observation_end, time_unit, period, monetary
        As in :func:`rfm_summary`.

    Returns
    -------
    DaskCalibrationHoldout

    Raises
    ------
    InvalidInputError
        As :func:`rfm_summary`, and if ``calibration_end`` is after ``observation_end``.
    """
    per, unit = TimeUnit.parse(period), TimeUnit.parse(time_unit)
    check_choice("monetary", monetary, ("amount", "margin"))
    columns = order_columns(orders, customer_id, time, amount, margin)
    timezone = timezone_of(orders, time)
    cal = to_instant("calibration_end", calibration_end, timezone)
    end = _observation_end(orders, time, observation_end, timezone)
    check_window(cal, end)
    cal_p = period_of(cal, per)
    shuffled = by_customer(orders, columns)

    def summarise(log: TransactionLog) -> pd.DataFrame | None:
        if period_of(log.times.min(), per) > cal_p:
            return None  # nobody in this partition was acquired by calibration_end
        split = _calibration_holdout(
            log,
            calibration_end=cal,
            observation_end=end,
            time_unit=unit,
            period=per,
            monetary=monetary,
        )
        return split.to_pandas()

    frame = map_logs(shuffled, columns, summarise, dry_run(orders, columns, cal))
    calibration = frame[[c for c in frame.columns if not c.endswith("_holdout")]]
    counts = shuffled.map_partitions(_count_customers, customer_id, meta=("n_customers", np.int64))
    return DaskCalibrationHoldout(frame, DaskSummary(calibration, unit, per, cal), cal, end, counts)


def by_customer(orders: dd.DataFrame, columns: OrderColumns) -> dd.DataFrame:
    """The mapped columns of ``orders`` with their input order, shuffled by customer id."""
    tagged = orders[columns.names()].map_partitions(
        _tag_order, meta=orders._meta[columns.names()].assign(**{ORDER: np.int64(0)})
    )
    shuffled: dd.DataFrame = tagged.shuffle(on=columns.customer_id)
    return shuffled


def _tag_order(part: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    number = 0 if partition_info is None else int(partition_info["number"])
    rows = np.arange(len(part), dtype=np.int64)
    return part.assign(**{ORDER: (np.int64(number) << np.int64(_ROW_BITS)) + rows})


def _count_customers(part: pd.DataFrame, customer_id: str) -> pd.Series:
    import pandas as pd

    return pd.Series([part[customer_id].nunique()], name="n_customers", dtype=np.int64)


def map_logs(
    shuffled: dd.DataFrame,
    columns: OrderColumns,
    function: Callable[[TransactionLog], pd.DataFrame | None],
    probe: pd.DataFrame,
) -> dd.DataFrame:
    """``function`` of each shuffled partition's log, with meta from a one-order dry run."""
    full = function(_log(columns, probe))
    if full is None:
        raise AssertionError("the dry run of a partition summary must give a row")
    meta = full.iloc[:0]
    mapped: dd.DataFrame = shuffled.map_partitions(_apply_log, columns, function, meta, meta=meta)
    return mapped


def _apply_log(
    part: pd.DataFrame,
    columns: OrderColumns,
    function: Callable[[TransactionLog], pd.DataFrame | None],
    meta: pd.DataFrame,
) -> pd.DataFrame:
    if len(part) == 0:
        return meta
    result = function(_log(columns, part))
    return meta if result is None else result


def _log(columns: OrderColumns, part: pd.DataFrame) -> TransactionLog:
    """The partition's orders as a log, rows back in input order."""
    order = np.argsort(part[ORDER].to_numpy(), kind="stable")
    return log_from_pandas(
        part.iloc[order],
        customer_id=columns.customer_id,
        time=columns.time,
        amount=columns.amount,
        margin=columns.margin,
    )


def dry_run(orders: dd.DataFrame, columns: OrderColumns, when: np.datetime64) -> pd.DataFrame:
    """One order of the dtypes of ``orders``, at ``when``: to run a partition function on."""
    import pandas as pd

    meta = orders._meta
    row: dict[str, pd.Series] = {}
    for name in columns.names():
        dtype = meta[name].dtype
        if name == columns.customer_id:
            sample: object = 0 if pd.api.types.is_integer_dtype(dtype) else "0"
            row[name] = pd.Series([sample]).astype(dtype)
        elif name == columns.time:
            stamps = pd.Series([when]).astype(NS)
            tz = getattr(dtype, "tz", None)
            if tz is not None:
                stamps = stamps.dt.tz_localize("UTC").dt.tz_convert(tz)
            row[name] = stamps.astype(dtype)
        else:
            row[name] = pd.Series([1.0]).astype(dtype)
    row[ORDER] = pd.Series([0], dtype=np.int64)
    return pd.DataFrame(row)


def summary_of(frame: pd.DataFrame, units: Units) -> CustomerSummary:
    """A pandas partition of a :class:`DaskSummary` frame (or all of it) as a summary."""
    import pandas as pd

    first = frame["first_purchase"]
    if isinstance(first.dtype, pd.DatetimeTZDtype):
        first = first.dt.tz_convert(None)
    return CustomerSummary(
        one_kind_ids(np.asarray(frame.index.to_numpy()), "customer_id"),
        frame["frequency"].to_numpy(dtype=np.int64),
        frame["recency"].to_numpy(dtype=np.float64),
        frame["T"].to_numpy(dtype=np.float64),
        frame["monetary"].to_numpy(dtype=np.float64),
        first.to_numpy(dtype=NS),
        frame["total_value"].to_numpy(dtype=np.float64),
        time_unit=units.time_unit,
        period=units.period,
        observation_end=units.observation_end,
    )


def order_columns(
    orders: object, customer_id: str, time: str, amount: str, margin: str | None
) -> OrderColumns:
    dd = import_optional("dask.dataframe", "dask")
    if not isinstance(orders, dd.DataFrame):
        raise invalid(
            "orders",
            f"<{type(orders).__name__}>",
            "must be a dask.dataframe.DataFrame",
            "Use ecomstrat.rfm_summary(ecomstrat.log_from_pandas(df)) for a pandas DataFrame,"
            " or dask.dataframe.from_pandas(df, npartitions=...).",
        )
    columns = OrderColumns(customer_id, time, amount, margin)
    present = list(orders.columns)
    for arg, name in columns.mapping().items():
        if name is not None and name not in present:
            raise missing_column(arg, name, present, "orders")
    return columns


def timezone_of(orders: dd.DataFrame, time: str) -> str | None:
    import pandas as pd

    dtype = orders._meta[time].dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "UTC"
    if dtype.kind == "M":
        return None
    raise invalid(
        f"orders[{time!r}]",
        f"<{dtype}>",
        "must hold datetime64 values (naive or timezone-aware)",
        f"Convert it first: orders[{time!r}] = dask.dataframe.to_datetime(orders[{time!r}]).",
    )


def _observation_end(
    orders: dd.DataFrame, time: str, observation_end: object, timezone: str | None
) -> np.datetime64:
    if observation_end is not None:
        return to_instant("observation_end", observation_end, timezone)
    last = orders[time].max().compute()
    if timezone is not None:
        last = last.tz_convert("UTC").tz_localize(None)
    return np.datetime64(last.to_datetime64(), "ns")
