"""Benchmark the time-varying-covariate Pareto/NBD fit: ``python -m benchmarks.dyncov``.

Run from the project root with ``../shared/data`` present (CLVTools' apparel data, GPL-3,
read in place). It measures, on the apparel data (600 customers, weekly covariates
``high_season``, ``gender``, ``channel`` in both processes, calibration to 2006-12-31):

* ``cold, empty cache``: a fresh process with an empty numba cache (``NUMBA_CACHE_DIR`` in a
  temporary folder): import, read the data, compile, fit;
* ``cold``: a fresh process on the filled cache (the usual first run on a machine);
* ``warm``: further fits in one process (median of ``--repeats``);
* the log-likelihood at CLVTools' estimates, its gradient there, and the maximum with
  ``dropout.high_season`` held at CLVTools' value (why the fit ends higher than CLVTools);
* ``--scale K``: the data copied K times (K x 600 customers, the same covariates), for the
  linear growth of time and memory (runs stored: at most customers x periods).

CLVTools 0.12.1 needed 3.7 minutes for the same fit on this machine (README-covariates.md).
Nothing is asserted; results also go to ``benchmarks/results/dyncov.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("ECOMSTRAT_SHARED_DATA", ROOT.parent / "shared" / "data"))
NAMES = ("high_season", "gender", "channel")
CAL_END = "2006-12-31"


def load(scale: int = 1) -> tuple[Any, Any]:
    """The apparel log and the weekly covariates (calibration and future periods), ``scale`` x."""
    import numpy as np

    from ecomstrat import TransactionLog
    from ecomstrat.frames.covariates import TimeVaryingCovariates
    from ecomstrat.io.covariates import read_time_varying_covariates
    from ecomstrat.io.csv import read_csv

    log = read_csv(DATA / "clvtools_apparel_trans.csv", time="date", amount="price", id_type=int)
    past = read_time_varying_covariates(DATA / "clvtools_apparel_dyncov.csv", id_type=int)
    future = read_time_varying_covariates(
        DATA / "clvtools_apparel_dyncov_future.csv", id_type=int
    ).align(past.customer_ids)
    values = np.concatenate([past.values, future.values], axis=1)
    starts = np.concatenate([past.period_starts, future.period_starts])
    ids = past.customer_ids
    if scale > 1:
        n = log.customer_ids.shape[0]
        shift = int(ids.max()) + 1
        log = TransactionLog.from_arrays(
            np.concatenate(
                [log.customer_ids[log.customer_index] + k * shift for k in range(scale)]
            ),
            np.tile(log.times, scale),
            np.tile(log.amounts, scale),
        )
        ids = np.concatenate([ids + k * shift for k in range(scale)])
        values = np.tile(values, (scale, 1, 1))
        assert log.customer_ids.shape[0] == n * scale
    cov = TimeVaryingCovariates(ids, starts, past.names, values, past.period)
    return log, cov


def fit_once(log: Any, cov: Any) -> tuple[float, Any]:
    """Seconds of one fit, and the fitted model."""
    import warnings

    from ecomstrat.models.dynamic_paretonbd import DynamicParetoNBD

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the runaway dropout.high_season is reported below
        model = DynamicParetoNBD(purchase=NAMES, dropout=NAMES).fit(
            log, cov, calibration_end=CAL_END
        )
    return time.perf_counter() - start, model


def child(mode: str) -> None:
    """One fresh process: import, read, fit; prints a JSON line."""
    t0 = time.perf_counter()
    import ecomstrat  # noqa: F401

    t_import = time.perf_counter() - t0
    log, cov = load()
    t_load = time.perf_counter() - t0 - t_import
    seconds, model = fit_once(log, cov)
    print(
        json.dumps(
            {
                "mode": mode,
                "import_s": t_import,
                "read_s": t_load,
                "fit_s": seconds,
                "total_s": time.perf_counter() - t0,
                "log_likelihood": model.fit.log_likelihood,
            }
        )
    )


def spawn(mode: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.dyncov", "child", mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def clvtools_point(log: Any, cov: Any) -> dict[str, Any]:
    """Log-likelihood and gradient at CLVTools' estimates, and the profile at its γ."""
    import csv

    import numpy as np

    from ecomstrat.models._fit import maximize_likelihood
    from ecomstrat.models.dynamic_paretonbd import DynamicParetoNBD, _history, _Prepared

    with open(DATA / "ref_clvtools_fits.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["label"].startswith("pnbd dyncov")]
    est = {r["param"]: float(r["estimate"]) for r in rows}
    spec = DynamicParetoNBD(purchase=NAMES, dropout=NAMES).spec
    key = {"High.Season": "high_season", "Gender": "gender", "Channel": "channel"}
    coef = {
        f"{'purchase' if p.startswith('trans') else 'dropout'}.{key[p.split('.', 1)[1]]}": v
        for p, v in est.items()
        if "." in p
    }
    theta = np.array(
        [est["r"], est["alpha"], est["s"], est["beta"], *spec.coefficient_vector(coef)]
    )
    history = _history(log, CAL_END, cov.period)
    prepared = _Prepared.build(spec, history, cov, cov.period)
    value, gradient = prepared.objective(theta)
    names = ("r", "alpha", "s", "beta", *spec.coefficient_names())
    fixed = names.index("dropout.high_season")

    def profile(th: Any) -> tuple[float, Any]:
        full = np.insert(th, fixed, theta[fixed])
        v, g = prepared.objective(full)
        return v, np.delete(g, fixed)

    start = np.delete(theta, fixed)
    best = maximize_likelihood(
        profile,
        start,
        [n for n in names if n != "dropout.high_season"],
        n_customers=600,
        n_patterns=600,
        free=[False] * 4 + [True] * (len(names) - 5),
    )
    return {
        "clvtools_log_likelihood": float(rows[0]["LL"]),
        "ours_at_clvtools_estimates": value,
        "gradient_at_clvtools_estimates": dict(zip(names, map(float, gradient), strict=True)),
        "max_with_dropout_high_season_at_clvtools_value": best.log_likelihood,
    }


def scaled(k: int) -> dict[str, Any]:
    """The data copied ``k`` times: fit (copies merge), one uncompressed evaluation, memory."""
    import gc

    import numpy as np

    from benchmarks.harness import current_rss, peak_rss, reset_peak_rss
    from ecomstrat.models.dynamic_paretonbd import DynamicParetoNBD, _history, _Prepared

    log, cov = load(k)
    gc.collect()
    base = current_rss()
    reset_peak_rss()
    seconds, model = fit_once(log, cov)
    fit_peak = peak_rss() - base
    spec = DynamicParetoNBD(purchase=NAMES, dropout=NAMES).spec
    prepared = _Prepared.build(spec, _history(log, CAL_END, cov.period), cov, cov.period)
    theta = np.array([*model.params.to_tuple(), *model.coefficients.values()])
    prepared.objective(theta)
    evals = []
    for _ in range(5):
        start = time.perf_counter()
        prepared.objective(theta)
        evals.append(time.perf_counter() - start)
    runs = prepared.runs
    return {
        "customers": int(log.customer_ids.shape[0]),
        "fit_s": seconds,
        "log_likelihood_per_copy": model.fit.log_likelihood / k,
        "fit_peak_rss_above_data_mb": fit_peak / 2**20,
        "uncompressed_eval_with_gradient_s": median(evals),
        "runs_stored": int(runs.start.shape[0]),
        "run_bytes_mb": sum(
            a.nbytes for a in (runs.ptr, runs.start, runs.end, runs.purchase, runs.dropout)
        )
        / 2**20,
        "covariate_bytes_mb": cov.values.nbytes / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", nargs="?", default="run")
    parser.add_argument("mode", nargs="?", default="")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale", type=int, nargs="*", default=[])
    args = parser.parse_args()
    if args.command == "child":
        child(args.mode)
        return
    results: dict[str, Any] = {"threads": os.environ.get("NUMBA_NUM_THREADS", str(os.cpu_count()))}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        results["cold_empty_cache"] = spawn("cold, empty cache", env)
    results["cold"] = spawn("cold", dict(os.environ))
    results["cold_again"] = spawn("cold", dict(os.environ))
    log, cov = load()
    fit_once(log, cov)
    warm = [fit_once(log, cov) for _ in range(args.repeats)]
    results["warm_fit_s"] = [w[0] for w in warm]
    results["warm_fit_median_s"] = median(w[0] for w in warm)
    model = warm[0][1]
    results["fit"] = {
        "log_likelihood": model.fit.log_likelihood,
        "params": model.params.to_dict(),
        "coefficients": model.coefficients,
        "evaluations": model.fit.diagnostics.n_evaluations,
        "iterations": model.fit.diagnostics.n_iterations,
    }
    results["clvtools"] = clvtools_point(log, cov)
    for k in args.scale:
        results[f"scale_{k}"] = scaled(k)
    text = json.dumps(results, indent=2)
    print(text)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "dyncov.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
