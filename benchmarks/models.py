"""Benchmark the BTYD models against their peers: ``python -m benchmarks.models [--quick]``.

Run from the project root. For every model (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma, BG/BB)
and size (default 10^4, 10^5, 10^6 customers; BG/NBD also 10^7) it times, on the same simulated
customer base in the same run:

* ``fit``: maximum likelihood from per-customer rows (ecomstrat compresses to patterns inside
  the fit, the peers take the rows as given); pymc-marketing's is a MAP fit;
* ``conditional``: expected purchases in the next 10 weeks (BG/BB: 5 opportunities) given each
  customer's history, and ``p_alive``: P(alive); Gamma-Gamma ``spend``: expected average spend.
  Predictions use fixed published parameters, so they do not depend on a fit.

Implementations: ``ecomstrat`` (all cores), ``ecomstrat-1thread`` (``NUMBA_NUM_THREADS=1``),
``lifetimes`` and ``pymc-marketing`` when installed (skipped otherwise, and above a size cap
where one call would take minutes: ``--peer-max``). Each measurement runs in a fresh process
(``python -m benchmarks.models measure ...``): a warm-up call on 1,000 customers (numba compile
or cache load, pytensor compilation; reported as ``warm-up s``), then one full-size call that
counts as a repeat when slower than 2 s, then repeats up to ``--repeats`` or ``--budget``
seconds. Median times; peak RSS above the loaded data (results included); every
implementation's output is compared with ecomstrat's (max relative difference). First-call
compile cost: per model, a fresh process on an empty numba cache, then one on the filled cache.

Nothing is asserted. Results also go to ``benchmarks/results/models.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path
from statistics import median
from typing import Any

from benchmarks.harness import (
    SLOW_CALL_S,
    current_rss,
    new_temp_dir,
    peak_rss,
    reset_peak_rss,
    run_child,
)

RESULTS = Path(__file__).resolve().parent / "results" / "models.json"
MiB = 2**20
WARM_UP_CUSTOMERS = 1_000
COMPILE_CUSTOMERS = 2_000
DEFAULT_SIZES = (10**4, 10**5, 10**6)
QUICK_SIZES = (10**3, 10**4)
#: Sizes run for BG/NBD only (the acceptance figures are at 10^6 and 10^7).
BGNBD_EXTRA_SIZES = (10**7,)
#: Largest customer count per (implementation, model, task) by default: beyond it one call
#: takes minutes (lifetimes' Pareto/NBD fit: ~20 s at 10^5; pymc-marketing's BG/BB
#: predictions: ~0.7 s per 10^4 customers) or several GiB.
PEER_MAX: dict[tuple[str, str, str], int] = {
    ("lifetimes", "paretonbd", "fit"): 10**5,
    ("lifetimes", "bgnbd", "fit"): 10**6,
    ("lifetimes", "mbgnbd", "fit"): 10**6,
    ("lifetimes", "paretonbd", "conditional"): 10**6,
    ("lifetimes", "bgbb", "fit"): 10**5,
    ("pymc-marketing", "bgbb", "*"): 10**5,
    ("pymc-marketing", "*", "fit"): 10**5,
    ("pymc-marketing", "*", "*"): 10**6,
}
#: Informational only (printed, never asserted): the project's acceptance targets.
TARGETS = (
    ("bgnbd", "fit", 10**6, 20.0),
    ("paretonbd", "fit", 10**5, 100.0),
    ("bgnbd", "conditional", 10**7, 5.0),
)
PEER_PACKAGES = ("lifetimes", "pymc-marketing", "pymc", "pytensor")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the child's side -------------------------------------------------------------------


def measure(
    model: str, task: str, implementation: str, data_dir: Path, repeats: int, budget: float
) -> dict[str, Any]:
    """Time one case on the data in ``data_dir``; save its result next to the data."""
    import numpy as np

    from benchmarks.model_cases import CASES, ModelData

    case = CASES[model][task][implementation]
    data = ModelData.load(data_dir)
    warm_up: dict[str, Any] = {}
    start = time.perf_counter()
    try:
        case.run(case.prepare(data.head(WARM_UP_CUSTOMERS)))
    except Exception as error:  # a fit may not converge on the tiny warm-up base
        warm_up["warm_up_error"] = f"{type(error).__name__}: {error}"[:200]
    warm_up["warm_up_s"] = time.perf_counter() - start

    prepared = case.prepare(data)
    gc.collect()
    baseline = current_rss()
    reset = reset_peak_rss()
    start = time.perf_counter()
    output = case.run(prepared)
    first = time.perf_counter() - start
    np.save(_result_path(data_dir, model, task, implementation), case.result(output))
    del output
    times = [first] if first >= SLOW_CALL_S else []
    wanted = max(1, min(repeats, int(budget // max(first, 1e-9))))
    while len(times) < wanted:
        start = time.perf_counter()
        output = case.run(prepared)
        times.append(time.perf_counter() - start)
        del output
    peak = peak_rss()
    return {
        **warm_up,
        "median_s": median(times),
        "times_s": times,
        "first_full_call_s": first,
        "extra_peak_bytes": peak - baseline,
        "peak_reset": reset,
    }


def _result_path(data_dir: Path, model: str, task: str, implementation: str) -> Path:
    return data_dir / f"result-{model}-{task}-{implementation}.npy"


_COMPILE = """
import json, sys, time
start = time.perf_counter()
import ecomstrat
from benchmarks.model_cases import CASES, ModelData
imported = time.perf_counter() - start
data = ModelData.load(__import__("pathlib").Path(sys.argv[1]))
out = {"import_s": imported}
for task, cases in CASES[sys.argv[2]].items():
    case = cases["ecomstrat"]
    prepared = case.prepare(data)
    calls = []
    for _ in range(2):
        start = time.perf_counter()
        case.run(prepared)
        calls.append(time.perf_counter() - start)
    out[task] = {"first_s": calls[0], "second_s": calls[1]}
