"""Coverage of the parameter-uncertainty intervals: a simulation study (reports, never asserts).

``python -m benchmarks.coverage [--bases 200] [--customers 2000] [--draws 1000] [--level 0.9]
[--horizon 52] [--seed 0] [--json PATH]``

Each replicate simulates a customer base of ``--customers`` customers from known BG/NBD
parameters (the CDNOW estimates in weeks, :func:`ecomstrat.simulate_transactions` with its
defaults: acquisition over 12 weeks, observation to week 78), fits a BG/NBD model to it, and
computes ``--level`` intervals (``--draws`` parameter draws) for:

- **per customer**: each customer's expected number of purchases in the next ``--horizon``
  weeks given their own history, ``E[Y(H) | x, t_x, T]``;
- **base total**: the sum of those expectations over the base (the base's expected purchases);
- **reference histories**: the same expectation for five fixed histories (below).

The truth for each is the same quantity under the TRUE parameters (the simulation's), for the
histories observed in that base. Coverage is the share of intervals that contain the truth:
per customer averaged over customers and bases, per base for the total, per history across
bases. Fits that fail or end at a boundary are counted and left out. Results go to stdout and
to ``benchmarks/results/coverage.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ecomstrat.datasets import SimulationParameters, simulate_transactions
from ecomstrat.exceptions import BoundaryEstimateWarning, ConvergenceError
from ecomstrat.models._uncertainty import prediction_interval
from ecomstrat.models.bgnbd import BGNBD

RESULTS = Path(__file__).resolve().parent / "results"

#: (x, t_x, T) in weeks: a one-time buyer, light, regular, heavy recent, heavy lapsed.
REFERENCE = (
    np.array([0.0, 1.0, 3.0, 8.0, 8.0]),
    np.array([0.0, 20.0, 50.0, 70.0, 30.0]),
    np.array([72.0, 72.0, 72.0, 72.0, 72.0]),
)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.coverage", description=__doc__)
    parser.add_argument("--bases", type=int, default=200)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--level", type=float, default=0.9)
    parser.add_argument("--horizon", type=float, default=52.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=RESULTS / "coverage.json")
    return parser.parse_args(argv)


def replicate(
    seed: int, truth_params: SimulationParameters, args: argparse.Namespace
) -> dict[str, Any] | None:
    """One simulated base: the coverage of its intervals, or None when the fit failed."""
    import warnings

    summary = simulate_transactions(args.customers, parameters=truth_params, seed=seed).summary()
    p = truth_params
    truth = BGNBD.from_params(r=p.r, alpha=p.alpha, a=p.a, b=p.b, time_unit=p.time_unit)
    data = tuple(
        np.concatenate([np.asarray(column, dtype=np.float64), reference])
        for column, reference in zip(
            (summary.frequency, summary.recency, summary.T), REFERENCE, strict=True
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", BoundaryEstimateWarning)
        try:
            fitted = BGNBD().fit(summary, time_unit=p.time_unit)
        except (ConvergenceError, BoundaryEstimateWarning):
            return None

    def predict(model: Any) -> Any:
        values = model.conditional_expected_purchases(args.horizon, data)
        return np.append(values, values[: args.customers].sum())

    interval = prediction_interval(
        predict,
        [fitted],
        customer_ids=None,
        level=args.level,
        n_draws=args.draws,
        seed=seed,
    )
    true = predict(truth)
    covered = (interval.lower <= true) & (true <= interval.upper)
    n = args.customers
    width = interval.upper - interval.lower
    return {
        "seed": seed,
        "per_customer": float(covered[:n].mean()),
        "reference": covered[n:-1].tolist(),
        "total": bool(covered[-1]),
        "total_truth": float(true[-1]),
        "total_interval": [float(interval.lower[-1]), float(interval.upper[-1])],
        "median_relative_width": float(np.median(width[:n] / np.maximum(true[:n], 1e-12))),
    }


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    truth_params = SimulationParameters()
    start = time.perf_counter()
    runs: list[dict[str, Any]] = []
    failed = 0
    for k in range(args.bases):
        result = replicate(args.seed + k, truth_params, args)
        if result is None:
            failed += 1
        else:
            runs.append(result)
        if (k + 1) % 10 == 0:
            print(
                f"{k + 1}/{args.bases} bases, {time.perf_counter() - start:.0f} s", file=sys.stderr
            )
    per_customer = np.array([run["per_customer"] for run in runs])
    total = np.array([run["total"] for run in runs])
    reference = np.array([run["reference"] for run in runs])
    m = len(runs)
    summary = {
        "command": "python -m benchmarks.coverage " + " ".join(argv or sys.argv[1:]),
        "level": args.level,
        "bases": args.bases,
        "fits_left_out": failed,
        "customers": args.customers,
        "draws": args.draws,
        "horizon_weeks": args.horizon,
        "true_parameters": {
            "r": truth_params.r,
            "alpha": truth_params.alpha,
            "a": truth_params.a,
            "b": truth_params.b,
        },
        "coverage_per_customer_mean": float(per_customer.mean()),
        "coverage_per_customer_quartiles": np.quantile(per_customer, [0.25, 0.5, 0.75]).tolist(),
        "coverage_base_total": float(total.mean()),
        "coverage_base_total_se": float(np.sqrt(total.mean() * (1 - total.mean()) / m)),
        "coverage_reference": {
            f"x={x:g}, t_x={t:g}, T={T:g}": float(c)
            for x, t, T, c in zip(*REFERENCE, reference.mean(axis=0), strict=True)
        },
        "median_relative_width": float(np.median([run["median_relative_width"] for run in runs])),
        "seconds": time.perf_counter() - start,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"summary": summary, "runs": runs}, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
