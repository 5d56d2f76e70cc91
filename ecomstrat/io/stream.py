"""RFM summaries of order logs larger than memory, read chunk by chunk on one machine.

A source (a Parquet file, folder or list of files, a ``pyarrow.dataset.Dataset``, a polars
LazyFrame, or an iterable of Arrow record batches or pandas / polars DataFrames) is read one
chunk at a time. Each chunk is checked as its library's adapter checks a table
(``log_from_arrow``'s helpers, :func:`log_from_pandas`, :func:`log_from_polars`: the same
checks and messages as the in-memory path), its customers get one code across chunks (in order
of first appearance, :class:`~ecomstrat.frames._ids.IdIndex`), and its orders update a
per-customer state in input order (:mod:`ecomstrat._kernels.stream`). The result is
equal, bit for bit, to :func:`~ecomstrat.rfm_summary` of the whole log loaded in memory.

Memory holds the customers' state (40 bytes each) and ids, one chunk, and the set of
(customer, purchase period) pairs still open. On a Parquet source the pairs of periods earlier
than every later row group's first order (its ``min`` statistic) are dropped as the reading
moves on, so a log written in time order needs memory for its customers, not for its orders.
Other sources carry no such statistics: their set keeps every pair (still exact; memory grows
with the number of distinct customer-periods).

Examples
--------
>>> import pytest; pa = pytest.importorskip("pyarrow")
>>> import numpy as np
>>> batches = [
...     pa.record_batch({"customer_id": ["a", "b"],
...                      "time": np.array(["2024-01-01", "2024-01-03"], dtype="datetime64[ns]"),
...                      "amount": [10.0, 5.0]}),
...     pa.record_batch({"customer_id": ["a"],
...                      "time": np.array(["2024-01-08"], dtype="datetime64[ns]"),
...                      "amount": [7.5]}),
... ]
>>> s = stream_rfm_summary(batches, observation_end="2024-01-15")
>>> s.customer_ids.tolist(), s.frequency.tolist(), s.recency.tolist(), s.T.tolist()
(['a', 'b'], [1, 0], [7.0, 0.0], [14.0, 12.0])
"""

from __future__ import annotations

import os
import sys
import time as clock
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import numpy as np

from ecomstrat._kernels._jit import frozen
from ecomstrat._kernels.stream import EMPTY, capacity_for, prune, update
from ecomstrat._optional import import_optional
from ecomstrat._typing import AnyArray, DatetimeArray, FloatArray, IntArray
from ecomstrat._validation import check_choice, invalid, shown
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EmptyInputError, InvalidInputError
from ecomstrat.frames._foreign import frame_library, missing_column
from ecomstrat.frames._ids import IdIndex
from ecomstrat.frames._time import period_index, period_of, to_instant
from ecomstrat.frames.summary import CalibrationHoldout, CustomerSummary
from ecomstrat.io._common import MIXED, OrderColumns, check_amounts
from ecomstrat.io.pandas import log_from_pandas
from ecomstrat.io.polars import log_from_polars
from ecomstrat.metrics.summary import (
    Monetary,
    Stats,
    check_window,
    holdout_from_stats,
    summary_from_stats,
)

__all__ = ["stream_calibration_holdout_summary", "stream_rfm_summary"]

#: Rows read at a time by default (Parquet row groups are read in batches of at most this).
CHUNK_SIZE = 1 << 21
#: Rows from which ``progress=None`` reports (when stderr is a terminal).
PROGRESS_MIN_ROWS = 10_000_000
#: Seconds between two progress lines.
PROGRESS_EVERY_S = 1.0
_UNBOUNDED = np.iinfo(np.int64).max
#: Customer-state arrays double when full: ``np.zeros`` memory is committed by the system
#: only when written, so the unused part costs address space, not resident memory.
_GROWTH = 2


