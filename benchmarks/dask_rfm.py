"""Benchmark of the Dask RFM summary: a LocalCluster of 1 and 2 workers vs the single process.

Run from the project root (heavy: run it alone on the machine)::

    python -m benchmarks.dask_rfm                       # 1e8 orders: single, 1 and 2 workers
    python -m benchmarks.dask_rfm --orders 1e7 --modes single dask-2

Data: the streaming benchmark's Parquet dataset (:mod:`benchmarks.streaming`, written once by
its ``generate``; default ``$TMPDIR/ecomstrat-benchmarks/stream``): time-ordered orders over two
years, int64 customer ids, files of 5*10^7 rows in row groups of 2^22 rows. The first
``--orders`` orders are its first files, read by Dask with one partition per row group.

Modes, each in a fresh process:

``single``
    ``ecomstrat.rfm_summary(ecomstrat.read_parquet(folder))`` in this process; peak RSS of the
    process.
``dask-N``
    A ``LocalCluster`` of N worker processes (1 thread each, the warm-up plugin registered
    and awaited before timing), ``ecomstrat.dask.rfm_summary`` persisted in the cluster (the
    default observation end's pass over the time column included); peak RSS of each worker
    (``VmHWM``) and of the client process.

Before any timing the 2-worker result on the first file's first row group, split into four
partitions, is compared with the single-process summary of the same rows: every column bit
for bit. Nothing is asserted about speed or memory: numbers are reported (stdout table, JSON
in ``benchmarks/results/dask_rfm.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import PROJECT_ROOT, peak_rss, run_child
from benchmarks.streaming import DATA, FILE_ROWS, GIB, generate

RESULTS = PROJECT_ROOT / "benchmarks" / "results" / "dask_rfm.json"
MODES = ("single", "dask-1", "dask-2")


def _paths(data: Path, n_orders: int) -> list[str]:
    return [str(data / f"part-{i:03d}.parquet") for i in range(-(-n_orders // FILE_ROWS))]


# --- in the child ---------------------------------------------------------------------------


def single(paths: list[str]) -> dict[str, Any]:
    """The single-process path on the whole log."""
    import pyarrow.parquet as pq

    import ecomstrat
    from ecomstrat._warmup import warm_up

    warm_up()
    start = time.perf_counter()
    log = ecomstrat.log_from_arrow(pq.read_table(paths))
    summary = ecomstrat.rfm_summary(log)
    elapsed = time.perf_counter() - start
    return {
        "mode": "single",
        "customers": summary.n_customers,
        "seconds": elapsed,
        "peak_rss_gib": peak_rss() / GIB,
    }


def on_cluster(paths: list[str], workers: int) -> dict[str, Any]:
    """``ecomstrat.dask.rfm_summary`` persisted on a LocalCluster of ``workers`` processes."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster, wait

    import ecomstrat.dask as ed

    scratch = tempfile.mkdtemp(prefix="dask-rfm-", dir=os.environ.get("DASK_RFM_SCRATCH"))
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},  # HTTP server on any free port
            memory_limit=os.environ.get("DASK_RFM_MEMORY_LIMIT", "8GiB"),
            local_directory=scratch,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.register_plugin(ed.WarmUp())
        orders = dd.read_parquet(paths, split_row_groups=True)
        start = time.perf_counter()
        summary = ed.rfm_summary(orders).persist()
        wait(summary.frame)
        customers = int(summary.frame.map_partitions(len).sum().compute())
        elapsed = time.perf_counter() - start
        peaks = client.run(peak_rss)
    return {
        "mode": f"dask-{workers}",
        "partitions": orders.npartitions,
        "customers": customers,
        "seconds": elapsed,
        "worker_peak_rss_gib": sorted(v / GIB for v in peaks.values()),
        "client_peak_rss_gib": peak_rss() / GIB,
    }


def verify(path: str) -> dict[str, Any]:
    """2 workers vs the single process on one row group split in four: equal bit for bit."""
    import dask.dataframe as dd
    import numpy as np
    import pyarrow.parquet as pq
    from distributed import Client, LocalCluster

    import ecomstrat
    import ecomstrat.dask as ed

    table = pq.ParquetFile(path).read_row_group(0)
    frame = table.to_pandas()
    want = ecomstrat.rfm_summary(ecomstrat.log_from_arrow(table), time_unit="week")
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},
        ) as cluster,
        Client(cluster),
    ):
        orders = dd.from_pandas(frame, npartitions=4, sort=False)
        got = ed.rfm_summary(orders, time_unit="week").compute()
    order = np.argsort(want.customer_ids, kind="stable")
    equal = all(
        np.array_equal(got.columns()[name], values[order])
        for name, values in want.columns().items()
    )
    if not equal or got.observation_end != want.observation_end:
        raise SystemExit("the Dask summary differs from the single-process summary")
    return {"verified_orders": len(frame), "customers": got.n_customers, "equal": equal}


# --- the parent -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Generate the data if absent, verify, then run each mode in a fresh process."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dask_rfm")
    parser.add_argument("--orders", type=float, default=1e8)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--child", choices=(*MODES, "verify"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n_orders = int(args.orders)
    paths = _paths(args.data, n_orders)
    if args.child:
        if args.child == "verify":
            result = verify(paths[0])
        elif args.child == "single":
            result = single(paths)
        else:
            result = on_cluster(paths, int(args.child.split("-")[1]))
        print(json.dumps({"orders": n_orders, **result}))
        return 0
    if not all(Path(p).exists() for p in paths):
        generate(args.data, n_orders)
    command = ["-m", "benchmarks.dask_rfm", "--orders", str(n_orders), "--data", str(args.data)]
    results = [run_child([*command, "--child", "verify"])]
    results += [run_child([*command, "--child", mode]) for mode in args.modes]
    for result in results:
        print(json.dumps(result), file=sys.stderr)
    _table(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous[str(n_orders)] = results
    RESULTS.write_text(json.dumps(previous, indent=2) + "\n")
    return 0


def _table(results: list[dict[str, Any]]) -> None:
    rows = {r["mode"]: r for r in results if "mode" in r}
    print(f"{'mode':<8} {'time s':>8} {'vs single':>10} {'peak RSS GiB':>28}")
    base = rows.get("single", {}).get("seconds")
    for mode, r in rows.items():
        ratio = f"{r['seconds'] / base:.2f}x" if base else "-"
        if "worker_peak_rss_gib" in r:
            memory = "workers " + ", ".join(f"{v:.2f}" for v in r["worker_peak_rss_gib"])
        else:
            memory = f"process {r['peak_rss_gib']:.2f}"
        print(f"{mode:<8} {r['seconds']:>8.1f} {ratio:>10} {memory:>28}")
    if "dask-1" in rows and "dask-2" in rows:
        print(f"1 -> 2 workers: {rows['dask-1']['seconds'] / rows['dask-2']['seconds']:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
