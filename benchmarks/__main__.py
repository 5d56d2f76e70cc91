"""Run the benchmarks: ``python -m benchmarks [rfm] [--sizes 1e5,1e6,1e7] [--quick] ...``.

Run from the project root. Prints a table (median time, ratio to the numba row of the same
level, extra peak memory over the input arrays) and the import / first-call compile times,
checks that all implementations agree on the smallest dataset (and on CDNOW when present), and
writes everything to JSON. Nothing is asserted: the numbers are reported, never enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.comparisons import COMPARISONS, KERNELS, baseline_of
from benchmarks.harness import compile_times, new_temp_dir, spawn

MiB = 2**20
RESULTS = Path(__file__).resolve().parent / "results"
QUICK_SIZES = (10**4, 10**5)
DEFAULT_SIZES = (10**5, 10**6, 10**7)
#: Informational only (printed, never asserted): the project's acceptance targets at 10^7.
TARGET_SPEED_UP = 20.0
TARGET_MEMORY_RATIO = 3.0


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(float(size)) for size in text.split(","))


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("kernel", nargs="?", default="rfm", choices=sorted(KERNELS))
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=DEFAULT_SIZES,
        help="transactions per synthetic log, comma separated (default 1e5,1e6,1e7)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="sizes 1e4,1e5 only (smoke test of the runner)"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=7,
        help="most timed calls per measurement (fewer when slow; default 7)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=5.0,
        help="seconds of timed calls per measurement before stopping (default 5)",
    )
    parser.add_argument(
        "--per-customer", type=int, default=10, help="mean transactions per customer (default 10)"
    )
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=None,
        help="comma-separated implementations to run (default: all)",
    )
    parser.add_argument("--no-cdnow", action="store_true", help="skip the CDNOW master file")
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="where to write the results (default benchmarks/results/KERNEL.json)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = QUICK_SIZES
    return args


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _datasets(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    """(label, arguments of ``benchmarks.one data``) for each dataset, smallest first."""
    out = [
        (
            f"{size:.0e}".replace("e+0", "e"),
            ["synthetic", "--size", str(size), "--per-customer", str(args.per_customer)],
        )
        for size in sorted(args.sizes)
    ]
    if not args.no_cdnow:
        out.append(("cdnow", ["cdnow"]))
    return out


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("ecomstrat", "numpy", "numba", "pandas", "lifetimes"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed" if package != "ecomstrat" else "source tree"
    return versions


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _load() -> float | None:
    """1-minute load average: other processes on the machine distort the timings."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure everything; return the JSON-ready report."""
    kernel = KERNELS[args.kernel]
    implementations = [
        i
        for i in COMPARISONS[kernel].values()
        if i.available() and (args.only is None or i.name in args.only)
    ]
    missing = [i.name for i in COMPARISONS[kernel].values() if not i.available()]
    temp = new_temp_dir()
    cache_env = {"NUMBA_CACHE_DIR": str(temp / "numba-cache")}
    report: dict[str, Any] = {
        "kernel": kernel,
        "versions": _versions(),
        "machine": {"platform": platform.platform(), "cpus": _cpus(), "load_before": _load()},
        "settings": {
            "repeats": args.repeats,
            "budget_s": args.budget,
            "per_customer": args.per_customer,
        },
        "unavailable": missing,
        "datasets": [],
        "results": [],
        "checks": {},
        "skipped": [],
    }
    try:
        _progress("compile times (cold cache, then warm cache) ...")
        report["compile"] = compile_times(temp / "numba-cache")
        checked = False  # the smallest synthetic dataset (they come first) and CDNOW
        for label, data_arguments in _datasets(args):
            # made in a child: the runner stays small, so that it cannot inflate a child's
            # peak-RSS figures and its own memory does not compete with the measurements.
            folder = temp / label
            _progress(f"making dataset {label} ...")
            info = spawn(["data", data_arguments[0], str(folder), *data_arguments[1:]])
            if info.get("absent") or "error" in info:
                _progress(f"skipping {label}: {info.get('error', 'the file is absent')}")
                report["skipped"].append(label)
                continue
            info["label"] = label
            report["datasets"].append(info)
            n = info["n_transactions"]
            if label == "cdnow" or not checked:
                _progress(f"checking agreement on {info['name']} ...")
                report["checks"][info["name"]] = spawn(["check", kernel, str(folder)], cache_env)
                checked = True
            for implementation in implementations:
                if not implementation.applies_to(n):
                    continue
                _progress(f"measuring {implementation.name} on {info['name']} ...")
                started = time.perf_counter()
                result = spawn(
                    [
                        "measure",
                        kernel,
                        implementation.name,
                        str(folder),
                        "--repeats",
                        str(args.repeats),
                        "--budget",
                        str(args.budget),
                    ],
                    {**cache_env, **implementation.env},
                )
                result.update(
                    implementation=implementation.name,
                    level=implementation.level,
                    dataset=info["name"],
                    label=label,
                    wall_s=time.perf_counter() - started,
                )
                report["results"].append(result)
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return report


# --- printing -------------------------------------------------------------------------------