def stream_rfm_summary(
    source: Any,
    *,
    customer_id: str = "customer_id",
    time: str = "time",
    amount: str = "amount",
    margin: str | None = None,
    observation_end: object = None,
    time_unit: TimeUnit | str = TimeUnit.DAY,
    period: TimeUnit | str = TimeUnit.DAY,
    monetary: Monetary = "amount",
    chunk_size: int = CHUNK_SIZE,
    progress: bool | None = None,
) -> CustomerSummary:
    """:func:`~ecomstrat.rfm_summary` of an order log read chunk by chunk.

    Parameters
    ----------
    source : path, list of paths, pyarrow Dataset or Table, polars LazyFrame or DataFrame, \
pandas DataFrame, or iterable of Arrow record batches / tables or pandas / polars DataFrames
        The orders, one row each, read in this order. A path is a Parquet file or a folder
        of Parquet files (read as :func:`~ecomstrat.io.read_parquet` reads it).
    customer_id, time, amount : str
        Column names, as in :func:`~ecomstrat.io.log_from_arrow` (the same types are accepted:
        ``datetime64`` / ``timestamp`` times naive or with a time zone, dates, ISO strings).
    margin : str, optional
        Column of gross margins, needed by ``monetary="margin"``.
    observation_end, time_unit, period, monetary
        As in :func:`~ecomstrat.rfm_summary`. The default ``observation_end`` (the last
        order's time) needs no extra pass over the source.
    chunk_size : int, default 2**21
        Most rows read at a time (Parquet: per batch within a row group; polars: per slice;
        DataFrames are cut into slices of this many rows; an iterable's items are taken whole).
    progress : bool, optional
        Report rows, chunks, elapsed time and rows/s on stderr (never stdout), about once a
        second. ``None`` (default): only when stderr is a terminal and more than 10**7 rows
        have been read.

    Returns
    -------
    CustomerSummary
        Equal to ``rfm_summary(log, ...)`` of the whole log in memory, customers in order of
        first appearance.

    Raises
    ------
    UnknownCodeError, InvalidInputError, EmptyInputError
        As the in-memory path (the adapter of each chunk checks it; a note on the error names
        the chunk and its first row in the whole source).

    Notes
    -----
    Memory: the state of every customer (40 bytes each, 56 with a holdout) and the id index
    (about 45 bytes per integer id, plus the bytes of string ids), one chunk, and
    the (customer, period) pairs still open. On Parquet sources with row-group statistics on
    the time column (pyarrow writes them), pairs older than every later row group are
    dropped: a log in time order then needs memory for its customers, not its orders. Other
    sources keep every pair, so memory also grows with the distinct customer-periods.
    """
    unit, per = TimeUnit.parse(time_unit), TimeUnit.parse(period)
    check_choice("monetary", monetary, ("amount", "margin"))
    columns = OrderColumns(customer_id, time, amount, _margin_column(monetary, margin))
    chunks = _chunks(source, columns, chunk_size)
    first = next(chunks)
    end = _cut_off("observation_end", observation_end, first.orders.timezone)
    end_p = _UNBOUNDED if end is None else period_of(end, per)
    state = _State(per, end_p, end_p, monetary, track_late=end is not None)
    _run(state, first, chunks, _Progress(progress, first.total_rows))
    end = state.last_time if end is None else end
    ids, stats = state.finish()
    late = state.late_first

    def first_seen(i: int) -> np.datetime64:
        return np.datetime64(int(late[i]), "ns")

    return summary_from_stats(ids, stats, end, period_of(end, per), unit, per, first_seen)


def stream_calibration_holdout_summary(
    source: Any,
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
    chunk_size: int = CHUNK_SIZE,
    progress: bool | None = None,
) -> CalibrationHoldout:
    """:func:`~ecomstrat.calibration_holdout_summary` of an order log read chunk by chunk.

    Parameters
    ----------
    source, customer_id, time, amount, margin, chunk_size, progress
        As in :func:`stream_rfm_summary`.
    calibration_end, observation_end, time_unit, period, monetary
        As in :func:`~ecomstrat.calibration_holdout_summary`.

    Returns
    -------
    CalibrationHoldout
        Equal to ``calibration_holdout_summary(log, ...)`` of the whole log in memory.
    """
    unit, per = TimeUnit.parse(time_unit), TimeUnit.parse(period)
    check_choice("monetary", monetary, ("amount", "margin"))
    columns = OrderColumns(customer_id, time, amount, _margin_column(monetary, margin))
    chunks = _chunks(source, columns, chunk_size)
    first = next(chunks)
    cal = to_instant("calibration_end", calibration_end, first.orders.timezone)
    end = _cut_off("observation_end", observation_end, first.orders.timezone)
    if end is not None:
        check_window(cal, end)
    end_p = _UNBOUNDED if end is None else period_of(end, per)
    state = _State(per, period_of(cal, per), end_p, monetary, track_late=False)
    _run(state, first, chunks, _Progress(progress, first.total_rows))
    if end is None:
        end = state.last_time
        check_window(cal, end)
    ids, stats = state.finish()
    return holdout_from_stats(
        ids,
        stats,
        (cal, period_of(cal, per)),
        (end, period_of(end, per)),
        unit,
        per,
        state.first_time,
    )


