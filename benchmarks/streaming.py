"""Benchmark of the streaming RFM summary on a Parquet dataset larger than the memory it may use.

Run from the project root (heavy: run it alone on the machine)::

    python -m benchmarks.streaming                          # 3e8 orders streamed, 1e8 both ways
    python -m benchmarks.streaming --orders 3e8 --in-memory-orders 1e8 --data /tmp/stream-data
    python -m benchmarks.streaming --orders 1e7 --in-memory-orders 1e7 --quick

Data (written once, then reused): ``--orders`` orders in time order over two years, ~10 per
customer (ids drawn uniformly from ``orders / 10`` int64 ids, so most customers come back
across the whole span), times at second resolution, amounts in cents; Parquet files of
5*10^7 rows in row groups of 2^22 rows (~4.2 M), written one row group at a time (never the
whole log in memory). pyarrow writes min/max statistics, which the streaming path uses to drop
the (customer, day) pairs no later row group can repeat.

Each measurement runs in a fresh process (its own peak RSS, ``VmHWM``): the whole process,
imports and numba's cache load included, is what a job on a machine would need.

``stream``
    ``ecomstrat.stream_rfm_summary(paths)`` over the first ``n`` orders (files in order).
``in-memory``
    ``ecomstrat.rfm_summary(ecomstrat.io.read_parquet(paths))``: the whole log loaded.

Before timing, both are run on the first file's first row group and their results compared
(every column equal, bit for bit). Nothing is asserted about speed or memory: numbers are
reported (stdout table, JSON in ``benchmarks/results/streaming.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.data import SCRATCH
from benchmarks.harness import PROJECT_ROOT, peak_rss, run_child

DATA = SCRATCH / "stream"
FILE_ROWS = 50_000_000
ROW_GROUP_ROWS = 1 << 22
ORDERS_PER_CUSTOMER = 10
SPAN_DAYS = 730
GIB = 1 << 30


def generate(out: Path, n_orders: int, seed: int = 0) -> list[Path]:
    """Write (once) ``n_orders`` time-ordered orders as Parquet files under ``out``.

    A larger data set already there is reused: its first files hold its first orders.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    done = out / f"COMPLETE-{n_orders}"
    files = [out / f"part-{i:03d}.parquet" for i in range(-(-n_orders // FILE_ROWS))]
    markers = list(out.glob("COMPLETE-*"))
    if any(int(marker.name.split("-")[1]) >= n_orders for marker in markers):
        return files  # the first n_orders orders of a data set at least as large
    for marker in markers:  # a smaller data set, about to be overwritten
        marker.unlink()
    rng = np.random.default_rng(seed)
    n_customers = n_orders // ORDERS_PER_CUSTOMER
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    seconds = SPAN_DAYS * 86_400
    written = 0
    for path in files:
        rows_here = min(FILE_ROWS, n_orders - written)
        with pq.ParquetWriter(path, _schema(pa)) as writer:
            for lo in range(0, rows_here, ROW_GROUP_ROWS):
                rows = min(ROW_GROUP_ROWS, rows_here - lo)
                # this group's slice of the two years: times sorted within it
                t0 = start + seconds * (written + lo) // n_orders
                t1 = start + seconds * (written + lo + rows) // n_orders
                times = np.sort(rng.integers(t0, max(t1, t0 + 1), rows)).astype("datetime64[s]")
                table = pa.table(
                    {
                        "customer_id": rng.integers(0, n_customers, rows, dtype=np.int64),
                        "time": times.astype("datetime64[ns]"),
                        "amount": np.round(rng.gamma(2.0, 20.0, rows), 2) + 0.01,
                    },
                    schema=_schema(pa),
                )
                writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        written += rows_here
        print(f"wrote {path} ({written:,} / {n_orders:,} orders)", file=sys.stderr)
    done.touch()
    return files


def _schema(pa: Any) -> Any:
    return pa.schema(
        [("customer_id", pa.int64()), ("time", pa.timestamp("ns")), ("amount", pa.float64())]
    )


def _paths(data: Path, n_orders: int) -> list[str]:
    return [str(data / f"part-{i:03d}.parquet") for i in range(-(-n_orders // FILE_ROWS))]


# --- in the child ---------------------------------------------------------------------------


def child(how: str, paths: list[str]) -> dict[str, Any]:
    """One timed summary in this (fresh) process; peak RSS of the whole process."""
    import ecomstrat
    from ecomstrat._warmup import warm_up

    warm_up()  # compile or cache-load the kernels first: not part of the summary's time
    start = time.perf_counter()
    if how == "stream":
        summary = ecomstrat.stream_rfm_summary(paths, progress=False)
    else:
        source = paths[0] if len(paths) == 1 else _folder(paths)
        summary = ecomstrat.rfm_summary(ecomstrat.read_parquet(source))
    elapsed = time.perf_counter() - start
    return {
        "how": how,
        "files": len(paths),
        "customers": summary.n_customers,
        "seconds": elapsed,
        "peak_rss_bytes": peak_rss(),
    }


def _folder(paths: list[str]) -> str:
    """A folder holding (links to) exactly ``paths``, for :func:`ecomstrat.io.read_parquet`."""
    folder = Path(paths[0]).parent / f"first-{len(paths)}"
    folder.mkdir(exist_ok=True)
    for path in paths:
        link = folder / Path(path).name
        if link.is_symlink() and link.resolve() != Path(path).resolve():
            link.unlink()  # left by a copy of the data set made elsewhere
        if not link.is_symlink():
            link.symlink_to(path)
    return str(folder)


def check_equal(path: str) -> None:
    """Stream and in-memory summaries of the first row group of ``path`` must be equal."""
    import numpy as np
    import pyarrow.parquet as pq

    import ecomstrat

    group = pq.ParquetFile(path).read_row_group(0)
    streamed = ecomstrat.stream_rfm_summary(group.to_batches(max_chunksize=1 << 20))
    loaded = ecomstrat.rfm_summary(ecomstrat.io.log_from_arrow(group))
    for name, column in loaded.columns().items():
        if not np.array_equal(streamed.columns()[name], column):
            raise AssertionError(f"streamed and in-memory {name} differ")


# --- parent ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=float, default=3e8)
    parser.add_argument("--in-memory-orders", type=float, default=1e8)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--skip-in-memory", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1:])))
        return 0
    n_orders, n_small = int(args.orders), int(args.in_memory_orders)
    generate(args.data, n_orders)
    check_equal(_paths(args.data, n_orders)[0])
    print("equal on the first row group: stream == in-memory", file=sys.stderr)
    cases = [("stream", n_orders), ("stream", n_small)]
    if not args.skip_in_memory:
        cases.append(("in-memory", n_small))
    results = []
    for how, n in cases:
        print(f"{how} {n:,} orders ...", file=sys.stderr)
        result = run_child(["-m", "benchmarks.streaming", "--child", how, *_paths(args.data, n)])
        result["orders"] = n
        results.append(result)
        print(_row(result), file=sys.stderr)
    print("| path | orders | customers | time (s) | M rows/s | peak RSS (GiB) |")
    print("|---|---|---|---|---|---|")
    for result in results:
        print(_row(result))
    out = PROJECT_ROOT / "benchmarks" / "results" / "streaming.json"
    out.parent.mkdir(exist_ok=True)
    load = os.getloadavg()
    out.write_text(json.dumps({"results": results, "load_average": load}, indent=2))
    return 0


def _row(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"| {result.get('how', '?')} | {result['orders']:.0e} | error: {result['error']} |"
    rate = result["orders"] / result["seconds"] / 1e6
    return (
        f"| {result['how']} | {result['orders']:.0e} | {result['customers']:,} |"
        f" {result['seconds']:.1f} | {rate:.1f} | {result['peak_rss_bytes'] / GIB:.2f} |"
    )


if __name__ == "__main__":
    raise SystemExit(main())
