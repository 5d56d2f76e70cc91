"""First-run cost: ``python -m benchmarks.first_run [--repeats 3] [--customers 20000] [--quick]``.

Run from the project root. What a user waits for before the first result, each measured in a
fresh child process (wall time from process start to exit, interpreter start-up included):

* ``demo, empty cache``: ``ecomstrat demo`` (stdout discarded) with ``NUMBA_CACHE_DIR`` set to
  a new empty folder, as in a fresh environment: numba compiles the kernels the report uses;
* ``demo, filled cache``: the same command again on that folder: numba loads them;
* ``warm_up(), empty cache``: ``import ecomstrat; ecomstrat.warm_up()`` in a new empty folder:
  every kernel is compiled;
* ``warm_up(), filled cache``: the same again on that folder (what a service pays at start-up).

Then, once, ``warm_up()`` on the filled folder followed by the public API as a service calls it
(every model's fit and predictions and the kernel-backed metrics, on 1,000 and ``--customers``
customers, so the parallel paths too): it lists every kernel that was still compiled or loaded
after the warm-up (there should be none: ``warm_up()`` must leave nothing to the first request).

Each is repeated ``--repeats`` times (a new empty folder for every cold repeat); the table shows
the median and the range. For the warm-ups it also shows what ``warm_up()`` returned. The
first cold run of each kind records every numba compilation (dispatcher, signature, seconds
with and without the compilations nested in it) and prints the kernels by compile time: where
a first run goes. The demo rows also say whether the command printed its "compiling kernels"
notice on stderr (it must on an empty cache, and must not on a filled one).

Nothing is asserted. Results also go to ``benchmarks/results/first_run.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sys
import time
from collections import defaultdict
from importlib import metadata
from pathlib import Path
from statistics import median
from typing import Any

from benchmarks.harness import new_temp_dir, spawn

RESULTS = Path(__file__).resolve().parent / "results" / "first_run.json"
#: (label, what, cache) in the order they run; "cold" gets a new empty cache folder.
CASES = (
    ("demo, empty cache", "demo", "cold"),
    ("demo, filled cache", "demo", "warm"),
    ("warm_up(), empty cache", "warm-up", "cold"),
    ("warm_up(), filled cache", "warm-up", "warm"),
)
#: After the last repeat, once: warm_up() then the public API, in the filled warm-up cache.
COVERAGE = "api-after-warm-up"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.first_run", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each case (default 3)")
    parser.add_argument(
        "--customers", type=int, default=20_000, help="customers of the demo (default 20000)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="one run of each case (smoke test of the runner)"
    )
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1
    return args


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every case ``--repeats`` times, each run in a fresh process; the JSON-ready report."""
    temp = new_temp_dir()
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in CASES}
    coverage: dict[str, Any] = {"error": "not run"}
    try:
        for repeat in range(args.repeats):
            caches = {what: temp / f"cache-{what}-{repeat}" for _, what, _ in CASES}
            for label, what, cache in CASES:
                _progress(f"{label} ({repeat + 1}/{args.repeats}) ...")
                record = cache == "cold" and repeat == 0
                command = ["first-run", what, "--customers", str(args.customers)]
                started = time.perf_counter()
                result = spawn(
                    [*command, *(["--record"] if record else [])],
                    {"NUMBA_CACHE_DIR": str(caches[what])},
                )
                result["wall_s"] = time.perf_counter() - started
                runs[label].append(result)
            if repeat == args.repeats - 1:
                _progress("the public API after warm_up() ...")
                coverage = spawn(
                    ["first-run", COVERAGE, "--customers", str(args.customers)],
                    {"NUMBA_CACHE_DIR": str(caches["warm-up"])},
                )
            for folder in caches.values():
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return {"runs": runs, "coverage": coverage}