# --- reading --------------------------------------------------------------------------------


class _Orders(NamedTuple):
    """One chunk's orders, checked: ids (to encode), times, and the values summarised."""

    #: What ``IdIndex.encode`` takes: the id column (Arrow), or the chunk log's distinct ids.
    ids: Any
    #: Position of each order's id in ``ids`` (None: ``ids`` has one entry per order).
    positions: IntArray | None
    times: DatetimeArray
    timezone: str | None
    values: FloatArray


class _Chunk(NamedTuple):
    orders: _Orders
    #: Earliest time any later chunk can hold (None: unknown).
    watermark: np.datetime64 | None
    #: Rows of the whole source, when known up front.
    total_rows: int | None


def _margin_column(monetary: str, margin: str | None) -> str | None:
    if monetary == "margin" and margin is None:
        raise InvalidInputError(
            "monetary='margin' needs margins, but no margin column was given. Pass margin=…"
        )
    return margin if monetary == "margin" else None


def _cut_off(name: str, value: object, timezone: str | None) -> np.datetime64 | None:
    return None if value is None else to_instant(name, value, timezone)


def _chunks(source: Any, columns: OrderColumns, chunk_size: int) -> Iterator[_Chunk]:
    """The non-empty chunks of ``source``, checked; raises EmptyInputError if there are none."""
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise invalid("chunk_size", shown(chunk_size), "must be a whole number >= 1")
    tables = _tables(source, columns, chunk_size)
    offset = 0
    timezone: str | None = None
    for number, (table, watermark, total) in enumerate(tables):
        if _height(table) == 0:
            continue
        try:
            orders = _orders(table, columns)
            if offset and orders.timezone != timezone:
                raise invalid(
                    "source",
                    f"<chunk {number}>",
                    f"has {'UTC' if orders.timezone else 'naive'} times after"
                    f" {'UTC' if timezone else 'naive'} ones: {MIXED}",
                )
        except InvalidInputError as error:
            error.add_note(
                f"In chunk {number} of source, whose first row is row {offset} of the source."
            )
            raise
        timezone = orders.timezone
        offset += orders.times.shape[0]
        yield _Chunk(orders, watermark, total)
    if offset == 0:
        raise EmptyInputError("source is empty: at least one order (row) is needed.")


def _height(table: Any) -> int:
    library = frame_library(table)
    if library == "pyarrow":
        return int(table.num_rows)
    return len(table)


def _orders(table: Any, columns: OrderColumns) -> _Orders:
    """The orders of one chunk, checked as the in-memory path checks them.

    Arrow chunks (Parquet, record batches) go through the helpers of :func:`log_from_arrow`
    (same checks, same order, same messages) without building a log: their ids are encoded
    once, by the stream's own index. pandas and polars chunks go through their adapter.
    """
    library = frame_library(table)
    names = columns._asdict()
    if library == "pyarrow":
        return _arrow_orders(table, columns)
    log = (
        log_from_pandas(table, **names) if library == "pandas" else log_from_polars(table, **names)
    )
    values = log.amounts if log.margins is None else log.margins
    return _Orders(log.customer_ids, log.customer_index, log.times, log.timezone, values)


def _arrow_orders(table: Any, columns: OrderColumns) -> _Orders:
    """:func:`log_from_arrow`'s checks, in its order, on one Arrow chunk."""
    from ecomstrat.io.arrow import _check_ids, _check_table, _Column, _floats, _pyarrow, _times

    pa = _pyarrow()
    table = _check_table(pa, table, "order")
    ids = _Column(pa, table, "customer_id", columns.customer_id)
    stamps = _Column(pa, table, "time", columns.time)
    amounts = _Column(pa, table, "amount", columns.amount)
    margins = None if columns.margin is None else _Column(pa, table, "margin", columns.margin)
    _check_ids(pa, ids)
    times, timezone = _times(pa, stamps)
    values = None
    if margins is not None:
        values = check_amounts(_floats(pa, margins), margins.where, non_negative=False)
    checked = check_amounts(_floats(pa, amounts), amounts.where, non_negative=True)
    return _Orders(ids.data, None, times, timezone, checked if values is None else values)


