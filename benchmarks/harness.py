"""Timing and peak-memory measurement, one fresh subprocess per (implementation, dataset).

The parent (:mod:`benchmarks.__main__`) only writes datasets and starts subprocesses
(``python -m benchmarks.one ...``); each subprocess imports what it needs, loads the dataset,
measures, and prints one JSON line. A fresh process per measurement gives each one a clean heap
and its own peak-RSS high-water mark.

Nothing here imports numpy at module level, so that import times measured in a child are not
flattered by the harness.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from statistics import median
from typing import Any

__all__ = [
    "compile_times",
    "current_rss",
    "make_dataset",
    "measure",
    "measure_compile",
    "peak_rss",
    "reset_peak_rss",
    "ru_maxrss",
    "run_child",
    "spawn",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WARM_UP_ROWS = 1_000
#: A first full-size call slower than this counts as the first repeat instead of a warm-up.
SLOW_CALL_S = 2.0
SUBPROCESS_TIMEOUT_S = 900


# --- memory ---------------------------------------------------------------------------------


def current_rss() -> int:
    """Resident set size of this process now, in bytes (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def peak_rss() -> int:
    """Peak resident set size of this process, in bytes.

    ``VmHWM`` from ``/proc/self/status`` on Linux, else ``getrusage(RUSAGE_SELF).ru_maxrss``.
    Both are the same high-water mark with one difference: on Linux ``ru_maxrss`` is also at
    least the *parent's* peak RSS at the time of fork/exec (the kernel carries it over in
    ``signal->maxrss``), so a child of a large parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return ru_maxrss()


def ru_maxrss() -> int:
    """``getrusage(RUSAGE_SELF).ru_maxrss`` in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def reset_peak_rss() -> bool:
    """Reset the peak-RSS high-water mark to the current RSS (Linux >= 4.0); True on success.

    Without a reset, a transient peak *before* the measurement (imports, JIT compilation,
    loading) could exceed the measured call's peak and hide it.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


# --- one measurement (runs in the child) ----------------------------------------------------


def measure(kernel: str, name: str, data: Path, repeats: int, budget_s: float) -> dict[str, Any]:
    """Time ``COMPARISONS[kernel][name]`` on the dataset in ``data``; peak memory above inputs.

    1. warm-up on the first ``WARM_UP_ROWS`` rows (JIT compile or cache load, lazy imports),
       excluded from the timing and from the memory baseline;
    2. load the dataset and ``prepare`` it (untimed); baseline = RSS now; reset the peak;
    3. one full-size call: if it is faster than ``SLOW_CALL_S`` it is a second, excluded warm-up,
       otherwise it is the first repeat;
    4. repeats until ``repeats`` calls or ``budget_s`` seconds are reached (at least one);
    5. extra peak = ``ru_maxrss`` - baseline (results of the calls included, since each call's
       result is alive until its call returns).
    """
    from benchmarks.comparisons import COMPARISONS
    from benchmarks.data import load

    implementation = COMPARISONS[kernel][name]
    dataset = load(data)
    warm_up = dataset.head(WARM_UP_ROWS)
    implementation.run(implementation.prepare(warm_up))
    del warm_up
    prepared = implementation.prepare(dataset)
    gc.collect()
    baseline = current_rss()
    reset = reset_peak_rss()
    peak_before = peak_rss()

    times: list[float] = []
    first = _timed(implementation.run, prepared)
    if first >= SLOW_CALL_S:
        times.append(first)
    wanted = max(1, min(repeats, int(budget_s // max(first, 1e-9))))
    while len(times) < wanted:
        times.append(_timed(implementation.run, prepared))
    peak = peak_rss()
    return {
        "kernel": kernel,
        "implementation": name,
        "level": implementation.level,
        "dataset": dataset.name,
        "n_transactions": dataset.n_transactions,
        "input_bytes": dataset.input_bytes,
        "median_s": median(times),
        "min_s": min(times),
        "times_s": times,
        "warm_up_excluded": first < SLOW_CALL_S,
        "baseline_rss_bytes": baseline,
        "peak_rss_bytes": peak,
        "extra_peak_bytes": peak - baseline,
        "ru_maxrss_bytes": ru_maxrss(),
        "peak_reset": reset,
        # without a reset the high-water mark may predate the measurement: extra is then a
        # lower bound whenever it was already above the baseline.
        "peak_lower_bound": not reset and peak_before > baseline,
    }


def _timed(function: Callable[[Any], Any], argument: Any) -> float:
    start = time.perf_counter()
    result = function(argument)
    elapsed = time.perf_counter() - start
    del result
    return elapsed


# --- datasets (made in a child, so that the runner never holds them) -----------------------


def make_dataset(kind: str, size: int, per_customer: int, seed: int, out: Path) -> dict[str, Any]:
    """Write a synthetic log of ``size`` orders, or CDNOW, to ``out``; describe it."""
    import numpy as np

    from benchmarks.data import cdnow, save, synthetic

    dataset = (
        synthetic(size, per_customer=per_customer, seed=seed) if kind == "synthetic" else cdnow()
    )
    if dataset is None:
        return {"absent": True}
    save(dataset, out)
    return {
        "name": dataset.name,
        "n_transactions": dataset.n_transactions,
        "n_customers": int(np.unique(dataset.customer_ids).size),
        "input_bytes": dataset.input_bytes,
    }


# --- compile time (runs in the child) -------------------------------------------------------


def measure_compile() -> dict[str, Any]:
    """Import time, ``ecomstrat.warm_up()`` (compile or cache-load every kernel) and calls.

    Run in a fresh process; ``NUMBA_CACHE_DIR`` decides whether the warm-up compiles (empty
    cache) or loads machine code from the cache.
    """
    start = time.perf_counter()
    import ecomstrat.metrics.summary as summary

    import_s = time.perf_counter() - start
    import numpy as np

    from ecomstrat._warmup import warm_up
    from ecomstrat.frames.transaction_log import TransactionLog

    warm_up_s = warm_up()
    log = TransactionLog.from_arrays(
        np.array([1, 2, 1], dtype=np.int64),
        np.array(["2024-01-01T10:00", "2024-01-02", "2024-01-05"], dtype="datetime64[ns]"),
        np.array([10.0, 5.0, 7.5]),
    )
    calls = []
    for _ in range(3):
        start = time.perf_counter()
        summary.rfm_summary(log, "2024-01-31")
        calls.append(time.perf_counter() - start)
    import numba

    return {
        "threading_layer": numba.threading_layer(),
        "threads": numba.get_num_threads(),
        "import_s": import_s,
        "first_call_s": warm_up_s + calls[0],
        "steady_call_s": min(calls),
        "compile_or_load_s": warm_up_s,
    }


# --- the parent's side ----------------------------------------------------------------------


def spawn(arguments: list[str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m benchmarks.one *arguments`` in a fresh process; its JSON result."""
    return run_child(["-m", "benchmarks.one", *arguments], env)


def run_child(arguments: list[str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run ``python *arguments`` from the project root in a fresh process; its JSON result.

    The child prints its result as the last line of stdout. On failure the result is
    ``{"error": ...}`` with the end of the child's stderr.
    """
    child_env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})}
    try:
        done = subprocess.run(
            [sys.executable, *arguments],
            cwd=PROJECT_ROOT,
            env=child_env,
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {SUBPROCESS_TIMEOUT_S} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-5:]
        return {"error": f"exit code {done.returncode}: " + " | ".join(tail)}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def compile_times(cache_dir: Path) -> dict[str, Any]:
    """Cold compile (empty ``NUMBA_CACHE_DIR``) then cache load (same dir), fresh processes.

    ``cache_dir`` must not exist yet or be empty; it is warm afterwards.
    """
    env = {"NUMBA_CACHE_DIR": str(cache_dir)}
    cold = spawn(["compile"], env)
    warm = spawn(["compile"], env)
    return {"cold_cache": cold, "warm_cache": warm}


def new_temp_dir() -> Path:
    """A fresh temporary folder (the caller removes it)."""
    return Path(tempfile.mkdtemp(prefix="ecomstrat-bench-"))
