"""Benchmark inputs: seeded synthetic transaction logs and the CDNOW master file.

A :class:`Dataset` is three raw columns (customer id, order time, amount) plus the observation
end, exactly what a user holds before calling the library. Datasets are written to ``.npy``
files by the runner and loaded by each measuring subprocess, so that loading creates the input
arrays and nothing else (no transient peak to hide the algorithm's own).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CDNOW_PATH",
    "Dataset",
    "cdnow",
    "load",
    "save",
    "synthetic",
]

#: Relative to the project root (the runner is started there). Not part of the repository.
CDNOW_PATH = Path("..") / "shared" / "data" / "cdnow_master.txt"
#: Where the large generated data sets are written once and reused (never the repository).
SCRATCH = Path(tempfile.gettempdir()) / "ecomstrat-benchmarks"

_NS_PER_DAY = 86_400 * 10**9
_START = np.datetime64("2022-01-01T00:00:00", "ns")
_DAYS = 730  # ~2 years
_COLUMNS = ("customer_ids", "times", "amounts")


@dataclass(frozen=True)
class Dataset:
    """Raw transaction columns, in no particular row order."""

    name: str
    customer_ids: NDArray[np.int64]
    times: NDArray[np.datetime64]
    amounts: NDArray[np.float64]
    observation_end: np.datetime64

    @property
    def n_transactions(self) -> int:
        return int(self.customer_ids.shape[0])

    @property
    def input_bytes(self) -> int:
        """Bytes of the three input arrays (24 per transaction)."""
        return int(self.customer_ids.nbytes + self.times.nbytes + self.amounts.nbytes)

    def head(self, n: int) -> Dataset:
        """The first ``n`` rows (a random sample, since rows are shuffled); used for warm-ups."""
        return Dataset(
            f"{self.name}[:{n}]",
            self.customer_ids[:n].copy(),
            self.times[:n].copy(),
            self.amounts[:n].copy(),
            self.observation_end,
        )


def synthetic(n: int, *, per_customer: int = 10, seed: int = 0) -> Dataset:
    """``n`` unsorted orders of ``n // per_customer`` customers over two years.

    Every customer has at least one order; the others are spread uniformly, so orders per
    customer are ~1 + Poisson(per_customer - 1). Ids are int64 (a shuffled block of large
    integers, as a database would hand out); times are uniform over 2022-01-01 .. 2023-12-31
    with nanosecond intra-day resolution (several orders of a customer can fall on one day);
    amounts are gamma-distributed, rounded to cents. The observation ends on the last day.
    """
    rng = np.random.default_rng(seed)
    m = max(1, n // per_customer)
    id_of = 5_000_000_000 + rng.permutation(m).astype(np.int64)
    owner = np.concatenate([np.arange(m, dtype=np.int64), rng.integers(0, m, n - m)])
    customer_ids = id_of[rng.permutation(owner)]
    del owner
    offsets = rng.integers(0, _DAYS * _NS_PER_DAY, n, dtype=np.int64)
    times = (_START + offsets.view("timedelta64[ns]")).astype("datetime64[ns]")
    del offsets
    amounts = np.round(rng.gamma(2.0, 25.0, n), 2)
    end = _START + np.timedelta64(_DAYS - 1, "D")
    return Dataset(f"synthetic-{n}", customer_ids, times, amounts, end)


def cdnow(path: Path = CDNOW_PATH) -> Dataset | None:
    """The CDNOW master file (69,659 orders, 23,570 customers), or ``None`` when absent."""
    if not path.is_file():
        return None
    raw = np.loadtxt(path, skiprows=1, dtype=np.float64)
    ymd = raw[:, 1].astype(np.int64)
    months = (ymd // 10_000 - 1970) * 12 + (ymd // 100 % 100 - 1)
    days = months.astype("datetime64[M]").astype("datetime64[D]") + (ymd % 100 - 1)
    return Dataset(
        "cdnow",
        raw[:, 0].astype(np.int64),
        days.astype("datetime64[ns]"),
        np.ascontiguousarray(raw[:, 3]),
        np.datetime64("1998-06-30", "ns"),
    )


def save(dataset: Dataset, folder: Path) -> None:
    """Write ``dataset`` as one ``.npy`` file per column plus ``meta.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    for column in _COLUMNS:
        np.save(folder / f"{column}.npy", getattr(dataset, column))
    meta = {"name": dataset.name, "observation_end": str(dataset.observation_end)}
    (folder / "meta.json").write_text(json.dumps(meta))


def load(folder: Path) -> Dataset:
    """Read a dataset written by :func:`save`."""
    meta = json.loads((folder / "meta.json").read_text())
    ids, times, amounts = (np.load(folder / f"{column}.npy") for column in _COLUMNS)
    return Dataset(meta["name"], ids, times, amounts, np.datetime64(meta["observation_end"], "ns"))