def _ratios(report: dict[str, Any]) -> None:
    """Add ``ratio``: median / median of the same level's baseline on the same dataset."""
    medians = {(r["dataset"], r["implementation"]): r.get("median_s") for r in report["results"]}
    for r in report["results"]:
        base = medians.get((r["dataset"], baseline_of(report["kernel"], r["level"])))
        r["ratio"] = r["median_s"] / base if base and "median_s" in r else None


def _table(report: dict[str, Any]) -> list[str]:
    header = (
        f"{'size':>6} {'implementation':<14} {'level':<10} {'median s':>10} {'reps':>4}"
        f" {'x numba':>8} {'extra MiB':>10} {'extra/input':>11}"
    )
    lines = [header, "-" * len(header)]
    for r in report["results"]:
        if "error" in r:
            lines.append(f"{r['label']:>6} {r['implementation']:<14} ERROR {r['error']}")
            continue
        ratio = f"{r['ratio']:.1f}" if r["ratio"] is not None else "-"
        bound = ">=" if r.get("peak_lower_bound") else ""
        lines.append(
            f"{r['label']:>6} {r['implementation']:<14} {r['level'][:10]:<10}"
            f" {r['median_s']:>10.4f} {len(r['times_s']):>4} {ratio:>8}"
            f" {bound + format(r['extra_peak_bytes'] / MiB, '.1f'):>10}"
            f" {r['extra_peak_bytes'] / r['input_bytes']:>11.2f}"
        )
    return lines


def _compile_lines(compile_report: dict[str, Any]) -> list[str]:
    cold, warm = compile_report["cold_cache"], compile_report["warm_cache"]
    if "error" in cold or "error" in warm:
        return [f"compile times: {cold.get('error') or warm.get('error')}"]
    steady_ms = warm["steady_call_s"] * 1e3
    return [
        f"import ecomstrat.metrics.summary: {cold['import_s']:.2f} s (first),"
        f" {warm['import_s']:.2f} s (again)",
        f"first call (warm_up), empty cache, compiles: {cold['first_call_s']:.2f} s",
        f"first call (warm_up), warm cache, loads:     {warm['first_call_s']:.2f} s",
        f"later calls on 3 orders:                   {steady_ms:.2f} ms"
        f" (parallel kernels use {warm['threads']} threads)",
    ]


def _check_lines(checks: dict[str, Any]) -> list[str]:
    lines = []
    for name, rows in checks.items():
        if isinstance(rows, dict):  # the subprocess failed
            lines.append(f"check {name}: ERROR {rows.get('error')}")
            continue
        parts = []
        for row in rows:
            if row["ok"]:
                parts.append(f"{row['implementation']} ok")
            else:
                parts.append(f"{row['implementation']} DIFFERS {row}")
        worst = max((row.get("monetary_max_rel_diff", 0.0) for row in rows), default=0.0)
        verdict = "agree" if all(row["ok"] for row in rows) else "DISAGREE"
        lines.append(
            f"check {name}: numba vs {', '.join(parts)}: {verdict} (frequency/recency/T equal,"
            f" monetary max rel diff {worst:.1e} <= 1e-9)"
        )
    return lines


def _target_lines(report: dict[str, Any]) -> list[str]:
    by_key = {(r["label"], r["implementation"]): r for r in report["results"] if "error" not in r}
    synthetic_labels = [d["label"] for d in report["datasets"] if d["label"] != "cdnow"]
    if not synthetic_labels:
        return []
    label = synthetic_labels[-1]
    numba, lifetimes = by_key.get((label, "numba")), by_key.get((label, "lifetimes"))
    if numba is None:
        return []
    memory = numba["extra_peak_bytes"] / numba["input_bytes"]
    line = (
        f"acceptance (defined at 1e7), at {label}: numba end-to-end extra peak ="
        f" {memory:.2f}x input (target < {TARGET_MEMORY_RATIO:g}x)"
    )
    if lifetimes is not None:
        speed_up = lifetimes["median_s"] / numba["median_s"]
        line += f"; {speed_up:.1f}x faster than lifetimes (target >= {TARGET_SPEED_UP:g}x)"
    return [line]


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    started = time.perf_counter()
    report = run(args)
    report["total_wall_s"] = time.perf_counter() - started
    report["machine"]["load_after"] = _load()
    _ratios(report)
    versions = ", ".join(f"{k} {v}" for k, v in report["versions"].items())
    print(
        f"\n{report['kernel']}: {versions}; {report['machine']['cpus']} CPUs"
        " (numba rows use all of them unless marked 1thread);"
        f" load average {report['machine']['load_before']} before,"
        f" {report['machine']['load_after']} after"
    )
    if report["unavailable"]:
        print(f"not installed, left out: {', '.join(report['unavailable'])}")
    for d in report["datasets"]:
        print(
            f"  {d['label']:>6} = {d['name']}: {d['n_transactions']:,} orders,"
            f" {d['n_customers']:,} customers, input arrays {d['input_bytes'] / MiB:.1f} MiB"
        )
    print()
    lines = [
        *_table(report),
        "",
        *_compile_lines(report["compile"]),
        *_check_lines(report["checks"]),
        *_target_lines(report),
    ]
    print("\n".join(lines))
    path = args.json or RESULTS / f"{args.kernel}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {path} (total {report['total_wall_s']:.0f} s)")


if __name__ == "__main__":
    main()
