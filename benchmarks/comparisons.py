"""The comparison table: kernel -> {implementation}, shared by the benchmarks and the checks.

Every implementation of a kernel has the same three steps:

``prepare(dataset)``
    Untimed. Builds what that implementation starts from: the raw arrays (ecomstrat end to end),
    a DataFrame of the raw columns (pandas, lifetimes) or the kernel's precomputed inputs
    (kernel level: customer codes and day indices).
``run(prepared)``
    Timed. The computation itself.
``summarise(prepared, result)``
    Untimed. The result as a :class:`Summary` (days, customers sorted by id), so that all
    implementations can be checked against each other on the same data.

Two levels are measured and ratios are only taken within a level: ``end-to-end`` (raw columns in,
per-customer frequency / recency / T / monetary out) and ``kernel`` (``rfm_split`` and its
references on precomputed codes and periods). Heavy imports happen inside the functions, so the
runner process itself never imports numba, pandas or lifetimes.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from benchmarks.data import Dataset

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COMPARISONS",
    "KERNELS",
    "Implementation",
    "Summary",
    "agreement",
    "pandas_rfm_summary",
]

Level = Literal["end-to-end", "kernel"]

#: Tolerance of the monetary check, relative to max(1, |reference|).
MONETARY_TOLERANCE = 1e-9


class Summary(NamedTuple):
    """Per-customer daily RFM summary, customers sorted by id; recency and T in days."""

    customer_ids: NDArray[Any]
    frequency: NDArray[np.int64]
    recency: NDArray[np.float64]
    T: NDArray[np.float64]
    monetary: NDArray[np.float64]


@dataclass(frozen=True)
class Implementation:
    """One way of computing a kernel's result."""

    name: str
    level: Level
    description: str
    prepare: Callable[[Dataset], Any]
    run: Callable[[Any], Any]
    summarise: Callable[[Any, Any], Summary]
    #: Largest number of transactions it is run on (``None``: no limit).
    max_size: int | None = None
    #: Modules that must be importable.
    requires: tuple[str, ...] = ()
    #: Extra environment of the measuring subprocess.
    env: Mapping[str, str] = field(default_factory=dict)
    #: Same code as another row, run with a different environment: left out of the check.
    variant_of: str | None = None

    def available(self) -> bool:
        return all(importlib.util.find_spec(module) is not None for module in self.requires)

    def applies_to(self, n_transactions: int) -> bool:
        return self.max_size is None or n_transactions <= self.max_size


# --- ecomstrat, end to end -----------------------------------------------------------------


def _raw(dataset: Dataset) -> Dataset:
    return dataset


def _ecomstrat_end_to_end(dataset: Dataset) -> Any:
    from ecomstrat.frames.transaction_log import TransactionLog
    from ecomstrat.metrics.summary import rfm_summary

    log = TransactionLog.from_arrays(dataset.customer_ids, dataset.times, dataset.amounts)
    return rfm_summary(log, observation_end=dataset.observation_end)


def _summarise_ecomstrat(_: Dataset, result: Any) -> Summary:
    return _sorted(result.customer_ids, result.frequency, result.recency, result.T, result.monetary)


# --- kernel level: rfm_split and its references on the same precomputed inputs ------------


class KernelInputs(NamedTuple):
    """The arguments of ``rfm_split`` as ``rfm_summary`` passes them, plus the customer ids."""

    codes: NDArray[np.int64]
    periods: NDArray[np.int64]
    amounts: NDArray[np.float64]
    n_customers: int
    end_period: int
    customer_ids: NDArray[Any]


def _kernel_inputs(dataset: Dataset) -> KernelInputs:
    from ecomstrat.domain.time_unit import TimeUnit
    from ecomstrat.frames._time import period_index
    from ecomstrat.frames.transaction_log import TransactionLog

    log = TransactionLog.from_arrays(dataset.customer_ids, dataset.times, dataset.amounts)
    end = int(period_index(np.array([dataset.observation_end]), TimeUnit.DAY)[0])
    periods = period_index(log.times, TimeUnit.DAY)
    periods.flags.writeable = False  # as rfm_summary passes them
    return KernelInputs(
        log.customer_index, periods, log.amounts, log.n_customers, end, log.customer_ids
    )


def _call(kernel: Callable[..., Any], x: KernelInputs) -> Any:
    return kernel(x.codes, x.periods, x.amounts, x.n_customers, x.end_period, x.end_period)


def _numba_kernel(x: KernelInputs) -> Any:
    from ecomstrat._kernels.rfm import rfm_split

    return _call(rfm_split, x)


