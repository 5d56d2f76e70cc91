"""The streaming summaries equal the in-memory ones bit for bit, whatever the chunking."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

import ecomstrat as es
from ecomstrat._kernels.rfm import rfm_split
from ecomstrat.datasets import simulate_transactions
from ecomstrat.exceptions import EmptyInputError, InvalidInputError, UnknownCodeError
from ecomstrat.io import stream
from tests.reference.stream import stream_rfm_numba, stream_rfm_python

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")


def _assert_equal(got: Any, expected: Any, source: str = "") -> None:
    """Every column equal, bit for bit, with the same dtype; same units and observation end."""
    got_columns, expected_columns = got.columns(), expected.columns()
    assert list(got_columns) == list(expected_columns), source
    for name, column in expected_columns.items():
        assert got_columns[name].dtype == column.dtype, (source, name)
        assert got_columns[name].tobytes() == column.tobytes(), (source, name)
    summary = getattr(got, "calibration", got)
    reference = getattr(expected, "calibration", expected)
    for field in ("time_unit", "period", "observation_end"):
        assert getattr(summary, field) == getattr(reference, field), (source, field)


def _assert_same_holdout(got: Any, expected: Any) -> None:
    _assert_equal(got, expected)
    assert (got.calibration_end, got.observation_end, got.n_excluded) == (
        expected.calibration_end,
        expected.observation_end,
        expected.n_excluded,
    )


@pytest.fixture(scope="module")
def orders() -> Any:
    """A simulated log (1,500 customers, ~10k orders) as an Arrow table with margins, shuffled."""
    log = simulate_transactions(1_500, seed=3).log
    rng = np.random.default_rng(0)
    order = rng.permutation(log.n_transactions)
    return pa.table(
        {
            "customer_id": np.char.add("c", log.customer_ids[log.customer_index].astype(str))[
                order
            ],
            "time": log.times[order],
            "amount": log.amounts[order],
            "margin": (log.amounts * 0.3 - 1.0)[order],
        }
    )


def _by_time(table: Any) -> Any:
    return table.take(np.argsort(table.column("time").to_numpy(), kind="stable"))


def _parquet(table: Any, path: Path, row_group: int) -> Path:
    pq.write_table(table, path, row_group_size=row_group)
    return path


# --- the kernel -------------------------------------------------------------------------------


@st.composite
def _chunked_orders(draw: st.DrawFn) -> tuple[list[tuple[Any, Any, Any]], int, int, int]:
    n_customers = draw(st.integers(1, 6))
    n = draw(st.integers(1, 40))
    codes = np.array(draw(st.lists(st.integers(0, n_customers - 1), min_size=n, max_size=n)))
    periods = np.array(draw(st.lists(st.integers(-3, 8), min_size=n, max_size=n)))
    values = np.array(
        draw(st.lists(st.sampled_from([0.1, 0.2, 0.7, 1e16, 3.3]), min_size=n, max_size=n))
    )
    codes[draw(st.permutations(range(n)))[:n_customers]] = np.arange(n_customers)[
        : min(n, n_customers)
    ]
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=4)))
    bounds = [0, *cuts, n]
    chunks = [
        (codes[a:b].astype(np.int64), periods[a:b].astype(np.int64), values[a:b])
        for a, b in itertools.pairwise(bounds)
    ]
    calibration_end = draw(st.integers(-3, 8))
    observation_end = draw(st.integers(calibration_end, 9))
    return chunks, int(codes.max()) + 1, calibration_end, observation_end


@given(_chunked_orders())
def test_kernel_equals_its_reference_and_the_in_memory_kernel(
    case: tuple[list[tuple[Any, Any, Any]], int, int, int],
) -> None:
    """Chunk boundaries change nothing: every statistic is bitwise that of rfm_split."""
    chunks, n_customers, cal, end = case
    whole = [np.concatenate(column) for column in zip(*chunks, strict=True)]
    expected = rfm_split(*whole, n_customers, cal, end)
    for implementation in (stream_rfm_numba, stream_rfm_python):
        got = implementation(chunks, n_customers, cal, end)
        for a, b in zip(got, expected, strict=True):
            assert a.dtype == b.dtype
            assert a.tobytes() == b.tobytes()


def test_kernel_runs_as_plain_python() -> None:
    """With NUMBA_DISABLE_JIT=1 the kernel is ordinary Python (coverage, debugging)."""
    script = textwrap.dedent(
        """
        import numpy as np
        from ecomstrat._kernels.stream import update
        from tests.reference.stream import stream_rfm_numba, stream_rfm_python
        rng = np.random.default_rng(0)
        chunks = [(rng.integers(0, 5, 30), rng.integers(0, 9, 30), rng.random(30)) for _ in "ab"]
        with np.errstate(over="ignore"):  # the hash's multiplication wraps, as in numba
            got = stream_rfm_numba(chunks, 5, 4, 7)
        for a, b in zip(got, stream_rfm_python(chunks, 5, 4, 7), strict=True):
            assert a.tobytes() == b.tobytes()
        assert not hasattr(update, "py_func")
        """
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


# --- equality with the in-memory path ---------------------------------------------------------


@pytest.mark.parametrize("layout", ["by_time", "shuffled"])
@pytest.mark.parametrize("chunk_size", [97, 1_000, 1 << 21])
def test_parquet_file_equals_in_memory(
    orders: Any, tmp_path: Path, layout: str, chunk_size: int
) -> None:
    table = _by_time(orders) if layout == "by_time" else orders
    path = _parquet(table, tmp_path / "orders.parquet", 1_500)
    log = es.io.read_parquet(path, margin="margin")
    for kwargs in (
        {},
        {"time_unit": "week", "period": "week", "monetary": "margin"},
        {"observation_end": "2026-01-01", "period": "month"},
    ):
        expected = es.rfm_summary(log, **kwargs)
        got = es.stream_rfm_summary(path, margin="margin", chunk_size=chunk_size, **kwargs)
        _assert_equal(got, expected)
    for split in (
        {"calibration_end": "2024-09-30", "time_unit": "week"},
        # orders after observation_end are ignored; customers acquired later are excluded
        {"calibration_end": "2024-02-15", "observation_end": "2024-08-31", "period": "week"},
    ):
        expected_split = es.calibration_holdout_summary(log, **split)
        got_split = es.stream_calibration_holdout_summary(path, chunk_size=chunk_size, **split)
        _assert_same_holdout(got_split, expected_split)
    assert expected_split.n_excluded > 0


def test_folder_list_and_dataset_sources(orders: Any, tmp_path: Path) -> None:
    ds = pytest.importorskip("pyarrow.dataset")
    folder = tmp_path / "dataset"
    folder.mkdir()
    ordered = _by_time(orders)
    half = ordered.num_rows // 2
    paths = [
        _parquet(ordered.slice(0, half), folder / "part-0.parquet", 800),
        _parquet(ordered.slice(half), folder / "part-1.parquet", 800),
    ]
    expected = es.rfm_summary(es.io.read_parquet(folder))
    _assert_equal(es.stream_rfm_summary(folder), expected)
    _assert_equal(es.stream_rfm_summary(paths), expected)
    _assert_equal(es.stream_rfm_summary(ds.dataset(folder, format="parquet")), expected)


def test_lazy_frame_batches_and_frames_equal_in_memory(orders: Any, tmp_path: Path) -> None:
    path = _parquet(orders, tmp_path / "orders.parquet", 2_000)
    expected = es.rfm_summary(es.io.read_parquet(path), time_unit="week")
    sources = {
        "LazyFrame": pl.scan_parquet(path),
        "record batches": orders.to_batches(max_chunksize=777),
        "pandas frames": (b.to_pandas() for b in orders.to_batches(max_chunksize=3_000)),
        "polars frames": iter(pl.from_arrow(orders).iter_slices(1_234)),
        "pandas frame": orders.to_pandas(),
        "polars frame": pl.from_arrow(orders),
        "Arrow table": orders,
        "in-memory Arrow dataset": pytest.importorskip("pyarrow.dataset").dataset(orders),
    }
    for name, source in sources.items():
        got = es.stream_rfm_summary(source, time_unit="week", chunk_size=2_500)
        _assert_equal(got, expected, name)


def test_lazy_frame_without_batches_is_read_in_slices(
    orders: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """polars versions without ``collect_batches`` read a LazyFrame slice by slice."""
    monkeypatch.delattr(pl.LazyFrame, "collect_batches", raising=False)  # older: absent
    expected = es.rfm_summary(es.log_from_arrow(orders))
    _assert_equal(es.stream_rfm_summary(pl.from_arrow(orders).lazy(), chunk_size=999), expected)


def test_utc_times_and_integer_ids(tmp_path: Path) -> None:
    log = simulate_transactions(300, seed=5).log
    table = pa.table(
        {
            "customer_id": log.customer_ids[log.customer_index],
            "time": pa.array(log.times).cast(pa.timestamp("us", tz="Europe/Paris")),
            "amount": log.amounts,
        }
    )
    path = _parquet(table, tmp_path / "utc.parquet", 500)
    loaded = es.io.read_parquet(path)
    assert loaded.timezone == "UTC"
    end = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    _assert_equal(
        es.stream_rfm_summary(path, observation_end=end, chunk_size=300),
        es.rfm_summary(loaded, observation_end=end),
    )


@pytest.mark.reference_data
def test_cdnow_master(shared_data: Path, tmp_path: Path) -> None:
    log = es.read_csv(
        shared_data / "cdnow_master.txt",
        delimiter="whitespace",
        time="date",
        amount="dollar_value",
        time_format="%Y%m%d",
    )
    table = pa.table(log.columns())
    for layout, source in (("as read", table), ("by time", _by_time(table))):
        path = _parquet(source, tmp_path / f"{layout}.parquet", 10_000)
        loaded = es.io.read_parquet(path)
        for kwargs in ({"time_unit": "week"}, {"period": "week", "time_unit": "week"}):
            got = es.stream_rfm_summary(path, chunk_size=4_096, **kwargs)
            _assert_equal(got, es.rfm_summary(loaded, **kwargs))
            assert got.n_customers == 23_570
        split = {"calibration_end": "1997-09-30", "time_unit": "week"}
        _assert_same_holdout(
            es.stream_calibration_holdout_summary(path, **split),
            es.calibration_holdout_summary(loaded, **split),
        )


@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 20 * 24), st.sampled_from([0.1, 0.2, 5.0])),
        min_size=1,
        max_size=30,
    ),
    st.lists(st.integers(0, 30), max_size=5),
)
def test_any_chunk_boundaries(rows: list[tuple[int, int, float]], cuts: list[int]) -> None:
    """A small log cut anywhere into record batches gives the in-memory summary, bit for bit."""
    ids, hours, amounts = zip(*rows, strict=True)
    times = np.datetime64("2024-03-01", "ns") + np.array(hours) * np.timedelta64(1, "h")
    table = pa.table({"customer_id": np.array(ids), "time": times, "amount": list(amounts)})
    bounds = [0, *sorted(min(c, len(rows)) for c in cuts), len(rows)]
    batches = [table.slice(a, b - a) for a, b in itertools.pairwise(bounds)]
    log = es.log_from_arrow(table)
    _assert_equal(es.stream_rfm_summary(batches, period="day"), es.rfm_summary(log))
    cal = {"calibration_end": "2024-03-05"}
    _assert_same_outcome(
        lambda: es.stream_calibration_holdout_summary(batches, **cal),
        lambda: es.calibration_holdout_summary(log, **cal),
    )


def _assert_same_outcome(streamed: Any, loaded: Any) -> None:
    """The same result, or the same error (type and message)."""
    try:
        expected = loaded()
    except InvalidInputError:
        assert _message(streamed) == _message(loaded)
        return
    _assert_same_holdout(streamed(), expected)


# --- memory: the open pairs -------------------------------------------------------------------


def _peak_pairs(monkeypatch: pytest.MonkeyPatch, source: Any, **kwargs: Any) -> int:
    states: list[stream._State] = []

    class Recording(stream._State):
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            states.append(self)

    monkeypatch.setattr(stream, "_State", Recording)
    es.stream_rfm_summary(source, **kwargs)
    (state,) = states
    return state.peak_pairs


def test_pruning_bounds_the_pairs_of_a_time_ordered_parquet_source(
    orders: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ordered = _by_time(orders)
    days = ordered.column("time").to_numpy().astype("datetime64[D]")
    pairs = {
        (c, d)
        for c, d in zip(ordered.column("customer_id").to_pylist(), days.tolist(), strict=False)
    }
    row_group = 500
    path = _parquet(ordered, tmp_path / "ordered.parquet", row_group)
    peak = _peak_pairs(monkeypatch, path, chunk_size=250)
    # at most the pairs of the group being read and of the one before it (pruning happens as
    # the next group starts); without pruning, every distinct pair would be held.
    assert peak <= 2 * row_group < len(pairs)
    # shuffled, the later row groups start at the beginning too: little can be dropped
    shuffled = _parquet(orders, tmp_path / "shuffled.parquet", row_group)
    assert 0.9 * len(pairs) < _peak_pairs(monkeypatch, shuffled, chunk_size=250) <= len(pairs)
    batches = ordered.to_batches(max_chunksize=row_group)  # no statistics: every pair is kept
    assert _peak_pairs(monkeypatch, batches) == len(pairs)


# --- errors -------------------------------------------------------------------------------------


def _message(call: Any) -> tuple[type[BaseException], str]:
    with pytest.raises(Exception) as caught:
        call()
    return caught.type, str(caught.value)


def test_errors_are_those_of_the_in_memory_path(orders: Any, tmp_path: Path) -> None:
    path = _parquet(orders, tmp_path / "orders.parquet", 4_000)
    log = es.io.read_parquet(path)
    early = {"observation_end": "2024-02-01"}
    assert _message(lambda: es.stream_rfm_summary(path, **early)) == _message(
        lambda: es.rfm_summary(log, **early)
    )
    late = {"calibration_end": "2031-01-01"}
    assert _message(lambda: es.stream_calibration_holdout_summary(path, **late)) == _message(
        lambda: es.calibration_holdout_summary(log, **late)
    )
    before = {"calibration_end": "2020-01-01"}
    assert _message(lambda: es.stream_calibration_holdout_summary(path, **before)) == _message(
        lambda: es.calibration_holdout_summary(log, **before)
    )
    assert _message(lambda: es.stream_rfm_summary(path, amount="total")) == _message(
        lambda: es.io.read_parquet(path, amount="total")
    )
    assert _message(lambda: es.stream_rfm_summary(path, monetary="gross")) == _message(
        lambda: es.rfm_summary(log, monetary="gross")  # type: ignore[arg-type]
    )


def test_errors_of_a_chunk_name_the_chunk(orders: Any) -> None:
    bad = orders.slice(0, 10).set_column(2, "amount", pa.array([1.0] * 9 + [float("nan")]))
    with pytest.raises(InvalidInputError, match=re.escape("table['amount'][9]=NaN")) as caught:
        es.stream_rfm_summary([orders.slice(10, 50), bad])
    assert caught.value.__notes__ == [
        "In chunk 1 of source, whose first row is row 50 of the source."
    ]
    floats = orders.slice(0, 5).set_column(0, "customer_id", pa.array([1.5] * 5))
    with pytest.raises(InvalidInputError, match="customer ids must be integers or strings"):
        es.stream_rfm_summary([floats])


def test_empty_mixed_and_unknown_sources(orders: Any) -> None:
    with pytest.raises(EmptyInputError, match="source is empty"):
        es.stream_rfm_summary([orders.slice(0, 0)])
    with pytest.raises(EmptyInputError, match="source is empty"):
        es.stream_rfm_summary([])
    aware = orders.slice(0, 5).set_column(
        1, "time", orders.column("time").slice(0, 5).cast(pa.timestamp("ns", tz="UTC"))
    )
    with pytest.raises(InvalidInputError, match="has UTC times after naive ones"):
        es.stream_rfm_summary([orders.slice(0, 5), aware])
    numbered = orders.slice(0, 5).set_column(0, "customer_id", pa.array(range(5)))
    with pytest.raises(InvalidInputError, match="ids must all be of one type"):
        es.stream_rfm_summary([numbered, orders.slice(5, 5)])
    with pytest.raises(InvalidInputError, match=r"source\[1\]='<int>' is invalid"):
        es.stream_rfm_summary([orders, 3])
    with pytest.raises(InvalidInputError, match="source='<int>' is invalid"):
        es.stream_rfm_summary(3)
    with pytest.raises(InvalidInputError, match="chunk_size=0 is invalid"):
        es.stream_rfm_summary(orders, chunk_size=0)
    with pytest.raises(InvalidInputError, match="needs margins"):
        es.stream_rfm_summary(orders, monetary="margin")
    with pytest.raises(UnknownCodeError, match="customer_id='id' is not a column of the LazyFrame"):
        es.stream_rfm_summary(pl.from_arrow(orders).lazy(), customer_id="id")
    with pytest.raises(FileNotFoundError, match="no such Parquet file"):
        es.stream_rfm_summary("/nonexistent/orders.parquet")


def test_progress_goes_to_stderr(orders: Any, capsys: pytest.CaptureFixture[str]) -> None:
    es.stream_rfm_summary(orders, progress=True, chunk_size=4_000)
    out, err = capsys.readouterr()
    assert out == ""
    assert re.fullmatch(
        rf"ecomstrat stream: {orders.num_rows:,} rows \(100%\), 2 chunks, 1,500 customers,"
        r" \d+\.\d s, \d+\.\d\d M rows/s\n",
        err,
    )
    es.stream_rfm_summary(orders)  # default: only on a terminal, for large sources
    assert capsys.readouterr() == ("", "")
    with pytest.raises(InvalidInputError, match="progress='yes' is invalid"):
        es.stream_rfm_summary(orders, progress="yes")  # type: ignore[arg-type]