_Table = tuple[Any, "np.datetime64 | None", "int | None"]


def _tables(source: Any, columns: OrderColumns, chunk_size: int) -> Iterator[_Table]:
    """``(table, watermark, total rows)`` for each chunk of ``source``, in order."""
    library = frame_library(source)
    if isinstance(source, str | os.PathLike) or _is_dataset(source) or _is_path_list(source):
        return _parquet(source, columns, chunk_size)
    if library == "polars" and type(source).__name__ == "LazyFrame":
        return _lazy(source, columns, chunk_size)
    if library is not None:
        return _sliced(source, chunk_size)
    if isinstance(source, Iterable) and not isinstance(source, bytes):
        return _items(source)
    raise invalid(
        "source",
        f"<{type(source).__name__}>",
        "must be a Parquet path (or list of paths), a pyarrow Dataset or Table, a polars"
        " LazyFrame or DataFrame, a pandas DataFrame, or an iterable of tables",
    )


def _is_dataset(source: Any) -> bool:
    return type(source).__module__.startswith("pyarrow") and hasattr(source, "get_fragments")


def _is_path_list(source: Any) -> bool:
    return (
        isinstance(source, list | tuple)
        and len(source) > 0
        and all(isinstance(item, str | os.PathLike) for item in source)
    )


def _items(source: Iterable[Any]) -> Iterator[_Table]:
    for number, item in enumerate(source):
        if frame_library(item) is None or type(item).__name__ == "LazyFrame":
            raise invalid(
                f"source[{number}]",
                f"<{type(item).__name__}>",
                "must be an Arrow RecordBatch or Table, or a pandas or polars DataFrame",
            )
        yield item, None, None


def _sliced(table: Any, chunk_size: int) -> Iterator[_Table]:
    library = frame_library(table)
    total = _height(table)
    for start in range(0, total, chunk_size):
        if library == "pandas":
            yield table.iloc[start : start + chunk_size], None, total
        else:
            yield table.slice(start, chunk_size), None, total


def _lazy(frame: Any, columns: OrderColumns, chunk_size: int) -> Iterator[_Table]:
    names = frame.collect_schema().names()
    for arg, name in columns.mapping().items():
        if name is not None and name not in names:
            raise missing_column(arg, name, names, "the LazyFrame")
    selected = frame.select(columns.names())
    if hasattr(selected, "collect_batches"):  # recent polars: its streaming engine
        for batch in selected.collect_batches(chunk_size=chunk_size, maintain_order=True):
            yield batch, None, None
        return
    start = 0
    while True:  # older polars: slices (pushed down to a scan, re-run for other queries)
        batch = selected.slice(start, chunk_size).collect()
        if batch.height == 0:
            return
        yield batch, None, None
        start += batch.height


def _parquet(source: Any, columns: OrderColumns, chunk_size: int) -> Iterator[_Table]:
    """Row groups of a Parquet dataset in order, each with the next ones' earliest time."""
    pa = import_optional("pyarrow", "pyarrow")
    ds = import_optional("pyarrow.dataset", "pyarrow")
    if _is_dataset(source):
        dataset, where = source, "the dataset"
    else:
        paths = [os.fspath(p) for p in source] if _is_path_list(source) else os.fspath(source)
        for path in [paths] if isinstance(paths, str) else paths:
            if not os.path.exists(path):
                raise FileNotFoundError(f"source={path!r}: no such Parquet file or folder.")
        dataset, where = ds.dataset(paths, format="parquet"), repr(paths)
    names = dataset.schema.names
    for arg, name in columns.mapping().items():
        if name is not None and name not in names:
            raise missing_column(arg, name, names, where)
    pieces = [
        piece
        for fragment in dataset.get_fragments()
        for piece in (
            fragment.split_by_row_group() if hasattr(fragment, "split_by_row_group") else [fragment]
        )
    ]
    watermarks = _watermarks(pa, pieces, dataset.schema.field(columns.time), columns.time)
    total = sum(_piece_rows(piece) for piece in pieces) if pieces else 0
    wanted = columns.names()
    for piece, watermark in zip(pieces, watermarks, strict=True):
        held = None  # one batch of look-ahead: the piece's last batch carries its watermark
        # one batch decoded ahead (pyarrow's default, 16, would hold 16 chunks in memory)
        batches = piece.to_batches(
            columns=wanted, batch_size=chunk_size, batch_readahead=1, fragment_readahead=1
        )
        for batch in batches:
            if held is not None:
                yield held, None, total
            held = batch
        if held is not None:
            yield held, watermark, total
    # give the decoding buffers pyarrow's allocator keeps back to the system before the
    # summary is built beside the customers' state
    pa.default_memory_pool().release_unused()