print(json.dumps(out))
"""


# --- the parent's side ------------------------------------------------------------------


def _cap(implementation: str, model: str, task: str, peer_max: int | None) -> int | None:
    if implementation.startswith("ecomstrat"):
        return None
    if peer_max is not None:
        return peer_max
    for key in ((model, task), (model, "*"), ("*", task), ("*", "*")):
        if (implementation, *key) in PEER_MAX:
            return PEER_MAX[(implementation, *key)]
    return None


def _agreement(data_dir: Path, model: str, task: str, implementation: str) -> float | None:
    """Max relative difference between an implementation's result and ecomstrat's."""
    import numpy as np

    ours, theirs = (
        _result_path(data_dir, model, task, name) for name in ("ecomstrat", implementation)
    )
    if not (ours.exists() and theirs.exists()):
        return None
    reference, other = np.load(ours), np.load(theirs)
    if reference.shape != other.shape:
        return float("inf")
    scale = np.maximum(np.abs(reference), 1e-12)
    return float(np.max(np.abs(other - reference) / scale)) if reference.size else 0.0


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for package in ("numpy", "numba", "scipy", "pandas", *PEER_PACKAGES):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.model_cases import CASES

    work = new_temp_dir()
    env = {"NUMBA_CACHE_DIR": str(work / "numba-cache")}
    report: dict[str, Any] = {
        "distinct_patterns": args.distinct,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "versions": _versions(),
        "load_before": os.getloadavg()[0],
        "rows": [],
    }
    try:
        if not args.no_compile:
            report["compile"] = _compile_costs(args, work)
        distinct = ["--distinct"] if args.distinct else []
        sizes = sorted(set(args.sizes) | set(args.bgnbd_extra))
        for size in sizes:
            models = [
                m
                for m in args.models
                if size in args.sizes or (m == "bgnbd" and size in args.bgnbd_extra)
            ]
            if not models:
                continue
            data_dir = work / f"data-{size}"
            _progress(f"simulating {size:,} customers ...")
            made = run_child(
                ["-m", "benchmarks.models", "data", str(size), str(data_dir), *distinct], env
            )
            if "error" in made:
                report["rows"].append({"customers": size, "error": made["error"]})
                continue
            for model in models:
                for task, cases in CASES[model].items():
                    for name, case in cases.items():
                        row = _measure_row(args, env, data_dir, size, model, task, name, case)
                        if row is not None:
                            report["rows"].append(row)
            shutil.rmtree(data_dir, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["load_after"] = os.getloadavg()[0]
    return report


def _measure_row(
    args: argparse.Namespace,
    env: dict[str, str],
    data_dir: Path,
    size: int,
    model: str,
    task: str,
    name: str,
    case: Any,
) -> dict[str, Any] | None:
    if args.only and name not in args.only:
        return None
    row: dict[str, Any] = {"model": model, "task": task, "implementation": name}
    row["customers"] = size
    cap = _cap(name, model, task, args.peer_max)
    if not case.available():
        row["skipped"] = f"not installed: {', '.join(case.requires)}"
    elif cap is not None and size > cap:
        row["skipped"] = f"over the size cap {cap:,}"
    else:
        _progress(f"{model} {task} {name} at {size:,} ...")
        arguments = [model, task, name, str(data_dir)]
        options = ["--repeats", str(args.repeats), "--budget", str(args.budget)]
        row.update(
            run_child(
                ["-m", "benchmarks.models", "measure", *arguments, *options],
                {
                    **env,
                    **case.env,
                },
            )
        )
        if name != "ecomstrat":
            row["max_rel_diff"] = _agreement(data_dir, model, task, name)
    return row


def _compile_costs(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Per model: first and second call into an empty numba cache, then from the filled one."""
    data_dir = work / "data-compile"
    made = run_child(["-m", "benchmarks.models", "data", str(COMPILE_CUSTOMERS), str(data_dir)])
    if "error" in made:
        return {"error": made["error"]}
    out: dict[str, Any] = {}
    for model in args.models:
        cache = work / f"compile-cache-{model}"
        env = {"NUMBA_CACHE_DIR": str(cache)}
        _progress(f"compile cost: {model} (empty cache, then filled) ...")
        out[model] = {
            label: run_child(["-c", _COMPILE, str(data_dir), model], env)
            for label in ("cold_cache", "warm_cache")
        }
        shutil.rmtree(cache, ignore_errors=True)
    return out


