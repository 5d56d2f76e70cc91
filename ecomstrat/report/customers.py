"""One row per customer: the answers of the strategy report, customer by customer.

:func:`customer_table` joins a customer's history (``x``, ``t_x``, ``T``, ``monetary``), the
purchase model's P(alive) and expected purchases, the CLV (with its interval when the model
has one), the lifecycle stage, the RFM segment, the value tier and the recommended actions.
:func:`write_customers` writes it as CSV or Parquet (by the file's extension);
``ecomstrat report … --customers FILE`` is a thin layer over both.

Examples
--------
>>> from ecomstrat.datasets import simulate_transactions
>>> from ecomstrat.report.pipeline import ReportOptions, build_report
>>> sim = simulate_transactions(300, seed=4)
>>> table = build_report(sim.log).data.customers
>>> len(table), list(table.columns())[:5]
(300, ['customer_id', 'x', 't_x', 'T', 'monetary'])
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import ClassVar

import attrs
import numpy as np

from ecomstrat._typing import AnyArray, FloatArray
from ecomstrat._validation import check_same_length
from ecomstrat.frames._export import Tabular
from ecomstrat.frames.summary import CustomerSummary
from ecomstrat.frames.transaction_log import TransactionLog
from ecomstrat.lifecycle import RuleBasedPolicy, recommend_actions, stage_customers
from ecomstrat.metrics.rfm_segments import rfm_scores, rfm_segments
from ecomstrat.metrics.value_tiers import value_tiers

__all__ = ["PARQUET_SUFFIXES", "CustomerTable", "customer_table", "write_customers"]

#: File extensions written as Parquet by :func:`write_customers`; anything else is CSV.
PARQUET_SUFFIXES = (".parquet", ".pq")


@attrs.frozen(eq=False, repr=False)
class CustomerTable(Tabular):
    """The report's answers per customer, one row each (a table: ``columns()``, ``to_pandas()``…).

    Attributes
    ----------
    customer_id : ndarray
        The customers, in the summary's order.
    x, t_x, T, monetary : ndarray of float64
        Repeat purchases, time of the last purchase, age (in the report's time unit) and mean
        value of the repeat purchases.
    p_alive : ndarray of float64
        The purchase model's probability that the customer is still active (NaN without model).
    expected_purchases : ndarray of float64
        Purchases expected over the report's CLV horizon (NaN without model).
    clv, clv_lower, clv_upper : ndarray of float64
        CLV over the horizon (gross margin applied, as in the report's CLV section) and the
        bounds of its interval (NaN when not computed).
    lifecycle_stage, rfm_segment, value_tier, recommended_action : ndarray of str
        The customer's stage at the report date, RFM segment, value tier (by CLV, else by
        revenue) and the playbook's actions for that stage and tier (joined with ``"; "``).
    """

    _pandas_index: ClassVar[str | None] = "customer_id"

    customer_id: AnyArray
    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    monetary: FloatArray
    p_alive: FloatArray
    expected_purchases: FloatArray
    clv: FloatArray
    clv_lower: FloatArray
    clv_upper: FloatArray
    lifecycle_stage: AnyArray
    rfm_segment: AnyArray
    value_tier: AnyArray
    recommended_action: AnyArray

    def __attrs_post_init__(self) -> None:
        check_same_length(**self.columns())

    def __len__(self) -> int:
        return int(self.customer_id.shape[0])

    def __repr__(self) -> str:
        return f"CustomerTable({len(self)} customers)"

    def columns(self) -> dict[str, AnyArray]:
        """Every attribute as a named column, in the order documented above."""
        return {field.name: getattr(self, field.name) for field in attrs.fields(type(self))}


def _or_nan(values: FloatArray | None, n: int) -> FloatArray:
    if values is None:
        return np.full(n, np.nan)
    return np.asarray(values, dtype=np.float64)


def customer_table(
    summary: CustomerSummary,
    log: TransactionLog,
    *,
    observation_end: object,
    p_alive: FloatArray | None = None,
    expected_purchases: FloatArray | None = None,
    clv: FloatArray | None = None,
    clv_interval: tuple[FloatArray, FloatArray] | None = None,
    top_shares: tuple[float, ...] = (0.01, 0.10),
) -> CustomerTable:
    """Join the per-customer answers of a report into one table.

    Parameters
    ----------
    summary : CustomerSummary
        The customers' histories at ``observation_end`` (``rfm_summary`` of ``log``).
    log : TransactionLog
        The orders, for the lifecycle stages.
    observation_end : datetime, date, str or numpy.datetime64
        The report date.
    p_alive, expected_purchases, clv : ndarray of float64, optional
        Aligned with ``summary`` (NaN columns when not given).
    clv_interval : tuple of two ndarray of float64, optional
        Lower and upper bounds of each customer's CLV.
    top_shares : tuple of float, default (0.01, 0.10)
        The value tiers, by CLV when given, else by revenue (``summary.total_value``).

    Returns
    -------
    CustomerTable
    """
    n = summary.n_customers
    stages = stage_customers(log, observation_end=observation_end, policy=RuleBasedPolicy())
    order = np.arange(n)
    if not np.array_equal(stages.customer_ids, summary.customer_ids):
        order = np.argsort(stages.customer_ids, kind="stable")
        order = order[np.searchsorted(stages.customer_ids[order], summary.customer_ids)]
    if clv is not None:
        value = np.asarray(clv, dtype=np.float64)
    elif summary.total_value is not None:
        value = np.asarray(summary.total_value, dtype=np.float64)
    else:
        value = summary.monetary * summary.frequency
    tiers = value_tiers(
        np.nan_to_num(value), top_shares=top_shares, customer_ids=stages.customer_ids[order]
    )
    aligned = attrs.evolve(
        stages, customer_ids=stages.customer_ids[order], codes=stages.codes[order]
    )
    actions = recommend_actions(aligned, tiers=tiers).columns()["actions"]
    lower, upper = (None, None) if clv_interval is None else clv_interval
    return CustomerTable(
        customer_id=summary.customer_ids,
        x=np.asarray(summary.frequency, dtype=np.float64),
        t_x=np.asarray(summary.recency, dtype=np.float64),
        T=np.asarray(summary.T, dtype=np.float64),
        monetary=np.asarray(summary.monetary, dtype=np.float64),
        p_alive=_or_nan(p_alive, n),
        expected_purchases=_or_nan(expected_purchases, n),
        clv=_or_nan(clv, n),
        clv_lower=_or_nan(lower, n),
        clv_upper=_or_nan(upper, n),
        lifecycle_stage=aligned.labels(),
        rfm_segment=rfm_segments(rfm_scores(summary)).labels()
        if summary.total_value is not None
        else np.full(n, ""),
        value_tier=tiers.labels(),
        recommended_action=actions,
    )


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        number = float(value)
        return "" if math.isnan(number) else repr(number)
    return str(value)


def write_customers(table: CustomerTable, path: str | os.PathLike[str]) -> Path:
    """Write ``table`` to ``path``: Parquet for ``.parquet``/``.pq``, else CSV.

    CSV cells hold floats in full precision (``repr``), an empty cell for NaN. Parquet needs
    pyarrow (``pip install 'ecomstrat[pyarrow]'``).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    MissingDependencyError
        For a Parquet file without pyarrow (naming the ``pyarrow`` extra).
    """
    target = Path(path)
    if target.suffix.lower() in PARQUET_SUFFIXES:
        from ecomstrat._optional import import_optional

        parquet = import_optional("pyarrow.parquet", "pyarrow")
        parquet.write_table(table.to_arrow(), target)
        return target
    columns = table.columns()
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        cells = [[_cell(v) for v in column.tolist()] for column in columns.values()]
        writer.writerows(zip(*cells, strict=True))
    return target