def _piece_rows(piece: Any) -> int:
    groups = getattr(piece, "row_groups", None)
    if groups:
        return int(sum(group.num_rows for group in groups))
    return int(piece.count_rows())


def _watermarks(pa: Any, pieces: list[Any], field: Any, time: str) -> list[np.datetime64 | None]:
    """For each piece, the earliest time of all later pieces (None where unknown).

    From the ``min`` statistic of the time column of each row group; a piece without one
    (or a time column that is not a timestamp or date) makes the earlier ones unknown.
    """
    from ecomstrat.io.arrow import _Column, _times

    lows: list[object] = [None] * len(pieces)
    if pa.types.is_timestamp(field.type) or pa.types.is_date(field.type):
        for i, piece in enumerate(pieces):
            groups = getattr(piece, "row_groups", None) or []
            if len(groups) == 1 and groups[0].statistics:
                lows[i] = (groups[0].statistics.get(time) or {}).get("min")
    known = [i for i, low in enumerate(lows) if low is not None]
    times: list[np.datetime64 | None] = [None] * len(pieces)
    if known:
        table = pa.table({time: pa.array([lows[i] for i in known], type=field.type)})
        for i, instant in zip(known, _times(pa, _Column(pa, table, "time", time))[0], strict=True):
            times[i] = instant
    out: list[np.datetime64 | None] = [None] * len(pieces)
    later: np.datetime64 | None = None  # earliest time of the pieces after i
    all_known = True  # every piece after i has a known earliest time
    for i in range(len(pieces) - 2, -1, -1):
        after = times[i + 1]
        if after is None:
            all_known = False
        if all_known and after is not None:
            later = after if later is None or after < later else later
            out[i] = later
    return out


# --- state ----------------------------------------------------------------------------------