# --- output -----------------------------------------------------------------------------


def _print(report: dict[str, Any]) -> None:
    data = "every (x, T) distinct" if report["distinct_patterns"] else "days, shared (x, T)"
    print(
        f"BTYD models ({data}): {report['machine']['cpus']} CPUs, load {report['load_before']:.1f}"
        f" -> {report['load_after']:.1f}; {report['versions']}"
    )
    header = (
        f"{'model':<12}{'task':<12}{'customers':>11}  {'implementation':<18}"
        f"{'median ms':>11}{'x ecomstrat':>12}{'peak MiB':>10}{'warm-up s':>10}{'max rel diff':>14}"
    )
    print(header)
    print("-" * len(header))
    fastest = {
        (r["model"], r["task"], r["customers"]): r["median_s"]
        for r in report["rows"]
        if r.get("implementation") == "ecomstrat" and "median_s" in r
    }
    for row in report["rows"]:
        if "model" not in row:
            print(f"{row['customers']:>35,}  data: {row['error']}")
            continue
        lead = f"{row['model']:<12}{row['task']:<12}{row['customers']:>11,}  "
        lead += f"{row['implementation']:<18}"
        if "median_s" not in row:
            print(f"{lead}{row.get('skipped') or row.get('error')}")
            continue
        base = fastest.get((row["model"], row["task"], row["customers"]))
        ratio = f"{row['median_s'] / base:.1f}" if base else ""
        diff = row.get("max_rel_diff")
        print(
            f"{lead}{row['median_s'] * 1e3:>11.3f}{ratio:>12}{row['extra_peak_bytes'] / MiB:>10.1f}"
            f"{row['warm_up_s']:>10.2f}{'' if diff is None else f'{diff:.1e}':>14}"
        )
    _print_compile(report.get("compile", {}))
    _print_targets(report)


