"""Benchmark lifecycle staging: ``python -m benchmarks.lifecycle [--customers 1e6] [--quick]``.

Run from the project root. On one simulated customer base (``simulate_transactions``, CDNOW
parameters, seed 1) it measures, in this process and after a warm-up call:

* end to end: ``stage_customers`` at the observation end, ``stage_migration`` from 26 weeks
  earlier, and the two together (the acceptance figure: well under a second at 10^6); then
  the two again on the same orders with the rows shuffled (the simulator writes them grouped
  by customer, a real log is usually in time order);
* the kernel alone, staging both migration dates in one call, against the references of
  ``tests/reference/lifecycle.py`` (``COMPARISONS["stage_codes"]``): numba serial, numba
  parallel, numpy (vectorised), pure Python (one call only: it is slow);

and, in fresh processes, the first-call cost: compiling the kernels into an empty numba cache,
then loading them from it. Every implementation must return the same stage codes (checked on
the full data). Medians of ``--repeats`` calls; nothing is asserted. Results also go to
``benchmarks/results/lifecycle.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "lifecycle.json"
ROOT = Path(__file__).resolve().parents[1]
MIGRATION_WEEKS = 26

_FIRST_CALL = """
import time
start = time.perf_counter()
import numpy as np
from ecomstrat import TransactionLog
from ecomstrat.lifecycle import stage_customers, stage_migration
imported = time.perf_counter()
log = TransactionLog.from_arrays([1, 2], ["2024-01-01", "2024-02-01"], [1.0, 2.0])
stage_customers(log, observation_end="2024-03-01")
stage_migration(log, start="2024-02-01", end="2024-03-01")
import json
print(json.dumps({"import_s": imported - start, "first_call_s": time.perf_counter() - imported}))
"""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _median_time(call: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    call()  # warm-up: compile or load from the cache, touch the memory
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def _first_call_costs() -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
        for label in ("cold_cache", "warm_cache"):
            done = subprocess.run(
                [sys.executable, "-c", _FIRST_CALL],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                out[label] = {"error": done.stderr.strip().splitlines()[-1:]}
            else:
                out[label] = json.loads(done.stdout)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from ecomstrat.datasets import simulate_transactions
    from ecomstrat.domain.time_unit import TimeUnit
    from ecomstrat.frames._time import period_index
    from ecomstrat.frames.transaction_log import TransactionLog
    from ecomstrat.lifecycle import RuleBasedPolicy, stage_customers, stage_migration
    from tests.reference.lifecycle import COMPARISONS

    report: dict[str, Any] = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "load_before": os.getloadavg()[0],
        "customers": args.customers,
        "repeats": args.repeats,
    }
    if not args.no_compile:
        _progress("first-call cost (empty numba cache, then the filled one) ...")
        report["first_call"] = _first_call_costs()

    _progress(f"simulating {args.customers:,} customers ...")
    started = time.perf_counter()
    sim = simulate_transactions(args.customers, seed=1)
    report["simulate_s"] = time.perf_counter() - started
    log = sim.log
    end = sim.observation_end
    previous = end - np.timedelta64(MIGRATION_WEEKS * 7, "D")
    report["orders"] = log.n_transactions

    timings: dict[str, float] = {}
    _progress("end to end ...")
    timings["stage_customers"], _ = _median_time(
        lambda: stage_customers(log, observation_end=end), args.repeats
    )
    timings["stage_migration"], _ = _median_time(
        lambda: stage_migration(log, start=previous, end=end), args.repeats
    )
    timings["staging + migration"] = timings["stage_customers"] + timings["stage_migration"]
    # The simulated log is grouped by customer; a real one is usually in time order, which
    # makes the counting sort's writes random. The same orders, rows shuffled:
    order = np.random.default_rng(2).permutation(log.n_transactions)
    shuffled = TransactionLog.from_arrays(
        log.customer_ids[log.customer_index[order]], log.times[order], log.amounts[order]
    )
    timings["both, rows shuffled"] = (
        _median_time(lambda: stage_customers(shuffled, observation_end=end), args.repeats)[0]
        + _median_time(lambda: stage_migration(shuffled, start=previous, end=end), args.repeats)[0]
    )

    # Kernel level: the migration's call, both dates at once, on precomputed day indices.
    days = period_index(log.times, TimeUnit.DAY)
    as_of_days = period_index(np.array([previous, end]), TimeUnit.DAY)
    no_model = np.zeros((0, 0), dtype=bool)
    for array in (days, as_of_days, no_model):
        array.flags.writeable = False
    t = RuleBasedPolicy().in_days()
    kernel_args = (
        log.customer_index,
        days,
        log.n_customers,
        as_of_days,
        no_model,
        False,
        t.new_window,
        t.churn_after,
        t.reactivation_window,
        t.overdue_factor,
        t.trend_window,
    )
    implementations = COMPARISONS["stage_codes"]
    results: dict[str, np.ndarray] = {}
    for name, kernel in implementations.items():
        _progress(f"kernel: {name} ...")
        if name == "python":
            start = time.perf_counter()
            results[name] = kernel(*kernel_args)
            timings[f"kernel {name}"] = time.perf_counter() - start
        else:
            results[name] = kernel(*kernel_args)
            timings[f"kernel {name}"], _ = _median_time(
                functools.partial(kernel, *kernel_args), args.repeats
            )
    reference = results["python"]
    report["agree"] = {name: bool(np.array_equal(got, reference)) for name, got in results.items()}
    counts = np.bincount(reference[1], minlength=7).tolist()
    report["stage_counts_at_end"] = counts
    report["timings_s"] = timings
    report["load_after"] = os.getloadavg()[0]
    return report


def _print(report: dict[str, Any]) -> None:
    timings = report["timings_s"]
    base = timings["kernel numba"]
    print(
        f"lifecycle staging: {report['customers']:,} customers, {report['orders']:,} orders"
        f" (simulated in {report['simulate_s']:.1f} s); load {report['load_before']:.1f}"
        f" -> {report['load_after']:.1f}"
    )
    print(f"{'measurement':<24} {'median s':>10} {'x numba kernel':>15}")
    print("-" * 51)
    for name, seconds in timings.items():
        ratio = f"{seconds / base:.1f}" if name.startswith("kernel") else ""
        print(f"{name:<24} {seconds:>10.4f} {ratio:>15}")
    print(f"implementations agree with the Python reference: {report['agree']}")
    for label, cost in report.get("first_call", {}).items():
        if "error" in cost:
            print(f"first call ({label}): error {cost['error']}")
        else:
            print(
                f"first call ({label}): import {cost['import_s']:.2f} s,"
                f" stage + migrate a tiny log {cost['first_call_s']:.2f} s"
            )
    total = timings["staging + migration"]
    print(
        f"acceptance: staging + migration matrix of {report['customers']:,} customers in"
        f" {total:.3f} s (target: well under 1 s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lifecycle", description=__doc__)
    parser.add_argument(
        "--customers", type=lambda s: int(float(s)), default=10**6, help="default 1e6"
    )
    parser.add_argument("--repeats", type=int, default=7, help="timed calls (default 7)")
    parser.add_argument("--quick", action="store_true", help="10^5 customers, 3 repeats")
    parser.add_argument("--no-compile", action="store_true", help="skip the first-call cost")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args(argv)
    if args.quick:
        args.customers, args.repeats = 10**5, 3
    report = run(args)
    _print(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