def _versions() -> str:
    parts = [f"python {platform.python_version()}"]
    for package in ("numba", "llvmlite", "numpy", "scipy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            parts.append(f"{package} {metadata.version(package)}")
    return ", ".join(parts)


def _kernel_table(compiles: list[dict[str, Any]], top: int = 12) -> list[str]:
    """The kernels by compile time (their callees' compilation included), then the totals."""
    kernels: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for c in compiles:
        name = c["kernel"].removeprefix("ecomstrat._kernels.")
        entry = kernels[name]
        entry[0] += 1
        entry[1] += c["own_seconds"]
        entry[2] += c["seconds"] if c["top_level"] else 0.0
    rows = sorted(kernels.items(), key=lambda item: -item[1][2])
    total = sum(c["seconds"] for c in compiles if c["top_level"])
    lines = [f"    {'kernel (called from Python)':<44}{'with callees s':>15}"]
    called = [(name, e) for name, e in rows if e[2] > 0.0]
    for name, entry in called[:top]:
        lines.append(f"    {name:<44}{entry[2]:>15.2f}")
    if len(called) > top:
        rest = sum(entry[2] for _, entry in called[top:])
        lines.append(f"    {f'... {len(called) - top} more':<44}{rest:>15.2f}")
    lines.append(
        f"    {len(called)} kernels, {len(compiles)} specialisations compiled in all"
        f" (callees and numba's own overloads included): {total:.1f} s"
    )
    return lines


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    load_before = _load()
    started = time.perf_counter()
    report = run(args)
    report.update(
        settings={"repeats": args.repeats, "customers": args.customers},
        versions=_versions(),
        cpus=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        load_before=load_before,
        load_after=_load(),
        total_wall_s=time.perf_counter() - started,
    )
    print(
        f"\nfirst run: {report['versions']}; {report['cpus']} CPUs, load average"
        f" {load_before} before, {report['load_after']} after; demo on {args.customers:,}"
        f" customers; {args.repeats} run(s) each, every one in a fresh process"
    )
    header = f"{'case':<26}{'median s':>10}{'min-max s':>16}{'warm_up() s':>13}  notes"
    print(header)
    print("-" * len(header))
    for label, runs in report["runs"].items():
        errors = [r["error"] for r in runs if "error" in r]
        good = [r for r in runs if "error" not in r]
        if not good:
            print(f"{label:<26}ERROR {errors[0] if errors else '?'}")
            continue
        walls = [r["wall_s"] for r in good]
        spread = f"{min(walls):.2f}-{max(walls):.2f}"
        returned = [r["warm_up_s"] for r in good if "warm_up_s" in r]
        inner = f"{median(returned):.2f}" if returned else ""
        notes = []
        if any(r.get("notice") is not None for r in good):
            said = sum(bool(r.get("notice")) for r in good)
            notes.append(f"compile notice in {said}/{len(good)} runs")
        if any("compiles" in r for r in good):
            notes.append("1st run recorded (numba imported before warm_up)")
        if errors:
            notes.append(f"{len(errors)} failed: {errors[0]}")
        print(f"{label:<26}{median(walls):>10.2f}{spread:>16}{inner:>13}  {'; '.join(notes)}")
    coverage = report["coverage"]
    if "error" in coverage:
        print(f"public API after warm_up(): ERROR {coverage['error']}")
    else:
        missed = coverage["after_warm_up"]
        print(
            f"public API after warm_up() (every model and metric, {args.customers:,} and 1,000"
            f" customers, {coverage['api_s']:.1f} s): {len(missed)} kernels still compiled or"
            f" loaded{': ' + ', '.join(sorted(missed)) if missed else ''}"
        )
    for label, runs in report["runs"].items():
        recorded = [r for r in runs if "compiles" in r]
        if recorded:
            print(f"\nwhere the first {label.split(',')[0]} compiles (first run, empty cache):")
            print("\n".join(_kernel_table(recorded[0]["compiles"])))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {args.json} (total {report['total_wall_s']:.0f} s)")


if __name__ == "__main__":
    main()
