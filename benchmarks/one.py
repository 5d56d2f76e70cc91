"""One measurement in a fresh process; prints one JSON line. Started by the runner.

``python -m benchmarks.one measure KERNEL IMPLEMENTATION DATA_DIR --repeats N --budget S``
``python -m benchmarks.one check KERNEL DATA_DIR``
``python -m benchmarks.one compile``
``python -m benchmarks.one first-run {demo,warm-up,api-after-warm-up} [--customers N] [--record]``
``python -m benchmarks.one data {synthetic,cdnow} OUT_DIR [--size N --per-customer K --seed S]``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from benchmarks.harness import first_run, make_dataset, measure, measure_compile


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.one")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("measure")
    one.add_argument("kernel")
    one.add_argument("implementation")
    one.add_argument("data", type=Path)
    one.add_argument("--repeats", type=int, default=7)
    one.add_argument("--budget", type=float, default=3.0)
    check = commands.add_parser("check")
    check.add_argument("kernel")
    check.add_argument("data", type=Path)
    commands.add_parser("compile")
    first = commands.add_parser("first-run")
    first.add_argument("what", choices=("demo", "warm-up", "api-after-warm-up"))
    first.add_argument("--customers", type=int, default=20_000)
    first.add_argument("--record", action="store_true")
    data = commands.add_parser("data")
    data.add_argument("kind", choices=("synthetic", "cdnow"))
    data.add_argument("out", type=Path)
    data.add_argument("--size", type=int, default=10**5)
    data.add_argument("--per-customer", type=int, default=10)
    data.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    result: Any
    if args.command == "measure":
        result = measure(args.kernel, args.implementation, args.data, args.repeats, args.budget)
    elif args.command == "check":
        from benchmarks.comparisons import agreement
        from benchmarks.data import load

        result = agreement(args.kernel, load(args.data))
    elif args.command == "data":
        result = make_dataset(args.kind, args.size, args.per_customer, args.seed, args.out)
    elif args.command == "first-run":
        result = first_run(args.what, args.customers, args.record)
    else:
        result = measure_compile()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