def _numba_kernel_parallel(x: KernelInputs) -> Any:
    from ecomstrat._kernels.rfm import rfm_split_parallel

    return _call(rfm_split_parallel, x)


def _numpy_kernel(x: KernelInputs) -> Any:
    from tests.reference import rfm_split_numpy

    return _call(rfm_split_numpy, x)


def _python_kernel(x: KernelInputs) -> Any:
    from tests.reference import rfm_split_python

    return _call(rfm_split_python, x)


def _summarise_split(x: KernelInputs, stats: Any) -> Summary:
    n_periods, first, last, first_value, total_value = (np.asarray(s) for s in stats[:5])
    frequency = n_periods - 1
    monetary = np.divide(
        total_value - first_value, frequency, out=np.zeros(frequency.shape[0]), where=frequency > 0
    )
    return _sorted(
        x.customer_ids,
        frequency,
        (last - first).astype(np.float64),
        (x.end_period - first).astype(np.float64),
        monetary,
    )


# --- peers, starting from a DataFrame of the raw columns -----------------------------------


def _data_frame(dataset: Dataset) -> tuple[pd.DataFrame, np.datetime64]:
    import pandas as pd

    # copy=False: the frame shares the input arrays, so it adds no memory of its own.
    frame = pd.DataFrame(
        {"customer_id": dataset.customer_ids, "date": dataset.times, "amount": dataset.amounts},
        copy=False,
    )
    return frame, dataset.observation_end


def pandas_rfm_summary(
    transactions: pd.DataFrame, observation_end: np.datetime64 | str
) -> pd.DataFrame:
    """Daily RFM summary with pandas: the idiomatic groupby a pandas user would write.

    Orders are floored to their day, summed per (customer, day), then aggregated per customer:
    ``frequency`` = purchase days - 1, ``recency`` and ``T`` in days from the first purchase
    day, ``monetary_value`` = mean value of the repeat purchase days (0 without repeats).
    """
    import pandas as pd

    end_day = pd.Timestamp(observation_end).floor("D")
    day = transactions["date"].dt.floor("D")
    keep = day <= end_day
    daily = (
        transactions.loc[keep, ["customer_id", "amount"]]
        .assign(day=day[keep])
        .groupby(["customer_id", "day"], sort=True)["amount"]
        .sum()
        .reset_index()
    )
    per_customer = daily.groupby("customer_id", sort=True).agg(
        n_days=("day", "size"),
        first_day=("day", "first"),
        last_day=("day", "last"),
        first_value=("amount", "first"),
        total_value=("amount", "sum"),
    )
    one_day = pd.Timedelta(days=1)
    frequency = per_customer["n_days"] - 1
    repeat_value = per_customer["total_value"] - per_customer["first_value"]
    return pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (per_customer["last_day"] - per_customer["first_day"]) / one_day,
            "T": (end_day - per_customer["first_day"]) / one_day,
            "monetary_value": (repeat_value / frequency.where(frequency > 0)).fillna(0.0),
        }
    )


def _pandas(prepared: tuple[pd.DataFrame, np.datetime64]) -> pd.DataFrame:
    frame, end = prepared
    return pandas_rfm_summary(frame, end)


def _lifetimes(prepared: tuple[pd.DataFrame, np.datetime64]) -> pd.DataFrame:
    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data

    frame, end = prepared
    summary: pd.DataFrame = summary_data_from_transaction_data(
        frame,
        "customer_id",
        "date",
        monetary_value_col="amount",
        observation_period_end=pd.Timestamp(end),
        freq="D",
    )
    return summary


def _summarise_frame(_: Any, result: pd.DataFrame) -> Summary:
    return _sorted(
        result.index.to_numpy(),
        result["frequency"].to_numpy(),
        result["recency"].to_numpy(),
        result["T"].to_numpy(),
        result["monetary_value"].to_numpy(),
    )


def _sorted(
    ids: NDArray[Any],
    frequency: NDArray[Any],
    recency: NDArray[Any],
    T: NDArray[Any],
    monetary: NDArray[Any],
) -> Summary:
    order = np.argsort(ids, kind="stable")
    return Summary(
        np.asarray(ids)[order],
        np.asarray(frequency)[order].astype(np.int64),
        np.asarray(recency, dtype=np.float64)[order],
        np.asarray(T, dtype=np.float64)[order],
        np.asarray(monetary, dtype=np.float64)[order],
    )


def _table(*implementations: Implementation) -> dict[str, Implementation]:
    return {implementation.name: implementation for implementation in implementations}


