"""Building the covariate frames: the apparel files and a simulated long table.

``python -m benchmarks.covariate_data [--customers 10000] [--repeats 5] [--data DIR]``

- ``apparel``: CLVTools' ``apparelDynCov`` (187,800 rows: 600 customers x 313 weeks x 3
  covariates) from ``--data`` (default ``../shared/data``): ``TimeVaryingCovariates.from_table``
  on a pandas, polars and Arrow table and on a mapping of numpy arrays (string dates), and
  ``read_time_varying_covariates`` with the pyarrow and the reference engine; skipped when the
  file is absent.
- ``simulated``: ``--customers`` x 313 weeks x 3 covariates as a mapping of numpy arrays (int64
  ids, ``datetime64[D]`` dates) in shuffled row order.

Each line reports the median wall time of ``--repeats`` warm calls (after one cold call, which
loads numba's cached hashing kernels) and the peak RSS growth of the process.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

from ecomstrat.frames.covariates import TimeVaryingCovariates
from ecomstrat.io.covariates import read_time_varying_covariates

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _time(label: str, call: Callable[[], Any], repeats: int) -> None:
    before = _peak_mb()
    start = time.perf_counter()
    result = call()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        warm.append(time.perf_counter() - start)
    shape = getattr(result, "values", np.empty(0)).shape
    print(
        f"{label:<42} cold {cold:7.3f} s  warm median {median(warm):7.3f} s"
        f"  peak +{_peak_mb() - before:6.0f} MB  shape {shape}"
    )


def apparel(data: Path, repeats: int) -> None:
    path = data / "clvtools_apparel_dyncov.csv"
    if not path.is_file():
        print(f"apparel: {path} absent, skipped")
        return
    _time(
        "read_time_varying_covariates (auto)", lambda: read_time_varying_covariates(path), repeats
    )
    _time(
        "read_time_varying_covariates (python)",
        lambda: read_time_varying_covariates(path, engine="python"),
        repeats,
    )
    try:
        import pandas as pd
        import polars as pl
        import pyarrow.csv as pacsv
    except ImportError:
        print("pandas/polars/pyarrow absent: table inputs skipped")
        return
    df = pd.read_csv(path)
    tables: dict[str, Any] = {
        "pandas": df,
        "polars": pl.read_csv(path),
        "arrow": pacsv.read_csv(path),
        "mapping (str dates)": {
            k: (df[k].to_numpy().astype(str) if k == "cov_date" else df[k].to_numpy())
            for k in df.columns
        },
    }
    for name, table in tables.items():

        def build(t: Any = table) -> TimeVaryingCovariates:
            return TimeVaryingCovariates.from_table(t)

        _time(f"from_table ({name})", build, repeats)


def simulated(customers: int, repeats: int) -> None:
    weeks = 313
    rng = np.random.default_rng(0)
    order = rng.permutation(customers * weeks)
    ids = np.repeat(np.arange(customers, dtype=np.int64) * 7 + 1, weeks)[order]
    dates = np.tile(np.datetime64("2005-01-02") + 7 * np.arange(weeks), customers)[order]
    table = {
        "customer_id": ids,
        "cov_date": dates,
        "high_season": rng.integers(0, 2, ids.size),
        "gender": rng.integers(0, 2, ids.size),
        "channel": rng.random(ids.size),
    }
    _time(
        f"from_table ({customers} x {weeks} weeks, shuffled)",
        lambda: TimeVaryingCovariates.from_table(table),
        repeats,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    apparel(args.data, args.repeats)
    simulated(args.customers, args.repeats)


if __name__ == "__main__":
    main()