def _print_compile(costs: dict[str, Any]) -> None:
    if not costs:
        return
    print("\nfirst-call cost on 2,000 customers (fresh process; seconds):")
    for model, labels in costs.items():
        for label, cost in labels.items() if isinstance(labels, dict) else ():
            if "error" in cost:
                print(f"  {model:<12}{label:<12} error {cost['error']}")
                continue
            calls = ", ".join(
                f"{task} {c['first_s']:.2f} (then {c['second_s']:.3f})"
                for task, c in cost.items()
                if task != "import_s"
            )
            print(f"  {model:<12}{label:<12} import {cost['import_s']:.2f}; {calls}")


def _print_targets(report: dict[str, Any]) -> None:
    timings = {
        (r["model"], r["task"], r["customers"], r["implementation"]): r["median_s"]
        for r in report["rows"]
        if "median_s" in r
    }
    print("\nacceptance targets (reported, not enforced):")
    for model, task, size, target in TARGETS:
        ours = timings.get((model, task, size, "ecomstrat"))
        theirs = timings.get((model, task, size, "lifetimes"))
        if ours is None or theirs is None:
            print(f"  {model} {task} at {size:,}: not measured in this run")
            continue
        ratio = theirs / ours
        verdict = "met" if ratio >= target else "NOT met"
        print(
            f"  {model} {task} at {size:,}: ecomstrat {ours:.3f} s, lifetimes {theirs:.3f} s"
            f" = {ratio:.1f}x (target {target:.0f}x: {verdict})"
        )


# --- command line -----------------------------------------------------------------------


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(float(size)) for size in text.split(","))


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    from benchmarks.model_cases import MODELS

    parser = argparse.ArgumentParser(prog="python -m benchmarks.models", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    one = commands.add_parser("measure", help="(internal) one measurement, in a child")
    one.add_argument("model")
    one.add_argument("task")
    one.add_argument("implementation")
    one.add_argument("data", type=Path)
    one.add_argument("--repeats", type=int, default=5)
    one.add_argument("--budget", type=float, default=10.0)
    data = commands.add_parser("data", help="(internal) simulate a data set, in a child")
    data.add_argument("size", type=int)
    data.add_argument("out", type=Path)
    data.add_argument("--distinct", action="store_true")
    parser.add_argument("--models", type=lambda s: tuple(s.split(",")), default=MODELS)
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="customers, e.g. 1e4,1e5,1e6 (default; BG/NBD also 1e7)",
    )
    parser.add_argument("--quick", action="store_true", help="1e3 and 1e4 only, no 1e7 (smoke)")
    parser.add_argument("--only", type=lambda s: tuple(s.split(",")), default=())
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--budget", type=float, default=10.0)
    parser.add_argument(
        "--peer-max", type=lambda s: int(float(s)), default=None, help="one cap for all peers"
    )
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="no two customers share (x, T): the worst case for compression and caches",
    )
    parser.add_argument("--no-compile", action="store_true", help="skip the compile-cost runs")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.command is None:
        unknown = set(args.models) - set(MODELS)
        if unknown:
            parser.error(f"unknown model(s) {sorted(unknown)}; choose from {list(MODELS)}")
        # The default run adds 10^7 for BG/NBD; given sizes are run as given.
        args.bgnbd_extra = BGNBD_EXTRA_SIZES if args.sizes is None and not args.quick else ()
        if args.sizes is None:
            args.sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    return args


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    if args.command == "measure":
        result = measure(
            args.model, args.task, args.implementation, args.data, args.repeats, args.budget
        )
        print(json.dumps(result))
        return
    if args.command == "data":
        from benchmarks.model_cases import make_data

        make_data(args.size, distinct=args.distinct).save(args.out)
        print(json.dumps({"customers": args.size}))
        return
    started = time.perf_counter()
    report = run(args)
    report["total_s"] = time.perf_counter() - started
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1))
    _print(report)
    print(f"\n{report['total_s']:.0f} s in all; details in {args.json}")


if __name__ == "__main__":
    main()