class _State:
    """Everything kept between chunks: ids, per-customer statistics and the open pairs."""

    def __init__(self, per: TimeUnit, cal_p: int, end_p: int, monetary: str, *, track_late: bool):
        self.ids = IdIndex("customer_id")
        self.period, self.cal_p, self.end_p, self.monetary = per, cal_p, end_p, monetary
        self.holdout = cal_p < end_p  # else no order can fall in a holdout window
        self.capacity = 0
        #: Per customer: distinct periods, first and last period; value in the first, in all.
        self.periods_seen: IntArray = np.zeros((0, 3), dtype=np.int64)
        self.values_seen: FloatArray = np.zeros((0, 2))
        #: Per customer: distinct holdout periods and their value (empty without a holdout).
        self.n_holdout: IntArray = np.zeros(0, dtype=np.int64)
        self.holdout_value: FloatArray = np.zeros(0)
        self.track_late = track_late
        self.late_first: IntArray = np.zeros(0, dtype=np.int64)
        self.table: IntArray = np.full(capacity_for(1), EMPTY, dtype=np.int64)
        self.spare: IntArray = np.empty(0, dtype=np.int64)
        self.n_pairs = 0
        #: Most (customer, period) pairs held at once: what pruning bounds.
        self.peak_pairs = 0
        self.pruned_at = np.iinfo(np.int64).min  # pairs of earlier periods are gone
        self.watermark = self.pruned_at  # no later order is in an earlier period
        self.rows = 0
        self.chunks = 0
        self.first_time = np.datetime64("NaT", "ns")
        self.last_time = np.datetime64("NaT", "ns")

    def add(self, chunk: _Chunk) -> None:
        orders = chunk.orders
        codes = self.ids.encode(orders.ids)
        if orders.positions is not None:
            codes = codes[orders.positions]
        self._reserve(len(self.ids))
        rows = codes.shape[0]
        if self.watermark > self.pruned_at or 2 * (self.n_pairs + rows) > self.table.shape[0]:
            self.table, self.n_pairs, self.spare = prune(
                self.table, self.watermark, rows, self.spare
            )
            self.pruned_at = self.watermark
        self.n_pairs += update(
            frozen(codes, np.int64),
            frozen(period_index(orders.times, self.period), np.int64),
            frozen(orders.times.view(np.int64), np.int64),
            frozen(orders.values),
            self.cal_p,
            self.end_p,
            self.table,
            self.periods_seen,
            self.values_seen,
            self.n_holdout,
            self.holdout_value,
            self.late_first,
        )
        self.peak_pairs = max(self.peak_pairs, self.n_pairs)
        if chunk.watermark is not None:
            self.watermark = max(self.watermark, period_of(chunk.watermark, self.period))
        low, high = orders.times.min(), orders.times.max()
        self.first_time = low if self.rows == 0 else min(self.first_time, low)
        self.last_time = high if self.rows == 0 else max(self.last_time, high)
        self.rows += rows
        self.chunks += 1

    def _reserve(self, n: int) -> None:
        """Room for ``n`` customers in the state arrays (new customers start at zero)."""
        if n <= self.capacity:
            return
        capacity = max(n, int(self.capacity * _GROWTH), 1024)
        holdout = capacity if self.holdout else 0

        def grown(old: Any, size: int, fill: float = 0) -> Any:
            shape = (size, *old.shape[1:])
            new = np.full(shape, fill, dtype=old.dtype) if fill else np.zeros(shape, old.dtype)
            new[: old.shape[0]] = old
            return new

        # one at a time: only one old array is alive beside the new ones
        self.periods_seen = grown(self.periods_seen, capacity)
        self.values_seen = grown(self.values_seen, capacity)
        self.n_holdout = grown(self.n_holdout, holdout)
        self.holdout_value = grown(self.holdout_value, holdout)
        if self.track_late:
            self.late_first = grown(self.late_first, capacity, np.iinfo(np.int64).max)
        self.capacity = capacity

    def finish(self) -> tuple[AnyArray, Stats]:
        """The distinct ids and the statistics of ``rfm_split`` (holdout zeros if none).

        Drops the id index and the pair set first: the summary is built without them.
        """
        n = len(self.ids)
        ids = self.ids.uniques()
        self.ids = IdIndex("customer_id")
        self.table = self.spare = np.empty(0, dtype=np.int64)
        n_periods, first, last = self.periods_seen[:n].T
        # column views, not copies (total_value becomes a strided column of the result): the
        # summary is built beside the state, and a copy would raise the peak by a column
        first_value, total_value = self.values_seen[:n].T
        n_holdout, holdout_value = self.n_holdout[:n], self.holdout_value[:n]
        if not self.holdout:
            n_holdout, holdout_value = np.zeros(n, dtype=np.int64), np.zeros(n)
        return ids, (n_periods, first, last, first_value, total_value, n_holdout, holdout_value)


class _Progress:
    """Rows, chunks, elapsed time and rows/s on stderr, about once a second."""

    def __init__(self, enabled: bool | None, total: int | None) -> None:
        if enabled is not None and not isinstance(enabled, bool):
            raise invalid("progress", shown(enabled), "must be True, False or None")
        self.terminal = sys.stderr.isatty()
        self.enabled = enabled
        self.total = total
        self.start = clock.perf_counter()
        self.due = self.start + PROGRESS_EVERY_S
        self.shown = False

    def _wanted(self, rows: int) -> bool:
        if self.enabled is not None:
            return self.enabled
        return self.terminal and max(rows, self.total or 0) >= PROGRESS_MIN_ROWS

    def update(self, state: _State, *, final: bool = False) -> None:
        now = clock.perf_counter()
        if not (
            self._wanted(state.rows)
            and (now >= self.due or (final and (self.shown or bool(self.enabled))))
        ):
            return
        self.due = now + PROGRESS_EVERY_S
        elapsed = now - self.start
        share = f" ({state.rows / self.total:.0%})" if self.total else ""
        line = (
            f"ecomstrat stream: {state.rows:,} rows{share}, {state.chunks} chunks,"
            f" {len(state.ids):,} customers, {elapsed:.1f} s,"
            f" {state.rows / max(elapsed, 1e-9) / 1e6:.2f} M rows/s"
        )
        end = "\n" if final or not self.terminal else ""
        sys.stderr.write(("\r" if self.terminal else "") + line + end)
        sys.stderr.flush()
        self.shown = True


def _run(state: _State, first: _Chunk, chunks: Iterator[_Chunk], progress: _Progress) -> None:
    state.add(first)
    progress.update(state)
    for chunk in chunks:
        state.add(chunk)
        progress.update(state)
    progress.update(state, final=True)
