"""The ``ecomstrat`` command: a thin layer over the public API, and the only code that prints.

``ecomstrat demo`` simulates a customer base, summarises it and prints a short report (or
JSON); ``ecomstrat --version`` prints the version. Errors raised by the library become one
line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ecomstrat._version import __version__
from ecomstrat.domain.time_unit import TimeUnit
from ecomstrat.exceptions import EcomstratError

__all__ = ["main"]

#: First day of the simulated acquisition window.
DEMO_START = "2024-01-01"
#: Calibration and holdout lengths in weeks, as in the CDNOW studies (Fader, Hardie & Lee 2005).
CALIBRATION_WEEKS = 39
OBSERVATION_WEEKS = 78
#: Lifecycle migrations are measured over the last quarter of the observation.
MIGRATION_WEEKS = 13
#: Gross margin assumed for the simulated orders, which carry revenue only.
DEMO_GROSS_MARGIN = 0.4
#: Exit status for a usage or input error (argparse uses the same).
EXIT_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except EcomstratError as error:
        message = " ".join(str(error).split())
        print(f"ecomstrat: error: {message}", file=sys.stderr)
        return EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecomstrat",
        description="Typed, fast e-commerce strategy metrics.",
    )
    parser.add_argument("--version", action="version", version=f"ecomstrat {__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="simulate a customer base and print its RFM report",
        description=(
            "Simulate a customer base (BG/NBD purchases, Gamma-Gamma spend, CDNOW parameters),"
            f" observe it for {OBSERVATION_WEEKS} weeks, summarise it and compare the first"
            f" {CALIBRATION_WEEKS} weeks with the rest."
        ),
    )
    demo.add_argument(
        "--customers",
        type=int,
        default=20_000,
        metavar="N",
        help="number of customers to simulate (default: %(default)s)",
    )
    demo.add_argument(
        "--seed", type=int, default=7, metavar="S", help="random seed (default: %(default)s)"
    )
    demo.add_argument(
        "--time-unit",
        default="week",
        choices=[u.value for u in TimeUnit],
        help="unit of recency and T (default: %(default)s)",
    )
    demo.add_argument("--json", action="store_true", help="print the numbers as JSON")
    demo.set_defaults(handler=_demo)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from ecomstrat import (
        calibration_holdout_summary,
        rfm_summary,
        simulate_transactions,
        warm_up,
    )
    from ecomstrat.datasets.campaigns import simulate_campaigns
    from ecomstrat.report import (
        Reportable,
        data_overview,
        holdout_overview,
        render,
        simulation_overview,
        summary_overview,
    )
    from ecomstrat.report.acquisition import acquisition_overview
    from ecomstrat.report.lifecycle import lifecycle_overview
    from ecomstrat.report.markets import MarketsOverview, demo_market_entries

    unit = TimeUnit.parse(args.time_unit)
    seconds = {"warm-up": warm_up()}
    clock = time.perf_counter()
    simulation = simulate_transactions(
        args.customers, seed=args.seed, start=DEMO_START, observation_length=OBSERVATION_WEEKS
    )
    seconds["simulate"] = time.perf_counter() - clock
    clock = time.perf_counter()
    log = simulation.log
    calibration_end = np.datetime64(DEMO_START) + np.timedelta64(7 * CALIBRATION_WEEKS, "D")
    summary = rfm_summary(log, simulation.observation_end, time_unit=unit)
    split = calibration_holdout_summary(
        log, calibration_end, simulation.observation_end, time_unit=unit
    )
    parts: dict[str, Reportable] = {
        "simulation": simulation_overview(simulation),
        "data": data_overview(log),
        "summary": summary_overview(summary),
        "holdout": holdout_overview(split),
    }
    seconds["summarise"] = time.perf_counter() - clock
    clock = time.perf_counter()
    end = simulation.observation_end
    parts["lifecycle"] = lifecycle_overview(
        log, end, end - np.timedelta64(7 * MIGRATION_WEEKS, "D")
    )
    campaigns = simulate_campaigns(simulation, seed=args.seed)
    parts["acquisition"] = acquisition_overview(
        log, campaigns, gross_margin_rate=DEMO_GROSS_MARGIN, observation_end=end
    )
    seconds["strategy metrics"] = time.perf_counter() - clock
    clock = time.perf_counter()
    parts["markets"] = MarketsOverview(demo_market_entries())
    seconds["market entry"] = time.perf_counter() - clock

    if args.json:
        payload: dict[str, Any] = {
            "ecomstrat": __version__,
            "settings": {
                "customers": args.customers,
                "seed": args.seed,
                "time_unit": unit.value,
                "start": DEMO_START,
                "calibration_end": str(calibration_end),
            },
        }
        payload.update((name, part.to_dict()) for name, part in parts.items())
        print(json.dumps(payload, indent=2, allow_nan=False))
    else:
        title = (
            f"ecomstrat {__version__} demo: {args.customers:,} simulated customers"
            f" (seed {args.seed}), {unit.value}s"
        )
        print(f"{title}\n{'#' * len(title)}\n")
        print(render(section for part in parts.values() for section in part.sections()))
    timings = ", ".join(f"{step} {s:.2f} s" for step, s in seconds.items())
    print(
        f"ecomstrat: {timings} (numba kernels are cached on disk after the first run)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