#: kernel -> {implementation name -> implementation}. The first entry of each level is the
#: baseline of that level's ratios; the first entry overall is the reference of the check.
COMPARISONS: dict[str, dict[str, Implementation]] = {
    "rfm_summary": _table(
        Implementation(
            name="numba",
            level="end-to-end",
            description="ecomstrat: from_arrays + rfm_summary (parallel from 2e6 orders)",
            prepare=_raw,
            run=_ecomstrat_end_to_end,
            summarise=_summarise_ecomstrat,
            requires=("numba",),
        ),
        Implementation(
            name="numba-1thread",
            level="end-to-end",
            description="the same with NUMBA_NUM_THREADS=1 (per-core comparison with the peers)",
            prepare=_raw,
            run=_ecomstrat_end_to_end,
            summarise=_summarise_ecomstrat,
            requires=("numba",),
            env={"NUMBA_NUM_THREADS": "1"},
            variant_of="numba",
        ),
        Implementation(
            name="pandas",
            level="end-to-end",
            description="pandas groupby (benchmarks.comparisons.pandas_rfm_summary) on a DataFrame",
            prepare=_data_frame,
            run=_pandas,
            summarise=_summarise_frame,
            requires=("pandas",),
        ),
        Implementation(
            name="lifetimes",
            level="end-to-end",
            description="lifetimes.utils.summary_data_from_transaction_data, freq='D'",
            prepare=_data_frame,
            run=_lifetimes,
            summarise=_summarise_frame,
            requires=("pandas", "lifetimes"),
        ),
        Implementation(
            name="numba-kernel",
            level="kernel",
            description="ecomstrat._kernels.rfm.rfm_split on precomputed codes and day indices",
            prepare=_kernel_inputs,
            run=_numba_kernel,
            summarise=_summarise_split,
            requires=("numba",),
        ),
        Implementation(
            name="numba-kernel-par",
            level="kernel",
            description="ecomstrat._kernels.rfm.rfm_split_parallel (customer blocks on threads)",
            prepare=_kernel_inputs,
            run=_numba_kernel_parallel,
            summarise=_summarise_split,
            requires=("numba",),
        ),
        Implementation(
            name="numpy",
            level="kernel",
            description="tests.reference.rfm_split_numpy (lexsort + reduceat + bincount)",
            prepare=_kernel_inputs,
            run=_numpy_kernel,
            summarise=_summarise_split,
            requires=("numba",),
        ),
        Implementation(
            name="python",
            level="kernel",
            description="tests.reference.rfm_split_python (dicts and loops)",
            prepare=_kernel_inputs,
            run=_python_kernel,
            summarise=_summarise_split,
            max_size=10**5,
            requires=("numba",),
        ),
    ),
}

#: Command-line name -> kernel of the comparison table.
KERNELS = {"rfm": "rfm_summary"}


def baseline_of(kernel: str, level: Level) -> str:
    """Name of the implementation the ratios of ``level`` are taken against."""
    return next(i.name for i in COMPARISONS[kernel].values() if i.level == level)


def agreement(kernel: str, dataset: Dataset) -> list[dict[str, Any]]:
    """Run every available implementation on ``dataset`` and compare it with the first one.

    ``frequency``, ``recency`` and ``T`` must be equal and ``monetary`` within
    ``MONETARY_TOLERANCE`` of the reference (relative to max(1, |reference|)).
    """
    implementations = [
        i
        for i in COMPARISONS[kernel].values()
        if i.variant_of is None and i.available() and i.applies_to(dataset.n_transactions)
    ]
    reference_impl, *others = implementations
    prepared = reference_impl.prepare(dataset)
    reference = reference_impl.summarise(prepared, reference_impl.run(prepared))
    rows = []
    for implementation in others:
        prepared = implementation.prepare(dataset)
        got = implementation.summarise(prepared, implementation.run(prepared))
        rows.append({"implementation": implementation.name, **_compare(reference, got)})
    return rows


def _compare(reference: Summary, got: Summary) -> dict[str, Any]:
    if got.customer_ids.shape != reference.customer_ids.shape or not np.array_equal(
        got.customer_ids, reference.customer_ids
    ):
        return {"ok": False, "detail": "different customers"}
    unequal = {
        name: int(np.count_nonzero(getattr(got, name) != getattr(reference, name)))
        for name in ("frequency", "recency", "T")
    }
    scale = np.maximum(1.0, np.abs(reference.monetary))
    monetary = float(np.max(np.abs(got.monetary - reference.monetary) / scale, initial=0.0))
    ok = not any(unequal.values()) and monetary <= MONETARY_TOLERANCE
    return {
        "ok": ok,
        "customers": int(reference.customer_ids.shape[0]),
        "unequal": unequal,
        "monetary_max_rel_diff": monetary,
    }
