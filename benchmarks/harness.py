"""Timing and peak-memory measurement, one fresh subprocess per (implementation, dataset).

The parent (:mod:`benchmarks.__main__`) only writes datasets and starts subprocesses
(``python -m benchmarks.one ...``); each subprocess imports what it needs, loads the dataset,
measures, and prints one JSON line. A fresh process per measurement gives each one a clean heap
and its own peak-RSS high-water mark.

Nothing here imports numpy at module level, so that import times measured in a child are not
flattered by the harness.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from statistics import median
from typing import Any

__all__ = [
    "compile_times",
    "current_rss",
    "first_run",
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
        summary.rfm_summary(log, observation_end="2024-01-31")
        calls.append(time.perf_counter() - start)
    from ecomstrat._kernels._jit import threads

    return {
        "threads": threads(),
        "import_s": import_s,
        "first_call_s": warm_up_s + calls[0],
        "steady_call_s": min(calls),
        "compile_or_load_s": warm_up_s,
    }


# --- first run in a fresh environment (runs in the child) -----------------------------------


def first_run(what: str, customers: int, record: bool) -> dict[str, Any]:
    """``ecomstrat demo`` (stdout discarded) or ``ecomstrat.warm_up()``, as a first call.

    ``api-after-warm-up``: ``warm_up()``, then the public API as a service would call it (every
    model, the metrics, on 1,000 and ``customers`` customers); reports every kernel that was
    still compiled or loaded from the cache after the warm-up (there should be none).
    ``NUMBA_CACHE_DIR`` (set by the parent) decides whether numba compiles or loads. With
    ``record``, every numba compilation (``numba:compile`` event) is recorded: dispatcher,
    signature, seconds including and excluding the compilations nested in it (a kernel's
    callees are compiled while it is typed). Recording imports numba first, so a recorded
    ``warm_up_s`` leaves out the import of numba (about 0.2 s).
    """
    import contextlib
    import io

    start = time.perf_counter()
    compiles: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        if record:
            stack.enter_context(_recording(compiles))
        result: dict[str, Any] = {"what": what}
        if what == "demo":
            from ecomstrat import cli

            err = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                status = cli.main(["demo", "--customers", str(customers)])
            notice = getattr(cli, "COMPILE_NOTICE", None)  # None: a version without it
            result.update(
                status=status, notice=None if notice is None else notice in err.getvalue()
            )
        else:
            import ecomstrat

            result["warm_up_s"] = ecomstrat.warm_up()
            if what == "api-after-warm-up":
                before = _kernel_stats()
                started = time.perf_counter()
                _public_api(customers)
                result["api_s"] = time.perf_counter() - started
                after = _kernel_stats()
                result["after_warm_up"] = {
                    name: after[name] - before.get(name, 0)
                    for name in after
                    if after[name] != before.get(name, 0)
                }
    result["in_process_s"] = time.perf_counter() - start
    if record:
        result["compiles"] = compiles
    return result


def _kernel_stats() -> dict[str, int]:
    """Compilations plus cache loads so far, per dispatcher of ``ecomstrat._kernels``."""
    import importlib
    import pkgutil

    from numba.core.registry import CPUDispatcher

    import ecomstrat._kernels

    counts: dict[str, int] = {}
    for info in pkgutil.iter_modules(ecomstrat._kernels.__path__):
        module = importlib.import_module(f"ecomstrat._kernels.{info.name}")
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher):  # imported ones are counted once, by home
                stats = value.stats
                total = sum(stats.cache_hits.values()) + sum(stats.cache_misses.values())
                counts[f"{value.py_func.__module__}.{value.py_func.__qualname__}"] = total
    return counts


def _public_api(customers: int) -> None:
    """What a service does: every model's fit and predictions, the metrics, small and large."""
    import warnings

    import numpy as np

    import ecomstrat as es

    warnings.simplefilter("ignore")
    profile = es.market_profile("DE", as_of="2026-03-01")
    for size in (1_000, customers):
        sim = es.simulate_transactions(size, seed=3)
        summary = es.rfm_summary(sim.log, observation_end=sim.observation_end)
        start = sim.log.times.min()
        es.calibration_holdout_summary(
            sim.log, calibration_end=start + (sim.observation_end - start) // 2
        )
        for model in (es.BGNBD, es.MBGNBD, es.ParetoNBD):
            fitted = model().fit(summary)
            fitted.probability_alive(summary)
            fitted.conditional_expected_purchases(10, summary)
            fitted.expected_purchases([1.0, 5.0])
            fitted.probability_of_purchases([0, 1, 2], 10)
            fitted.expected_residual_purchases(summary, annual_discount_rate=0.1, horizon=52.0)
        repeat = np.asarray(summary.frequency) > 0
        spend_data = (np.asarray(summary.frequency)[repeat], np.asarray(summary.monetary)[repeat])
        spend = es.GammaGamma().fit(spend_data)
        spend.conditional_expected_spend(spend_data)
        es.customer_lifetime_value(
            summary, purchase_model=es.BGNBD().fit(summary), spend=spend, horizon=12
        )
        es.cohort_retention(sim.log)
        es.stage_customers(sim.log, observation_end=sim.observation_end)
        histories = np.random.default_rng(size).integers(0, 2, (size, 6))
        patterns = es.DiscretePatterns.from_histories(histories.tolist())
        donors = es.BGBB.from_params(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        donors.log_likelihood(patterns)
        donors.probability_alive(patterns)
        donors.conditional_expected_purchases(5, patterns)
        donors.expected_residual_purchases(patterns, discount_rate_per_period=0.1)
        donors.expected_purchases([1, 5])
        donors.probability_of_purchases([0, 1], [6, 6])
        cohort = es.SBG().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        cohort.survival([1, 2])
        cohort.churn_probability([1, 2])
        cohort.expected_residual_lifetime([1, 2], discount_rate_per_period=0.1)
        goods = np.round(np.random.default_rng(size).lognormal(4.5, 0.8, size), 2)
        for parallel in (False, True):
            es.landed_cost_batch(profile, goods, parallel=parallel)


@contextlib.contextmanager
def _recording(compiles: list[dict[str, Any]]) -> Iterator[None]:
    from numba.core import event

    stack: list[list[float]] = []  # [start, seconds spent in nested compilations]

    class Recorder(event.Listener):
        def on_start(self, ev: Any) -> None:
            stack.append([time.perf_counter(), 0.0])

        def on_end(self, ev: Any) -> None:
            started, nested = stack.pop()
            seconds = time.perf_counter() - started
            if stack:
                stack[-1][1] += seconds
            dispatcher = ev.data["dispatcher"]
            function = dispatcher.py_func
            compiles.append(
                {
                    "kernel": f"{function.__module__}.{function.__qualname__}",
                    "signature": ", ".join(str(a) for a in ev.data["args"]),
                    "seconds": seconds,
                    "own_seconds": seconds - nested,
                    "top_level": not stack,
                }
            )

    with event.install_listener("numba:compile", Recorder()):
        yield


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
